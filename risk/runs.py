"""A score run: its record and score table (stored and reloaded by :mod:`risk.store`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd

from risk.results import RunRecord, ScoreTable


@dataclass(frozen=True)
class ScoreRun:
    """A stored (or storable) run: its record and score table, and its viewer variants.

    ``views`` maps a suppression rule's key (:attr:`risk.privacy.Suppression.key`) to the same
    run scored from what that rule's viewers may see (:func:`risk.privacy.viewer_repatriations`).
    """

    record: RunRecord
    table: ScoreTable
    communes: gpd.GeoDataFrame | None = None  # the commune polygons scored, when at hand
    views: Mapping[str, ScoreRun] = field(default_factory=dict)
