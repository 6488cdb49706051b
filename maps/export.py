"""Report exports of a score run: PNG, A4 PDF, GeoPackage, GeoJSON and CSV, written atomically.

Every export is first narrowed to a province/district, small counts of people are suppressed
(:mod:`risk.privacy`), and PNG/PDF/GeoPackage/GeoJSON carry the run's stamp (run id, profile,
weights hash, layer versions, date).
"""

from __future__ import annotations

import json
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo.errors import NotFoundError, RiskmapError
from geo.storage import replacing
from maps.escaping import spreadsheet_frame
from maps.field import FIELD_FORMATS, field_file
from maps.plan_layers import export_layers, plan_columns, plans_for_place
from maps.report import ReportContent, report_pages
from maps.static_map import Stamp, change_map_figure, static_map_figure
from risk.labels import indicator_label, word
from risk.privacy import (
    SENSITIVE_COUNT_COLUMNS,
    Suppression,
    apply_suppression,
    check_no_identifiers,
    check_rule,
)
from risk.results import CHANGE_COLUMNS, CONTRIB, EXPORT_COLUMNS, NORM, RAW, ScoreTable

FORMATS = ("png", "pdf", "gpkg", "geojson", "csv", *FIELD_FORMATS)
#: Office formats (maps.xlsx, maps.docx_report): openpyxl and python-docx load only for them.
FORMATS += ("xlsx", "docx")
DEFAULT_RULE = Suppression()
BASE_COLUMNS = tuple(dict.fromkeys((*EXPORT_COLUMNS, *SENSITIVE_COUNT_COLUMNS, *CHANGE_COLUMNS)))


@dataclass(frozen=True)
class ExportRequest:
    """What to export: format, language, which place, how many communes, how counts show.

    ``suppression`` None means exact counts (only for an analyst who asked for them).
    """

    fmt: str
    lang: str = "vi"
    province: str | None = None
    district: str | None = None
    top: int | None = None
    dpi: int = 200
    suppression: Suppression | None = field(default_factory=Suppression)
    #: Word template (.docx/.dotx) of the province for ``docx``; None: riskmap's own.
    template: Path | None = None


@dataclass(frozen=True)
class RunInfo:
    """What the export needs to say about the run: stamp, weights, profile title and rationale."""

    stamp: Stamp
    weights: Mapping[str, float]
    profile_title: str
    rationale: str
    heading: str
    #: What the run is compared with (``--against``), e.g. "so với lần tính abc123 (đến
    #: 06/2024)"; "" when the export compares nothing. The scored frame then has CHANGE_COLUMNS.
    comparison: str = ""
    top_k: int = 10  # the run's top k: communes entering and leaving it are listed


def _key(name: str) -> str:
    """Accent-, case- and space-insensitive key of a place name."""
    folded = unicodedata.normalize("NFD", str(name)).replace("đ", "d").replace("Đ", "D")
    key = " ".join("".join(c for c in folded if not unicodedata.combining(c)).lower().split())
    for prefix in _ADMIN_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


_ADMIN_PREFIXES = ("tinh ", "thanh pho ", "huyen ", "thi xa ", "quan ")


def select_place(
    scored: gpd.GeoDataFrame, *, province: str | None = None, district: str | None = None
) -> gpd.GeoDataFrame:
    """Communes of ``province`` and ``district`` (accent-insensitive); NotFoundError if none."""
    for column, wanted in (("province_name", province), ("district_name", district)):
        if wanted is None:
            continue
        if column not in scored.columns:
            raise NotFoundError(
                f'the communes layer has no {column}, so "{wanted}" cannot be selected'
            )
        names = scored[column].astype(str)
        keep = names.map(_key) == _key(wanted)
        if not keep.any():
            known = ", ".join(sorted(names.unique())[:12])
            raise NotFoundError(
                f'{column.split("_")[0]} "{wanted}" is not in this run; known: {known}'
            )
        scored = scored[keep]
    if scored.empty:
        raise RiskmapError("the selection has no commune to export")
    return scored.sort_values("rank").reset_index(drop=True)


def attribute_frame(
    scored: gpd.GeoDataFrame, rule: Suppression | None = DEFAULT_RULE
) -> gpd.GeoDataFrame:
    """Scores, classes, ranks and every raw/normalised/contribution column, counts under ``rule``.

    ``rule`` None keeps exact counts and rates (an analyst's explicit request).
    """
    indicator_cols = [c for c in scored.columns if c.startswith((RAW, NORM, CONTRIB))]
    keep = [c for c in BASE_COLUMNS if c in scored.columns] + indicator_cols
    out = scored[[*keep, "geometry"]]
    if rule is not None:
        out = apply_suppression(out, rule)
        check_rule(out, rule)
    check_no_identifiers(out)
    return out


def ranked_table(
    scored: gpd.GeoDataFrame, info: RunInfo, *, lang: str, top: int | None
) -> pd.DataFrame:
    """The report table: rank, names, score, class, rank interval, P(top k), drivers (top rows)."""
    rows = scored.head(top) if top else scored
    table = ScoreTable(rows.reset_index(drop=True), info.weights, ())
    out = pd.DataFrame(
        {
            "rank": rows["rank"].astype(int).to_numpy(),
            "commune_name": rows["commune_name"].to_numpy(),
            "district_name": rows.get("district_name", pd.Series("", index=rows.index))
            .fillna("")
            .to_numpy(),  # dropped below when the communes have no district (2025 structure)
            "score": rows["score"].map(lambda s: f"{s:.1f}").to_numpy(),
            "class_label": rows[f"class_label_{lang}"].to_numpy(),
            "drivers": [", ".join(indicator_label(d, lang) for d in r) for r in table.drivers()],
        }
    )
    if "district_name" not in rows.columns or (out["district_name"] == "").all():
        out = out.drop(columns="district_name")
    if "score_change" in rows.columns:
        at = out.columns.get_loc("score") + 1
        out.insert(at, "score_change", [_signed(v) for v in rows["score_change"]])
    if {"rank_p05", "rank_p95"} <= set(rows.columns):
        pairs = zip(rows["rank_p05"], rows["rank_p95"], strict=True)
        at = out.columns.get_loc("class_label") + 1
        out.insert(at, "rank_interval", [f"{int(lo)}-{int(hi)}" for lo, hi in pairs])
    return _uncertainty_cells(out, rows)


def _signed(value) -> str:
    """A score change with its sign and one decimal; a dash when there is no earlier score."""
    return "—" if pd.isna(value) else f"{float(value):+.1f}"


def _uncertainty_cells(out: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """P(top k) after the rank interval (0-1, two decimals); an uncertain class gets " *"."""
    if "p_top_k" in rows.columns:
        at = out.columns.get_loc("class_label") + 1 + int("rank_interval" in out.columns)
        out.insert(at, "p_top_k", [f"{float(p):.2f}" for p in rows["p_top_k"]])
    if "class_uncertain" in rows.columns:
        flags = rows["class_uncertain"].fillna(False).astype(bool).to_numpy()
        pairs = zip(out["class_label"], flags, strict=True)
        out["class_label"] = [f"{c} *" if f else c for c, f in pairs]
    return out


def write_export(
    path: str | Path,
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    request: ExportRequest,
    info: RunInfo,
) -> Path:
    """Write the export ``request`` asks for to ``path``; the previous file stays on failure."""
    if request.fmt not in FORMATS:
        raise RiskmapError(f'format was "{request.fmt}" but is expected to be one of {FORMATS}')
    if request.top is not None and request.top < 1:
        raise RiskmapError(f"top was {request.top} but is expected to be 1 or more")
    if request.fmt in FIELD_FORMATS and request.suppression is None:
        raise RiskmapError(
            f"{request.fmt} files go to the field and hold only what a viewer may see: "
            "export them without exact counts"
        )
    chosen = select_place(scored, province=request.province, district=request.district)
    layers = plans_for_place(layers, chosen)
    writer = {
        "png": _write_png,
        "pdf": _write_pdf,
        "gpkg": _write_gpkg,
        "geojson": _write_geojson,
        "csv": _write_csv,
        "xlsx": _write_xlsx,
        "docx": _write_docx,
        **dict.fromkeys(FIELD_FORMATS, _write_field),
    }[request.fmt]
    path = Path(path)
    with replacing([path]) as (tmp,):
        writer(tmp, chosen, layers, request, info)
    return path


def place_label(scored: gpd.GeoDataFrame, request: ExportRequest) -> str:
    """District and province of the selection, as the data spell them."""
    parts = []
    for column in ("district_name", "province_name"):
        if (
            column in scored.columns
            and scored[column].nunique() == 1
            and (request.district or column == "province_name")
        ):
            parts.append(str(scored[column].iloc[0]))
    return ", ".join(parts)


def map_figure(scored, layers, request: ExportRequest, info: RunInfo) -> Figure:
    """The PNG export's map figure (10 x 8.5 in): choropleth, plans, legend, stamp."""
    return static_map_figure(
        attribute_frame(scored, request.suppression),
        layers,
        title=info.heading,
        subtitle=f"{place_label(scored, request)} · {info.profile_title} · {info.stamp.date}",
        stamp=info.stamp,
        lang=request.lang,
    )


def _write_png(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    fig = map_figure(scored, layers, request, info)
    description = "\n".join(info.stamp.lines("en"))
    metadata = {"Title": info.heading, "Description": description}
    if not (info.comparison and "score_change" in scored.columns):
        fig.savefig(tmp, format="png", dpi=request.dpi, metadata=metadata)
        return
    change = change_map_figure(
        attribute_frame(scored, request.suppression),
        layers,
        title=f"{info.heading} · {word('compare.section', request.lang)}",
        subtitle=f"{place_label(scored, request)} · {info.comparison}",
        stamp=info.stamp,
        lang=request.lang,
    )
    _stacked_png(tmp, [fig, change], request.dpi, metadata | {"Comment": info.comparison})


def _stacked_png(tmp: Path, figures: list, dpi: int, metadata: Mapping[str, str]) -> None:
    """One PNG of ``figures`` one above the other (the score map, then the change map)."""
    import io

    from PIL import Image, PngImagePlugin

    images = []
    for figure in figures:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        images.append(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    width = max(i.width for i in images)
    sheet = Image.new("RGB", (width, sum(i.height for i in images)), "white")
    y = 0
    for image in images:
        sheet.paste(image, (0, y))
        y += image.height
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        info.add_itxt(key, value)
    sheet.save(tmp, format="PNG", pnginfo=info, dpi=(dpi, dpi))


def _write_pdf(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    content = ReportContent(
        title=info.heading,
        place=f"{place_label(scored, request)} · {info.profile_title} · {info.stamp.date}",
        scored=attribute_frame(scored, request.suppression),
        layers=layers,
        table=ranked_table(scored, info, lang=request.lang, top=request.top or 20),
        weights=[(indicator_label(k, request.lang), w) for k, w in info.weights.items() if w > 0],
        profile_title=info.profile_title,
        rationale=info.rationale,
        stamp=info.stamp,
        lang=request.lang,
        comparison=getattr(info, "comparison", ""),
        top_k=getattr(info, "top_k", 10),
    )
    metadata = {
        "Title": info.heading,
        "Subject": " | ".join(info.stamp.lines("en")),
        "Creator": "riskmap",
    }
    with PdfPages(tmp, metadata=metadata) as pdf:
        for page in report_pages(content):
            pdf.savefig(page)


def _stamp_record(info: RunInfo, request: ExportRequest) -> dict:
    stamp = info.stamp
    rule = request.suppression
    return {
        "counts": "exact" if rule is None else rule.describe(),
        "run_id": stamp.run_id,
        "profile": stamp.profile,
        "weights_hash": stamp.weights_hash,
        "layer_versions": dict(stamp.layer_versions),
        "date": stamp.date,
        "notes": list(stamp.notes),
        **({"comparison": info.comparison} if info.comparison else {}),
    }


def _top(scored: gpd.GeoDataFrame, request: ExportRequest) -> gpd.GeoDataFrame:
    return attribute_frame(scored.head(request.top) if request.top else scored, request.suppression)


def _write_gpkg(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    scores = plan_columns(_top(scored, request), layers)
    pyogrio.write_dataframe(scores, tmp, layer="scores", driver="GPKG")
    for name, frame in export_layers(layers).items():
        pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", append=True)
    record = _stamp_record(info, request)
    meta = pd.DataFrame(
        {"key": list(record), "value": [json.dumps(v, ensure_ascii=False) for v in record.values()]}
    )
    pyogrio.write_dataframe(meta, tmp, layer="riskmap_export", driver="GPKG", append=True)


def _write_geojson(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    collection = plan_columns(_top(scored, request), layers).to_geo_dict(drop_id=True)
    collection["riskmap"] = _stamp_record(info, request)
    tmp.write_text(json.dumps(collection, ensure_ascii=False, allow_nan=False), encoding="utf-8")


def _write_csv(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    frame = pd.DataFrame(plan_columns(_top(scored, request), layers).drop(columns="geometry"))
    # a name such as "=HYPERLINK(...)" is text, never a formula, in the spreadsheet it opens in;
    # CRLF rows (RFC 4180) so a name holding a bare CR is quoted and cannot start a new row
    text = spreadsheet_frame(frame).to_csv(index=False, lineterminator="\r\n")
    tmp.write_bytes(text.encode("utf-8-sig"))


def _write_xlsx(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    from maps.xlsx import write_xlsx  # openpyxl loads only for this format

    write_xlsx(tmp, scored, layers, request, info)


def _write_docx(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    from maps.docx_report import write_docx  # python-docx loads only for this format

    write_docx(tmp, scored, layers, request, info)


def _write_field(tmp: Path, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    """KML, KMZ or GPX (:mod:`maps.field`) of the suppressed scores: no counts of people."""
    place = place_label(scored, request)
    title = " · ".join(p for p in (info.heading, place, info.profile_title) if p)
    shown = attribute_frame(scored, request.suppression)
    changes = [c for c in CHANGE_COLUMNS if c in scored.columns and c not in shown.columns]
    shown = shown.join(scored[changes])
    about = (info.stamp.run_id, info.stamp.date)
    text = field_file(
        request.fmt, shown, layers, title=title, about=about, lang=request.lang, top=request.top
    )
    if request.fmt != "kmz":
        tmp.write_text(text, encoding="utf-8")
        return
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("doc.kml", date_time=(1980, 1, 1, 0, 0, 0))  # same bytes each time
        archive.writestr(entry, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
