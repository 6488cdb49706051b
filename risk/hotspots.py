"""Clusters of high and low scores: Getis-Ord Gi*, conditional permutations, FDR control."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import stats

#: Class suffix, strictest first, and the false-discovery rate (q) each allows.
LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
#: Conditional permutations per commune (pseudo p-values no smaller than 1/1000).
PERMUTATIONS = 999
#: Communes whose outlines lie closer than this are neighbours, m. Real outlines, each thinned
#: on its own (about 160 m in the census geometry), overlap and leave gaps where they meet;
#: 200 m joins every commune of the demo and of the three real provinces to its land neighbours
#: and adds few corner neighbours (mean neighbours 5.8 at 200 m, 5.7 at 100 m in Nghệ An).
TOUCH_TOLERANCE_M = 200.0
HOTSPOT_CLASSES = ("hot_99", "hot_95", "hot_90", "ns", "cold_90", "cold_95", "cold_99")


@dataclass(frozen=True)
class Hotspots:
    """Per commune: Gi* z-score, permutation pseudo p-value, FDR-adjusted q-value and class."""

    z: NDArray[np.float64]
    p: NDArray[np.float64]
    q: NDArray[np.float64]
    classes: NDArray[np.str_]
    islands: tuple[int, ...]


def queen_neighbours(
    communes: gpd.GeoSeries | gpd.GeoDataFrame, *, tolerance_m: float = TOUCH_TOLERANCE_M
):
    """Fuzzy queen contiguity between communes, as a libpysal ``W`` (binary, symmetric).

    Two communes are neighbours when their outlines overlap, touch, or lie within
    ``tolerance_m`` metres of each other (measured in a metric CRS chosen from their extent
    when they are in degrees). Exact queen contiguity needs shared vertices, which real
    outlines, each thinned on its own, never have: they overlap and leave gaps instead.
    Multipart communes are neighbours of everything any part is near. Communes near no other
    (islands) are kept with no neighbours.
    """
    from libpysal.weights import W

    geoms = _metric_geometries(communes)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=tolerance_m)
    lists: dict[int, list[int]] = {i: [] for i in range(len(geoms))}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            lists[i].append(j)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(islands|disconnected components).*")
        return W({i: sorted(js) for i, js in lists.items()}, silence_warnings=True)


def _metric_geometries(communes: gpd.GeoSeries | gpd.GeoDataFrame) -> np.ndarray:
    """The communes' geometries in metres (unchanged when their CRS is projected or unset)."""
    series = communes.geometry if isinstance(communes, gpd.GeoDataFrame) else communes
    if series.crs is not None and series.crs.is_geographic:
        from geo.crs import to_metric

        series = to_metric(gpd.GeoDataFrame(geometry=series)).geometry
    return series.to_numpy()


def getis_ord(
    values: ArrayLike, neighbours, *, permutations: int = PERMUTATIONS, seed: int | None = 0
) -> Hotspots:
    """Clusters of high (low) ``values`` (e.g. scores) over ``neighbours`` (a libpysal W).

    Notes
    -----
    Getis & Ord (1992), Ord & Getis (1995): Gi* compares the sum of a commune's value and its
    neighbours' (binary weights, the commune itself included) with what the other values,
    drawn at random into its neighbourhood, would give (conditional permutation: esda's
    ``G_Local`` with ``permutations``, seeded). The two-sided pseudo p-value (twice esda's
    folded ``p_sim``, at most 1) is adjusted with the Benjamini-Hochberg false-discovery rate
    over all communes; a commune is ``hot_99/95/90`` (``cold_...``) when its q-value is at most
    0.01/0.05/0.10 and its Gi* is above (below) its expectation (z > 0, z < 0).

    What this supports, and no more: the scores around the commune are higher (lower) than
    an arrangement of the same scores at random would give. Scores are built from spatially
    smooth inputs (distance to the border), so such clusters are expected by construction:
    they describe the map of scores, they are not evidence of trafficking beyond the score and
    carry no "confidence" about risk. Islands (no neighbour) are never classed.
    """
    from esda.getisord import G_Local

    y = np.asarray(values, dtype=float)
    islands = tuple(int(i) for i in neighbours.islands)
    n = len(y)
    if n < 3 or np.ptp(y) == 0 or permutations < 1:  # nothing to compare: every commune "ns"
        return Hotspots(np.zeros(n), np.ones(n), np.ones(n), np.full(n, "ns"), islands)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        gi = G_Local(
            y,
            neighbours,
            transform="B",
            permutations=permutations,
            star=True,
            seed=seed,
            keep_simulations=False,
            n_jobs=1,
        )
    z = np.nan_to_num(np.asarray(gi.Zs, dtype=float), nan=0.0)  # direction and size only
    p = np.minimum(1.0, 2 * np.nan_to_num(np.asarray(gi.p_sim, dtype=float), nan=1.0))
    z[list(islands)], p[list(islands)] = 0.0, 1.0
    q = stats.false_discovery_control(p, method="bh")
    return Hotspots(z, p, q, hotspot_classes(z, q), islands)


def hotspot_classes(z: ArrayLike, q: ArrayLike) -> NDArray[np.str_]:
    """Class per commune from Gi* z-scores and q-values (FDR): hot_99 ... ns ... cold_99."""
    z, q = np.asarray(z, dtype=float), np.asarray(q, dtype=float)
    out = np.full(len(z), "ns", dtype=object)
    for level, alpha in reversed(LEVELS):  # least confident first, overwritten by the more
        sig = q <= alpha
        out[sig & (z > 0)] = f"hot_{level}"
        out[sig & (z < 0)] = f"cold_{level}"
    return out.astype(str)
