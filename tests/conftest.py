"""Shared fixtures: seeded layers, a small workspace, profiles, an API client."""

from __future__ import annotations

import pytest

from geo.workspace import Raster, Workspace
from risk.profiles import load_profile
from tests.factories import METRIC, make_communes, make_layers, make_population


@pytest.fixture
def communes():
    return make_communes()


@pytest.fixture
def layers(communes):
    return make_layers(communes)


@pytest.fixture(params=["patrol", "outreach"], ids=["patrol", "outreach"])
def profile(request):
    return load_profile(request.param)


@pytest.fixture
def tmp_workspace(tmp_path, layers):
    values, transform = make_population(layers["communes"])
    ws = Workspace(tmp_path / "ws")
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    return ws


@pytest.fixture
def scored_workspace(tmp_workspace):
    """The small workspace scored with both shipped profiles, maps drawn."""
    from api.render import write_map
    from risk.pipeline import score_workspace

    for name in ("patrol", "outreach"):
        profile = load_profile(name)
        score_workspace(tmp_workspace, profile)
        write_map(tmp_workspace, profile)
    return tmp_workspace


@pytest.fixture
def client(scored_workspace):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(Settings(workspace=scored_workspace.root))) as test_client:
        yield test_client
