"""The riskmap command run as a real process: one clear line and a non-zero exit on bad input."""

from tests.helpers import one_error_line, riskmap


def test_missing_workspace(tmp_path):
    one_error_line(riskmap("score", "--workspace", tmp_path / "nowhere"), "does not exist")


def test_corrupt_workspace(tmp_path):
    (tmp_path / "layers.gpkg").write_bytes(b"\x00garbage")
    one_error_line(riskmap("score", "--workspace", tmp_path), "is not a readable GeoPackage")


def test_unknown_profile(scored_workspace):
    one_error_line(
        riskmap("score", "-w", scored_workspace.root, "--profile", "nope"),
        'profile "nope" does not exist (known: outreach, patrol)',
    )


def test_profile_with_unparseable_weights_leaves_nothing_behind(scored_workspace, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nweights: {border_proximity: 0.5, crossing_access: abc}\n")
    before = sorted(p.relative_to(scored_workspace.root) for p in scored_workspace.root.rglob("*"))
    one_error_line(
        riskmap("score", "-w", scored_workspace.root, "--profile", bad),
        "bad.yaml: weights.crossing_access is 'abc', expected a number >= 0",
    )
    after = sorted(p.relative_to(scored_workspace.root) for p in scored_workspace.root.rglob("*"))
    assert after == before


def test_score_and_map_commands(scored_workspace, tmp_path):
    result = riskmap("score", "-w", scored_workspace.root, "-p", "patrol")
    assert result.returncode == 0 and "12 communes scored with patrol" in result.stderr
    out = tmp_path / "map_en.html"
    assert riskmap("map", "-w", scored_workspace.root, "-o", out, "--lang", "en").returncode == 0
    assert "Very high" in out.read_text(encoding="utf-8")
    again = riskmap("map", "-w", scored_workspace.root, "-o", out)
    assert again.returncode == 2 and "pass --overwrite" in again.stderr


def test_serve_refuses_non_loopback_hosts(scored_workspace):
    result = riskmap("serve", "-w", scored_workspace.root, "--host", "0.0.0.0")
    assert result.returncode == 2 and "loopback" in result.stderr


def test_demo_refuses_to_replace_a_folder_that_is_not_a_demo(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    one_error_line(
        riskmap("demo", "--no-serve", "-w", tmp_path / "mine"), "is not a demo workspace"
    )
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_plan_commands_print_json_and_store_the_plan(scored_workspace):
    import json

    result = riskmap(
        "plan", "patrol", "-w", scored_workspace.root, "--k", 2, "--radius-km", 6, "--json"
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert len(plan["bases"]) == 2 and {"covered_share", "baseline_covered_share"} <= set(plan)
    assert list((scored_workspace.root / "runs" / plan["run_id"] / "plans").glob("patrol-*.json"))
    out = riskmap("plan", "outreach", "-w", scored_workspace.root, "--budget", 100, "--json")
    assert {"communes", "cost", "covered_share"} <= set(json.loads(out.stdout))
    one_error_line(
        riskmap("plan", "patrol", "-w", scored_workspace.root, "--k", 0),
        "k is 0, expected a whole number",
    )
