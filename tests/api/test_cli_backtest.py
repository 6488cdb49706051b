"""``riskmap backtest`` says whether enforcement effort was recorded and what it shows."""

import json

from typer.testing import CliRunner

from api.cli import app
from tests.factories import make_effort_repatriations


def backtest(ws, *extra):
    args = ["backtest", "-w", str(ws.root), "--holdout-period", "2025", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_without_effort_the_json_and_the_text_say_it_was_not_recorded(tmp_workspace):
    out = json.loads(backtest(tmp_workspace, "--json"))
    assert out["enforcement"] == {
        "recorded": False,
        "column": "enforcement_days",
        "note": out["enforcement"]["note"],
    }
    assert "cannot tell the two apart" in out["enforcement"]["note"]
    assert "effort: enforcement effort was not recorded" in backtest(tmp_workspace)


def test_with_effort_the_text_compares_the_model_with_last_years_effort(tmp_workspace):
    codes = tmp_workspace.read_layer("communes")["commune_code"].tolist()
    tmp_workspace.write_layers({"repatriations": make_effort_repatriations(codes)}, source="t")
    text = backtest(tmp_workspace)
    assert "prior_effort" in text and "ρ(effort, people recorded) = " in text
    assert "model / last year's effort PAI top 10 % = " in text and "90 % interval" in text


def test_json_has_same_information_baselines_every_year_and_the_fair_comparison(tmp_workspace):
    out = json.loads(backtest(tmp_workspace, "--json"))
    assert {"all_prior_counts", "smoothed_rate", "prior_counts", "random"} <= set(out["baselines"])
    assert out["baselines"]["random"]["pai_top10"] == 1.0
    from risk.rolling import holdout_years

    years = holdout_years(tmp_workspace.read_layer("repatriations"))
    assert years and [e["holdout"] for e in out["rolling"]] == years
    for entry in out["rolling"]:
        for ranking in (entry["model"], *entry["baselines"].values()):
            assert {"pai_top10", "pei_top10", "hit_rate_top10"} <= set(ranking)
        assert any(name.startswith("without_") for name in entry["baselines"])
    comparison = out["comparison"]
    assert comparison["best_baseline"] in out["baselines"]
    low, high = comparison["ci90"]
    assert low <= high and comparison["beats_best"] == (low > 1)
    assert "can leak the holdout" in " ".join(out["notes"])  # the fixture has no licence_year
    assert "model / strongest baseline (" in backtest(tmp_workspace)
