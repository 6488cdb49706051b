"""Figures of docs/method.md §9 (issue 14), measured on a workspace: re-run after any change.

Usage: ``.venv/bin/python -m benchmarks.method_figures var/demo`` (prints JSON). It reads the
workspace, scores it in memory (nothing stored) and runs the rolling backtest of each profile.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np


def uncertainty(ws, name: str) -> dict[str, Any]:
    """Rank-interval widths of the top k and uncertain classes: weights only vs every source."""
    from risk.inputs import cached_inputs
    from risk.param_grid import decay_grids
    from risk.profiles import load_profile
    from risk.scoring import score
    from risk.sensitivity import DataSource, normalisation_comparison, sensitivity

    profile = load_profile(name)
    inputs = cached_inputs(ws, profile)
    table = score(inputs.indicators, profile)
    chosen = inputs.indicators[list(table.weights)]
    params = profile.parameters
    top = table.frame["rank"].to_numpy() <= params["top_k"]
    start = time.perf_counter()
    grids = decay_grids(ws, profile)
    grid_s = time.perf_counter() - start
    reps = ws.read_layer("repatriations")
    out: dict[str, Any] = {"decay_grid_s": round(grid_s, 2)}
    for label, source in (("weights", None), ("all", DataSource(reps, inputs.population, grids))):
        start = time.perf_counter()
        s = sensitivity(chosen, table.weights, params, source=source, breaks=table.breaks)
        width = (s.rank_p95 - s.rank_p05)[top]
        out[label] = {
            "seconds": round(time.perf_counter() - start, 2),
            "sources": list(s.sources),
            "top_k_width_min_max": [int(width.min()), int(width.max())],
            "class_uncertain": int(s.class_uncertain.sum()),
        }
    out["normalisation"] = normalisation_comparison(chosen, table.weights, params)
    return out


def hotspots(ws, name: str) -> dict[str, Any]:
    """Gi* of the score and of border proximity alone, queen and tolerant contiguity."""
    from benchmarks.method_realdata import hotspots as both

    return both(ws, name)


def defects(ws) -> dict[str, Any]:
    """Geometric contributions below zero (outreach) and outlier treatments per indicator."""
    from risk.inputs import cached_inputs
    from risk.profiles import load_profile
    from risk.results import contrib_col
    from risk.scoring import score

    profile = load_profile("outreach")
    table = score(cached_inputs(ws, profile).indicators, profile)
    parts = table.frame[[contrib_col(n) for n in table.indicators]].to_numpy()
    return {
        "outreach_most_negative_contribution": round(float(parts.min()), 1),
        "outreach_communes_with_a_negative_contribution": int((parts < -0.05).any(axis=1).sum()),
        "outreach_treatments": dict(table.treatments),
    }


def main(path: str) -> dict[str, Any]:
    """Every figure, as JSON-ready data."""
    from geo.workspace import Workspace
    from risk.pipeline import backtest_workspace
    from risk.profiles import load_profile

    ws = Workspace.open(path)
    out: dict[str, Any] = {"workspace": path, "defects": defects(ws)}
    for name in ("patrol", "outreach"):
        bt = backtest_workspace(ws, load_profile(name), 2025)
        out[name] = {
            "comparison": bt["comparison"],
            "ablations": bt["ablations"],
            "rolling_pai_top10": {
                str(e["holdout"]): {
                    "model": e["model"]["pai_top10"],
                    **{k: v["pai_top10"] for k, v in e["baselines"].items()},
                }
                for e in bt["rolling"]
            },
            "uncertainty": uncertainty(ws, name),
            "hotspots": hotspots(ws, name),
        }
    return out


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.stdout.write(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "var/demo"), indent=1))
