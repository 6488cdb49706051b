"""Rolling-origin backtest of a workspace: every holdout year, same-information baselines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.crs import to_metric
from geo.errors import LayerError
from geo.workspace import Workspace
from geo.zonal import DEFAULT_ENGINE
from risk.backtest import Denominators, compare, evaluate, random_expectation
from risk.errors import ScoringError
from risk.inputs import read_inputs
from risk.profiles import Profile
from risk.rates import decayed_counts, period_years, total_counts
from risk.scoring import score

#: Optional as-of columns of layers that are not records: a row exists from that year on.
AS_OF = {"venues": "licence_year", "industrial_zones": "opening_year"}
#: Baselines that can be "the strongest": simple rankings with the model's information or less.
SIMPLE = ("prior_counts", "all_prior_counts", "smoothed_rate", "venue_density")
#: A holdout year needs at least this many earlier years of records.
MIN_PRIOR_YEARS = 2


@dataclass(frozen=True)
class Year:
    """One holdout year: the model's ranking, every baseline's, the events and the notes."""

    holdout: int
    model: np.ndarray
    baselines: dict[str, np.ndarray]
    events: np.ndarray
    denominators: Denominators
    notes: tuple[str, ...]
    weights: dict[str, float]
    synthetic: bool
    codes: pd.Series


def record_years(reps: pd.DataFrame) -> np.ndarray:
    """Calendar year of each repatriation row."""
    return np.floor(period_years(reps["period"])).astype(int)


def holdout_years(reps: pd.DataFrame) -> list[int]:
    """Years with records and at least :data:`MIN_PRIOR_YEARS` earlier years with records."""
    years = sorted(set(record_years(reps).tolist()))
    return [y for y in years if sum(p < y for p in years) >= MIN_PRIOR_YEARS]


def as_of(frame: pd.DataFrame, layer: str, holdout: int) -> tuple[pd.DataFrame, str | None]:
    """Rows of ``layer`` that existed before ``holdout`` (by its as-of column), and a note."""
    column = AS_OF[layer]
    if column not in frame.columns:
        return frame, (
            f"{layer} has no {column} column: today's {layer} are used for every holdout year, "
            "which can leak the holdout on real data"
        )
    year = pd.to_numeric(frame[column], errors="coerce")
    bad = year.isna() & frame[column].notna()
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise LayerError(
            f"layer {layer}",
            f'"{frame[column].iloc[row]}" is not a year',
            row=row + 1,
            column=column,
        )
    return frame[~(year >= holdout).to_numpy()], None  # no year given: assumed always there


def year_inputs(ws: Workspace, profile: Profile, holdout: int, engine: str) -> Year:
    """Model and baselines scored with what existed before ``holdout``; its events."""
    reps = ws.read_layer("repatriations")
    year = record_years(reps)
    past = reps[year < holdout]
    tables: dict[str, pd.DataFrame] = {"repatriations": past}
    notes = []
    for layer in AS_OF:
        if layer in ws.versions():
            tables[layer], note = as_of(ws.read_layer(layer), layer, holdout)
            if note:
                notes.append(note)
    inputs = read_inputs(ws, profile, zonal_engine=engine, tables=tables)
    codes = inputs.communes["commune_code"].astype(str)
    table = score(inputs.indicators, profile, notes=inputs.notes)
    half_life = float(profile.parameters["half_life_years"])
    baselines = {
        "prior_counts": total_counts(reps[year == holdout - 1], codes),
        "all_prior_counts": decayed_counts(past, codes, half_life_years=half_life),
    }
    if "repatriation_rate" in inputs.indicators:
        baselines["smoothed_rate"] = inputs.indicators["repatriation_rate"].to_numpy()
    if "venue_pressure" in inputs.indicators:
        baselines["venue_density"] = inputs.indicators["venue_pressure"].to_numpy()
    baselines |= ablations(inputs.indicators, profile, dict(table.weights))
    area = shapely.area(to_metric(inputs.communes).geometry.values) / 1e6
    return Year(
        holdout=holdout,
        model=table.frame["score"].to_numpy(),
        baselines=baselines,
        events=total_counts(reps[year == holdout], codes),
        denominators=Denominators(area, inputs.population),
        notes=tuple(notes),
        weights=dict(table.weights),
        synthetic=inputs.synthetic,
        codes=codes,
    )


def ablations(
    indicators: pd.DataFrame, profile: Profile, weights: dict[str, float]
) -> dict[str, np.ndarray]:
    """``without_<indicator>``: the model scored without that indicator (weights renormalised)."""
    out = {}
    for name in weights:
        rest = {k: w for k, w in weights.items() if k != name}
        if not rest:
            continue
        total = sum(rest.values())
        reduced = profile.with_weights({k: w / total for k, w in rest.items()})
        out[f"without_{name}"] = score(indicators[list(rest)], reduced).frame["score"].to_numpy()
    return out


def rolling_backtest(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    seed: int = 0,
    known: tuple[Year, ...] = (),
) -> dict[str, Any]:
    """Every holdout year with two earlier years: metrics per year and the fair comparison.

    Returns ``rolling`` (one entry per year: model's and every baseline's PAI, PEI and hit
    rate; ``random`` is the exact expectation), ``comparison`` (see
    :func:`risk.backtest.compare`) against the strongest of the :data:`SIMPLE` baselines over
    all those years, and ``ablations`` (see :func:`ablation_summary`).
    ``known`` years already computed are reused.
    """
    reps = ws.read_layer("repatriations")
    years = holdout_years(reps)
    if not years:
        raise ScoringError(
            "rolling backtest: the repatriations layer needs records in at least "
            f"{MIN_PRIOR_YEARS + 1} different years (it has "
            f"{', '.join(map(str, sorted(set(record_years(reps).tolist()))))})"
        )
    ready = {y.holdout: y for y in known}
    done = [ready.get(y) or year_inputs(ws, profile, y, zonal_engine) for y in years]
    rolling = [year_entry(y) for y in done]
    series = ([y.model for y in done], [y.baselines for y in done], [y.events for y in done])
    comparison = compare(*series, seed=seed, candidates=SIMPLE)
    return {
        "rolling": rolling,
        "comparison": {**comparison, "years": years},
        "ablations": ablation_summary(*series),
    }


def ablation_summary(model, baselines, events) -> dict[str, Any]:
    """Mean top-10 % PAI of the model without each indicator, and which indicators add nothing.

    An indicator is ``not_supported`` when the model without it does as well or better, on
    average over the holdout years: the backtest gives no reason to weigh it.
    """
    ones = [Denominators(np.ones(len(e)), np.ones(len(e))) for e in events]

    def mean_pai(rankings) -> float:
        runs = zip(rankings, events, ones, strict=True)
        return float(np.mean([evaluate(r, e, d)["pai_top10"] for r, e, d in runs]))

    full = mean_pai(model)
    names = [n for n in baselines[0] if n.startswith("without_")]
    pai = {n.removeprefix("without_"): round(mean_pai([b[n] for b in baselines]), 4) for n in names}
    return {
        "model_pai_top10": round(full, 4),
        "pai_top10_without": pai,
        "not_supported": sorted(n for n, v in pai.items() if v >= round(full, 4)),
    }


def year_entry(y: Year) -> dict[str, Any]:
    """JSON entry of one holdout year."""
    baselines = {n: evaluate(r, y.events, y.denominators) for n, r in y.baselines.items()}
    baselines["random"] = random_expectation(y.events, y.denominators)
    return {
        "holdout": y.holdout,
        "events": int(y.events.sum()),
        "model": evaluate(y.model, y.events, y.denominators),
        "baselines": baselines,
        "notes": list(y.notes),
    }
