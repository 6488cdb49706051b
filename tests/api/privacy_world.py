"""A scored two-province workspace where some communes have 1-4 people recorded, and keys."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from api.keys import create_key
from geo.workspace import Raster, Workspace
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.store import load_run
from tests.factories import METRIC, make_communes, make_layers, make_population

A, B = "Biên Hải", "Sơn Lâm"
#: People recorded per commune (grid order: row 0 west→east, then row 1, row 2).
COUNTS = [2, 7, 1, 0, 12, 4, 3, 0, 5, 9, 1, 6]
DISTRICTS = ["Huyện Đông"] * 3 + ["Huyện Tây"] * 3 + ["Huyện Nam"] * 3 + ["Huyện Bắc"] * 3
ROLES = ("viewer_a", "viewer", "analyst", "admin")
#: Rates of people the shipped profiles weigh (deported back, victims returned).
RATE_COLUMNS = tuple(
    f"{part}_{rate}"
    for rate in ("deported_rate", "victim_rate")
    for part in ("raw", "norm", "contrib")
)


@dataclass
class World:
    """The workspace, its keys and what the tests need to know about it."""

    ws: Workspace
    keys: dict[str, str]
    codes: list[str]
    province: dict[str, str]
    counts: dict[str, int]
    names: dict[str, str]
    #: profile → commune → rate column → exact value
    rates: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    @property
    def small(self) -> list[str]:
        """Codes of communes with 1-4 people recorded."""
        return [c for c, n in self.counts.items() if 0 < n < 5]

    def in_province(self, province: str) -> list[str]:
        return [c for c in self.codes if self.province[c] == province]


def repatriations(codes: list[str]) -> pd.DataFrame:
    """Each commune's count split over 2023 and 2024 (one row when it is 1)."""
    rows = []
    for code, n in zip(codes, COUNTS, strict=True):
        first = n // 2
        rows += [(code, "2023", "deported", first)] if first else []
        rows += [(code, "2024", "victim_returned", n - first)] if n - first else []
    return pd.DataFrame(rows, columns=["commune_code", "period", "category", "count"])


def build_world(root: Path, reps: pd.DataFrame | None = None) -> World:
    """Write, score (both profiles) and key the workspace under ``root``.

    ``reps`` replaces the repatriation rows (default: :func:`repatriations` of the communes).
    """
    communes = make_communes()
    communes["province_name"] = [A] * 6 + [B] * 6
    communes["district_name"] = DISTRICTS
    layers = make_layers(communes)
    codes = communes["commune_code"].tolist()
    layers["repatriations"] = repatriations(codes) if reps is None else reps
    values, transform = make_population(communes)
    ws = Workspace(root / "ws")
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    rates = {}
    for name in ("patrol", "outreach"):
        score_workspace(ws, load_profile(name))
        frame = load_run(ws, name).table.frame.set_index("commune_code")
        rates[name] = {c: {k: float(frame.loc[c, k]) for k in RATE_COLUMNS} for c in codes}
    keys = {
        "viewer_a": create_key(ws, role="viewer", province=A, label="district A")[0],
        "viewer": create_key(ws, role="viewer", label="province office")[0],
        "analyst": create_key(ws, role="analyst", label="analyst")[0],
        "admin": create_key(ws, role="admin", label="admin")[0],
    }
    return World(
        ws=ws,
        keys=keys,
        codes=codes,
        province=dict(zip(codes, communes["province_name"], strict=True)),
        counts=dict(zip(codes, COUNTS, strict=True)),
        names=dict(zip(codes, communes["commune_name"], strict=True)),
        rates=rates,
    )


def auth(key: str | None) -> dict[str, str]:
    """Headers carrying ``key`` (none for None)."""
    return {} if key is None else {"Authorization": f"Bearer {key}"}


def drawn(name: str, html: str) -> bool:
    """Whether a commune name is in a map page, as text or JSON-escaped inside its scripts."""
    return name in html or json.dumps(name)[1:-1] in html
