"""Side-by-side comparisons with the obvious alternatives: zonal engines, point-in-polygon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from benchmarks.stages import say, timed

#: Polygons rasterstats sums (~8 ms and growing memory each); its time is scaled to all.
ZONAL_SAMPLE = 2_000
#: Polygons run through the naive point-in-polygon loop (each one tests every venue).
PIP_SAMPLE = 100


def sample_rows(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted positions of a fixed seeded sample of ``size`` rows out of ``n`` (all if fewer)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def zonal(
    raster: Path, communes: gpd.GeoDataFrame, *, sample: int, seed: int, repeat: int = 3
) -> dict[str, Any]:
    """Seconds of zonal sums of every commune three ways, timed in one run.

    The pipeline path (``geo.zonal.zonal_stats`` as ``risk.inputs`` calls it); a bare
    ``exactextract.exact_extract(raster, polygons, "sum")`` on the same polygons (given in
    the raster's CRS) and raster; rasterstats, timed on a fixed sample and scaled to all.
    """
    import rasterio
    from exactextract import exact_extract

    from geo.zonal import zonal_stats, zonal_sum

    n, runs = len(communes), min(repeat, 3)
    ee_s, ee = timed(lambda: zonal_stats(raster, communes), repeat=runs)
    say("zonal exactextract (pipeline)", ee_s, f"{n} communes, median of {ee_s.runs}")
    with rasterio.open(raster) as src:
        polygons = gpd.GeoDataFrame(geometry=communes.geometry.to_crs(src.crs))
    bare_s, bare = timed(lambda: exact_extract(str(raster), polygons, "sum"), repeat=runs)
    bare_sums = np.array([f["properties"]["sum"] for f in bare], dtype=float)
    say("zonal exactextract (bare)", bare_s, f"ratio pipeline/bare {ee_s / bare_s:.2f}")
    rows = sample_rows(n, sample, seed)
    rs_sample_s, rs = timed(lambda: zonal_sum(raster, communes.iloc[rows], engine="rasterstats"))
    rs_s = rs_sample_s * n / len(rows)
    say("zonal rasterstats", rs_sample_s, f"{len(rows)} communes; all est. {rs_s:.1f} s")
    return {
        "zonal_exactextract_s": ee_s,
        "zonal_exactextract_bare_s": bare_s,
        "zonal_rasterstats_s": rs_s,
        "zonal_rasterstats_sample_s": rs_sample_s,
        "zonal_polygons": len(rows),
        "zonal_sampled": len(rows) < n,
        "zonal_vs_bare": ee_s / bare_s,
        "zonal_ratio": rs_s / ee_s,
        "zonal_exactextract_ms_per_polygon": ee_s / n * 1000,
        "zonal_rasterstats_ms_per_polygon": rs_sample_s / len(rows) * 1000,
        "zonal_bare_diff_pct": _diff_pct(ee.sums, bare_sums),
        "zonal_total_diff_pct": _diff_pct(ee.sums[rows], rs),
    }


def _diff_pct(reference: np.ndarray, other: np.ndarray) -> float:
    """Difference of two totals, % of the first."""
    return float(abs(np.nansum(other) - np.nansum(reference)) / np.nansum(reference) * 100)


def naive_counts(polygons: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Points in each polygon the obvious way: one ``shapely.contains`` over all points each."""
    return np.array([int(shapely.contains(poly, points).sum()) for poly in polygons])


def point_in_polygon(
    communes: gpd.GeoDataFrame, venues: gpd.GeoDataFrame, *, sample: int, repeat: int, seed: int
) -> dict[str, Any]:
    """Venues per commune: a naive loop on a sample vs the STRtree path the pipeline uses."""
    from geo.measures import weighted_points_within

    polys = communes.geometry.to_numpy()
    points = venues.geometry.to_numpy()
    indexed_s, counts = timed(lambda: weighted_points_within(polys, points), repeat=repeat)
    detail = f"{len(points)} venues → {len(polys)} communes, median of {indexed_s.runs}"
    say("pip indexed (STRtree)", indexed_s, detail)
    rows = sample_rows(len(polys), sample, seed)
    naive_s, naive = timed(lambda: naive_counts(polys[rows], points))
    per_1k = naive_s / len(rows) * 1000
    whole = per_1k * len(polys) / 1000
    say("pip naive loop", naive_s, f"{len(rows)} communes; {per_1k:.2f} s per 1,000")
    return {
        "pip_indexed_s": indexed_s,
        "pip_naive_polygons": len(rows),
        "pip_naive_per_1k_polys_s": per_1k,
        "pip_naive_all_est_s": whole,
        "pip_ratio": whole / indexed_s,
        "pip_counts_agree": bool(np.array_equal(naive, counts[rows].astype(int))),
    }
