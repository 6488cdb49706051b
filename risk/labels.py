"""Risk classes and indicator names in Vietnamese and English."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

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
    "vulnerability": {"vi": "Nghèo, dân tộc thiểu số", "en": "Poverty, ethnic minority"},
}


#: Getis-Ord Gi* class → label per language (hot/cold spots at 90/95/99 % confidence).
HOTSPOT_LABELS: dict[str, dict[str, str]] = {
    "hot_99": {"vi": "Điểm nóng (99 %)", "en": "Hot spot (99 %)"},
    "hot_95": {"vi": "Điểm nóng (95 %)", "en": "Hot spot (95 %)"},
    "hot_90": {"vi": "Điểm nóng (90 %)", "en": "Hot spot (90 %)"},
    "ns": {"vi": "Không có ý nghĩa thống kê", "en": "Not significant"},
    "cold_90": {"vi": "Điểm lạnh (90 %)", "en": "Cold spot (90 %)"},
    "cold_95": {"vi": "Điểm lạnh (95 %)", "en": "Cold spot (95 %)"},
    "cold_99": {"vi": "Điểm lạnh (99 %)", "en": "Cold spot (99 %)"},
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
    import mapclassify

    if len(x) > JENKS_SAMPLE:  # exact Fisher-Jenks is O(n²): use evenly spaced quantiles
        x = np.quantile(x, np.linspace(0, 1, JENKS_SAMPLE))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        upper = mapclassify.FisherJenks(x, k=5).bins[:4]  # inclusive upper bounds, classes 1-4
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
