"""Static choropleth for reports (matplotlib): legend, north arrow, scale bar, title, stamp.

Draws with ``matplotlib.figure.Figure`` (no pyplot state), in a metric CRS so the scale bar is
true; the DejaVu Sans font matplotlib ships covers Vietnamese.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from geo.crs import to_metric
from maps.escaping import mathtext_text
from maps.plan_layers import draw_plan, plan_legend
from maps.style import BORDER_STYLE, CLASS_COLOURS, UNCERTAIN_HATCH, kind_label, text
from risk.labels import class_label, word

FONT = "DejaVu Sans"
#: How far beyond the communes' box the border and crossings still widen the map, km.
MARGIN_KM = 10.0
CROSSING_MARKERS = {
    "international": ("#67000d", "*", 120),
    "main": ("#cb181d", "*", 90),
    "secondary": ("#fb6a4a", "^", 45),
    "opening": ("#6a3d9a", "D", 35),
    "trail": ("#000000", "x", 35),
    "seaport": ("#08519c", "s", 40),
}


@dataclass(frozen=True)
class Stamp:
    """What every static export says about its origin (run, profile, weights, layers, date)."""

    run_id: str
    profile: str
    weights_hash: str
    layer_versions: Mapping[str, str]
    date: str
    notes: Sequence[str] = field(default_factory=tuple)

    def lines(self, lang: str) -> list[str]:
        """The stamp as short lines of text in ``lang``."""
        layers = ", ".join(f"{k} {v[:8]}" for k, v in sorted(self.layer_versions.items()))
        head, weights, data = (
            word(f"report.stamp_{k}", lang) for k in ("run", "weights", "layers")
        )
        return [
            f"{head} {self.run_id} · {text('profile', lang)} {self.profile} · "
            f"{weights} {self.weights_hash} · {text('date', lang)} {self.date}",
            f"{data}: {layers}",
            *self.notes,
        ]


def draw_map(
    ax: Axes,
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str,
    label_top: int = 5,
) -> None:
    """Choropleth of ``scored`` (needs ``class``) with district lines, border and crossings."""
    metric = to_metric(scored)
    colours = metric["class"].astype(int).map(CLASS_COLOURS)
    metric.plot(ax=ax, color=colours, edgecolor="#666666", linewidth=0.3)
    draw_uncertain(ax, metric)
    if "district_name" in metric.columns and metric["district_name"].nunique() > 1:
        districts = metric.dissolve("district_name")
        districts.boundary.plot(ax=ax, color="#222222", linewidth=1.0)
    west, south, east, north = map_extent(metric, layers)
    _draw_context(ax, layers, metric.crs)
    pad = 0.04 * max(east - west, north - south)
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad, north + pad)
    _label_top(ax, metric, label_top)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    add_north_arrow(ax)
    add_scale_bar(ax)
    add_legend(ax, layers, lang=lang, uncertain=bool(uncertain_mask(metric).any()))


def uncertain_mask(scored: pd.DataFrame) -> pd.Series:
    """True for communes whose class is uncertain (all False when the run has no such column)."""
    if "class_uncertain" not in scored.columns:
        return pd.Series(False, index=scored.index)
    return scored["class_uncertain"].fillna(False).astype(bool)


def draw_uncertain(ax: Axes, metric: gpd.GeoDataFrame) -> None:
    """Hatch the communes whose class is uncertain, over their class colour."""
    mask = uncertain_mask(metric)
    if mask.any():
        metric[mask].plot(ax=ax, facecolor="none", linewidth=0, zorder=2, **UNCERTAIN_HATCH)


def uncertain_legend(lang: str) -> Patch:
    """Legend entry of the hatching: "Hạng chưa chắc chắn / Class uncertain"."""
    return Patch(facecolor="white", label=text("class_uncertain", lang), **UNCERTAIN_HATCH)


def map_extent(
    metric: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    margin_km: float = MARGIN_KM,
) -> tuple[float, float, float, float]:
    """West, south, east, north of the map in ``metric``'s CRS, m.

    The communes, and the border and crossings within ``margin_km`` of the communes' box: a
    border line from another source lies 1-8 km off, but the rest of the national border line
    stays out of the frame.
    """
    west, south, east, north = metric.total_bounds
    near = shapely.box(west, south, east, north).buffer(margin_km * 1000.0)
    boxes = [(west, south, east, north)]
    for name in ("border", "crossings"):
        frame = layers.get(name)
        if frame is None or frame.empty:
            continue
        parts = shapely.intersection(frame.to_crs(metric.crs).geometry.to_numpy(), near)
        parts = parts[~shapely.is_empty(parts)]
        if len(parts):
            boxes.append(tuple(shapely.total_bounds(parts)))
    ws, ss, es, ns = zip(*boxes, strict=True)
    return min(ws), min(ss), max(es), max(ns)


def _draw_context(ax: Axes, layers: Mapping[str, gpd.GeoDataFrame], crs) -> None:
    border = layers.get("border")
    if border is not None and not border.empty:
        kinds = (
            border["kind"].fillna("land") if "kind" in border else pd.Series("land", border.index)
        )
        for kind, part in border.to_crs(crs).groupby(kinds.to_numpy()):
            style = BORDER_STYLE.get(kind, BORDER_STYLE["land"])
            part.plot(ax=ax, color=style["color"], linewidth=2.2, linestyle="--")
    crossings = layers.get("crossings")
    if crossings is not None and not crossings.empty:
        for kind, part in crossings.to_crs(crs).groupby("kind"):
            colour, marker, size = CROSSING_MARKERS.get(kind, ("#000000", "o", 30))
            part.plot(ax=ax, color=colour, marker=marker, markersize=size, zorder=5)
    draw_plan(ax, layers, crs)


def _label_top(ax: Axes, metric: gpd.GeoDataFrame, top: int) -> None:
    """Name the ``top`` highest-ranked communes on the map."""
    for row in metric.nsmallest(top, "rank").itertuples():
        point = row.geometry.representative_point()
        ax.annotate(
            mathtext_text(f"{int(row.rank)}. {row.commune_name}"),
            (point.x, point.y),
            fontsize=7,
            fontfamily=FONT,
            ha="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
            zorder=6,
        )


def add_north_arrow(ax: Axes) -> None:
    """A north arrow in the top-right corner (maps are drawn north-up)."""
    ax.annotate(
        "N",
        xy=(0.95, 0.97),
        xytext=(0.95, 0.87),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        fontfamily=FONT,
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 11, "headlength": 10},
    )


def nice_length(span_m: float) -> float:
    """A round scale-bar length (m) close to a fifth of ``span_m``: 1, 2 or 5 × 10^k."""
    target = max(span_m / 5, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def add_scale_bar(ax: Axes) -> None:
    """A two-segment scale bar in km (or m) in the bottom-left corner; axes must be metric."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    x, y, h = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0), 0.012 * (y1 - y0)
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (x + i * length / 2, y), length / 2, h, fc=colour, ec="black", lw=0.8, zorder=7
            )
        )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x + length / 2, y + 1.8 * h, label, ha="center", fontsize=8, fontfamily=FONT, zorder=7)


def add_legend(
    ax: Axes, layers: Mapping[str, gpd.GeoDataFrame], *, lang: str, uncertain: bool = False
) -> None:
    """Legend: the five classes, uncertain classes, the border and the crossing kinds present."""
    handles: list = [
        Patch(facecolor=CLASS_COLOURS[c], edgecolor="#666666", label=class_label(c, lang))
        for c in sorted(CLASS_COLOURS, reverse=True)
    ]
    if uncertain:
        handles.append(uncertain_legend(lang))
    if "border" in layers and not layers["border"].empty:
        handles.append(Line2D([], [], color="#b2182b", lw=2.2, ls="--", label=text("border", lang)))
    if "crossings" in layers and not layers["crossings"].empty:
        for kind in sorted(set(layers["crossings"]["kind"])):
            colour, marker, _ = CROSSING_MARKERS.get(kind, ("#000000", "o", 30))
            handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    marker=marker,
                    lw=0,
                    label=mathtext_text(kind_label(kind, lang)),
                )
            )
    handles += plan_legend(layers, lang=lang)
    ax.legend(
        handles=handles,
        title=text("legend", lang),
        loc="lower right",
        fontsize=7.5,
        title_fontsize=8.5,
        framealpha=0.9,
        prop={"family": FONT, "size": 7.5},
    )


def static_map_figure(
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    title: str,
    subtitle: str,
    stamp: Stamp,
    lang: str = "vi",
    size_in: tuple[float, float] = (10.0, 8.5),
) -> Figure:
    """A figure of the choropleth with title, subtitle, legend, arrow, scale and stamp."""
    fig, ax = _framed(title, subtitle, stamp, lang, size_in, box=(0.03, 0.1, 0.94, 0.8))
    draw_map(ax, scored, layers, lang=lang)
    return fig


def _framed(
    title: str,
    subtitle: str,
    stamp: Stamp,
    lang: str,
    size_in: tuple[float, float],
    *,
    box: tuple[float, float, float, float],
) -> tuple[Figure, Axes]:
    """A figure with title, subtitle and stamp, and the map's axes at ``box`` (figure shares)."""
    fig = Figure(figsize=size_in, layout="none")
    fig.text(
        0.5,
        0.965,
        mathtext_text(title),
        ha="center",
        va="top",
        fontsize=15,
        weight="bold",
        family=FONT,
    )
    fig.text(
        0.5,
        0.925,
        mathtext_text(subtitle),
        ha="center",
        va="top",
        fontsize=10,
        family=FONT,
        color="#333",
    )
    stamped = mathtext_text("\n".join(stamp.lines(lang)))
    fig.text(0.03, 0.015, stamped, fontsize=7, family=FONT, color="#444", va="bottom")
    return fig, fig.add_axes(box)


def draw_change_map(
    ax: Axes, scored: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame], *, lang: str
) -> None:
    """Diverging choropleth of ``score_change`` (points; red up, blue down, 0 white).

    Communes without an earlier score (new codes, merged communes) are grey and hatched.
    """
    from matplotlib.colors import TwoSlopeNorm

    from risk.labels import word

    metric = to_metric(scored)
    change = pd.to_numeric(metric["score_change"], errors="coerce").astype(float)
    reach = max(float(change.abs().max()) if change.notna().any() else 0.0, 1.0)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-reach, vmax=reach)
    known = metric[change.notna().to_numpy()].assign(score_change=change.dropna().to_numpy())
    known.plot(
        ax=ax, column="score_change", cmap="RdBu_r", norm=norm, edgecolor="#666666", linewidth=0.3
    )
    missing = metric[change.isna().to_numpy()]
    if not missing.empty:
        missing.plot(ax=ax, facecolor="#dddddd", edgecolor="#666666", linewidth=0.3, hatch="..")
    west, south, east, north = map_extent(metric, layers)
    _draw_context(ax, {k: v for k, v in layers.items() if k in ("border", "crossings")}, metric.crs)
    pad = 0.04 * max(east - west, north - south)
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad, north + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    add_north_arrow(ax)
    add_scale_bar(ax)
    _change_colorbar(ax, norm, lang)
    if not missing.empty:
        hatch = Patch(facecolor="#dddddd", hatch="..", label=word("compare.unmatched", lang))
        ax.legend(handles=[hatch], loc="lower right", prop={"family": FONT, "size": 7.5})


def _change_colorbar(ax: Axes, norm, lang: str) -> None:
    """Colour bar of the change map: points of score, lower (blue) to higher (red)."""
    from matplotlib.cm import ScalarMappable

    from risk.labels import word

    bar = ax.figure.colorbar(
        ScalarMappable(norm=norm, cmap="RdBu_r"),
        ax=ax,
        orientation="horizontal",
        fraction=0.04,
        pad=0.02,
        shrink=0.6,
    )
    low, high = word("compare.lower", lang), word("compare.higher", lang)
    bar.set_label(f"{word('compare.change_map', lang)} · ← {low} | {high} →", family=FONT)


def change_map_figure(
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    title: str,
    subtitle: str,
    stamp: Stamp,
    lang: str = "vi",
    size_in: tuple[float, float] = (10.0, 8.5),
) -> Figure:
    """A figure of the change map (``score_change``) with title, subtitle, arrow, scale, stamp."""
    fig, ax = _framed(title, subtitle, stamp, lang, size_in, box=(0.03, 0.12, 0.94, 0.78))
    draw_change_map(ax, scored, layers, lang=lang)
    return fig
