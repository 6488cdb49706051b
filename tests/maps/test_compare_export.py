"""Exports of a run compared with another (``--against``): change columns, change map, section."""

import json

import pandas as pd
import pyogrio
import pytest
from PIL import Image

from api.render import write_run_export
from maps.export import ExportRequest
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.results import CHANGE_COLUMNS


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The small workspace scored as of 2022 and as of 2025: (workspace, now, before)."""
    from geo.workspace import Raster, Workspace
    from tests.factories import METRIC, make_communes, make_layers, make_population

    communes = make_communes()
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("cmpexport") / "ws")
    ws.write_layers(
        make_layers(communes),
        rasters={"population": Raster(values, transform, METRIC)},
        source="test fixture",
    )
    patrol = load_profile("patrol")
    before = score_workspace(ws, patrol, as_of="2022").record.run_id
    now = score_workspace(ws, patrol, as_of="2025").record.run_id
    return ws, now, before


def export(two_runs, tmp_path, fmt, against=True, **kw):
    """An analyst's export of the 2025 run (against the 2022 one); exact counts unless ``kw``."""
    ws, now, before = two_runs
    return write_run_export(
        ws,
        load_profile("patrol"),
        tmp_path / f"out.{fmt}",
        ExportRequest(fmt=fmt, **({"suppression": None} | kw)),  # as-of runs: exact, analysts
        run_id=now,
        against=before if against else None,
    )


def test_geojson_and_gpkg_carry_the_change_columns(two_runs, tmp_path):
    collection = json.loads(export(two_runs, tmp_path, "geojson").read_text(encoding="utf-8"))
    props = collection["features"][0]["properties"]
    assert set(CHANGE_COLUMNS) <= set(props)
    assert collection["riskmap"]["comparison"] == f"so với lần tính {two_runs[2]} (đến 2022)"
    changes = [f["properties"]["rank_change"] for f in collection["features"]]
    assert sum(changes) == 0  # the same communes in both runs
    scores = pyogrio.read_dataframe(export(two_runs, tmp_path, "gpkg"), layer="scores")
    assert set(CHANGE_COLUMNS) <= set(scores.columns)
    total = scores["previous_score"] + scores["score_change"]
    assert (total - scores["score"]).abs().max() < 0.01


def test_pdf_has_a_change_map_and_the_so_voi_ky_truoc_section(two_runs, tmp_path):
    import pypdf

    reader = pypdf.PdfReader(export(two_runs, tmp_path, "pdf", top=5))
    plain = pypdf.PdfReader(export(two_runs, tmp_path, "pdf", against=False, top=5))
    assert len(reader.pages) == len(plain.pages) + 2  # change map and comparison pages
    texts = [page.extract_text() for page in reader.pages]
    assert "So với kỳ trước" in texts[1] and "Thay đổi điểm" in texts[1]
    section = texts[2]
    for heading in ("Tăng nhiều nhất", "Giảm nhiều nhất", "Vào nhóm", "Ra khỏi nhóm"):
        assert heading in section
    assert "±" in texts[3]  # the ranked table has a change column


def test_png_stacks_the_change_map_under_the_score_map(two_runs, tmp_path):
    with Image.open(export(two_runs, tmp_path, "png", against=False, dpi=72)) as plain:
        size = plain.size
    with Image.open(export(two_runs, tmp_path, "png", dpi=72)) as img:
        assert img.size == (size[0], 2 * size[1])
        assert two_runs[2] in img.text["Comment"]


def test_csv_without_against_has_no_change_columns(two_runs, tmp_path):
    frame = pd.read_csv(export(two_runs, tmp_path, "csv", against=False), encoding="utf-8-sig")
    assert not set(CHANGE_COLUMNS) & set(frame.columns)
    compared = pd.read_csv(export(two_runs, tmp_path, "csv"), encoding="utf-8-sig")
    assert set(CHANGE_COLUMNS) <= set(compared.columns)
    assert compared["rank_change"].sum() == 0


def test_a_suppressed_export_of_an_as_of_run_is_refused(two_runs, tmp_path):
    """Shared exports hide small counts: as-of runs (analysts' only) are not drawn into them."""
    from risk.errors import AsOfRunError
    from risk.privacy import Suppression

    with pytest.raises(AsOfRunError, match="as-of runs are for analysts"):
        export(two_runs, tmp_path, "csv", suppression=Suppression())
