"""Outreach plans: the communes a budget reaches with the most risk-weighted vulnerable people.

:func:`plan_outreach` is the core (a run and commune polygons in, a :class:`Plan` out);
:func:`outreach_plan` is its adapter that reads them from a workspace. The budget selection
maths is :mod:`risk.plans.covering`.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_metric
from geo.workspace import Workspace
from risk.errors import PlanError
from risk.plans.covering import budget_frequency, explore, select_under_budget
from risk.plans.draws import draw_frequencies, draws_note
from risk.plans.records import Plan, demand_points, plan_sites
from risk.plans.requests import OutreachRequest, bounds
from risk.plans.scope import province_communes
from risk.runs import ScoreRun
from risk.store import load_run

_DEFAULT = OutreachRequest()
_EXPLORE = bounds(OutreachRequest, "explore_share")


def outreach_plan(
    ws: Workspace,
    profile: str,
    *,
    budget: float,
    fixed_cost: float = _DEFAULT.fixed_cost,
    cost_per_1000: float = _DEFAULT.cost_per_1000,
    cost_column: str | None = None,
    per_district: bool = _DEFAULT.per_district,
    explore_share: float = _DEFAULT.explore_share,
    seed: int = _DEFAULT.seed,
    run_id: str | None = None,
    draws: int = _DEFAULT.draws,
    province: str | None = None,
) -> Plan:
    """The outreach plan of ``profile``'s run (default: latest) over the communes of ``ws``.

    Reads the run and the communes layer, then calls :func:`plan_outreach`.
    """
    _check_explore(explore_share)
    run = load_run(ws, profile, run_id)
    return plan_outreach(
        run,
        to_metric(ws.read_layer("communes")),
        budget=budget,
        fixed_cost=fixed_cost,
        cost_per_1000=cost_per_1000,
        cost_column=cost_column,
        per_district=per_district,
        explore_share=explore_share,
        seed=seed,
        draws=draws,
        province=province,
    )


def plan_outreach(
    run: ScoreRun,
    communes: gpd.GeoDataFrame,
    *,
    budget: float,
    fixed_cost: float = _DEFAULT.fixed_cost,
    cost_per_1000: float = _DEFAULT.cost_per_1000,
    cost_column: str | None = None,
    per_district: bool = _DEFAULT.per_district,
    explore_share: float = _DEFAULT.explore_share,
    seed: int = _DEFAULT.seed,
    draws: int = _DEFAULT.draws,
    province: str | None = None,
) -> Plan:
    """Communes (metric CRS) whose outreach, within ``budget``, reaches the most people at risk.

    A commune's value is score/100 × population × vulnerability share (population alone when the
    run has no vulnerability indicator); its cost is ``cost_column`` of the communes layer, else
    ``fixed_cost + cost_per_1000 × population / 1000`` (in the budget's unit). With
    ``explore_share`` > 0, that share of the budget goes to communes drawn at random (``seed``)
    among those the score did not pick, marked ``kind="exploration"``. Each scored commune's
    ``frequency`` is the share of ``draws`` weight draws whose (greedy) selection also picks it.
    With ``province``, only its communes are considered.
    """
    _check_explore(explore_share)
    demand = demand_points(province_communes(communes, province), run)
    values, notes = _outreach_values(demand, demand["score"].to_numpy(dtype=float))
    costs = _costs(demand, cost_column, fixed_cost, cost_per_1000)
    groups = demand["district_name"].to_numpy() if per_district else None
    spend = budget * (1 - explore_share)
    sel = select_under_budget(values, costs, spend, groups=groups)
    freq = draw_frequencies(
        draws,
        lambda d: budget_frequency(
            _outreach_values(demand, d)[0], costs, spend, sel.chosen, groups=groups
        ),
        run,
        demand,
        seed,
    )
    chosen = plan_sites(demand, sel.chosen, values[list(sel.chosen)], sel.total_value, freq)
    chosen.sort(key=lambda s: -s.added)
    rng = np.random.default_rng(seed)
    extra = explore(costs, sel.chosen, budget - sel.cost, rng) if explore_share > 0 else []
    explored = plan_sites(demand, extra, values[extra], sel.total_value, None)
    cost = cost_column or f"{fixed_cost:g} + {cost_per_1000:g} per 1,000 people"
    params = {"budget": budget, "per_district": per_district, "explore_share": explore_share}
    return Plan(
        "outreach",
        run.record.run_id,
        run.record.profile,
        params | {"cost": cost, "draws": draws, "seed": seed},
        chosen + [replace(s, kind="exploration") for s in explored],
        sel.value + float(values[extra].sum()),
        sel.total_value,
        cost=sel.cost + float(costs[extra].sum()),
        marginal_value=sel.marginal_value,
        notes=notes + _greedy_gap(draws, values, costs, spend, sel.chosen, groups),
    )


def _check_explore(share: float) -> None:
    if not _EXPLORE["ge"] <= share <= _EXPLORE["le"]:
        raise PlanError(
            f"exploration share is {share}, expected {_EXPLORE['ge']:g} to {_EXPLORE['le']:g}"
        )


def _greedy_gap(draws: int, values, costs, spend: float, chosen, groups) -> list[str]:
    """The frequency note, saying how far a greedy re-selection is from the exact one."""
    if not draws:
        return []
    kept = int(budget_frequency(values[None, :], costs, spend, chosen, groups=groups).sum())
    note = draws_note(draws, "greedy re-selections (by value per cost)")
    if kept < len(chosen):
        note += (
            f"; at the profile's own weights the greedy re-selection keeps {kept} of the "
            f"{len(chosen)} communes the exact selection chose, so frequencies read low"
        )
    return [note]


def _outreach_values(demand: gpd.GeoDataFrame, scores: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Score/100 × people × vulnerable share per commune (``scores``: communes, or × draws)."""
    people = demand["population"].to_numpy(dtype=float)
    if "raw_vulnerability" in demand:
        vulnerable = demand["raw_vulnerability"].to_numpy(dtype=float)
        return scores / 100 * people * vulnerable, []
    note = "the run has no vulnerability indicator: value is score × population"
    return scores / 100 * people, [note]


def _costs(demand, column, fixed, per_1000) -> np.ndarray:
    """Cost of reaching each commune: ``column`` of the layer, else fixed + per 1,000 people."""
    if column is None:
        with np.errstate(over="ignore"):
            costs = fixed + per_1000 * demand["population"].to_numpy(dtype=float) / 1000
        if not (np.isfinite(costs).all() and fixed >= 0 and per_1000 >= 0):
            raise PlanError(
                f"costs of {fixed:g} per commune + {per_1000:g} per 1,000 people are not "
                "finite numbers >= 0"
            )
        return costs
    if column not in demand:
        raise PlanError(f'the communes layer has no cost column "{column}"')
    costs = pd.to_numeric(demand[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(costs) | (costs <= 0)
    if bad.any():
        raise PlanError(
            f"commune {demand['commune_code'].iloc[bad.argmax()]}: cost "
            f'"{demand[column].iloc[bad.argmax()]}" in column "{column}" is not a '
            "number > 0"
        )
    return costs
