"""Hostile names in exports: no spreadsheet formulas in CSV, no mathtext in PNG/PDF."""

import pandas as pd
import pytest

from api.render import run_info
from maps.escaping import spreadsheet_cell, spreadsheet_frame
from maps.export import ExportRequest, write_export
from risk.pipeline import scored_communes
from risk.profiles import load_profile
from risk.store import load_run

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
MATH = r"Xã $\foo{$ 1 $x^$"


@pytest.fixture
def scored(scored_workspace):
    run = load_run(scored_workspace, "patrol")
    return run, scored_communes(scored_workspace, run)


def test_spreadsheet_cells_never_start_a_formula():
    for text in FORMULAS:
        assert spreadsheet_cell(text) == "'" + text
    assert spreadsheet_cell("Xã Nà Lũng") == "Xã Nà Lũng"
    assert spreadsheet_cell(-2.5) == -2.5  # numbers are data
    frame = spreadsheet_frame(pd.DataFrame({"name": ["=1", "a"], "score": [-1.0, 2.0]}))
    assert frame["name"].tolist() == ["'=1", "a"] and frame["score"].tolist() == [-1.0, 2.0]


def test_csv_export_neutralises_names_that_would_be_formulas(scored, tmp_path):
    run, frame = scored
    names = (FORMULAS * 3)[: len(frame)]
    frame = frame.assign(commune_name=names, district_name="=cmd|' /C calc'!A0")
    info = run_info(run, load_profile("patrol"), lang="en")
    path = write_export(tmp_path / "x.csv", frame, {}, request=ExportRequest("csv"), info=info)
    out = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for column in ("commune_name", "district_name"):
        cells = [v for v in out[column] if v]
        assert cells and all(v.startswith("'") for v in cells), out[column].tolist()
    assert float(out["score"].iloc[0]) >= 0  # numbers are left as numbers


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_dollar_signs_in_names_do_not_break_png_or_pdf(scored, tmp_path, fmt):
    run, frame = scored
    frame = frame.assign(commune_name=MATH, district_name=MATH)
    if "province_name" in frame:
        frame = frame.assign(province_name=MATH)
    info = run_info(run, load_profile("patrol"), lang="vi")
    request = ExportRequest(fmt, top=5) if fmt == "pdf" else ExportRequest(fmt, dpi=72)
    path = write_export(tmp_path / f"x.{fmt}", frame, {}, request=request, info=info)
    assert path.stat().st_size > 10_000
