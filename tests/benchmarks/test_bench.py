"""The benchmark runner at a tiny scale: every figure written, other keys and notes kept."""

import json
import math

import pytest

from benchmarks import bench
from benchmarks.stage_report import MARKER

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    out.write_text(json.dumps({"load_p95_ms": 41.5, "load_requests": 1000}), encoding="utf-8")
    notes = "## Before/after\n\nvenue loop: 9.1 s → 0.4 s (hand-written)\n"
    out.with_name("RESULTS.md").write_text(f"old table\n\n{MARKER}\n{notes}", encoding="utf-8")
    figures = bench.main(
        ["--scale", "0.002", "--repeat", "1", "--out", str(out), "--pip-sample", "5"]
    )
    return out, figures


def test_every_required_figure_is_written_finite_and_positive(run):
    out, _ = run
    results = json.loads(out.read_text(encoding="utf-8"))
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
    assert results["machine"]["cpus"] >= 1


def test_other_scripts_keys_are_kept(run):
    out, _ = run
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["load_p95_ms"] == 41.5 and results["load_requests"] == 1000


def test_results_md_has_the_table_machine_and_kept_notes(run):
    out, _ = run
    text = out.with_name("RESULTS.md").read_text(encoding="utf-8")
    assert "| stage | figure | target | pass/fail | alternative | ratio |" in text
    for stage in ("whole pipeline", "rasterstats", "naive loop", "Monte Carlo", "peak memory"):
        assert stage in text
    assert "CPUs" in text and "exactextract" in text and "Scale 0.002" in text
    assert "old table" not in text
    assert text.endswith("venue loop: 9.1 s → 0.4 s (hand-written)\n")


def test_naive_and_indexed_point_counts_agree(run):
    _, figures = run
    assert figures["pip_counts_agree"]
    assert figures["zonal_total_diff_pct"] < 5


def test_dask_path_is_reported_next_to_the_local_one_and_agrees(run):
    out, _ = run
    results = json.loads(out.read_text(encoding="utf-8"))
    for workers in (1, 2):
        for stage in ("zonal", "montecarlo"):
            assert results[f"{stage}_dask_{workers}w_s"] > 0
    assert results["dask_identical"] is True
    assert "on Dask, 2 worker(s)" in out.with_name("RESULTS.md").read_text(encoding="utf-8")


def test_bad_scale_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        bench.main(["--scale", "2"])
    assert "--scale must be in (0, 1]" in capsys.readouterr().err
