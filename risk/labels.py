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


def _section(name: str) -> dict[str, dict[str, str]]:
    """Catalogue section ``name`` as a fresh dict: key → {"vi": ..., "en": ...}."""
    return {key: dict(texts) for key, texts in catalogue()[name].items()}


#: Class 1 (lowest) .. 5 (highest) → label per language (catalogue section ``classes``).
CLASS_LABELS: dict[int, dict[str, str]] = {int(c): t for c, t in _section("classes").items()}
#: Indicator → label per language, as shown in tooltips, tables and explanations.
INDICATOR_LABELS: dict[str, dict[str, str]] = _section("indicators")
#: Crossing and venue kind → label per language (map markers, legends, tooltips).
KIND_LABELS: dict[str, dict[str, str]] = _section("kinds")
#: Getis-Ord Gi* class → label per language: clusters of high or low scores found by a
#: permutation test with false-discovery-rate control (q ≤ 0.01 / 0.05 / 0.10).
HOTSPOT_LABELS: dict[str, dict[str, str]] = _section("hotspots")


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
