"""Cell values as users type them → contract values: kinds, codes, periods, counts, numbers.

Pure: a frame in, the converted frame and a list of problems out. Nothing unreadable becomes a
zero or NaN silently: every value that cannot be converted is reported with its row.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.names import KIND_ALIASES, kind_value
from geo.report import WARNING, Problem
from geo.schema import LAYERS, row_numbers

NUMERIC = ("population", "area_km2", "daily_traffic", "workers", "enforcement_days")
SHARES = ("poverty_rate", "ethnic_minority_share", "migrant_share")
_MONTH_YEAR = re.compile(r"^(?:T|Tháng\s*)?(\d{1,2})[/.\-](\d{4})$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2}(?:[ T].*)?)?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")


def normalise_values(frame: pd.DataFrame, layer: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Kinds mapped to contract values, codes padded, periods, counts and numbers parsed."""
    frame = frame.copy()
    problems: list[Problem] = []
    kind_column = "category" if layer == "repatriations" else "kind"
    if layer in KIND_ALIASES and kind_column in frame.columns:
        problems += _kinds(frame, layer, kind_column)
    if "commune_code" in frame.columns:
        problems += _codes(frame)
    if "period" in frame.columns:
        problems += _periods(frame)
    if "count" in frame.columns:
        problems += _counts(frame)
    for column in (*NUMERIC, *SHARES):
        if column in frame.columns:
            problems += _numbers(frame, column, share=column in SHARES)
    return frame, problems


def storage_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Converted columns with their storage types: counts as integers, numbers as floats."""
    frame = frame.copy()
    if "count" in frame.columns:
        frame["count"] = frame["count"].astype("int64")
    for column in (*NUMERIC, *SHARES):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


def _blank(value) -> bool:
    return (
        value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""
    )


def _each(frame: pd.DataFrame, column: str, convert) -> list[Problem]:
    """Apply ``convert(value) -> (new, reason | None)`` to every non-blank cell of a column."""
    out, problems, seen = [], [], {}  # seen: each distinct value is converted once
    for row, value in zip(row_numbers(frame), frame[column].tolist(), strict=True):
        if _blank(value):
            out.append(None)
            continue
        if value not in seen:
            seen[value] = convert(value)
        new, reason = seen[value]
        out.append(new if reason is None else value)
        if reason is not None:
            problems.append(Problem(reason, int(row), column, str(value)))
    frame[column] = pd.Series(out, index=frame.index, dtype=object)
    return problems


def _kinds(frame: pd.DataFrame, layer: str, column: str) -> list[Problem]:
    known = ", ".join(LAYERS[layer].kinds)

    def convert(value):
        kind = kind_value(layer, value)
        if kind is None:
            return None, f"is not a known kind (expected {known}, in Vietnamese or English)"
        return kind, None

    return _each(frame, column, convert)


def _codes(frame: pd.DataFrame) -> list[Problem]:
    padded: list[Problem] = []

    def convert(value):
        text = str(value).strip()
        text = text[:-2] if text.endswith(".0") else text
        if text.isdigit() and len(text) < 5:
            padded.append(Problem("leading zeros restored", None, "commune_code", text, WARNING))
            return text.zfill(5), None
        return text, None

    problems = _each(frame, "commune_code", convert)
    if padded:
        count = len(padded)
        problems.append(
            Problem(
                f"{count} codes had lost their leading zeros (Excel numbers); restored to 5 digits",
                column="commune_code",
                severity=WARNING,
            )
        )
    return problems


def _periods(frame: pd.DataFrame) -> list[Problem]:
    def convert(value):
        text = str(value).strip()
        for pattern, build in (
            (_YEAR, lambda m: m.group(1)),
            (_ISO_DATE, lambda m: f"{m.group(1)}-{m.group(2)}"),
            (_MONTH_YEAR, lambda m: f"{m.group(2)}-{int(m.group(1)):02d}"),
        ):
            match = pattern.match(text)
            if match:
                return build(match), None
        return text, None  # the contract check reports what is still not a period

    return _each(frame, "period", convert)


def _counts(frame: pd.DataFrame) -> list[Problem]:
    def convert(value):
        number = _number(value)
        if number is None or number < 0 or number % 1 != 0:
            return None, "is not a whole number of people >= 0"
        return int(number), None

    return _each(frame, "count", convert)


def _numbers(frame: pd.DataFrame, column: str, *, share: bool) -> list[Problem]:
    def convert(value):
        text = str(value).strip()
        percent = text.endswith("%")
        number = _number(text.rstrip("%").strip())
        if number is None or number < 0:
            return None, "is not a number >= 0"
        if percent:
            number /= 100
        if share and number > 1:
            return None, "is not a share between 0 and 1 (write 35% or 0.35)"
        return number, None

    problems = _each(frame, column, convert)
    frame[column] = pd.to_numeric(frame[column], errors="coerce") if not problems else frame[column]
    return problems


def _number(value) -> float | None:
    """A number from a cell: 1234, "1.234" or "1,5" as Vietnamese Excel writes them; else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+", text):
        text = text.replace(".", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None
