"""Crossing and venue kinds (map markers, legends, tooltips)."""

WORDS = {
    "international": {"vi": "Cửa khẩu quốc tế", "en": "International gate"},
    "main": {"vi": "Cửa khẩu chính", "en": "Main gate"},
    "secondary": {"vi": "Cửa khẩu phụ", "en": "Secondary gate"},
    "opening": {"vi": "Lối mở", "en": "Informal opening"},
    "trail": {"vi": "Đường mòn", "en": "Trail"},
    "seaport": {"vi": "Cảng biển", "en": "Seaport"},
    "karaoke": {"vi": "Karaoke", "en": "Karaoke"},
    "massage": {"vi": "Xoa bóp", "en": "Massage"},
    "guesthouse": {"vi": "Nhà nghỉ", "en": "Guesthouse"},
    "hotel": {"vi": "Khách sạn", "en": "Hotel"},
    "homestay": {"vi": "Homestay", "en": "Homestay"},
    "bar": {"vi": "Quán bar", "en": "Bar"},
    "cafe": {"vi": "Cà phê", "en": "Café"},
    "other": {"vi": "Khác", "en": "Other"},
}
