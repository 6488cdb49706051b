"""Weighted scoring: normalised indicators → score 0-100, contributions, class and rank."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from risk.errors import ScoringError
from risk.indicators import INDICATORS
from risk.labels import CLASS_LABELS, class_breaks, classify
from risk.profiles import Profile
from risk.results import ScoreTable, contrib_col, norm_col, raw_col
from risk.transforms import SCALE, normalise

POINTS = 100.0


def score(indicators: pd.DataFrame, profile: Profile, *, notes: Iterable[str] = ()) -> ScoreTable:
    """Score every commune (rows of ``indicators``, indexed by ``commune_code``) with ``profile``.

    Each indicator is normalised to 0-10; the score is ``10 · Σ wᵢ · normᵢ`` (0-100) with the
    profile's weights renormalised over the indicators present, so ``contrib_i = 10 · wᵢ · normᵢ``
    add up to the score. Rank 1 is the highest score, ties broken by commune code.

    Raises
    ------
    ScoringError
        If there is no commune, no indicator with a weight, or a value is missing.
    """
    notes = list(notes)
    weights = usable_weights(profile.weights, indicators.columns, notes)
    _check_values(indicators, weights)
    frame = pd.DataFrame({"commune_code": indicators.index.astype(str)})
    upper = float(profile.parameters["winsor_upper"])
    for name, weight in weights.items():
        raw = indicators[name].to_numpy(dtype=float)
        norm = normalise(raw, skewed=INDICATORS[name].skewed, winsor_upper=upper)
        frame[raw_col(name)] = raw
        frame[norm_col(name)] = norm
        frame[contrib_col(name)] = weight * norm * POINTS / SCALE
    frame["score"] = frame[[contrib_col(n) for n in weights]].sum(axis=1)
    breaks = class_breaks(frame["score"])
    frame["class"] = classify(frame["score"], breaks)
    frame["class_label_vi"] = frame["class"].map(lambda c: CLASS_LABELS[c]["vi"])
    frame["class_label_en"] = frame["class"].map(lambda c: CLASS_LABELS[c]["en"])
    frame["rank"] = rank(frame["score"].to_numpy(), frame["commune_code"].to_numpy())
    return ScoreTable(
        frame=frame, weights=weights, breaks=tuple(map(float, breaks)), notes=tuple(notes)
    )


def usable_weights(
    weights: Mapping[str, float], available: Iterable[str], notes: list[str]
) -> dict[str, float]:
    """Weights of the available indicators with weight > 0, renormalised to sum to 1."""
    available = set(available)
    kept = {k: w for k, w in weights.items() if k in available and w > 0}
    missing = sorted(k for k, w in weights.items() if k not in available and w > 0)
    total = sum(kept.values())
    if total <= 0:
        raise ScoringError("no indicator with a weight > 0 can be computed from these layers")
    if missing:
        notes.append(
            f"weights renormalised over the indicators present (missing: {', '.join(missing)})"
        )
    return {k: round(w / total, 12) for k, w in kept.items()}


def rank(scores: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Rank 1..n by descending score, ties broken by ascending commune code."""
    order = np.lexsort((codes, -scores))
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def _check_values(indicators: pd.DataFrame, weights: Mapping[str, float]) -> None:
    if indicators.empty:
        raise ScoringError("there are no communes to score")
    values = indicators[list(weights)].to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise ScoringError(
            f"commune {indicators.index[row]}: indicator "
            f"{list(weights)[col]} is {values[row, col]}, expected a number"
        )
