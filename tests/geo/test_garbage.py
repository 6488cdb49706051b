"""Garbage in, one clear line out: every bad file names the file (row, column) and stores nothing.

Each case goes through :func:`geo.ingest.ingest_file` (what ``POST /layers`` runs) and through
``riskmap ingest`` as a real process: exit code 1, no traceback, nothing stored.
"""

import os
from datetime import UTC, datetime

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geo.ingest import ingest_file
from tests.geo.conftest import write_csv
from tests.helpers import encode_cp1258, riskmap

REPATRIATIONS = ["Mã xã", "Năm", "Số người", "Ghi chú"]


def header_only(tmp_path):
    return write_csv(tmp_path / "cua_khau.csv", [["Tên", "Loại", "Kinh độ", "Vĩ độ"]])


def random_bytes(tmp_path):
    path = tmp_path / "cua_khau.csv"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    return path


def mixed_encodings(tmp_path):
    path = tmp_path / "cua_khau.csv"
    path.write_bytes(
        "Tên,Loại,Kinh độ,Vĩ độ\r\nCửa khẩu A,lối mở,106.9,21.7\r\n".encode()
        + encode_cp1258("Cửa khẩu Bắc,lối mở,106.8,21.6\r\n")
    )
    return path


def unknown_format(tmp_path):
    path = tmp_path / "cua_khau.dat"
    path.write_text("Tên,Loại\n")
    return path


def id_in_notes(tmp_path):
    rows = [
        ["90001", "2023", "3", "nhận tại cửa khẩu"],
        ["90002", "2023", "2", "CCCD 001099012345"],
    ]
    return write_csv(tmp_path / "trao_tra.csv", [REPATRIATIONS, *rows])


def cmnd_in_notes(tmp_path):
    rows = [["90001", "2023", "3", ""], ["90002", "2023", "2", "cmnd 123 456 789 về quê"]]
    return write_csv(tmp_path / "trao_tra.csv", [REPATRIATIONS, *rows])


def phone_in_notes(tmp_path):
    rows = [["90001", "2023", "3", "liên hệ mẹ 0912.345.678"], ["90002", "2023", "2", ""]]
    return write_csv(tmp_path / "trao_tra.csv", [REPATRIATIONS, *rows])


def future_period(tmp_path):
    rows = [["90001", "2023", "3", ""], ["90002", "2099", "2", ""]]
    return write_csv(tmp_path / "trao_tra.csv", [REPATRIATIONS, *rows])


def huge_count(tmp_path):
    rows = [["90001", "2023", "3", ""], ["90002", "2023", str(10**15), ""]]
    return write_csv(tmp_path / "trao_tra.csv", [REPATRIATIONS, *rows])


def raster_at(tmp_path, west, north):
    path = tmp_path / "dan_so.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=20,
        height=20,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(west, north, 0.01, 0.01),
    ) as dst:
        dst.write(np.full((20, 20), 5, dtype="float32"), 1)
    return path


CASES = {
    "header-only": (
        header_only,
        "crossings",
        r"cua_khau\.csv: error: no data rows below the header on row 1",
    ),
    "random-bytes": (
        random_bytes,
        "crossings",
        r"cua_khau\.csv: error: the file's bytes are binary data, not text \(CSV\) as its "
        r"extension \.csv says; riskmap reads CSV/TXT/TSV text, Excel \.xlsx",
    ),
    "mixed-encodings": (
        mixed_encodings,
        "crossings",
        r"cua_khau\.csv: error: mixes encodings: row 1 is UTF-8 but row 3 is Windows-1258",
    ),
    "unknown-format": (
        unknown_format,
        "crossings",
        r'cua_khau\.dat: error: "\.dat" files are not read; riskmap reads CSV/TXT/TSV text, '
        r"Excel \.xlsx, GeoPackage \.gpkg, GeoJSON",
    ),
    "cccd-in-notes": (
        id_in_notes,
        "repatriations",
        r'trao_tra\.csv, column "Ghi chú": error: row 3 holds what reads as CMND/CCCD ID '
        r"numbers \(9 or 12 digits\) in free text: personal identifiers are never stored",
    ),
    "cmnd-in-notes": (
        cmnd_in_notes,
        "repatriations",
        r'trao_tra\.csv, column "Ghi chú": error: row 3 holds what reads as CMND/CCCD ID',
    ),
    "phone-in-notes": (
        phone_in_notes,
        "repatriations",
        r'trao_tra\.csv, column "Ghi chú": error: row 2 holds what reads as phone numbers',
    ),
    "future-period": (
        future_period,
        "repatriations",
        r'trao_tra\.csv, row 3, column "period": error: period 2099 is in the future',
    ),
    "huge-count": (
        huge_count,
        "repatriations",
        r'trao_tra\.csv, row 3, column "count": error: 1,000,000,000,000,000 people in one row '
        r"is not plausible \(at most 100,000 per commune and period\)",
    ),
    "raster-in-europe": (
        lambda tmp_path: raster_at(tmp_path, 2.2, 48.9),
        "population",
        r"dan_so\.tif: error: the raster covers lon 2\.20 to 2\.40, lat 48\.70 to 48\.90, "
        r"outside Viet Nam",
    ),
    "raster-beside-the-communes": (
        lambda tmp_path: raster_at(tmp_path, 105.0, 11.0),
        "population",
        r"dan_so\.tif: error: the raster covers lon 105\.00 to 105\.20, lat 10\.80 to 11\.00 but "
        r"the communes lie at lon 10\d\.\d\d to",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_garbage_is_one_clear_error_and_nothing_is_stored(tmp_path, ws, case):
    make, layer, message = CASES[case]
    path = make(tmp_path)
    before = ws.versions()
    report = ingest_file(ws.root, path, layer)
    assert report.rows_stored == 0 and ws.versions() == before, report.lines()
    assert any(_matches(message, line) for line in report.lines()), report.lines()


def _matches(pattern: str, line: str) -> bool:
    import re

    return re.match(pattern, line) is not None


@pytest.mark.parametrize(
    "case", ["header-only", "random-bytes", "mixed-encodings", "cccd-in-notes", "huge-count"]
)
def test_the_cli_says_it_in_one_line_and_exits_1(tmp_path, ws, case):
    make, layer, message = CASES[case]
    path = make(tmp_path)
    before = ws.versions()
    result = riskmap("ingest", "-w", ws.root, "--layer", layer, path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1 and _matches(message, errors[0]), result.stdout
    assert ws.versions() == before
    checked = riskmap("validate", path, "--layer", layer, "-w", ws.root)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr


def test_skip_invalid_stores_nothing_when_notes_hold_an_id(tmp_path, ws):
    """The rows would be written to rejected/ with their notes: the whole file is refused."""
    from geo.ingest import IngestOptions

    report = ingest_file(
        ws.root, id_in_notes(tmp_path), "repatriations", options=IngestOptions(skip_invalid=True)
    )
    assert report.rows_stored == 0 and not ws.has_layer("repatriations")
    assert not (ws.root / "rejected").exists() or not os.listdir(ws.root / "rejected")
    assert "001099012345" not in "\n".join(report.lines())


def test_this_month_is_not_the_future(tmp_path, ws):
    now = datetime.now(UTC)
    rows = [["90001", f"{now:%Y-%m}", "3", ""], ["90002", str(now.year - 1), str(100_000), ""]]
    path = write_csv(tmp_path / "trao_tra.csv", [REPATRIATIONS, *rows])
    report = ingest_file(ws.root, path, "repatriations")
    assert report.rows_stored == 2, report.lines()


def test_money_and_codes_in_notes_are_not_identifiers(tmp_path, ws):
    notes = ["hỗ trợ 150.000.000 đồng", "xã 90001 năm 2023 ngày 12/05/2023"]
    rows = [["90001", "2023", "3", notes[0]], ["90002", "2023", "2", notes[1]]]
    path = write_csv(tmp_path / "trao_tra.csv", [REPATRIATIONS, *rows])
    report = ingest_file(ws.root, path, "repatriations")
    assert report.rows_stored == 2, report.lines()
