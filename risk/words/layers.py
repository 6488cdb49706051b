"""Names of the workspace's layers as a catalogue of data lists them (OGC API collections)."""

WORDS = {
    "communes": {"vi": "Xã", "en": "Communes"},
    "border": {"vi": "Biên giới", "en": "Border"},
    "crossings": {"vi": "Cửa khẩu, lối mở", "en": "Crossings"},
    "venues": {"vi": "Cơ sở kinh doanh", "en": "Venues"},
    "industrial_zones": {"vi": "Khu công nghiệp", "en": "Industrial zones"},
    "scores": {"vi": "Điểm nguy cơ", "en": "Risk scores"},
}
