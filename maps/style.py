"""Map styling as plain data: class colours, kind icons, layer titles in Vietnamese and English."""

from __future__ import annotations

from risk.labels import HOTSPOT_LABELS, hotspot_label
from risk.labels import site_kind_label as risk_kind_label

#: Fill colour per risk class (1 = very low … 5 = very high), ColorBrewer YlOrRd.
CLASS_COLOURS = {1: "#ffffb2", 2: "#fecc5c", 3: "#fd8d3c", 4: "#f03b20", 5: "#bd0026"}

#: Marker colour and Font Awesome 6 icon per crossing kind.
CROSSING_STYLE = {
    "international": ("darkred", "flag"),
    "main": ("red", "flag"),
    "secondary": ("orange", "flag-checkered"),
    "opening": ("purple", "right-left"),
    "trail": ("black", "person-hiking"),
    "seaport": ("blue", "ship"),
}

#: Outline per Getis-Ord Gi* hotspot class; "ns" (not significant) is not drawn.
HOTSPOT_STYLE = {
    "hot_99": {"color": "#67000d", "weight": 4, "fill": False},
    "hot_95": {"color": "#a50f15", "weight": 3, "fill": False},
    "hot_90": {"color": "#ef3b2c", "weight": 2, "dashArray": "6 4", "fill": False},
    "cold_90": {"color": "#6baed6", "weight": 2, "dashArray": "6 4", "fill": False},
    "cold_95": {"color": "#2171b5", "weight": 3, "fill": False},
    "cold_99": {"color": "#08306b", "weight": 4, "fill": False},
}
#: Outline of communes whose class is uncertain (the 5-95 % scores fall in different classes).
UNCERTAIN_STYLE = {"color": "#252525", "weight": 1.5, "dashArray": "3 4", "fill": False}
#: Hatching of those communes on static maps (matplotlib hatch and its line colour).
UNCERTAIN_HATCH = {"hatch": "////", "edgecolor": "#4d4d4d"}
PLAN_STYLE = {"color": "#00441b", "weight": 2, "fillColor": "#41ab5d", "fillOpacity": 0.12}

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
        "hotspots": "Điểm nóng (Getis-Ord Gi*)",
        "plan": "Kế hoạch tuần tra / tuyên truyền",
        "plan_site": "Điểm chọn",
        "search": "Tìm xã...",
        "rank_interval": "Khoảng thứ hạng (90%)",
        "class_uncertain": "Hạng chưa chắc chắn",
        "missing": "Không có dữ liệu",
        "date": "Ngày",
        "profile": "Hồ sơ",
        "province": "Tỉnh",
        "no_tiles": "Bản đồ ngoại tuyến: không có nền bản đồ",
        "fullscreen": "Toàn màn hình",
        "exit_fullscreen": "Thoát toàn màn hình",
        "venue_kind": "Cơ sở",
        "venues_grouped": "{n} cơ sở trong ô {km} km",
        "grouped_per": "gộp theo ô {km} km",
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
        "hotspots": "Hotspots (Getis-Ord Gi*)",
        "plan": "Patrol / outreach plan",
        "plan_site": "Chosen site",
        "search": "Find a commune...",
        "rank_interval": "Rank interval (90%)",
        "class_uncertain": "Class uncertain",
        "missing": "No data",
        "date": "Date",
        "profile": "Profile",
        "province": "Province",
        "no_tiles": "Offline map: no background map",
        "fullscreen": "Full screen",
        "exit_fullscreen": "Exit full screen",
        "venue_kind": "Venues",
        "venues_grouped": "{n} venues in a {km} km cell",
        "grouped_per": "grouped in {km} km cells",
    },
}

#: Layer names a map says are missing when the workspace lacks them.
OPTIONAL_LAYERS = ("border", "crossings", "venues", "industrial_zones")


def text(key: str, lang: str) -> str:
    """UI text ``key`` in ``lang`` ("vi" or "en")."""
    return TEXT[lang][key]


def kind_label(kind: str, lang: str) -> str:
    """Label of a crossing/venue kind or a Gi* class in ``lang`` (from :mod:`risk.labels`)."""
    if kind in HOTSPOT_LABELS:
        return hotspot_label(kind, lang)
    return risk_kind_label(kind, lang)
