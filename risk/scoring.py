"""Weighted scoring: treated, normalised indicators → score 0-100, contributions, class and rank."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from risk.errors import ScoringError
from risk.indicators import DIMENSIONS
from risk.labels import CLASS_LABELS, class_breaks, classify
from risk.profiles import Profile
from risk.quality import MIN_AVAILABILITY, availability, flags_in_notes, quality_flags
from risk.results import ScoreTable, contrib_col, norm_col, raw_col
from risk.transforms import SCALE, normalise, treat_outliers

AGGREGATIONS = ("arithmetic", "geometric")
#: Geometric aggregation works on normalised values shifted to 1-100 (a zero would zero all).
GEO_FLOOR = 1.0


def score(indicators: pd.DataFrame, profile: Profile, *, notes: Iterable[str] = ()) -> ScoreTable:
    """Score every commune (rows of ``indicators``, indexed by ``commune_code``) with ``profile``.

    Parameters
    ----------
    indicators
        Raw indicator values, one column per indicator.
    profile
        Weights plus the method: ``outliers`` (``coinr`` or ``none``), ``normalisation``
        (``minmax``, ``rank``, ``zscore``), ``aggregation`` (``arithmetic``, ``geometric``) and
        ``classification`` (``quantile``, ``natural_breaks``) in its parameters.

    Returns
    -------
    ScoreTable
        Per commune ``raw_*``, ``norm_*`` (0-100) and ``contrib_*`` (points adding up to
        ``score``, 0-100), class 1-5 with labels, and rank (1 = highest, ties by code).

    Raises
    ------
    ScoringError
        If there is no commune, no indicator with a weight, or a value is missing.
    """
    notes = list(notes)
    params = profile.parameters
    usable = _available(indicators, notes)
    weights = usable_weights(profile.weights, usable.columns, notes)
    _check_values(usable, weights)
    names = list(weights)
    flags = _low_availability(indicators) + quality_flags(usable[names], DIMENSIONS)
    flags += flags_in_notes(notes)
    norm, treatments = normalised_matrix(usable[names], params, notes=notes)
    w = np.array([weights[n] for n in names])
    total, contrib = aggregate(norm, w, params["aggregation"])
    columns: dict[str, object] = {"commune_code": usable.index.astype(str)}
    for j, name in enumerate(names):  # one frame built at once: a column at a time is slower
        columns[raw_col(name)] = usable[name].to_numpy(dtype=float)
        columns[norm_col(name)] = norm[:, j]
        columns[contrib_col(name)] = contrib[:, j]
    frame = pd.DataFrame(columns | {"score": total})
    breaks = class_breaks(total, params["classification"])
    frame["class"] = classify(total, breaks)
    for lang in ("vi", "en"):  # one lookup per class, not per commune
        labels = np.array([None, *(CLASS_LABELS[c][lang] for c in range(1, 6))], dtype=object)
        frame[f"class_label_{lang}"] = labels[frame["class"].to_numpy()]
    frame["rank"] = rank(total, frame["commune_code"].to_numpy())
    return ScoreTable(
        frame=frame,
        weights=weights,
        breaks=tuple(map(float, breaks)),
        notes=tuple(notes),
        quality=tuple(flags),
        treatments=treatments,
    )


def normalised_matrix(
    indicators: pd.DataFrame,
    params: Mapping,
    *,
    method: str | None = None,
    notes: list[str] | None = None,
) -> tuple[NDArray[np.float64], dict[str, str]]:
    """Communes × indicators matrix of values treated for outliers and normalised to 0-100.

    ``method`` overrides the profile's normalisation (used by the sensitivity analysis).
    Returns the matrix and, per indicator, the outlier treatment applied.
    """
    method = method or params["normalisation"]
    columns, treatments = [], {}
    for name in indicators.columns:
        raw = indicators[name].to_numpy(dtype=float)
        values, how = (raw, "none")
        if params["outliers"] == "coinr":
            values, how = treat_outliers(raw, max_points=int(params["winsor_max_points"]))
        treatments[name] = how
        norm = normalise(values, method)
        if notes is not None and len(raw) > 1 and not norm.any():
            notes.append(f"{name} is the same for every commune: it adds 0 points everywhere")
        columns.append(norm)
    return np.column_stack(columns) if columns else np.zeros((len(indicators), 0)), treatments


def aggregate(
    norm: NDArray[np.float64], weights: NDArray[np.float64], method: str = "arithmetic"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Scores (0-100) and per-indicator contributions (points, adding up to the score).

    ``arithmetic``: ``S = Σ wᵢ·xᵢ``, contribution ``wᵢ·xᵢ``. ``geometric``: with
    ``yᵢ = 1 + 0.99·xᵢ`` (1-100), ``S = (Π yᵢ^wᵢ - 1) / 0.99``, so a low value cannot be fully
    offset by a high one. Each indicator is credited its arithmetic points ``wᵢ·xᵢ`` and the
    indicators below the commune's geometric mean pay the imbalance penalty ``Σ wᵢ·xᵢ - S``
    (≥ 0), shared in proportion to ``wᵢ·ln(G / yᵢ)``: an indicator at 0 beside one at 100
    shows about -41 points (what it costs), not 0.
    """
    if method == "arithmetic":
        contrib = norm * weights[None, :]
        return contrib.sum(axis=1), contrib
    if method != "geometric":
        raise ScoringError(f'aggregation was "{method}", expected one of {AGGREGATIONS}')
    stretch = (SCALE - GEO_FLOOR) / SCALE
    logs = np.log(GEO_FLOOR + stretch * norm)
    total_log = (logs * weights[None, :]).sum(axis=1)
    scores = np.expm1(total_log) / stretch
    credit = norm * weights[None, :]
    penalty = credit.sum(axis=1) - scores
    below = np.clip(total_log[:, None] - logs, 0.0, None) * weights[None, :]
    spread = below.sum(axis=1, keepdims=True)
    fallback = np.broadcast_to(weights / max(float(weights.sum()), 1e-300), below.shape)
    share = np.where(spread > 1e-12, below / np.where(spread > 1e-12, spread, 1.0), fallback)
    return scores, credit - share * penalty[:, None]


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


def _available(indicators: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Indicators with a value for at least 66 % of communes; the others are dropped."""
    share = availability(indicators)
    dropped = [n for n, s in share.items() if s < MIN_AVAILABILITY and len(indicators)]
    for name in dropped:
        notes.append(f"{name} dropped: only {share[name]:.0%} of communes have a value")
    return indicators.drop(columns=dropped)


def _low_availability(indicators: pd.DataFrame) -> list[str]:
    return [
        f"{n}: only {s:.0%} of communes have a value (< 66 %)"
        for n, s in availability(indicators).items()
        if s < MIN_AVAILABILITY and len(indicators)
    ]


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
