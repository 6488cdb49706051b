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
