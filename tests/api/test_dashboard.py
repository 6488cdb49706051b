"""The dashboard page at ``/``: its configuration (words, kinds, styles) and the files it loads."""

from __future__ import annotations

import json
import re

import pytest

from api.routes.maps import DASHBOARD_DIR
from maps.export import FORMATS
from maps.offline import assets_installed
from maps.style import CROSSING_STYLE
from risk.labels import words
from risk.words import catalogue

SCRIPT = DASHBOARD_DIR / "dashboard.js"
CONFIG = re.compile(r"<script>window\.RISKMAP = (.*?);</script>", re.S)


def config_of(page: str) -> dict:
    """The ``window.RISKMAP`` object injected into the page."""
    return json.loads(CONFIG.search(page).group(1))


def test_the_page_carries_the_dashboard_words_in_both_languages(client):
    config = config_of(client.get("/").text)
    for lang in ("vi", "en"):  # the dashboard's words, and Leaflet's own from the map's
        assert words("dashboard", lang).items() <= config["words"][lang].items()
        assert config["words"][lang]["zoom_in"] == words("map", lang)["zoom_in"]
    assert config["words"]["vi"]["layer_plans"] == "Kế hoạch hiện hành"
    assert config["words"]["en"]["compare_title"] == "Compared with the previous period"
    assert config["kinds"]["opening"] == {"vi": "Lối mở", "en": "Informal opening"}
    assert set(config["styles"]["crossings"]) == set(CROSSING_STYLE)
    assert config["keys"] is False


def test_every_word_the_page_uses_is_in_the_catalogue_in_both_languages():
    page = (DASHBOARD_DIR / "index.html").read_text(encoding="utf-8")
    script = SCRIPT.read_text(encoding="utf-8")
    used = set(re.findall(r'data-t="(\w+)"', page)) | set(re.findall(r'\bt\("(\w+)"[,)]', script))
    used |= {
        f"layer_{name}" for name in re.search(r"var LAYERS = \[(.*?)\]", script)[1].split('"')[1::2]
    }
    section = catalogue()["dashboard"]
    known = set(section) | {"zoom_in", "zoom_out", "layers_title", "leaflet_title"}  # the map's
    assert used and not used - known, f"words missing: {sorted(used - known)}"
    assert all(texts["vi"] and texts["en"] for texts in section.values())


def test_the_downloads_list_every_export_format():
    listed = re.search(r"var FORMATS = \[(.*?)\]", SCRIPT.read_text(encoding="utf-8"))[1]
    formats = set(listed.replace('"', "").replace(" ", "").split(","))
    assert set(FORMATS) <= formats
    assert {"xlsx", "docx", "kml", "kmz", "gpx"} <= formats


def test_a_word_cannot_close_the_config_script(client, monkeypatch):
    hostile = {"vi": "</script><script>window.__xss=1</script>", "en": "x"}
    monkeypatch.setitem(catalogue()["dashboard"], "title", hostile)
    page = client.get("/").text
    assert "<script>window.__xss=1" not in page
    assert config_of(page)["words"]["vi"]["title"] == hostile["vi"]  # shown as written


@pytest.mark.skipif(not assets_installed(), reason="map assets not installed (make install)")
def test_every_asset_the_page_loads_comes_from_this_server(client):
    page = client.get("/").text
    assert "https://" not in page and "http://" not in page
    urls = re.findall(r'(?:src|href)="(/[^"]+)"', page)
    assert len(urls) >= 7  # Leaflet, markercluster, icons, and our script and style
    for url in urls:
        assert client.get(url).status_code == 200, url
    icons = client.get("/vendor/@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2")
    assert icons.status_code == 200  # the fonts the icon stylesheet refers to
