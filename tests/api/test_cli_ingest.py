"""riskmap init / validate / ingest / layers / rollback run as real processes."""

import json

from tests.factories import make_communes
from tests.geo.conftest import write_csv
from tests.helpers import riskmap


def test_init_ingest_layers_and_rollback(tmp_path):
    ws = tmp_path / "ws"
    assert riskmap("init", "--workspace", ws).returncode == 0
    make_communes().to_file(tmp_path / "a.gpkg")
    make_communes(seed=3).to_file(tmp_path / "b.gpkg")
    first = riskmap("ingest", "-w", ws, "--layer", "communes", tmp_path / "a.gpkg")
    assert first.returncode == 0 and "stored communes version" in first.stderr, first.stderr
    v1 = first.stderr.split("version ")[1].split()[0]
    assert riskmap("ingest", "-w", ws, "--layer", "communes", tmp_path / "b.gpkg").returncode == 0
    listing = riskmap("layers", "-w", ws).stdout.splitlines()
    assert len(listing) == 2 and listing[1].startswith("* communes") and "b.gpkg" in listing[1]
    back = riskmap("rollback", "-w", ws, "--layer", "communes", "--to", v1)
    assert back.returncode == 0 and f"now version {v1}" in back.stderr
    assert (
        riskmap("layers", "-w", ws).stdout.splitlines()[-1].startswith(f"* communes           {v1}")
    )


def test_validate_exit_codes_and_json(tmp_path):
    good = write_csv(
        tmp_path / "good.csv",
        [["Tên", "Loại", "Kinh độ", "Vĩ độ"], ["Cửa khẩu A", "lối mở", 106.9, 21.7]],
    )
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            ["Tên", "Loại", "Kinh độ", "Vĩ độ"],
            ["Cửa khẩu A", "hầm", 106.9, 21.7],
            ["Cửa khẩu B", "lối mở", 21.7, 106.9],
        ],
    )
    assert riskmap("validate", good, "--layer", "crossings").returncode == 0
    result = riskmap("validate", bad, "--layer", "crossings")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        'bad.csv, row 2, column "kind": error: is not a known kind'
    )
    assert result.stdout.splitlines()[1].startswith(
        'bad.csv, row 3, column "geometry": error: x and y'
    )
    report = json.loads(riskmap("validate", bad, "--layer", "crossings", "--json").stdout)
    assert (report["rows_read"], report["rows_rejected"], report["errors"]) == (2, 2, 2)
    assert report["problems"][0] == {
        "reason": report["problems"][0]["reason"],
        "row": 2,
        "column": "kind",
        "value": "hầm",
        "severity": "error",
    }
    usage = riskmap("validate", bad, "--layer", "roads")
    assert usage.returncode == 2 and '"roads" is not one of communes' in usage.stderr
    assert riskmap("validate", bad, "--layer", "crossings", "--columns", "oops").returncode == 2


def test_ingest_refuses_a_file_with_errors_unless_told(tmp_path):
    ws = tmp_path / "ws"
    make_communes().to_file(tmp_path / "a.gpkg")
    assert riskmap("ingest", "-w", ws, "--layer", "communes", tmp_path / "a.gpkg").returncode == 0
    rows = [["Mã xã", "Năm", "Số người"], ["90001", "2023", "2"], ["90002", "2023", "-1"]]
    path = write_csv(tmp_path / "r.csv", rows)
    refused = riskmap("ingest", "-w", ws, "--layer", "repatriations", path)
    assert refused.returncode == 1 and "nothing stored" in refused.stdout
    stored = riskmap("ingest", "-w", ws, "--layer", "repatriations", path, "--skip-invalid")
    assert stored.returncode == 0 and "(1 rows); rejected rows in" in stored.stderr
    assert list((ws / "rejected").glob("repatriations-*.csv"))
