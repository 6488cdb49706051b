import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from matplotlib.figure import Figure

from api.render import write_run_export
from geo.crs import to_metric
from maps.export import ExportRequest
from maps.plan_layers import draw_plan, plan_frames, plan_legend, plans_for_place
from risk.plans.outreach import outreach_plan
from risk.plans.patrol import patrol_plan
from risk.plans.segments import segments_plan
from risk.profiles import load_profile
from risk.store import save_plan


@pytest.fixture
def planned(scored_workspace):
    """The small workspace with a patrol, a segments and an outreach plan stored."""
    save_plan(scored_workspace, patrol_plan(scored_workspace, "patrol", k=2, radius_km=5, draws=20))
    save_plan(scored_workspace, segments_plan(scored_workspace, "patrol", length_km=5))
    save_plan(scored_workspace, outreach_plan(scored_workspace, "outreach", budget=100, draws=20))
    return scored_workspace


def records(ws, profile):
    from risk.store import latest_plans, load_run

    return latest_plans(ws, load_run(ws, profile).record.run_id)


def test_plan_records_become_layers_with_circles_polygons_and_lines(planned):
    communes = planned.read_layer("communes")
    patrol = plan_frames(records(planned, "patrol"), communes)
    assert set(patrol) == {
        "patrol_bases",
        "patrol_coverage",
        "border_segments",
        "crossing_ranking",
        "plan_communes",
    }
    circles = to_metric(patrol["patrol_coverage"])
    assert circles.area.to_numpy() == pytest.approx(3.14159 * 5000**2, rel=0.01)  # 5 km radius
    assert (patrol["border_segments"].geom_type == "LineString").all()
    assert patrol["plan_communes"]["patrol_covered"].all()
    outreach = plan_frames(records(planned, "outreach"), communes)
    chosen = outreach["outreach_communes"]
    assert (chosen.geom_type == "Polygon").all() and chosen["frequency"].between(0, 1).all()
    points = plan_frames(records(planned, "outreach"))["outreach_communes"]
    assert (points.geom_type == "Point").all()  # without the communes layer


def test_gpkg_export_carries_the_plan_layers(planned, tmp_path):
    path = write_run_export(
        planned, load_profile("patrol"), tmp_path / "p.gpkg", ExportRequest(fmt="gpkg")
    )
    layers = dict(pyogrio.list_layers(path))
    assert layers["patrol_bases"] == "Point" and layers["patrol_coverage"] == "Polygon"
    assert layers["border_segments"] == "LineString" and layers["crossing_ranking"] == "Point"
    bases = gpd.read_file(path, layer="patrol_bases")
    assert len(bases) == 2 and {"name", "frequency", "radius_km"} <= set(bases.columns)
    segments = gpd.read_file(path, layer="border_segments")
    assert sorted(segments["rank"]) == list(range(1, len(segments) + 1))
    scores = gpd.read_file(path, layer="scores")
    assert scores["patrol_covered"].any() and not scores["patrol_covered"].all()
    outreach = write_run_export(
        planned, load_profile("outreach"), tmp_path / "o.gpkg", ExportRequest(fmt="gpkg")
    )
    chosen = gpd.read_file(outreach, layer="outreach_communes")
    assert len(chosen) == len(records(planned, "outreach")["outreach"]["communes"])


def test_geojson_and_csv_get_plan_columns(planned, tmp_path):
    """An exact export carries the stored plan (a suppressed one re-makes it from its variant)."""
    outreach = load_profile("outreach")
    exact = ExportRequest("geojson", suppression=None)
    path = write_run_export(planned, outreach, tmp_path / "o.geojson", exact)
    props = [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]
    picked = {p["commune_code"] for p in props if p["outreach_selected"]}
    stored = records(planned, "outreach")["outreach"]["communes"]
    assert picked == {c["commune_code"] for c in stored}
    exact = ExportRequest("csv", suppression=None)
    csv = write_run_export(planned, outreach, tmp_path / "o.csv", exact)
    table = pd.read_csv(csv, encoding="utf-8-sig", dtype={"commune_code": str})
    assert set(table.loc[table["outreach_selected"], "commune_code"]) == picked


def test_a_district_export_keeps_only_its_plan_communes(planned, tmp_path):
    stored = {c["commune_code"] for c in records(planned, "outreach")["outreach"]["communes"]}
    outreach = load_profile("outreach")
    north = write_run_export(
        planned,
        outreach,
        tmp_path / "n.gpkg",
        ExportRequest(fmt="gpkg", district="Bắc Sơn", suppression=None),
    )
    assert set(gpd.read_file(north, layer="outreach_communes")["commune_code"]) == stored
    south = write_run_export(
        planned,
        outreach,
        tmp_path / "s.gpkg",
        ExportRequest(fmt="gpkg", district="Nam Sơn", suppression=None),
    )
    scores = gpd.read_file(south, layer="scores")
    assert set(scores["district_name"]) == {"Huyện Nam Sơn"} and not stored & set(
        scores["commune_code"]
    )
    assert "outreach_communes" not in dict(pyogrio.list_layers(south))
    assert not scores["outreach_selected"].any()


def test_plans_for_place_passes_other_layers_and_drops_far_plan_features(planned):
    communes = planned.read_layer("communes")
    layers = {"border": planned.read_layer("border")} | plan_frames(
        records(planned, "patrol"), communes
    )
    one = communes[communes["commune_code"] == communes["commune_code"].iloc[-1]]
    narrowed = plans_for_place(layers, one, margin_km=0.1)
    assert narrowed["border"] is layers["border"]
    assert len(narrowed.get("border_segments", [])) < len(layers["border_segments"])


def test_png_and_pdf_draw_bases_segments_and_outreach_outlines(planned, tmp_path):
    layers = plan_frames(records(planned, "patrol"), planned.read_layer("communes"))
    fig = Figure()
    ax = fig.add_subplot()
    draw_plan(ax, layers, to_metric(layers["patrol_bases"]).crs)
    assert len(ax.collections) >= 3  # circles, segments, bases
    labels = [h.get_label() for h in plan_legend(layers, lang="en")]
    assert labels == ["Patrol bases", "Border segments (darker: higher score)"]
    for fmt in ("png", "pdf"):
        out = write_run_export(
            planned, load_profile("patrol"), tmp_path / f"p.{fmt}", ExportRequest(fmt=fmt)
        )
        assert out.stat().st_size > 10_000


def test_a_province_map_draws_the_stored_plans(planned):
    from api.render import map_html
    from tests.maps.test_folium_map import readable

    html = readable(map_html(planned, load_profile("outreach"), province="Biên Hải"))
    assert "Xã được chọn tuyên truyền" in html
    patrol = map_html(planned, load_profile("patrol"), province="Biên Hải", lang="en")
    assert "Patrol bases" in patrol and "Border segments" in patrol
