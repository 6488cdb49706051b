"""The load benchmark in miniature: a real server, a few clients, figures recorded."""

import contextlib
import io
import json

import pytest

from benchmarks import load
from benchmarks.record import RESULTS

pytestmark = pytest.mark.slow


def test_a_short_load_run_records_latencies_and_no_errors(scored_workspace, tmp_path):
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"bench_total_s": 1.5}), encoding="utf-8")
    code = load.main(
        [
            "--workspace",
            str(scored_workspace.root),
            "--clients",
            "5",
            "--seconds",
            "3",
            "--max-requests",
            "3000",
            "--out",
            str(out),
        ]
    )
    results = json.loads(out.read_text(encoding="utf-8"))
    figures = results["load"]
    assert code == 0 and figures["errors"] == 0 and results["bench_total_s"] == 1.5
    assert figures["clients"] == 5 and figures["communes"] == 12
    assert set(figures["endpoints"]) == {"scores_province", "scores_all", "commune"}
    for endpoint in figures["endpoints"].values():
        assert endpoint["requests"] > 0
        assert 0 < endpoint["p50_ms"] <= endpoint["p95_ms"] <= endpoint["p99_ms"]
    assert figures["requests"] <= 3000 and figures["seconds"] < 10
    assert figures["statuses"] == {"200": figures["requests"]}
    assert results["load_p95_ms"] == figures["p95_ms"] and results["load_errors"] == 0


def test_the_request_budget_bounds_a_run(scored_workspace):
    figures = load.run(scored_workspace.root, clients=4, seconds=30, max_requests=40, out=None)
    assert figures["requests"] == 40 and figures["seconds"] < 30


def test_a_national_run_generates_its_workspace_and_keeps_the_committed_figures():
    """``make load SCALE=0.003``: a generated national workspace, the two national endpoints."""
    before = {p: p.read_bytes() for p in (RESULTS, RESULTS.with_name("RESULTS.md"))}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = load.main(
            ["--scale", "0.003", "--clients", "4", "--seconds", "3", "--max-requests", "200"]
        )
    assert code == 0
    assert {p: p.read_bytes() for p in before} == before
    text = printed.getvalue()
    assert "scores_province" in text and "commune" in text and "scores_all" not in text
    assert "p95 of province scores and commune details < 150 ms" in text


def test_a_small_national_run_may_not_write_the_committed_figures(capsys):
    with pytest.raises(SystemExit):
        load.main(["--scale", "0.1", "--out", str(RESULTS)])
    assert "only --scale 1 writes it" in capsys.readouterr().err
