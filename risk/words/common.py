"""Words many parts of riskmap use: languages, dates, places, the synthetic-data note."""

WORDS = {
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "province": {"vi": "Tỉnh", "en": "Province"},
    "district": {"vi": "Huyện", "en": "District"},
    "commune": {"vi": "Xã", "en": "Commune"},
    "date": {"vi": "Ngày", "en": "Date"},
    "synthetic": {
        "vi": "DỮ LIỆU MÔ PHỎNG, không phải số liệu thật",
        "en": "SYNTHETIC DATA, not real figures",
    },
    "withheld": {"vi": "<5", "en": "<5"},
}
