import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from maps.offline import assets_installed


@pytest.mark.parametrize("fmt", ["png", "pdf", "gpkg", "geojson", "csv"])
def test_every_export_downloads_as_an_attachment(client, fmt):
    response = client.get(f"/exports/patrol.{fmt}", params={"top": 5})
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="riskmap-patrol.{fmt}"'
    assert len(response.content) > 500


def test_export_errors_are_problem_json(client):
    bad = client.get("/exports/patrol.png", params={"district": "Nowhere"})
    assert bad.status_code == 404 and 'district "Nowhere"' in bad.json()["detail"]
    assert client.get("/exports/patrol.doc").status_code == 422
    assert client.get("/exports/nobody.pdf").status_code == 404
    missing_run = client.get("/exports/patrol.csv", params={"run": "abcdef123456"})
    assert missing_run.status_code == 404 and "no run abcdef123456" in missing_run.json()["detail"]


def test_dashboard_is_vietnamese_and_loads_leaflet_from_our_server(client):
    page = client.get("/")
    assert page.status_code == 200 and 'lang="vi"' in page.text
    assert "Trọng số" in page.text and "window.RISKMAP" in page.text
    assert client.get("/dashboard/dashboard.js").status_code == 200
    if assets_installed():
        assert "/vendor/leaflet/dist/leaflet.js" in page.text
        assert client.get("/vendor/leaflet/dist/leaflet.js").status_code == 200
    assert client.get("/vendor/../../pyproject.toml").status_code == 404
    assert client.get("/dashboard/../app.py").status_code == 404


def test_map_route_draws_english_or_offline_on_request(client):
    english = client.get("/maps/patrol", params={"lang": "en"})
    assert english.status_code == 200 and "Risk score by commune" in json.dumps(english.text)


def test_cli_export_writes_a_pdf_and_refuses_to_clobber(scored_workspace, tmp_path):
    out = tmp_path / "report.pdf"
    args = ["export", "-w", str(scored_workspace.root), "-f", "pdf", "-o", str(out), "--top", "5"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--overwrite" in again.output


def test_cli_offline_map_without_assets_fails_with_the_install_command(
    scored_workspace, tmp_path, monkeypatch
):
    from maps import offline

    monkeypatch.setattr(offline, "VENDOR_DIR", tmp_path / "none")
    out = tmp_path / "m.html"
    args = ["map", "-w", str(scored_workspace.root), "--offline", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "npm ci --prefix maps/static" in str(result.exception) + result.output
    assert not out.exists()
