"""Risk classes, indicator, kind and hot-spot names in Vietnamese and English."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from risk.breaks import fisher_jenks
from risk.words import catalogue

LANGS = ("vi", "en")
CLASSIFICATIONS = ("quantile", "natural_breaks")
#: Above this many communes, natural breaks are computed on this many evenly spaced quantiles.
JENKS_SAMPLE = 500

#: Class 1 (lowest) .. 5 (highest) → label per language.
CLASS_LABELS: dict[int, dict[str, str]] = {
    5: {"vi": "Rất cao", "en": "Very high"},
    4: {"vi": "Cao", "en": "High"},
    3: {"vi": "Trung bình", "en": "Medium"},
    2: {"vi": "Thấp", "en": "Low"},
    1: {"vi": "Rất thấp", "en": "Very low"},
}

#: Indicator → label per language, as shown in tooltips, tables and explanations.
INDICATOR_LABELS: dict[str, dict[str, str]] = {
    "border_proximity": {"vi": "Gần biên giới", "en": "Border proximity"},
    "border_length": {"vi": "Chiều dài biên giới", "en": "Border length"},
    "crossing_access": {"vi": "Tiếp cận cửa khẩu, lối mở", "en": "Crossing access"},
    "venue_pressure": {"vi": "Cơ sở kinh doanh có điều kiện", "en": "Venue pressure"},
    "industrial_area": {"vi": "Diện tích khu công nghiệp", "en": "Industrial zone area"},
    "industrial_workers": {"vi": "Lao động khu công nghiệp", "en": "Industrial workers nearby"},
    "repatriation_rate": {"vi": "Người bị trục xuất, nạn nhân trở về", "en": "Returnees rate"},
    "deported_rate": {"vi": "Người bị trục xuất trở về", "en": "People deported back"},
    "victim_rate": {"vi": "Nạn nhân được trả về", "en": "Victims returned"},
    "vulnerability": {"vi": "Nghèo, dân tộc thiểu số", "en": "Poverty, ethnic minority"},
}


#: Crossing and venue kind → label per language (map markers, legends, tooltips).
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

#: Getis-Ord Gi* class → label per language: clusters of high or low scores found by a
#: permutation test with false-discovery-rate control (q ≤ 0.01 / 0.05 / 0.10). They describe
#: the map of scores; no "confidence" wording, which the test cannot support (method §4).
HOTSPOT_LABELS: dict[str, dict[str, str]] = {
    "hot_99": {"vi": "Cụm điểm cao (q ≤ 0,01)", "en": "High-score cluster (q ≤ 0.01)"},
    "hot_95": {"vi": "Cụm điểm cao (q ≤ 0,05)", "en": "High-score cluster (q ≤ 0.05)"},
    "hot_90": {"vi": "Cụm điểm cao (q ≤ 0,10)", "en": "High-score cluster (q ≤ 0.10)"},
    "ns": {"vi": "Không thuộc cụm", "en": "Not in a cluster"},
    "cold_90": {"vi": "Cụm điểm thấp (q ≤ 0,10)", "en": "Low-score cluster (q ≤ 0.10)"},
    "cold_95": {"vi": "Cụm điểm thấp (q ≤ 0,05)", "en": "Low-score cluster (q ≤ 0.05)"},
    "cold_99": {"vi": "Cụm điểm thấp (q ≤ 0,01)", "en": "Low-score cluster (q ≤ 0.01)"},
}


def class_breaks(scores: ArrayLike, method: str = "quantile") -> NDArray[np.float64]:
    """Four score breaks (0-100): quintiles, or Fisher-Jenks natural breaks (``method``).

    A score equal to a break falls in the higher class (see :func:`classify`).
    """
    x = np.asarray(scores, dtype=float)
    if method == "quantile" or len(np.unique(x)) < 5:
        return np.quantile(x, [0.2, 0.4, 0.6, 0.8])
    if method != "natural_breaks":
        raise ValueError(f'classification was "{method}", expected one of {CLASSIFICATIONS}')
    if len(x) > JENKS_SAMPLE:  # exact Fisher-Jenks is O(n²): use evenly spaced quantiles
        x = np.quantile(x, np.linspace(0, 1, JENKS_SAMPLE))
    upper = fisher_jenks(x, k=5)[:4]  # inclusive upper bounds, classes 1-4
    return np.nextafter(upper, np.inf)


def classify(scores: ArrayLike, breaks: ArrayLike) -> NDArray[np.int64]:
    """Class 1-5 of each score given four ascending breaks; equal scores share a class."""
    return np.searchsorted(np.asarray(breaks), np.asarray(scores, dtype=float), side="right") + 1


def class_label(cls: int, lang: str = "vi") -> str:
    """Label of class ``cls`` (1-5) in ``lang`` ("vi" or "en")."""
    return CLASS_LABELS[int(cls)][lang]


def hotspot_label(hotspot: str, lang: str = "vi") -> str:
    """Label of Gi* class ``hotspot`` ("hot_99" ... "ns" ... "cold_99") in ``lang``."""
    return HOTSPOT_LABELS[hotspot][lang]


def indicator_label(name: str, lang: str = "vi") -> str:
    """Label of indicator ``name`` in ``lang``; the raw name if none is defined."""
    return INDICATOR_LABELS.get(name, {}).get(lang, name)


def site_kind_label(kind: str, lang: str = "vi") -> str:
    """Label of a crossing or venue kind in ``lang``; the kind itself if unknown."""
    return KIND_LABELS.get(kind, {}).get(lang, kind)


def word(name: str, lang: str = "vi") -> str:
    """The catalogue word ``name`` ("<section>.<key>", see :mod:`risk.words`) in ``lang``."""
    section, _, key = name.partition(".")
    try:
        return catalogue()[section][key][lang]
    except KeyError:
        raise KeyError(f'no word "{name}" in language "{lang}" in risk.words') from None


def words(section: str, lang: str = "vi") -> dict[str, str]:
    """Every word of catalogue ``section`` in ``lang``: key → text (for a page's script)."""
    return {key: texts[lang] for key, texts in catalogue()[section].items()}
