"""Risk classes and indicator names in Vietnamese and English."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

LANGS = ("vi", "en")

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


def class_breaks(scores: ArrayLike) -> NDArray[np.float64]:
    """Four score breaks (0-100) splitting ``scores`` into quintiles."""
    return np.quantile(np.asarray(scores, dtype=float), [0.2, 0.4, 0.6, 0.8])


def classify(scores: ArrayLike, breaks: ArrayLike) -> NDArray[np.int64]:
    """Class 1-5 of each score given four ascending breaks; equal scores share a class."""
    return np.searchsorted(np.asarray(breaks), np.asarray(scores, dtype=float), side="right") + 1


def class_label(cls: int, lang: str = "vi") -> str:
    """Label of class ``cls`` (1-5) in ``lang`` ("vi" or "en")."""
    return CLASS_LABELS[int(cls)][lang]


def indicator_label(name: str, lang: str = "vi") -> str:
    """Label of indicator ``name`` in ``lang``; the raw name if none is defined."""
    return INDICATOR_LABELS.get(name, {}).get(lang, name)
