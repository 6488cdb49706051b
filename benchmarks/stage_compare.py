"""Side-by-side comparisons with the obvious alternatives: zonal engines, point-in-polygon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from benchmarks.stages import say, timed

#: Polygons compared by both zonal engines (rasterstats costs ~15 ms and grows memory per polygon).
ZONAL_SAMPLE = 2_000
#: Polygons run through the naive point-in-polygon loop (each one tests every venue).
PIP_SAMPLE = 100


def sample_rows(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted positions of a fixed seeded sample of ``size`` rows out of ``n`` (all if fewer)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def zonal(raster: Path, communes: gpd.GeoDataFrame, *, sample: int, seed: int) -> dict[str, Any]:
    """Zonal sums: exactextract on every commune (the pipeline path), both engines on a sample."""
    from geo.zonal import zonal_sum

    all_s, _ = timed(lambda: zonal_sum(raster, communes, engine="exactextract"))
    say("zonal exactextract (all)", all_s, f"{len(communes)} communes")
    rows = sample_rows(len(communes), sample, seed)
    subset = communes.iloc[rows]
    ee_s, ee = timed(lambda: zonal_sum(raster, subset, engine="exactextract"))
    say("zonal exactextract", ee_s, f"{len(rows)} communes")
    rs_s, rs = timed(lambda: zonal_sum(raster, subset, engine="rasterstats"))
    say("zonal rasterstats", rs_s, f"{len(rows)} communes, ratio {rs_s / ee_s:.1f}×")
    return {
        "zonal_exactextract_all_s": all_s,
        "zonal_polygons": len(rows),
        "zonal_sampled": len(rows) < len(communes),
        "zonal_exactextract_s": ee_s,
        "zonal_rasterstats_s": rs_s,
        "zonal_ratio": rs_s / ee_s,
        "zonal_exactextract_ms_per_polygon": ee_s / len(rows) * 1000,
        "zonal_rasterstats_ms_per_polygon": rs_s / len(rows) * 1000,
        "zonal_total_diff_pct": float(abs(np.nansum(rs) - np.nansum(ee)) / np.nansum(ee) * 100),
    }


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
