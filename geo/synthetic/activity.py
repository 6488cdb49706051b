"""Synthetic activity on the land: licensed venues, industrial zones and repatriated people."""

from __future__ import annotations

import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator
from shapely import affinity

from geo.schema import VENUE_KINDS
from geo.synthetic.communes import containing
from geo.synthetic.landscape import Land, metric_frame, remoteness, uniform_in
from geo.synthetic.names import NameBook

_BRANDS = ("Hoa Sen", "Bình An", "Hồng Nhung", "Thanh Tâm", "Ánh Dương", "Hải Âu", "Sao Mai",
           "Mai Vàng", "Hoàng Gia", "Biển Xanh", "Ngọc Lan", "Kim Ngân", "Phú Quý", "Đồi Thông",
           "Trăng Non", "Hương Rừng", "Thiên Nga", "Phương Đông")  # fmt: skip
_VENUE_WORD = {"karaoke": "Karaoke", "massage": "Massage", "guesthouse": "Nhà nghỉ",
               "hotel": "Khách sạn", "homestay": "Homestay", "bar": "Bar", "cafe": "Cà phê",
               "other": "Cơ sở"}  # fmt: skip
_VENUE_P = (0.26, 0.09, 0.25, 0.09, 0.08, 0.06, 0.13, 0.04)  # in VENUE_KINDS order
#: Zone kind -> (name prefix, min and max workers, min and max migrant share).
_ZONE_SPEC = {"kkt": ("Khu kinh tế cửa khẩu", 2000, 8000, 0.3, 0.7),
              "kcn": ("Khu công nghiệp", 3000, 15_000, 0.3, 0.75),
              "ccn": ("Cụm công nghiệp", 300, 2000, 0.1, 0.4)}  # fmt: skip


def place_venues(
    rng: Generator, names: NameBook, land: Land, communes: gpd.GeoDataFrame, cells: np.ndarray
) -> gpd.GeoDataFrame:
    """550-650 licensed venues with licence year, address and commune; ~20 % typed without accents.

    ``cells`` are the generator's clean commune cells: a venue's register commune is the one it
    truly lies in, even where the published outlines leave a gap. Metres.
    """
    n = int(rng.integers(550, 651))
    xy = _venue_points(rng, land, n)
    drawn = rng.choice(VENUE_KINDS, n - len(VENUE_KINDS), p=_VENUE_P)
    kinds = rng.permutation(np.concatenate([VENUE_KINDS, drawn]))
    cell = containing(cells, xy)
    where = communes["commune_name"].to_numpy()[cell]
    upland = remoteness(xy[:, 0], xy[:, 1]) > 0.55
    hamlet = [
        f"Thôn {names.any(u)}" if w.startswith("Xã") else f"Khu {rng.integers(1, 12)}"
        for w, u in zip(where, upland, strict=True)
    ]
    year = _licence_years(rng, n)
    plain = rng.uniform(size=n) < 0.2
    typed = np.vectorize(
        lambda text, strip: strip_accents(text) if strip else text, otypes=[object]
    )
    labels = [f"{_VENUE_WORD[k]} {_BRANDS[rng.integers(len(_BRANDS))]}" for k in kinds]
    return metric_frame(
        {
            "name": typed(labels, plain),
            "kind": kinds,
            "licence_no": [f"GP-{i:04d}/{y}" for i, y in zip(range(1, n + 1), year, strict=True)],
            "licence_year": year,
            "address": typed([f"{h}, {w}" for h, w in zip(hamlet, where, strict=True)], plain),
            "commune_code": communes["commune_code"].to_numpy()[cell],
            "commune_name": typed(where, plain),
        },
        shapely.points(xy),
    )


def _licence_years(rng: Generator, n: int) -> np.ndarray:
    """Licence years 2008-2025, more of them recent (venues open faster than they close)."""
    years = np.arange(2008, 2026)
    weight = np.exp(0.12 * (years - years[0]))
    return rng.choice(years, n, p=weight / weight.sum()).astype(np.int64)


def strip_accents(text: str) -> str:
    """``text`` as typed on a keyboard without Vietnamese input: no accents, đ -> d."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def venue_register(rng: Generator, venues: gpd.GeoDataFrame) -> pd.DataFrame:
    """The venue register as handed over: Vietnamese headers, lon/lat (degrees), address-only rows.

    About 8 % extra rows carry an address and a licence but no coordinates.
    """
    xy = shapely.get_coordinates(venues.to_crs(4326).geometry.to_numpy())
    register = pd.DataFrame(
        {
            "Tên cơ sở": venues["name"].to_numpy(),
            "Loại hình": venues["kind"].to_numpy(),
            "Số giấy phép": venues["licence_no"].to_numpy(),
            "Năm cấp phép": venues["licence_year"].to_numpy(),
            "Địa chỉ": venues["address"].to_numpy(),
            "Xã/Phường": venues["commune_name"].to_numpy(),
            "Kinh độ": xy[:, 0].round(6),
            "Vĩ độ": xy[:, 1].round(6),
        }
    )
    extra = register.sample(n=max(len(register) // 12, 1), random_state=rng.integers(2**31))
    extra = extra.assign(**{"Kinh độ": np.nan, "Vĩ độ": np.nan})
    extra["Số giấy phép"] = [f"GP-{9000 + i:04d}/{y}" for i, y in enumerate(extra["Năm cấp phép"])]
    return pd.concat([register, extra], ignore_index=True)


def _venue_points(rng: Generator, land: Land, n: int) -> np.ndarray:
    """``n`` points: ~60 % around towns, ~30 % along roads, ~10 % scattered, all inside; metres."""
    n_town, n_road, k = round(0.6 * n), round(0.3 * n), 3 * n
    weight = np.r_[4.0, np.ones(len(land.towns) - 1)]
    which = rng.choice(len(land.towns), size=k, p=weight / weight.sum())
    spread = np.where(which == 0, 2500.0, 1200.0)[:, None]
    town_xy = land.towns[which] + rng.normal(size=(k, 2)) * spread
    length = shapely.length(land.roads)
    road = rng.choice(len(land.roads), size=k, p=length / length.sum())
    along = shapely.line_interpolate_point(land.roads[road], rng.uniform(0, 1, k), normalized=True)
    road_xy = shapely.get_coordinates(along) + rng.normal(0, 150.0, (k, 2))
    scattered = uniform_in(rng, land.province, k)
    groups = [(town_xy, n_town), (road_xy, n_road), (scattered, n - n_town - n_road)]
    return rng.permutation(np.vstack([_keep_inside(land.province, xy, m) for xy, m in groups]))


def _keep_inside(province: shapely.Polygon, xy: np.ndarray, m: int) -> np.ndarray:
    """Keep the first ``m`` of ``xy`` that lie inside ``province``; metres."""
    inside = xy[shapely.contains_xy(province, xy[:, 0], xy[:, 1])]
    if len(inside) < m:
        raise RuntimeError(f"only {len(inside)} of {m} synthetic points fell inside the province")
    return inside[:m]


def draw_zones(
    rng: Generator, names: NameBook, land: Land, crossings: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Six industrial zones (rotated rectangles of 0.5-5 km²) beside towns and the border gate."""
    gate = land.border.interpolate(land.border.project(crossings.geometry.iloc[0]))
    gate = shapely.get_coordinates(gate)[0]
    kinds = ["kkt", "kcn", "kcn", "kcn", "ccn", "ccn"]
    anchors = [gate, land.towns[0], land.towns[0], *land.towns[1:4]]
    shapes: list[shapely.Polygon] = []
    for anchor in anchors:
        shapes.append(_zone_shape(rng, land.province, anchor, shapes))
    return metric_frame(
        {
            "name": [f"{_ZONE_SPEC[k][0]} {names.take()}" for k in kinds],
            "kind": kinds,
            "workers": [int(rng.integers(_ZONE_SPEC[k][1], _ZONE_SPEC[k][2] + 1)) for k in kinds],
            "migrant_share": [
                round(rng.uniform(_ZONE_SPEC[k][3], _ZONE_SPEC[k][4]), 3) for k in kinds
            ],
            "opening_year": rng.integers(2010, 2025, len(kinds)).astype(np.int64),
        },
        shapes,
    )


def _zone_shape(
    rng: Generator, province: shapely.Polygon, anchor: np.ndarray, taken: list
) -> shapely.Polygon:
    """Draw a rotated rectangle of 0.5-5 km², 1.5-4 km from ``anchor``, inside, apart; metres."""
    for _ in range(1000):
        area, aspect = rng.uniform(0.5e6, 5e6), rng.uniform(1.0, 2.5)
        a = np.sqrt(area * aspect)
        turn, reach = rng.uniform(0, 2 * np.pi), rng.uniform(1500.0, 4000.0)
        rect = shapely.box(-a / 2, -area / a / 2, a / 2, area / a / 2)
        rect = affinity.rotate(rect, rng.uniform(-25, 25))
        rect = affinity.translate(rect, *(anchor + reach * np.array([np.cos(turn), np.sin(turn)])))
        apart = not np.any(shapely.intersects(rect.buffer(300.0), taken))
        if apart and province.contains(rect.buffer(200.0)):
            return rect
    raise RuntimeError(f"no room for an industrial zone near {anchor.round()}")


def draw_repatriations(
    rng: Generator, log_risk: np.ndarray, people: np.ndarray, codes: np.ndarray
) -> pd.DataFrame:
    """People returned per commune, year 2021-2025 and category; only counts >= 1 are listed.

    ``log_risk`` (communes × 5 years) is the hidden truth of :mod:`~geo.synthetic.truth`; the
    expected count grows with its exponential and with the square root of ``people`` (0 where
    nobody lives). Each year is an independent Poisson draw.
    """
    size = np.sqrt(people / np.median(people[people > 0]))
    risk = np.exp(log_risk) * size[:, None]
    years, share = np.array([0.15, 0.17, 0.2, 0.23, 0.25]), np.array([0.7, 0.3])
    for _ in range(200):
        scale = rng.uniform(300.0, 450.0) / risk.mean(axis=1).sum()
        mean = scale * risk * years
        counts = rng.poisson(mean[:, :, None] * share)
        zero = (counts.sum(axis=(1, 2)) == 0).mean()
        if 200 <= counts.sum() <= 500 and zero >= 0.45:
            break
    else:
        raise RuntimeError("synthetic repatriation counts did not land in 200-500 people")
    c, y, k = np.nonzero(counts)
    return pd.DataFrame(
        {
            "commune_code": codes[c],
            "period": [str(2021 + i) for i in y],
            "category": np.array(["deported", "victim_returned"])[k],
            "count": counts[c, y, k].astype(np.int64),
        }
    )
