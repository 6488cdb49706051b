import json

import pandas as pd
import pyogrio
import pytest
from PIL import Image

from api.render import run_info, write_run_export
from geo.errors import NotFoundError, RiskmapError
from maps.export import ExportRequest, ranked_table, select_place, write_export
from maps.report import ReportContent, report_pages
from risk.pipeline import scored_communes
from risk.profiles import load_profile
from risk.store import load_run


@pytest.fixture
def patrol():
    return load_profile("patrol")


def export(ws, patrol, tmp_path, fmt, **kw):
    return write_run_export(ws, patrol, tmp_path / f"out.{fmt}", ExportRequest(fmt=fmt, **kw))


def test_png_is_300_dpi_capable_and_stamped(scored_workspace, patrol, tmp_path):
    path = export(scored_workspace, patrol, tmp_path, "png", dpi=300)
    run = load_run(scored_workspace, "patrol")
    with Image.open(path) as img:
        assert img.size[0] >= 3000  # 10 in wide at 300 dpi
        assert run.record.run_id in img.text["Description"]
        assert run.record.weights_hash in img.text["Description"]


def test_pdf_is_a4_with_map_table_and_method(scored_workspace, patrol, tmp_path):
    path = export(scored_workspace, patrol, tmp_path, "pdf", top=5)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/MediaBox [ 0 0 595.44 841.68 ]") == 3
    assert b"/Count 3" in data  # map, table and method pages
    assert b"DejaVu" in data  # the embedded font covers Vietnamese


def test_report_pages_say_it_in_vietnamese_with_the_run_stamp(scored_workspace, patrol):
    run = load_run(scored_workspace, "patrol")
    scored = scored_communes(scored_workspace, run)
    info = run_info(run, patrol, lang="vi")
    content = ReportContent(
        title="Bản đồ nguy cơ mua bán người",
        place="Biên Hải",
        scored=scored,
        layers={},
        table=ranked_table(scored, info, lang="vi", top=5),
        weights=[("Gần biên giới", 0.2)],
        profile_title="Tuần tra biên giới",
        rationale=patrol.rationale_in("vi"),
        stamp=info.stamp,
    )
    pages = report_pages(content)
    texts = [" ".join(t.get_text() for t in page.texts) for page in pages]
    assert len(pages) == 3
    assert "Các xã có nguy cơ cao nhất" in texts[1] and scored["commune_name"][0] in texts[1]
    assert "Trọng số của hồ sơ" in texts[2] and "<5" in texts[2]
    assert all(run.record.run_id in t and "Trang" in t for t in texts)


def test_re_rendering_a_stored_run_gives_the_same_table(scored_workspace, patrol):
    tables = []
    for _ in range(2):
        run = load_run(
            scored_workspace, "patrol", load_run(scored_workspace, "patrol").record.run_id
        )
        scored = scored_communes(scored_workspace, run)
        tables.append(ranked_table(scored, run_info(run, patrol, lang="vi"), lang="vi", top=10))
    pd.testing.assert_frame_equal(*tables)
    assert tables[0]["rank"].tolist() == list(range(1, 11))


def test_gpkg_opens_with_scores_contributions_and_stamp(scored_workspace, patrol, tmp_path):
    path = export(scored_workspace, patrol, tmp_path, "gpkg", district="bắc sơn")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert {"scores", "riskmap_export"} <= layers
    scores = pyogrio.read_dataframe(path, layer="scores")
    assert set(scores["district_name"]) == {"Huyện Bắc Sơn"}
    assert {"score", "class", "rank", "contrib_crossing_access", "norm_border_proximity"} <= set(
        scores.columns
    )
    meta = pyogrio.read_dataframe(path, layer="riskmap_export").set_index("key")["value"]
    assert json.loads(meta["run_id"]) == load_run(scored_workspace, "patrol").record.run_id
    assert "communes" in json.loads(meta["layer_versions"])


def test_geojson_and_csv_carry_top_n_and_suppress_small_counts(scored_workspace, patrol, tmp_path):
    run = load_run(scored_workspace, "patrol")
    scored = scored_communes(scored_workspace, run).assign(repatriations_total=[3, 0, 7] * 4)
    info = run_info(run, patrol, lang="en")
    for fmt in ("geojson", "csv"):
        path = write_export(
            tmp_path / f"x.{fmt}", scored, {}, request=ExportRequest(fmt, top=3), info=info
        )
        if fmt == "geojson":
            data = json.loads(path.read_text(encoding="utf-8"))
            values = [f["properties"]["repatriations_total"] for f in data["features"]]
            assert data["riskmap"]["run_id"] == run.record.run_id
        else:
            frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
            values = frame["repatriations_total"].tolist()
            assert "contrib_crossing_access" in frame.columns
        assert values == ["<5", "0", "7"]


def test_bad_selections_are_clear_errors(scored_workspace, patrol, tmp_path):
    tmp_path = tmp_path / "out"
    with pytest.raises(NotFoundError, match=r'district "Nowhere" is not in this run; known: Huyện'):
        export(scored_workspace, patrol, tmp_path, "pdf", district="Nowhere")
    with pytest.raises(NotFoundError, match=r'province "Hà Giang" is not in this run'):
        export(scored_workspace, patrol, tmp_path, "png", province="Hà Giang")
    with pytest.raises(RiskmapError, match="top was 0 but is expected to be 1 or more"):
        export(scored_workspace, patrol, tmp_path, "csv", top=0)
    with pytest.raises(NotFoundError, match=r'no run 000000000000 of profile "patrol"'):
        write_run_export(
            scored_workspace,
            patrol,
            tmp_path / "x.csv",
            ExportRequest("csv"),
            run_id="000000000000",
        )
    assert not tmp_path.exists() or not list(tmp_path.iterdir())  # nothing half-written


def test_empty_selection_is_refused(scored_workspace):
    run = load_run(scored_workspace, "patrol")
    with pytest.raises(RiskmapError, match="the selection has no commune"):
        select_place(scored_communes(scored_workspace, run).iloc[0:0])
