"""Excel and Word exports over HTTP and the command line: media types, a key's province,
small counts for viewers, the server's Word template, and clear errors."""

import io

import docx
import openpyxl
import pytest
from docx.shared import Pt
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from api.settings import Settings
from tests.api.privacy_world import A, auth, build_world

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
COUNT = "Số người trở về (bị trục xuất, nạn nhân)"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("office-api"))


@pytest.fixture(scope="module")
def api(world):
    with TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True))) as client:
        yield client


def ranking(body: bytes) -> list[dict]:
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_office_exports_download_with_their_media_types(api, world, fmt):
    response = api.get(f"/exports/patrol.{fmt}", headers=auth(world.keys["analyst"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="riskmap-patrol.{fmt}"'
    if fmt == "docx":
        assert "Các xã có nguy cơ cao nhất" in [
            p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs
        ]


def test_a_scoped_viewer_gets_only_its_province_with_small_counts_suppressed(api, world):
    response = api.get("/exports/patrol.xlsx", headers=auth(world.keys["viewer_a"]))
    assert response.status_code == 200, response.text
    rows = ranking(response.content)
    assert {r["Mã xã"] for r in rows} == set(world.in_province(A))
    assert {r["Tỉnh"] for r in rows} == {A}
    for row in rows:
        exact = world.counts[row["Mã xã"]]
        assert row[COUNT] == ("<5" if 0 < exact < 5 else exact)
    assert (
        api.get(
            "/exports/patrol.xlsx", params={"exact": "true"}, headers=auth(world.keys["viewer_a"])
        ).status_code
        == 403
    )
    analyst = api.get(
        "/exports/patrol.xlsx", params={"exact": "true"}, headers=auth(world.keys["analyst"])
    )
    assert {r[COUNT] for r in ranking(analyst.content)} == set(world.counts.values())


def test_the_servers_word_template_is_used(world, tmp_path):
    own = docx.Document()
    own.styles["Heading 1"].font.size = Pt(22)
    own.add_paragraph("CÔNG AN TỈNH BIÊN HẢI")
    own.save(tmp_path / "mau.docx")
    settings = Settings(workspace=world.ws.root, docx_template=tmp_path / "mau.docx")
    with TestClient(create_app(settings)) as client:
        response = client.get("/exports/patrol.docx", headers=auth(world.keys["analyst"]))
    assert response.status_code == 200, response.text
    doc = docx.Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text == "CÔNG AN TỈNH BIÊN HẢI"
    assert doc.styles["Heading 1"].font.size == Pt(22)
    with pytest.raises(ValidationError, match=r"the Word template .*missing\.docx is not a file"):
        Settings(workspace=world.ws.root, docx_template=tmp_path / "missing.docx")


def test_cli_office_exports_and_template_errors(world, tmp_path):
    root = str(world.ws.root)
    out = tmp_path / "bang.xlsx"
    done = CliRunner().invoke(app, ["export", "-w", root, "-f", "xlsx", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Xếp hạng xã"
    bad = tmp_path / "mau.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    args = ["export", "-w", root, "-f", "docx", "-o", str(tmp_path / "r.docx")]
    failed = CliRunner().invoke(app, [*args, "--template", str(bad)])
    assert failed.exit_code == 1
    message = str(failed.exception) + failed.output
    assert "mau.docx: is not a Word document riskmap can use as a template" in message
    assert not (tmp_path / "r.docx").exists()
    misused = CliRunner().invoke(
        app,
        ["export", "-w", root, "-f", "csv", "-o", str(tmp_path / "x.csv"), "--template", str(bad)],
    )
    assert misused.exit_code == 2 and "applies to --format docx only" in misused.output


def test_a_district_selection_narrows_the_workbook(api, world):
    params = {"district": "huyen dong", "lang": "en"}
    response = api.get("/exports/patrol.xlsx", params=params, headers=auth(world.keys["analyst"]))
    assert response.status_code == 200, response.text
    rows = ranking(response.content)
    assert {r["District"] for r in rows} == {"Huyện Đông"} and len(rows) == 3
    about = openpyxl.load_workbook(io.BytesIO(response.content))["Provenance"]
    values = {r[0]: r[1] for r in about.iter_rows(min_row=2, values_only=True)}
    assert values["Area"] == f"Huyện Đông, {A}" and values["Communes in the file"] == 3
