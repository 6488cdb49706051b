"""The demo in Viet Nam's structure since July 2025: merged communes, no district, a crosswalk.

Neighbouring communes of one old district are merged by twos to fours, as the 2025 reform did;
the merged communes get new 5-digit codes, a name (mostly one member's, some new) and no
district. The crosswalk lists every old commune's new commune (whole merges, share 1).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator

from geo.synthetic.communes import PROVINCE_NAME, thinned_one_by_one
from geo.synthetic.landscape import metric_frame
from geo.synthetic.names import NameBook


def merge_2025(
    rng: Generator,
    names: NameBook,
    old: gpd.GeoDataFrame,
    cells: np.ndarray,
    neighbours: list[np.ndarray],
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """New communes (metres, no district column) and the crosswalk ``old_code, new_code, share``."""
    group = _groups(rng, old["district_name"].to_numpy(), neighbours)
    n = int(group.max()) + 1
    codes = np.array([f"8{i:04d}" for i in range(1, n + 1)])
    members = [np.flatnonzero(group == g) for g in range(n)]
    outline = np.array([shapely.coverage_union_all(cells[m]) for m in members], dtype=object)
    frame = metric_frame(
        {
            "commune_code": codes,
            "commune_name": _new_names(rng, names, old["commune_name"].to_numpy(), members),
            "province_name": PROVINCE_NAME,
            **{
                column: [round(float(old[column].to_numpy()[m].mean()), 3) for m in members]
                for column in ("poverty_rate", "ethnic_minority_share")
            },
        },
        thinned_one_by_one(rng, outline),
    )
    crosswalk = pd.DataFrame(
        {"old_code": old["commune_code"].to_numpy(), "new_code": codes[group], "share": 1.0}
    )
    return frame.assign(area_km2=frame.area / 1e6), crosswalk


def _groups(rng: Generator, district: np.ndarray, neighbours: list[np.ndarray]) -> np.ndarray:
    """Group index per commune: neighbours of one district merged by twos to fours."""
    group = np.full(len(district), -1)
    g = 0
    for start in rng.permutation(len(district)):
        if group[start] >= 0:
            continue
        size, members = int(rng.choice([1, 2, 3, 3, 4])), [int(start)]
        group[start] = g
        for i in members:
            for j in rng.permutation(neighbours[i]):
                if len(members) < size and group[j] < 0 and district[j] == district[start]:
                    group[j] = g
                    members.append(int(j))
        g += 1
    order = np.unique(group, return_index=True)[1]  # number groups by their first commune
    relabel = np.empty(g, dtype=int)
    relabel[group[np.sort(order)]] = np.arange(g)
    return relabel[group]


def _new_names(
    rng: Generator, names: NameBook, old: np.ndarray, members: list[np.ndarray]
) -> list[str]:
    """A member's name (a ward if any member was a ward), or a new name for one merge in five."""
    out: list[str] = []
    for m in members:
        ward = any(str(old[i]).startswith("Phường ") for i in m)
        stem = str(old[rng.choice(m)]).split(" ", 1)[1]
        stem = stem.split(" ", 1)[1] if stem.startswith("trấn ") else stem
        if (len(m) > 1 and rng.uniform() < 0.2) or any(o.endswith(" " + stem) for o in out):
            stem = names.take()
        out.append(("Phường " if ward else "Xã ") + stem)
    return out
