"""``benchmarks/RESULTS.md``: the figures as a Markdown table, keeping hand-written notes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

#: The issue's targets on the 2-core, 24 GB machine at national scale: key → (limit, unit, what).
TARGETS: dict[str, tuple[float, str, str]] = {
    "national_pipeline_s": (180.0, "s", "whole pipeline, files → scores → map"),
    "rescore_ms": (50.0, "ms", "re-scoring with new weights"),
    "montecarlo_1000_s": (2.0, "s", "Monte Carlo sensitivity, 1,000 draws"),
    "peak_rss_mb": (8000.0, "MB", "peak memory (this process and its children)"),
    "map_html_mb": (6.0, "MB", "map HTML"),
    "post_scores_p95_ms": (150.0, "ms", "slider: POST /scores over HTTP, p95"),
    "map_first_render_s": (2.0, "s", "national map, first render in Chromium"),
    "zonal_vs_bare": (1.2, "×", "zonal pipeline path / a bare exactextract call"),
    "admin2025_pipeline_s": (180.0, "s", "whole pipeline, structure since July 2025"),
    "admin2025_rescore_ms": (50.0, "ms", "re-scoring, structure since July 2025"),
    "load_p95_ms": (150.0, "ms", "make load SCALE=full: p95 of 50 clients, national"),
}
#: Targets a figure must reach or pass: key → (floor, unit, what).
FLOORS: dict[str, tuple[float, str, str]] = {
    "zonal_ratio": (8.0, "×", "rasterstats time / zonal pipeline path time"),
}
LIBRARIES = (
    "geopandas",
    "shapely",
    "rasterio",
    "exactextract",
    "rasterstats",
    "numpy",
    "pandas",
    "pyogrio",
    "folium",
    "dask",
    "distributed",
)
#: Everything from this line down is kept when the table is regenerated.
MARKER = "<!-- Hand-written notes below this line are kept by `make bench`. -->"
NOTES = """
## Before/after

Profiling notes (py-spy / pyinstrument), written by hand: what was slow, the fix, and the
figures before and after it.
"""


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries the stages exercise (GEOS too)."""
    import shapely

    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    found["GEOS"] = shapely.geos_version_string
    return found


def _s(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:,.1f} MB"
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:.3g} s" if value < 10 else f"{value:,.1f} s"


def _target_cells(key: str, figures: Mapping[str, Any]) -> list[str]:
    value = figures[key]
    if key in FLOORS:
        floor, unit, _ = FLOORS[key]
        return [_s(value, unit), f"≥ {floor:g}{unit}", "pass" if value >= floor else "**FAIL**"]
    limit, unit, _ = TARGETS[key]
    gap = "" if unit == "×" else " "
    return [_s(value, unit), f"< {limit:g}{gap}{unit}", "pass" if value < limit else "**FAIL**"]


def rows(f: Mapping[str, Any]) -> list[list[str]]:
    """Table rows: stage, figure, target, pass/fail, alternative, ratio."""
    out = [["whole pipeline, files → scores → map", *_target_cells("national_pipeline_s", f)]]
    out[-1] += ["", ""]
    out.append(["ingest, 7 files (geo.ingest)", _s(f["ingest_s"]), "", "", "", ""])
    for layer, seconds in f["ingest_layers_s"].items():
        out.append([f"  ingest {layer}", _s(seconds), "", "", "", ""])
    out.append(["score workspace, cold (all inputs + analyses)", _s(f["score_workspace_s"])])
    out[-1] += ["", "", "", ""]
    out.append(["read + reproject layers", _s(f["read_layers_s"]), "", "", "", ""])
    out.append(["queen contiguity (hot spots)", _s(f["queen_neighbours_s"]), "", "", "", ""])
    for layer, seconds in f["indicators_s"].items():
        out.append([f"indicators from {layer}", _s(seconds), "", "", "", ""])
    out.append(["indicators, all layers", _s(f["indicators_all_s"]), "", "", "", ""])
    out += _zonal_rows(f) + _pip_rows(f) + _model_rows(f) + _dask_rows(f) + _admin2025_rows(f)
    out.append(["peak memory", *_target_cells("peak_rss_mb", f), "", ""])
    return out + _load_rows(f)


def _load_rows(f: Mapping[str, Any]) -> list[list[str]]:
    """``make load SCALE=full``'s row, from results.json (its own run, its own date)."""
    if "load_p95_ms" not in f:
        return [["load, 50 clients, national (make load SCALE=full)", "not measured"] + [""] * 4]
    load = f.get("load", {})
    when = f"measured {load.get('measured_at', '?')}, load average {load.get('load_average_1m')}"
    return [
        [
            f"load, {load.get('clients', '?')} clients, {load.get('communes', '?'):,} communes: "
            "p95 of province scores and commune details",
            *_target_cells("load_p95_ms", f),
            f"{f['load_errors']} errors (target 0); {when}",
            "",
        ]
    ]


def _zonal_rows(f: Mapping[str, Any]) -> list[list[str]]:
    n, sample = f["communes"], f["zonal_polygons"]
    scaled = f" (timed on a fixed sample of {sample:,}, scaled ×{n / sample:.2f})"
    how = scaled if f["zonal_sampled"] else ""
    bare = 'bare `exact_extract(raster, polygons, "sum")`, same run: '
    bare += _s(f["zonal_exactextract_bare_s"])
    return [
        [
            f"zonal population, all {n:,} communes, pipeline path (geo.zonal as risk.inputs)",
            f"{_s(f['zonal_exactextract_s'])} ({f['zonal_exactextract_ms_per_polygon']:.2f} "
            "ms/polygon)",
            "",
            "",
            f"{bare}; sums differ by {f['zonal_bare_diff_pct']:.2g} %",
            "",
        ],
        [
            "  zonal pipeline path / bare exactextract call",
            *_target_cells("zonal_vs_bare", f),
            bare,
            "",
        ],
        [
            "  rasterstats / zonal pipeline path",
            *_target_cells("zonal_ratio", f),
            f"rasterstats, same polygons and raster: {_s(f['zonal_rasterstats_s'])} for all{how}; "
            f"totals differ by {f['zonal_total_diff_pct']:.2f} %",
            "",
        ],
    ]


def _admin2025_rows(f: Mapping[str, Any]) -> list[list[str]]:
    what = f"structure since July 2025, {f['admin2025_communes']:,} communes and wards in "
    what += f"{f['admin2025_provinces']} provinces"
    return [
        [f"whole pipeline, {what}", *_target_cells("admin2025_pipeline_s", f), "", ""],
        ["  score workspace, cold (2025)", _s(f["admin2025_score_workspace_s"]), "", "", "", ""],
        ["  re-scoring, new weights (2025)", *_target_cells("admin2025_rescore_ms", f), "", ""],
        ["  map HTML size (2025)", _s(f["admin2025_map_html_mb"], "MB"), "", "", "", ""],
    ]


def _pip_rows(f: Mapping[str, Any]) -> list[list[str]]:
    return [
        [
            f"point in polygon, {f['venues']:,} venues → {f['communes']:,} communes (STRtree)",
            _s(f["pip_indexed_s"]),
            "",
            "",
            f"naive loop (shapely.contains per commune over all venues) on "
            f"{f['pip_naive_polygons']} communes: {_s(f['pip_naive_per_1k_polys_s'])} per 1,000 "
            f"communes, est. {_s(f['pip_naive_all_est_s'])} for all; counts agree: "
            f"{'yes' if f['pip_counts_agree'] else 'NO'}",
            f"{f['pip_ratio']:,.0f}× slower",
        ]
    ]


def _model_rows(f: Mapping[str, Any]) -> list[list[str]]:
    out = [
        ["scoring (risk.scoring.score)", _s(f["score_s"]), "", "", "", ""],
        ["re-scoring with new weights, cached inputs", *_target_cells("rescore_ms", f), "", ""],
        [
            "re-scoring, POST /scores path (+ sensitivity, hot spots)",
            _s(f["rescore_api_path_ms"], "ms"),
            "",
            "",
            "",
            "",
        ],
        ["Monte Carlo sensitivity, 1,000 draws", *_target_cells("montecarlo_1000_s", f), "", ""],
        ["map render (riskmap map)", _s(f["map_s"]), "", "", "", ""],
        ["map HTML size", *_target_cells("map_html_mb", f), "", ""],
        *_interactive_rows(f),
    ]
    if "map_offline_html_mb" in f:
        offline = f"{_s(f['map_offline_s'])}, {_s(f['map_offline_html_mb'], 'MB')}"
        out.append(["map render, offline (riskmap map --offline)", offline, "", "", "", ""])
    return out


def _interactive_rows(f: Mapping[str, Any]) -> list[list[str]]:
    """Slider answer over HTTP and the map's first render, each beside the way before."""
    out = []
    if "post_scores_p95_ms" in f:
        old = f["post_scores_old_p95_ms"]
        out.append(
            [
                f"POST /scores, slider (no geometry, no analyses), p95 of "
                f"{f['post_scores_requests']} over HTTP",
                *_target_cells("post_scores_p95_ms", f),
                f"as before (geometry + analyses): p95 {_s(old, 'ms')}; analyses without "
                f"geometry: p95 {_s(f['post_scores_analyses_p95_ms'], 'ms')}",
                f"{old / f['post_scores_p95_ms']:.1f}× slower",
            ]
        )
    if "map_first_render_s" in f:
        old = f["map_old_first_render_s"]
        out.append(
            [
                "map first render, headless Chromium (navigation → communes drawn)",
                *_target_cells("map_first_render_s", f),
                f"old settings (GeoJSON features, 5 km venue grid): {_s(old)}, "
                f"{_s(f['map_old_html_mb'], 'MB')}",
                f"{old / f['map_first_render_s']:.1f}× slower",
            ]
        )
    return out


def _dask_rows(f: Mapping[str, Any]) -> list[list[str]]:
    if "dask_skipped" in f:
        return [["Dask executor", "not run", "", "", f["dask_skipped"], ""]]
    if "zonal_dask_1w_s" not in f:
        return [["Dask executor", "not run (--no-dask)", "", "", "", ""]]
    same = "identical to local" if f["dask_identical"] else "**DIFFER from local**"
    out = []
    for n in (1, 2):
        start = _s(f[f"dask_cluster_start_{n}w_s"])
        out.append([f"Dask LocalCluster start, {n} worker(s)", start, "", "", "", ""])
        for stage, local in (
            ("zonal", "zonal_local_s"),
            ("montecarlo", "montecarlo_local_s"),
        ):
            value = f[f"{stage}_dask_{n}w_s"]
            out.append(
                [
                    f"{stage} on Dask, {n} worker(s) ({same})",
                    _s(value),
                    "",
                    "",
                    f"local path, timed alongside: {_s(f[local])}",
                    f"{value / f[local]:.2f}× the local time",
                ]
            )
    return out


def table(f: Mapping[str, Any]) -> str:
    """The stage table as Markdown."""
    head = (
        "| stage | figure | target | pass/fail | alternative | ratio |\n|---|---|---|---|---|---|\n"
    )
    return head + "".join("| " + " | ".join(r) + " |\n" for r in rows(f))


def render(f: Mapping[str, Any], machine: Mapping[str, Any]) -> str:
    """RESULTS.md above the marker line: heading, scale, machine, libraries, table."""
    libs = ", ".join(f"{k} {v}" for k, v in f["library_versions"].items())
    national = "national scale" if f["scale"] == 1 else "targets are for scale 1"
    return (
        "# Benchmark results\n\n"
        f"Written by `python -m benchmarks.bench --scale {f['scale']:g}` (`make bench`) on "
        f"{f['bench_date']}, in {f['bench_total_s']:,.0f} s.\n\n"
        f"**Scale {f['scale']:g}** ({national}): {f['communes']:,} communes, "
        f"{f['venues']:,} venues, {f['crossings']:,} crossings, {f['industrial_zones']:,} "
        f"industrial zones, {f['repatriation_rows']:,} repatriation rows, a population raster "
        f"of {f['raster_pixels']:,} pixels (100 m). Short stages: median of up to {f['repeat']} "
        "runs (fewer once a stage has taken 15 s).\n\n"
        f"**Machine:** {machine['cpus']} CPUs, {machine['memory_gb']} GB RAM, Python "
        f"{machine['python']}, {machine['platform']}.\n\n"
        f"**Libraries:** {libs}.\n\n" + table(f)
    )


def write_markdown(path: Path, figures: Mapping[str, Any], machine: Mapping[str, Any]) -> Path:
    """Write ``path`` atomically, keeping everything from the marker line of the old file on."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = old[old.index(MARKER) :] if MARKER in old else MARKER + "\n" + NOTES
    text = render(figures, machine) + "\n" + kept
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".RESULTS-", suffix=".md")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
    return path
