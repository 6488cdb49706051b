"""Commune names and codes → the workspace's commune codes: exact first, accent-free as fallback.

A name matches exactly when it is the same text in Unicode NFC, in any case, with or without the
"Xã/Phường/Thị trấn" prefix and with either tone placement ("Hoà" = "Hòa"): "Xã Châu Bính"
matches Châu Bính, never its neighbour Châu Bình. Only when no commune matches exactly is the
accent-free spelling tried ("CHAU BINH", "Chau Binh"), and then only a unique candidate is taken.
When two communes share a name, the district decides (the province when there is no district
level, as since July 2025). Codes in another scheme than the communes' (old 7-digit census codes
against 5-digit GSO codes) are said so plainly, with the way out (``--crosswalk``, or the names).
"""

from __future__ import annotations

import difflib
from collections import defaultdict

import numpy as np
import pandas as pd

from geo.names import (
    commune_exact_key,
    commune_key,
    commune_keys,
    district_key,
    province_key,
)
from geo.report import WARNING, Problem
from geo.schema import code_scheme, row_numbers

#: Examples of unmatched codes quoted in the scheme message.
EXAMPLES = 3


class CommuneIndex:
    """Lookup of a workspace's communes by exact and accent-free name key."""

    def __init__(self, communes: pd.DataFrame) -> None:
        blank = pd.Series([""] * len(communes), index=communes.index)
        districts = communes.get("district_name", blank).fillna("")
        self.codes = communes["commune_code"].astype(str).tolist()
        self.labels = [
            f"{n} ({d})" if isinstance(d, str) and d else str(n)
            for n, d in zip(communes["commune_name"], districts, strict=True)
        ]
        self.districts = [district_key(d) if isinstance(d, str) else "" for d in districts]
        self.has_districts = any(self.districts)
        self.provinces = [province_key(p) for p in communes["province_name"]]
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.folded: dict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(communes["commune_name"]):
            self.exact[commune_exact_key(name)].append(i)
            for key in commune_keys(name):
                self.folded[key].append(i)

    def _folded(self, name: str) -> list[int]:
        """Communes whose accent-free keys meet the name's, in layer order."""
        found = {i for key in commune_keys(name) for i in self.folded.get(key, [])}
        return sorted(found)

    def match(
        self,
        name: str,
        district: str | None,
        province: str | None,
        *,
        columns: frozenset[str] = frozenset({"district_name"}),
    ) -> tuple[str | None, str]:
        """(code, "") for one match, else (None, why) naming the candidates and what to add.

        ``columns`` are the place columns the file has ("district_name", "province_name"), so
        the advice asks for a column only when it is missing.
        """
        exact = self.exact.get(commune_exact_key(name), [])
        for strict in (True, False):
            for found in (exact, self._folded(name)):
                if strict:
                    found = self._within(found, district, province)
                if len(found) == 1:
                    return self.codes[found[0]], "" if strict else self._elsewhere(found[0])
                if len(found) > 1:
                    return None, self._ambiguous(found, district, province, columns)
        return None, self._unknown(name)

    def _within(self, found: list[int], district: str | None, province: str | None) -> list[int]:
        if district and self.has_districts:
            found = [i for i in found if self.districts[i] == district_key(district)]
        if province:
            found = [i for i in found if self.provinces[i] == province_key(province)]
        return found

    def _elsewhere(self, i: int) -> str:
        level = "district" if self.has_districts else "province"
        return f"is {self.labels[i]}, not in the {level} given in this row"

    def _ambiguous(self, found, district, province, columns) -> str:
        listed = "; ".join(self.labels[i] for i in found)
        level, column, given = (
            ("district (Huyện)", "district_name", district)
            if self.has_districts
            else ("province (Tỉnh)", "province_name", province)
        )
        if column not in columns:
            advice = f"add the {level} column"
        elif not given:
            advice = f"fill in the {level} of this row"
        else:
            advice = "give the commune code (commune_code column)"
        return f"matches several communes ({listed}); {advice}"

    def _unknown(self, name: str) -> str:
        close = difflib.get_close_matches(commune_key(name), list(self.folded), n=3, cutoff=0.6)
        hint = "; ".join(self.labels[i] for key in close for i in self.folded[key])
        return "is not a commune of the workspace" + (f" (closest: {hint})" if hint else "")


def attach_codes(
    frame: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    placed: pd.Series | None = None,
    overlap: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """``frame`` with ``commune_code`` filled from ``commune_name`` where missing; problems.

    Codes given in the file are checked against the workspace's communes. ``placed`` holds the
    commune each row's point lies in (None where it has no point): such rows keep that commune,
    and their code and name only cross-check it (a warning when they disagree); ``overlap``
    marks the points that lie where communes overlap, so the warning can say so.
    """
    index = CommuneIndex(communes)
    frame = frame.copy()
    placed = placed if placed is not None else pd.Series(None, index=frame.index, dtype=object)
    by_point = placed.notna().to_numpy()
    codes = _given_codes(frame)
    has_code = codes.notna().to_numpy()
    known = set(index.codes)
    unknown = has_code & ~codes.isin(known).to_numpy()
    problems = _scheme_problems(codes[unknown], known, "commune_name" in frame.columns)
    by_name = ~has_code | (unknown & _names_present(frame))
    filled, named = codes.astype(object).copy(), pd.Series(None, index=frame.index, dtype=object)
    problems += _match_names(frame, index, by_name, named)
    filled[by_name & named.notna().to_numpy()] = named
    reject = unknown & named.isna().to_numpy()
    problems += _unknown_codes(frame, codes, reject & ~by_point)
    overlap = overlap if overlap is not None else np.zeros(len(frame), dtype=bool)
    problems += _cross_check(frame, placed, filled, by_point, overlap)
    filled[by_point] = placed[by_point]
    if "commune_code" in frame.columns or filled.notna().any():
        frame["commune_code"] = filled.where(filled.notna(), None)
    point_rows = set(row_numbers(frame)[by_point].tolist())
    return frame, [_soften(p) if _row_by_point(p, point_rows) else p for p in problems]


def _given_codes(frame: pd.DataFrame) -> pd.Series:
    if "commune_code" not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    text = frame["commune_code"].astype("string").str.strip()
    return text.where(text.notna() & (text != ""), None).astype(object)


def _names_present(frame: pd.DataFrame) -> np.ndarray:
    if "commune_name" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame["commune_name"].notna().to_numpy()


def _match_names(frame, index: CommuneIndex, wanted: np.ndarray, out: pd.Series) -> list[Problem]:
    """Codes matched from names into ``out``; a problem per name that matches none or several."""
    if "commune_name" not in frame.columns:
        return []
    rows = row_numbers(frame)
    names = frame["commune_name"]
    none = pd.Series(None, index=frame.index)
    districts, provinces = frame.get("district_name", none), frame.get("province_name", none)
    columns = frozenset(c for c in ("district_name", "province_name") if c in frame.columns)
    problems = []
    for pos in np.flatnonzero(wanted & names.notna().to_numpy()):
        district, province = _str(districts.iloc[pos]), _str(provinces.iloc[pos])
        code, why = index.match(names.iloc[pos], district, province, columns=columns)
        if why:
            problems.append(Problem(why, int(rows[pos]), "commune_name", str(names.iloc[pos])))
        else:
            out.iloc[pos] = code
    return problems


def _scheme_problems(unknown: pd.Series, known: set[str], names: bool) -> list[Problem]:
    """One warning when the file's codes follow another scheme than the workspace's communes."""
    if unknown.empty:
        return []
    distinct = list(dict.fromkeys(unknown))
    theirs = _schemes(distinct)
    ours = _schemes(sorted(known))
    if theirs == ours:
        return []  # mistyped codes of the same scheme: each row says so
    examples = ", ".join(f'"{c}"' for c in distinct[:EXAMPLES])
    way = "re-key them with --crosswalk OLD_TO_NEW.csv (columns old_code, new_code[, share])"
    way += (
        "; rows whose commune name matches one commune are matched by name instead"
        if names
        else ", or give a commune name column (commune_name) to match by name"
    )
    return [
        Problem(
            f"{len(unknown)} rows have commune codes that are not codes of the workspace's "
            f"communes ({len(distinct)} distinct, e.g. {examples}): they look like {theirs}, the "
            f"workspace's communes use {ours}; {way}",
            column="commune_code",
            severity=WARNING,
        )
    ]


def _schemes(codes: list[str]) -> str:
    """The code schemes of ``codes``, most common first ("7-digit census codes (2009)")."""
    counts = pd.Series([code_scheme(c) for c in codes]).value_counts()
    return " and ".join(counts.index[:2])


def _unknown_codes(frame, codes: pd.Series, mask: np.ndarray) -> list[Problem]:
    rows = row_numbers(frame)[mask]
    return [
        Problem("is not a commune code of the workspace", int(row), "commune_code", str(code))
        for row, code in zip(rows, codes[mask], strict=True)
    ]


def _cross_check(frame, placed: pd.Series, filled: pd.Series, by_point, overlap) -> list[Problem]:
    """Warnings for rows whose point lies in another commune than their code or name says."""
    differ = by_point & filled.notna().to_numpy() & (filled != placed).to_numpy()
    column = "commune_name" if "commune_name" in frame.columns else "commune_code"
    rows = row_numbers(frame)[differ]
    where = {
        False: "the point lies in commune {new}, not in commune {old} as this row says; placed "
        "by its point",
        True: "the point lies where communes overlap; counted in commune {new} (whose interior "
        "point is nearest), not in commune {old} as this row says",
    }
    return [
        Problem(where[bool(both)].format(new=new, old=old), int(row), column, str(value), WARNING)
        for row, new, old, value, both in zip(
            rows,
            placed[differ],
            filled[differ],
            frame[column][differ],
            overlap[differ],
            strict=True,
        )
    ]


def _row_by_point(problem: Problem, point_rows: set[int]) -> bool:
    """Whether ``problem`` is a name or code error on a row already placed by its point."""
    if problem.severity == WARNING or problem.column not in ("commune_name", "commune_code"):
        return False
    return problem.row in point_rows


def _soften(problem: Problem) -> Problem:
    """A name or code error on a row placed by its point becomes a warning."""
    return Problem(
        f"{problem.reason}; placed by its point",
        problem.row,
        problem.column,
        problem.value,
        WARNING,
    )


def _str(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
