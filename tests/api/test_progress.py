"""Progress on long work: a bar that advances on a terminal, nothing when piped or --quiet,
log lines from the server's long requests, and counts from the core that only grow."""

import logging
import os
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from geo.progress import logged
from geo.workspace import Raster, Workspace
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from tests.factories import METRIC, make_communes, make_layers, make_population

RISKMAP = shutil.which("riskmap", path=str(Path(sys.executable).parent))
DRAWS = 40_000
SCORE = ["score", "--set", f"sensitivity_draws={DRAWS}"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    communes = make_communes()
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("progress") / "ws")
    ws.write_layers(
        make_layers(communes),
        rasters={"population": Raster(values, transform, METRIC)},
        source="test fixture",
    )
    return ws


def on_a_terminal(*args) -> tuple[int, str]:
    """Run riskmap with stdout and stderr on a pseudo-terminal; exit code and the screen text."""
    master, slave = os.openpty()
    env = dict(os.environ, COLUMNS="120", TERM="xterm")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([RISKMAP, *map(str, args)], stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    while select.select([master], [], [], 120)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), ANSI.sub("", out.decode("utf-8", "replace"))


def test_score_on_a_terminal_shows_the_draws_bar_advance_with_time_left(ws):
    code, screen = on_a_terminal(*SCORE, "--workspace", ws.root)
    assert code == 0, screen
    counts = {int(n) for n in re.findall(rf"sensitivity draws.*?(\d+)/{DRAWS}", screen)}
    assert len(counts) >= 3 and max(counts) == DRAWS, screen[-2000:]
    assert "communes scored" in screen and "left" in screen
    assert "12 communes scored with patrol" in screen


def test_ingest_on_a_terminal_counts_rows(ws, tmp_path):
    csv = tmp_path / "crossings.csv"
    csv.write_text("name,kind,lon,lat\nA,opening,106.9,21.7\nB,opening,106.95,21.65\n", "utf-8")
    code, screen = on_a_terminal("ingest", csv, "--workspace", ws.root, "--layer", "crossings")
    assert code == 0, screen
    assert re.search(r"rows read and checked.*2/2", screen), screen
    assert re.search(r"rows stored.*2/2", screen), screen


def test_no_bar_when_piped(ws):
    done = subprocess.run(
        [RISKMAP, *SCORE, "--workspace", str(ws.root)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "sensitivity draws" not in done.stderr and "\x1b[" not in done.stderr
    assert done.stderr.strip().startswith("run "), done.stderr  # only the result line


def test_no_bar_with_quiet_even_on_a_terminal(ws):
    code, screen = on_a_terminal("--quiet", *SCORE, "--workspace", ws.root)
    assert code == 0, screen
    assert "sensitivity draws" not in screen and "communes scored with patrol" in screen


def test_the_core_reports_draws_that_only_grow_to_the_total(ws):
    seen = []
    score_workspace(ws, load_profile("patrol"), store=False, progress=lambda *a: seen.append(a))
    draws = [(done, total) for what, done, total in seen if what == "sensitivity draws"]
    assert draws[0] == (0, 1000) and draws[-1] == (1000, 1000)
    assert [d for d, _ in draws] == sorted(d for d, _ in draws)


def test_logged_progress_writes_start_and_end_lines(caplog):
    log = logging.getLogger("riskmap.progress.test")
    report = logged(log, "job", every_s=3600)
    with caplog.at_level(logging.INFO, logger=log.name):
        for done in range(0, 11):
            report("draws", done, 10)
    assert [r.getMessage() for r in caplog.records] == ["job: draws 0/10", "job: draws 10/10"]


def test_post_runs_logs_its_progress_in_the_server_log(ws, caplog):
    key = create_key(ws, role="analyst", label="progress")[0]
    with TestClient(create_app(Settings(workspace=ws.root))) as client:
        with caplog.at_level(logging.INFO, logger="riskmap.progress"):
            response = client.post(
                "/runs", json={"profile": "outreach"}, headers={"Authorization": f"Bearer {key}"}
            )
    assert response.status_code == 201, response.text
    lines = [r.getMessage() for r in caplog.records if r.name == "riskmap.progress"]
    assert "POST /runs outreach: sensitivity draws 1000/1000" in lines, lines


def test_a_plan_on_a_terminal_counts_its_weight_draws(ws):
    assert on_a_terminal("score", "--workspace", ws.root)[0] == 0
    plan = ["plan", "patrol", "--workspace", ws.root, "--k", "2", "--draws", "300"]
    code, screen = on_a_terminal(*plan)
    assert code == 0, screen
    counts = {int(n) for n in re.findall(r"weight draws re-planned.*?(\d+)/300", screen)}
    assert counts and max(counts) == 300, screen[-2000:]
    assert "patrol plan" in screen and "left" in screen
    piped = subprocess.run([RISKMAP, *map(str, plan)], capture_output=True, text=True)
    assert piped.returncode == 0 and "weight draws re-planned" not in piped.stderr
