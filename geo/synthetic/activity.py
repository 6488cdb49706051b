"""Synthetic activity on the land: licensed venues, industrial zones and repatriated people."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator
from shapely import affinity

from geo.schema import VENUE_KINDS
from geo.synthetic.communes import containing
from geo.synthetic.landscape import Land, exactly_in, metric_frame, remoteness, uniform_in
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
    rng: Generator, names: NameBook, land: Land, communes: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """550-650 licensed venues of every kind, with licence, address and commune; metres."""
    n = int(rng.integers(550, 651))
    xy = _venue_points(rng, land, n)
    drawn = rng.choice(VENUE_KINDS, n - len(VENUE_KINDS), p=_VENUE_P)
    kinds = rng.permutation(np.concatenate([VENUE_KINDS, drawn]))
    cell = containing(communes.geometry.to_numpy(), xy)
    where = communes["commune_name"].to_numpy()[cell]
    upland = remoteness(xy[:, 0], xy[:, 1]) > 0.55
    hamlet = [
        f"Thôn {names.any(u)}" if w.startswith("Xã") else f"Khu {rng.integers(1, 12)}"
        for w, u in zip(where, upland, strict=True)
    ]
    return metric_frame(
        {
            "name": [f"{_VENUE_WORD[k]} {_BRANDS[rng.integers(len(_BRANDS))]}" for k in kinds],
            "kind": kinds,
            "licence_no": [f"GP-{i:04d}/{rng.integers(2015, 2026)}" for i in range(1, n + 1)],
            "address": [f"{h}, {w}" for h, w in zip(hamlet, where, strict=True)],
            "commune_code": communes["commune_code"].to_numpy()[cell],
            "commune_name": where,
        },
        shapely.points(xy),
    )


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
    gate = shapely.get_coordinates(crossings.geometry.iloc[0])[0]
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
    rng: Generator, land: Land, communes: gpd.GeoDataFrame, crossings: gpd.GeoDataFrame
) -> pd.DataFrame:
    """People returned per commune, year 2021-2025 and category; only counts >= 1 are listed.

    Counts are drawn from a hidden risk surface that the other layers only partly reveal:
    closeness to the land border and to informal crossings (openings, trails), poverty and
    venues nearby (all visible in the layers), plus smooth regional "recruiter networks" and
    commune-level noise that no layer shows. Each year is an independent Poisson draw from
    the same surface, so one year's counts are a noisy guide to the next.
    """
    anchor = shapely.point_on_surface(communes.geometry.to_numpy())
    xy = shapely.get_coordinates(anchor)
    d_border = shapely.distance(land.border, anchor) / 1000.0
    informal = crossings[crossings["kind"].isin(["opening", "trail"])].geometry.to_numpy()
    d_gate = shapely.distance(anchor[:, None], informal).min(axis=1) / 1000.0
    visible = (
        3.0 * np.exp(-d_border / 8)
        + 2.0 * np.exp(-d_gate / 5)
        + 1.5 * communes["poverty_rate"].to_numpy()
    )
    hidden = _networks(rng, land, xy) + rng.normal(0, 0.3, len(communes))
    risk = np.exp(visible + hidden)
    years, share = np.array([0.15, 0.17, 0.2, 0.23, 0.25]), np.array([0.7, 0.3])
    for _ in range(200):
        mean = rng.uniform(300.0, 450.0) * risk / risk.sum()
        counts = rng.poisson(mean[:, None, None] * years[:, None] * share)
        zero = (counts.sum(axis=(1, 2)) == 0).mean()
        if 200 <= counts.sum() <= 500 and zero >= 0.45:
            break
    else:
        raise RuntimeError("synthetic repatriation counts did not land in 200-500 people")
    c, y, k = np.nonzero(counts)
    return pd.DataFrame(
        {
            "commune_code": communes["commune_code"].to_numpy()[c],
            "commune_name": communes["commune_name"].to_numpy()[c],
            "period": [str(2021 + i) for i in y],
            "category": np.array(["deported", "victim_returned"])[k],
            "count": counts[c, y, k].astype(np.int64),
        }
    )


def _networks(rng: Generator, land: Land, xy: np.ndarray) -> np.ndarray:
    """Hidden log-risk of three smooth regional hot spots (recruiter networks); no layer has it."""
    centres = exactly_in(rng, land.province, 3)
    spread = rng.uniform(6000.0, 12000.0, 3)
    weight = rng.uniform(0.5, 0.9, 3)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return (weight * np.exp(-d2 / (2 * spread**2))).sum(axis=1)
