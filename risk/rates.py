"""Time-decayed counts, rates per 10,000 people and empirical-Bayes smoothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo.errors import LayerError

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
    """Rate per 10,000 people shrunk toward the overall rate (global empirical Bayes).

    Notes
    -----
    Marshall (1991): with overall rate ``m = Σy/Σn`` and between-area variance
    ``s² = Σn(r-m)²/Σn - m/n̄`` (floored at 0), each raw rate ``r = y/n`` becomes
    ``w·r + (1-w)·m`` with ``w = s² / (s² + m/n)``. Areas with few people move most toward ``m``;
    an area with no people gets ``m`` itself.
    """
    y = np.asarray(counts, dtype=float)
    n = np.asarray(population, dtype=float)
    if n.sum() <= 0:
        return np.zeros(len(y))
    m = y.sum() / n.sum()
    r = np.divide(y, n, out=np.full(len(y), m), where=n > 0)
    s2 = max(float((n * (r - m) ** 2).sum() / n.sum() - m / n[n > 0].mean()), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > 0, s2 / (s2 + m / np.where(n > 0, n, 1.0)), 0.0)
    w = np.nan_to_num(w, nan=0.0)  # s2 = m = 0: nothing recorded anywhere, all rates are 0
    return (w * r + (1 - w) * m) * PER
