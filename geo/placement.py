"""Where the points of a layer count: one commune per point, by the rules of :mod:`geo.measures`.

Pure: a frame and the communes in, the commune code of each point, the points in overlaps, the
number of points each rule placed and the report's words out. Crossings may lie farther out
than venues: they are drawn on a border line from another source, 1-8 km off the communes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import to_metric
from geo.measures import (
    ASSIGN_RULES,
    ASSIGN_TOLERANCE_M,
    INSIDE,
    NEAREST,
    OVERLAP,
    UNASSIGNED,
    assign_points,
)
from geo.report import WARNING, Problem
from geo.schema import row_numbers

#: How far outside every commune (m) a point of a layer still counts in the nearest commune.
TOLERANCE_M = {"crossings": 10_000.0}
RULE_WORDS = {
    INSIDE: "inside one commune",
    OVERLAP: "in an overlap of communes (given to the one whose interior point is nearest)",
    NEAREST: "in a gap or just outside (given to the nearest commune within {km:g} km)",
    UNASSIGNED: "farther than {km:g} km from every commune (counted in none)",
}


@dataclass
class Placement:
    """Commune code per row (None: no point or too far), overlap flags, counts per rule."""

    codes: pd.Series
    overlap: np.ndarray
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def place_points(frame: gpd.GeoDataFrame, layer: str, communes: gpd.GeoDataFrame) -> Placement:
    """The commune each point of ``frame`` counts in, by the rules of :func:`assign_points`.

    Polygons (industrial zones) are not placed; points farther than the layer's tolerance
    (:data:`TOLERANCE_M`, else 2 km) from every commune get a warning with the distance.
    """
    tolerance = TOLERANCE_M.get(layer, ASSIGN_TOLERANCE_M)
    metric = to_metric(communes)
    geoms = frame.geometry.to_crs(metric.crs).to_numpy()
    points = np.where(shapely.get_type_id(geoms) == 0, geoms, None)
    owner, rule, dist = assign_points(metric.geometry.to_numpy(), points, tolerance_m=tolerance)
    codes = communes["commune_code"].astype(str).to_numpy()
    placed = pd.Series(
        np.where(owner >= 0, codes[np.maximum(owner, 0)], None), index=frame.index, dtype=object
    )
    is_point = ~shapely.is_missing(points)
    counts = {r: int(((rule == r) & is_point).sum()) for r in ASSIGN_RULES}
    km = tolerance / 1000
    notes = (
        [
            "points: "
            + "; ".join(f"{n} {RULE_WORDS[r].format(km=km)}" for r, n in counts.items() if n)
        ]
        if is_point.any()
        else []
    )
    far = is_point & (rule == UNASSIGNED)
    problems = [
        Problem(
            f"lies {d / 1000:.1f} km outside the province's communes (more than {km:g} km): "
            "counted in no commune; check the coordinates",
            int(row),
            "geometry",
            None,
            WARNING,
        )
        for row, d in zip(row_numbers(frame)[far], dist[far], strict=True)
    ]
    return Placement(placed, rule == OVERLAP, counts, notes, problems)


def coverage_note(overlaps: int, gaps: int) -> list[str]:
    """One line summing up the overlaps and gaps between communes, if any."""
    if not overlaps and not gaps:
        return []
    return [
        f"coverage: {overlaps} overlaps between communes and {gaps} gaps (real "
        "boundaries are not a clean coverage); a point there counts in exactly one commune: "
        "in an overlap the one whose interior point is nearest, in a gap the nearest commune"
    ]
