"""The demo's hidden truth: a log-risk surface that the layers only show through noisy proxies.

The repatriation counts are drawn from this surface. On purpose it is not built from the model's
indicators: distance is measured to the true border (the border layer is a generalised line 1-8
km off), the border term is a Cauchy bell rather than an exponential decay, most entry points
and a smuggling road are in no layer, poverty enters without the survey noise of the published
rate, recruitment networks (one appearing in 2023) and a spatially correlated field are hidden,
and industrial zones only count from the year they opened. See docs/method.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.random import Generator

from geo.synthetic.landscape import Land, exactly_in, remoteness

YEARS = np.arange(2021, 2026)


@dataclass(frozen=True)
class Truth:
    """What only the generator knows: hidden places and the log-risk per commune and year."""

    entry_points: np.ndarray  # (n, 2) unmapped border trails, metres
    corridor: shapely.LineString  # smuggling road from one trail inland, in no layer
    log_risk: np.ndarray  # (communes, len(YEARS))


def hidden_truth(rng: Generator, land: Land, cells: np.ndarray, zones: gpd.GeoDataFrame) -> Truth:
    """Draw the hidden drivers and sum them into a log-risk per commune and year (unitless)."""
    anchor = shapely.point_on_surface(cells)
    xy = shapely.get_coordinates(anchor)
    entries = shapely.get_coordinates(
        shapely.line_interpolate_point(land.border, rng.uniform(0.05, 0.85, 6), normalized=True)
    )
    corridor = _corridor(rng, entries[0], land.towns[0])
    d_border = shapely.distance(land.border, anchor) / 1000.0
    d_entry = np.hypot(*(xy[:, None, :] - entries[None]).transpose(2, 0, 1)).min(axis=1) / 1000.0
    d_road = shapely.distance(corridor, anchor) / 1000.0
    upland = remoteness(xy[:, 0], xy[:, 1])
    static = (
        1.6 / (1 + (d_border / 12.0) ** 2)
        + 0.9 * np.exp(-((d_entry / 7.0) ** 2))
        + 0.8 * np.exp(-((d_road / 4.0) ** 2))
        + 1.2 * (0.4 * upland**1.5)
        + _networks(rng, land, xy, 3)
        + _field(rng, land, xy)
        + rng.normal(0, 0.15, len(xy))
    )
    late = _networks(rng, land, xy, 1)  # a network that starts recruiting in 2023
    by_year = static[:, None] + late[:, None] * (YEARS >= 2023)
    return Truth(entries, corridor, by_year + _zone_pull(land, zones, anchor))


def _corridor(rng: Generator, start: np.ndarray, end: np.ndarray) -> shapely.LineString:
    """A bent road from ``start`` to ``end`` (metres), like the roads of the landscape."""
    t = np.linspace(0.0, 1.0, 24)[:, None]
    bend = (start + end) / 2 + rng.normal(0, 0.2) * np.array([start[1] - end[1], end[0] - start[0]])
    return shapely.LineString((1 - t) ** 2 * start + 2 * t * (1 - t) * bend + t**2 * end)


def _networks(rng: Generator, land: Land, xy: np.ndarray, n: int) -> np.ndarray:
    """Log-risk of ``n`` smooth regional hot spots (recruiter networks); no layer has them."""
    centres = exactly_in(rng, land.province, n)
    spread = rng.uniform(6000.0, 12000.0, n)
    weight = rng.uniform(0.5, 0.9, n)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return (weight * np.exp(-d2 / (2 * spread**2))).sum(axis=1)


def _field(rng: Generator, land: Land, xy: np.ndarray, n: int = 40) -> np.ndarray:
    """Spatially correlated noise (sd about 0.2): a sum of random-signed 8 km bumps."""
    centres = exactly_in(rng, land.province, n)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    bumps = np.exp(-d2 / (2 * 8000.0**2)) @ rng.normal(0, 1, n)
    return 0.2 * bumps / max(bumps.std(), 1e-9)


def _zone_pull(land: Land, zones: gpd.GeoDataFrame, anchor: np.ndarray) -> np.ndarray:
    """Recruiters around industrial zones, from the year each opened: (communes, years)."""
    pull = np.zeros((len(anchor), len(YEARS)))
    for zone, opened, share in zip(
        zones.geometry.to_numpy(), zones["opening_year"], zones["migrant_share"], strict=True
    ):
        near = 0.6 * share * np.exp(-shapely.distance(zone, anchor) / 6000.0)
        pull += near[:, None] * (YEARS >= opened)
    return pull
