"""ID and phone numbers written inside free text, in tables of people counted.

:mod:`geo.privacy` refuses columns named for a personal identifier, or whose every value is
one. A note such as "trả về ngày 3/5, CCCD 001099012345" passes both, so here every text
cell of a person table (repatriations) is searched for what reads as a Vietnamese ID number
(CMND: 9 digits, CCCD: 12 digits, written whole or in groups of three or four split by
spaces or dashes; dotted groups are taken for money) or phone number
(10 digits from 03/05/07/08/09, 11 from 02, or +84 / 84 and 9 digits). The numbers are never
repeated in a message or a log: the problem names the column and the rows only.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.report import Problem

#: Tables of people counted, whose notes may name a person.
PERSON_TABLES = ("repatriations",)
#: Columns checked by the layer contract as codes, periods and counts.
CONTRACT_COLUMNS = frozenset({"commune_code", "period", "count"})
_START = r"(?<![\d.,+])"  # not the tail of a longer number, a decimal or a thousands group
_END = r"(?!\d|[.,]\d)"
_ID = re.compile(
    _START
    + r"(?:\d{12}|\d{9}|\d{3}(?:[ \-]\d{3}){3}|\d{4}(?:[ \-]\d{4}){2}|\d{3}(?:[ \-]\d{3}){2})"
    + _END
)
_PHONE = re.compile(
    _START
    + r"(?:0[35789]\d{8}|02\d{9}|0[35789]\d{2}(?:[ .\-]\d{3}){2}"
    + r"|\+?84[ .\-]?[35789]\d{2}[ .\-]?\d{3}[ .\-]?\d{3})"
    + _END
)
_REFUSAL = (
    "personal identifiers are never stored; delete them from the notes (keep only counts "
    "per commune and period)"
)
MAX_ROWS_NAMED = 10


def identifier_problems(frame: pd.DataFrame, layer: str) -> list[Problem]:
    """One file-level problem per text column whose cells hold ID or phone numbers.

    The problem is file-level (nothing of the file is stored, not even the other rows, since
    rejected rows would be kept with their text) and names the rows, never the numbers.
    """
    if layer not in PERSON_TABLES:
        return []
    geometry = getattr(frame, "_geometry_column_name", None)
    rows = _row_numbers(frame)
    problems = []
    for column in frame.columns:
        if column in CONTRACT_COLUMNS or column == geometry:
            continue
        found = _kinds(frame[column])
        for kind, mask in found.items():
            problems.append(
                Problem(
                    f"{_describe(rows[mask])} what reads as {kind} in free text: {_REFUSAL}",
                    column=str(column),
                )
            )
    return problems


def _kinds(values: pd.Series) -> dict[str, np.ndarray]:
    """Masks of the cells holding ID numbers and phone numbers (only kinds found)."""
    text = values.map(lambda v: v if isinstance(v, str) else "")
    out = {}
    ids = text.map(lambda v: bool(_ID.search(v))).to_numpy(dtype=bool)
    phones = text.map(lambda v: bool(_PHONE.search(v))).to_numpy(dtype=bool)
    if phones.any():
        out["phone numbers"] = phones
    if (ids & ~phones).any():
        out["CMND/CCCD ID numbers (9 or 12 digits)"] = ids & ~phones
    return out


def _row_numbers(frame: pd.DataFrame) -> np.ndarray:
    if frame.index.name == "row":
        return frame.index.to_numpy()
    return np.arange(1, len(frame) + 1)


def _describe(rows: np.ndarray) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_NAMED])
    more = f" and {len(rows) - MAX_ROWS_NAMED} more" if len(rows) > MAX_ROWS_NAMED else ""
    return f"rows {shown}{more} hold" if len(rows) > 1 else f"row {shown} holds"
