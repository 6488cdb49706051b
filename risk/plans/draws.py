"""How often a plan's choices stay when the weights are drawn again (its robustness)."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from risk.errors import PlanError
from risk.plans.covering import score_draws
from risk.results import raw_col
from risk.runs import ScoreRun


def draw_frequencies(
    draws: int,
    replan: Callable[[np.ndarray], np.ndarray],
    run: ScoreRun,
    demand: gpd.GeoDataFrame,
    seed: int,
) -> list[float] | None:
    """Per chosen site, the share (0-1) of ``draws`` weight draws that keep it; None if 0 draws.

    ``replan`` turns the draws × communes scores into each chosen site's share of draws.
    """
    if draws < 0:
        raise PlanError(f"draws is {draws}, expected 0 (skip) or more")
    if draws == 0:
        return None
    names = list(run.record.weights)
    raw = pd.DataFrame({n: demand[raw_col(n)].to_numpy(dtype=float) for n in names})
    scores = score_draws(raw, run.record.weights, run.record.parameters, draws=draws, seed=seed)
    return [round(float(f), 4) for f in replan(scores)]


def draws_note(draws: int, how: str) -> str:
    """The note saying what a site's frequency means for ``draws`` draws re-planned ``how``."""
    return (
        f"frequency: share of {draws} weight draws (the profile's sensitivity concentration) "
        f"whose {how} keep the site"
    )
