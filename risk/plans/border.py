"""Border segments and crossings ranked by the risk around them (pure: frames in, frames out).

The border lines are cut into segments of ``length_km`` measured along each line (the last
segment of a line keeps what is left, so a 12 km line in 5 km segments gives 5, 5 and 2 km).
A segment's score mixes two parts, each scaled so the highest segment has 1:

* **commune risk**: the sum of the scores of the communes with any part within ``reach_km`` of
  the segment (straight line, hard radius, no distance decay);
* **crossings**: the sum of the profile's kind weights of the crossings on the segment (each
  crossing counts for the one segment nearest to it, if within ``SNAP_KM``).

``score = 100 × ((1 - crossing_share) × risk / max risk + crossing_share × crossings / max
crossings)``, 0-100. Crossings are scored the same way from the communes within ``reach_km`` of
the crossing and their own kind weight. Every geometry is in a metric CRS (metres).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from numpy.typing import NDArray

from risk.errors import PlanError
from risk.plans.requests import SegmentsRequest

DEFAULT_LENGTH_KM = SegmentsRequest.length_km
DEFAULT_REACH_KM = SegmentsRequest.reach_km
#: A crossing farther than this from every segment lies on none of them, km.
SNAP_KM = 2.0
#: Default share (0-1) of a segment's score that comes from its crossings.
CROSSING_SHARE = SegmentsRequest.crossing_share
M_PER_KM = 1000.0
#: Most segments one plan may cut (a guard against a length of a few metres).
MAX_SEGMENTS = 20_000
#: A last piece shorter than this share of the length joins the one before (reprojection noise).
SLIVER = 0.001
_LINES = ("LineString", "MultiLineString")


def split_border(lines: gpd.GeoDataFrame, length_km: float = DEFAULT_LENGTH_KM) -> gpd.GeoDataFrame:
    """Segments of ``length_km`` along every line of ``lines`` (metric CRS); lengths in km.

    Multi-part lines are merged where their parts touch, then each part is cut on its own.
    Columns: ``segment`` (1..n), ``line`` (row of ``lines``, from 1), ``part`` (from 1),
    ``kind`` (the line's kind, "land" when absent), ``start_km``, ``end_km``, ``length_km``.
    """
    if not (isinstance(length_km, int | float) and math.isfinite(length_km) and length_km > 0):
        raise PlanError(f"segment length is {length_km} km, expected a number > 0")
    _check_lines(lines)
    total_km = float(lines.geometry.length.sum()) / M_PER_KM
    if total_km / length_km > MAX_SEGMENTS:
        raise PlanError(
            f"the border is {total_km:,.0f} km long: segments of {length_km:g} km would make "
            f"more than {MAX_SEGMENTS:,} of them; use a longer segment length"
        )
    kinds = lines["kind"].fillna("land") if "kind" in lines else pd.Series("land", lines.index)
    rows = []
    for line, (geom, kind) in enumerate(zip(lines.geometry, kinds, strict=True), start=1):
        parts = shapely.get_parts(shapely.line_merge(geom))
        for p, part in enumerate(parts, start=1):
            rows += _cut(part, length_km * M_PER_KM, line=line, part=p, kind=str(kind))
    if not rows:
        raise PlanError("the border layer has no line with a length to cut into segments")
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=lines.crs)
    frame.insert(0, "segment", np.arange(1, len(frame) + 1))
    return frame


def _check_lines(lines: gpd.GeoDataFrame) -> None:
    if lines.crs is None or not lines.crs.is_projected:
        raise PlanError("border lines must be in a metric (projected) CRS to be cut in km")
    types = lines.geometry.geom_type
    bad = ~types.isin(_LINES)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise PlanError(
            f"border layer, row {row + 1}: geometry is a {types.iloc[row]}, expected a line"
        )


def _cut(line_part: shapely.LineString, step_m: float, **about) -> list[dict]:
    """Pieces of ``step_m`` along ``line_part``; the last one keeps the rest (no sliver)."""
    length = line_part.length
    if length <= 0:
        return []
    n = max(1, math.ceil(length / step_m - SLIVER))
    cuts = [*(i * step_m for i in range(n)), length]
    return [
        {
            **about,
            "start_km": a / M_PER_KM,
            "end_km": b / M_PER_KM,
            "length_km": (b - a) / M_PER_KM,
            "geometry": shapely.ops.substring(line_part, a, b),
        }
        for a, b in itertools.pairwise(cuts)
    ]


def score_segments(
    segments: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame | None,
    *,
    kind_weights: Mapping[str, float],
    reach_km: float = DEFAULT_REACH_KM,
    crossing_share: float = CROSSING_SHARE,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Segments with ``risk``, ``communes``, ``crossings``, ``crossing_names``, score and rank.

    ``communes`` needs ``score`` (0-100) and the segments' metric CRS. Returns the ranked
    segments and notes on what the score could not use (no crossings, none near the border).
    """
    _check_reach(reach_km, crossing_share)
    notes: list[str] = []
    risk, count = _risk_within(segments.geometry.values, communes, reach_km)
    weights = np.zeros(len(segments))
    names: list[list[str]] = [[] for _ in range(len(segments))]
    if crossings is not None and not crossings.empty:
        on = nearest_segment(segments, crossings)
        w = crossing_weights(crossings, kind_weights)
        for i, seg in enumerate(on):
            if seg >= 0:
                weights[seg] += w[i]
                names[seg].append(str(crossings["name"].iloc[i]) if "name" in crossings else "")
        off = int((on < 0).sum())
        if off:
            notes.append(f"{off} crossing(s) lie more than {SNAP_KM:g} km from the border")
    out = segments.assign(
        risk=risk, communes=count, crossings=weights, crossing_names=[", ".join(n) for n in names]
    )
    return _ranked(out, risk, weights, crossing_share, notes, what="segment"), notes


def rank_crossings(
    crossings: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame | None = None,
    *,
    kind_weights: Mapping[str, float],
    reach_km: float = DEFAULT_REACH_KM,
    crossing_share: float = CROSSING_SHARE,
) -> gpd.GeoDataFrame:
    """Crossings with ``weight``, ``risk`` of the communes within reach, score 0-100 and rank.

    With ``segments``, ``segment`` names the segment each crossing lies on (0: none).
    """
    _check_reach(reach_km, crossing_share)
    if crossings.empty:
        raise PlanError("there are no crossings to rank")
    points = crossings.geometry.representative_point().values
    risk, count = _risk_within(points, communes, reach_km)
    weights = crossing_weights(crossings, kind_weights)
    out = crossings.assign(weight=weights, risk=risk, communes=count)
    if segments is not None:
        on = nearest_segment(segments, crossings)
        out["segment"] = np.where(on >= 0, segments["segment"].to_numpy()[on], 0)
    return _ranked(out, risk, weights, crossing_share, [], what="crossing")


def nearest_segment(segments: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> NDArray[np.int64]:
    """Position of the segment nearest each point if within ``SNAP_KM``, else -1."""
    tree = shapely.STRtree(segments.geometry.values)
    geoms = points.geometry.representative_point().values
    pair = tree.query_nearest(geoms, max_distance=SNAP_KM * M_PER_KM, all_matches=False)
    on = np.full(len(points), -1, dtype=np.int64)
    on[pair[0]] = pair[1]
    return on


def crossing_weights(crossings: gpd.GeoDataFrame, kind_weights: Mapping[str, float]) -> NDArray:
    """The profile's weight of each crossing's kind (unitless)."""
    kinds = crossings["kind"].astype(str).to_numpy()
    unknown = sorted(set(kinds) - set(kind_weights))
    if unknown:
        raise PlanError(
            f'crossing kind "{unknown[0]}" has no weight in the profile\'s '
            f"crossing_kind_weights ({', '.join(sorted(kind_weights))})"
        )
    return np.array([float(kind_weights[k]) for k in kinds])


def _check_reach(reach_km: float, crossing_share: float) -> None:
    if not (math.isfinite(reach_km) and reach_km >= 0):
        raise PlanError(f"reach is {reach_km} km, expected a number >= 0")
    if not 0 <= crossing_share <= 1:
        raise PlanError(f"crossing share is {crossing_share}, expected 0 to 1")


def _risk_within(geoms, communes: gpd.GeoDataFrame, reach_km: float) -> tuple[NDArray, NDArray]:
    """Sum of commune scores, and number of communes, within ``reach_km`` of each geometry."""
    tree = shapely.STRtree(communes.geometry.values)
    near, com = tree.query(geoms, predicate="dwithin", distance=reach_km * M_PER_KM)
    scores = communes["score"].to_numpy(dtype=float)
    risk = np.bincount(near, weights=scores[com], minlength=len(geoms))
    return risk, np.bincount(near, minlength=len(geoms))


def _ranked(frame, risk, weights, share, notes: list[str], *, what: str) -> gpd.GeoDataFrame:
    """``frame`` with score (0-100) from the two scaled parts and rank (1 = highest)."""
    if weights.max(initial=0) <= 0 and share > 0:
        notes.append(f"no crossing on any {what}: scores come from commune risk only")
        share = 0.0
    if risk.max(initial=0) <= 0 and share < 1:
        notes.append(f"no scored commune within reach of any {what}: its risk part is 0")
    scaled_risk = risk / risk.max() if risk.max(initial=0) > 0 else np.zeros_like(risk)
    scaled_w = weights / weights.max() if weights.max(initial=0) > 0 else np.zeros_like(weights)
    score = 100 * ((1 - share) * scaled_risk + share * scaled_w)
    order = np.lexsort((np.arange(len(score)), -np.round(score, 9)))
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(1, len(score) + 1)
    return frame.assign(score=score, rank=rank)
