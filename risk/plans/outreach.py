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
from risk.demand import demand_weights
from risk.errors import PlanError
from risk.plans.covering import budget_frequency, explore, replan_draws, select_under_budget
from risk.plans.draws import draw_frequencies, draws_note
from risk.plans.records import Plan, demand_points, plan_sites
from risk.plans.requests import DEMAND_RULES, OutreachRequest, bounds
from risk.plans.scope import province_communes
from risk.runs import ScoreRun
from risk.store import load_run

_DEFAULT = OutreachRequest()
_EXPLORE = bounds(OutreachRequest, "explore_share")
#: Rules that make sense for reaching people: the area rule does not (km² are not people).
OUTREACH_RULES = tuple(r for r in DEMAND_RULES if r != "score_area")


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
    demand: str = _DEFAULT.demand,
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
        demand=demand,
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
    demand: str = _DEFAULT.demand,
    seed: int = _DEFAULT.seed,
    draws: int = _DEFAULT.draws,
    province: str | None = None,
) -> Plan:
    """Communes (metric CRS) whose outreach, within ``budget``, reaches the most people at risk.

    A commune's value is its ``demand`` (:mod:`risk.demand`)/100 × population (rule
    ``expected_events``: the expected people themselves). Vulnerability counts once: through
    the score when the profile weighs it, else as a factor (vulnerable share). Its cost is
    ``cost_column`` of the communes layer, else ``fixed_cost + cost_per_1000 × population /
    1000`` (in the budget's unit). With ``explore_share`` > 0, that share of the budget goes
    to communes drawn at random (``seed``) among those the score did not pick, marked
    ``kind="exploration"``. Each scored commune's ``frequency`` is the share of ``draws``
    weight draws whose selection (exact when cheap, else greedy by value per cost) also picks
    it. ``marginal_value`` is what one more ``marginal_unit`` (the cheapest commune's cost) of
    budget would add. With ``province``, only its communes are considered.
    """
    _check_explore(explore_share)
    _check_demand(demand)
    rule = demand
    demand = demand_points(province_communes(communes, province), run)
    weighs = float(run.record.weights.get("vulnerability", 0.0)) > 0
    values, notes = _outreach_values(demand, demand["score"].to_numpy(dtype=float), rule, weighs)
    costs = _costs(demand, cost_column, fixed_cost, cost_per_1000)
    groups = demand["district_name"].to_numpy() if per_district else None
    spend = budget * (1 - explore_share)
    sel = select_under_budget(values, costs, spend, groups=groups)
    replan = replan_draws("exact", draws, len(values), budget=True)
    freq = draw_frequencies(
        draws,
        lambda d: budget_frequency(
            np.stack([_outreach_values(demand, row, rule, weighs)[0] for row in d[: replan[1]]]),
            costs,
            spend,
            sel.chosen,
            groups=groups,
            method=replan[0],
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
    params |= {"demand": rule}
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
        notes=notes + _draws_notes(draws, replan, values, costs, spend, sel.chosen, groups),
        marginal_unit=sel.marginal_unit,
        exact_covered_share=sel.covered_share,
        gap_to_exact=0.0,
    )


def _check_explore(share: float) -> None:
    if not _EXPLORE["ge"] <= share <= _EXPLORE["le"]:
        raise PlanError(
            f"exploration share is {share}, expected {_EXPLORE['ge']:g} to {_EXPLORE['le']:g}"
        )


def _check_demand(rule: str) -> None:
    if rule not in OUTREACH_RULES:
        raise PlanError(
            f'demand rule "{rule}" does not fit outreach, which reaches people; expected one '
            f"of {', '.join(OUTREACH_RULES)}"
        )


def _draws_notes(draws: int, replan, values, costs, spend, chosen, groups) -> list[str]:
    """The frequency note; for greedy re-selections, how far they are from the exact one."""
    if not draws:
        return []
    how, n = replan
    if how == "exact":
        note = draws_note(n, "exact re-selections (the plan's own knapsack)")
        more = f" (the first {n} of {draws} draws: exact re-selections of all are not cheap)"
        return [note + (more if n < draws else "")]
    kept = int(budget_frequency(values[None, :], costs, spend, chosen, groups=groups).sum())
    note = draws_note(draws, "greedy re-selections (by value per cost)")
    if kept < len(chosen):
        note += (
            f"; at the profile's own weights the greedy re-selection keeps {kept} of the "
            f"{len(chosen)} communes the exact selection chose, so frequencies read low"
        )
    return [note]


def _outreach_values(
    demand: gpd.GeoDataFrame, scores: np.ndarray, rule: str, weighs_vulnerability: bool
) -> tuple[np.ndarray, list[str]]:
    """People at risk per commune: demand/100 × people, vulnerability counted once (see above)."""
    people = demand["population"].to_numpy(dtype=float)
    rates = demand["raw_repatriation_rate"] if "raw_repatriation_rate" in demand else None
    weights = demand_weights(
        scores,
        rule=rule,
        rate_per_10k=None if rates is None else rates.to_numpy(dtype=float),
        population=people,
    )
    values = weights if rule == "expected_events" else weights / 100 * people
    if weighs_vulnerability:
        return values, ["vulnerability counts once, through the score (the profile weighs it)"]
    if "raw_vulnerability" in demand:
        return values * demand["raw_vulnerability"].to_numpy(dtype=float), []
    return values, ["the run has no vulnerability indicator: value is demand × population"]


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
