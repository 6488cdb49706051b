"""Timed benchmark stages: generate files, run the real pipeline, then time its pieces.

Every stage returns a dict of figures (seconds unless the key says ``_ms`` or ``_mb``). Short
stages are timed ``repeat`` times and report the median; long ones run once.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from benchmarks.national import National, make_national
from geo.schema import VECTOR_LAYERS

T = TypeVar("T")
#: Layers in the order a user ingests them (communes first: the others are checked against them).
INGEST_ORDER = (*VECTOR_LAYERS, "population")
#: Indicator builders of ``risk.indicators.compute_indicators``, by the layer each one needs.
INDICATOR_LAYERS = ("border", "crossings", "venues", "industrial_zones", "repatriations")
PROFILE = "patrol"


def say(stage: str, seconds: float, detail: str = "") -> None:
    """One progress line on stderr: stage, time and what was measured."""
    sys.stderr.write(f"[bench] {stage:<28} {seconds:9.3f} s  {detail}\n")
    sys.stderr.flush()


class Seconds(float):
    """A median time in seconds that remembers how many runs it is the median of."""

    runs: int = 1


def timed(fn: Callable[[], T], *, repeat: int = 1, budget_s: float = 15.0) -> tuple[Seconds, T]:
    """Median wall time (s) of up to ``repeat`` calls of ``fn``, and the last call's result.

    Repeats stop once ``budget_s`` is spent: a stage that long is timed fewer times.
    """
    times: list[float] = []
    result = None
    while len(times) < max(1, repeat) and sum(times) < budget_s:
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    seconds = Seconds(statistics.median(times))
    seconds.runs = len(times)
    return seconds, result


def generate(
    folder: Path, *, scale: float, seed: int, structure: str = "2009"
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Generate national data at ``scale``, write it as the files users have; figures, files.

    The generated frames are dropped on return: the pipeline starts from the files.
    """
    seconds, national = timed(
        lambda: make_national(folder, scale=scale, seed=seed, structure=structure)
    )
    files = write_files(national, folder)
    layers = national.layers
    figures = {
        "generate_s": seconds,
        "communes": len(layers["communes"]),
        "provinces": int(layers["communes"]["province_name"].nunique()),
        "venues": len(layers["venues"]),
        "crossings": len(layers["crossings"]),
        "industrial_zones": len(layers["industrial_zones"]),
        "repatriation_rows": len(layers["repatriations"]),
        "raster_pixels": national.pixels,
    }
    detail = f"{figures['communes']} communes in {figures['provinces']} provinces ({structure})"
    say("generate", seconds, f"{detail}, {figures['venues']} venues")
    return figures, files


def write_files(national: National, folder: Path) -> dict[str, Path]:
    """Write each layer in a format users really have: GeoPackage, CSV with lon/lat, GeoTIFF."""
    files = {"population": national.raster}
    for name in ("communes", "border", "crossings", "industrial_zones"):
        files[name] = folder / f"{name}.gpkg"
        pyogrio.write_dataframe(national.layers[name], files[name], layer=name, driver="GPKG")
    venues = national.layers["venues"].to_crs(4326)
    files["venues"] = folder / "venues.csv"
    pd.DataFrame(
        {
            "kind": venues["kind"].to_numpy(),
            "lon": venues.geometry.x.round(6),
            "lat": venues.geometry.y.round(6),
        }
    ).to_csv(files["venues"], index=False, encoding="utf-8-sig")
    files["repatriations"] = folder / "repatriations.csv"
    national.layers["repatriations"].to_csv(
        files["repatriations"], index=False, encoding="utf-8-sig"
    )
    return files


def ingest(root: Path, files: dict[str, Path]) -> dict[str, float]:
    """Ingest every file into the workspace at ``root`` with ``geo.ingest``; seconds per layer."""
    from geo.ingest import IngestOptions, ingest_file
    from geo.limits import Limits

    big = Limits(max_file_mb=5_000.0, max_features=5_000_000)
    options = IngestOptions(limits=big, actor="bench")
    seconds = {}
    for layer in INGEST_ORDER:
        seconds[layer], report = timed(
            lambda layer=layer: ingest_file(root, files[layer], layer, options=options)
        )
        if not report.rows_stored or report.errors:
            lines = "\n".join(report.lines()[:10])
            raise RuntimeError(f"ingest of {files[layer].name} as {layer} failed:\n{lines}")
        say(f"ingest {layer}", seconds[layer], f"{report.rows_stored} rows")
    return seconds


def pipeline(root: Path, files: dict[str, Path]) -> tuple[dict[str, Any], Any]:
    """Files → workspace → scores → map, as ``riskmap ingest``/``score``/``map`` do; wall times."""
    from api.render import write_map
    from geo.workspace import Workspace
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile

    start = time.perf_counter()
    ingest_s = ingest(root, files)
    ws, profile = Workspace.open(root), load_profile(PROFILE)
    score_s, run = timed(lambda: score_workspace(ws, profile, actor="bench"))
    say("score workspace (cold)", score_s, f"run {run.record.run_id}")
    map_s, path = timed(lambda: write_map(ws, profile, actor="bench"))
    mb = path.stat().st_size / 1e6
    say("map (as riskmap map)", map_s, f"{mb:.1f} MB")
    total = time.perf_counter() - start
    say("national pipeline", total, "files → scores → map")
    figures = {
        "national_pipeline_s": total,
        "ingest_s": sum(ingest_s.values()),
        "ingest_layers_s": ingest_s,
        "score_workspace_s": score_s,
        "map_s": map_s,
        "map_html_mb": mb,
    }
    return figures, ws


@dataclass(frozen=True)
class MetricLayers:
    """The stored layers in the metric CRS the pipeline measures in."""

    communes: gpd.GeoDataFrame
    layers: dict[str, pd.DataFrame]


def metric_layers(ws: Any) -> MetricLayers:
    """Read the workspace's layers back and reproject them as ``risk.pipeline`` does."""
    from geo.crs import to_metric

    communes = to_metric(ws.read_layer("communes"))
    layers = {}
    for name in INDICATOR_LAYERS:
        frame = ws.read_layer(name)
        layers[name] = frame.to_crs(communes.crs) if isinstance(frame, gpd.GeoDataFrame) else frame
    return MetricLayers(communes, layers)


def indicators(data: MetricLayers, population: np.ndarray, *, repeat: int) -> dict[str, Any]:
    """Seconds of ``compute_indicators`` for each layer's indicators alone, and for all of them."""
    from risk.indicators import compute_indicators
    from risk.profiles import load_profile

    params = load_profile(PROFILE).parameters
    per_layer = {}
    for layer in INDICATOR_LAYERS:
        one = {layer: data.layers[layer]}
        per_layer[layer], _ = timed(
            lambda one=one: compute_indicators(data.communes, one, population, params),
            repeat=repeat,
        )
        say(f"indicators {layer}", per_layer[layer], f"median of {per_layer[layer].runs}")
    all_s, _ = timed(lambda: compute_indicators(data.communes, data.layers, population, params))
    say("indicators (all)", all_s)
    return {"indicators_s": per_layer, "indicators_all_s": all_s}


def inputs_breakdown(ws: Any, data: MetricLayers) -> dict[str, float]:
    """Seconds of the other steps of reading inputs: layers read, contiguity (hot spots)."""
    from risk.hotspots import queen_neighbours

    read_s, _ = timed(lambda: metric_layers(ws))
    say("read + reproject layers", read_s)
    queen_s, _ = timed(lambda: queen_neighbours(data.communes.geometry))
    say("queen contiguity", queen_s)
    return {"read_layers_s": read_s, "queen_neighbours_s": queen_s}
