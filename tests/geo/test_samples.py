"""The sample files in data/samples load as the README says."""

from pathlib import Path

from geo.ingest import IngestOptions, ingest_file
from geo.workspace import Workspace

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def test_every_sample_loads_and_the_register_reports_only_its_two_bad_rows(tmp_path):
    root = tmp_path / "ws"
    assert ingest_file(root, SAMPLES / "xa_tm3_105-45.zip", "communes").rows_stored == 6
    register = ingest_file(root, SAMPLES / "co_so_kinh_doanh.xlsx", "venues")
    assert sorted((p.row, p.column) for p in register.errors) == [(11, "geometry"), (13, "kind")]
    fixed = ingest_file(
        root,
        SAMPLES / "co_so_kinh_doanh.xlsx",
        "venues",
        options=IngestOptions(fix_swapped=True, skip_invalid=True),
    )
    assert fixed.rows_stored == 8 and fixed.rejected_rows == [13]
    for name, layer, rows in [
        ("co_so_cp1258.csv", "venues", 3),
        ("cua_khau.kml", "crossings", 3),
        ("tra_ve.xlsx", "repatriations", 18),
    ]:
        report = ingest_file(root, SAMPLES / name, layer)
        assert report.clean and report.rows_stored == rows, report.lines()
    ws = Workspace.open(root)
    assert ws.read_layer("communes")["commune_name"].tolist()[0] == "Xã Nà Lũng"
    assert set(ws.read_layer("crossings")["kind"]) == {"main", "opening", "trail"}
    assert ws.read_layer("venues")["name"].tolist()[1] == "Nhà trọ Thảo Nguyên"
