"""``riskmap score`` with custom weights and ``--json``, and ``riskmap runs``."""

import json

import pytest

from tests.helpers import one_error_line, riskmap


@pytest.mark.slow
def test_score_json_with_set_and_weights_file_then_runs_lists_them(tmp_workspace, tmp_path):
    ws = tmp_workspace.root
    custom = ("--set", "border_proximity=0.5,normalisation=rank", "--json")
    result = riskmap("score", "-w", ws, *custom)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["weights"]["border_proximity"] == 0.5
    assert abs(sum(summary["weights"].values()) - 1) < 1e-9
    assert summary["parameters"]["normalisation"] == "rank"
    assert summary["top"][0]["rank"] == 1 and summary["top"][0]["reasons_en"]
    assert summary["input_hash"] and summary["layer_versions"]["communes"]
    again = json.loads(riskmap("score", "-w", ws, *custom).stdout)
    assert again["run_id"] == summary["run_id"]
    scores = (ws / "runs" / summary["run_id"] / "scores.csv").read_text()
    assert "rank_p05" in scores and "hotspot" in scores and "repatriations_total" in scores
    assert "class_uncertain" in scores and "p_top_k" in scores
    uncertainty = summary["uncertainty"]
    assert uncertainty["sources"] == ["weights", "counts", "parameters"]
    assert set(uncertainty["normalisation"]) == {"minmax", "rank", "zscore"}  # apart, labelled
    assert isinstance(summary["top"][0]["class_uncertain"], bool)

    weights = tmp_path / "w.yaml"
    weights.write_text("weights: {border_proximity: 0.25, crossing_access: 0.75}\n")
    assert riskmap("score", "-w", ws, "--weights", weights).returncode == 0
    listed = json.loads(riskmap("runs", "-w", ws, "--json").stdout)
    assert len(listed) == 2 and {r["profile"] for r in listed} == {"patrol"}
    assert "run_id" in riskmap("runs", "-w", ws).stdout


def test_bad_custom_weights_are_one_clear_line(tmp_workspace, tmp_path):
    ws = tmp_workspace.root
    one_error_line(riskmap("score", "-w", ws, "--set", "moon=1"), "--set: moon is neither")
    one_error_line(riskmap("score", "-w", ws, "--set", "top_k=0"), "parameters.top_k is 0")
    weights = tmp_path / "w.yaml"
    weights.write_text("border_proximity: 0.7\n")
    one_error_line(riskmap("score", "-w", ws, "--weights", weights), "w.yaml: weights sum to 0.7")
