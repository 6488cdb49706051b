"""Imports point one way (geo ← risk ← maps ← api); only the workspace spells its paths; only
the edge modules touch files, processes or the environment, and the pure core reaches none of
them."""

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


#: Modules that touch the outside world themselves (files, processes, network); ``api/`` too.
EDGES = {
    "geo/filetypes.py": "sniffs a file's bytes and opens it with GDAL to tell its format",
    "geo/ingest.py": "reads a user's file and writes the rejected rows",
    "geo/limits.py": "counts a zip's real unpacked bytes",
    "geo/pointcount.py": "reads a large point layer in chunks",
    "geo/readers.py": "parses users' files",
    "geo/storage.py": "atomic files, locks and rasters under the workspace",
    "geo/workspace.py": "the workspace folder: every layer, run, plan, cache and key file",
    "geo/zonal.py": "reads the raster it is given",
    "risk/profiles.py": "reads the profiles' YAML",
    "risk/store.py": "saves and loads runs and plans through the workspace",
    "risk/version.py": "asks git for the code version",
    "maps/export.py": "writes HTML, PNG, PDF, GeoPackage, GeoJSON and CSV",
    "maps/offline.py": "reads the installed Leaflet assets",
    "maps/xlsx.py": "writes the Excel workbook of an export",
    "maps/docx_report.py": "reads the Word template and writes the Word report",
    "maps/templates/make_template.py": "writes the Word template riskmap ships",
}
#: Thin adapters: they read or write only through an edge module, never by themselves.
ADAPTERS = {
    "risk/cache.py": "indicator cache entries, persisted through the workspace",
    "risk/inputs.py": "reads a workspace's layers and raster into indicator frames",
    "risk/pipeline.py": "score and backtest a workspace: inputs, scoring, store",
    "risk/param_grid.py": "indicators of a workspace at a grid of decay lengths (cached inputs)",
    "risk/rolling.py": "rolling backtest of a workspace: reads its inputs per holdout year",
    "risk/plans/outreach.py": "the outreach plan of a stored run",
    "risk/plans/patrol.py": "the patrol plan of a stored run",
    "risk/plans/segments.py": "the border-segment plan of a stored run",
    "maps/folium_map.py": "inlines the installed Leaflet assets (maps.offline) when offline",
    "maps/office.py": "the office exports' tables, from maps.export's suppressed frames (no I/O)",
}
#: Imports that mean I/O: file formats, processes, network, temp files, locks.
IO_MODULES = {"pyogrio", "fiona", "subprocess", "shutil", "tempfile", "sqlite3", "fcntl"}
IO_MODULES |= {"socket", "urllib", "http", "zipfile", "glob", "rasterio.io"}
#: Method calls that read or write files (``Path``, pandas, geopandas, matplotlib, pyogrio).
IO_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "mkdir", "unlink"}
IO_METHODS |= {"iterdir", "glob", "rglob", "touch", "rmdir", "read_file", "to_file", "read_csv"}
IO_METHODS |= {"read_excel", "to_excel", "read_parquet", "to_parquet", "savefig"}
IO_METHODS |= {"read_dataframe", "write_dataframe"}
#: ``os`` and ``rasterio`` attributes that reach the outside world.
IO_ATTRIBUTES = {"environ", "getenv", "scandir", "listdir", "makedirs", "remove", "replace"}
IO_ATTRIBUTES |= {"rename", "open", "MemoryFile", "system", "popen"}


def io_uses(source: str) -> list[str]:
    """Every place in ``source`` that touches the outside world, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            if isinstance(node, ast.ImportFrom) and node.module == "rasterio":
                names = [f"rasterio.{a.name}" for a in node.names]
            found += [f"{node.lineno}: import {n}" for n in names if _io_module(n or "")]
        elif isinstance(node, ast.Call) and _io_call(node):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
        elif isinstance(node, ast.Attribute) and _os_or_rasterio(node):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def _io_module(name: str) -> bool:
    return name.split(".")[0] in IO_MODULES or name in IO_MODULES or name == "rasterio.open"


def _io_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in {"open", "getenv"}
    if not isinstance(func, ast.Attribute):
        return False
    to_path = node.args or any(k.arg == "path_or_buf" for k in node.keywords)
    return func.attr in IO_METHODS or (func.attr in {"to_csv", "to_json"} and bool(to_path))


def _os_or_rasterio(node: ast.Attribute) -> bool:
    owner = node.value
    return (
        isinstance(owner, ast.Name)
        and owner.id in {"os", "rasterio"}
        and node.attr in IO_ATTRIBUTES
    )


def _pure_modules():
    for package in ("geo", "risk", "maps"):
        for path in modules(package):
            name = path.relative_to(ROOT).as_posix()
            if name not in EDGES and name not in ADAPTERS:
                yield name, path


@pytest.mark.parametrize(
    "source",
    [
        "open('x')",
        "from pathlib import Path\nPath('x').write_text('y')",
        "import pyogrio",
        "import rasterio\nrasterio.open('x')",
        "import subprocess",
        "import os\nos.environ['X']",
        "frame.to_csv('x.csv')",
        "fig.savefig(buffer)",
        "import os\nos.replace('a', 'b')",
    ],
)
def test_the_io_check_sees_files_processes_and_the_environment(source):
    assert io_uses(source)


def test_pure_text_and_frame_code_is_not_io():
    source = "name.replace('Xã ', '')\nframe.to_csv(index=False)\nfrom rasterio import features"
    assert io_uses(source) == []


def test_only_the_edge_modules_touch_the_outside_world():
    for name, path in _pure_modules():
        assert not io_uses(path.read_text(encoding="utf-8")), f"{name}: {io_uses(path.read_text())}"
    for name in ADAPTERS:
        assert not io_uses((ROOT / name).read_text(encoding="utf-8")), name


#: What the pure core may import from an edge module: its types and constants, not its I/O.
PURE_FROM_EDGES = {"risk.profiles": {"Profile", "METHOD_PARAMETERS", "DEFAULT_PARAMETERS"}}


def imported_names(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name, "") for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update((node.module, alias.name) for alias in node.names)
    return found


def test_the_pure_core_reaches_no_edge_or_adapter():
    reached = {n.removesuffix(".py").replace("/", ".") for n in (*EDGES, *ADAPTERS)}
    for name, path in _pure_modules():
        found = {
            f"{module}.{what}"
            for module, what in imported_names(path)
            if module in reached and what not in PURE_FROM_EDGES.get(module, ())
        }
        assert not found, f"{name} imports {sorted(found)}: move the I/O to an adapter"


def test_every_edge_and_adapter_exists():
    for name in (*EDGES, *ADAPTERS):
        assert (ROOT / name).is_file(), f"{name} is listed as an edge or adapter but is gone"
