"""Patrol and outreach plans for a stored score run: where to put k bases, whom to reach.

Builds the arrays of :mod:`risk.covering` from a run and the workspace's layers, and returns
plain, JSON-ready plan records. Distances are straight lines between points in a metric CRS;
pass ``distance_km`` to use a travel-time or road-distance matrix instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import measures
from geo.crs import STORAGE_CRS, to_metric
from geo.workspace import Workspace
from risk.covering import (
    GREEDY_BOUND,
    coverage_within,
    explore,
    max_cover,
    select_under_budget,
)
from risk.errors import PlanError
from risk.pipeline import ScoreRun, load_run

CANDIDATES = ("crossings", "communes")


@dataclass(frozen=True)
class Site:
    """A chosen patrol base or outreach commune and its part of the plan."""

    name: str
    kind: str
    lon: float
    lat: float
    added: float
    added_share: float
    commune_code: str | None = None
    frequency: float | None = None


@dataclass(frozen=True)
class Plan:
    """A plan record: what was asked, what was chosen, what it covers and the baseline."""

    kind: str
    run_id: str
    profile: str
    parameters: Mapping[str, Any]
    sites: list[Site]
    covered_share: float
    covered: float
    total: float
    baseline_covered_share: float | None = None
    cost: float | None = None
    marginal_value: float | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record; patrol plans name their sites ``bases``, outreach ``communes``."""
        data = asdict(self)
        data["bases" if self.kind == "patrol" else "communes"] = data.pop("sites")
        return data


def patrol_plan(
    ws: Workspace,
    profile: str,
    *,
    k: int,
    radius_km: float,
    method: str = "greedy",
    candidates: str | gpd.GeoDataFrame = "crossings+communes",
    run_id: str | None = None,
) -> Plan:
    """Choose ``k`` patrol bases covering the most risk (sum of scores) within ``radius_km``."""
    run = load_run(ws, profile, run_id)
    demand = _demand(ws, run)
    sites = _candidates(ws, demand, candidates)
    distance = measures.distance_matrix_km(sites.geometry, demand.geometry)
    cover = max_cover(demand["score"], coverage_within(distance, radius_km), k, method=method)
    baseline = _top_k_baseline(demand, radius_km, k)
    chosen = [
        _site(sites, j, gain, cover.total_weight)
        for j, gain in zip(cover.chosen, cover.gains, strict=True)
    ]
    notes = (
        []
        if method == "exact"
        else [
            f"greedy choice: guaranteed at least {GREEDY_BOUND:.0%} of the risk the best {k} bases "
            "could cover, usually within a few percent of it"
        ]
    )
    return Plan(
        "patrol",
        run.record.run_id,
        profile,
        {
            "k": k,
            "radius_km": radius_km,
            "method": method,
            "candidates": candidates if isinstance(candidates, str) else "layer",
        },
        chosen,
        cover.covered_share,
        cover.covered_weight,
        cover.total_weight,
        baseline_covered_share=baseline,
        notes=notes,
    )


def outreach_plan(
    ws: Workspace,
    profile: str,
    *,
    budget: float,
    fixed_cost: float = 20.0,
    cost_per_1000: float = 2.0,
    cost_column: str | None = None,
    per_district: bool = False,
    explore_share: float = 0.0,
    seed: int | None = None,
    run_id: str | None = None,
) -> Plan:
    """Communes whose outreach, within ``budget``, reaches the most risk-weighted vulnerable people.

    A commune's value is score/100 × population × vulnerability share (population alone when the
    run has no vulnerability indicator); its cost is ``cost_column`` of the communes layer, else
    ``fixed_cost + cost_per_1000 × population / 1000`` (in the budget's unit). With
    ``explore_share`` > 0, that share of the budget goes to communes drawn at random (``seed``)
    among those the score did not pick, marked ``kind="exploration"``.
    """
    if not 0 <= explore_share <= 0.5:
        raise PlanError(f"exploration share is {explore_share}, expected 0 to 0.5")
    run = load_run(ws, profile, run_id)
    demand = _demand(ws, run)
    values, notes = _outreach_values(demand)
    costs = _costs(demand, cost_column, fixed_cost, cost_per_1000)
    groups = demand["district_name"].to_numpy() if per_district else None
    sel = select_under_budget(values, costs, budget * (1 - explore_share), groups=groups)
    chosen = [_site(demand, i, values[i], sel.total_value) for i in sel.chosen]
    chosen.sort(key=lambda s: -s.added)
    extra = (
        explore(costs, sel.chosen, budget - sel.cost, np.random.default_rng(seed))
        if explore_share > 0
        else []
    )
    chosen += [
        replace(_site(demand, i, values[i], sel.total_value), kind="exploration") for i in extra
    ]
    params = {
        "budget": budget,
        "per_district": per_district,
        "explore_share": explore_share,
        "cost": cost_column or f"{fixed_cost:g} + {cost_per_1000:g} per 1,000 people",
    }
    return Plan(
        "outreach",
        run.record.run_id,
        profile,
        params,
        chosen,
        (sel.value + values[extra].sum()) / sel.total_value if sel.total_value else 0.0,
        sel.value + float(values[extra].sum()),
        sel.total_value,
        cost=sel.cost + float(costs[extra].sum()),
        marginal_value=sel.marginal_value,
        notes=notes,
    )


def _demand(ws: Workspace, run: ScoreRun) -> gpd.GeoDataFrame:
    """Communes as metric points (representative points) with their run scores."""
    communes = to_metric(ws.read_layer("communes"))
    frame = communes.drop(columns=["population"], errors="ignore").merge(
        run.table.frame, on="commune_code", how="inner", validate="1:1"
    )
    if frame.empty:
        raise PlanError(f"run {run.record.run_id} has no commune of this workspace")
    return frame.set_geometry(frame.geometry.representative_point())


def _candidates(ws: Workspace, demand: gpd.GeoDataFrame, which) -> gpd.GeoDataFrame:
    if isinstance(which, gpd.GeoDataFrame):
        return _named_points(which.to_crs(demand.crs), "post")
    parts = which.split("+")
    unknown = [p for p in parts if p not in CANDIDATES]
    if unknown:
        raise PlanError(
            f'candidates "{unknown[0]}" is not one of {", ".join(CANDIDATES)} '
            "(join several with +) or a layer of posts"
        )
    frames = []
    if "crossings" in parts and ws.has_layer("crossings"):
        frames.append(_named_points(ws.read_layer("crossings").to_crs(demand.crs), None))
    if "communes" in parts:
        centres = demand[["commune_code", "commune_name", "geometry"]].rename(
            columns={"commune_name": "name"}
        )
        frames.append(centres.assign(kind="commune_centre"))
    if not frames:
        raise PlanError("there are no candidate sites: the workspace has no crossings layer")
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=demand.crs)


def _named_points(frame: gpd.GeoDataFrame, kind: str | None) -> gpd.GeoDataFrame:
    out = frame.set_geometry(frame.geometry.representative_point())
    name = (
        out["name"]
        if "name" in out
        else pd.Series([f"#{i + 1}" for i in range(len(out))], index=out.index)
    )
    kinds = out["kind"] if kind is None and "kind" in out else kind or "post"
    return gpd.GeoDataFrame(
        {"name": name, "kind": kinds}, geometry=out.geometry.values, crs=out.crs
    )


def _top_k_baseline(demand: gpd.GeoDataFrame, radius_km: float, k: int) -> float:
    """Risk share covered by bases at the centres of the k highest-scoring communes."""
    top = demand.nsmallest(min(k, len(demand)), "rank")
    distance = measures.distance_matrix_km(top.geometry, demand.geometry)
    covered = coverage_within(distance, radius_km).any(axis=0)
    total = demand["score"].sum()
    return float(demand["score"][covered].sum() / total) if total > 0 else 0.0


def _site(frame: gpd.GeoDataFrame, i: int, added: float, total: float) -> Site:
    """Row ``i`` of ``frame`` (metric CRS) as a plan site with lon/lat and its contribution."""
    row = frame.iloc[i]
    point = gpd.GeoSeries([row.geometry], crs=frame.crs).to_crs(STORAGE_CRS).iloc[0]
    code = row.get("commune_code")
    return Site(
        name=str(row["name"] if "name" in row else row["commune_name"]),
        kind=str(row.get("kind", "commune")),
        lon=round(float(point.x), 6),
        lat=round(float(point.y), 6),
        added=float(added),
        added_share=float(added / total) if total else 0.0,
        commune_code=None if code is None or pd.isna(code) else str(code),
    )


def _outreach_values(demand: gpd.GeoDataFrame) -> tuple[np.ndarray, list[str]]:
    people = demand["population"].to_numpy(dtype=float)
    if "raw_vulnerability" in demand:
        vulnerable = demand["raw_vulnerability"].to_numpy(dtype=float)
        return demand["score"].to_numpy(dtype=float) / 100 * people * vulnerable, []
    note = "the run has no vulnerability indicator: value is score × population"
    return demand["score"].to_numpy() / 100 * people, [note]


def _costs(demand, column, fixed, per_1000) -> np.ndarray:
    if column is None:
        return fixed + per_1000 * demand["population"].to_numpy(dtype=float) / 1000
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


def save_plan(ws: Workspace, plan: Plan, *, actor: str = "cli") -> str:
    """Store ``plan`` beside the run it came from; return its path inside the workspace."""
    params = "-".join(
        f"{k}{v}" for k, v in sorted(plan.parameters.items()) if isinstance(v, int | float | bool)
    )
    path = f"runs/{plan.run_id}/plans/{plan.kind}-{params}.json"
    ws.write_json(path, plan.to_dict(), actor=actor)
    return path
