"""Fisher-Jenks natural breaks: exact, vectorised with numpy (no numba, no Python inner loop)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def fisher_jenks(values: ArrayLike, k: int = 5) -> NDArray[np.float64]:
    """Inclusive upper bounds of the ``k`` classes that minimise the within-class sum of squares.

    The same optimum as ``mapclassify.FisherJenks(values, k).bins``, found by dynamic
    programming over the sorted values: each of the ``k`` steps is one n × n array operation,
    so 500 values take a few milliseconds where mapclassify's pure-Python path takes 0.5 s.
    """
    x = np.sort(np.asarray(values, dtype=float))
    if k < 1 or len(x) < k:
        raise ValueError(f"natural breaks: {len(x)} values cannot make {k} classes")
    cost = _segment_costs(x - x.mean())
    ends = _optimal_ends(cost, k)
    return x[ends]


def _segment_costs(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``cost[i, j]``: sum of squared deviations of ``x[i..j]`` (inf where i > j)."""
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    i, j = np.ogrid[: len(x), : len(x)]
    size = (j - i + 1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = (s2[j + 1] - s2[i]) - (s1[j + 1] - s1[i]) ** 2 / size
    cost = np.maximum(cost, 0.0)  # rounding can leave -1e-13 on constant runs
    cost[i > j] = np.inf
    return cost


def _optimal_ends(cost: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """Index of the last value of each class in the optimal ``k``-class split."""
    n = len(cost)
    best = cost[0].copy()  # best[j]: least cost of x[0..j] in the classes so far
    starts = np.zeros((k, n), dtype=np.int64)
    for c in range(1, k):
        # total[i, j]: classes so far end at i - 1, class c spans x[i..j]
        total = np.full((n, n), np.inf)
        total[1:] = best[:-1, None] + cost[1:]
        starts[c] = np.argmin(total, axis=0)
        best = total[starts[c], np.arange(n)]
    ends = [n - 1]
    for c in range(k - 1, 0, -1):
        ends.append(starts[c][ends[-1]] - 1)
    return np.array(ends[::-1], dtype=np.int64)
