"""Indicator transforms: log for skewed values, upper winsorising, min-max to 0-10."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

SCALE = 10.0


def normalise(values: ArrayLike, *, skewed: bool, winsor_upper: float) -> NDArray[np.float64]:
    """Indicator values mapped to 0-10: log1p if skewed, capped at a quantile, then min-max.

    A constant indicator carries no information and maps to 0 everywhere.
    """
    x = np.asarray(values, dtype=float)
    if skewed:
        x = np.log1p(np.clip(x, 0, None))
    cap = np.quantile(x, winsor_upper) if len(x) else 0.0
    x = np.minimum(x, cap)
    low, high = (x.min(), x.max()) if len(x) else (0.0, 0.0)
    if high - low <= 1e-12 * max(1.0, abs(high)):
        return np.zeros_like(x)
    return (x - low) / (high - low) * SCALE
