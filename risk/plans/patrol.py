"""Patrol plans: where to put k bases so they reach the most risk within a radius.

:func:`plan_patrol` is the core (a run, commune polygons and crossings in, a :class:`Plan`
out); :func:`patrol_plan` is its adapter that reads them from a workspace. Distances are
straight lines between points in a metric CRS; the maths is :mod:`risk.plans.covering`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import measures
from geo.crs import to_metric
from geo.workspace import Workspace
from risk.errors import PlanError
from risk.plans.covering import GREEDY_BOUND, cover_frequency, coverage_within, max_cover
from risk.plans.draws import draw_frequencies, draws_note
from risk.plans.records import Plan, demand_points, plan_sites
from risk.plans.requests import PatrolRequest
from risk.plans.scope import near, province_communes
from risk.runs import ScoreRun
from risk.store import load_run

CANDIDATES = ("crossings", "communes")
_DEFAULT = PatrolRequest()


def patrol_plan(
    ws: Workspace,
    profile: str,
    *,
    k: int,
    radius_km: float,
    method: str = _DEFAULT.method,
    candidates: str | gpd.GeoDataFrame = _DEFAULT.candidates,
    run_id: str | None = None,
    draws: int = _DEFAULT.draws,
    seed: int = _DEFAULT.seed,
    province: str | None = None,
) -> Plan:
    """Choose ``k`` patrol bases covering the most risk (sum of scores) within ``radius_km``.

    Reads the run (default: ``profile``'s latest), the communes and, when asked for as
    candidates, the crossings of ``ws``, then calls :func:`plan_patrol`.
    """
    run = load_run(ws, profile, run_id)
    communes = to_metric(ws.read_layer("communes"))
    crossings = None
    if isinstance(candidates, str) and "crossings" in candidates.split("+"):
        crossings = ws.read_layer("crossings") if ws.has_layer("crossings") else None
    return plan_patrol(
        run,
        communes,
        crossings,
        k=k,
        radius_km=radius_km,
        method=method,
        candidates=candidates,
        draws=draws,
        seed=seed,
        province=province,
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
    draws: int = _DEFAULT.draws,
    seed: int = _DEFAULT.seed,
    province: str | None = None,
) -> Plan:
    """The patrol plan of ``run`` over ``communes`` (metric CRS): k bases, their share of risk.

    Each base's ``frequency`` is the share of ``draws`` weight draws (seeded by ``seed``) whose
    greedy plan also picks it. With ``province``, only its communes count and only the
    ``crossings`` near them are candidates.
    """
    communes = province_communes(communes, province)
    demand = demand_points(communes, run)
    sites = _candidates(crossings, demand, candidates, communes if province else None)
    distance = measures.distance_matrix_km(sites.geometry, demand.geometry)
    coverage = coverage_within(distance, radius_km)
    cover = max_cover(demand["score"], coverage, k, method=method)
    freq = draw_frequencies(
        draws, lambda d: cover_frequency(d, coverage, k, cover.chosen), run, demand, seed
    )
    kind = candidates if isinstance(candidates, str) else "layer"
    params = {"k": k, "radius_km": radius_km, "method": method, "candidates": kind}
    return Plan(
        "patrol",
        run.record.run_id,
        run.record.profile,
        params | {"draws": draws, "seed": seed},
        plan_sites(sites, cover.chosen, cover.gains, cover.total_weight, freq),
        cover.covered_weight,
        cover.total_weight,
        baseline_covered_share=_top_k_baseline(demand, radius_km, k),
        notes=_patrol_notes(method, k, draws, demand["score"].to_numpy(), coverage, cover.chosen),
        covered_communes=demand["commune_code"][cover.covered].astype(str).tolist(),
    )


def _patrol_notes(method: str, k: int, draws: int, scores, coverage, chosen) -> list[str]:
    """The method's guarantee, and how the greedy re-plans of the draws compare with it."""
    notes = [draws_note(draws, "greedy re-plans")] if draws else []
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


def _top_k_baseline(demand: gpd.GeoDataFrame, radius_km: float, k: int) -> float:
    """Risk share covered by bases at the centres of the k highest-scoring communes."""
    top = demand.nsmallest(min(k, len(demand)), "rank")
    distance = measures.distance_matrix_km(top.geometry, demand.geometry)
    covered = coverage_within(distance, radius_km).any(axis=0)
    total = demand["score"].sum()
    return float(demand["score"][covered].sum() / total) if total > 0 else 0.0
