"""Stored plans as map layers: patrol bases and their circles, outreach communes, border segments.

Pure: plan records (the JSON ``risk.plans`` stores) in, GeoDataFrames in EPSG:4326 out, plus
the matplotlib drawing of those layers for PNG/PDF exports. Nothing here computes a plan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo.crs import STORAGE_CRS, to_metric
from risk.labels import LANGS, words

#: Layers a set of plans gives, in drawing order; ``plan_communes`` is a table (no geometry).
PLAN_LAYERS = (
    "patrol_coverage",
    "outreach_communes",
    "border_segments",
    "crossing_ranking",
    "patrol_bases",
)
#: Colour ramp of segment scores (0-100), and the plan's own colours.
SEGMENT_CMAP = "plasma_r"
BASE_COLOUR, OUTREACH_COLOUR = "#00441b", "#238b45"
OUTREACH_STYLE = {"color": OUTREACH_COLOUR, "weight": 3, "fillOpacity": 0.0}
#: Plan layer names and tooltips: lang → key → text (catalogue section ``plan_layers``).
TEXT = {lang: words("plan_layers", lang) for lang in LANGS}


def plan_text(key: str, lang: str, **values: Any) -> str:
    """Label ``key`` of the plan layers in ``lang``, formatted with ``values``."""
    return TEXT[lang][key].format(**values)


def plan_frames(
    records: Mapping[str, Mapping[str, Any]], communes: gpd.GeoDataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Layers of the latest plan of each kind (``records`` by kind), EPSG:4326.

    ``patrol_bases`` (points, ``radius_km``, ``frequency``), ``patrol_coverage`` (circles),
    ``outreach_communes`` (the ``communes`` polygons, or points without them),
    ``border_segments`` (lines, ``score``, ``rank``), ``crossing_ranking`` (points), and
    ``plan_communes``: per commune ``patrol_covered`` / ``outreach_selected`` (True/False).
    """
    frames: dict[str, pd.DataFrame] = {}
    flags: list[pd.DataFrame] = []
    if "patrol" in records:
        frames |= _patrol(records["patrol"])
        codes = records["patrol"].get("covered_communes") or []
        flags.append(pd.DataFrame({"commune_code": codes, "patrol_covered": True}))
    if "outreach" in records:
        frames["outreach_communes"] = _outreach(records["outreach"], communes)
        codes = frames["outreach_communes"]["commune_code"].dropna().astype(str)
        flags.append(pd.DataFrame({"commune_code": codes, "outreach_selected": True}))
    if "segments" in records:
        frames |= _segments(records["segments"])
    if flags:
        table = flags[0]
        for more in flags[1:]:
            table = table.merge(more, on="commune_code", how="outer")
        frames["plan_communes"] = table
    return {k: v for k, v in frames.items() if not v.empty}


def _points(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=STORAGE_CRS
    )


def _patrol(record: Mapping[str, Any]) -> dict[str, gpd.GeoDataFrame]:
    """Bases as points with their radius and frequency, and their coverage circles."""
    if not record.get("bases"):
        return {}
    radius = float((record.get("parameters") or {}).get("radius_km", 0.0))
    bases = _points(record["bases"]).assign(radius_km=radius)
    bases = bases[_present(bases, ("name", "kind", "commune_code", "added_share", "frequency"))]
    metric = to_metric(bases)
    circles = metric.assign(geometry=metric.buffer(radius * 1000, quad_segs=32)).to_crs(STORAGE_CRS)
    return {"patrol_bases": bases, "patrol_coverage": circles}


def _outreach(record: Mapping[str, Any], communes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Chosen communes: their polygons from ``communes`` when given, else their points."""
    if not record.get("communes"):
        return gpd.GeoDataFrame()
    sites = _points(record["communes"])
    sites = sites[_present(sites, ("commune_code", "name", "kind", "added_share", "frequency"))]
    if communes is None:
        return sites
    shapes = communes[["commune_code", "geometry"]].to_crs(STORAGE_CRS)
    return shapes.merge(
        pd.DataFrame(sites.drop(columns="geometry")), on="commune_code", how="inner"
    )


def _segments(record: Mapping[str, Any]) -> dict[str, gpd.GeoDataFrame]:
    """Segments (lines) and crossings (points) with their scores and ranks."""
    out = {}
    for key, layer in (("segments", "border_segments"), ("crossings", "crossing_ranking")):
        rows = record.get(key) or []
        if rows:
            frame = pd.DataFrame(rows)
            geoms = shapely.from_geojson([json.dumps(g) for g in frame.pop("geometry")])
            out[layer] = gpd.GeoDataFrame(frame, geometry=geoms, crs=STORAGE_CRS)
    return out


def _present(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    return [c for c in (*columns, "radius_km", "geometry") if c in frame.columns]


def plans_for_place(
    layers: Mapping[str, pd.DataFrame], place: gpd.GeoDataFrame, *, margin_km: float = 2.0
) -> dict[str, pd.DataFrame]:
    """``layers`` with the plan layers narrowed to ``place`` (within ``margin_km`` of it).

    Outreach communes and the commune table keep the communes of ``place``; bases, circles,
    segments and crossings keep what lies within ``margin_km`` of its communes. Other layers
    pass unchanged.
    """
    codes = set(place["commune_code"].astype(str))
    metric = to_metric(place)
    area = shapely.union_all(metric.geometry.values).buffer(margin_km * 1000)
    out = {}
    for name, frame in layers.items():
        if name not in (*PLAN_LAYERS, "plan_communes"):
            out[name] = frame
        elif "commune_code" in frame and name in ("outreach_communes", "plan_communes"):
            out[name] = frame[frame["commune_code"].astype(str).isin(codes)]
        else:
            geoms = frame.to_crs(metric.crs).geometry.values
            out[name] = frame[shapely.intersects(geoms, area)]
    return {k: v for k, v in out.items() if k == "plan_communes" or not v.empty}


def export_layers(layers: Mapping[str, pd.DataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """The plan layers of ``layers`` a GeoPackage export adds, by layer name."""
    return {name: layers[name] for name in PLAN_LAYERS if name in layers}


def plan_columns(frame: pd.DataFrame, layers: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``frame`` (one row per commune) with the plan columns of ``plan_communes``, if any."""
    table = layers.get("plan_communes")
    if table is None:
        return frame
    table = table.assign(commune_code=table["commune_code"].astype(str))
    out = frame.merge(table, on="commune_code", how="left")
    for column in ("patrol_covered", "outreach_selected"):
        if column in out:
            out[column] = out[column].astype("boolean").fillna(False).astype(bool)
    return out


def draw_plan(ax: Axes, layers: Mapping[str, pd.DataFrame], crs) -> None:
    """Coverage circles, outreach outlines, segments by score and bases on a metric ``ax``."""
    if "patrol_coverage" in layers:
        layers["patrol_coverage"].to_crs(crs).plot(
            ax=ax, color=BASE_COLOUR, alpha=0.08, edgecolor=BASE_COLOUR, linewidth=0.8, zorder=3
        )
    if "outreach_communes" in layers:
        layers["outreach_communes"].to_crs(crs).boundary.plot(
            ax=ax, color=OUTREACH_COLOUR, linewidth=2.0, zorder=4
        )
    if "border_segments" in layers:
        segs = layers["border_segments"].to_crs(crs)
        cmap = colormaps[SEGMENT_CMAP]
        segs.plot(ax=ax, color=[cmap(s / 100) for s in segs["score"]], linewidth=4, zorder=4)
    if "patrol_bases" in layers:
        layers["patrol_bases"].to_crs(crs).plot(
            ax=ax, color=BASE_COLOUR, marker="P", markersize=90, edgecolor="white", zorder=6
        )


def plan_legend(layers: Mapping[str, pd.DataFrame], *, lang: str) -> list:
    """Legend handles of the plan layers present."""
    handles: list = []
    if "patrol_bases" in layers:
        handles.append(
            Line2D(
                [], [], color=BASE_COLOUR, marker="P", lw=0, label=plan_text("patrol_bases", lang)
            )
        )
    if "outreach_communes" in layers:
        label = plan_text("outreach_communes", lang)
        handles.append(Patch(facecolor="none", edgecolor=OUTREACH_COLOUR, lw=2, label=label))
    if "border_segments" in layers:
        colour = colormaps[SEGMENT_CMAP](0.9)
        handles.append(Line2D([], [], color=colour, lw=4, label=plan_text("border_segments", lang)))
    return handles
