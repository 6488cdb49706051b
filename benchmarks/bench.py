"""Benchmark every stage on national-scale synthetic data: ``python -m benchmarks.bench``.

Generates the data into a temporary folder (never committed), runs the real pipeline on it
(files → workspace → scores → map), times each piece against the obvious alternative, then
runs the pipeline again on the structure since July 2025 (3,321 communes and wards in 34
provinces, no district). At ``--scale 1`` the figures go into ``benchmarks/results.json``
(merged with other scripts' keys) and a table into ``benchmarks/RESULTS.md``; at any other
scale they go into a new temporary folder (printed) and never touch the committed files.
The table is printed on stdout; progress goes to stderr, one line per stage.
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from benchmarks import stage_compare, stage_interactive, stage_model, stages
from benchmarks.record import RESULTS, machine, update_results
from benchmarks.stage_report import FLOORS, TARGETS, library_versions, table, write_markdown

#: Keys every run writes (the ones the issue names), each a finite positive number.
REQUIRED = (
    "national_pipeline_s",
    "zonal_rasterstats_s",
    "zonal_exactextract_s",
    "zonal_exactextract_bare_s",
    "pip_naive_per_1k_polys_s",
    "pip_indexed_s",
    "rescore_ms",
    "montecarlo_1000_s",
    "map_html_mb",
    "post_scores_p95_ms",
    "peak_rss_mb",
    "admin2025_pipeline_s",
    "admin2025_rescore_ms",
)


#: Keys earlier versions wrote that no stage writes now (dropped from results.json).
OBSOLETE = ("zonal_exactextract_all_s",)


class PeakMemory:
    """Largest resident memory (MB) of this process plus its children, sampled in a thread."""

    def __init__(self, interval_s: float = 0.2) -> None:
        self._interval, self._peak = interval_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.sample(me)
            self._stop.wait(self._interval)

    def sample(self, me: psutil.Process) -> None:
        """Add up the RSS of this process and of every child still running."""
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # the child ended between listing and reading
                continue
        self._peak = max(self._peak, total)

    @property
    def peak_mb(self) -> float:
        """Peak so far: the sampled total, or the kernel's own maxima if they are higher."""
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        return max(self._peak, own, children) / 1e6


def run(
    workdir: Path, *, scale: float, repeat: int, seed: int, dask: bool, samples: dict[str, int]
) -> dict[str, Any]:
    """Every stage on data generated in ``workdir``; the figures (s, ms, MB) by key."""
    figures: dict[str, Any] = {"scale": scale, "seed": seed, "repeat": repeat}
    with PeakMemory() as memory:
        generated, files = stages.generate(workdir / "input", scale=scale, seed=seed)
        figures.update(generated)
        pipeline, ws = stages.pipeline(workdir / "workspace", files)
        figures.update(pipeline, pipeline_peak_rss_mb=memory.peak_mb)
        figures.update(_pieces(ws, repeat=repeat, seed=seed, samples=samples))
        if dask:
            figures.update(_dask(ws, repeat=repeat, seed=seed))
        figures.update(admin2025(workdir / "admin2025", scale=scale, repeat=repeat, seed=seed))
        figures["peak_rss_mb"] = memory.peak_mb
    stages.say("peak memory", 0.0, f"{figures['peak_rss_mb']:.0f} MB")
    return figures


def admin2025(workdir: Path, *, scale: float, repeat: int, seed: int) -> dict[str, Any]:
    """The whole pipeline and re-scoring on the structure since July 2025 (no district)."""
    import numpy as np

    generated, files = stages.generate(workdir / "input", scale=scale, seed=seed, structure="2025")
    pipeline, ws = stages.pipeline(workdir / "workspace", files)
    rng = np.random.default_rng(seed)
    rescore_s = stage_model.rescore(ws, repeat=repeat, rng=rng, label=" (2025)")
    keys = ("communes", "provinces", "national_pipeline_s", "score_workspace_s", "map_html_mb")
    found = {**generated, **pipeline}
    out = {f"admin2025_{k.removeprefix('national_')}": found[k] for k in keys}
    return out | {"admin2025_rescore_ms": rescore_s * 1000}


def _pieces(ws, *, repeat: int, seed: int, samples: dict[str, int]) -> dict[str, Any]:
    from risk.inputs import cached_inputs
    from risk.profiles import load_profile

    population = cached_inputs(ws, load_profile(stages.PROFILE)).population
    data = stages.metric_layers(ws)
    out = stages.inputs_breakdown(ws, data)
    out.update(stages.indicators(data, population, repeat=repeat))
    raster = ws.raster_path("population")
    out.update(
        stage_compare.zonal(
            raster, data.communes, sample=samples["zonal"], seed=seed, repeat=repeat
        )
    )
    venues = data.layers["venues"]
    out.update(
        stage_compare.point_in_polygon(
            data.communes, venues, sample=samples["pip"], repeat=repeat, seed=seed
        )
    )
    out.update(stage_model.model(ws, repeat=repeat, seed=seed))
    out.update(stage_model.offline_map(ws))
    out.update(stage_interactive.interactive(ws, seed=seed))
    return out


def _dask(ws, *, repeat: int, seed: int) -> dict[str, Any]:
    from benchmarks import stage_dask

    try:
        return stage_dask.dask(ws, repeat=repeat, seed=seed)
    except ImportError as err:  # dask.distributed or geo.parallel missing
        stages.say("dask", 0.0, f"skipped: {err}")
        return {"dask_skipped": str(err)}


def check(figures: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets with this run's value and pass/fail (targets are for scale 1)."""
    missing = [k for k in REQUIRED if not (_positive(figures.get(k)))]
    if missing:
        raise RuntimeError(f"benchmark figures missing or not positive: {', '.join(missing)}")
    below = {
        key: {"limit": limit, "unit": unit, "value": figures[key], "pass": figures[key] < limit}
        for key, (limit, unit, _) in TARGETS.items()
        if key in figures  # rows another script adds are checked once it writes them
    }
    return below | {
        key: {"at_least": limit, "unit": unit, "value": figures[key], "pass": figures[key] >= limit}
        for key, (limit, unit, _) in FLOORS.items()
        if key in figures
    }


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = national; 0.1, 0.01 quick")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each short stage (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        type=Path,
        help="results.json to update (default: the committed one at --scale 1, else a new "
        "temporary folder)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the generated data here (default: temp)")
    parser.add_argument("--zonal-sample", type=int, default=stage_compare.ZONAL_SAMPLE)
    parser.add_argument("--pip-sample", type=int, default=stage_compare.PIP_SAMPLE)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask executor stage")
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1 or args.repeat < 1:
        parser.error("--scale must be in (0, 1] and --repeat at least 1")
    committed = args.out is not None and args.out.resolve() == RESULTS.resolve()
    if args.scale != 1 and committed:
        parser.error(f"{RESULTS} holds the national figures: only --scale 1 writes it")
    return args


def output(args: argparse.Namespace) -> Path:
    """Where the figures go: ``--out``, else the committed file at scale 1, else a temp folder."""
    if args.out is not None:
        return args.out
    if args.scale == 1:
        return RESULTS
    return Path(tempfile.mkdtemp(prefix="riskmap-bench-results-")) / "results.json"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, write results.json and RESULTS.md beside it; return the figures."""
    args = parse_args(argv)
    out = output(args)
    stages.say("figures go to", 0.0, str(out))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="riskmap-bench-"))
    samples = {"zonal": args.zonal_sample, "pip": args.pip_sample}
    start = time.perf_counter()
    try:
        figures = run(
            workdir,
            scale=args.scale,
            repeat=args.repeat,
            seed=args.seed,
            dask=not args.no_dask,
            samples=samples,
        )
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    figures["bench_total_s"] = time.perf_counter() - start
    figures["bench_date"] = datetime.now(UTC).isoformat(timespec="seconds")
    figures["library_versions"] = library_versions()
    figures["targets"] = check(figures)
    out.parent.mkdir(parents=True, exist_ok=True)
    merged = update_results(figures, out, drop=OBSOLETE)  # with the load row, if it has run
    md = write_markdown(out.with_name("RESULTS.md"), merged, machine())
    sys.stdout.write(table(merged) + f"\nFigures written to {out} and {md}\n")
    stages.say("done", figures["bench_total_s"], f"{out} and {md}")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
