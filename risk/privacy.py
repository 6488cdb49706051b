"""Protecting people in the data: small counts suppressed, no personal identifiers in outputs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import RiskmapError
from geo.privacy import is_personal_header
from risk.results import CONTRIB, NORM, RAW


class PrivacyError(RiskmapError, ValueError):
    """Output would show a small count of people, or a column that identifies a person."""


#: Counts from 1 to ``DEFAULT_THRESHOLD - 1`` are shown as "<5" to viewers and in exports.
DEFAULT_THRESHOLD = 5
MODES = ("threshold", "round")
#: Columns of score frames that count people (deported, returned victims): always suppressed.
SENSITIVE_COUNT_COLUMNS = ("repatriations_total", "repatriations", "victims", "deported")
#: The count whose smallness decides whether a commune's rates are withheld.
COUNT_COLUMN = "repatriations_total"
#: Indicators that are rates of those people: their raw, normalised and contribution columns
#: are withheld (null) wherever the count behind them is not shown exactly.
RATE_INDICATORS = ("repatriation_rate", "deported_rate", "victim_rate")
#: Boolean column telling a reader that a row's rates were withheld, not missing.
WITHHELD_FLAG = "rate_withheld"


def suppressed_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The text shown in place of a small count, e.g. "<5"."""
    return f"<{threshold}"


def suppress_small_counts(
    frame: pd.DataFrame, columns: Sequence[str], threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """A copy of ``frame`` where counts 1..threshold-1 in ``columns`` read "<threshold".

    Zero and counts of ``threshold`` or more are kept (as whole numbers, written as text so a
    column can hold both); a missing or negative count raises :class:`PrivacyError` rather than
    being hidden. Columns absent from ``frame`` are ignored, so callers can list every sensitive
    column once.
    """
    if threshold < 1:
        raise ValueError(f"threshold was {threshold} but is expected to be at least 1")
    out = frame.copy()
    for column in (c for c in columns if c in out.columns):
        values = _counts(out, column)
        small = (values > 0) & (values < threshold)
        shown = np.where(small, suppressed_label(threshold), values.astype(int).astype(str))
        out[column] = pd.Series(shown, index=out.index, dtype=object)
    return out


def check_suppressed(
    frame: pd.DataFrame, columns: Iterable[str], threshold: int = DEFAULT_THRESHOLD
) -> None:
    """Raise :class:`PrivacyError` if a sensitive column of ``frame`` still shows a small count."""
    for column in (c for c in columns if c in frame.columns):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        small = np.isfinite(values) & (values > 0) & (values < threshold)
        if small.any():
            row = int(np.flatnonzero(small)[0])
            raise PrivacyError(
                f'column "{column}", row {row + 1} shows a count below {threshold}; '
                "suppress it with risk.privacy.suppress_small_counts before writing"
            )


def check_no_identifiers(frame: pd.DataFrame) -> None:
    """Raise :class:`PrivacyError` if ``frame`` has a column that would identify a person."""
    for column in frame.columns:
        if is_personal_header(column):
            raise PrivacyError(
                f'column "{column}" would identify a person; riskmap keeps counts, never people'
            )


@dataclass(frozen=True)
class Suppression:
    """How counts of people reach viewers and exports.

    ``mode="threshold"`` shows counts 1..threshold-1 as "<threshold" and withholds their rates;
    ``mode="round"`` rounds every count down to a multiple of ``round_base`` and withholds every
    rate (the rates are time-decayed and smoothed, so they cannot be recomputed from rounded
    counts and would give the exact count away).
    """

    mode: str = "threshold"
    threshold: int = DEFAULT_THRESHOLD
    round_base: int = 5

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f'suppression mode was "{self.mode}" but is expected to be in {MODES}')
        if self.threshold < 1:
            raise ValueError(f"threshold was {self.threshold} but is expected to be at least 1")
        if self.round_base < 2:
            raise ValueError(f"round_base was {self.round_base} but is expected to be at least 2")

    def describe(self) -> str:
        """The rule in a few words for the audit trail, e.g. "threshold <5"."""
        if self.mode == "round":
            return f"round down to {self.round_base}"
        return f"threshold {suppressed_label(self.threshold)}"

    @property
    def key(self) -> str:
        """Short name of the rule for file names, e.g. "threshold5" or "round10"."""
        return f"round{self.round_base}" if self.mode == "round" else f"threshold{self.threshold}"

    def stand_in(self) -> int:
        """People a count of 1..threshold-1 stands for in viewers' scores (threshold // 2)."""
        return max(1, self.threshold // 2)

    def seen(self, counts: np.ndarray) -> np.ndarray:
        """The numbers viewers' scores use for ``counts``: stand-in for small ones, or rounded."""
        counts = np.round(np.asarray(counts, dtype=float))
        if self.mode == "round":
            return counts // self.round_base * self.round_base
        small = (counts > 0) & (counts < self.threshold)
        return np.where(small, float(self.stand_in()), counts)

    def shown(self, counts: np.ndarray) -> pd.Series:
        """What readers see for ``counts`` (whole people, >= 0): text labels or rounded numbers."""
        if self.mode == "round":
            return pd.Series((counts // self.round_base * self.round_base).astype(np.int64))
        small = (counts > 0) & (counts < self.threshold)
        text = np.round(counts).astype(np.int64).astype(str)
        return pd.Series(np.where(small, suppressed_label(self.threshold), text), dtype=object)

    def withheld(self, counts: np.ndarray) -> np.ndarray:
        """Which rows' rates must be withheld: those whose count is not shown exactly."""
        if self.mode == "round":
            return np.ones(len(counts), dtype=bool)
        return (counts > 0) & (counts < self.threshold)


def rate_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of ``frame`` that hold a rate of people (raw, normalised, contribution)."""
    names = [p + i for i in RATE_INDICATORS for p in (RAW, NORM, CONTRIB)]
    return [c for c in names if c in frame.columns]


def apply_suppression(frame: pd.DataFrame, rule: Suppression) -> pd.DataFrame:
    """A copy of ``frame`` with counts of people shown under ``rule`` and their rates withheld.

    Every column of :data:`SENSITIVE_COUNT_COLUMNS` present is replaced by what ``rule`` shows;
    rate columns (:func:`rate_columns`) become null on the rows ``rule`` withholds, and when
    there are rate columns the boolean :data:`WITHHELD_FLAG` column says which rows those are.
    A frame with rates but no :data:`COUNT_COLUMN` has every rate withheld. Missing or negative
    counts raise :class:`PrivacyError`.
    """
    out = frame.copy()
    for column in (c for c in SENSITIVE_COUNT_COLUMNS if c in out.columns):
        out[column] = rule.shown(_counts(out, column)).set_axis(out.index)
    rates = rate_columns(out)
    if COUNT_COLUMN in frame.columns:
        hide = rule.withheld(_counts(frame, COUNT_COLUMN))
    else:
        hide = np.full(len(out), bool(rates))
    for column in rates:
        out[column] = out[column].astype(float).mask(hide)
    if rates:
        out[WITHHELD_FLAG] = hide
    return out


def _counts(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Counts of ``column`` as floats; PrivacyError on a missing or negative one."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = frame[column].iloc[row]
        value = value.item() if isinstance(value, np.generic) else value
        raise PrivacyError(
            f'column "{column}", row {row + 1}: count was {value!r} '
            "but is expected to be a number of people, 0 or more"
        )
    return np.round(values)


def check_rule(frame: pd.DataFrame, rule: Suppression) -> None:
    """Raise :class:`PrivacyError` if ``frame`` shows a count or rate that ``rule`` hides."""
    if rule.mode == "threshold":
        check_suppressed(frame, SENSITIVE_COUNT_COLUMNS, rule.threshold)
    else:
        for column in (c for c in SENSITIVE_COUNT_COLUMNS if c in frame.columns):
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            off = np.isfinite(values) & (values % rule.round_base != 0)
            if off.any():
                row = int(np.flatnonzero(off)[0])
                raise PrivacyError(
                    f'column "{column}", row {row + 1} is not rounded to {rule.round_base}'
                )
    hidden = frame[WITHHELD_FLAG].to_numpy(bool) if WITHHELD_FLAG in frame.columns else None
    for column in rate_columns(frame):
        shown = frame[column].notna().to_numpy() & (True if hidden is None else hidden)
        if shown.any():
            row = int(np.flatnonzero(shown)[0])
            raise PrivacyError(f'column "{column}", row {row + 1} shows a withheld rate')


#: The rules every stored run keeps a viewer variant for (the server's own is added by the API).
VIEW_RULES = (Suppression("threshold"), Suppression("round"))
#: Period of every row of the viewer view: one fixed period, so time decay cannot date anyone.
VIEW_PERIOD = "2000"
VIEW_COLUMNS = ("commune_code", "period", "category", "count")
#: The categories a commune's people are shared over when its split is withheld: those the
#: per-category rates count. Fixed, so the view does not tell which categories were recorded.
SHARED_CATEGORIES = ("deported", "victim_returned")


def viewer_repatriations(rows: pd.DataFrame, rule: Suppression) -> pd.DataFrame:
    """The repatriations a viewer may see: one row per commune and category, counts under ``rule``.

    Counts are summed over every period, sex and age band, then each commune-category total
    goes through :meth:`Suppression.seen` (threshold: 1..threshold-1 become the stand-in;
    round: rounded down to the base). Under the threshold rule the categories of a commune are
    suppressed together (:func:`_joint_categories`). Every row gets :data:`VIEW_PERIOD` and no
    effort, so nothing computed from the view can tell years, periods or small totals apart.
    """
    frame = pd.DataFrame(
        {
            "commune_code": rows["commune_code"].astype(str),
            "category": rows["category"].astype(str) if "category" in rows else "all",
            "count": _counts(rows, "count"),
        }
    )
    totals = frame.groupby(["commune_code", "category"], sort=True)["count"].sum().reset_index()
    if rule.mode == "threshold":
        totals = _joint_categories(totals, rule)
    else:
        totals["count"] = rule.seen(totals["count"].to_numpy())
    totals = totals[totals["count"] > 0].reset_index(drop=True)
    totals.insert(1, "period", VIEW_PERIOD)
    if "category" not in rows:
        totals = totals.drop(columns="category")
    return totals


def _joint_categories(totals: pd.DataFrame, rule: Suppression) -> pd.DataFrame:
    """Commune-category totals as viewers see them, no commune with a small category split.

    Totals go through ``rule.seen``, except in a commune with any small category: its
    categories are replaced by its total (``rule.seen`` of it) shared out evenly over
    :data:`SHARED_CATEGORIES` (the remainder one by one in that order), so that 2 + 5 and
    1 + 6 people, or 2 deported and 2 victims returned, look the same to viewers.
    """
    counts = totals["count"].to_numpy()
    small = (counts > 0) & (counts < rule.threshold)
    joint = set(totals.loc[small, "commune_code"])
    categories = ["all"] if set(totals["category"]) == {"all"} else SHARED_CATEGORIES
    kept = totals[~totals["commune_code"].isin(joint)]
    kept = kept.assign(count=rule.seen(kept["count"].to_numpy()))
    whole = totals[totals["commune_code"].isin(joint)].groupby("commune_code")["count"].sum()
    shared = []
    for code, total in whole.items():
        seen = int(rule.seen(np.array([total]))[0])
        base, extra = divmod(seen, len(categories))
        shared += [(code, c, float(base + (i < extra))) for i, c in enumerate(categories)]
    rows = pd.DataFrame(shared, columns=["commune_code", "category", "count"])
    out = pd.concat([kept, rows], ignore_index=True)
    return out.sort_values(["commune_code", "category"], ignore_index=True)


_view: ContextVar[list[Suppression | None] | None] = ContextVar("riskmap_view", default=None)


@contextmanager
def viewing(rule: Suppression | None) -> Iterator[None]:
    """Within the block, stored runs are read (and runs scored) as ``rule``'s viewers see them."""
    token = _view.set([rule])
    try:
        yield
    finally:
        _view.reset(token)


def set_view(rule: Suppression | None) -> None:
    """From now on in this request's context, read runs as ``rule``'s viewers (None: exact)."""
    _view.set([rule])


def current_view() -> Suppression | None:
    """The rule runs are read under here: None (exact, analysts and the CLI) or a viewer's."""
    held = _view.get()
    return None if held is None else held[0]
