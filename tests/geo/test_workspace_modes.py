"""Everything riskmap writes into a workspace is readable by its owner only."""

import os
import stat

from api.keys import create_key
from api.logs import audit_to
from geo.workspace import Workspace
from risk.plans.patrol import patrol_plan
from risk.store import save_plan


def _modes(root):
    """Mode bits (permissions only) of the root and of every folder and file below it."""
    found = {".": stat.S_IMODE(os.stat(root).st_mode)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root)] = stat.S_IMODE(os.stat(path).st_mode)
    return found


def test_workspace_files_and_folders_are_for_the_owner_only(scored_workspace):
    ws = scored_workspace
    with audit_to(ws.root):
        create_key(ws, role="viewer", label="desk")
        save_plan(ws, patrol_plan(ws, "patrol", k=2, radius_km=6, draws=0))
    modes = _modes(ws.root)
    for must in ("layers.gpkg", "keys.json", "audit.log", "runs", "cache", "maps"):
        assert must in modes, f"{must} was not written"
    assert any(p.startswith("cache/indicators/") for p in modes)
    assert any("/plans/patrol-" in p for p in modes)
    loose = {p: oct(m) for p, m in modes.items() if m & 0o077}
    assert not loose, f"readable by others: {loose}"
    folders = [p for p in modes if os.path.isdir(ws.root / p)]
    assert all(modes[p] == 0o700 for p in folders)
    assert all(modes[p] == 0o600 for p in modes if p not in folders)


def test_a_new_workspace_folder_and_its_parents_are_created_owner_only(tmp_path):
    ws = Workspace.init(tmp_path / "new" / "ws")
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(ws.root).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(ws.gpkg).st_mode) == 0o600
