"""Map styling as plain data: class colours, kind icons, layer titles in Vietnamese and English."""

from __future__ import annotations

#: Fill colour per risk class (1 = very low … 5 = very high), ColorBrewer YlOrRd.
CLASS_COLOURS = {1: "#ffffb2", 2: "#fecc5c", 3: "#fd8d3c", 4: "#f03b20", 5: "#bd0026"}

#: Marker colour and Font Awesome icon per crossing kind.
CROSSING_STYLE = {
    "international": ("darkred", "flag"),
    "main": ("red", "flag"),
    "secondary": ("orange", "flag-o"),
    "opening": ("purple", "exchange"),
    "trail": ("black", "road"),
    "seaport": ("blue", "ship"),
}

VENUE_COLOURS = {
    "karaoke": "#e7298a",
    "massage": "#7570b3",
    "guesthouse": "#d95f02",
    "hotel": "#1b9e77",
    "homestay": "#66a61e",
    "bar": "#a6761d",
    "cafe": "#666666",
    "other": "#999999",
}

BORDER_STYLE = {
    "land": {"color": "#b2182b", "weight": 4, "dashArray": "10 6"},
    "sea": {"color": "#2166ac", "weight": 3, "dashArray": "2 6"},
}
ZONE_STYLE = {"color": "#542788", "weight": 2, "fillColor": "#998ec3", "fillOpacity": 0.4}

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Bản đồ nguy cơ mua bán người",
        "communes": "Điểm nguy cơ theo xã",
        "border": "Đường biên giới",
        "crossings": "Cửa khẩu, lối mở, đường mòn",
        "venues": "Cơ sở kinh doanh có điều kiện",
        "industrial_zones": "Khu, cụm công nghiệp",
        "commune": "Xã",
        "district": "Huyện",
        "score": "Điểm (0-100)",
        "class": "Mức nguy cơ",
        "rank": "Thứ hạng",
        "drivers": "Yếu tố chính",
        "workers": "Số lao động",
        "legend": "Mức nguy cơ",
        "synthetic": "DỮ LIỆU MÔ PHỎNG, không phải số liệu thật",
        "run": "Lần tính",
    },
    "en": {
        "title": "Human-trafficking risk map",
        "communes": "Risk score by commune",
        "border": "Border",
        "crossings": "Border gates, openings, trails",
        "venues": "Conditional business venues",
        "industrial_zones": "Industrial zones",
        "commune": "Commune",
        "district": "District",
        "score": "Score (0-100)",
        "class": "Risk class",
        "rank": "Rank",
        "drivers": "Main drivers",
        "workers": "Workers",
        "legend": "Risk class",
        "synthetic": "SYNTHETIC DATA, not real figures",
        "run": "Run",
    },
}

KIND_LABELS: dict[str, dict[str, str]] = {
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


def text(key: str, lang: str) -> str:
    """UI text ``key`` in ``lang`` ("vi" or "en")."""
    return TEXT[lang][key]


def kind_label(kind: str, lang: str) -> str:
    """Label of a crossing or venue kind in ``lang``; the kind itself if unknown."""
    return KIND_LABELS.get(kind, {}).get(lang, kind)
