"""Errors that are not the caller's fault answer with their own status, not 400 "Bad request"."""

import api.render
import maps.offline
from risk.privacy import PrivacyError


def assert_problem(response, status, detail):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status and detail in response.json()["detail"]


def test_an_offline_map_without_installed_assets_is_503(client, monkeypatch, tmp_path):
    monkeypatch.setattr(maps.offline, "VENDOR_DIR", tmp_path / "no-assets")
    response = client.get("/maps/patrol", params={"offline": "true"})
    assert_problem(response, 503, "npm ci --prefix maps/static")
    assert response.json()["title"] == "Service unavailable"


def test_an_export_the_privacy_check_stops_is_500_not_a_bad_request(client, monkeypatch):
    def leaking(*args, **kwargs):
        raise PrivacyError('column "repatriations_total", row 2 shows a count below 5')

    monkeypatch.setattr(api.render, "write_export", leaking)
    response = client.get("/exports/patrol.csv")
    assert_problem(response, 500, "shows a count below 5")
    assert response.json()["title"] == "Internal error"
