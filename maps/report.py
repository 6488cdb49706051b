"""A4 report pages (matplotlib figures): map page, ranked table pages, method page."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from maps.escaping import mathtext_text
from maps.static_map import FONT, Stamp, draw_change_map, draw_map
from risk.labels import LANGS, word, words

A4_IN = (8.27, 11.69)
ROWS_PER_PAGE = 38

#: Ranked-table column → (width as a share of the page, wrap width in characters).
_COLUMN_SIZES = {
    "rank": (0.05, 5),
    "commune_name": (0.16, 22),
    "district_name": (0.14, 18),
    "score": (0.06, 6),
    "score_change": (0.045, 5),  # points since the compared run
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
    comparison: str = ""  # what the run is compared with ("" : no comparison)
    top_k: int = 10  # size of the top list whose entries and exits a comparison lists


def report_pages(content: ReportContent) -> list[Figure]:
    """The A4 pages of a report: map, ranked table (one or more pages), method."""
    pages = [_map_page(content)]
    if content.comparison and "score_change" in content.scored.columns:
        pages += [_change_page(content), _comparison_page(content)]
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
            wrap = int((TABLE_RIGHT - x) * CHARS_PER_PAGE)  # what is left, never past the edge
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


def _change_page(content: ReportContent) -> Figure:
    """The change map: score change since the compared run, points, diverging colours."""
    fig = _page(content, f"{word('compare.section', content.lang)} · {content.comparison}")
    ax = fig.add_axes((0.06, 0.14, 0.88, 0.76))
    draw_change_map(ax, content.scored, content.layers, lang=content.lang)
    return fig


def comparison_lists(scored: pd.DataFrame, top_k: int) -> dict[str, pd.DataFrame]:
    """Risers, fallers, entering and leaving the top ``top_k`` among ``scored``'s communes."""
    change = pd.to_numeric(scored["score_change"], errors="coerce")
    before = pd.to_numeric(scored["previous_rank"], errors="coerce")
    moved = scored.assign(_c=change)[change.notna()].sort_values(
        ["_c", "rank"], ascending=[False, True], kind="stable"
    )
    return {
        "risers": moved[moved["_c"] > 0].head(top_k),
        "fallers": moved[moved["_c"] < 0].iloc[::-1].head(top_k),
        "entering": scored[(scored["rank"] <= top_k) & ~(before <= top_k)],
        "leaving": scored[(before <= top_k) & (scored["rank"] > top_k)],
    }


def _comparison_page(content: ReportContent) -> Figure:
    """The "So với kỳ trước" page: largest rises and falls, the top k entered and left."""
    lang, k = content.lang, content.top_k
    fig = _page(content, word("compare.section", lang))
    fig.text(0.06, 0.9, mathtext_text(content.comparison), fontsize=9, family=FONT, va="top")
    y = 0.86
    for key, rows in comparison_lists(content.scored, k).items():
        fig.text(
            0.06,
            y,
            word(f"compare.{key}", lang).format(k=k),
            fontsize=10,
            weight="bold",
            family=FONT,
            va="top",
        )
        y -= 0.022
        lines = [_change_line(row) for _, row in rows.iterrows()] or [word("compare.none", lang)]
        for line in lines:
            fig.text(0.08, y, mathtext_text(line), fontsize=7.5, family=FONT, va="top")
            y -= 0.016
        y -= 0.01
    return fig


def _change_line(row: pd.Series) -> str:
    """'3. Xã A: 61.2 (+4.5 điểm), hạng 9 → 3' as one line of the comparison page."""
    before = row["previous_rank"]
    was = "—" if pd.isna(before) else str(int(before))
    change = row["score_change"]
    points = "—" if pd.isna(change) else f"{float(change):+.1f}"
    return (
        f"{int(row['rank'])}. {row['commune_name']}: {float(row['score']):.1f} ({points}), "
        f"#{was} → #{int(row['rank'])}"
    )
