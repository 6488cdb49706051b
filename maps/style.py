"""Map styling as plain data: class colours, kind icons; UI words from :mod:`risk.words`."""

from __future__ import annotations

from risk.labels import HOTSPOT_LABELS, LANGS, hotspot_label, words
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

#: Map UI text per language: lang → key → text, from the catalogue section ``map``.
TEXT: dict[str, dict[str, str]] = {lang: words("map", lang) for lang in LANGS}

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
