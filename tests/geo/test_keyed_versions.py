"""Layer versions are keyed: HMAC-SHA256 under a secret only the workspace holds.

A version shown to a viewer (and a run id made from versions) must not let anyone test guessed
contents, such as each count of 1-4 people a "<5" may hide, against it.
"""

from __future__ import annotations

import stat

import pandas as pd
import pytest

from geo.crs import STORAGE_CRS
from geo.errors import WorkspaceError
from geo.storage import SECRET_BYTES, frame_hash
from geo.workspace import SECRET_FILE, Workspace


def rows(count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"commune_code": ["10101"], "period": ["2024"], "category": ["deported"], "count": [count]}
    )


def test_a_secret_is_made_on_the_first_write_readable_by_the_owner_only(tmp_path, layers):
    ws = Workspace(tmp_path / "ws")
    ws.write_layers({"communes": layers["communes"]}, source="test")
    secret = ws.root / SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    key = secret.read_bytes()
    assert len(key) == SECRET_BYTES
    ws.write_layers({"repatriations": layers["repatriations"]}, source="test")
    assert secret.read_bytes() == key  # made once, never replaced


def test_guessing_a_hidden_count_does_not_find_the_version(tmp_path, layers):
    ws = Workspace(tmp_path / "ws")
    ws.write_layers({"communes": layers["communes"], "repatriations": rows(3)}, source="test")
    served = ws.versions()["repatriations"].version
    guesses = {n: frame_hash(rows(n), STORAGE_CRS) for n in range(1, 5)}
    assert served not in guesses.values()
    assert guesses[3] == frame_hash(rows(3), STORAGE_CRS)  # the guess itself is right
    # the same contents under the same key are the same version (caches and runs rely on it)
    assert ws.content_version(rows(3)) == served != ws.content_version(rows(2))


def test_other_workspaces_have_other_keys_and_versions(tmp_path, layers):
    one, two = Workspace(tmp_path / "one"), Workspace(tmp_path / "two")
    for ws in (one, two):
        ws.write_layers({"communes": layers["communes"]}, source="test")
    assert one.versions()["communes"].version != two.versions()["communes"].version


def test_a_workspace_written_before_keys_keeps_working(tmp_path, layers, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    unkeyed = lambda self, frame: frame_hash(frame, STORAGE_CRS)  # noqa: E731
    with monkeypatch.context() as patch:
        patch.setattr(Workspace, "content_version", unkeyed)
        ws.write_layers({"communes": layers["communes"]}, source="before keys")
    old = ws.versions()["communes"].version
    assert old == frame_hash(layers["communes"], STORAGE_CRS)
    assert not (ws.root / SECRET_FILE).exists()
    opened = Workspace.open(ws.root, require=("communes",))
    assert opened.read_layer("communes")["commune_code"].tolist() == (
        layers["communes"]["commune_code"].tolist()
    )
    opened.write_layers({"repatriations": rows(2)}, source="after keys")
    assert (ws.root / SECRET_FILE).exists()
    assert opened.versions()["communes"].version == old  # unchanged until rewritten
    assert opened.read_layer("communes", version=old) is not None


def test_a_damaged_secret_is_refused_with_a_hint(tmp_path, layers):
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / SECRET_FILE).write_bytes(b"short")
    with pytest.raises(WorkspaceError, match=r"holds 5 bytes but is expected to hold 32"):
        ws.write_layers({"communes": layers["communes"]}, source="test")
