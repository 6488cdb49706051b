"""Time-decayed counts, rates per 10,000 people, empirical-Bayes smoothing, enforcement effort."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo.errors import LayerError
from geo.schema import EFFORT

PER = 10_000.0


def period_years(periods: pd.Series) -> NDArray[np.float64]:
    """Decimal year of each period ("2023" → 2023.5, "2023-04" → 2023.29), mid-period."""
    text = periods.astype(str)
    year = text.str.slice(0, 4).astype(float).to_numpy()
    month = pd.to_numeric(text.str.slice(5, 7), errors="coerce").to_numpy()
    return np.where(np.isnan(month), year + 0.5, year + (month - 0.5) / 12)


def decayed_counts(
    table: pd.DataFrame, commune_codes: ArrayLike, *, half_life_years: float
) -> NDArray[np.float64]:
    """Count per commune, each row weighted 0.5^(age / half-life), age in years before the latest.

    Raises
    ------
    LayerError
        If a row names a commune code that is not among ``commune_codes``.
    """
    codes = pd.Index(np.asarray(commune_codes, dtype=str))
    if table.empty:
        return np.zeros(len(codes))
    where = _commune_rows(table, codes)
    years = period_years(table["period"])
    weights = 0.5 ** ((years.max() - years) / half_life_years)
    counts = table["count"].to_numpy(dtype=float) * weights
    return np.bincount(where, weights=counts, minlength=len(codes))


def total_counts(table: pd.DataFrame, commune_codes: ArrayLike) -> NDArray[np.float64]:
    """People recorded per commune over all periods, undecayed (sensitive: suppress small ones)."""
    codes = pd.Index(np.asarray(commune_codes, dtype=str))
    if table.empty:
        return np.zeros(len(codes))
    where = _commune_rows(table, codes)
    return np.bincount(where, weights=table["count"].to_numpy(dtype=float), minlength=len(codes))


def _commune_rows(table: pd.DataFrame, codes: pd.Index) -> NDArray[np.intp]:
    """Position in ``codes`` of each row's commune; LayerError naming the first unknown one."""
    where = codes.get_indexer(table["commune_code"].astype(str))
    if (where < 0).any():
        row = int(np.argmax(where < 0))
        raise LayerError(
            "layer repatriations",
            f'"{table["commune_code"].iloc[row]}" is not a commune code of the communes layer',
            row=row + 1,
            column="commune_code",
        )
    return where


def eb_smoothed_rate(counts: ArrayLike, population: ArrayLike) -> NDArray[np.float64]:
    """Rate per 10,000 people (per unit of ``population``) shrunk toward the overall rate.

    Notes
    -----
    Marshall (1991) global empirical Bayes, as ``esda.smoothing.Empirical_Bayes``: with overall
    rate ``m = Σy/Σn`` and between-area variance ``s² = Σn(r-m)²/Σn - m/n̄`` (floored at 0),
    each raw rate ``r = y/n`` becomes ``w·r + (1-w)·m`` with ``w = s² / (s² + m/n)``. Areas
    with few people move most toward ``m``; an area with no people gets ``m`` itself (see
    :func:`risk.quality.zero_population_flag`). ``counts`` must be Poisson-like counts of
    ``population`` (see :func:`decayed_rate` for time-weighted counts).
    """
    y = np.asarray(counts, dtype=float)
    n = np.asarray(population, dtype=float)
    if n.sum() <= 0:
        return np.zeros(len(y))
    m = y.sum() / n.sum()
    r = np.divide(y, n, out=np.full(len(y), m), where=n > 0)
    s2 = max(float((n * (r - m) ** 2).sum() / n.sum() - m / n[n > 0].mean()), 0.0)
    if (n > 0).all() and s2 > 0:  # esda computes the same where it is defined
        from esda.smoothing import Empirical_Bayes

        return np.asarray(Empirical_Bayes(y, n).r, dtype=float).ravel() * PER
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > 0, s2 / (s2 + m / np.where(n > 0, n, 1.0)), 0.0)
    w = np.nan_to_num(w, nan=0.0)  # s2 = m = 0: nothing recorded anywhere, all rates are 0
    return (w * r + (1 - w) * m) * PER


def window_weights(periods: pd.Series, *, half_life_years: float) -> tuple[float, float]:
    """``(Σ w·L, Σ w²·L)`` over every period of the window: L its length (years), w its decay.

    The window runs from the first to the last period of ``periods`` (every year, or every
    month when periods are months), so a period where nobody was recorded still counts as
    exposure; ``w = 0.5^(age / half-life)`` as in :func:`decayed_counts`.
    """
    text = pd.Series(periods.astype(str).unique())
    if text.empty:
        return 1.0, 1.0
    if (text.str.len() == 4).all():
        years = np.arange(int(text.min()), int(text.max()) + 1)
        mids, length = years + 0.5, np.ones(len(years))
    elif (text.str.len() == 7).all():
        first, last = (int(t[:4]) * 12 + int(t[5:7]) - 1 for t in (text.min(), text.max()))
        months = np.arange(first, last + 1)
        mids, length = months // 12 + (months % 12 + 0.5) / 12, np.full(len(months), 1 / 12)
    else:  # years and months mixed: the periods present
        mids = period_years(text)
        length = np.where(text.str.len() == 4, 1.0, 1 / 12)
    w = 0.5 ** ((mids.max() - mids) / half_life_years)
    return float((w * length).sum()), float((w * w * length).sum())


def eb_posterior_draw(
    counts: ArrayLike, population: ArrayLike, rng: np.random.Generator
) -> NDArray[np.float64]:
    """One draw per area of the rate per 10,000 from the Gamma posterior of the EB fit.

    Notes
    -----
    The Marshall moments (overall rate ``m``, between-area variance ``s²``) define a Gamma
    prior with shape ``m²/s²`` and rate ``m/s²``; with ``y`` Poisson counts of ``n`` people
    the posterior is Gamma(``m²/s² + y``, ``m/s² + n``), whose mean is the EB estimate. When
    ``s² = 0`` (no spread beyond Poisson noise) the counts are drawn as Poisson around the
    observed ones instead (Gamma(``y + 0.5``, ``n``), Jeffreys), so they still vary.
    """
    y = np.asarray(counts, dtype=float)
    n = np.asarray(population, dtype=float)
    if n.sum() <= 0 or y.sum() <= 0:
        return np.zeros(len(y))
    m = y.sum() / n.sum()
    r = np.divide(y, n, out=np.full(len(y), m), where=n > 0)
    s2 = float((n * (r - m) ** 2).sum() / n.sum() - m / n[n > 0].mean())
    if s2 > 0:
        shape, rate = m * m / s2 + y, m / s2 + n
    else:
        shape, rate = y + 0.5, np.where(n > 0, n, n[n > 0].mean())
    return rng.gamma(shape, 1.0 / rate) * PER


def decayed_rate(
    table: pd.DataFrame,
    commune_codes: ArrayLike,
    population: ArrayLike,
    *,
    half_life_years: float,
    rng: np.random.Generator | None = None,
) -> NDArray[np.float64]:
    """People per 10,000 per year, time-weighted, shrunk by empirical Bayes (see below).

    Notes
    -----
    A time-weighted count ``Y = Σ wₜ·yₜ`` of Poisson counts over person-years ``n·Σ wₜLₜ``
    has mean ``λ·n·Σ wₜLₜ`` and variance ``λ·n·Σ wₜ²Lₜ``. Scaled by ``c = Σ wL / Σ w²L`` it
    has mean equal to variance, as a Poisson count: :func:`eb_smoothed_rate` gets ``c·Y``
    over ``c·n·Σ wL`` person-years. Feeding ``Y`` over ``n`` (one year's people) instead
    overstates the noise of a window of several years and shrinks too hard. With ``rng``, one
    draw from the posterior (:func:`eb_posterior_draw`) instead of its mean.
    """
    counts = decayed_counts(table, commune_codes, half_life_years=half_life_years)
    if table.empty:
        return np.zeros(len(counts))
    wl, w2l = window_weights(table["period"], half_life_years=half_life_years)
    c = wl / w2l
    exposure = np.asarray(population, dtype=float) * wl * c
    if rng is not None:
        return eb_posterior_draw(counts * c, exposure, rng)
    return eb_smoothed_rate(counts * c, exposure)


def effort_by_commune(table: pd.DataFrame, commune_codes: ArrayLike) -> NDArray[np.float64]:
    """Enforcement effort per commune (days) summed over the periods of ``table``; NaN if none.

    Effort is one value per commune and period, repeated on every row of that commune and
    period (:data:`geo.schema.EFFORT`), so each commune-period counts once. A commune with no
    recorded effort in ``table`` gets NaN (not recorded), never 0.
    """
    codes = pd.Index(np.asarray(commune_codes, dtype=str))
    pairs = _effort_pairs(table)
    out = np.full(len(codes), np.nan)
    if pairs.empty:
        return out
    where = _commune_rows(pairs, codes)
    seen = np.bincount(where, minlength=len(codes)) > 0
    days = np.bincount(where, weights=pairs[EFFORT].to_numpy(dtype=float), minlength=len(codes))
    out[seen] = days[seen]
    return out


def _effort_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """One row per commune and period with recorded effort and the people recorded there."""
    if EFFORT not in table.columns or table.empty:
        return pd.DataFrame(columns=["commune_code", "period", EFFORT, "count"])
    frame = table.assign(
        commune_code=table["commune_code"].astype(str),
        period=table["period"].astype(str),
        **{EFFORT: pd.to_numeric(table[EFFORT], errors="coerce")},
    )
    grouped = frame.groupby(["commune_code", "period"], sort=True)
    pairs = grouped.agg(**{EFFORT: (EFFORT, "first"), "count": ("count", "sum")})
    return pairs.dropna(subset=[EFFORT]).reset_index()


def effort_only_where_found(table: pd.DataFrame) -> bool:
    """True when effort is recorded, but only for commune-periods where people were found."""
    pairs = _effort_pairs(table)
    return bool(len(pairs)) and bool((pairs["count"] > 0).all())


def effort_note(table: pd.DataFrame) -> str:
    """Run note saying whether enforcement effort is recorded and how closely counts follow it."""
    pairs = _effort_pairs(table)
    if pairs.empty:
        return (
            f"enforcement effort not recorded (no {EFFORT} in repatriations): the people "
            "recorded measure where guards looked as well as trafficking (docs/method.md §7)"
        )
    years = np.floor(period_years(pairs["period"])).astype(int)
    days, people = float(pairs[EFFORT].sum()), float(pairs["count"].sum())
    rate = f", {people / days * 100:.1f} people recorded per 100 days" if days > 0 else ""
    rho = spearman(pairs[EFFORT], pairs["count"])
    follow = (
        f"Spearman ρ between effort and people recorded = {rho:.2f}"
        if rho is not None
        else "no correlation: effort or counts are the same everywhere"
    )
    zero = (
        "; effort is recorded only where people were found: add rows with count 0 for the "
        "patrols that found nobody (or a separate effort table), or yields cannot be reported"
        if effort_only_where_found(table)
        else ""
    )
    return (
        f"enforcement effort recorded for {len(pairs)} commune-periods "
        f"({years.min()}-{years.max()}, {days:,.0f} days{rate}); {follow}; the repatriation "
        f"rate partly measures where guards looked (docs/method.md §7){zero}"
    )


def spearman(a: ArrayLike, b: ArrayLike) -> float | None:
    """Spearman's rank correlation of ``a`` and ``b`` (-1 to 1), None if either is constant."""
    x, y = pd.Series(np.asarray(a, dtype=float)), pd.Series(np.asarray(b, dtype=float))
    if len(x) < 3 or x.nunique() < 2 or y.nunique() < 2:
        return None
    return round(float(x.rank().corr(y.rank())), 4)
