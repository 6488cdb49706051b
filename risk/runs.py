"""A score run: its record and score table (stored and reloaded by :mod:`risk.store`)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from risk.results import RunRecord, ScoreTable


@dataclass(frozen=True)
class ScoreRun:
    """A stored (or storable) run: its record and its score table."""

    record: RunRecord
    table: ScoreTable
    communes: gpd.GeoDataFrame | None = None  # the commune polygons scored, when at hand
