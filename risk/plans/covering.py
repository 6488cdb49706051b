"""Covering and budget selection maths behind the patrol and outreach plans (array cores).

Pure functions over arrays: risk weights, a candidates × demand coverage matrix, costs.
:mod:`risk.plans.patrol` and :mod:`risk.plans.outreach` build those arrays from a stored run
and the workspace's layers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.progress import reported
from risk.errors import PlanError
from risk.scoring import aggregate, normalised_matrix
from risk.sensitivity import weight_draws

METHODS = ("greedy", "exact")
#: Largest candidates × demand matrix the exact solver is asked to handle.
EXACT_LIMIT = 1_000_000
#: Largest matrix the exact optimum is solved beside a greedy plan, to report the gap: about
#: 0.1 s with HiGHS (480 communes × 500 candidates, measured on 2 shared cores).
EXACT_CHEAP = 250_000
#: Work allowed for exact re-plans of weight draws, in candidate-commune pairs summed over the
#: draws re-planned (a few seconds: one exact solve took 25-130 ms for 8,000-48,000 pairs on the
#: real provinces, 2 shared cores); a solve costs its pairs plus ``SOLVE_OVERHEAD``.
EXACT_DRAWS_CHEAP = 1_500_000
SOLVE_OVERHEAD = 10_000
#: Work allowed for exact knapsack re-selections of draws, in communes summed over the draws
#: (a knapsack of 95 communes took 25 ms, of 205 communes 80 ms, of 480 communes 140 ms).
KNAPSACK_DRAWS_CHEAP = 6_000
#: Fewer exact re-plans than this say too little: the draws are re-planned greedily instead.
MIN_EXACT_DRAWS = 20
#: Greedy maximal covering is within (1 - 1/e) of the optimum (Nemhauser, Wolsey & Fisher 1978).
GREEDY_BOUND = 1 - 1 / math.e


@dataclass(frozen=True)
class Cover:
    """Chosen candidates (in pick order), what they cover, and each one's added risk."""

    chosen: tuple[int, ...]
    covered: NDArray[np.bool_]
    gains: tuple[float, ...]
    covered_weight: float
    total_weight: float
    method: str

    @property
    def covered_share(self) -> float:
        """Share of the total risk covered (0-1)."""
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0


def max_cover(weights: ArrayLike, coverage: ArrayLike, k: int, *, method: str = "greedy") -> Cover:
    """Choose ``k`` candidates (rows of ``coverage``) covering the most demand ``weights``.

    Parameters
    ----------
    weights
        Risk of each demand point (commune), >= 0.
    coverage
        Boolean matrix, candidates × demand: True where the candidate covers the demand point.
    k
        Number of candidates to choose, 1 .. number of candidates.
    method
        "greedy" (within 1 - 1/e of the optimum) or "exact" (integer programme, HiGHS).
    """
    w, cover = _check_cover(weights, coverage, k, method)
    chosen = _greedy(w, cover, k) if method == "greedy" else _exact(w, cover, k)
    return _cover_result(w, cover, chosen, method)


def _check_cover(weights, coverage, k, method) -> tuple[NDArray, NDArray]:
    w = np.asarray(weights, dtype=float)
    cover = np.asarray(coverage, dtype=bool)
    if method not in METHODS:
        raise PlanError(f'method was "{method}" but is expected to be one of {METHODS}')
    if cover.ndim != 2 or cover.shape[1] != len(w):
        raise PlanError(f"coverage has shape {cover.shape}, expected (candidates, {len(w)})")
    if cover.shape[0] == 0:
        raise PlanError("there are no candidate sites to choose from")
    if not 1 <= k <= cover.shape[0]:
        raise PlanError(
            f"k is {k}, expected a whole number from 1 to {cover.shape[0]} "
            "(the number of candidate sites)"
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise PlanError("risk weights must be finite numbers >= 0")
    if method == "exact" and cover.size > EXACT_LIMIT:
        raise PlanError(
            f"the exact solver is limited to {EXACT_LIMIT:,} candidate-commune "
            f"pairs (this plan has {cover.size:,}); use the greedy method"
        )
    return w, cover


def _greedy(w: NDArray, cover: NDArray, k: int, dense: NDArray | None = None) -> list[int]:
    """Greedy k-cover; ``dense`` is ``cover`` as floats, when the caller already has it."""
    remaining = w.copy()
    chosen: list[int] = []
    for _ in range(k):
        gains = (cover if dense is None else dense) @ remaining
        gains[chosen] = -1.0
        best = int(np.argmax(gains))  # ties: lowest index, so plans are reproducible
        chosen.append(best)
        remaining[cover[best]] = 0.0
    return chosen


def _exact(w: NDArray, cover: NDArray, k: int) -> list[int]:
    """Optimal maximal covering as an integer programme (HiGHS through scipy).

    Variables: x_j (site j chosen, binary) then y_i (demand i covered, 0-1); maximise Σ w_i y_i
    subject to Σ x_j = k and y_i <= Σ_{j covers i} x_j. Demand points no candidate reaches, or
    of weight 0, cannot change the optimum and are left out of the programme.
    """
    keep = cover.any(axis=0) & (w > 0)
    if not keep.any():
        return list(range(k))  # nothing to cover: every choice is optimal, keep the first k
    w, cover = w[keep], cover[:, keep]
    n_cand, n_dem = cover.shape
    objective = np.concatenate([np.zeros(n_cand), -w])
    pick_k = LinearConstraint(np.concatenate([np.ones(n_cand), np.zeros(n_dem)])[None, :], k, k)
    link_matrix = sparse.hstack(
        [-sparse.csr_array(cover.T.astype(float)), sparse.identity(n_dem, format="csr")]
    )
    link = LinearConstraint(link_matrix.tocsr(), -np.inf, 0)
    integrality = np.concatenate([np.ones(n_cand), np.zeros(n_dem)])
    result = milp(
        objective, constraints=[pick_k, link], integrality=integrality, bounds=Bounds(0, 1)
    )
    if not result.success:
        raise PlanError(f"the exact solver stopped: {result.message}")
    picked = [int(j) for j in np.flatnonzero(result.x[:n_cand] > 0.5)]
    return _order_by_gain(w, cover, picked)


def exact_size(weights: ArrayLike, coverage: ArrayLike) -> int:
    """Size of the exact programme: candidates × demand points reached with weight > 0."""
    cover = np.asarray(coverage, dtype=bool)
    reached = cover.any(axis=0) & (np.asarray(weights, dtype=float) > 0)
    return int(cover.shape[0] * reached.sum())


def _order_by_gain(w: NDArray, cover: NDArray, picked: list[int]) -> list[int]:
    """Order a chosen set so each next site adds the most (for readable contributions)."""
    sub = cover[picked]
    order = _greedy(w, sub, len(picked))
    return [picked[i] for i in order]


def _cover_result(w: NDArray, cover: NDArray, chosen: list[int], method: str) -> Cover:
    covered = np.zeros(len(w), dtype=bool)
    gains = []
    for j in chosen:
        gains.append(float(w[cover[j] & ~covered].sum()))
        covered |= cover[j]
    return Cover(
        tuple(chosen), covered, tuple(gains), float(w[covered].sum()), float(w.sum()), method
    )


def exact_share(weights: ArrayLike, coverage: ArrayLike, k: int) -> float | None:
    """Share (0-1) of the demand the best ``k`` candidates cover; None when it is not cheap."""
    cover = np.asarray(coverage, dtype=bool)
    if exact_size(weights, cover) > EXACT_CHEAP:
        return None
    return max_cover(weights, cover, k, method="exact").covered_share


def gap_to_exact(exact: float | None, covered_share: float) -> float | None:
    """Share points (0-1) the plan stays below the optimum (>= 0; solver tolerance clipped)."""
    return None if exact is None else max(0.0, round(exact - covered_share, 9))


def coverage_within(distance_km: ArrayLike, radius_km: float) -> NDArray[np.bool_]:
    """Coverage matrix from a candidates × demand distance (or travel-time) matrix."""
    if not (radius_km > 0 and math.isfinite(radius_km)):
        raise PlanError(f"radius is {radius_km} km, expected a number > 0")
    return np.asarray(distance_km, dtype=float) <= radius_km


@dataclass(frozen=True)
class BudgetSelection:
    """Communes chosen under a budget: indices, total cost and value, what one more unit adds.

    ``marginal_value`` is the value ``budget + marginal_unit`` would add (``marginal_unit``: the
    cheapest commune's cost unless given, in the budget's unit).
    """

    chosen: tuple[int, ...]
    cost: float
    value: float
    total_value: float
    marginal_value: float
    marginal_unit: float = 1.0

    @property
    def covered_share(self) -> float:
        """Share of the total value reached (0-1)."""
        return self.value / self.total_value if self.total_value > 0 else 0.0


def select_under_budget(
    values: ArrayLike,
    costs: ArrayLike,
    budget: float,
    *,
    groups: ArrayLike | None = None,
    unit: float | None = None,
) -> BudgetSelection:
    """Communes maximising total ``values`` with total ``costs`` <= ``budget`` (0/1 knapsack).

    Solved exactly as an integer programme (HiGHS). With ``groups`` (e.g. district names), at
    least one commune of every group is chosen. ``marginal_value`` is what ``budget + unit``
    would add; ``unit`` defaults to the cheapest commune's cost (one unit of the budget is
    almost always too little to buy anything).
    """
    v, c = _check_budget(values, costs, budget)
    unit = float(c.min()) if unit is None else float(unit)
    chosen = _knapsack(v, c, budget, groups)
    more = _knapsack(v, c, budget + unit, groups)
    value = float(v[chosen].sum())
    gain = max(0.0, float(v[more].sum()) - value)
    return BudgetSelection(tuple(chosen), float(c[chosen].sum()), value, float(v.sum()), gain, unit)


def _check_budget(values, costs, budget) -> tuple[NDArray, NDArray]:
    v = np.asarray(values, dtype=float)
    c = np.asarray(costs, dtype=float)
    if len(v) == 0:
        raise PlanError("there are no communes to choose from")
    if not np.isfinite(c).all() or (c <= 0).any():
        raise PlanError("every commune needs a cost > 0")
    if not np.isfinite(v).all() or (v < 0).any():
        raise PlanError("commune values must be finite numbers >= 0")
    if not budget >= c.min():
        raise PlanError(f"budget {budget:g} is below the cheapest commune ({c.min():g})")
    return v, c


def _knapsack(v: NDArray, c: NDArray, budget: float, groups) -> list[int]:
    """Optimal 0/1 knapsack, optionally with one item per group (HiGHS through scipy)."""
    rows, low, high = [c], [-np.inf], [budget]
    if groups is not None:
        labels = np.asarray(groups)
        for label in sorted(set(labels.tolist())):
            rows.append((labels == label).astype(float))
            low.append(1)
            high.append(np.inf)
    result = milp(
        -v,
        constraints=[LinearConstraint(np.vstack(rows), low, high)],
        integrality=np.ones(len(v)),
        bounds=Bounds(0, 1),
    )
    if not result.success:
        raise PlanError(
            "no selection fits the budget with one commune per district; "
            "raise the budget or drop the per-district rule"
        )
    return [int(i) for i in np.flatnonzero(result.x > 0.5)]


def explore(
    costs: ArrayLike, chosen: tuple[int, ...], budget: float, rng: np.random.Generator
) -> list[int]:
    """Communes outside ``chosen``, in random order, added while they fit in ``budget``.

    Spending a small share of a budget where the score would not go keeps recorded events from
    coming only from the places already watched.
    """
    c = np.asarray(costs, dtype=float)
    picked, left = [], budget
    for i in rng.permutation(len(c)):
        if int(i) not in chosen and c[i] <= left:
            picked.append(int(i))
            left -= c[i]
    return picked


def selection_frequency(
    draws: NDArray[np.float64], plan: Callable[[NDArray], tuple[int, ...]], chosen: tuple[int, ...]
) -> NDArray[np.float64]:
    """Share (0-1) of score draws (rows) whose plan also picks each of ``chosen``."""
    hits = np.zeros(len(chosen))
    report = reported()  # a bar on a terminal when the CLI asks for one (geo.progress.reporting)
    for done, scores in enumerate(draws, 1):
        picked = set(plan(scores))
        hits += [j in picked for j in chosen]
        report("weight draws re-planned", done, len(draws))
    return hits / max(len(draws), 1)


def score_draws(
    raw: pd.DataFrame,
    weights: Mapping[str, float],
    params: Mapping[str, Any],
    *,
    draws: int,
    seed: int = 0,
) -> NDArray[np.float64]:
    """``draws`` × communes scores (0-100) under weights drawn around ``weights``.

    ``raw`` holds the raw indicators (columns named as ``weights``), normalised as the profile
    does; weights come from :func:`risk.sensitivity.weight_draws` with the profile's
    ``sensitivity_concentration``.
    """
    names = list(weights)
    norm, _ = normalised_matrix(raw[names], params)
    centre = np.array([weights[n] for n in names], dtype=float)
    concentration = float(params.get("sensitivity_concentration", 100.0))
    w = weight_draws(centre, draws, concentration, np.random.default_rng(seed))
    method = params.get("aggregation", "arithmetic")
    if method == "arithmetic":
        return w @ norm.T
    return np.stack([aggregate(norm, row, method)[0] for row in w])


def cover_frequency(
    draws: NDArray[np.float64],
    coverage: ArrayLike,
    k: int,
    chosen: tuple[int, ...],
    *,
    method: str = "greedy",
) -> NDArray[np.float64]:
    """Share (0-1) of demand draws (rows) whose ``k``-cover by ``method`` also picks ``chosen``."""
    cover = np.asarray(coverage, dtype=bool)
    if method == "exact":
        return selection_frequency(draws, lambda s: tuple(_exact(s, cover, k)), chosen)
    dense = cover.astype(float)
    return selection_frequency(draws, lambda s: tuple(_greedy(s, cover, k, dense)), chosen)


def replan_draws(method: str, draws: int, size: int, *, budget: bool = False) -> tuple[str, int]:
    """How draws are re-planned, and how many: by the plan's own method when cheap.

    Exact plans are re-planned exactly over the first draws that fit the work allowed
    (:data:`EXACT_DRAWS_CHEAP` for covers of ``size`` pairs, :data:`KNAPSACK_DRAWS_CHEAP` for
    knapsacks of ``size`` communes), at least :data:`MIN_EXACT_DRAWS` of them; otherwise every
    draw is re-planned greedily.
    """
    if method != "exact" or draws == 0:
        return method, draws
    per_draw = size if budget else size + SOLVE_OVERHEAD
    fits = (KNAPSACK_DRAWS_CHEAP if budget else EXACT_DRAWS_CHEAP) // max(per_draw, 1)
    if fits >= min(draws, MIN_EXACT_DRAWS):
        return "exact", int(min(draws, fits))
    return "greedy", draws


def budget_frequency(
    value_draws: NDArray[np.float64],
    costs: ArrayLike,
    budget: float,
    chosen: tuple[int, ...],
    *,
    groups: ArrayLike | None = None,
    method: str = "greedy",
) -> NDArray[np.float64]:
    """Share (0-1) of value draws (rows) whose budget choice also picks each of ``chosen``.

    Each draw is re-planned greedily by value per unit of cost (one commune per group first,
    when ``groups`` is given), or with ``method="exact"`` by the exact knapsack the plan uses
    (see :func:`replan_method` for when that is cheap).
    """
    c = np.asarray(costs, dtype=float)
    labels = None if groups is None else np.asarray(groups)
    if method == "exact":
        return selection_frequency(
            value_draws, lambda v: tuple(_knapsack(v, c, budget, groups)), chosen
        )
    return selection_frequency(value_draws, lambda v: _greedy_budget(v, c, budget, labels), chosen)


def _greedy_budget(v: NDArray, c: NDArray, budget: float, groups: NDArray | None) -> tuple:
    order = np.argsort(-v / c, kind="stable")
    picked, left = [], budget
    if groups is not None:
        for label in np.unique(groups):
            best = order[groups[order] == label]
            best = best[c[best] <= left]
            if len(best):
                picked.append(int(best[0]))
                left -= c[best[0]]
    for i in order:
        if c[i] <= left and int(i) not in picked:
            picked.append(int(i))
            left -= c[i]
    return tuple(picked)
