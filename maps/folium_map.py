"""Interactive risk map assembled from one small builder per layer (Folium / Leaflet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import MarkerCluster

from maps.legend import Legend, MetricScale
from maps.style import (
    BORDER_STYLE,
    CLASS_COLOURS,
    CROSSING_STYLE,
    VENUE_COLOURS,
    ZONE_STYLE,
    kind_label,
    text,
)
from risk.labels import LANGS, indicator_label
from risk.results import ScoreTable

#: Leaflet needs an explicit max zoom once marker clusters are on the map.
MAX_ZOOM = 18


@dataclass(frozen=True)
class MapTitle:
    """What the map says about itself: heading, run id and an optional data note."""

    heading: str
    run_id: str = ""
    note: str = ""


def build_map(
    communes: gpd.GeoDataFrame,
    table: ScoreTable,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    title: MapTitle,
    lang: str = "vi",
) -> folium.Map:
    """Score choropleth plus every available layer, a legend and a layer control."""
    if lang not in LANGS:
        raise ValueError(f'lang was "{lang}" but is expected to be one of {LANGS}')
    west, south, east, north = communes.to_crs(4326).total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=9, tiles=None)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(m)
    MetricScale().add_to(m)
    m.options["max_zoom"] = MAX_ZOOM
    m.fit_bounds([[south, west], [north, east]])
    add_communes_choropleth(m, communes, table, lang=lang)
    builders = {
        "border": add_border,
        "industrial_zones": add_zones,
        "crossings": add_crossings,
        "venues": add_venues,
    }
    for name, add in builders.items():
        if name in layers and not layers[name].empty:
            add(m, layers[name].to_crs(4326), lang=lang)
    heading = (
        f"{title.heading} · {text('run', lang)} {title.run_id}" if title.run_id else title.heading
    )
    Legend(lang=lang, title=heading, note=title.note).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def add_communes_choropleth(
    m: folium.Map, communes: gpd.GeoDataFrame, table: ScoreTable, *, lang: str
) -> None:
    """Communes filled by risk class, with a tooltip: name, district, score, class, drivers."""
    scored = communes[["commune_code", "commune_name", "geometry"]].assign(
        district_name=communes.get("district_name", "")
    )
    frame = table.frame.assign(
        drivers=[", ".join(indicator_label(d, lang) for d in row) for row in table.drivers()]
    )
    frame = frame.assign(score=frame["score"].round(1), label=frame[f"class_label_{lang}"])
    scored = scored.merge(
        frame[["commune_code", "score", "class", "label", "rank", "drivers"]],
        on="commune_code",
        how="inner",
        validate="1:1",
    ).to_crs(4326)
    fields = ["commune_name", "district_name", "score", "label", "rank", "drivers"]
    aliases = [text(k, lang) for k in ("commune", "district", "score", "class", "rank", "drivers")]
    folium.GeoJson(
        scored[[*fields, "class", "geometry"]],
        name=text("communes", lang),
        style_function=lambda f: {
            "fillColor": CLASS_COLOURS[f["properties"]["class"]],
            "color": "#555",
            "weight": 0.6,
            "fillOpacity": 0.75,
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
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
            tooltip=f"{row.name} ({kind_label(row.kind, lang)})",
            icon=folium.Icon(color=colour, icon=icon, prefix="fa"),
        ).add_to(group)
    group.add_to(m)


def add_venues(m: folium.Map, venues: gpd.GeoDataFrame, *, lang: str) -> None:
    """Venues as small circles coloured by kind, clustered when zoomed out."""
    cluster = MarkerCluster(name=text("venues", lang), disableClusteringAtZoom=14)
    names = venues["name"] if "name" in venues else pd.Series("", index=venues.index)
    for geom, kind, name in zip(venues.geometry, venues["kind"], names, strict=True):
        folium.CircleMarker(
            [geom.y, geom.x],
            radius=5,
            color=VENUE_COLOURS[kind],
            fill=True,
            fill_opacity=0.9,
            tooltip=f"{name} ({kind_label(kind, lang)})" if name else kind_label(kind, lang),
        ).add_to(cluster)
    cluster.add_to(m)


def add_zones(m: folium.Map, zones: gpd.GeoDataFrame, *, lang: str) -> None:
    """Industrial zones in purple with name and workers in the tooltip."""
    fields = [c for c in ("name", "workers") if c in zones.columns]
    aliases = ["" if c == "name" else text("workers", lang) for c in fields]
    folium.GeoJson(
        zones[[*fields, "geometry"]],
        name=text("industrial_zones", lang),
        style_function=lambda f: ZONE_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    ).add_to(m)


def render_html(m: folium.Map) -> str:
    """The map as one standalone HTML document."""
    return m.get_root().render()
