"""Patrol and outreach plan records: the sites chosen, what they cover, as JSON-ready data.

Also the demand both plans start from: a run's communes as representative points with scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.crs import STORAGE_CRS
from risk.errors import PlanError
from risk.runs import ScoreRun


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
    #: Budget step ``marginal_value`` is measured for (the cheapest commune's cost), outreach.
    marginal_unit: float | None = None
    #: Share (0-1) the optimum would cover with the same bases or budget, and how far below it
    #: the plan stays (share points, >= 0); None when the optimum is not cheap to solve.
    exact_covered_share: float | None = None
    gap_to_exact: float | None = None
    #: Patrol: share (0-1) of the top-decile communes reached by outline, and the bases within
    #: the radius of one of them (:func:`risk.demand.reach`).
    top_decile_reached: float | None = None
    bases_near_top_decile: int | None = None

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


def demand_points(communes: gpd.GeoDataFrame, run: ScoreRun) -> gpd.GeoDataFrame:
    """``communes`` (metric) as representative points with their run scores.

    The polygons stay in the ``outline`` column (outline coverage, areas).
    """
    frame = communes.drop(columns=["population"], errors="ignore").merge(
        run.table.frame, on="commune_code", how="inner", validate="1:1"
    )
    if frame.empty:
        raise PlanError(f"run {run.record.run_id} has no commune of this workspace")
    frame["outline"] = frame.geometry.values
    return frame.set_geometry(frame.geometry.representative_point())


def plan_sites(
    frame: gpd.GeoDataFrame,
    chosen: Sequence[int],
    added: Sequence[float],
    total: float,
    freq: list[float] | None,
) -> list[Site]:
    """Rows ``chosen`` of ``frame`` as plan sites with what each adds and its frequency."""
    freq = freq or [None] * len(chosen)
    return [
        replace(_site(frame, i, a, total), frequency=f)
        for i, a, f in zip(chosen, added, freq, strict=True)
    ]


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
