"""Patrol and outreach plans for a stored score run: where to put k bases, whom to reach.

Builds the arrays of :mod:`risk.covering` from a run and the workspace's layers, and returns
plain, JSON-ready plan records. Distances are straight lines between points in a metric CRS;
pass ``distance_km`` to use a travel-time or road-distance matrix instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import measures
from geo.crs import STORAGE_CRS, to_metric
from geo.workspace import Workspace
from risk.covering import (
    GREEDY_BOUND,
    budget_frequency,
    cover_frequency,
    coverage_within,
    explore,
    max_cover,
    score_draws,
    select_under_budget,
)
from risk.errors import PlanError
from risk.pipeline import ScoreRun, load_run
from risk.plan_scope import near, province_communes
from risk.results import raw_col

if TYPE_CHECKING:
    from risk.segment_plan import SegmentPlan

CANDIDATES = ("crossings", "communes")
#: Weight draws a plan is re-made over to say how often each choice stays (0: skip).
DRAWS = 200
#: Text parameters short and plain enough to go into a plan's file name.
TOKEN = r"[A-Za-z0-9_+.]{1,40}"


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
    covered: float
    total: float
    baseline_covered_share: float | None = None
    cost: float | None = None
    marginal_value: float | None = None
    notes: list[str] = field(default_factory=list)
    covered_communes: list[str] | None = None

    @property
    def covered_share(self) -> float:
        """Share (0-1) of the total risk (patrol) or value (outreach) the plan reaches."""
        return self.covered / self.total if self.total > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record; patrol plans name their sites ``bases``, outreach ``communes``."""
        data = asdict(self) | {"covered_share": self.covered_share}
        data["bases" if self.kind == "patrol" else "communes"] = data.pop("sites")
        if self.covered_communes is None:
            data.pop("covered_communes")
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
    draws: int = DRAWS,
    seed: int = 0,
    province: str | None = None,
) -> Plan:
    """Choose ``k`` patrol bases covering the most risk (sum of scores) within ``radius_km``.

    Each base's ``frequency`` is the share of ``draws`` weight draws (seeded by ``seed``) whose
    greedy plan also picks it. With ``province``, only its communes count and only the
    crossings near them are candidates.
    """
    run = load_run(ws, profile, run_id)
    communes = province_communes(to_metric(ws.read_layer("communes")), province)
    demand = _demand(communes, run)
    sites = _candidates(ws, demand, candidates, communes if province else None)
    distance = measures.distance_matrix_km(sites.geometry, demand.geometry)
    coverage = coverage_within(distance, radius_km)
    cover = max_cover(demand["score"], coverage, k, method=method)
    freq = _frequencies(
        draws, lambda d: cover_frequency(d, coverage, k, cover.chosen), run, demand, seed
    )
    kind = candidates if isinstance(candidates, str) else "layer"
    params = {"k": k, "radius_km": radius_km, "method": method, "candidates": kind}
    return Plan(
        "patrol",
        run.record.run_id,
        profile,
        params | {"draws": draws, "seed": seed},
        _sites(sites, cover.chosen, cover.gains, cover.total_weight, freq),
        cover.covered_weight,
        cover.total_weight,
        baseline_covered_share=_top_k_baseline(demand, radius_km, k),
        notes=_patrol_notes(method, k, draws, demand["score"].to_numpy(), coverage, cover.chosen),
        covered_communes=demand["commune_code"][cover.covered].astype(str).tolist(),
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
    seed: int = 0,
    run_id: str | None = None,
    draws: int = DRAWS,
    province: str | None = None,
) -> Plan:
    """Communes whose outreach, within ``budget``, reaches the most risk-weighted vulnerable people.

    A commune's value is score/100 × population × vulnerability share (population alone when the
    run has no vulnerability indicator); its cost is ``cost_column`` of the communes layer, else
    ``fixed_cost + cost_per_1000 × population / 1000`` (in the budget's unit). With
    ``explore_share`` > 0, that share of the budget goes to communes drawn at random (``seed``)
    among those the score did not pick, marked ``kind="exploration"``. Each scored commune's
    ``frequency`` is the share of ``draws`` weight draws whose (greedy) selection also picks it.
    With ``province``, only its communes are considered.
    """
    if not 0 <= explore_share <= 0.5:
        raise PlanError(f"exploration share is {explore_share}, expected 0 to 0.5")
    run = load_run(ws, profile, run_id)
    demand = _demand(province_communes(to_metric(ws.read_layer("communes")), province), run)
    values, notes = _outreach_values(demand, demand["score"].to_numpy(dtype=float))
    costs = _costs(demand, cost_column, fixed_cost, cost_per_1000)
    groups = demand["district_name"].to_numpy() if per_district else None
    spend = budget * (1 - explore_share)
    sel = select_under_budget(values, costs, spend, groups=groups)
    freq = _frequencies(
        draws,
        lambda d: budget_frequency(
            _outreach_values(demand, d)[0], costs, spend, sel.chosen, groups=groups
        ),
        run,
        demand,
        seed,
    )
    chosen = _sites(demand, sel.chosen, values[list(sel.chosen)], sel.total_value, freq)
    chosen.sort(key=lambda s: -s.added)
    rng = np.random.default_rng(seed)
    extra = explore(costs, sel.chosen, budget - sel.cost, rng) if explore_share > 0 else []
    explored = _sites(demand, extra, values[extra], sel.total_value, None)
    cost = cost_column or f"{fixed_cost:g} + {cost_per_1000:g} per 1,000 people"
    params = {"budget": budget, "per_district": per_district, "explore_share": explore_share}
    return Plan(
        "outreach",
        run.record.run_id,
        profile,
        params | {"cost": cost, "draws": draws, "seed": seed},
        chosen + [replace(s, kind="exploration") for s in explored],
        sel.value + float(values[extra].sum()),
        sel.total_value,
        cost=sel.cost + float(costs[extra].sum()),
        marginal_value=sel.marginal_value,
        notes=notes + _greedy_gap(draws, values, costs, spend, sel.chosen, groups),
    )


def _sites(frame, chosen, added, total: float, freq: list[float] | None) -> list[Site]:
    """Rows ``chosen`` of ``frame`` as plan sites with what each adds and its frequency."""
    freq = freq or [None] * len(chosen)
    return [
        replace(_site(frame, i, a, total), frequency=f)
        for i, a, f in zip(chosen, added, freq, strict=True)
    ]


def _patrol_notes(method: str, k: int, draws: int, scores, coverage, chosen) -> list[str]:
    """The method's guarantee, and how the greedy re-plans of the draws compare with it."""
    notes = [_draws_note(draws, "greedy re-plans")] if draws else []
    if method != "exact":
        notes.append(
            f"greedy choice: guaranteed at least {GREEDY_BOUND:.0%} of the risk the best {k} "
            "bases could cover, usually within a few percent of it"
        )
    elif draws:
        kept = int(cover_frequency(scores[None, :], coverage, k, chosen).sum())
        if kept < k:
            notes[0] += (
                f"; at the profile's own weights the greedy re-plan keeps {kept} of the {k} "
                "bases the exact solver chose, so frequencies read low"
            )
    return notes


def _frequencies(
    draws: int, replan, run: ScoreRun, demand: gpd.GeoDataFrame, seed: int
) -> list[float] | None:
    """Per chosen site, the share of weight draws that keep it (``replan`` of the draws)."""
    if draws < 0:
        raise PlanError(f"draws is {draws}, expected 0 (skip) or more")
    if draws == 0:
        return None
    names = list(run.record.weights)
    raw = pd.DataFrame({n: demand[raw_col(n)].to_numpy(dtype=float) for n in names})
    scores = score_draws(raw, run.record.weights, run.record.parameters, draws=draws, seed=seed)
    return [round(float(f), 4) for f in replan(scores)]


def _greedy_gap(draws: int, values, costs, spend: float, chosen, groups) -> list[str]:
    """The frequency note, saying how far a greedy re-selection is from the exact one."""
    if not draws:
        return []
    kept = int(budget_frequency(values[None, :], costs, spend, chosen, groups=groups).sum())
    note = _draws_note(draws, "greedy re-selections (by value per cost)")
    if kept < len(chosen):
        note += (
            f"; at the profile's own weights the greedy re-selection keeps {kept} of the "
            f"{len(chosen)} communes the exact selection chose, so frequencies read low"
        )
    return [note]


def _draws_note(draws: int, how: str) -> str:
    return (
        f"frequency: share of {draws} weight draws (the profile's sensitivity concentration) "
        f"whose {how} keep the site"
    )


def _demand(communes: gpd.GeoDataFrame, run: ScoreRun) -> gpd.GeoDataFrame:
    """``communes`` (metric) as representative points with their run scores."""
    frame = communes.drop(columns=["population"], errors="ignore").merge(
        run.table.frame, on="commune_code", how="inner", validate="1:1"
    )
    if frame.empty:
        raise PlanError(f"run {run.record.run_id} has no commune of this workspace")
    return frame.set_geometry(frame.geometry.representative_point())


def _candidates(ws: Workspace, demand: gpd.GeoDataFrame, which, area) -> gpd.GeoDataFrame:
    """Candidate sites; with ``area`` (a province's communes), only the crossings near it."""
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
        crossings = ws.read_layer("crossings").to_crs(demand.crs)
        if area is not None:
            crossings = near(crossings, area)
        frames.append(_named_points(crossings, None))
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


def _outreach_values(demand: gpd.GeoDataFrame, scores: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Score/100 × people × vulnerable share per commune (``scores``: communes, or × draws)."""
    people = demand["population"].to_numpy(dtype=float)
    if "raw_vulnerability" in demand:
        vulnerable = demand["raw_vulnerability"].to_numpy(dtype=float)
        return scores / 100 * people * vulnerable, []
    note = "the run has no vulnerability indicator: value is score × population"
    return scores / 100 * people, [note]


def _costs(demand, column, fixed, per_1000) -> np.ndarray:
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


def save_plan(ws: Workspace, plan: Plan | SegmentPlan, *, actor: str = "cli") -> str:
    """Store ``plan`` beside the run it came from; return its path inside the workspace."""
    params = "-".join(
        f"{k}{v}"
        for k, v in sorted(plan.parameters.items())
        if isinstance(v, int | float | bool) or (isinstance(v, str) and re.fullmatch(TOKEN, v))
    )
    path = f"runs/{plan.run_id}/plans/{plan.kind}-{params}.json"
    ws.write_json(path, plan.to_dict(), actor=actor)
    return path


def latest_plans(ws: Workspace, run_id: str) -> dict[str, dict[str, Any]]:
    """The newest stored plan of each kind (patrol, outreach, segments) made from ``run_id``."""
    folder = ws.root / "runs" / run_id / "plans"
    files = (
        sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    )
    records: dict[str, dict[str, Any]] = {}
    for path in files:
        record = ws.read_json(path.relative_to(ws.root))
        if isinstance(record, dict) and record.get("kind") in ("patrol", "outreach", "segments"):
            records[record["kind"]] = record
    return records
