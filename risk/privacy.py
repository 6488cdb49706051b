"""Protecting people in the data: small counts suppressed, no personal identifiers in outputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from geo.errors import RiskmapError


class PrivacyError(RiskmapError, ValueError):
    """Output would show a small count of people, or a column that identifies a person."""


#: Counts from 1 to ``DEFAULT_THRESHOLD - 1`` are shown as "<5" to viewers and in exports.
DEFAULT_THRESHOLD = 5

#: Column names that would identify a person; they never belong in a layer, a response or a file.
IDENTIFIER_COLUMNS = frozenset(
    {
        "full_name",
        "person_name",
        "ho_ten",
        "họ_tên",
        "họ tên",
        "ho ten",
        "id_number",
        "cccd",
        "cmnd",
        "passport",
        "passport_no",
        "phone",
        "so_dien_thoai",
        "date_of_birth",
        "dob",
        "ngay_sinh",
    }
)


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
        values = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise PrivacyError(
                f'column "{column}", row {row + 1}: count was {out[column].iloc[row]!r} '
                "but is expected to be a number of people, 0 or more"
            )
        small = (values > 0) & (values < threshold)
        shown = np.where(
            small, suppressed_label(threshold), np.round(values).astype(int).astype(str)
        )
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
        if str(column).strip().lower() in IDENTIFIER_COLUMNS:
            raise PrivacyError(
                f'column "{column}" would identify a person; riskmap keeps counts, never people'
            )


#: Columns of score frames that count people (deported, returned victims): always suppressed.
SENSITIVE_COUNT_COLUMNS = ("repatriations_total", "repatriations", "victims", "deported")
