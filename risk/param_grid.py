"""Indicator values on a small grid of decay lengths, for the uncertainty draws (cached)."""

from __future__ import annotations

import numpy as np

from geo.workspace import Workspace
from geo.zonal import DEFAULT_ENGINE
from risk.inputs import cached_inputs
from risk.profiles import Profile
from risk.sensitivity import FACTORS

#: Indicators whose decay length is drawn from the grid (their values need the geometry).
GRID = {"crossing_access": "crossing_decay_km", "industrial_workers": "industrial_decay_km"}


def decay_grids(
    ws: Workspace, profile: Profile, *, zonal_engine: str = DEFAULT_ENGINE, executor=None
) -> dict[str, dict[float, np.ndarray]]:
    """Per weighted indicator of :data:`GRID`: its values at each decay length λ·f, f in FACTORS.

    Each grid point is one ordinary indicator computation, kept by :mod:`risk.cache` like any
    other: the first score of a workspace pays for it, re-scoring reads it back.
    """
    names = [n for n in GRID if profile.weights.get(n, 0) > 0]
    if not names:
        return {}
    out: dict[str, dict[float, np.ndarray]] = {n: {} for n in names}
    for factor in FACTORS:
        settings = {GRID[n]: profile.parameters[GRID[n]] * factor for n in names}
        varied = profile if factor == 1.0 else profile.with_settings(settings, source="grid")
        inputs = cached_inputs(ws, varied, zonal_engine=zonal_engine, executor=executor)
        for name in names:
            if name in inputs.indicators:
                out[name][factor] = inputs.indicators[name].to_numpy()
    return {n: g for n, g in out.items() if len(g) == len(FACTORS)}
