"""``--lang`` of ``riskmap map`` and ``riskmap export``: only the languages there are texts for."""

import pytest
from typer.testing import CliRunner

from api.cli import app


@pytest.mark.parametrize("command", ["map", "export"])
def test_an_unknown_language_is_a_usage_error_naming_the_choices(command, scored_workspace):
    args = [command, "-w", str(scored_workspace.root), "--lang", "fr"]
    if command == "export":
        args += ["-f", "csv", "-o", str(scored_workspace.root / "out.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--lang'" in result.output
    assert "'fr' is not one of 'vi', 'en'" in result.output
    assert not (scored_workspace.root / "out.csv").exists()


def test_english_is_accepted(scored_workspace, tmp_path):
    out = tmp_path / "en.html"
    result = CliRunner().invoke(
        app, ["map", "-w", str(scored_workspace.root), "--lang", "en", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Very high" in out.read_text(encoding="utf-8")
