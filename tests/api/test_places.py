"""``province`` and ``district`` filters: every read spells a place the same ways."""

import io
import unicodedata

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.privacy_world import A, B, auth, build_world

SPELLINGS = ["Biên Hải", "bien hai", "BIÊN HẢI", "Tỉnh Biên Hải", unicodedata.normalize("NFD", A)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("places"))


@pytest.fixture(scope="module")
def api(world):
    with TestClient(create_app(Settings(workspace=world.ws.root, require_keys=True))) as client:
        yield client


def codes_of(api, world, who, url, **params) -> set[str]:
    response = api.get(url, params=params, headers=auth(world.keys[who]))
    assert response.status_code == 200, response.text
    if url.endswith(".csv"):
        table = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str)
        return set(table["commune_code"])
    if url == "/rankings":
        return {row["commune_code"] for row in response.json()["communes"]}
    return {f["properties"]["commune_code"] for f in response.json()["features"]}


@pytest.mark.parametrize(
    "spelling", SPELLINGS, ids=["as-stored", "plain", "upper", "prefix", "nfd"]
)
@pytest.mark.parametrize("url", ["/scores", "/rankings", "/exports/patrol.csv"])
def test_scores_rankings_and_exports_accept_the_same_spellings(api, world, url, spelling):
    assert codes_of(api, world, "analyst", url, province=spelling) == set(world.in_province(A))


@pytest.mark.parametrize("url", ["/scores", "/exports/patrol.csv"])
def test_a_district_matches_without_accents_or_prefix(api, world, url):
    assert len(codes_of(api, world, "analyst", url, district="dong")) == 3


def test_a_province_key_may_name_its_province_in_any_spelling(api, world):
    assert codes_of(api, world, "viewer_a", "/scores", province="bien hai") == set(
        world.in_province(A)
    )
    other = api.get("/scores", params={"province": "son lam"}, headers=auth(world.keys["viewer_a"]))
    assert other.status_code == 403 and f'limited to province "{A}"' in other.json()["detail"]


@pytest.mark.parametrize("url", ["/scores", "/exports/patrol.csv"])
def test_an_unknown_province_is_404_listing_the_known_ones(api, world, url):
    response = api.get(url, params={"province": "Atlantis"}, headers=auth(world.keys["analyst"]))
    assert response.status_code == 404
    assert A in response.json()["detail"] and B in response.json()["detail"]
