"""The benchmark runner at a tiny scale: every figure written, committed figures untouched."""

import contextlib
import hashlib
import io
import json
import math
import tempfile
from pathlib import Path

import pytest

from benchmarks import bench
from benchmarks.record import RESULTS, update_results
from benchmarks.stage_report import MARKER, write_markdown

pytestmark = pytest.mark.slow
COMMITTED = (RESULTS, RESULTS.with_name("RESULTS.md"))


def _digests() -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "" for p in COMMITTED}


@pytest.fixture(scope="module")
def run():
    """``python -m benchmarks.bench --scale 0.002`` as ``make bench SCALE=0.002`` runs it."""
    before, printed = _digests(), io.StringIO()
    with contextlib.redirect_stdout(printed):
        figures = bench.main(["--scale", "0.002", "--repeat", "1", "--pip-sample", "5"])
    return before, figures, printed.getvalue()


def _out(printed: str) -> Path:
    line = next(x for x in printed.splitlines() if x.startswith("Figures written to "))
    return Path(line.removeprefix("Figures written to ").split(" and ")[0])


def test_a_small_scale_never_touches_the_committed_figures(run):
    before, _, printed = run
    assert _digests() == before
    out = _out(printed)
    assert out.is_file() and out.with_name("RESULTS.md").is_file()
    assert Path(tempfile.gettempdir()) in out.parents
    assert out.resolve() != RESULTS.resolve()
    assert "| stage | figure | target | pass/fail | alternative | ratio |" in printed


def test_every_required_figure_is_written_finite_and_positive(run):
    _, _, printed = run
    results = json.loads(_out(printed).read_text(encoding="utf-8"))
    for key in bench.REQUIRED:
        assert math.isfinite(results[key]) and results[key] > 0, key
    assert results["scale"] == 0.002
    assert set(results["indicators_s"]) == {
        "border",
        "crossings",
        "venues",
        "industrial_zones",
        "repatriations",
    }
    assert {t["pass"] for t in results["targets"].values()} <= {True, False}
    assert {"zonal_vs_bare", "zonal_ratio", "admin2025_rescore_ms"} <= set(results["targets"])
    assert results["machine"]["cpus"] >= 1


def test_the_three_zonal_engines_are_timed_in_one_run_and_agree(run):
    _, figures, printed = run
    assert figures["zonal_bare_diff_pct"] < 1e-6  # the pipeline path sums what exactextract sums
    assert figures["zonal_total_diff_pct"] < 5  # rasterstats counts whole pixels
    assert figures["zonal_vs_bare"] == pytest.approx(
        figures["zonal_exactextract_s"] / figures["zonal_exactextract_bare_s"]
    )
    text = _out(printed).with_name("RESULTS.md").read_text(encoding="utf-8")
    assert 'bare `exact_extract(raster, polygons, "sum")`' in text
    assert "≥ 8×" in text and "< 1.2×" in text


def test_the_2025_structure_is_benched_without_districts(run):
    _, figures, printed = run
    assert figures["admin2025_communes"] == 7 and figures["admin2025_provinces"] == 1
    assert figures["admin2025_pipeline_s"] > 0 and figures["admin2025_rescore_ms"] > 0
    assert "structure since July 2025" in printed


def test_naive_and_indexed_point_counts_agree(run):
    _, figures, _ = run
    assert figures["pip_counts_agree"]


def test_dask_path_is_reported_next_to_the_local_one_and_agrees(run):
    _, figures, printed = run
    for workers in (1, 2):
        for stage in ("zonal", "montecarlo"):
            assert figures[f"{stage}_dask_{workers}w_s"] > 0
    assert figures["dask_identical"] is True
    assert "on Dask, 2 worker(s)" in printed


def test_other_scripts_keys_and_hand_written_notes_are_kept(run, tmp_path):
    _, figures, _ = run
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"load_p95_ms": 41.5, "load_errors": 0}), encoding="utf-8")
    notes = "## Before/after\n\nvenue loop: 9.1 s → 0.4 s (hand-written)\n"
    out.with_name("RESULTS.md").write_text(f"old table\n\n{MARKER}\n{notes}", encoding="utf-8")
    merged = update_results(figures, out)
    write_markdown(out.with_name("RESULTS.md"), figures, merged["machine"])
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["load_p95_ms"] == 41.5 and results["load_errors"] == 0
    assert results["zonal_exactextract_bare_s"] == figures["zonal_exactextract_bare_s"]
    text = out.with_name("RESULTS.md").read_text(encoding="utf-8")
    assert "old table" not in text and "CPUs" in text and "Scale 0.002" in text
    assert text.endswith("venue loop: 9.1 s → 0.4 s (hand-written)\n")


def test_bad_scale_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        bench.main(["--scale", "2"])
    assert "--scale must be in (0, 1]" in capsys.readouterr().err


def test_a_small_scale_may_not_write_the_committed_figures(capsys):
    with pytest.raises(SystemExit):
        bench.main(["--scale", "0.01", "--out", str(RESULTS)])
    assert "holds the national figures: only --scale 1 writes it" in capsys.readouterr().err
