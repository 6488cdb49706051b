"""Every option of every command, given a bad value: a usage error (exit 2) naming the valid
choices, or one riskmap error line (exit 1); never a traceback. Help and --version."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from api.cli import USER_ERRORS, app

BAD = "?!"
RISKMAP = shutil.which("riskmap", path=str(Path(sys.executable).parent))
#: Arguments that keep a command from doing slow or lasting work while one option is bad.
BASE = {("demo",): ["--no-serve"]}


def _commands(command=None, path=()):
    command = command or typer.main.get_command(app)
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield path, command


COMMANDS = list(_commands())
OPTIONS = [
    (path, param)
    for path, command in COMMANDS
    for param in command.params
    if param.param_type_name == "option" and not param.is_flag and param.name != "help"
]


@pytest.fixture
def in_tmp(tmp_path):
    """Run in an empty folder holding a plain file named like the bad value."""
    cwd = os.getcwd()
    os.chdir(tmp_path)
    (tmp_path / BAD).write_text("not a workspace", encoding="utf-8")
    yield tmp_path
    os.chdir(cwd)


@pytest.mark.parametrize(
    ("path", "param"), OPTIONS, ids=[f"{' '.join(p)} {o.opts[0]}" for p, o in OPTIONS]
)
def test_a_bad_option_value_is_a_usage_or_riskmap_error(in_tmp, path, param):
    args = [*path, *BASE.get(path, []), param.opts[0], BAD]
    result = CliRunner().invoke(app, args, terminal_width=200)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert isinstance(result.exception, USER_ERRORS), repr(result.exception)
        return  # main() prints it as one line, exit 1
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "Usage:" in result.output and "Error" in result.output, result.output
    if "is not one of" in result.output:  # a choice: every valid one is listed
        assert result.output.count("'") >= 6, result.output


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_says_what_it_does_and_shows_an_example(path):
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "Example: riskmap " + " ".join(path) in result.output, result.output


def test_riskmap_help_and_version():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "Example: riskmap " in result.output
    version = CliRunner().invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("riskmap ")


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_a_bad_file_is_one_error_line_on_stderr_with_the_report_on_stdout(tmp_path, command):
    bad = tmp_path / "crossings.csv"
    bad.write_text("name,kind,lon,lat\nA,opening,abc,21.7\nB,opening,north,x\n", encoding="utf-8")
    workspace = ["--workspace", str(tmp_path / "ws")] if command == "ingest" else []
    if command == "ingest":
        CliRunner().invoke(app, ["init", *workspace])
    done = subprocess.run(
        [RISKMAP, command, str(bad), "--layer", "crossings", *workspace],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("riskmap: error: crossings.csv"), done.stderr
    assert "Traceback" not in done.stderr
    assert "2 rows read" in done.stdout  # the whole report stays on stdout
