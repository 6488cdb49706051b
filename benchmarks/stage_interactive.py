"""Interactive at national scale: a slider's ``POST /scores`` over HTTP, and the map's first render.

``post_scores_p95_ms``: p95 of slider-like requests (random weights) to ``riskmap serve`` running
in its own process (uvicorn, loopback, keep-alive), timed from sending the request to the last
byte of the answer, the way the dashboard asks (:data:`QUICK`: no geometry, no analyses, only
the fields that re-colour the map). The old path (geometry and analyses, as the dashboard asked
before) is timed in the same run, and the middle one (analyses without geometry) too.
``map_first_render_s``: headless Chromium, navigation to the commune layer drawn
(:mod:`benchmarks.browser_timing`), for the map ``riskmap map`` wrote and for the same map drawn
with the old settings (communes as GeoJSON features, venues on a 5 km grid).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.stage_model import _new_weights
from benchmarks.stages import PROFILE, say

#: Slider moves timed on the quick path (the target's p95 needs at least 50).
SLIDER_REQUESTS = 60
#: Requests timed on each slower path (each takes about a second).
OLD_REQUESTS = 8
#: The dashboard's slider query (maps/static/dashboard/dashboard.js): scores, classes and ranks.
QUICK = (
    "?geometry=false&analyses=false&fields=commune_code,score,class,class_label,class_label_en,rank"
)
PATHS = {"post_scores": QUICK, "post_scores_analyses": "?geometry=false", "post_scores_old": ""}


def interactive(ws: Any, *, seed: int, requests: int = SLIDER_REQUESTS) -> dict[str, Any]:
    """Slider latency over HTTP (ms) and the national map's size (MB) and first render (s)."""
    figures = post_scores(ws.root, seed=seed, requests=requests)
    figures.update(map_render(ws))
    return figures


def post_scores(root: Path, *, seed: int, requests: int) -> dict[str, Any]:
    """p50/p95 (ms) of ``POST /scores`` per path, against ``riskmap serve`` on ``root``."""
    import httpx2

    from benchmarks.load import serving
    from risk.profiles import load_profile

    weights = dict(load_profile(PROFILE).weights)
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    with serving(root) as base, httpx2.Client(base_url=base, timeout=900) as client:
        for name, query in PATHS.items():
            runs = requests if name == "post_scores" else OLD_REQUESTS
            ms, size = _timed_posts(client, query, weights, rng, runs)
            p50, p95 = np.percentile(ms, [50, 95])
            out |= {f"{name}_p50_ms": float(p50), f"{name}_p95_ms": float(p95)}
            out |= {f"{name}_mb": size / 1e6, f"{name}_requests": runs}
            say(f"POST /scores{query}", p95 / 1000, f"p95 of {runs}, p50 {p50:.0f} ms")
    return out


def _timed_posts(client, query: str, weights: dict, rng, runs: int) -> tuple[np.ndarray, int]:
    """Milliseconds of ``runs`` requests with random weights (after one warm-up); answer bytes.

    The warm-up of a fresh server reads every cached input (minutes at national scale).
    """
    times, size = [], 0
    for i in range(runs + 1):
        body = {"profile": PROFILE, "weights": _new_weights(weights, rng)}
        start = time.perf_counter()
        response = client.post(f"/scores{query}", json=body)
        size = len(response.content)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"POST /scores{query}: {response.status_code} {response.text[:300]}")
        if i:  # the first fills the server's caches
            times.append(elapsed)
    return np.asarray(times), size


def map_render(ws: Any) -> dict[str, Any]:
    """Size (MB) and first render (s, Chromium) of the stored map and of the old settings."""
    from benchmarks.browser_timing import CHROMIUM, first_render_s
    from maps.offline import assets_installed

    path = ws.path(ws.map_file(PROFILE))
    if not (assets_installed() and path.is_file() and CHROMIUM.is_file()):
        say("map first render", 0.0, "skipped: npm assets, Chromium or the map file missing")
        return {}
    seconds = first_render_s(path)
    say("map first render (Chromium)", seconds, f"{path.stat().st_size / 1e6:.1f} MB")
    out = {"map_first_render_s": seconds}
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old.html"
        old.write_text(_old_map(ws), encoding="utf-8")
        out["map_old_html_mb"] = old.stat().st_size / 1e6
        out["map_old_first_render_s"] = first_render_s(old)
    say("old map first render", out["map_old_first_render_s"], f"{out['map_old_html_mb']:.1f} MB")
    return out


def _old_map(ws: Any) -> str:
    """The same map with the settings before: communes as GeoJSON features, 5 km venue grid."""
    from unittest import mock

    from api.render import map_html
    from maps import folium_map
    from maps.controls import ScoreLayer
    from risk.profiles import load_profile

    with (
        mock.patch.object(ScoreLayer, "compact", False),
        mock.patch.object(folium_map, "VENUE_GROUPS_MAX", 10**9),
    ):
        return map_html(ws, load_profile(PROFILE))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Re-draw the map of a national workspace, time this stage, merge its keys into results."""
    import argparse
    import os

    from api.render import write_map
    from benchmarks.record import RESULTS, update_results
    from geo.workspace import Workspace
    from risk.profiles import load_profile

    parser = argparse.ArgumentParser(prog="python -m benchmarks.stage_interactive")
    parser.add_argument("--workspace", type=Path, required=True, help="a scored national workspace")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results.json to update")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--requests", type=int, default=SLIDER_REQUESTS)
    args = parser.parse_args(argv)
    ws = Workspace.open(args.workspace)
    path = write_map(ws, load_profile(PROFILE), actor="bench")
    figures = {"map_html_mb": path.stat().st_size / 1e6}
    figures |= interactive(ws, seed=args.seed, requests=args.requests)
    figures["interactive_load_average"] = os.getloadavg()[0]
    update_results(figures, args.out)
    return figures


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
