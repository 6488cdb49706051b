"""Hot and cold spots of the score: Getis-Ord Gi* with queen contiguity and FDR control."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

#: Confidence levels, most confident first, and the false-discovery rate each allows.
LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
HOTSPOT_CLASSES = ("hot_99", "hot_95", "hot_90", "ns", "cold_90", "cold_95", "cold_99")


@dataclass(frozen=True)
class Hotspots:
    """Per commune: Gi* z-score, two-sided p-value, FDR-adjusted p-value and class."""

    z: NDArray[np.float64]
    p: NDArray[np.float64]
    q: NDArray[np.float64]
    classes: NDArray[np.str_]
    islands: tuple[int, ...]


def queen_neighbours(communes: gpd.GeoSeries | gpd.GeoDataFrame):
    """Queen contiguity (a shared edge or corner) between communes, as a libpysal ``W``.

    Multipart communes are neighbours of everything any part touches. Communes touching no
    other (islands) are kept with no neighbours.
    """
    from libpysal.weights import Queen

    if not isinstance(communes, gpd.GeoDataFrame):
        communes = gpd.GeoDataFrame(geometry=communes)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(islands|disconnected components).*")
        frame = communes.reset_index(drop=True)
        return Queen.from_dataframe(frame, use_index=False, silence_warnings=True)


def getis_ord(values: ArrayLike, neighbours) -> Hotspots:
    """Gi* hot and cold spots of ``values`` (e.g. scores) over ``neighbours`` (a libpysal W).

    Notes
    -----
    Getis & Ord (1992), Ord & Getis (1995): Gi* compares the sum of a commune's value and its
    neighbours' (binary weights, the commune itself included) with what a random arrangement
    of the same values would give, as a z-score. Two-sided p-values from the normal
    approximation are adjusted with the Benjamini-Hochberg false-discovery rate over all
    communes; a commune is a hot (cold) spot at 99/95/90 % when its adjusted p-value is at
    most 0.01/0.05/0.10 and z > 0 (< 0). Islands (no neighbour) are never classed: their Gi*
    would only restate their own value. No randomness: the same inputs give the same classes.
    """
    from esda.getisord import G_Local

    y = np.asarray(values, dtype=float)
    islands = tuple(int(i) for i in neighbours.islands)
    if len(y) < 3 or np.ptp(y) == 0:  # nothing to compare: every commune is "ns"
        n = len(y)
        return Hotspots(np.zeros(n), np.ones(n), np.ones(n), np.full(n, "ns"), islands)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        gi = G_Local(y, neighbours, transform="B", permutations=0, star=True)
    z = np.nan_to_num(np.asarray(gi.Zs, dtype=float), nan=0.0)
    z[list(islands)] = 0.0
    p = 2 * stats.norm.sf(np.abs(z))
    q = stats.false_discovery_control(p, method="bh")
    return Hotspots(z, p, q, hotspot_classes(z, q), islands)


def hotspot_classes(z: ArrayLike, q: ArrayLike) -> NDArray[np.str_]:
    """Class per commune from Gi* z-scores and FDR-adjusted p-values: hot_99 ... ns ... cold_99."""
    z, q = np.asarray(z, dtype=float), np.asarray(q, dtype=float)
    out = np.full(len(z), "ns", dtype=object)
    for level, alpha in reversed(LEVELS):  # least confident first, overwritten by the more
        sig = q <= alpha
        out[sig & (z > 0)] = f"hot_{level}"
        out[sig & (z < 0)] = f"cold_{level}"
    return out.astype(str)
