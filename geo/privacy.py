"""The personal-identifier guard: layers take places and counts, never people.

A column is refused when its header names a personal identifier (full name, CCCD/CMND number,
passport, phone, date of birth, home address) in Vietnamese or English, or, in a table of
people counted (repatriations), when its values look like ID or phone numbers.
"""

from __future__ import annotations

import re

import pandas as pd

from geo.names import fold
from geo.report import Problem

#: Header keys (see :func:`geo.names.fold`) that name a personal identifier: the one list,
#: checked on every file read (here) and every output written (:mod:`risk.privacy`).
PERSONAL_HEADERS = frozenset(
    {
        "ho ten",
        "ho va ten",
        "ho ten nguoi",
        "ten nguoi",
        "full name",
        "person name",
        "cccd",
        "cmnd",
        "so cccd",
        "so cmnd",
        "cmnd cccd",
        "so cmnd cccd",
        "can cuoc",
        "can cuoc cong dan",
        "so dinh danh",
        "id number",
        "passport",
        "passport no",
        "passport number",
        "ho chieu",
        "so ho chieu",
        "phone",
        "phone number",
        "mobile",
        "dien thoai",
        "so dien thoai",
        "sdt",
        "email",
        "date of birth",
        "dob",
        "ngay sinh",
        "ngay thang nam sinh",
        "nam sinh",
        "dia chi thuong tru",
        "noi thuong tru",
        "ho khau thuong tru",
    }
)
#: Extra headers refused in tables of people counted: there a name or address is a person's.
PERSON_TABLE_HEADERS = frozenset({"name", "ten", "address", "dia chi", "noi o", "thuong tru"})
PERSON_TABLES = ("repatriations",)
_SAFE_COLUMNS = {"commune_code", "period", "count", "category", "sex", "age_band"}
_ID_NUMBER = re.compile(r"^\d{9}$|^\d{12}$")
_PHONE = re.compile(r"^(\+?84|0)\d{9,10}$")
_SEPARATORS = re.compile(r"[\s.\-()]")
_REFUSAL = "personal identifiers are never stored; remove this column and keep only counts"


def is_personal_header(header: object) -> bool:
    """Whether a column header names a personal identifier ("Số điện thoại", "full_name", ...)."""
    return fold(header) in PERSONAL_HEADERS


def personal_id_problems(frame: pd.DataFrame, layer: str) -> list[Problem]:
    """One file-level problem per column that carries personal identifiers."""
    person_table = layer in PERSON_TABLES
    problems = []
    for column in frame.columns:
        if column == getattr(frame, "_geometry_column_name", None):
            continue
        named = is_personal_header(column) or (
            person_table and fold(column) in PERSON_TABLE_HEADERS
        )
        if named:
            problems.append(Problem(_REFUSAL, column=str(column)))
        elif person_table and column not in _SAFE_COLUMNS:
            looks = _looks_like_ids(frame[column])
            if looks:
                problems.append(
                    Problem(f"{_REFUSAL} (values look like {looks})", column=str(column))
                )
    return problems


def _looks_like_ids(values: pd.Series) -> str | None:
    """What the values of a column look like, if ID or phone numbers; else None."""
    text = values.dropna().astype(str).map(lambda v: _SEPARATORS.sub("", v))
    text = text[text != ""]
    if text.empty:
        return None
    if text.str.fullmatch(_PHONE).any():
        return "phone numbers"
    if text.str.fullmatch(_ID_NUMBER).any():
        return "CMND/CCCD ID numbers"
    return None
