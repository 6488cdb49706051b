"""Imports point one way (geo ← risk ← maps ← api); only the workspace spells its paths; the
plan cores do no I/O."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"geo": set(), "risk": {"geo"}, "maps": {"geo", "risk"}, "api": {"geo", "risk", "maps"}}
MAPS_MAY_USE = {"risk.results", "risk.labels", "risk.privacy"}
OURS = set(ALLOWED)


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package):
    for path in modules(package):
        for name in imports(path):
            top = name.split(".")[0]
            if top in OURS and top != package:
                assert top in ALLOWED[package], f"{path.relative_to(ROOT)} imports {name}"
                if package == "maps" and top == "risk":
                    assert name in MAPS_MAY_USE, f"{path.relative_to(ROOT)} imports {name}"


def test_no_module_named_utils_and_no_print():
    for package in ALLOWED:
        for path in modules(package):
            assert path.stem not in {"utils", "helpers", "misc"}, path
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = [
                n
                for n in ast.walk(tree)
                if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"
            ]
            assert not calls, f"print() in {path.relative_to(ROOT)}"


def test_settings_are_read_only_in_api():
    for package in ("geo", "risk", "maps"):
        for path in modules(package):
            text = path.read_text(encoding="utf-8")
            assert "os.environ" not in text and "getenv" not in text, path


#: File and folder names of a workspace: only ``geo/workspace.py`` spells them.
WORKSPACE_NAMES = ("runs", "cache", "maps", "plans", "keys.json", "audit.log", "record.json")


def _spells_a_workspace_path(value: object) -> bool:
    return isinstance(value, str) and any(
        value == name or value.startswith(f"{name}/") for name in WORKSPACE_NAMES
    )


def test_only_the_workspace_spells_workspace_paths():
    for package in ("geo", "risk", "maps"):
        for path in modules(package):
            if path == ROOT / "geo" / "workspace.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            spelled = [
                n.value
                for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and _spells_a_workspace_path(n.value)
            ]
            assert not spelled, f"{path.relative_to(ROOT)} spells {spelled}"


def test_plan_cores_do_no_io_and_only_risk_version_runs_git():
    cores = ("covering", "border", "records", "draws", "scope", "requests")
    for name in cores:
        found = imports(ROOT / "risk" / "plans" / f"{name}.py")
        assert not found & {"geo.workspace", "geo.storage", "risk.store"}, name
    for path in modules("risk"):
        found = imports(path)
        if path.name != "version.py":
            assert "subprocess" not in found, path.relative_to(ROOT)
        assert "geo.storage" not in found, f"{path.relative_to(ROOT)} writes around the workspace"
