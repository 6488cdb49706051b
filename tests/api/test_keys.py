"""API keys: hashed storage, roles, revocation, and what a server off loopback demands."""

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyRequestError, create_key, find_key, revoke_key
from api.settings import Settings
from tests.helpers import one_error_line, riskmap


def test_keys_are_stored_only_as_hashes(scored_workspace):
    key, record = create_key(
        scored_workspace, role="analyst", province="Biên Hải", label="Công an huyện"
    )
    stored = (scored_workspace.root / "keys.json").read_text()
    assert key not in stored and record.key_hash in stored
    assert find_key(scored_workspace, key) == record
    assert find_key(scored_workspace, key + "x") is None
    revoke_key(scored_workspace, record.key_id)
    assert find_key(scored_workspace, key) is None
    with pytest.raises(KeyRequestError, match='role "root" is not one of viewer, analyst'):
        create_key(scored_workspace, role="root")


def test_keys_cli_prints_the_key_once_and_lists_without_it(scored_workspace):
    made = riskmap(
        "keys",
        "create",
        "-w",
        scored_workspace.root,
        "--role",
        "viewer",
        "--label",
        "Đồn biên phòng",
    )
    assert made.returncode == 0 and "shown only this once" in made.stderr
    key = made.stdout.strip()
    listed = riskmap("keys", "list", "-w", scored_workspace.root)
    assert "viewer" in listed.stdout and "Đồn biên phòng" in listed.stdout
    assert key not in listed.stdout
    key_id = listed.stdout.split()[0]
    assert riskmap("keys", "revoke", key_id, "-w", scored_workspace.root).returncode == 0
    one_error_line(
        riskmap("keys", "revoke", "nope", "-w", scored_workspace.root), 'key "nope" does not exist'
    )
    audit = (scored_workspace.root / "audit.log").read_text().splitlines()
    assert sum(json.loads(line)["file"] == "keys.json" for line in audit) == 2


@pytest.fixture
def locked_client(scored_workspace):
    app = create_app(Settings(workspace=scored_workspace.root, require_keys=True))
    with TestClient(app) as client:
        yield client


def test_a_server_requiring_keys_refuses_everything_but_health(locked_client, scored_workspace):
    assert locked_client.get("/health").status_code == 200
    refused = locked_client.get("/scores")
    assert refused.status_code == 401 and "needs an API key" in refused.json()["detail"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert locked_client.get("/ogc/collections").status_code == 401
    bad = locked_client.get("/scores", headers={"Authorization": "Bearer rmk_wrong"})
    assert bad.status_code == 401 and "unknown or revoked" in bad.json()["detail"]
    key, _ = create_key(scored_workspace, role="viewer")
    assert locked_client.get("/scores", headers={"Authorization": f"Bearer {key}"}).is_success
    assert locked_client.get("/scores", headers={"X-API-Key": key}).is_success


def test_serving_off_loopback_needs_a_key_first(scored_workspace):
    result = riskmap("serve", "-w", scored_workspace.root, "--host", "0.0.0.0")
    assert result.returncode == 2 and "riskmap keys create" in result.stderr
