"""Weight and method sensitivity: Monte Carlo rank intervals and top-k probabilities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.parallel import Executor
from geo.progress import Progress, no_progress
from risk.scoring import GEO_FLOOR, normalised_matrix
from risk.transforms import NORMALISATIONS, SCALE

#: Draws ranked per task: fixed, so that the blocks (and results) never depend on the executor.
BLOCK = 250


@dataclass(frozen=True)
class Sensitivity:
    """Per commune: 5th and 95th percentile rank, and probability (0-1) of being in the top k."""

    rank_p05: NDArray[np.int64]
    rank_p95: NDArray[np.int64]
    p_top_k: NDArray[np.float64]
    k: int
    draws: int


def weight_draws(
    weights: NDArray[np.float64], draws: int, concentration: float, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``draws`` × indicators weights from a Dirichlet centred on ``weights`` (each row sums to 1).

    The Dirichlet has parameters ``concentration · weights``: its mean is the profile's
    weights and each weight's standard deviation is about ``sqrt(w(1-w) / concentration)``
    (with 100, a weight of 0.2 moves by ± 0.04).
    """
    return rng.dirichlet(concentration * np.asarray(weights, dtype=float), size=draws)


def sensitivity(
    indicators: pd.DataFrame,
    weights: Mapping[str, float],
    params: Mapping,
    *,
    seed: int | None = 0,
    executor: Executor | None = None,
    progress: Progress = no_progress,
) -> Sensitivity:
    """Rank intervals and top-k probabilities under Monte Carlo weights and normalisations.

    Parameters
    ----------
    indicators
        Raw indicator values of the weighted indicators, indexed by commune code.
    weights
        The weights used (> 0, summing to 1).
    params
        The profile's parameters: ``sensitivity_draws`` (≥ 1,000 recommended),
        ``sensitivity_concentration``, ``top_k``, ``aggregation``, outlier settings.
    seed
        Seed of the random draws; the same seed gives the same intervals.
    executor
        Where blocks of :data:`BLOCK` draws are ranked (see :mod:`geo.parallel`); None ranks
        them here, one after another. The result does not depend on it.

    Notes
    -----
    Each draw takes weights from a Dirichlet around the profile's weights and one of the
    normalisations (min-max, rank, z-score, in turn), scores every commune and ranks them
    (exact ties in a fixed order, see :func:`_ranks`). All weights are drawn here, up front,
    from ``seed``; the draws are then cut into fixed blocks whatever the executor, each block
    is scored and ranked on its own, and the quantiles and top-k shares are taken over the
    ranks of all blocks. So a Dask cluster and this process give identical results.
    """
    rng = np.random.default_rng(seed)
    names = list(weights)
    draws, k = int(params["sensitivity_draws"]), min(int(params["top_k"]), len(indicators))
    centre = np.array([weights[n] for n in names])
    w = weight_draws(centre, draws, float(params["sensitivity_concentration"]), rng)
    order = np.argsort(indicators.index.to_numpy(dtype=str), kind="stable")
    matrices = _matrices(indicators[names].iloc[order], params)
    tasks = [(matrices, w[a : a + BLOCK], a) for a in range(0, draws, BLOCK)]
    ranks = np.empty((draws, len(order)), dtype=np.int32)
    progress("sensitivity draws", 0, draws)
    if executor is None:  # ranked straight into place: no copies
        for task in tasks:
            _rank_block(task, out=ranks[task[2] : task[2] + len(task[1])])
            progress("sensitivity draws", task[2] + len(task[1]), draws)
    else:
        for task, block in zip(tasks, executor.map(_rank_block, tasks), strict=True):
            ranks[task[2] : task[2] + len(block)] = block
            progress("sensitivity draws", task[2] + len(block), draws)
    back = np.argsort(order)
    low, high = np.quantile(ranks, [0.05, 0.95], axis=0, method="inverted_cdf")
    return Sensitivity(
        rank_p05=low.astype(np.int64)[back],
        rank_p95=high.astype(np.int64)[back],
        p_top_k=(ranks <= k).mean(axis=0)[back],
        k=k,
        draws=draws,
    )


def _matrices(frame: pd.DataFrame, params: Mapping) -> NDArray[np.float64]:
    """Normalised indicators, one communes × indicators matrix per normalisation, stacked."""
    out = []
    for method in NORMALISATIONS:
        matrix, _ = normalised_matrix(frame, params, method=method)
        if params["aggregation"] == "geometric":  # ranks follow Σ w·ln(1 + 0.99·x)
            matrix = np.log(GEO_FLOOR + (SCALE - GEO_FLOOR) / SCALE * matrix)
        out.append(matrix)
    return np.stack(out)


def _rank_block(
    task: tuple[NDArray, NDArray, int], out: NDArray[np.int32] | None = None
) -> NDArray[np.int32]:
    """Ranks of every commune under a block of weight draws starting at draw ``first``."""
    matrices, w, first = task
    scores = np.empty((len(w), matrices.shape[1]), dtype=np.float32)  # halves the sort time
    methods = (first + np.arange(len(w))) % len(matrices)
    for m, matrix in enumerate(matrices):
        rows = np.flatnonzero(methods == m)
        scores[rows] = w[rows] @ matrix.T
    return _ranks(scores, out=out)


def _ranks(scores: NDArray[np.float32], out: NDArray[np.int32] | None = None) -> NDArray[np.int32]:
    """Rank (1 = highest) of every column in every row.

    Exact ties (communes with identical indicators) are broken by numpy's introsort: in an
    arbitrary but reproducible order. A stable sort would break them by code, at twice the cost.
    """
    order = np.argsort(-scores, axis=1)
    ranks = np.empty(order.shape, dtype=np.int32) if out is None else out
    positions = np.broadcast_to(np.arange(1, scores.shape[1] + 1, dtype=np.int32), order.shape)
    np.put_along_axis(ranks, order, positions, axis=1)
    return ranks
