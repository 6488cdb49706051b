"""Backtest: does ranking communes find next period's recorded events? PAI against baselines."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FRACTIONS = (0.10, 0.20)
RANDOM_RANKINGS = 200
BOOTSTRAP = 1000


@dataclass(frozen=True)
class Denominators:
    """What "share flagged" is measured in: communes (1 each), area (km²) and people."""

    area_km2: NDArray[np.float64]
    population: NDArray[np.float64]


def captured(ranking: ArrayLike, events: ArrayLike, flagged: int) -> NDArray[np.float64]:
    """Share (0-1) of each commune inside the top ``flagged`` of ``ranking`` (higher = riskier).

    Communes tied at the cut-off are included in proportion, which is what breaking the tie at
    random gives on average: a ranking of many equal values (zero counts) gains nothing by luck.
    """
    r = np.asarray(ranking, dtype=float)
    order = np.sort(r)[::-1]
    cut = order[flagged - 1]
    above = r > cut
    tied = r == cut
    room = flagged - above.sum()
    return above + tied * (room / tied.sum())


def hit_metrics(
    ranking: ArrayLike, events: ArrayLike, denominators: Denominators, fraction: float
) -> dict[str, float]:
    """Hit rate and PAI (communes, area, population denominators) of the top ``fraction``.

    Notes
    -----
    Chainey, Tompson & Uhlig (2008): PAI = (share of events in the flagged communes) /
    (share of the study region flagged). With communes as the denominator, PAI = hit rate /
    ``fraction``; with area or population, the flagged share of km² or people.
    """
    e = np.asarray(events, dtype=float)
    n = len(e)
    flagged = max(1, math.ceil(fraction * n))
    share = captured(ranking, e, flagged)
    hit = float((share * e).sum() / e.sum()) if e.sum() > 0 else 0.0
    area = denominators.area_km2
    pop = denominators.population
    return {
        "hit_rate": hit,
        "pai": hit / (flagged / n),
        "pai_area": hit / float((share * area).sum() / area.sum()),
        "pai_population": hit / float((share * pop).sum() / pop.sum()),
    }


def evaluate(ranking: ArrayLike, events: ArrayLike, denominators: Denominators) -> dict[str, float]:
    """Top-10 % and top-20 % metrics of one ranking, with PEI = PAI / PAI of a perfect ranking."""
    out: dict[str, float] = {}
    for fraction in FRACTIONS:
        tag = f"top{round(fraction * 100)}"
        m = hit_metrics(ranking, events, denominators, fraction)
        best = hit_metrics(events, events, denominators, fraction)
        out[f"hit_rate_{tag}"] = round(m["hit_rate"], 4)
        out[f"pai_{tag}"] = round(m["pai"], 4)
        out[f"pai_area_{tag}"] = round(m["pai_area"], 4)
        out[f"pai_population_{tag}"] = round(m["pai_population"], 4)
        out[f"pei_{tag}"] = round(m["pai"] / best["pai"], 4) if best["pai"] > 0 else 0.0
    return out


def random_baseline(
    events: ArrayLike, denominators: Denominators, *, rankings: int, rng: np.random.Generator
) -> dict[str, float]:
    """Metrics averaged over ``rankings`` random orders of the communes (PAI about 1)."""
    n = len(np.asarray(events))
    runs = [evaluate(rng.permutation(n), events, denominators) for _ in range(rankings)]
    return {k: round(float(np.mean([r[k] for r in runs])), 4) for k in runs[0]}


def ratio_interval(
    model: ArrayLike,
    baseline: ArrayLike,
    events: ArrayLike,
    *,
    fraction: float = 0.10,
    draws: int = BOOTSTRAP,
    rng: np.random.Generator,
) -> tuple[float, float, float]:
    """Model PAI / baseline PAI at ``fraction``, with a bootstrap 90 % interval over communes."""
    m, b, e = (np.asarray(a, dtype=float) for a in (model, baseline, events))
    ones = Denominators(np.ones(len(e)), np.ones(len(e)))

    def ratio(idx: NDArray[np.intp]) -> float:
        top = hit_metrics(m[idx], e[idx], _take(ones, idx), fraction)["pai"]
        base = hit_metrics(b[idx], e[idx], _take(ones, idx), fraction)["pai"]
        return top / base if base > 0 else math.inf

    point = ratio(np.arange(len(e)))
    boots = np.array([ratio(rng.integers(0, len(e), len(e))) for _ in range(draws)])
    low, high = np.quantile(boots[np.isfinite(boots)], [0.05, 0.95])
    return round(point, 4), round(float(low), 4), round(float(high), 4)


def _take(d: Denominators, idx: NDArray[np.intp]) -> Denominators:
    return Denominators(d.area_km2[idx], d.population[idx])


def backtest(
    model: ArrayLike,
    baselines: Mapping[str, ArrayLike],
    events: ArrayLike,
    denominators: Denominators,
    *,
    seed: int | None = 0,
) -> dict[str, object]:
    """Model and baselines scored against held-out ``events``; JSON-ready.

    ``baselines`` maps names to rankings (e.g. ``prior_counts``, ``venue_density``); a
    ``random`` baseline (mean of 200 random rankings) is added, and the bootstrap interval of
    the model / ``prior_counts`` PAI ratio at the top 10 %.
    """
    e = np.asarray(events, dtype=float)
    rng = np.random.default_rng(seed)
    out_baselines = {name: evaluate(r, e, denominators) for name, r in baselines.items()}
    out_baselines["random"] = random_baseline(e, denominators, rankings=RANDOM_RANKINGS, rng=rng)
    result: dict[str, object] = {
        "communes": len(e),
        "events": int(e.sum()),
        "communes_with_events": int((e > 0).sum()),
        "model": evaluate(model, e, denominators),
        "baselines": out_baselines,
    }
    if "prior_counts" in baselines:
        point, low, high = ratio_interval(model, baselines["prior_counts"], e, rng=rng)
        result["model_vs_prior_counts_pai_top10"] = {"ratio": point, "low_90": low, "high_90": high}
    return result
