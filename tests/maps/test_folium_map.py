import re

import pytest

from maps.folium_map import MapTitle, build_map, render_html
from risk.pipeline import load_run


def readable(html: str) -> str:
    """Map HTML with the JSON \\uXXXX escapes Folium writes turned back into characters."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


@pytest.fixture
def run(scored_workspace):
    return load_run(scored_workspace, "patrol")


def draw(ws, run, lang="vi", **title):
    communes = ws.read_layer("communes")
    layers = {n: ws.read_layer(n) for n in ("border", "crossings", "venues", "industrial_zones")}
    return readable(
        render_html(
            build_map(communes, run.table, layers, title=MapTitle("Bản đồ thử", **title), lang=lang)
        )
    )


def test_map_has_every_layer_a_legend_and_tooltips_in_vietnamese(scored_workspace, run):
    html = draw(scored_workspace, run, run_id=run.record.run_id, note="DỮ LIỆU MÔ PHỎNG")
    for label in (
        "Điểm nguy cơ theo xã",
        "Đường biên giới",
        "Cửa khẩu, lối mở, đường mòn",
        "Cơ sở kinh doanh có điều kiện",
        "Khu, cụm công nghiệp",
    ):
        assert f'"{label}"' in html, label
    for text in (
        "Rất cao",
        "Rất thấp",
        "DỮ LIỆU MÔ PHỎNG",
        run.record.run_id,
        "Yếu tố chính",
        "Xã Nà Lũng",
        "Lối mở",
        "Karaoke 0",
    ):
        assert text in html, text
    assert html.count("L.marker(") == 3 and html.count("L.circleMarker(") == 40


def test_english_labels_on_request(scored_workspace, run):
    html = draw(scored_workspace, run, lang="en")
    assert '"Risk score by commune"' in html and "Very high" in html
    assert "Điểm nguy cơ" not in html


def test_unknown_language_is_refused(scored_workspace, run):
    with pytest.raises(ValueError, match='lang was "fr"'):
        draw(scored_workspace, run, lang="fr")


def test_a_missing_layer_is_left_out_not_drawn_empty(scored_workspace, run):
    communes = scored_workspace.read_layer("communes")
    html = readable(render_html(build_map(communes, run.table, {}, title=MapTitle("x"))))
    assert '"Điểm nguy cơ theo xã"' in html and '"Đường biên giới"' not in html
