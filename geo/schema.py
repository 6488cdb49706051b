"""The layer contract: layer names, required columns, geometry types and allowed kinds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import LayerError
from geo.privacy import personal_id_problems
from geo.report import ERROR, WARNING, Problem

CROSSING_KINDS = ("international", "main", "secondary", "opening", "trail", "seaport")
VENUE_KINDS = ("karaoke", "massage", "guesthouse", "hotel", "homestay", "bar", "cafe", "other")
ZONE_KINDS = ("kcn", "kkt", "ccn")
BORDER_KINDS = ("land", "sea")
REPATRIATION_CATEGORIES = ("deported", "victim_returned", "case")
#: Optional enforcement effort of a commune and period (patrol or inspection days), repeated on
#: every row of that commune and period: recorded counts rise where guards look.
EFFORT = "enforcement_days"
#: Optional as-of year of a layer that is not records (licence or opening year): the rolling
#: backtest keeps only rows from before each holdout year (``risk.rolling.AS_OF``).
AS_OF_YEARS = {"venues": "licence_year", "industrial_zones": "opening_year"}
#: Earliest as-of year accepted (a typo such as 201 or 20O9 is refused, not stored).
FIRST_YEAR = 1900

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_GSO_CODE = re.compile(r"^\d{5}$")
#: Commune code schemes by number of digits, as they are named in messages.
CODE_SCHEMES = {
    5: "5-digit GSO codes",
    7: "7-digit census codes (2009)",
}


@dataclass(frozen=True)
class LayerSpec:
    """What one layer must hold: geometry types (empty = table) and columns."""

    name: str
    geometry: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        LayerSpec(
            "communes",
            ("Polygon", "MultiPolygon"),
            ("commune_code", "commune_name", "province_name"),
            ("district_name", "population", "poverty_rate", "ethnic_minority_share", "area_km2"),
        ),
        LayerSpec(
            "border", ("LineString", "MultiLineString"), (), ("country", "kind"), BORDER_KINDS
        ),
        LayerSpec(
            "crossings", ("Point",), ("name", "kind"), ("country", "daily_traffic"), CROSSING_KINDS
        ),
        LayerSpec(
            "venues",
            ("Point",),
            ("kind",),
            ("name", "licence_no", "address", "commune_code", "commune_name", "licence_year"),
            VENUE_KINDS,
        ),
        LayerSpec(
            "industrial_zones",
            ("Polygon", "MultiPolygon", "Point"),
            ("name",),
            ("workers", "migrant_share", "kind", "opening_year"),
            ZONE_KINDS,
        ),
        LayerSpec(
            "repatriations",
            (),
            ("commune_code", "period", "count"),
            ("category", "sex", "age_band", EFFORT),
            REPATRIATION_CATEGORIES,
        ),
    )
}

VECTOR_LAYERS = tuple(LAYERS)
REQUIRED_LAYERS = ("communes",)


def validate_layer(name: str, frame: pd.DataFrame, *, path: str | None = None) -> pd.DataFrame:
    """Return ``frame`` unchanged if it honours the contract of layer ``name``; else raise.

    Raises
    ------
    LayerError
        Naming the file (``path``, else the layer), the row and the column of the first error.
    """
    errors = [p for p in check_layer(name, frame) if p.severity == ERROR]
    if errors:
        first = errors[0]
        raise LayerError(path or f"layer {name}", first.reason, row=first.row, column=first.column)
    return frame


def check_layer(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Every way ``frame`` breaks the contract of layer ``name``, row by row.

    Rows are numbered as the user sees them when the frame's index is named ``"row"`` (set by
    :mod:`geo.readers`), else 1, 2, … in frame order.
    """
    spec = _spec(name)
    problems = personal_id_problems(frame, name)
    problems += _check_columns(spec, frame)
    if any(p.row is None for p in problems):
        return problems
    if spec.geometry:
        problems += _check_geometry(spec, frame)
    if spec.kinds:
        problems += _check_kinds(spec, frame)
    if name == "communes":
        problems += _check_commune_codes(frame)
    if name == "repatriations":
        problems += _check_repatriations(frame)
    if AS_OF_YEARS.get(name) in frame.columns:
        problems += _check_years(frame, AS_OF_YEARS[name], datetime.now(UTC).year)
    return problems


def row_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers as the user sees them: the ``row`` index if set, else 1, 2, …."""
    if frame.index.name == "row":
        return frame.index.to_numpy()
    return np.arange(1, len(frame) + 1)


def _spec(name: str) -> LayerSpec:
    if name not in LAYERS:
        raise LayerError(None, f'layer "{name}" is not one of {", ".join(LAYERS)}')
    return LAYERS[name]


def _at(frame: pd.DataFrame, mask, column: str, reason) -> list[Problem]:
    """One problem per True in ``mask``; ``reason(value)`` words it."""
    mask = np.asarray(mask, dtype=bool)
    rows = row_numbers(frame)[mask]
    values = frame[column].to_numpy()[mask] if column in frame.columns else [None] * len(rows)
    return [
        Problem(reason(value), row=int(row), column=column, value=_text(value))
        for row, value in zip(rows, values, strict=True)
    ]


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def _check_columns(spec: LayerSpec, frame: pd.DataFrame) -> list[Problem]:
    problems = []
    for column in spec.required:
        if column not in frame.columns:
            have = ", ".join(map(str, frame.columns))
            problems.append(Problem(f"required column is missing (have: {have})", column=column))
        else:
            empty = _blank(frame[column])
            problems += _at(frame, empty, column, lambda _: "value is empty")
    return problems


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype("string").str.strip()
    return (values.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)


def _check_geometry(spec: LayerSpec, frame: pd.DataFrame) -> list[Problem]:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return [Problem(f"layer {spec.name} needs a geometry column")]
    if frame.crs is None:
        return [Problem("geometry has no coordinate reference system", column="geometry")]
    geoms = frame.geometry
    empty = (geoms.isna() | geoms.is_empty).to_numpy()
    problems = _at(frame, empty, "geometry", lambda _: "geometry is empty")
    types = geoms.geom_type.to_numpy()
    wrong = ~empty & ~np.isin(types, spec.geometry)
    expected = " or ".join(spec.geometry)
    for row, got in zip(row_numbers(frame)[wrong], types[wrong], strict=True):
        problems.append(
            Problem(f"geometry is {got}, expected {expected}", row=int(row), column="geometry")
        )
    return problems


def _check_kinds(spec: LayerSpec, frame: pd.DataFrame) -> list[Problem]:
    column = "category" if spec.name == "repatriations" else "kind"
    if column not in frame.columns:
        return []
    values = frame[column]
    bad = (values.notna() & ~values.isin(spec.kinds)).to_numpy()
    allowed = ", ".join(spec.kinds)
    return _at(frame, bad, column, lambda v: f'"{v}" is not one of {allowed}')


def code_scheme(code: str) -> str:
    """What a commune code looks like, e.g. "7-digit census codes (2009)"."""
    code = str(code).strip()
    if code.isdigit():
        return CODE_SCHEMES.get(len(code), f"{len(code)}-digit codes")
    return "codes with letters or signs"


def _check_commune_codes(frame: pd.DataFrame) -> list[Problem]:
    """Codes are any non-empty text unique in the layer; not GSO-like is one warning."""
    given = ~_blank(frame["commune_code"])
    codes = frame["commune_code"].astype(str).str.strip()
    other = given & ~codes.str.fullmatch(_GSO_CODE).to_numpy()
    problems = []
    if other.any():
        examples = ", ".join(f'"{c}"' for c in list(dict.fromkeys(codes[other]))[:3])
        problems.append(
            Problem(
                f"{int(other.sum())} commune codes are not 5-digit GSO codes (e.g. {examples}; "
                f"they look like {code_scheme(codes[other].iloc[0])}): stored as given, as text; "
                "tables keyed by another scheme need --crosswalk",
                column="commune_code",
                severity=WARNING,
            )
        )
    dup = codes.duplicated().to_numpy() & given
    first = dict(zip(codes[::-1], row_numbers(frame)[::-1], strict=True))
    return problems + _at(
        frame,
        dup,
        "commune_code",
        lambda v: (
            f'"{v}" appears twice (first in row {first[str(v)]}); commune codes must be unique'
        ),
    )


def _check_repatriations(frame: pd.DataFrame) -> list[Problem]:
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = (counts.isna() | (counts < 0) | (counts % 1 != 0)).to_numpy() & ~_blank(frame["count"])
    problems = _at(frame, bad, "count", lambda v: f'"{v}" is not a whole number of people >= 0')
    periods = frame["period"].astype(str)
    bad = ~periods.str.fullmatch(_PERIOD).to_numpy() & ~_blank(frame["period"])
    problems += _at(
        frame, bad, "period", lambda v: f'"{v}" is not a year (YYYY) or month (YYYY-MM)'
    )
    if EFFORT in frame.columns:
        problems += _check_effort(frame)
    return problems


def _check_years(frame: pd.DataFrame, column: str, this_year: int) -> list[Problem]:
    """An as-of year is a whole year from :data:`FIRST_YEAR` to ``this_year`` (blank: unknown)."""
    years = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    given = ~_blank(frame[column])
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(years) & (years % 1 == 0) & (years >= FIRST_YEAR)
        future = whole & (years > this_year)
    problems = _at(
        frame,
        given & ~whole,
        column,
        lambda v: f'"{v}" is not a year (a whole number such as 2015, from {FIRST_YEAR})',
    )
    return problems + _at(
        frame,
        given & future,
        column,
        lambda v: f'"{v}" is in the future (this year is {this_year})',
    )


def _check_effort(frame: pd.DataFrame) -> list[Problem]:
    """Effort is a number of days >= 0, one value per commune and period (blank: not recorded)."""
    days = pd.to_numeric(frame[EFFORT], errors="coerce")
    given = ~_blank(frame[EFFORT])
    bad = given & ~(np.isfinite(days) & (days >= 0)).to_numpy()
    problems = _at(
        frame,
        bad,
        EFFORT,
        lambda v: f'"{v}" is not a number of patrol or inspection days >= 0',
    )
    return problems + _effort_conflicts(frame, days.where(given & ~bad))


def _effort_conflicts(frame: pd.DataFrame, days: pd.Series) -> list[Problem]:
    """Rows whose effort differs from the first row of the same commune and period."""
    keyed = pd.DataFrame(
        {
            "code": frame["commune_code"].astype(str).to_numpy(),
            "period": frame["period"].astype(str).to_numpy(),
            "days": days.to_numpy(dtype=float),
            "row": row_numbers(frame),
        }
    ).dropna(subset=["days"])
    first = keyed.groupby(["code", "period"], sort=False)[["days", "row"]].transform("first")
    clash = keyed[keyed["days"] != first["days"]].join(first.add_suffix("_first"))
    return [
        Problem(
            f'"{r.days:g}" differs from row {r.row_first} ({r.days_first:g}) for commune '
            f"{r.code}, period {r.period}: effort is one value per commune and period; "
            "repeat it on every row",
            row=int(r.row),
            column=EFFORT,
            value=f"{r.days:g}",
        )
        for r in clash.itertuples()
    ]
