"""Backtest: does ranking communes find next period's recorded events? PAI against baselines."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo.schema import EFFORT
from risk.rates import effort_by_commune, effort_only_where_found, period_years, spearman

FRACTIONS = (0.10, 0.20)
BOOTSTRAP = 1000
YIELDS_REFUSED = (
    f"yields not reported: {EFFORT} is recorded only on rows where people were found (no "
    "zero-count rows), so the days spent where nobody was found are missing and people per "
    "patrol day outside the top 10 % would read several times too high. Add a row with count 0 "
    "for every commune and period patrolled without finding anyone (or give a separate effort "
    "table) to get yields"
)
NOT_RECORDED = (
    f"enforcement effort was not recorded (no {EFFORT} column in repatriations): the events "
    "measure where guards looked as well as trafficking, and this backtest cannot tell the two "
    "apart (docs/method.md §7)"
)


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


def random_expectation(events: ArrayLike, denominators: Denominators) -> dict[str, float]:
    """Exact expected metrics of a ranking drawn at random: PAI 1, hit rate = share flagged.

    Every commune has the same chance ``flagged / n`` of being flagged, so the expected share
    of events, of km² and of people flagged are all ``flagged / n`` (PAI 1 with each
    denominator); PEI = 1 / PAI of a perfect ranking.
    """
    e = np.asarray(events, dtype=float)
    out: dict[str, float] = {}
    for fraction in FRACTIONS:
        tag = f"top{round(fraction * 100)}"
        share = max(1, math.ceil(fraction * len(e))) / len(e)
        best = hit_metrics(e, e, denominators, fraction)["pai"]
        out[f"hit_rate_{tag}"] = round(share, 4) if e.sum() > 0 else 0.0
        for name in ("pai", "pai_area", "pai_population"):
            out[f"{name}_{tag}"] = 1.0 if e.sum() > 0 else 0.0
        out[f"pei_{tag}"] = round(1.0 / best, 4) if best > 0 else 0.0
    return out


def compare(
    model: list[NDArray[np.float64]],
    baselines: list[Mapping[str, ArrayLike]],
    events: list[NDArray[np.float64]],
    *,
    fraction: float = 0.10,
    draws: int = BOOTSTRAP,
    seed: int | None = 0,
    candidates: tuple[str, ...] | None = None,
) -> dict[str, object]:
    """Model against the strongest baseline over holdout years: PAI ratio with a 90 % interval.

    Notes
    -----
    One list entry per holdout year. The strongest baseline is the one with the highest mean
    PAI at ``fraction`` over the years (chosen on the same data, which favours the baseline);
    ``ratio`` = the model's mean PAI / its mean PAI. ``ci90`` is the 5-95 % range of that ratio
    over ``draws`` bootstrap resamples of the communes (the same communes in every year).
    A ratio whose interval contains 1 does not show that the model beats the baseline.
    ``candidates`` limits which baselines can be the strongest (default: all).
    """
    names = [n for n in baselines[0] if all(n in b for b in baselines)]
    names = [n for n in names if candidates is None or n in candidates]
    ones = Denominators(np.ones(len(events[0])), np.ones(len(events[0])))

    def mean_pai(rankings: list[NDArray], idx: NDArray[np.intp]) -> float:
        pais = [
            hit_metrics(np.asarray(r)[idx], e[idx], _take(ones, idx), fraction)["pai"]
            for r, e in zip(rankings, events, strict=True)
        ]
        return float(np.mean(pais))

    every = np.arange(len(events[0]))
    points = {n: mean_pai([b[n] for b in baselines], every) for n in names}
    best = max(names, key=lambda n: points[n])
    model_pai = mean_pai(model, every)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(draws):
        idx = rng.integers(0, len(every), len(every))
        base = mean_pai([b[best] for b in baselines], idx)
        boots.append(mean_pai(model, idx) / base if base > 0 else math.inf)
    finite = np.array(boots)[np.isfinite(boots)]
    low, high = np.quantile(finite, [0.05, 0.95]) if len(finite) else (math.inf, math.inf)
    return {
        "best_baseline": best,
        "ratio": round(model_pai / points[best], 4) if points[best] > 0 else None,
        "ci90": [round(float(low), 4), round(float(high), 4)],
        "fraction": fraction,
        "model_pai": round(model_pai, 4),
        "baseline_pai": {n: round(v, 4) for n, v in points.items()},
        "beats_best": bool(low > 1),
    }


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


@dataclass(frozen=True)
class Effort:
    """Effort per commune (days; NaN = not recorded): the year before the holdout, and in it."""

    prior: NDArray[np.float64]
    holdout: NDArray[np.float64]
    #: True when every commune-period with effort also has people recorded: no zero-count rows.
    only_where_found: bool = False


def holdout_effort(table: pd.DataFrame, holdout: int, commune_codes: ArrayLike) -> Effort | None:
    """Effort per commune in ``holdout - 1`` and ``holdout`` (years); None if never recorded."""
    if EFFORT not in table.columns or pd.to_numeric(table[EFFORT], errors="coerce").isna().all():
        return None
    year = np.floor(period_years(table["period"])).astype(int)
    prior = effort_by_commune(table[year == holdout - 1], commune_codes)
    found = effort_only_where_found(table[year <= holdout])
    return Effort(prior, effort_by_commune(table[year == holdout], commune_codes), found)


def _take(d: Denominators, idx: NDArray[np.intp]) -> Denominators:
    return Denominators(d.area_km2[idx], d.population[idx])


def backtest(
    model: ArrayLike,
    baselines: Mapping[str, ArrayLike],
    events: ArrayLike,
    denominators: Denominators,
    *,
    effort: Effort | None = None,
    seed: int | None = 0,
) -> dict[str, object]:
    """Model and baselines scored against held-out ``events``; JSON-ready.

    ``baselines`` maps names to rankings (e.g. ``prior_counts``, ``venue_density``); a
    ``random`` baseline (its exact expectation, :func:`random_expectation`) is added, and the
    bootstrap interval of the model / ``prior_counts`` PAI ratio at the top 10 %. With
    ``effort``, the ``prior_effort`` baseline (rank by the year before's effort) and an
    ``enforcement`` section are added (see :func:`enforcement_view`); without it,
    ``enforcement`` says effort was not recorded.
    """
    e = np.asarray(events, dtype=float)
    rng = np.random.default_rng(seed)
    rankings = dict(baselines)
    if effort is not None and np.isfinite(effort.prior).any():
        rankings["prior_effort"] = np.nan_to_num(effort.prior, nan=-1.0)  # unrecorded: last
    out_baselines = {name: evaluate(r, e, denominators) for name, r in rankings.items()}
    out_baselines["random"] = random_expectation(e, denominators)
    result: dict[str, object] = {
        "communes": len(e),
        "events": int(e.sum()),
        "communes_with_events": int((e > 0).sum()),
        "model": evaluate(model, e, denominators),
        "baselines": out_baselines,
    }
    if "prior_counts" in rankings:
        result["model_vs_prior_counts_pai_top10"] = _ratio(model, rankings["prior_counts"], e, rng)
    result["enforcement"] = enforcement_view(model, e, effort, rankings.get("prior_effort"), rng)
    return result


def _ratio(model, baseline, events, rng) -> dict[str, float]:
    point, low, high = ratio_interval(model, baseline, events, rng=rng)
    return {"ratio": point, "low_90": low, "high_90": high}


def enforcement_view(
    model: ArrayLike,
    events: NDArray[np.float64],
    effort: Effort | None,
    prior_ranking: NDArray[np.float64] | None,
    rng: np.random.Generator,
) -> dict[str, object]:
    """Does the model only rediscover where guards looked? Effort against held-out events.

    Notes
    -----
    Over the communes with effort recorded in the holdout year: Spearman's ρ between effort and
    people recorded, and between the model's score and effort; people recorded per 100 days of
    effort inside the model's top 10 % and outside it; and the bootstrap 90 % interval of the
    model / ``prior_effort`` PAI ratio (top 10 %), where ``prior_effort`` ranks communes by the
    year before's effort (communes without a record last).
    """
    if effort is None:
        return {"recorded": False, "column": EFFORT, "note": NOT_RECORDED}
    m = np.asarray(model, dtype=float)
    has = np.isfinite(effort.holdout)
    share = captured(m, events, max(1, math.ceil(0.10 * len(m))))
    out: dict[str, object] = {
        "recorded": True,
        "column": EFFORT,
        "communes_with_effort": {
            "prior": int(np.isfinite(effort.prior).sum()),
            "holdout": int(has.sum()),
        },
        "effort_days_holdout": round(float(np.nansum(effort.holdout)), 2),
        "people_per_100_days_holdout": _per_100(events[has].sum(), effort.holdout[has].sum()),
        "spearman_effort_events": spearman(effort.holdout[has], events[has]),
        "spearman_model_effort": spearman(m[has], effort.holdout[has]),
        **_yields(share, events, effort, has),
    }
    if prior_ranking is not None:
        out["model_vs_prior_effort_pai_top10"] = _ratio(m, prior_ranking, events, rng)
    gaps = [f"no effort recorded in the {y} year" for y in _unrecorded_years(effort)]
    if gaps:
        out["note"] = "; ".join(gaps) + ": the comparisons that need it are left out"
    return out


def _yields(share, events, effort: Effort, has) -> dict[str, object]:
    """People recorded per 100 days of effort inside and outside the top 10 %, or why not."""
    if effort.only_where_found:
        return {
            "yields_reported": False,
            "yields_note": YIELDS_REFUSED,
            "people_per_100_days_holdout": None,
        }
    return {
        "yields_reported": True,
        "people_per_100_days_model_top10": _per_100(
            (share * events)[has].sum(), (share * effort.holdout)[has].sum()
        ),
        "people_per_100_days_outside_top10": _per_100(
            ((1 - share) * events)[has].sum(), ((1 - share) * effort.holdout)[has].sum()
        ),
    }


def _unrecorded_years(effort: Effort) -> list[str]:
    """Which of the two years ("prior", "holdout") has no effort recorded for any commune."""
    years = {"prior": effort.prior, "holdout": effort.holdout}
    return [name for name, days in years.items() if not np.isfinite(days).any()]


def _per_100(people: float, days: float) -> float | None:
    """People recorded per 100 days of effort; None when no effort was spent."""
    return round(float(people) / float(days) * 100, 4) if days > 0 else None
