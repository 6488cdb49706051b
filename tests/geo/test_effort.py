"""The optional enforcement-effort column of repatriations: read, checked, stored."""

import pandas as pd
import pytest

from geo.errors import LayerError
from geo.ingest import IngestOptions, ingest_file
from geo.schema import EFFORT, validate_layer
from tests.geo.conftest import write_csv, write_xlsx


def errors(report):
    return [f"{p.where(report.file)}: {p.reason} [{p.value}]" for p in report.errors]


def test_vietnamese_effort_header_is_read_and_stored_as_days(tmp_path, ws):
    rows = [
        ["Xã", "Năm", "Đối tượng", "Số người", "Số ngày tuần tra"],
        ["Nà Lũng", 2023, "bị trục xuất", 4, "12,5"],
        ["Nà Lũng", 2023, "nạn nhân", 1, "12,5"],
        ["Pác Bó", 2024, "bị trục xuất", 0, 30],
        ["Khuổi Mạ", 2024, "bị trục xuất", 2, None],
    ]
    report = ingest_file(ws.root, write_xlsx(tmp_path / "tra_ve.xlsx", rows), "repatriations")
    assert report.clean, report.lines()
    assert "Số ngày tuần tra → enforcement_days" in " ".join(report.notes)
    stored = ws.read_layer("repatriations")
    assert stored[EFFORT].dtype == float
    assert stored[EFFORT].tolist()[:3] == [12.5, 12.5, 30.0]
    assert pd.isna(stored[EFFORT].iloc[3])  # blank: not recorded, never a silent 0


def test_bad_effort_names_file_row_column_and_value_and_nothing_is_stored(tmp_path, ws):
    rows = [
        ["Mã xã", "Năm", "Số người", "Số ngày tuần tra"],
        ["90001", 2024, 3, -4],
        ["90002", 2024, 1, "ba mươi"],
        ["90003", 2024, 2, 10],
        ["90003", 2024, 1, 12],
    ]
    report = ingest_file(ws.root, write_csv(tmp_path / "effort.csv", rows), "repatriations")
    assert errors(report) == [
        'effort.csv, row 2, column "enforcement_days": is not a number >= 0 [-4]',
        'effort.csv, row 3, column "enforcement_days": is not a number >= 0 [ba mươi]',
        'effort.csv, row 5, column "enforcement_days": "12" differs from row 4 (10) for '
        "commune 90003, period 2024: effort is one value per commune and period; repeat it on "
        "every row [12]",
    ]
    assert report.rows_stored == 0 and not ws.has_layer("repatriations")
    skipped = ingest_file(
        ws.root,
        tmp_path / "effort.csv",
        "repatriations",
        options=IngestOptions(skip_invalid=True),
    )
    assert ws.read_layer("repatriations")[EFFORT].tolist() == [10.0] and skipped.rejected_file


def test_validate_layer_raises_with_the_first_effort_problem():
    frame = pd.DataFrame(
        {"commune_code": ["90001"], "period": ["2024"], "count": [2], EFFORT: [float("inf")]}
    )
    with pytest.raises(LayerError, match=r'row 1, column "enforcement_days": "inf" is not a'):
        validate_layer("repatriations", frame)
