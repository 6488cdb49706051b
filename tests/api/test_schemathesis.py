"""Schemathesis against the app's own OpenAPI schema: no 5xx, no answer off its schema.

Every operation gets a bounded number of generated requests (valid and invalid parameters,
bodies and uploads) with an admin key, on a small seeded, scored workspace.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from geo.workspace import Raster, Workspace
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.store import list_runs
from tests.api.test_roles import CASES
from tests.factories import METRIC, make_communes, make_layers, make_population

pytestmark = pytest.mark.slow
MAX_EXAMPLES = 15


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    communes = make_communes()
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("fuzz") / "ws")
    ws.write_layers(
        make_layers(communes),
        rasters={"population": Raster(values, transform, METRIC)},
        source="test fixture",
    )
    for name in ("patrol", "outreach"):
        score_workspace(ws, load_profile(name))
    return ws, create_key(ws, role="admin", label="fuzz")[0]


def real_path_parameters(ws: Workspace) -> dict[str, str]:
    """Path parameter values that name a stored layer, commune, run, collection and format."""
    return {
        "name": "crossings",
        "code": "90001",
        "run_id": list_runs(ws)[0].run_id,
        "collection_id": "scores-patrol",
        "feature_id": "90002",
        "profile": "patrol",
        "fmt": "geojson",
    }


@pytest.fixture(scope="module")
def api_schema(seeded):
    ws, _ = seeded
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(workspace=ws.root)))


# schemathesis.pytest.from_fixture needs pytest < 9 (it reads a private node attribute), so each
# operation of the schema (the same list the role matrix checks is complete) runs as its own
# Hypothesis test built from the operation's strategy.
@pytest.mark.parametrize("route", list(CASES), ids=[f"{m.upper()} {p}" for m, p in CASES])
def test_no_server_errors_and_answers_match_the_schema(api_schema, seeded, route):
    method, path = route
    operation = api_schema[path][method.upper()]
    headers = {"Authorization": f"Bearer {seeded[1]}"}
    real = {k: v for k, v in real_path_parameters(seeded[0]).items() if "{" + k + "}" in path}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
        # the same with path parameters naming things that exist, so queries reach real data
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real),
    )

    @given(case=cases)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )

    fuzz()
