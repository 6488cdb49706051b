"""``/health`` answers anyone, so it names no path or folder of the server."""

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


def test_health_names_no_workspace_path(scored_workspace):
    root = scored_workspace.root.resolve()
    with TestClient(create_app(Settings(workspace=root))) as http:
        response = http.get("/health")
    assert response.status_code == 200 and response.json()["workspace_ok"] is True
    assert str(root) not in response.text and root.name not in response.text
    assert "/" not in "".join(str(v) for v in response.json().values())
