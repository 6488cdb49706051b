"""``st run --checks all`` on a live server, as an analyst: the OpenAPI document tells the truth.

Every operation is fuzzed in every phase (examples, coverage, fuzzing, stateful through the
``Location`` links) with every check: statuses and media types the document lists, answers on
their schema, schema-valid requests accepted and invalid ones refused, and no 5xx. A valid request
may still be refused with a documented 404 or 422 when it names something absent or breaks a rule
of the data no schema can state (a budget below the cheapest commune, ``k`` above the number of
candidate sites, weights that do not sum to 1, an upload whose content is not a layer).
"""

import subprocess
import sys

import pytest

from api.keys import create_key
from api.settings import Settings
from geo.workspace import Raster, Workspace
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from tests.api.test_roles import CASES
from tests.browser.conftest import serving
from tests.factories import METRIC, make_communes, make_layers, make_population

pytestmark = pytest.mark.slow
MAX_EXAMPLES = 12
SEED = 18
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "422"]
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A scored demo workspace served on loopback, with an analyst key."""
    communes = make_communes()
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("st") / "ws")
    ws.write_layers(
        make_layers(communes),
        rasters={"population": Raster(values, transform, METRIC)},
        source="test fixture",
    )
    for name in ("patrol", "outreach"):
        score_workspace(ws, load_profile(name))
    key = create_key(ws, role="analyst", label="schemathesis")[0]
    with serving(Settings(workspace=ws.root, require_keys=True)) as url:
        yield url, key


def test_every_check_passes_on_every_operation(live, tmp_path):
    url, key = live
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {key}",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path
    )
    out = done.stdout + done.stderr
    assert f"Tested: {len(CASES)}" in out, out[-3000:]
    assert done.returncode == 0, out[-12000:]
    assert "Stateful" in out and "❌" not in out, out[-12000:]


def test_every_error_answer_is_a_declared_problem_and_writes_link_to_their_reads(tmp_path):
    from api.app import create_app

    schema = create_app(Settings(workspace=tmp_path)).openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s >= "400"}
            if path != "/health":
                assert {"401", "403", "503"} <= set(errors), (method, path, sorted(errors))
            for response in errors.values():
                content = response["content"]["application/problem+json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
    created = schema["paths"]["/runs"]["post"]["responses"]["201"]
    assert created["links"]["GetRun"]["parameters"] == {"run_id": "$response.body#/run_id"}
