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
    ws.write_layers(layers, rasters={"population": Raster(values, transform, METRIC)},
                    source="test fixture")
    return ws
