"""Indicator transforms: outlier treatment (COINr's rule) and normalisation to 0-100."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

SCALE = 100.0
NORMALISATIONS = ("minmax", "rank", "zscore")
#: COINr's defaults: treat where |skew| > 2 and kurtosis > 3.5, winsorising up to 5 points.
SKEW_LIMIT, KURT_LIMIT, WINSOR_MAX = 2.0, 3.5, 5
#: z-scores are mapped to 0-100 as 50 + z · 50/3, so ±3 standard deviations span the scale.
Z_SPAN = 3.0


def skew_kurt(values: ArrayLike) -> tuple[float, float]:
    """Sample skewness and excess kurtosis (e1071/Excel "type 2", as COINr); NaN if undefined."""
    x = np.asarray(values, dtype=float)
    if len(x) < 4 or np.ptp(x) <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return float("nan"), float("nan")
    skew = float(stats.skew(x, bias=False))
    kurt = float(stats.kurtosis(x, fisher=True, bias=False))
    return skew, kurt


def _outlying(x: NDArray) -> bool:
    skew, kurt = skew_kurt(x)
    return bool(abs(skew) > SKEW_LIMIT and kurt > KURT_LIMIT)


def treat_outliers(
    values: ArrayLike, *, max_points: int = WINSOR_MAX
) -> tuple[NDArray[np.float64], str]:
    """Indicator values with outliers treated the COINr way, and what was done.

    Notes
    -----
    COINr (``Treat()``, defaults): an indicator is outlying when ``|skew| > 2`` and
    ``kurtosis > 3.5``. Such an indicator is winsorised one extreme at a time (the largest
    values take the next largest value, or the smallest the next smallest if the skew is
    negative) until it is no longer outlying; if that needs more than ``max_points`` points,
    the original values are log-transformed instead: ``ln(x - min + 0.01 · range)``.
    Returns the treated values and ``"none"``, ``"winsorised N"`` or ``"log"``.
    """
    x = np.asarray(values, dtype=float).copy()
    if not _outlying(x):
        return x, "none"
    treated = 0
    while treated < max_points:
        high = skew_kurt(x)[0] >= 0
        extreme = x.max() if high else x.min()
        at = x == extreme
        rest = x[~at]
        if not len(rest):
            break
        x[at] = rest.max() if high else rest.min()
        treated += int(at.sum())
        if not _outlying(x):
            return x, f"winsorised {treated}"
    raw = np.asarray(values, dtype=float)
    low, span = raw.min(), np.ptp(raw)
    return np.log(raw - low + 0.01 * span), "log"


def normalise(values: ArrayLike, method: str = "minmax") -> NDArray[np.float64]:
    """Indicator values mapped to 0-100 (higher = more risk) by ``method``.

    ``minmax``: ``100 · (x - min) / (max - min)``. ``rank``: percentile rank, ties averaged,
    ``100 · (rank - 1) / (n - 1)``. ``zscore``: ``50 + z · 50/3``, capped to 0-100. A constant
    indicator carries no information and maps to 0 everywhere.
    """
    if method not in NORMALISATIONS:
        raise ValueError(f'normalisation was "{method}", expected one of {NORMALISATIONS}')
    x = np.asarray(values, dtype=float)
    if len(x) == 0 or np.ptp(x) <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return np.zeros_like(x)
    if method == "minmax":
        return (x - x.min()) / np.ptp(x) * SCALE
    if method == "rank":
        return (stats.rankdata(x, method="average") - 1) / (len(x) - 1) * SCALE
    z = (x - x.mean()) / x.std()
    return np.clip(SCALE / 2 + z * SCALE / 2 / Z_SPAN, 0.0, SCALE)
