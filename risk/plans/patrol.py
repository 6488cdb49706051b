"""Patrol plans: where to put k bases so they reach the most demand within a radius.

:func:`plan_patrol` is the core (a run, commune polygons and crossings in, a :class:`Plan`
out); :func:`patrol_plan` is its adapter that reads them from a workspace. A commune is reached
when its outline lies within the radius of a base (straight line, metric CRS); what it weighs is
its demand under a rule of :mod:`risk.demand` (default ``top_first``); the maths is
:mod:`risk.plans.covering`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_metric
from geo.workspace import Workspace
from risk.demand import (
    coverage_matrix,
    demand_weights,
    eligible_sites,
    priority_communes,
    reach,
    top_communes,
)
from risk.errors import PlanError
from risk.plans.covering import (
    GREEDY_BOUND,
    Cover,
    exact_share,
    exact_size,
    gap_to_exact,
    max_cover,
    replan_draws,
    selection_frequency,
)
from risk.plans.draws import draw_frequencies, draws_note
from risk.plans.records import Plan, demand_points, plan_sites
from risk.plans.requests import DEMAND_RULES, PatrolRequest, bounds
from risk.plans.scope import near, province_communes
from risk.runs import ScoreRun
from risk.store import load_run

CANDIDATES = ("crossings", "communes")
_DEFAULT = PatrolRequest()
_EXPLORE = bounds(PatrolRequest, "explore_share")


def patrol_plan(
    ws: Workspace,
    profile: str,
    *,
    k: int,
    radius_km: float,
    method: str = _DEFAULT.method,
    candidates: str | gpd.GeoDataFrame = _DEFAULT.candidates,
    demand: str = _DEFAULT.demand,
    explore_share: float = _DEFAULT.explore_share,
    run_id: str | None = None,
    draws: int = _DEFAULT.draws,
    seed: int = _DEFAULT.seed,
    province: str | None = None,
) -> Plan:
    """Choose ``k`` patrol bases reaching the most ``demand`` within ``radius_km``.

    Reads the run (default: ``profile``'s latest), the communes and, when asked for as
    candidates, the crossings of ``ws``, then calls :func:`plan_patrol`.
    """
    run = load_run(ws, profile, run_id)
    communes = to_metric(ws.read_layer("communes"))
    crossings = None
    if isinstance(candidates, str) and "crossings" in candidates.split("+"):
        crossings = ws.read_layer("crossings") if ws.has_layer("crossings") else None
    options = {"method": method, "candidates": candidates, "demand": demand}
    return plan_patrol(
        run,
        communes,
        crossings,
        k=k,
        radius_km=radius_km,
        explore_share=explore_share,
        draws=draws,
        seed=seed,
        province=province,
        **options,
    )


@dataclass(frozen=True)
class Demand:
    """What a patrol plan weighs: scores, demand weights, priority communes and coverage."""

    rule: str
    scores: np.ndarray
    weights: np.ndarray
    coverage: np.ndarray
    areas_km2: np.ndarray
    rates: np.ndarray | None
    people: np.ndarray | None

    def reweighed(self, scores: np.ndarray) -> Demand:
        """The same communes and coverage with other scores (a weight draw)."""
        return replace(self, scores=scores, weights=_weights(self, scores))

    def choose(self, k: int, method: str) -> tuple[np.ndarray, Cover]:
        """``k`` bases among those reaching a priority commune: their rows and the cover."""
        priority = priority_communes(self.scores, rule=self.rule)
        rows = np.flatnonzero(eligible_sites(self.coverage, priority, k))
        cover = max_cover(self.weights, self.coverage[rows], k, method=method)
        return rows, cover


def patrol_demand(
    points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, radius_km: float, rule: str
) -> Demand:
    """Demand of the communes (``points`` with ``outline``) and the sites' outline coverage."""
    if rule not in DEMAND_RULES:
        raise PlanError(
            f'demand rule was "{rule}" but is expected to be one of {", ".join(DEMAND_RULES)}'
        )
    outlines = gpd.GeoSeries(points["outline"].values, crs=points.crs)
    column = lambda name: points[name].to_numpy(dtype=float) if name in points else None  # noqa: E731
    base = Demand(
        rule,
        points["score"].to_numpy(dtype=float),
        np.zeros(len(points)),
        coverage_matrix(sites.geometry, outlines, radius_km),
        outlines.area.to_numpy() / 1e6,
        column("raw_repatriation_rate"),
        column("population"),
    )
    return base.reweighed(base.scores)


def _weights(d: Demand, scores: np.ndarray) -> np.ndarray:
    return demand_weights(
        scores, d.areas_km2, rule=d.rule, rate_per_10k=d.rates, population=d.people
    )


def plan_patrol(
    run: ScoreRun,
    communes: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame | None,
    *,
    k: int,
    radius_km: float,
    method: str = _DEFAULT.method,
    candidates: str | gpd.GeoDataFrame = _DEFAULT.candidates,
    demand: str = _DEFAULT.demand,
    explore_share: float = _DEFAULT.explore_share,
    draws: int = _DEFAULT.draws,
    seed: int = _DEFAULT.seed,
    province: str | None = None,
) -> Plan:
    """The patrol plan of ``run`` over ``communes`` (metric CRS): k bases, their share of demand.

    Bases are chosen among the candidates reaching a priority commune of the ``demand`` rule
    (:mod:`risk.demand`); ``explore_share`` of them (rounded to whole bases) go, at random
    (``seed``), to candidates reaching no top-decile commune (``kind="exploration"``). Each
    base's ``frequency`` is the share of ``draws`` weight draws whose plan, re-planned by the
    plan's own method when cheap, also picks it. With ``province``, only its communes count and
    only the ``crossings`` near them are candidates.
    """
    _check_explore(explore_share)
    communes = province_communes(communes, province)
    points = demand_points(communes, run)
    sites = _candidates(crossings, points, candidates, communes if province else None)
    d = patrol_demand(points, sites, radius_km, demand)
    n_explore = explore_count(explore_share, k)
    rows, cover = d.choose(k - n_explore, method)
    chosen = tuple(int(r) for r in rows[list(cover.chosen)])
    explored, extra, covered = _explore(d, chosen, cover.covered, n_explore, seed)
    replan = replan_draws(method, draws, exact_size(d.weights, d.coverage[rows]))
    freq = draw_frequencies(
        draws, lambda s: _frequencies(d, s, len(chosen), replan, chosen), run, points, seed
    )
    kind = candidates if isinstance(candidates, str) else "layer"
    params = {"k": k, "radius_km": radius_km, "method": method, "candidates": kind}
    params |= {"demand": demand, "explore_share": explore_share, "draws": draws, "seed": seed}
    total = float(d.weights.sum())
    quality = _quality(d, rows, cover, method, chosen + explored)
    bases = plan_sites(sites, chosen, cover.gains, total, freq)
    bases += [
        replace(s, kind="exploration") for s in plan_sites(sites, explored, extra, total, None)
    ]
    return Plan(
        "patrol",
        run.record.run_id,
        run.record.profile,
        params,
        bases,
        cover.covered_weight + float(sum(extra)),
        total,
        baseline_covered_share=_top_k_baseline(points, d, radius_km, k),
        notes=_patrol_notes(d, method, replan, k, draws, n_explore, quality, cover),
        covered_communes=points["commune_code"][covered].astype(str).tolist(),
        **quality,
    )


def _quality(d: Demand, rows, cover: Cover, method: str, bases: tuple[int, ...]) -> dict:
    """The optimum and the gap to it (demand bases only), and the top-decile reach of all."""
    exact = (
        cover.covered_share
        if method == "exact"
        else exact_share(d.weights, d.coverage[rows], len(cover.chosen))
    )
    found = reach(d.coverage, bases, d.scores, top_communes(d.scores))
    return {
        "exact_covered_share": exact,
        "gap_to_exact": gap_to_exact(exact, cover.covered_share),
        "top_decile_reached": round(found.top_reached_share, 4),
        "bases_near_top_decile": found.bases_near_top,
    }


def explore_count(share: float, k: int) -> int:
    """Whole bases (of ``k``) set aside for exploration: ``share × k`` rounded half up."""
    return min(k - 1, math.floor(share * k + 0.5)) if k > 1 else 0


def _check_explore(share: float) -> None:
    if not _EXPLORE["ge"] <= share <= _EXPLORE["le"]:
        raise PlanError(
            f"exploration share is {share}, expected {_EXPLORE['ge']:g} to {_EXPLORE['le']:g}"
        )


def _explore(d: Demand, chosen: tuple[int, ...], covered, n: int, seed: int):
    """``n`` random sites (``seed``) reaching no top-decile commune (any site when too few)."""
    covered = covered.copy()
    if n == 0:
        return (), [], covered
    top = top_communes(d.scores)
    free = np.setdiff1d(np.arange(len(d.coverage)), chosen)
    away = free[~d.coverage[free][:, top].any(axis=1)]
    pool = away if len(away) >= n else free
    n = min(n, len(pool))  # fewer candidates left than bases to explore with: all of them
    picked = tuple(int(j) for j in np.random.default_rng(seed).choice(pool, n, replace=False))
    gains = []
    for j in picked:
        gains.append(float(d.weights[d.coverage[j] & ~covered].sum()))
        covered |= d.coverage[j]
    return picked, gains, covered


def _frequencies(d: Demand, scores: np.ndarray, k: int, replan, chosen) -> np.ndarray:
    """Share of score draws (rows) whose re-plan (same demand rule) keeps each base.

    ``replan`` is (method, number of draws re-planned): the first draws only, for exact ones.
    """
    method, n = replan

    def plan(row: np.ndarray) -> tuple[int, ...]:
        rows, cover = d.reweighed(row).choose(k, method)
        return tuple(int(r) for r in rows[list(cover.chosen)])

    return selection_frequency(scores[:n], plan, chosen)


def _patrol_notes(d: Demand, method, replan, k, draws, n_explore, quality, cover) -> list[str]:
    """The demand rule, the method's quality, how draws were re-planned and the exploration."""
    notes = [f'demand: rule "{d.rule}" (risk/demand.py); reached = outline within the radius']
    if draws:
        how, n = replan
        note = draws_note(n, f"{how} re-plans")
        if how == "exact" and n < draws:
            note += f" (the first {n} of {draws} draws: exact re-plans of all are not cheap here)"
        if method == "exact" and how != "exact":
            note += "; exact re-plans are not cheap here, so frequencies of exact bases read low"
        notes.append(note)
    exact = quality["exact_covered_share"]
    if method != "exact":
        gap = (
            ""
            if exact is None
            else f"; the optimum covers {exact:.1%}, this plan {cover.covered_share:.1%}"
        )
        notes.append(
            f"greedy choice: guaranteed at least {GREEDY_BOUND:.0%} of the demand the best "
            f"{k - n_explore} bases could cover{gap}"
        )
    if n_explore:
        notes.append(
            f"{n_explore} of the {k} bases are exploration: drawn at random among the candidates "
            "reaching no top-decile commune, so records do not come only from where patrols go"
        )
    return notes


def _candidates(crossings, demand: gpd.GeoDataFrame, which, area) -> gpd.GeoDataFrame:
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
    if "crossings" in parts and crossings is not None:
        crossings = crossings.to_crs(demand.crs)
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


def _top_k_baseline(points: gpd.GeoDataFrame, d: Demand, radius_km: float, k: int) -> float:
    """Demand share reached (outline) by bases at the centres of the k highest-scoring communes."""
    top = points.nsmallest(min(k, len(points)), "rank")
    outlines = gpd.GeoSeries(points["outline"].values, crs=points.crs)
    reached = coverage_matrix(top.geometry, outlines, radius_km).any(axis=0)
    total = d.weights.sum()
    return float(d.weights[reached].sum() / total) if total > 0 else 0.0
