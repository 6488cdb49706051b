"""Two score runs side by side: per-commune changes, risers and fallers, the top k in and out.

Pure: score tables in (a run's frame, optionally joined with commune names), a
:class:`Comparison` out. Counts of people are compared as a rule's viewers see them
(:meth:`risk.privacy.Suppression.seen`) whenever a rule is given, so a viewer's change is
never computed from exact counts; the caller also reads both runs inside
:func:`risk.privacy.viewing` so the scores themselves are the viewers' variants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from risk.labels import word
from risk.privacy import COUNT_COLUMN, Suppression
from risk.results import CHANGE_COLUMNS, PLACE_COLUMNS

__all__ = [
    "COUNT_CHANGE_COLUMNS",
    "Comparison",
    "as_of_text",
    "change_columns",
    "compare_tables",
    "comparison_label",
    "small_change",
]

#: Counts of people in a comparison: the other run's total and the change (sensitive).
COUNT_CHANGE_COLUMNS = ("previous_repatriations_total", "repatriations_change")
#: Columns of every list of a comparison, in this order (those the frames have).
SHOWN = (
    *PLACE_COLUMNS,
    "score",
    "rank",
    "class",
    *CHANGE_COLUMNS,
    COUNT_COLUMN,
    *COUNT_CHANGE_COLUMNS,
)


@dataclass(frozen=True)
class Comparison:
    """The current run against another: every commune's change and what stands out.

    ``changes`` has one row per commune of the current run (rank order) with
    :data:`risk.results.CHANGE_COLUMNS` (null where the other run has no such commune);
    ``risers`` / ``fallers`` the largest score rises / falls (up to ``top_k`` each);
    ``entering`` the communes in the top ``top_k`` now and not before, ``leaving`` those in it
    before and not now (``rank`` null when the commune is not in the current run);
    ``only_current`` / ``only_previous`` the codes present in one run only (new or merged
    communes), reported rather than dropped.
    """

    top_k: int
    changes: pd.DataFrame
    risers: pd.DataFrame
    fallers: pd.DataFrame
    entering: pd.DataFrame
    leaving: pd.DataFrame
    only_current: tuple[str, ...]
    only_previous: tuple[str, ...]


def change_columns(current: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """:data:`CHANGE_COLUMNS` for each row of ``current`` against ``other`` (by commune code).

    score_change in points (0-100 scale), rank_change in places (previous rank − rank:
    positive = moved up), class_change in class steps (positive = a higher-risk class).
    Rows whose commune is not in ``other`` get nulls (nullable integers for ranks/classes).
    """
    codes = current["commune_code"].astype(str)
    before = other.assign(commune_code=other["commune_code"].astype(str)).set_index("commune_code")
    prev = before.reindex(codes.to_numpy())
    previous_rank = pd.array(prev["rank"].to_numpy(dtype=float), dtype="Int64")
    previous_class = pd.array(prev["class"].to_numpy(dtype=float), dtype="Int64")
    rank = pd.array(current["rank"].to_numpy(dtype=float), dtype="Int64")
    cls = pd.array(current["class"].to_numpy(dtype=float), dtype="Int64")
    score = current["score"].to_numpy(dtype=float)
    previous_score = prev["score"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "previous_score": np.round(previous_score, 2),
            "score_change": np.round(score - previous_score, 2),
            "previous_rank": previous_rank,
            "rank_change": previous_rank - rank,
            "previous_class": previous_class,
            "class_change": cls - previous_class,
        },
        index=current.index,
    )
    return out[list(CHANGE_COLUMNS)]


def count_changes(
    current: pd.DataFrame, other: pd.DataFrame, rule: Suppression | None
) -> pd.DataFrame:
    """People recorded per commune: the other run's total and the change, as ``rule`` shows them.

    With a rule both totals go through :meth:`Suppression.seen` first (idempotent on a viewer
    run's totals) and then :meth:`Suppression.shown`; the change is withheld (null) where
    either total is a small count the rule hides, and where it is itself a small number of
    people (:func:`small_change`). Without a rule (analysts): exact numbers.
    """
    if COUNT_COLUMN not in current.columns or COUNT_COLUMN not in other.columns:
        return pd.DataFrame(index=current.index)
    before = other.set_index(other["commune_code"].astype(str))[COUNT_COLUMN]
    now = current[COUNT_COLUMN].to_numpy(dtype=float)
    then = before.reindex(current["commune_code"].astype(str)).to_numpy(dtype=float)
    matched = np.isfinite(then)
    if rule is not None:
        now, then = rule.seen(now), np.where(matched, rule.seen(np.nan_to_num(then)), np.nan)
        hidden = rule.withheld(now) | (matched & rule.withheld(np.nan_to_num(then)))
        hidden &= rule.mode == "threshold"
        hidden |= small_change(now - np.nan_to_num(then), rule)
    else:
        hidden = np.zeros(len(now), dtype=bool)
    change = pd.array(np.where(hidden | ~matched, np.nan, now - then), dtype="Int64")
    previous = pd.array(then, dtype="Int64")
    out = pd.DataFrame({"previous_repatriations_total": previous, "repatriations_change": change})
    out.index = current.index
    if rule is not None:
        shown = rule.shown(np.nan_to_num(then)).where(matched, None).to_numpy()
        out["previous_repatriations_total"] = shown
        out[COUNT_COLUMN] = rule.shown(now).to_numpy()
    return out


def small_change(change: np.ndarray, rule: Suppression) -> np.ndarray:
    """Which changes in people are small counts in themselves: 0 < |change| < threshold.

    A suppressed output never shows one, so no difference gives away a few people.
    """
    size = np.abs(np.nan_to_num(np.asarray(change, dtype=float)))
    return (size > 0) & (size < rule.threshold)


def compare_tables(
    current: pd.DataFrame,
    other: pd.DataFrame,
    *,
    top_k: int = 10,
    rule: Suppression | None = None,
) -> Comparison:
    """Compare score table ``current`` with ``other`` (both: a run's frame, names optional).

    Parameters
    ----------
    current, other
        Frames with ``commune_code``, ``score``, ``rank`` and ``class`` (and optionally
        :data:`risk.results.PLACE_COLUMNS` and ``repatriations_total``).
    top_k
        Size of the top list whose entries and exits are reported, and of the riser and
        faller lists.
    rule
        How counts of people are shown (None: exact, for analysts).
    """
    if top_k < 1:
        raise ValueError(f"top_k was {top_k} but is expected to be 1 or more")
    now = current.sort_values("rank", kind="stable").reset_index(drop=True)
    changes = pd.concat([now, change_columns(now, other)], axis=1)
    counts = count_changes(now, other, rule)
    changes = changes.drop(columns=[c for c in counts.columns if c in changes]).join(counts)
    changes = changes[[c for c in SHOWN if c in changes.columns]]
    moved = changes[changes["score_change"].notna()]
    ordered = moved.sort_values(["score_change", "rank"], ascending=[False, True], kind="stable")
    risers = ordered[ordered["score_change"] > 0].head(top_k)
    fallers = ordered[ordered["score_change"] < 0].iloc[::-1].head(top_k)
    codes_now, codes_then = _codes(now), _codes(other)
    return Comparison(
        top_k=top_k,
        changes=changes,
        risers=risers.reset_index(drop=True),
        fallers=fallers.reset_index(drop=True),
        entering=_entering(changes, top_k),
        leaving=_leaving(changes, other, top_k),
        only_current=tuple(sorted(codes_now - codes_then)),
        only_previous=tuple(sorted(codes_then - codes_now)),
    )


def _codes(frame: pd.DataFrame) -> set[str]:
    return set(frame["commune_code"].astype(str))


def _entering(changes: pd.DataFrame, top_k: int) -> pd.DataFrame:
    """Communes in the top ``top_k`` now that were below it (or absent) before."""
    top = changes[changes["rank"] <= top_k]
    before = top["previous_rank"]
    return top[before.isna() | (before > top_k)].reset_index(drop=True)


def _leaving(changes: pd.DataFrame, other: pd.DataFrame, top_k: int) -> pd.DataFrame:
    """Communes in the top ``top_k`` before that are below it (or absent) now."""
    was = other[other["rank"] <= top_k].sort_values("rank", kind="stable")
    ranks = changes.set_index(changes["commune_code"].astype(str))["rank"]
    now = ranks.reindex(was["commune_code"].astype(str)).to_numpy(dtype=float)
    gone = ~(now <= top_k)
    keep = [c for c in (*PLACE_COLUMNS, "score", "rank", "class") if c in was.columns]
    out = was.loc[gone, keep].rename(
        columns={"score": "previous_score", "rank": "previous_rank", "class": "previous_class"}
    )
    out.insert(len(out.columns), "rank", pd.array(now[gone], dtype="Int64"))
    return out.reset_index(drop=True)


def comparison_label(run_id: str, as_of: str = "", lang: str = "vi") -> str:
    """'so với lần tính abc123 (đến 06/2024)': what a run is compared with, for a heading."""
    label = word("compare.against", lang).format(run=run_id)
    return f"{label} ({as_of_text(as_of, lang)})" if as_of else label


def as_of_text(as_of: str, lang: str = "vi") -> str:
    """'đến 06/2024' / 'as of 06/2024' for an as-of date (YYYY, YYYY-MM or YYYY-MM-DD)."""
    return word("compare.as_of", lang).format(date="/".join(reversed(as_of.split("-"))))
