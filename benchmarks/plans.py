"""Time the patrol, outreach and border-segment plans on the demo and on a 600-commune province.

``python -m benchmarks.plans [--demo DIR] [--communes 600] [--record]`` builds a scored
workspace of ``--communes`` communes from :mod:`benchmarks.national` (in a temp folder), times
each plan there and on the demo workspace, prints the figures and, with ``--record``, merges them
into ``benchmarks/results.json`` under ``plans``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.national import FULL, make_national

PATROL = {"k": 5, "radius_km": 15.0}
#: The demo's typical outreach budget (the README's example).
BUDGET = 300.0


def national_workspace(root: Path, *, communes: int = 600, seed: int = 0):
    """A workspace of about ``communes`` synthetic communes, scored with both profiles."""
    import rasterio

    from geo.workspace import Raster, Workspace
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile

    national = make_national(root / "raw", scale=communes / FULL["communes"], seed=seed)
    with rasterio.open(national.raster) as src:
        raster = Raster(src.read(1), src.transform, str(src.crs))
    layers = {
        name: frame.to_crs(4326) if hasattr(frame, "crs") else frame
        for name, frame in national.layers.items()
    }
    ws = Workspace(root / "ws")
    ws.write_layers(layers, rasters={"population": raster}, source="benchmark", actor="bench")
    for name in ("patrol", "outreach"):
        score_workspace(ws, load_profile(name), actor="bench")
    return ws


def _seconds(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median wall time (s) of ``repeat`` calls of ``fn``, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3), result


def typical_budget(ws) -> float:
    """5 % of what reaching every commune would cost (20 + 2 per 1,000 people each)."""
    from risk.store import load_run

    people = load_run(ws, "outreach").table.frame["population"]
    return round(float((20 + 2 * people / 1000).sum()) * 0.05, -1)


def time_plans(ws, *, budget: float | None = None) -> dict[str, Any]:
    """Median seconds of each plan on ``ws`` (3 runs), with the shares they cover."""
    from risk.plans.outreach import outreach_plan
    from risk.plans.patrol import patrol_plan
    from risk.plans.segments import segments_plan

    budget = typical_budget(ws) if budget is None else budget
    figures: dict[str, Any] = {"communes": len(ws.read_layer("communes")), "budget": budget}
    for method in ("greedy", "exact"):
        s, plan = _seconds(lambda m=method: patrol_plan(ws, "patrol", **PATROL, method=m, draws=0))
        figures[f"patrol_{method}_s"] = s
        figures[f"patrol_{method}_share"] = round(plan.covered_share, 4)
    figures["patrol_baseline_share"] = round(plan.baseline_covered_share, 4)
    s, _ = _seconds(lambda: patrol_plan(ws, "patrol", **PATROL, draws=200))
    figures["patrol_greedy_200_draws_s"] = s
    s, plan = _seconds(lambda: outreach_plan(ws, "outreach", budget=budget, draws=0))
    figures["outreach_s"], figures["outreach_share"] = s, round(plan.covered_share, 4)
    figures["outreach_communes"], figures["outreach_cost"] = len(plan.sites), plan.cost
    figures["outreach_marginal_value"] = plan.marginal_value
    s, _ = _seconds(lambda: outreach_plan(ws, "outreach", budget=budget, draws=200))
    figures["outreach_200_draws_s"] = s
    s, seg = _seconds(lambda: segments_plan(ws, "patrol", length_km=5))
    figures["segments_s"], figures["segments"] = s, len(seg.segments)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Measure on the demo (if given) and on a generated province; print JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="A demo workspace (riskmap demo --no-serve)")
    parser.add_argument("--communes", type=int, default=600)
    parser.add_argument("--record", action="store_true", help="Merge into results.json")
    args = parser.parse_args(argv)
    from geo.workspace import Workspace

    figures: dict[str, Any] = {}
    if args.demo:
        figures["demo"] = time_plans(Workspace.open(args.demo), budget=BUDGET)
    with tempfile.TemporaryDirectory(prefix="riskmap-plans-") as tmp:
        build_s, ws = _seconds(
            lambda: national_workspace(Path(tmp), communes=args.communes), repeat=1
        )
        figures[f"province_{args.communes}"] = {"build_and_score_s": build_s, **time_plans(ws)}
    sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    if args.record:
        from benchmarks.record import update_results

        update_results({"plans": figures})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
