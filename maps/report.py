"""A4 report pages (matplotlib figures): map page, ranked table pages, method page."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from maps.escaping import mathtext_text
from maps.static_map import FONT, Stamp, draw_map
from risk.labels import LANGS, word, words

A4_IN = (8.27, 11.69)
ROWS_PER_PAGE = 38

#: Ranked-table column → (width as a share of the page, wrap width in characters).
_COLUMN_SIZES = {
    "rank": (0.05, 5),
    "commune_name": (0.16, 22),
    "district_name": (0.14, 18),
    "score": (0.06, 6),
    "class_label": (0.09, 11),
    "rank_interval": (0.09, 9),
    "p_top_k": (0.065, 5),
    "drivers": (0.245, 45),
}
#: Ranked-table columns: key in the table frame → (title vi, title en, width, wrap), titles from
#: the catalogue (``report.column_<key>``). Columns sit side by side from ``TABLE_LEFT``; the
#: last one takes what is left up to ``TABLE_RIGHT``, so a missing column (no district since
#: July 2025) leaves no blank gap.
COLUMNS: dict[str, tuple[str, str, float, int]] = {
    key: (word(f"report.column_{key}", "vi"), word(f"report.column_{key}", "en"), *size)
    for key, size in _COLUMN_SIZES.items()
}
TABLE_LEFT, TABLE_RIGHT = 0.06, 0.95
#: Characters of 6.5 pt text per page width (52 characters in 0.28 of it).
CHARS_PER_PAGE = 186
#: Report headings and sentences per language: lang → key → text (catalogue section ``report``).
TEXT = {lang: words("report", lang) for lang in LANGS}


@dataclass(frozen=True)
class ReportContent:
    """Everything a report shows, already selected, ordered and privacy-checked."""

    title: str
    place: str
    scored: gpd.GeoDataFrame
    layers: Mapping[str, gpd.GeoDataFrame]
    table: pd.DataFrame
    weights: Sequence[tuple[str, float]]
    profile_title: str
    rationale: str
    stamp: Stamp
    lang: str = "vi"


def report_pages(content: ReportContent) -> list[Figure]:
    """The A4 pages of a report: map, ranked table (one or more pages), method."""
    pages = [_map_page(content)]
    rows = content.table
    for start in range(0, max(len(rows), 1), ROWS_PER_PAGE):
        pages.append(_table_page(content, rows.iloc[start : start + ROWS_PER_PAGE], start))
    pages.append(_method_page(content))
    for number, page in enumerate(pages, start=1):
        label = f"{TEXT[content.lang]['page']} {number}/{len(pages)}"
        page.text(0.94, 0.015, label, ha="right", fontsize=7, family=FONT, color="#666")
    return pages


def _page(content: ReportContent, heading: str) -> Figure:
    fig = Figure(figsize=A4_IN)
    fig.text(0.06, 0.965, mathtext_text(heading), fontsize=15, weight="bold", family=FONT, va="top")
    fig.text(
        0.06, 0.935, mathtext_text(content.place), fontsize=10, family=FONT, va="top", color="#333"
    )
    stamp = "\n".join(textwrap.fill(line, 150) for line in content.stamp.lines(content.lang))
    fig.text(0.06, 0.03, mathtext_text(stamp), fontsize=6, family=FONT, color="#555", va="bottom")
    return fig


def _map_page(content: ReportContent) -> Figure:
    fig = _page(content, content.title)
    ax = fig.add_axes((0.06, 0.12, 0.88, 0.78))
    draw_map(ax, content.scored, content.layers, lang=content.lang, label_top=10)
    return fig


def _table_page(content: ReportContent, rows: pd.DataFrame, start: int) -> Figure:
    lang = content.lang
    fig = _page(content, TEXT[lang]["table"])
    top, line = 0.9, 0.021
    columns = table_layout([k for k in COLUMNS if k in rows.columns])
    for vi, en, x, _ in columns.values():
        fig.text(x, top, vi if lang == "vi" else en, fontsize=8, weight="bold", family=FONT)
    y = top - line
    for i, (_, row) in enumerate(rows.iterrows()):
        if i % 2 == 0:
            fig.patches.append(_stripe(fig, y, line))
        for key, (_, _, x, width) in columns.items():
            cell = mathtext_text(textwrap.shorten(str(row[key]), width=width, placeholder="…"))
            fig.text(x, y + 0.006, cell, fontsize=6.5, family=FONT, va="bottom")
        y -= line
    if "rank_interval" in columns:
        note = textwrap.fill(TEXT[lang]["interval"], 130)
        fig.text(0.06, y - 0.01, note, fontsize=7, family=FONT, style="italic", va="top")
    return fig


def table_layout(keys: Sequence[str]) -> dict[str, tuple[str, str, float, int]]:
    """Titles, x position (share of the page) and wrap width of the table's ``keys``, in order."""
    out, x = {}, TABLE_LEFT
    for i, key in enumerate(keys):
        vi, en, width, wrap = COLUMNS[key]
        if i == len(keys) - 1:
            wrap = max(wrap, int((TABLE_RIGHT - x) * CHARS_PER_PAGE))
        out[key] = (vi, en, round(x, 4), wrap)
        x += width
    return out


def _stripe(fig: Figure, y: float, height: float):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (0.05, y), 0.9, height, transform=fig.transFigure, fc="#f0f0f0", ec="none", zorder=-1
    )


def _method_page(content: ReportContent) -> Figure:
    lang = content.lang
    fig = _page(content, TEXT[lang]["method"])
    y = 0.89
    for paragraph in (content.profile_title, content.rationale, TEXT[lang]["summary"]):
        wrapped = textwrap.fill(" ".join(paragraph.split()), 100)
        fig.text(0.06, y, mathtext_text(wrapped), fontsize=9, family=FONT, va="top")
        y -= 0.0135 * (wrapped.count("\n") + 1) + 0.015
    fig.text(0.06, y, TEXT[lang]["weights"], fontsize=10, weight="bold", family=FONT, va="top")
    for label, weight in content.weights:
        y -= 0.022
        fig.text(0.08, y, mathtext_text(label), fontsize=9, family=FONT, va="top")
        fig.text(0.6, y, f"{weight:.2f}", fontsize=9, family=FONT, va="top", ha="right")
    fig.text(0.06, y - 0.04, TEXT[lang]["privacy"], fontsize=8, family=FONT, style="italic")
    return fig
