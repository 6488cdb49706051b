"""Quality flags of an indicator set, as composite-indicator practice checks them (COINr)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: An indicator is flagged when fewer than this share of communes have a value.
MIN_AVAILABILITY = 0.66
#: ... or when more than this share of communes share one value.
MAX_SAME = 0.5
#: Two indicators of one dimension are flagged when Spearman's ρ is above / below these.
RHO_HIGH, RHO_LOW = 0.9, -0.4
#: Indicator sets whose flags are remembered.
MEMO_SIZE = 16
#: Start of the flag for communes without people (rates fall back to the overall rate).
ZERO_POPULATION = "no population in"
_memo: dict[bytes, tuple[str, ...]] = {}
_memo_lock = threading.Lock()


def zero_population_flag(population: ArrayLike, codes: ArrayLike) -> str | None:
    """Flag naming the communes with no people: their rates are the overall rate, not measured."""
    pop = np.asarray(population, dtype=float)
    empty = np.flatnonzero(~(pop > 0))
    if not len(empty):
        return None
    named = ", ".join(str(np.asarray(codes)[i]) for i in empty[:10])
    more = f" and {len(empty) - 10} more" if len(empty) > 10 else ""
    return (
        f"{ZERO_POPULATION} {len(empty)} commune(s) ({named}{more}): their rates are the "
        "overall rate of the province, not a measurement; check their population"
    )


def flags_in_notes(notes: list[str]) -> list[str]:
    """Notes that are quality flags too (the zero-population one)."""
    return [n for n in notes if n.startswith(ZERO_POPULATION)]


def availability(indicators: pd.DataFrame) -> dict[str, float]:
    """Share (0-1) of communes with a finite value, per indicator."""
    values = indicators.to_numpy(dtype=float)
    share = np.isfinite(values).mean(axis=0) if len(values) else np.zeros(values.shape[1])
    return dict(zip(indicators.columns, share.tolist(), strict=True))


def quality_flags(indicators: pd.DataFrame, dimensions: Mapping[str, str]) -> list[str]:
    """:func:`_quality_flags`, remembered for the last indicator sets (re-scoring repeats them)."""
    values = np.ascontiguousarray(indicators.to_numpy(dtype=float))
    about = json.dumps([list(map(str, indicators.columns)), sorted(dimensions.items())])
    key = hashlib.blake2b(values.tobytes() + about.encode(), digest_size=16).digest()
    with _memo_lock:
        if key in _memo:
            return list(_memo[key])
    flags = _quality_flags(indicators, dimensions)
    with _memo_lock:
        _memo[key] = tuple(flags)
        while len(_memo) > MEMO_SIZE:
            _memo.pop(next(iter(_memo)))
    return flags


def _quality_flags(indicators: pd.DataFrame, dimensions: Mapping[str, str]) -> list[str]:
    """Plain-language flags: low availability, mostly identical values, redundant pairs.

    Notes
    -----
    COINr's checks: availability below 66 %; more than half the units sharing one value;
    within one dimension, Spearman's ρ > 0.9 (two indicators say the same thing and
    double-weigh it) or ρ < -0.4 (they pull against each other).
    """
    flags = []
    for name, share in availability(indicators).items():
        if share < MIN_AVAILABILITY:
            flags.append(f"{name}: only {share:.0%} of communes have a value (< 66 %)")
    for name in indicators.columns:
        x = indicators[name].to_numpy(dtype=float)
        values, counts = np.unique(x[~np.isnan(x)], return_counts=True)
        if len(counts) and counts.max() / len(x) > MAX_SAME:
            flags.append(
                f"{name}: {counts.max() / len(x):.0%} of communes share one value "
                f"({values[counts.argmax()]:g})"
            )
    flags.extend(_correlated_pairs(indicators, dimensions))
    return flags


def _correlated_pairs(indicators: pd.DataFrame, dimensions: Mapping[str, str]) -> list[str]:
    flags = []
    names = [n for n in indicators.columns if n in dimensions]
    rho = indicators[names].rank().corr(method="pearson") if len(indicators) > 2 else None
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if rho is None or dimensions[a] != dimensions[b] or not np.isfinite(rho.loc[a, b]):
                continue
            r = float(rho.loc[a, b])
            if r > RHO_HIGH or r < RHO_LOW:
                word = "nearly the same ranking" if r > 0 else "opposite rankings"
                flags.append(f"{a} and {b} ({dimensions[a]}): Spearman ρ = {r:.2f}, {word}")
    return flags
