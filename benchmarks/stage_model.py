"""Timed model stages on a scored workspace: scoring, re-scoring, Monte Carlo, map render."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.stages import PROFILE, say, timed


def _new_weights(weights: dict[str, float], rng: np.random.Generator) -> dict[str, float]:
    """Weights an analyst might try: a Dirichlet draw around ``weights`` (zeros stay zero)."""
    names = [n for n, w in weights.items() if w > 0]
    drawn = rng.dirichlet(100 * np.array([weights[n] for n in names]))
    drawn = drawn / drawn.sum()
    return {n: float(drawn[names.index(n)]) if n in names else 0.0 for n in weights}


def model(ws: Any, *, repeat: int, seed: int) -> dict[str, Any]:
    """Scoring, re-scoring with new weights (cached inputs), Monte Carlo 1,000 draws."""
    from risk.inputs import cached_inputs
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile
    from risk.scoring import score
    from risk.sensitivity import sensitivity

    profile = load_profile(PROFILE)
    inputs = cached_inputs(ws, profile)  # warm: the pipeline run filled the cache
    score_s, table = timed(lambda: score(inputs.indicators, profile), repeat=repeat)
    say("score", score_s, f"median of {score_s.runs}")
    rng = np.random.default_rng(seed)
    rescore_s = rescore(ws, repeat=repeat, rng=rng)
    api_s, _ = timed(
        lambda: score_workspace(
            ws, profile.with_weights(_new_weights(dict(profile.weights), rng)), store=False
        ),
        repeat=max(3, repeat // 2),
    )
    say("re-score, POST /scores path", api_s, f"median of {api_s.runs}; + MC, hot spots")
    params = {**profile.parameters, "sensitivity_draws": 1000}
    frame = inputs.indicators[list(table.weights)]
    mc_s, _ = timed(
        lambda: sensitivity(frame, table.weights, params, seed=seed), repeat=max(3, repeat)
    )
    say("Monte Carlo 1,000 draws", mc_s, f"median of {mc_s.runs}")
    return {
        "score_s": score_s,
        "rescore_ms": rescore_s * 1000,
        "rescore_api_path_ms": api_s * 1000,
        "montecarlo_1000_s": mc_s,
    }


def rescore(ws: Any, *, repeat: int, rng: np.random.Generator, label: str = "") -> float:
    """Median seconds of re-scoring with new weights from the cached inputs (as a slider does)."""
    from risk.inputs import cached_inputs
    from risk.profiles import load_profile
    from risk.scoring import score

    profile = load_profile(PROFILE)

    def once():
        chosen = profile.with_weights(_new_weights(dict(profile.weights), rng))
        cached = cached_inputs(ws, chosen)
        return score(cached.indicators, chosen, notes=cached.notes)

    seconds, _ = timed(once, repeat=max(repeat, 7))
    say(f"re-score new weights{label}", seconds, f"median of {seconds.runs}; cached inputs + score")
    return seconds


def offline_map(ws: Any) -> dict[str, Any]:
    """Time and size of the offline map (``riskmap map --offline``), if its assets are installed."""
    from api.render import map_html
    from maps.offline import assets_installed
    from risk.profiles import load_profile

    if not assets_installed():
        say("map --offline", 0.0, "skipped: npm assets not installed (make install)")
        return {}
    seconds, html = timed(lambda: map_html(ws, load_profile(PROFILE), offline=True))
    mb = len(html.encode()) / 1e6
    say("map --offline", seconds, f"{mb:.1f} MB")
    return {"map_offline_s": seconds, "map_offline_html_mb": mb}
