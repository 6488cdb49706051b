"""What the office exports show: the ranked table, plan tables, provenance and period changes.

No I/O: a selected scored frame and its plan layers in, display frames out (typed numbers, words
in the export's language), shared by the Excel workbook (:mod:`maps.xlsx`) and the Word report
(:mod:`maps.docx_report`). Counts of people come through :func:`maps.export.attribute_frame`
under the export's rule, exactly as the CSV export shows them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from maps.export import ExportRequest, RunInfo, attribute_frame, place_label, ranked_table
from maps.plan_layers import plan_columns
from risk.labels import class_label, hotspot_label, indicator_label, site_kind_label, words
from risk.privacy import COUNT_COLUMN, Suppression, suppressed_label
from risk.results import CHANGE_COLUMNS

#: Number formats per column: the spreadsheet's, and the same as Python text for documents.
NUMBER_FORMATS: dict[str, tuple[str, str]] = {
    "score": ("0.0", "{:.1f}"),
    "previous_score": ("0.0", "{:.1f}"),
    "score_change": ("+0.0;-0.0;0.0", "{:+.1f}"),
    "rank_change": ("+0;-0;0", "{:+d}"),
    "class_change": ("+0;-0;0", "{:+d}"),
    "p_top_k": ("0%", "{:.0%}"),
    "added_share": ("0%", "{:.0%}"),
    "frequency": ("0%", "{:.0%}"),
    "population": ("#,##0", "{:,.0f}"),
    "radius_km": ("0.0", "{:.1f}"),
    "start_km": ("0.0", "{:.1f}"),
    "end_km": ("0.0", "{:.1f}"),
    "lat": ("0.00000", "{:.5f}"),
    "lon": ("0.00000", "{:.5f}"),
    "value": ("0.00", "{:.2f}"),
}
#: Columns holding whole numbers (ranks, steps, counts of communes) even when stored as floats.
WHOLE_COLUMNS = frozenset(
    {"rank", "previous_rank", "rank_change", "class", "class_change", "segment", "communes"}
)
#: Columns of each plan layer's table, in order (those a layer has).
PLAN_TABLES: dict[str, tuple[str, ...]] = {
    "patrol_bases": ("name", "kind", "commune_code", "added_share", "frequency", "radius_km"),
    "outreach_communes": ("commune_code", "name", "added_share", "frequency"),
    "border_segments": ("rank", "segment", "kind", "start_km", "end_km", "score"),
    "crossing_ranking": ("rank", "name", "kind", "segment", "score"),
}
#: Columns every plan table adds at its end when the layer has them.
PLAN_TAIL = ("crossing_names", "communes", "lat", "lon")
#: Characters XML 1.0 (and so Excel and Word) cannot hold.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def office_text(value: object) -> str:
    """``value`` as NFC text an office file can hold: XML-illegal characters become U+FFFD."""
    return _NOT_XML.sub("\ufffd", unicodedata.normalize("NFC", str(value)))


def header(column: str, lang: str) -> str:
    """The header of ``column`` in ``lang`` (catalogue ``office.col_<column>``)."""
    return words("office", lang).get(f"col_{column}", column)


def plain(column: str, value: object) -> object:
    """``value`` as a plain Python cell: None for missing, whole numbers of count columns as int."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and column in WHOLE_COLUMNS and value.is_integer():
        return int(value)
    return value


def number_format(column: str, value: object) -> str | None:
    """The spreadsheet number format of ``value`` in ``column`` (None: general or text)."""
    fmt = NUMBER_FORMATS.get(column)
    if fmt is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and ("." in fmt[0] or "%" in fmt[0]):
        return None  # a count beside weights, say: no decimals to show
    return fmt[0]


def display(column: str, value: object) -> str:
    """``value`` of ``column`` as document text, formatted as the spreadsheet shows it."""
    value = plain(column, value)
    if value is None:
        return ""
    if number_format(column, value) is not None:
        return NUMBER_FORMATS[column][1].format(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return office_text(value)


def ranking_frame(
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, pd.DataFrame],
    request: ExportRequest,
    info: RunInfo,
) -> pd.DataFrame:
    """The ranked table of the export (top rows if asked), counts shown as the CSV shows them."""
    lang = request.lang
    rows = (scored.head(request.top) if request.top else scored).reset_index(drop=True)
    shown = plan_columns(attribute_frame(rows, request.suppression), layers)
    values = _place_and_score(rows, lang)
    values |= _uncertainty(rows, lang)
    values["drivers"] = ranked_table(rows, info, lang=lang, top=None)["drivers"].tolist()
    if "hotspot" in rows.columns:
        values["hotspot"] = [
            hotspot_label(h, lang) if isinstance(h, str) else None for h in rows["hotspot"]
        ]
    if COUNT_COLUMN in shown.columns:
        values[COUNT_COLUMN] = [_count(v) for v in shown[COUNT_COLUMN]]
    yes_no = words("office", lang)
    for column in ("patrol_covered", "outreach_selected"):
        if column in shown.columns:
            values[column] = [yes_no["yes" if f else "no"] for f in shown[column]]
    return pd.DataFrame(values | _changes(rows, lang), dtype=object)


def _place_and_score(rows: pd.DataFrame, lang: str) -> dict[str, list]:
    """Rank, code and names, population, score and class of ``rows``."""
    values: dict[str, list] = {"rank": [int(r) for r in rows["rank"]]}
    for column in ("commune_code", "commune_name", "district_name", "province_name"):
        if column in rows.columns and rows[column].notna().any():
            values[column] = [None if pd.isna(v) else str(v) for v in rows[column]]
    if "population" in rows.columns:
        values["population"] = [_number(p) for p in rows["population"]]
    values["score"] = [float(s) for s in rows["score"]]
    values["class"] = [int(c) for c in rows["class"]]
    values["class_label"] = rows[f"class_label_{lang}"].tolist()
    return values


def _uncertainty(rows: pd.DataFrame, lang: str) -> dict[str, list]:
    """Class uncertain (yes/no), rank interval "p05-p95" and P(top k) 0-1, where present."""
    values: dict[str, list] = {}
    yes_no = words("office", lang)
    if "class_uncertain" in rows.columns:
        flags = rows["class_uncertain"].astype("boolean").fillna(False)
        values["class_uncertain"] = [yes_no["yes" if f else "no"] for f in flags]
    if {"rank_p05", "rank_p95"} <= set(rows.columns):
        pairs = zip(rows["rank_p05"], rows["rank_p95"], strict=True)
        values["rank_interval"] = [
            None if pd.isna(lo) or pd.isna(hi) else f"{int(lo)}-{int(hi)}" for lo, hi in pairs
        ]
    if "p_top_k" in rows.columns:
        values["p_top_k"] = [_number(p) for p in rows["p_top_k"]]
    return values


def _changes(rows: pd.DataFrame, lang: str) -> dict[str, list]:
    """The comparison columns (:data:`risk.results.CHANGE_COLUMNS`) ``rows`` carry, for display."""
    values: dict[str, list] = {}
    for column in (c for c in CHANGE_COLUMNS if c in rows.columns):
        if column == "previous_class":
            values[column] = [_class_text(c, lang) for c in rows[column]]
        elif column in ("previous_score", "score_change"):
            values[column] = [_number(v) for v in rows[column]]
        else:
            values[column] = [None if pd.isna(v) else int(v) for v in rows[column]]
    return values


def has_changes(scored: pd.DataFrame) -> bool:
    """Whether ``scored`` carries a comparison with another run (its rank change at least)."""
    return "rank_change" in scored.columns and scored["rank_change"].notna().any()


def movers(scored: pd.DataFrame, lang: str, *, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` communes that rose most and the ``n`` that fell most in rank (display frames)."""
    columns = ("rank", "commune_name", "district_name", "previous_rank", "rank_change")
    rows = scored.reset_index(drop=True)
    frame = pd.DataFrame(_place_and_score(rows, lang) | _changes(rows, lang), dtype=object)
    keep = [
        c
        for c in (*columns, "score", "score_change", "class_label", "previous_class")
        if c in frame.columns
    ]
    change = pd.to_numeric(frame["rank_change"], errors="coerce")
    risers = (
        frame[change > 0].assign(_c=change).sort_values(["_c", "rank"], ascending=[False, True])
    )
    fallers = frame[change < 0].assign(_c=change).sort_values(["_c", "rank"])
    return risers[keep].head(n).reset_index(drop=True), fallers[keep].head(n).reset_index(drop=True)


def plan_tables(layers: Mapping[str, pd.DataFrame], lang: str) -> dict[str, pd.DataFrame]:
    """One display table per plan layer present (by layer name): sites, segments, crossings."""
    out = {}
    for name, columns in PLAN_TABLES.items():
        layer = layers.get(name)
        if layer is None or layer.empty:
            continue
        frame = pd.DataFrame(layer.drop(columns="geometry", errors="ignore"))
        if isinstance(layer, gpd.GeoDataFrame) and (layer.geom_type == "Point").all():
            points = layer.to_crs("EPSG:4326").geometry
            frame = frame.assign(lat=points.y.round(6).to_numpy(), lon=points.x.round(6).to_numpy())
        if "kind" in frame.columns:
            frame["kind"] = [kind_text(k, lang) for k in frame["kind"]]
        if "rank" in frame.columns:
            frame = frame.sort_values("rank", kind="stable")
        keep = [c for c in (*columns, *PLAN_TAIL) if c in frame.columns]
        out[name] = frame[keep].reset_index(drop=True)
    return out


def kind_text(kind: object, lang: str) -> str:
    """A site or border kind in ``lang``: land/sea, commune centre, crossing and venue kinds."""
    return words("office", lang).get(f"kind_{kind}") or site_kind_label(str(kind), lang)


def provenance_rows(
    scored: pd.DataFrame, request: ExportRequest, info: RunInfo
) -> list[tuple[str, object]]:
    """Item and value lines saying where the export comes from: run, weights, layers, rules."""
    w, stamp = words("office", request.lang), info.stamp
    shown = min(len(scored), request.top) if request.top else len(scored)
    rows: list[tuple[str, object]] = [
        (w["about_title"], info.heading),
        (w["about_place"], place_label(scored, request) or w["about_all"]),
        (w["about_communes"], shown),
        (w["about_run"], stamp.run_id),
        (w["about_profile"], f"{info.profile_title} ({stamp.profile})"),
        (w["about_weights_hash"], stamp.weights_hash),
    ]
    for key, weight in info.weights.items():
        label = indicator_label(key, request.lang)
        rows.append((w["about_weight"].format(label=label), float(weight)))
    for layer, version in sorted(stamp.layer_versions.items()):
        rows.append((w["about_layer"].format(layer=layer), str(version)))
    rows.append((w["about_date"], stamp.date))
    code = [n.removeprefix("code ") for n in stamp.notes if n.startswith("code ")]
    rows += [(w["about_code"], c) for c in code]
    rows.append((w["about_counts"], counts_rule(request.suppression, request.lang)))
    if comparison := getattr(info, "comparison", ""):
        rows.append((w["about_comparison"], comparison))
    rows += [(w["about_note"], n) for n in stamp.notes if not n.startswith("code ")]
    return rows


def counts_rule(rule: Suppression | None, lang: str) -> str:
    """How counts of people show in the export, in words (None: exact counts)."""
    w = words("office", lang)
    if rule is None:
        return w["counts_exact"]
    if rule.mode == "round":
        return w["counts_round"].format(base=rule.round_base)
    return w["counts_threshold"].format(
        below=rule.threshold - 1, label=suppressed_label(rule.threshold)
    )


def _count(value: object) -> object:
    """A shown count: whole numbers as numbers, "<5" (or another label) kept as text."""
    if isinstance(value, str):
        return int(value) if value.isdigit() else value
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _class_text(value: object, lang: str) -> str | None:
    """A previous class (1-5, or already a label) as its label in ``lang``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else class_label(int(value), lang)
