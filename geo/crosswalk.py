"""Old communes → new communes (the July 2025 reorganisation): crosswalk tables and re-keying.

A crosswalk is a table ``old_code → new_code [, share]`` that the user brings, or one computed
from old and new commune polygons (share = part of the old commune's area inside the new one).
Counts keyed to old communes are split over the new ones by those shares with largest-remainder
rounding, so every split keeps whole people and the total stays exactly the same.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_metric
from geo.errors import LayerError
from geo.names import map_headers
from geo.report import Problem

SHARE_TOLERANCE = 0.01
#: Intersections smaller than this share of an old commune are slivers, not part of a merge.
MIN_SHARE = 0.001


def crosswalk_table(frame: pd.DataFrame, path: str) -> pd.DataFrame:
    """A user's crosswalk (any headers the aliases know) as ``old_code, new_code, share``.

    Raises
    ------
    LayerError
        When a column is missing, a share is not a number in 0-1, an old code maps to several
        new codes without shares, or an old code's shares do not add up to 1.
    """
    frame = frame.rename(columns=map_headers(frame.columns, "crosswalk"))
    for column in ("old_code", "new_code"):
        if column not in frame.columns:
            raise LayerError(path, "crosswalk column is missing", column=column)
    table = pd.DataFrame(
        {
            "old_code": _codes(frame["old_code"]),
            "new_code": _codes(frame["new_code"]),
        },
        index=frame.index,
    )
    if "share" in frame.columns:
        table["share"] = _shares(frame["share"], path)
    else:
        many = table["old_code"].duplicated(keep=False)
        if many.any():
            row = int(table.index[many.to_numpy()][0])
            raise LayerError(
                path,
                "old code maps to several new codes; add a share column",
                row=row,
                column="old_code",
            )
        table["share"] = 1.0
    _check_sums(table, path)
    return table.reset_index(drop=True)


def _codes(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip().str.removesuffix(".0")
    return text.where(~text.str.fullmatch(r"\d{1,4}"), text.str.zfill(5))


def _shares(values: pd.Series, path: str) -> pd.Series:
    text = values.astype(str).str.strip().str.replace(",", ".", regex=False)
    percent = text.str.endswith("%")
    numbers = pd.to_numeric(text.str.rstrip("%"), errors="coerce")
    numbers = numbers.where(~percent, numbers / 100)
    bad = numbers.isna() | (numbers < 0) | (numbers > 1)
    if bad.any():
        row = int(values.index[bad.to_numpy()][0])
        raise LayerError(
            path,
            f'"{values[row]}" is not a share between 0 and 1',
            row=row,
            column="share",
        )
    return numbers.astype(float)


def _check_sums(table: pd.DataFrame, path: str) -> None:
    sums = table.groupby("old_code")["share"].sum()
    off = sums[(sums - 1).abs() > SHARE_TOLERANCE]
    if not off.empty:
        raise LayerError(
            path,
            f"shares of old code {off.index[0]} add up to {off.iloc[0]:.3f}, not 1",
            column="share",
        )


def area_shares(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> pd.DataFrame:
    """Crosswalk from polygons: each old commune's area share in each new commune."""
    old_m = to_metric(old)
    new_m = new.to_crs(old_m.crs)
    pieces = gpd.overlay(
        old_m[["commune_code", "geometry"]].rename(columns={"commune_code": "old_code"}),
        new_m[["commune_code", "geometry"]].rename(columns={"commune_code": "new_code"}),
        how="intersection",
        keep_geom_type=True,
    )
    pieces["area"] = pieces.area
    totals = pieces.groupby("old_code")["area"].transform("sum")
    pieces["share"] = pieces["area"] / totals
    pieces = pieces[pieces["share"] >= MIN_SHARE]
    pieces["share"] = pieces["share"] / pieces.groupby("old_code")["share"].transform("sum")
    table = pd.DataFrame(pieces[["old_code", "new_code", "share"]])
    return table.sort_values(["old_code", "new_code"]).reset_index(drop=True)


def split_whole(count: int, shares: np.ndarray) -> np.ndarray:
    """``count`` split by ``shares`` into whole numbers that add up to it (largest remainder)."""
    exact = count * np.asarray(shares, float)
    base = np.floor(exact).astype(int)
    remainder = count - int(base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:remainder]] += 1
    return base


def apply_crosswalk(
    frame: pd.DataFrame, table: pd.DataFrame, *, new_codes: set[str] | None = None
) -> tuple[pd.DataFrame, list[str], list[Problem]]:
    """Counts re-keyed from old to new commune codes; notes on splits; unknown codes."""
    groups = dict(list(table.groupby("old_code")))
    rows, split, problems = [], 0, []
    for label, record in zip(frame.index, frame.to_dict("records"), strict=True):
        code = str(record.get("commune_code"))
        if code not in groups or not isinstance(record.get("count"), int):
            if new_codes is not None and code not in new_codes:
                problems.append(
                    Problem(
                        "is neither an old code of the crosswalk nor a commune code",
                        int(label),
                        "commune_code",
                        code,
                    )
                )
            rows.append((label, record))
            continue
        target = groups[code]
        counts = split_whole(int(record["count"]), target["share"].to_numpy())
        split += len(target) > 1
        for new_code, count in zip(target["new_code"], counts, strict=True):
            rows.append((label, {**record, "commune_code": new_code, "count": int(count)}))
    out = pd.DataFrame([r for _, r in rows], index=pd.Index([i for i, _ in rows], name="row"))
    partial = int((table.groupby("old_code").size() > 1).sum())
    notes = [
        f"crosswalk: {len(frame)} rows re-keyed to {len(out)}; {split} rows split over "
        f"several new communes ({partial} old communes are partial merges)"
    ]
    return out, notes, problems
