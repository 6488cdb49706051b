"""Interactive risk map assembled from one small builder per layer (Folium / Leaflet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.plugins import Fullscreen, MarkerCluster
from matplotlib import colormaps
from matplotlib.colors import to_hex

from maps.controls import (
    HELPERS,
    CommuneSearch,
    LeafletWords,
    MeasureTool,
    OutlineMiniMap,
    ScoreLayer,
    ShapeOverlay,
    TitleBox,
    VenueKindLayer,
    ZoomButtons,
)
from maps.escaping import html_text
from maps.legend import Legend, MetricScale
from maps.offline import make_offline
from maps.plan_layers import OUTREACH_STYLE, SEGMENT_CMAP, plan_text
from maps.simplify import fit_zoom, simplify_coverage
from maps.style import (
    BORDER_STYLE,
    CLASS_COLOURS,
    CROSSING_STYLE,
    HOTSPOT_STYLE,
    OPTIONAL_LAYERS,
    PLAN_STYLE,
    UNCERTAIN_STYLE,
    VENUE_COLOURS,
    ZONE_STYLE,
    kind_label,
    text,
)
from risk.labels import LANGS, indicator_label, words
from risk.results import ScoreTable

#: Leaflet needs an explicit max zoom once marker clusters are on the map.
MAX_ZOOM = 18
#: Venue clusters in slate grey, so they do not read as risk colours.
CLUSTER_ICON = """function (cluster) {
  var n = cluster.getAllChildMarkers().reduce(function (t, c) {
    return t + (c.options.count || 1);  // a grouped dot counts its venues
  }, 0);
  var s = n < 10 ? 26 : n < 100 ? 32 : 40;
  return L.divIcon({className: "riskmap-cluster", iconSize: [s, s], html: '<div style="width:'
    + s + "px;height:" + s + "px;line-height:" + s + "px;border-radius:50%;"
    + "background:rgba(38,50,56,.8);color:#fff;font:bold 12px sans-serif;"
    + 'text-align:center;border:2px solid #fff">' + n + "</div>"});
}"""
#: Above this many venues the map draws a dot per grid cell of VENUE_CELL_KM km, with its count.
VENUE_POINTS_MAX = 50_000
VENUE_CELL_KM = 5
#: Grouped dots a map draws at most: the grid doubles from VENUE_CELL_KM until they fit (each dot
#: is a marker with its tooltip, the slowest part of a national map's first render).
VENUE_GROUPS_MAX = 8_000
OFFLINE_BACKGROUND = "<style>.folium-map { background: #eef1f4; }</style>"


@dataclass(frozen=True)
class MapTitle:
    """What the map says about itself: heading, run id, date and notes."""

    heading: str
    run_id: str = ""
    note: str = ""
    date: str = ""


def build_map(
    communes: gpd.GeoDataFrame,
    table: ScoreTable,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    title: MapTitle,
    lang: str = "vi",
    offline: bool = False,
    tolerance_m: float | None = None,
) -> folium.Map:
    """Score choropleth plus every available layer, legend, search and map tools.

    ``offline`` leaves out the background tiles (the map then needs no internet once its scripts
    are inlined by :func:`render_html`); ``tolerance_m`` overrides the simplification tolerance.
    """
    if lang not in LANGS:
        raise ValueError(f'lang was "{lang}" but is expected to be one of {LANGS}')
    communes = simplify_coverage(communes, tolerance_m)
    m = _base_map(communes, offline=offline, lang=lang)
    score_layer = add_communes_choropleth(m, communes, table, lang=lang)
    add_hotspots(m, score_layer, table, lang=lang)
    add_uncertain(m, score_layer, table, lang=lang)
    builders = {
        "border": add_border,
        "border_segments": add_segments,
        "industrial_zones": add_zones,
        "outreach_communes": add_outreach,
        "crossings": add_crossings,
        "venues": add_venues,
        "patrol_bases": add_plan,
    }
    for name, add in builders.items():
        if name in layers and not layers[name].empty:
            add(m, layers[name].to_crs(4326), lang=lang)
    _add_tools(m, communes, score_layer, lang=lang)
    missing = [text(n, lang) for n in OPTIONAL_LAYERS if n not in layers or layers[n].empty]
    _add_titles(m, title, missing, lang=lang)
    folium.LayerControl(collapsed=False).add_to(m)
    LeafletWords(
        leaflet=text("leaflet_title", lang),
        layers=text("layers_title", lang),
        zoom_in=text("zoom_in", lang),
        zoom_out=text("zoom_out", lang),
    ).add_to(m)
    return m


def _base_map(communes: gpd.GeoDataFrame, *, offline: bool, lang: str) -> folium.Map:
    west, south, east, north = communes.total_bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=fit_zoom((west, south, east, north)),
        tiles=None,
        prefer_canvas=True,
        zoom_control=False,  # added by _add_tools, with titles in ``lang``
    )
    if offline:
        m.get_root().header.add_child(Element(OFFLINE_BACKGROUND), name="offline_background")
    else:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(m)
    m.get_root().header.add_child(HELPERS, name="riskmap_helpers")
    m.options["max_zoom"] = MAX_ZOOM
    m.fit_bounds(
        [[south, west], [north, east]], padding_top_left=(50, 90), padding_bottom_right=(40, 30)
    )
    return m


def _add_tools(m: folium.Map, communes: gpd.GeoDataFrame, layer: ScoreLayer, *, lang: str) -> None:
    """Zoom, fullscreen, scale bar, measuring tool, minimap and commune search, in ``lang``."""
    ZoomButtons(zoom_in=text("zoom_in", lang), zoom_out=text("zoom_out", lang)).add_to(m)
    Fullscreen(title=text("fullscreen", lang), title_cancel=text("exit_fullscreen", lang)).add_to(m)
    MetricScale().add_to(m)
    MeasureTool(
        lang=lang,
        strings=words("measure", lang),
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="meters",
        primary_area_unit="hectares",
        secondary_area_unit="sqmeters",
    ).add_to(m)
    outline = gpd.GeoSeries([shapely.union_all(communes.geometry.to_numpy())], crs=4326)
    strings = {"hideText": text("minimap_hide", lang), "showText": text("minimap_show", lang)}
    OutlineMiniMap(outline.simplify(0.005).__geo_interface__, strings=strings).add_to(m)
    search = CommuneSearch(
        layer,
        placeholder=text("search", lang),
        not_found=text("search_not_found", lang),
        cancel=text("search_cancel", lang),
    )
    search.add_to(m)


def _add_titles(m: folium.Map, title: MapTitle, missing: list[str], *, lang: str) -> None:
    lines = [
        " · ".join(
            part
            for part in (
                f"{text('run', lang)} {title.run_id}" if title.run_id else "",
                f"{text('date', lang)} {title.date}" if title.date else "",
            )
            if part
        )
    ]
    warnings = [title.note] if title.note else []
    if missing:
        warnings.append(f"{text('missing', lang)}: {', '.join(missing)}")
    TitleBox(title.heading, [line for line in lines if line], warnings).add_to(m)
    Legend(lang=lang, title=text("legend", lang)).add_to(m)


def add_communes_choropleth(
    m: folium.Map, communes: gpd.GeoDataFrame, table: ScoreTable, *, lang: str
) -> ScoreLayer:
    """Communes filled by risk class, tooltip: name, district, score, class, rank, drivers."""
    frame = _tooltip_frame(table, lang)
    scored = (
        communes[["commune_code", "commune_name", "geometry"]]
        .assign(district_name=communes.get("district_name", ""))
        .merge(frame, on="commune_code", how="inner", validate="1:1")
    )
    styles = {
        c: {"fillColor": colour, "color": "#555", "weight": 0.6, "fillOpacity": 0.75}
        for c, colour in CLASS_COLOURS.items()
    }
    labels = {k: text(k, lang) for k in ("score", "class", "rank", "drivers", "rank_interval")} | {
        "total": len(table.frame)
    }
    layer = ScoreLayer(
        scored.fillna({"district_name": ""}).__geo_interface__,
        name=text("communes", lang),
        styles=styles,
        labels=labels,
    )
    layer.add_to(m)
    return layer


def _tooltip_frame(table: ScoreTable, lang: str) -> pd.DataFrame:
    """Per commune the values the tooltip shows, rank interval and hotspot when present."""
    frame = table.frame
    out = pd.DataFrame(
        {
            "commune_code": frame["commune_code"].astype(str),
            "score": frame["score"].astype(float).round(1),
            "class": frame["class"].astype(int),
            "label": frame[f"class_label_{lang}"],
            "rank": frame["rank"].astype(int),
            "drivers": [", ".join(indicator_label(d, lang) for d in r) for r in table.drivers()],
        }
    )
    if {"rank_p05", "rank_p95"} <= set(frame.columns):
        out["rank_interval"] = [
            f"{int(lo)}-{int(hi)}"
            for lo, hi in zip(frame["rank_p05"], frame["rank_p95"], strict=True)
        ]
    if "hotspot" in frame.columns:
        out["hotspot_label"] = [
            kind_label(h, lang) if h in HOTSPOT_STYLE else "" for h in frame["hotspot"].astype(str)
        ]
    return out


def add_hotspots(m: folium.Map, layer: ScoreLayer, table: ScoreTable, *, lang: str) -> None:
    """Outlines of significant Gi* hot and cold spots (off at first), when the run has them."""
    if "hotspot" not in table.frame.columns:
        return
    spots = table.frame[["commune_code", "hotspot"]].astype(str)
    spots = spots[spots["hotspot"].isin(HOTSPOT_STYLE)]
    if spots.empty:
        return
    ShapeOverlay(
        layer,
        dict(zip(spots["commune_code"], spots["hotspot"], strict=True)),
        name=text("hotspots", lang),
        styles=HOTSPOT_STYLE,
        tips={h: kind_label(h, lang) for h in HOTSPOT_STYLE},
    ).add_to(m)


def add_uncertain(m: folium.Map, layer: ScoreLayer, table: ScoreTable, *, lang: str) -> None:
    """A layer (off at first) outlining, dashed, the communes whose class is uncertain."""
    if "class_uncertain" not in table.frame.columns:
        return
    flags = table.frame["class_uncertain"].fillna(False).astype(bool)
    codes = table.frame.loc[flags, "commune_code"].astype(str)
    if codes.empty:
        return
    ShapeOverlay(
        layer,
        dict.fromkeys(codes, "uncertain"),
        name=html_text(text("class_uncertain", lang)),
        styles={"uncertain": UNCERTAIN_STYLE},
    ).add_to(m)


def add_border(m: folium.Map, border: gpd.GeoDataFrame, *, lang: str) -> None:
    """Land border (red dashes) and coastline (blue dots)."""
    kinds = border["kind"].fillna("land") if "kind" in border else pd.Series("land", border.index)
    group = folium.FeatureGroup(name=text("border", lang))
    for kind, part in border.groupby(kinds.to_numpy()):
        folium.GeoJson(
            part[["geometry"]], style_function=lambda f, s=BORDER_STYLE[kind]: s, control=False
        ).add_to(group)
    group.add_to(m)


def add_crossings(m: folium.Map, crossings: gpd.GeoDataFrame, *, lang: str) -> None:
    """One marker per crossing, icon and colour by kind, tooltip with name and kind."""
    group = folium.FeatureGroup(name=text("crossings", lang))
    for row in crossings.itertuples():
        colour, icon = CROSSING_STYLE[row.kind]
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            tooltip=html_text(f"{row.name} ({kind_label(row.kind, lang)})"),
            icon=folium.Icon(color=colour, icon=icon, prefix="fa"),
        ).add_to(group)
    group.add_to(m)


def add_venues(m: folium.Map, venues: gpd.GeoDataFrame, *, lang: str) -> None:
    """Venues as dots coloured by kind in one cluster, one layer-control entry per kind.

    Above :data:`VENUE_POINTS_MAX` venues (a national map), each kind is drawn as one dot per
    grid cell of :data:`VENUE_CELL_KM` km with its count, so the map stays small enough to open.
    """
    cluster = MarkerCluster(
        control=False,
        options={"disableClusteringAtZoom": 15},
        icon_create_function=CLUSTER_ICON,
    )
    cluster.add_to(m)
    grouped = len(venues) > VENUE_POINTS_MAX
    km = venue_cell_km(venues) if grouped else VENUE_CELL_KM
    for kind, frame in venues.groupby("kind"):
        rows = _grouped_rows(frame, km) if grouped else _venue_rows(frame)
        label = html_text(kind_label(str(kind), lang))
        how = f", {text('grouped_per', lang).format(km=km)}" if grouped else ""
        VenueKindLayer(
            cluster,
            rows,
            name=f"{text('venue_kind', lang)}: {label} ({len(frame):,}{how})",
            colour=VENUE_COLOURS.get(str(kind), VENUE_COLOURS["other"]),
            kind_label=label,
            count_text=text("venues_grouped", lang).replace("{km}", str(km)),
        ).add_to(m)


def _venue_rows(venues: gpd.GeoDataFrame) -> list[list]:
    """``[lat, lon, name, 1]`` per venue, degrees rounded to 1e-5 (about 1 m)."""
    names = venues["name"].fillna("").astype(str) if "name" in venues else [""] * len(venues)
    lat = np.round(venues.geometry.y.to_numpy(), 5).tolist()
    lon = np.round(venues.geometry.x.to_numpy(), 5).tolist()
    return [[y, x, n, 1] for y, x, n in zip(lat, lon, names, strict=True)]


def venue_cell_km(venues: gpd.GeoDataFrame) -> int:
    """Grid cell (km): VENUE_CELL_KM doubled until at most VENUE_GROUPS_MAX cells hold venues."""
    x, y = venues.geometry.x.to_numpy(), venues.geometry.y.to_numpy()
    kinds = pd.factorize(venues["kind"])[0]
    km = VENUE_CELL_KM
    while km < 640:
        step = km / 111.0
        cells = np.unique(np.c_[kinds, np.floor(x / step), np.floor(y / step)], axis=0)
        if len(cells) <= VENUE_GROUPS_MAX:
            break
        km *= 2
    return km


def _grouped_rows(venues: gpd.GeoDataFrame, km: int = VENUE_CELL_KM) -> list[list]:
    """``[lat, lon, "", N]`` per occupied grid cell of ``km`` km, at the mean of its venues."""
    x, y = venues.geometry.x.to_numpy(), venues.geometry.y.to_numpy()
    step = km / 111.0  # degrees of latitude; longitude cells are a little narrower
    cells = pd.DataFrame({"x": x, "y": y, "i": np.floor(x / step), "j": np.floor(y / step)})
    mean = cells.groupby(["i", "j"]).agg(x=("x", "mean"), y=("y", "mean"), n=("x", "size"))
    lat, lon = (
        np.round(mean["y"].to_numpy(), 4).tolist(),
        np.round(mean["x"].to_numpy(), 4).tolist(),
    )
    return [[a, b, "", n] for a, b, n in zip(lat, lon, mean["n"].tolist(), strict=True)]


def add_zones(m: folium.Map, zones: gpd.GeoDataFrame, *, lang: str) -> None:
    """Industrial zones in purple with name and workers in the tooltip."""
    fields = [c for c in ("name", "workers") if c in zones.columns]
    aliases = ["" if c == "name" else text("workers", lang) for c in fields]
    zones = zones[zones.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if zones.empty:
        return
    if "name" in fields:
        zones = zones.assign(name=zones["name"].map(html_text))
    folium.GeoJson(
        zones[[*fields, "geometry"]],
        name=text("industrial_zones", lang),
        style_function=lambda f: ZONE_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases) if fields else None,
    ).add_to(m)


def add_plan(m: folium.Map, plan: gpd.GeoDataFrame, *, lang: str) -> None:
    """Chosen patrol bases with their coverage circle (``radius_km``) and how often they stay."""
    group = folium.FeatureGroup(name=plan_text("patrol_bases", lang))
    names = plan["name"] if "name" in plan else pd.Series("", index=plan.index)
    radius = plan["radius_km"] if "radius_km" in plan else pd.Series(0.0, index=plan.index)
    for geom, name, km, freq in zip(
        plan.geometry.representative_point(), names, radius, _frequency(plan, lang), strict=True
    ):
        tip = html_text(f"{text('plan_site', lang)}: {name}{freq}")
        if km and km > 0:
            folium.Circle([geom.y, geom.x], radius=float(km) * 1000, **PLAN_STYLE).add_to(group)
        folium.Marker(
            [geom.y, geom.x], tooltip=tip, icon=folium.Icon(color="green", icon="star", prefix="fa")
        ).add_to(group)
    group.add_to(m)


def add_outreach(m: folium.Map, communes: gpd.GeoDataFrame, *, lang: str) -> None:
    """Communes chosen for outreach, outlined in green, with how often they stay chosen."""
    frame = communes.assign(
        tip=[
            html_text(f"{n}{f}")
            for n, f in zip(communes["name"], _frequency(communes, lang), strict=True)
        ]
    )
    folium.GeoJson(
        frame[["tip", "geometry"]],
        name=plan_text("outreach_communes", lang),
        style_function=lambda f: OUTREACH_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(m)


def add_segments(m: folium.Map, segments: gpd.GeoDataFrame, *, lang: str) -> None:
    """Border segments coloured by score (0-100), tooltip with score, rank and crossings."""
    cmap = colormaps[SEGMENT_CMAP]
    tips = [
        html_text(
            plan_text("segment", lang, segment=r.segment, score=r.score, rank=r.rank)
            + (f" · {r.crossing_names}" if getattr(r, "crossing_names", "") else "")
        )
        for r in segments.itertuples()
    ]
    frame = segments.assign(
        tip=tips, colour=[to_hex(cmap(float(s) / 100)) for s in segments["score"]]
    )
    folium.GeoJson(
        frame[["tip", "colour", "geometry"]],
        name=plan_text("border_segments", lang),
        style_function=lambda f: {"color": f["properties"]["colour"], "weight": 6, "opacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(m)


def _frequency(frame: pd.DataFrame, lang: str) -> list[str]:
    """Per row the text "(in the plan in 93 % of weight draws)", or "" without a frequency."""
    freq = frame["frequency"] if "frequency" in frame else pd.Series(None, index=frame.index)
    return [
        "" if f is None or pd.isna(f) else f" ({plan_text('frequency', lang, share=float(f))})"
        for f in freq
    ]


def render_html(m: folium.Map, *, offline: bool = False) -> str:
    """The map as one standalone HTML document; ``offline`` inlines every script and style."""
    html = m.get_root().render()
    return make_offline(html) if offline else html
