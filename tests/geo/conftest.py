"""Fixtures for reading users' files: a workspace with communes, writers of real file formats."""

from __future__ import annotations

import openpyxl
import pytest

from geo.ingest import ingest_file
from geo.workspace import Workspace
from tests.factories import make_communes
from tests.helpers import encode_cp1258


def write_xlsx(path, rows, *, title: str | None = None):
    """An .xlsx workbook with optional title row and a blank row above the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def write_csv(path, rows, *, encoding="utf-8", sep=","):
    """A CSV in ``encoding`` (e.g. "utf-8-sig", "cp1258", "utf-16") as Excel would save it."""
    text = "\r\n".join(sep.join("" if v is None else str(v) for v in row) for row in rows)
    text += "\r\n"
    path.write_bytes(encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


@pytest.fixture
def communes_file(tmp_path):
    path = tmp_path / "xa.gpkg"
    make_communes().to_file(path, driver="GPKG")
    return path


@pytest.fixture
def ws(tmp_path, communes_file):
    """A workspace created by ingesting 12 communes (codes 90001-90012, two districts)."""
    report = ingest_file(tmp_path / "ws", communes_file, "communes")
    assert report.clean and report.rows_stored == 12, report.lines()
    return Workspace.open(tmp_path / "ws")


VENUE_HEADER = [
    "STT",
    "Tên cơ sở",
    "Loại hình",
    "Địa chỉ",
    "Xã/Phường",
    "Huyện",
    "Kinh độ",
    "Vĩ độ",
]
