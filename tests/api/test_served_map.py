"""Maps served by the API load everything but tiles from this server: /vendor, favicon, words."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from maps import offline

needs_assets = pytest.mark.skipif(
    not offline.assets_installed(),
    reason="map assets not installed: run 'npm ci --prefix maps/static' (make install)",
)
TILE_HOSTS = {"tile.openstreetmap.org"}
CSS_URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")


class Loads(HTMLParser):
    """Every URL a page's tags load: script/img/iframe src, link href."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def loads(html: str) -> list[str]:
    parser = Loads()
    parser.feed(html)
    return parser.urls


def tile_templates(html: str) -> list[str]:
    return re.findall(r'L\.tileLayer\(\s*"([^"]+)"', html)


def stylesheet_urls(client, href: str) -> list[str]:
    """Absolute paths of the fonts and images a stylesheet of ours refers to."""
    css = client.get(href).text
    refs = [m.group(2) for m in CSS_URL.finditer(css)]
    return [urljoin(href, r.split("?")[0].split("#")[0]) for r in refs if not r.startswith("data:")]


@needs_assets
@pytest.mark.parametrize("lang", ["vi", "en"], ids=["stored-vi", "drawn-en"])
def test_a_served_map_loads_nothing_from_another_host_but_tiles(client, lang):
    response = client.get(f"/maps/patrol?lang={lang}")
    assert response.status_code == 200
    html = response.text
    urls = loads(html)
    assert any(u.startswith("/vendor/leaflet/dist/leaflet.js") for u in urls), urls
    remote = [u for u in urls if urlsplit(u).netloc]
    assert remote == [], remote
    assert {urlsplit(t).netloc for t in tile_templates(html)} <= TILE_HOSTS
    for path in urls:  # every script, stylesheet and icon is really served
        assert client.get(path).status_code == 200, path
    fonts = []
    for href in (u for u in urls if u.endswith(".css")):
        for ref in stylesheet_urls(client, href):
            assert not urlsplit(ref).netloc, f"{href} loads {ref}"
            assert client.get(ref).status_code == 200, f"{href} refers to {ref}, not served"
            fonts.append(ref)
    assert any(f.endswith("fa-solid-900.woff2") for f in fonts), "Font Awesome from our copy"


@needs_assets
def test_the_map_policy_allows_no_cdn(client):
    response = client.get("/maps/patrol?lang=en")
    policy = response.headers["content-security-policy"]
    hosts = set(re.findall(r"https://([^\s;]+)", policy))
    assert hosts == {"tile.openstreetmap.org", "*.tile.openstreetmap.org"}, hosts
    assert "'unsafe-eval'" in policy  # leaflet-measure's templates
    page_policy = client.get("/health").headers["content-security-policy"]
    assert set(re.findall(r"https://([^\s;]+)", page_policy)) <= hosts


def test_an_offline_map_inlines_every_script(client):
    if not offline.assets_installed():
        pytest.skip("map assets not installed")
    html = client.get("/maps/patrol?offline=true").text
    assert "/vendor/" not in html and offline.remote_loads(html) == []


def test_the_favicon_is_ours_and_maps_refer_to_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.lstrip().startswith("<svg") and "riskmap" in response.text
    if offline.assets_installed():
        assert '<link rel="icon" type="image/svg+xml" href="/favicon.ico">' in (
            client.get("/maps/patrol").text
        )


def test_words_are_served_in_each_language_without_a_key(client):
    vi, en = client.get("/words/vi").json(), client.get("/words/en").json()
    assert vi["classes"]["5"] == "Rất cao" and en["classes"]["5"] == "Very high"
    assert vi["measure"]["measureDistancesAndAreas"] == "Đo khoảng cách và diện tích"
    assert set(vi) == set(en) and {"map", "report", "kinds", "indicators"} <= set(vi)
    only = client.get("/words/en", params={"section": ["kinds", "map"]}).json()
    assert set(only) == {"kinds", "map"} and only["kinds"]["opening"] == "Informal opening"


def test_words_refuse_an_unknown_section_or_language(client):
    response = client.get("/words/vi", params={"section": "nothing"})
    assert response.status_code == 404
    assert re.search(r'no word section "nothing"; known: .*classes', response.json()["detail"])
    assert client.get("/words/fr").status_code == 422


def test_the_method_page_is_in_vietnamese_with_english_available(client):
    vi = client.get("/method")
    assert vi.status_code == 200 and '<html lang="vi">' in vi.text
    assert "Cách riskmap tính điểm nguy cơ" in vi.text and "<table>" in vi.text
    assert '<a href="?lang=en">English</a>' in vi.text and 'href="?lang=en"' in vi.text
    en = client.get("/method", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "How riskmap scores a commune" in en.text
    assert '<a href="?lang=vi">Tiếng Việt</a>' in en.text
    assert [u for u in loads(vi.text + en.text) if urlsplit(u).netloc] == []


def test_without_the_npm_copies_a_served_map_keeps_its_cdns_and_a_policy_for_them(
    client, monkeypatch
):
    import api.routes.maps as routes

    monkeypatch.setattr(routes, "assets_installed", lambda: False)
    response = client.get("/maps/patrol?lang=en")
    assert response.status_code == 200
    assert (
        "https://cdn.jsdelivr.net/npm/leaflet" in response.text and "/vendor/" not in response.text
    )
    assert "https://cdn.jsdelivr.net" in response.headers["content-security-policy"]
