"""Commune names → commune codes: accent-, case- and prefix-insensitive, district-aware.

"Xã Nà Lũng", "NA LUNG" and "TT. Nà Lũng" all match the commune "Xã Nà Lũng"; when two communes
share a name, the district (then the province) decides. Unmatched and ambiguous names are
reported with the closest candidates.
"""

from __future__ import annotations

import difflib
from collections import defaultdict

import numpy as np
import pandas as pd

from geo.names import commune_key, district_key, province_key
from geo.report import Problem
from geo.schema import row_numbers


class CommuneIndex:
    """Lookup of a workspace's communes by name key, with district and province keys."""

    def __init__(self, communes: pd.DataFrame) -> None:
        self.codes = communes["commune_code"].astype(str).tolist()
        self.labels = [
            f"{n} ({d})" if isinstance(d, str) and d else str(n)
            for n, d in zip(
                communes["commune_name"],
                communes.get("district_name", pd.Series([""] * len(communes))),
                strict=True,
            )
        ]
        self.districts = [
            district_key(d) if isinstance(d, str) else ""
            for d in communes.get("district_name", [""] * len(communes))
        ]
        self.provinces = [province_key(p) for p in communes["province_name"]]
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(communes["commune_name"]):
            self.by_key[commune_key(name)].append(i)

    def match(
        self, name: str, district: str | None, province: str | None
    ) -> tuple[str | None, str]:
        """(code, "") for one match, else (None, why) naming the closest candidates."""
        found = self.by_key.get(commune_key(name), [])
        for given, keys in ((district, self.districts), (province, self.provinces)):
            if len(found) > 1 and given:
                wanted = (district_key if keys is self.districts else province_key)(given)
                narrowed = [i for i in found if keys[i] == wanted]
                found = narrowed or found
        if len(found) == 1:
            return self.codes[found[0]], self._district_mismatch(found[0], district)
        if found:
            listed = "; ".join(self.labels[i] for i in found)
            return None, f"matches several communes ({listed}); add the district (Huyện) column"
        close = difflib.get_close_matches(commune_key(name), list(self.by_key), n=3, cutoff=0.6)
        hint = "; ".join(self.labels[i] for key in close for i in self.by_key[key])
        return None, "is not a commune of the workspace" + (f" (closest: {hint})" if hint else "")

    def _district_mismatch(self, i: int, district: str | None) -> str:
        if district and self.districts[i] and district_key(district) != self.districts[i]:
            return f"is in {self.labels[i]}, not in district {district}"
        return ""


def attach_codes(frame: pd.DataFrame, communes: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """``frame`` with ``commune_code`` filled from ``commune_name`` where missing; problems.

    Codes given in the file are checked against the workspace's communes instead.
    """
    index = CommuneIndex(communes)
    frame = frame.copy()
    codes = frame["commune_code"] if "commune_code" in frame.columns else None
    has_code = (
        codes.notna() & (codes.astype(str).str.strip() != "")
        if codes is not None
        else pd.Series(False, index=frame.index)
    )
    problems = _check_given_codes(frame, has_code, set(index.codes))
    if "commune_name" not in frame.columns:
        return frame, problems
    filled = (
        frame["commune_code"].astype(object)
        if codes is not None
        else pd.Series(None, index=frame.index, dtype=object)
    )
    rows = row_numbers(frame)
    names = frame["commune_name"]
    districts = frame.get("district_name", pd.Series(None, index=frame.index))
    provinces = frame.get("province_name", pd.Series(None, index=frame.index))
    for pos in np.flatnonzero((~has_code & names.notna()).to_numpy()):
        code, why = index.match(
            names.iloc[pos], _str(districts.iloc[pos]), _str(provinces.iloc[pos])
        )
        if why:
            problems.append(Problem(why, int(rows[pos]), "commune_name", str(names.iloc[pos])))
        else:
            filled.iloc[pos] = code
    frame["commune_code"] = filled
    return frame, problems


def _check_given_codes(frame: pd.DataFrame, has_code: pd.Series, known: set[str]) -> list[Problem]:
    if not has_code.any():
        return []
    codes = frame["commune_code"].astype(str).str.strip()
    unknown = has_code & ~codes.isin(known)
    return [
        Problem("is not a commune code of the workspace", int(row), "commune_code", code)
        for row, code in zip(row_numbers(frame)[unknown.to_numpy()], codes[unknown], strict=True)
    ]


def _str(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
