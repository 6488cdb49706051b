"""Indicator transforms: outlier treatment (COINr's rule) and normalisation to 0-100."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

SCALE = 100.0
NORMALISATIONS = ("minmax", "rank", "zscore")
#: COINr's defaults: treat where |skew| > 2 and kurtosis > 3.5, winsorising up to 5 points.
SKEW_LIMIT, KURT_LIMIT, WINSOR_MAX = 2.0, 3.5, 5
#: Treated indicator columns remembered by :func:`treat_outliers` (a few profiles' worth).
MEMO_SIZE = 64
_memo: OrderedDict[bytes, tuple[NDArray[np.float64], str]] = OrderedDict()
_memo_lock = threading.Lock()
#: z-scores are mapped to 0-100 as 50 + z · 50/3, so ±3 standard deviations span the scale.
Z_SPAN = 3.0


def skew_kurt(values: ArrayLike) -> tuple[float, float]:
    """Sample skewness and excess kurtosis (e1071/Excel "type 2", as COINr); NaN if undefined."""
    x = np.asarray(values, dtype=float)
    if len(x) < 4 or np.ptp(x) <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return float("nan"), float("nan")
    n, d = len(x), x - x.mean()
    m2, m3, m4 = (d * d).mean(), (d**3).mean(), (d**4).mean()
    # scipy.stats.skew/kurtosis with bias=False, without their per-call overhead (~1 ms)
    skew = m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
    kurt = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return float(skew), float(kurt)


def _outlying(x: NDArray) -> bool:
    skew, kurt = skew_kurt(x)
    return bool(abs(skew) > SKEW_LIMIT and kurt > KURT_LIMIT)


def treat_outliers(
    values: ArrayLike, *, max_points: int = WINSOR_MAX
) -> tuple[NDArray[np.float64], str]:
    """:func:`_treat_outliers`, remembered for the last indicator columns seen.

    Re-scoring with new weights, and each normalisation of the sensitivity analysis, treats
    the same columns again: they are found by a hash of their bytes, not recomputed.
    """
    x = np.ascontiguousarray(values, dtype=float)
    key = hashlib.blake2b(x.tobytes(), digest_size=16, key=str(max_points).encode()).digest()
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None:
            _memo.move_to_end(key)
    if hit is None:
        hit = _treat_outliers(x, max_points=max_points)
        with _memo_lock:
            _memo[key] = hit
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return hit[0].copy(), hit[1]


def _treat_outliers(
    values: ArrayLike, *, max_points: int = WINSOR_MAX
) -> tuple[NDArray[np.float64], str]:
    """Indicator values with outliers treated the COINr way, and what was done.

    Notes
    -----
    COINr (``Treat()``, defaults): an indicator is outlying when ``|skew| > 2`` and
    ``kurtosis > 3.5``. Such an indicator is winsorised one extreme at a time (the largest
    values take the next largest value, or the smallest the next smallest if the skew is
    negative) until it is no longer outlying; if that needs more than ``max_points`` points,
    the original values are log-transformed instead: ``ln(x - min + 0.01 · range)`` (also when
    winsorising would leave a single value, which would erase the indicator and could drop a
    commune from the top of the scale to the bottom when one of its values rises).
    Returns the treated values and ``"none"``, ``"winsorised N"`` or ``"log"``.
    """
    x = np.asarray(values, dtype=float).copy()
    if not _outlying(x):
        return x, "none"
    changed = np.zeros(len(x), dtype=bool)  # points moved so far: ties count once each
    while changed.sum() < max_points:
        high = skew_kurt(x)[0] >= 0
        extreme = x.max() if high else x.min()
        at = x == extreme
        rest = x[~at]
        if not len(rest) or rest.min() == rest.max():
            break  # winsorising would leave one value and erase the indicator: log instead
        x[at] = rest.max() if high else rest.min()
        changed |= at
        if changed.sum() > max_points:
            break  # more points than allowed would move: log instead
        if not _outlying(x):
            return x, f"winsorised {int(changed.sum())}"
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
