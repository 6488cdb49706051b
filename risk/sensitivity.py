"""Uncertainty of the ranking: Monte Carlo over weights, counts and parameters together.

Rank intervals, top-k probabilities and whether a commune's class is uncertain come from
draws of the weights (Dirichlet), the repatriation counts (the smoothing posterior) and the
parameters (half-life, decay lengths, on a small grid); the normalisation choice is a
separate, labelled comparison (:func:`normalisation_comparison`), not part of the interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.parallel import Executor
from geo.progress import Progress, no_progress
from risk.indicators import INDICATORS, rate_draw
from risk.labels import classify
from risk.scoring import GEO_FLOOR, aggregate, normalised_matrix, rank
from risk.transforms import NORMALISATIONS, SCALE

#: Draws ranked per task: fixed, so that the blocks (and results) never depend on the executor.
BLOCK = 250
#: Parameter grid: half-life and decay lengths are multiplied by one of these in a data draw.
FACTORS = (0.75, 1.0, 1.25)
#: Data draws (counts and parameters); the weight draws cycle through them.
DATA_DRAWS = 40
#: Indicators that are rates of recorded people: their counts are drawn.
RATE_INDICATORS = tuple(n for n, s in INDICATORS.items() if s.layer == "repatriations")


@dataclass(frozen=True)
class DataSource:
    """What drawing the data needs beyond the indicator values (each part optional).

    ``grids`` maps an indicator to its values with its decay length multiplied by each of
    :data:`FACTORS` (computed once, from cached distances or the indicator cache).
    """

    repatriations: pd.DataFrame | None = None
    population: NDArray[np.float64] | None = None
    grids: Mapping[str, Mapping[float, NDArray[np.float64]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sensitivity:
    """Per commune: 5th and 95th percentile rank, and probability (0-1) of being in the top k."""

    rank_p05: NDArray[np.int64]
    rank_p95: NDArray[np.int64]
    p_top_k: NDArray[np.float64]
    k: int
    draws: int
    #: What was varied, e.g. ("weights", "counts", "parameters").
    sources: tuple[str, ...] = ("weights",)
    #: 5th and 95th percentile score (0-100) and whether they fall in different classes.
    score_p05: NDArray[np.float64] | None = None
    score_p95: NDArray[np.float64] | None = None
    class_uncertain: NDArray[np.bool_] | None = None
    data_draws: int = 1

    def summary(self) -> dict[str, object]:
        """JSON-ready description: sources, draws, the parameter grid, uncertain classes."""
        out: dict[str, object] = {
            "sources": list(self.sources),
            "draws": self.draws,
            "data_draws": self.data_draws,
            "parameter_factors": list(FACTORS) if "parameters" in self.sources else [],
            "k": self.k,
        }
        if self.class_uncertain is not None:
            out["class_uncertain_communes"] = int(self.class_uncertain.sum())
        return out


def weight_draws(
    weights: NDArray[np.float64], draws: int, concentration: float, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``draws`` × indicators weights from a Dirichlet centred on ``weights`` (each row sums to 1).

    The Dirichlet has parameters ``concentration · weights``: its mean is the profile's
    weights and each weight's standard deviation is about ``sqrt(w(1-w) / concentration)``
    (with 100, a weight of 0.2 moves by ± 0.04).
    """
    return rng.dirichlet(concentration * np.asarray(weights, dtype=float), size=draws)


def data_frames(
    indicators: pd.DataFrame,
    params: Mapping,
    source: DataSource,
    *,
    draws: int,
    rng: np.random.Generator,
) -> tuple[list[pd.DataFrame], tuple[str, ...]]:
    """Indicator frames with counts and parameters drawn, and which sources were varied.

    Per draw: ``border_proximity`` re-decayed exactly from its values (``exp(-d/fλ) =
    v^(1/f)``, no geometry), each indicator of ``source.grids`` taken at a factor ``f`` of
    :data:`FACTORS`, and each rate indicator drawn from the smoothing posterior of the counts
    with the half-life times such a factor. Nothing to vary: the frame alone.
    """
    reps, pop = source.repatriations, source.population
    rates = [n for n in indicators if n in RATE_INDICATORS]
    rates = rates if reps is not None and pop is not None and not reps.empty else []
    grids = {n: g for n, g in source.grids.items() if n in indicators}
    decays = "border_proximity" in indicators and indicators["border_proximity"].between(0, 1).all()
    if not (rates or grids or decays):
        return [indicators], ("weights",)
    codes = indicators.index.astype(str)
    frames = []
    for _ in range(draws):
        frame = indicators.copy()
        if decays:
            frame["border_proximity"] = frame["border_proximity"].clip(lower=0) ** (
                1 / rng.choice(FACTORS)
            )
        for name, grid in grids.items():
            frame[name] = grid[float(rng.choice(list(grid)))]
        drawn = {**params, "half_life_years": params["half_life_years"] * rng.choice(FACTORS)}
        for name in rates:
            frame[name] = rate_draw(name, reps, codes, pop, drawn, rng)
        frames.append(frame)
    return frames, ("weights", *(["counts"] if rates else []), "parameters")


def sensitivity(
    indicators: pd.DataFrame,
    weights: Mapping[str, float],
    params: Mapping,
    *,
    seed: int | None = 0,
    executor: Executor | None = None,
    source: DataSource | None = None,
    breaks: tuple[float, ...] | None = None,
    progress: Progress = no_progress,
) -> Sensitivity:
    """Rank intervals, top-k probabilities and uncertain classes under Monte Carlo draws.

    Parameters
    ----------
    indicators
        Raw indicator values of the weighted indicators, indexed by commune code.
    weights
        The weights used (> 0, summing to 1).
    params
        The profile's parameters: ``sensitivity_draws`` (≥ 1,000 recommended),
        ``sensitivity_concentration``, ``top_k``, ``aggregation``, ``normalisation``,
        outlier settings, ``half_life_years``.
    seed
        Seed of the random draws; the same seed gives the same intervals.
    executor
        Where blocks of :data:`BLOCK` draws are ranked (see :mod:`geo.parallel`); None ranks
        them here, one after another. The result does not depend on it.
    source
        Counts and parameter grids to draw (:func:`data_frames`); None varies weights only.
    breaks
        The run's class breaks: with them, ``class_uncertain`` says whether the 5th and 95th
        percentile scores fall in different classes.

    Notes
    -----
    :data:`DATA_DRAWS` frames of drawn data are normalised with the profile's method; draw
    ``i`` takes weights from a Dirichlet around the profile's weights and data frame
    ``i mod DATA_DRAWS``, scores every commune and ranks them (exact ties in a fixed order,
    see :func:`_ranks`). All draws are made here, up front, from ``seed``; they are cut into
    fixed blocks whatever the executor, so a Dask cluster and this process agree.
    """
    rng = np.random.default_rng(seed)
    names = list(weights)
    draws, k = int(params["sensitivity_draws"]), min(int(params["top_k"]), len(indicators))
    centre = np.array([weights[n] for n in names])
    w = weight_draws(centre, draws, float(params["sensitivity_concentration"]), rng)
    order = np.argsort(indicators.index.to_numpy(dtype=str), kind="stable")
    chosen = indicators[names].iloc[order]
    data_rng = np.random.default_rng(None if seed is None else [seed, 1])
    frames, sources = (
        ([chosen], ("weights",))
        if source is None
        else data_frames(chosen, params, source, draws=DATA_DRAWS, rng=data_rng)
    )
    matrices = _matrices(frames, params)
    ranks = _all_ranks(matrices, w, draws, len(order), executor, progress)
    back = np.argsort(order)
    low, high = np.quantile(ranks, [0.05, 0.95], axis=0, method="inverted_cdf")
    s05, s95 = _score_range(matrices, w, params["aggregation"])
    uncertain = None if breaks is None else classify(s05, breaks) != classify(s95, breaks)
    return Sensitivity(
        rank_p05=low.astype(np.int64)[back],
        rank_p95=high.astype(np.int64)[back],
        p_top_k=(ranks <= k).mean(axis=0)[back],
        k=k,
        draws=draws,
        sources=sources,
        score_p05=s05[back],
        score_p95=s95[back],
        class_uncertain=None if uncertain is None else uncertain[back],
        data_draws=len(frames),
    )


def _all_ranks(
    matrices, w, draws: int, n: int, executor: Executor | None, progress: Progress = no_progress
) -> NDArray[np.int32]:
    """Ranks of every commune in every draw, blocks of :data:`BLOCK` draws at a time."""
    tasks = [(matrices, w[a : a + BLOCK], a) for a in range(0, draws, BLOCK)]
    ranks = np.empty((draws, n), dtype=np.int32)
    progress("sensitivity draws", 0, draws)
    if executor is None:  # ranked straight into place: no copies
        for task in tasks:
            _rank_block(task, out=ranks[task[2] : task[2] + len(task[1])])
            progress("sensitivity draws", task[2] + len(task[1]), draws)
    else:
        for task, block in zip(tasks, executor.map(_rank_block, tasks), strict=True):
            ranks[task[2] : task[2] + len(block)] = block
            progress("sensitivity draws", task[2] + len(block), draws)
    return ranks


def _score_range(
    matrices: NDArray[np.float64], w: NDArray[np.float64], aggregation: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """5th and 95th percentile score (0-100) of every commune over the draws."""
    methods = np.arange(len(w)) % len(matrices)
    scores = np.empty((len(w), matrices.shape[1]), dtype=np.float32)
    for m, matrix in enumerate(matrices):
        rows = np.flatnonzero(methods == m)
        scores[rows] = w[rows] @ matrix.T
    if aggregation == "geometric":  # the matrices hold ln(1 + 0.99·x)
        scores = np.expm1(scores) / ((SCALE - GEO_FLOOR) / SCALE)
    low, high = np.quantile(scores, [0.05, 0.95], axis=0)
    return low.astype(float), high.astype(float)


def normalisation_comparison(
    indicators: pd.DataFrame, weights: Mapping[str, float], params: Mapping
) -> dict[str, dict[str, float]]:
    """How the ranking moves with another normalisation (a method choice, not uncertainty).

    For each of min-max, rank and z-score, with the profile's weights: the share of the
    profile's top k also in that method's top k, and the largest and median rank shift of the
    profile's top k. Reported beside the rank interval, never inside it.
    """
    names = list(weights)
    w = np.array([weights[n] for n in names])
    codes = indicators.index.to_numpy(dtype=str)
    k = min(int(params["top_k"]), len(indicators))
    ranks = {}
    for method in NORMALISATIONS:
        matrix, _ = normalised_matrix(indicators[names], params, method=method)
        total, _ = aggregate(matrix, w, params["aggregation"])
        ranks[method] = rank(total, codes)
    base = ranks[params["normalisation"]]
    top = base <= k
    out = {}
    for method, r in ranks.items():
        shift = np.abs(r[top] - base[top])
        out[method] = {
            "top_k_overlap": round(float((r[top] <= k).mean()), 4),
            "max_rank_shift_top_k": int(shift.max()) if len(shift) else 0,
            "median_rank_shift_top_k": float(np.median(shift)) if len(shift) else 0.0,
        }
    return out


def _matrices(frames: list[pd.DataFrame], params: Mapping) -> NDArray[np.float64]:
    """Normalised indicators, one communes × indicators matrix per data frame, stacked."""
    out = []
    for frame in frames:
        matrix, _ = normalised_matrix(frame, params)
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
