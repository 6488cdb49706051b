import re

import pytest

from maps.folium_map import MapTitle, build_map, render_html
from risk.results import ScoreTable
from risk.store import load_run


def readable(html: str) -> str:
    """Map HTML with the JSON \\uXXXX escapes Folium writes turned back into characters."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


@pytest.fixture
def run(scored_workspace):
    return load_run(scored_workspace, "patrol")


def draw(ws, run, lang="vi", table=None, layers=None, **title):
    communes = ws.read_layer("communes")
    if layers is None:
        names = ("border", "crossings", "venues", "industrial_zones")
        layers = {n: ws.read_layer(n) for n in names}
    m = build_map(
        communes, table or run.table, layers, title=MapTitle("Bản đồ thử", **title), lang=lang
    )
    return readable(render_html(m))


def test_map_has_every_layer_a_legend_and_tooltips_in_vietnamese(scored_workspace, run):
    html = draw(scored_workspace, run, run_id=run.record.run_id, note="DỮ LIỆU MÔ PHỎNG")
    for label in (
        "Điểm nguy cơ theo xã",
        "Đường biên giới",
        "Cửa khẩu, lối mở, đường mòn",
        "Khu, cụm công nghiệp",
    ):
        assert f'"{label}"' in html, label
    for text in ("Rất cao", "Rất thấp", "DỮ LIỆU MÔ PHỎNG", run.record.run_id, "Yếu tố chính"):
        assert text in html, text
    assert "Xã Nà Lũng" in html and "Karaoke 0" in html and "Lối mở" in html
    assert html.count("L.marker(") == 3  # one per crossing, icon by kind
    venue_layers = re.findall(r'"Cơ sở: (\w[^"(]*) \((\d+)\)"', html)
    assert sum(int(n) for _, n in venue_layers) == 40 and len(venue_layers) == 3


def test_map_tools_search_fullscreen_measure_minimap_scale(scored_workspace, run):
    html = draw(scored_workspace, run)
    for tool in (
        "L.Control.Search",
        "riskmap.fold",  # accent-insensitive search keys
        "L.control.fullscreen",
        "L.Control.Measure",
        "L.Control.MiniMap",
        "L.control.scale",
        '"maxZoom": 18',
        "Tìm xã...",
    ):
        assert tool in html, tool


def test_english_labels_on_request(scored_workspace, run):
    html = draw(scored_workspace, run, lang="en")
    assert '"Risk score by commune"' in html and "Very high" in html
    assert "Điểm nguy cơ" not in html


def test_unknown_language_is_refused(scored_workspace, run):
    with pytest.raises(ValueError, match='lang was "fr"'):
        draw(scored_workspace, run, lang="fr")


def test_a_missing_layer_is_left_out_and_named_on_the_map(scored_workspace, run):
    html = draw(scored_workspace, run, layers={})
    assert '"Điểm nguy cơ theo xã"' in html and '"Đường biên giới"' not in html
    assert "Không có dữ liệu: Đường biên giới, Cửa khẩu" in html


def test_hotspots_and_rank_intervals_are_shown_when_the_run_has_them(scored_workspace, run):
    frame = run.table.frame.copy()
    n = len(frame)
    frame["rank_p05"] = (frame["rank"] - 1).clip(lower=1)
    frame["rank_p95"] = (frame["rank"] + 2).clip(upper=n)
    frame["hotspot"] = ["hot_99" if r <= 2 else "ns" for r in frame["rank"]]
    table = ScoreTable(frame, run.table.weights, run.table.breaks)
    html = draw(scored_workspace, run, table=table)
    assert '"Điểm nóng (Getis-Ord Gi*)"' in html
    assert "Cụm điểm cao (q ≤ 0,01)" in html and "Khoảng thứ hạng (90%)" in html
    hot = frame.loc[frame["rank"] <= 2, "commune_code"].astype(str)
    assert "{" + ",".join(f'"{c}":"hot_99"' for c in hot) + "}" in html  # codes: shapes once


def test_stored_plans_are_drawn_bases_circles_outreach_outlines_and_segments(scored_workspace, run):
    from maps.plan_layers import plan_frames
    from risk.plans.outreach import outreach_plan
    from risk.plans.patrol import patrol_plan
    from risk.plans.segments import segments_plan

    records = {
        "patrol": patrol_plan(scored_workspace, "patrol", k=2, radius_km=5, draws=20).to_dict(),
        "outreach": outreach_plan(scored_workspace, "patrol", budget=100, draws=0).to_dict(),
        "segments": segments_plan(scored_workspace, "patrol", length_km=5).to_dict(),
    }
    layers = plan_frames(records, scored_workspace.read_layer("communes"))
    html = draw(scored_workspace, run, layers=layers)
    for label in (
        '"Điểm đặt tổ tuần tra"',
        '"Xã được chọn tuyên truyền"',
        '"Đoạn biên giới (màu đậm: điểm cao)"',
    ):
        assert label in html, label
    assert html.count("L.circle(") == 2 and "số lần rút trọng số" in html
    assert "Đoạn 1: điểm" in html  # segment tooltips: score and rank
    english = draw(scored_workspace, run, layers=layers, lang="en")
    assert '"Border segments (darker: higher score)"' in english
    assert "of weight draws" in english


def test_a_national_venue_layer_is_drawn_as_counted_cells(monkeypatch):
    import folium
    import geopandas as gpd
    import numpy as np

    from maps import folium_map

    rng = np.random.default_rng(3)
    lon, lat = 105.0 + rng.uniform(0, 0.1, 300), 21.0 + rng.uniform(0, 0.1, 300)
    venues = gpd.GeoDataFrame(
        {"kind": ["karaoke"] * 200 + ["massage"] * 100, "name": [f"v{i}" for i in range(300)]},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    monkeypatch.setattr(folium_map, "VENUE_POINTS_MAX", 100)
    m = folium.Map()
    folium_map.add_venues(m, venues, lang="en")
    html = m.get_root().render()
    names = [c.layer_name for c in m._children.values() if type(c).__name__ == "VenueKindLayer"]
    assert [n.split(": ")[1].split(" (")[1] for n in names] == [
        "200, grouped in 5 km cells)",
        "100, grouped in 5 km cells)",
    ]
    assert "v17" not in html  # no single venue is written out
    assert "venues in a 5 km cell" in html
    karaoke = folium_map._grouped_rows(venues[venues["kind"] == "karaoke"])
    assert sum(r[3] for r in karaoke) == 200 and 1 < len(karaoke) < 200
