"""The map of the code and the reference stay true: ARCHITECTURE.md names every module and only
modules that exist, the generated docs match the code, and local links lead somewhere."""

import importlib.util
import re
from pathlib import Path

import pytest

from tests.test_architecture import ADAPTERS, EDGES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "risk", "maps", "api")
ARCHITECTURE = ROOT / "ARCHITECTURE.md"
#: A module or package of ours as ARCHITECTURE.md writes it: `geo/readers.py`, `risk/plans/`.
NAMED = re.compile(r"`((?:geo|risk|maps|api)/(?:[\w]+/)*(?:[\w]+\.py)?)`")


def generator():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree_names() -> set[str]:
    """Every module (``pkg/mod.py``) and package (``pkg/sub/``) of ours in the tree."""
    names = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            names.add(
                relative.removesuffix("__init__.py") if path.name == "__init__.py" else relative
            )
    return names


def architecture_names() -> set[str]:
    return set(NAMED.findall(ARCHITECTURE.read_text(encoding="utf-8")))


def test_architecture_names_every_module_and_package():
    missing = sorted(tree_names() - architecture_names())
    assert not missing, f"ARCHITECTURE.md does not name {missing}: add one line for each"


def test_architecture_names_no_module_that_does_not_exist():
    gone = [n for n in sorted(architecture_names()) if not (ROOT / n).exists()]
    assert not gone, f"ARCHITECTURE.md names {gone}, which do not exist"


def test_architecture_lists_the_edges_and_adapters_the_architecture_test_checks():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Where I/O is allowed")[1].split("\n## ")[0]
    for name in (*EDGES, *ADAPTERS):
        assert f"`{name}`" in section, f"{name} is an edge or adapter but not listed as one"


def test_the_name_pattern_finds_modules_and_packages():
    text = "`geo/readers.py`, `risk/plans/`, `risk/plans/scope.py`, `data/profiles/`, `geo.x`"
    assert set(NAMED.findall(text)) == {"geo/readers.py", "risk/plans/", "risk/plans/scope.py"}


@pytest.mark.parametrize("name", ["cli.md", "api.md", "data.md"])
def test_generated_reference_is_up_to_date(name):
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    fresh = generator().GENERATED[name]()
    assert committed == fresh, f"docs/{name} is out of date: run .venv/bin/python docs/generate.py"


def test_the_check_names_a_stale_file(tmp_path, monkeypatch):
    module = generator()
    monkeypatch.setattr(module, "DOCS", tmp_path)
    monkeypatch.setattr(module, "GENERATED", {"cli.md": lambda: "new\n", "api.md": lambda: "x\n"})
    (tmp_path / "cli.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "api.md").write_text("x\n", encoding="utf-8")
    assert module.stale() == ["cli.md"]
    assert module.main(["--check"]) == 1
    assert module.main([]) == 0 and module.stale() == []


def test_every_command_and_route_is_in_the_reference():
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("ingest", "score", "map", "export", "serve", "plan patrol", "keys create"):
        assert f"## `riskmap {command}`" in cli, command
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for route in ("/scores", "/communes/{code}", "/plans/patrol", "/exports/{profile}.{fmt}"):
        assert f"`{route}`" in api, route


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", ["README.md", "ARCHITECTURE.md", "docs/guide.md"])
def test_local_links_lead_to_files_that_exist(page):
    path = ROOT / page
    links = [t for t in LINK.findall(path.read_text(encoding="utf-8")) if "://" not in t]
    assert links, f"{page} links to nothing"
    broken = [t for t in links if not (path.parent / t).exists()]
    assert not broken, f"{page} links to missing {broken}"
