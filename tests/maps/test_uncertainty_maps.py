"""Maps, PDFs and CSVs mark uncertain classes and give rank intervals and P(top k)."""

import re

import pandas as pd
import pytest

from api.render import run_info
from maps.export import ExportRequest, ranked_table, write_export
from maps.folium_map import MapTitle, build_map, render_html
from maps.report import ReportContent, report_pages
from maps.static_map import static_map_figure
from risk.pipeline import scored_communes
from risk.profiles import load_profile
from risk.results import ScoreTable
from risk.store import load_run

UNCERTAIN = ("Hạng chưa chắc chắn", "Class uncertain")


@pytest.fixture
def run(scored_workspace):
    return load_run(scored_workspace, "patrol")


@pytest.fixture
def scored(scored_workspace, run):
    """The stored run with exactly the three best-ranked communes' classes uncertain."""
    frame = scored_communes(scored_workspace, run)
    return frame.assign(class_uncertain=frame["rank"] <= 3)


def hatched(ax) -> list:
    return [c for c in ax.collections if c.get_hatch() == "////"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_static_map_hatches_uncertain_communes_with_a_legend_entry(scored, run, lang):
    info = run_info(run, load_profile("patrol"), lang=lang)
    fig = static_map_figure(scored, {}, title="t", subtitle="s", stamp=info.stamp, lang=lang)
    ax = fig.axes[0]
    (layer,) = hatched(ax)
    assert len(layer.get_paths()) >= 3  # one patch (or more, for multipolygons) per commune
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert UNCERTAIN[lang == "en"] in legend


def test_static_map_without_uncertain_classes_has_no_hatching_nor_legend_entry(scored, run):
    info = run_info(run, load_profile("patrol"), lang="vi")
    certain = scored.assign(class_uncertain=False)
    fig = static_map_figure(certain, {}, title="t", subtitle="s", stamp=info.stamp)
    assert not hatched(fig.axes[0])
    assert UNCERTAIN[0] not in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_pdf_report_marks_uncertain_classes_and_gives_rank_interval_and_p_top_k(scored, run):
    info = run_info(run, load_profile("patrol"), lang="vi")
    table = ranked_table(scored, info, lang="vi", top=5)
    assert ["class_label", "rank_interval", "p_top_k"] == [
        c for c in table.columns if c in ("class_label", "rank_interval", "p_top_k")
    ]
    top = scored.head(5)
    assert table["rank_interval"].tolist() == [
        f"{a}-{b}" for a, b in zip(top["rank_p05"], top["rank_p95"], strict=True)
    ]
    assert table["p_top_k"].tolist() == [f"{p:.2f}" for p in top["p_top_k"]]
    assert [c.endswith(" *") for c in table["class_label"]] == [True] * 3 + [False] * 2
    content = ReportContent("Bản đồ", "Biên Hải", scored, {}, table, [], "p", "r", info.stamp)
    pages = report_pages(content)
    assert hatched(pages[0].axes[0])
    assert UNCERTAIN[0] in [t.get_text() for t in pages[0].axes[0].get_legend().get_texts()]
    cells = [t.get_text() for t in pages[1].texts]
    assert {"Khoảng hạng", "P(top k)", table["p_top_k"].iloc[0]} <= set(cells)
    assert any("Hạng chưa chắc chắn" in c and "P(top k)" in c for c in cells)  # the footnote


def test_pdf_file_text_has_the_new_columns(scored, run, tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed: figures checked above")
    info = run_info(run, load_profile("patrol"), lang="en")
    path = write_export(tmp_path / "r.pdf", scored, {}, request=ExportRequest("pdf"), info=info)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert "Hạng chưa chắc chắn" in text and "P(top k)" in text  # the default report is Vietnamese


def test_csv_export_has_rank_interval_p_top_k_and_class_uncertain(scored, run, tmp_path):
    info = run_info(run, load_profile("patrol"), lang="en")
    path = write_export(tmp_path / "x.csv", scored, {}, request=ExportRequest("csv"), info=info)
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert {"rank_p05", "rank_p95", "p_top_k", "class_uncertain"} <= set(frame.columns)
    assert frame.sort_values("rank")["class_uncertain"].tolist()[:4] == [True, True, True, False]
    assert (frame["rank_p05"] <= frame["rank"]).all() and (frame["rank"] <= frame["rank_p95"]).all()


def test_folium_map_has_a_toggleable_layer_of_uncertain_classes(scored_workspace, run):
    frame = run.table.frame.assign(class_uncertain=run.table.frame["rank"] <= 3)
    table = ScoreTable(frame, run.table.weights, run.table.breaks)
    m = build_map(scored_workspace.read_layer("communes"), table, {}, title=MapTitle("x"))
    html = re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), render_html(m))
    layer = next(c for c in m._children.values() if getattr(c, "layer_name", "") == UNCERTAIN[0])
    assert len(layer.kinds) == 3  # codes only: the shapes are the score layer's
    assert '"dashArray": "3 4"' in html
    assert '"Hạng chưa chắc chắn"' in html  # its name in the layer control
    none = ScoreTable(frame.assign(class_uncertain=False), run.table.weights, run.table.breaks)
    m = build_map(scored_workspace.read_layer("communes"), none, {}, title=MapTitle("x"))
    assert not any(getattr(c, "layer_name", "") == UNCERTAIN[0] for c in m._children.values())
