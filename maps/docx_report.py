"""The Word export (python-docx): an editable report built on a template the province can replace.

Title, the map (the PNG export's figure, drawn in memory), the ranked table, the comparison
with the previous period when the export carries one, the plans, the method and the provenance,
in the export's language. Headings use Word's built-in "Title", "Heading 1" and "Heading 2"
styles (found under these names in any language of Word); tables and notes use riskmap's own
styles when the template has them (:mod:`maps.templates.make_template`), else Word's.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docx.table import Table

from geo.errors import InputFileError
from geo.limits import Limits
from maps.export import ExportRequest, RunInfo, map_figure, place_label, ranked_table
from maps.office import (
    display,
    has_changes,
    header,
    movers,
    office_text,
    plan_tables,
    provenance_rows,
)
from maps.templates.make_template import CELL_STYLE, NOTE_STYLE, TABLE_STYLE, TEMPLATE
from risk.labels import indicator_label, words

#: Largest template read (bytes): a template is styles and a letterhead, not a document store.
MAX_TEMPLATE_BYTES = 20_000_000
#: Caps on a template's unpacked parts: together at most 100 MB, at most 200× its packed size.
TEMPLATE_ZIP_LIMITS = Limits(max_unzipped_mb=100.0, max_zip_members=500)
#: A relationship to something outside the package (a remote attachedTemplate, a UNC path):
#: Word would contact that host when the report is opened.
_EXTERNAL = re.compile(rb"""TargetMode\s*=\s*["']External["']""", re.IGNORECASE)
#: Content types of Word's main part: a template (.dotx) opens as a document (.docx).
_DOTX = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCX = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: Rows of the ranked table when the export asks for no ``top``; plan tables show as many.
DEFAULT_TOP = 20
MAP_WIDTH_CM = 16.0
#: Relative column widths of tables (others 2): long text gets room, numbers little.
COLUMN_WEIGHTS = {
    "rank": 1.4,
    "previous_rank": 1.6,
    "rank_change": 1.6,
    "score": 1.8,
    "score_change": 1.8,
    "p_top_k": 1.8,
    "segment": 1.4,
    "drivers": 4.0,
    "item": 3.0,
    "value": 4.0,
}


def write_docx(
    tmp: Path,
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, pd.DataFrame],
    request: ExportRequest,
    info: RunInfo,
) -> None:
    """Write the Word report of the export to ``tmp``, on ``request.template`` or riskmap's."""
    doc = open_template(request.template)
    lang = request.lang
    _title(doc, scored, request, info)
    _map(doc, scored, layers, request, info)
    _ranking(doc, scored, request, info)
    if has_changes(scored):
        _comparison(doc, scored, info, lang)
    _plans(doc, plan_tables(layers, lang), request)
    _method(doc, info, lang)
    _provenance(doc, provenance_rows(scored, request, info), lang)
    doc.core_properties.title = office_text(info.heading)
    doc.core_properties.author = "riskmap"
    doc.save(tmp)


def open_template(path: Path | None) -> DocumentObject:
    """The template as a document to add to (riskmap's own when ``path`` is None).

    A .dotx opens as a .docx. Raises :class:`InputFileError` naming the file when it cannot be
    read or is not a Word document (a .doc, a macro-enabled .docm/.dotm, anything else).
    """
    source = TEMPLATE if path is None else Path(path)
    try:
        data = source.read_bytes()
    except OSError as err:
        reason = f"cannot read the Word template ({err.strerror or err}); expected a .docx file"
        raise InputFileError(source, reason) from None
    if len(data) > MAX_TEMPLATE_BYTES:
        size = f"{len(data) / 1e6:.0f} MB"
        raise InputFileError(source, f"the Word template is {size}; at most 20 MB is read")
    if zipfile.is_zipfile(io.BytesIO(data)):
        TEMPLATE_ZIP_LIMITS.check_zip_file(source)  # real unpacked bytes, before any part loads
        _refuse_external(source, data)
    try:
        return Document(io.BytesIO(_as_document(data)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        reason = (
            "is not a Word document riskmap can use as a template "
            f"({type(err).__name__}); expected a .docx or .dotx saved by Word, without macros"
        )
        raise InputFileError(source, reason) from None


def _refuse_external(source: Path, data: bytes) -> None:
    """Raise :class:`InputFileError` when any relationship part points outside the package."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".rels") and _EXTERNAL.search(archive.read(name)):
                raise InputFileError(
                    source,
                    f'the Word template links to something outside itself (in "{name}", '
                    "e.g. an attached template on another server, which Word would contact "
                    "when the report is opened); expected a .docx or .dotx without external "
                    "links: remove them (Developer > Document Template) and save again",
                )


def _as_document(data: bytes) -> bytes:
    """``data`` with a template's (.dotx) main part typed as a document's; others unchanged."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml")
        if _DOTX not in types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                body = source.read(item)
                if item.filename == "[Content_Types].xml":
                    body = types.replace(_DOTX, _DOCX)
                target.writestr(item, body)
    return out.getvalue()


def _style(doc: DocumentObject, name: str, fallback: str | None):
    """Style ``name`` of ``doc``, else ``fallback`` (a province template may lack ours)."""
    for candidate in (name, fallback):
        if candidate is None:
            continue
        try:
            return doc.styles[candidate]
        except KeyError:
            continue
    return None


def _note(doc: DocumentObject, text: str) -> None:
    doc.add_paragraph(office_text(text), style=_style(doc, NOTE_STYLE, "Normal"))


def _title(doc: DocumentObject, scored, request: ExportRequest, info: RunInfo) -> None:
    """Title, then place · profile · date, then the data notes (synthetic data)."""
    doc.add_paragraph(office_text(info.heading), style=_style(doc, "Title", "Normal"))
    line = " · ".join(
        p for p in (place_label(scored, request), info.profile_title, info.stamp.date) if p
    )
    doc.add_paragraph(office_text(line), style=_style(doc, "Subtitle", "Normal"))
    for note in (n for n in info.stamp.notes if not n.startswith("code ")):
        _note(doc, note)


def _heading(doc: DocumentObject, text: str, level: int) -> None:
    doc.add_paragraph(office_text(text), style=_style(doc, f"Heading {level}", "Normal"))


def _map(doc: DocumentObject, scored, layers, request: ExportRequest, info: RunInfo) -> None:
    """The PNG export's map figure, in memory, at the page's width, with a caption."""
    w = words("office", request.lang)
    _heading(doc, w["doc_map"], 1)
    picture = io.BytesIO()
    map_figure(scored, layers, request, info).savefig(picture, format="png", dpi=request.dpi)
    picture.seek(0)
    doc.add_picture(picture, width=Cm(MAP_WIDTH_CM))
    place = place_label(scored, request) or w["about_all"]
    doc.add_paragraph(
        office_text(w["doc_caption"].format(place=place)), style=_style(doc, "Caption", "Normal")
    )


def _ranking(doc: DocumentObject, scored, request: ExportRequest, info: RunInfo) -> None:
    """The report's ranked table (top rows) as the PDF has it, with the rank change if compared."""
    w = words("office", request.lang)
    top = request.top or DEFAULT_TOP
    table = ranked_table(scored, info, lang=request.lang, top=top)
    if has_changes(scored):
        table.insert(1, "rank_change", scored["rank_change"].head(top).to_numpy())
    _heading(doc, w["doc_table"], 1)
    _table(doc, table, request.lang)
    if "rank_interval" in table.columns:
        _note(doc, w["method_interval"])
    if len(scored) > len(table):
        _note(doc, w["doc_more_rows"].format(total=len(scored)))


def _comparison(doc: DocumentObject, scored, info: RunInfo, lang: str) -> None:
    """The "So với kỳ trước" section: what is compared with, the largest risers and fallers."""
    w = words("office", lang)
    _heading(doc, w["doc_comparison"], 1)
    if comparison := getattr(info, "comparison", ""):
        doc.add_paragraph(office_text(comparison[:1].upper() + comparison[1:] + "."))
    risers, fallers = movers(scored, lang)
    for key, frame in (("doc_risers", risers), ("doc_fallers", fallers)):
        _heading(doc, w[key], 2)
        if frame.empty:
            doc.add_paragraph(w["doc_none"])
        else:
            _table(doc, frame, lang)


def _plans(doc: DocumentObject, tables: Mapping[str, pd.DataFrame], request) -> None:
    """One table per stored plan (bases, outreach communes, segments, crossings)."""
    if not tables:
        return
    w = words("office", request.lang)
    _heading(doc, w["doc_plans"], 1)
    top = request.top or DEFAULT_TOP
    for key, frame in tables.items():
        _heading(doc, w[f"sheet_{key}"], 2)
        _table(doc, frame.drop(columns=["lat", "lon"], errors="ignore").head(top), request.lang)
        if len(frame) > top:
            _note(doc, w["doc_more_rows"].format(total=len(frame)))


def _method(doc: DocumentObject, info: RunInfo, lang: str) -> None:
    """The profile, its rationale, the method in short, and the weights."""
    w = words("office", lang)
    _heading(doc, w["doc_method"], 1)
    doc.add_paragraph().add_run(office_text(info.profile_title)).bold = True
    doc.add_paragraph(office_text(" ".join(info.rationale.split())))
    doc.add_paragraph(w["method_summary"])
    _heading(doc, w["doc_weights"], 2)
    weights = [(indicator_label(k, lang), float(v)) for k, v in info.weights.items() if v > 0]
    _table(doc, pd.DataFrame(weights, columns=["item", "value"]), lang)


def _provenance(doc: DocumentObject, rows: list[tuple[str, object]], lang: str) -> None:
    _heading(doc, words("office", lang)["doc_provenance"], 1)
    _table(doc, pd.DataFrame(rows, columns=["item", "value"], dtype=object), lang)


def _table(doc: DocumentObject, frame: pd.DataFrame, lang: str) -> Table:
    """``frame`` as a Word table: a bold header row repeated on every page, text cells."""
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = _style(doc, TABLE_STYLE, "Table Grid")
    text = _style(doc, CELL_STYLE, None)
    for cell, column in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.paragraphs[0].style = text
        cell.paragraphs[0].add_run(office_text(header(column, lang))).bold = True
    for values in frame.itertuples(index=False, name=None):
        cells = table.add_row().cells
        for cell, column, value in zip(cells, frame.columns, values, strict=True):
            cell.paragraphs[0].style = text
            cell.paragraphs[0].add_run(display(column, value))
    _rows_whole(table)
    _widths(doc, table, list(frame.columns))
    return table


def _widths(doc: DocumentObject, table: Table, columns: list[str]) -> None:
    """Share the text width between ``columns`` by :data:`COLUMN_WEIGHTS`."""
    section = doc.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    weights = [COLUMN_WEIGHTS.get(c, 2.0) for c in columns]
    table.autofit = False
    for column, weight in zip(table.columns, weights, strict=True):
        width = Emu(int(usable * weight / sum(weights)))
        column.width = width  # the table grid (LibreOffice reads it)
        for cell in column.cells:
            cell.width = width  # each cell (Word reads these)


def _rows_whole(table: Table) -> None:
    """Rows never split across pages; the header row repeats at the top of every page."""
    for i, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader") if i == 0 else ("w:cantSplit",):
            flag = OxmlElement(tag)
            flag.set(qn("w:val"), "true")
            properties.append(flag)
