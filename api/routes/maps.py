"""Interactive maps (HTML), the dashboard at ``/``, and the map assets it loads.

``router`` serves data (maps of the caller's province only) and needs a key where keys are
required; ``static_router`` serves the dashboard page, its script and Leaflet, which hold no data,
so a browser can load the page and then ask for a key.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from api.deps import ProfileName, SettingsDep, WorkspaceDep, named_profile
from api.keys import keys_required
from api.middleware import CDN_MAP_CSP, MAP_CSP
from api.security import PrincipalDep
from geo.errors import NotFoundError
from geo.workspace import Workspace
from maps.offline import STATIC_DIR, assets_installed, serve_locally, vendor_file
from maps.style import CLASS_COLOURS
from risk.labels import CLASS_LABELS, INDICATOR_LABELS, word, words
from risk.words import catalogue

router = APIRouter(tags=["maps"])
static_router = APIRouter(include_in_schema=False)
DASHBOARD_DIR = STATIC_DIR / "dashboard"
DASHBOARD_FILES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
FAVICON = STATIC_DIR / "favicon.svg"
#: The method page per language: a Vietnamese summary, and the full technical note in English.
METHOD_PAGES = {
    "vi": Path(__file__).resolve().parents[2] / "docs" / "method.vi.md",
    "en": Path(__file__).resolve().parents[2] / "docs" / "method.md",
}
METHOD_HTML = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="icon" type="image/svg+xml" href="{root}/favicon.ico">
<style>body {{ font: 16px/1.55 "Segoe UI", Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
padding: 0 1rem; color: #222; }} table {{ border-collapse: collapse; }} td, th {{ border: 1px solid
#bbb; padding: 4px 8px; vertical-align: top; }} code {{ background: #f3f3f3; }}
nav {{ text-align: right; }}</style></head>
<body><nav><a href="?lang={other}">{switch}</a></nav>
{body}
</body></html>"""
#: Leaflet from our server when npm installed it, else from its CDN (the page then needs internet).
LEAFLET = {
    True: ("/vendor/leaflet/dist/leaflet.js", "/vendor/leaflet/dist/leaflet.css"),
    False: (
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css",
    ),
}


@router.get("/maps/{profile}", response_class=HTMLResponse)
def get_map(
    profile: ProfileName,
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: Annotated[Literal["vi", "en"], Query(description="Label language")] = "vi",
    offline: Annotated[bool, Query(description="No tiles, every script inlined")] = False,
) -> HTMLResponse:
    """The interactive map of ``profile``'s latest run: the key's province only.

    The stored map file (every province, exact scores) is served only to analysts without a
    province scope; others get the map drawn from the run they may see.
    """
    from api.render import map_html

    loaded = named_profile(profile, settings)
    path = ws.path(ws.map_file(loaded.name))
    stored = principal.province is None and principal.read_rule() is None  # drawn exact
    if path.is_file() and lang == "vi" and not offline and stored:
        html = path.read_text(encoding="utf-8")
    else:
        html = map_html(ws, loaded, lang=lang, offline=offline, province=principal.province)
    return _served(html, request, inlined=offline)


def _served(html: str, request: Request, *, inlined: bool) -> HTMLResponse:
    """The map loading Leaflet and its plugins from this server (``/vendor``), when installed.

    Without the npm assets the map keeps its CDN links and a policy that allows those hosts.
    """
    if inlined or not assets_installed():
        policy = MAP_CSP if inlined else CDN_MAP_CSP
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})
    html = serve_locally(html, root=request.scope.get("root_path", ""))
    return HTMLResponse(html, headers={"Content-Security-Policy": MAP_CSP})


@static_router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The planners' dashboard: layers, weights, ranking, commune panel, plans, runs, downloads."""
    from maps import style
    from risk.labels import HOTSPOT_LABELS, KIND_LABELS, site_kind_label

    config = {  # ask for a key before the first request when one is needed
        "keys": keys_required(request, settings, Workspace(settings.workspace)),
        "words": {lang: _dashboard_words(lang) for lang in ("vi", "en")},
        "labels": INDICATOR_LABELS,
        "classes": {str(c): labels for c, labels in CLASS_LABELS.items()},
        "colours": {str(c): colour for c, colour in CLASS_COLOURS.items()},
        "kinds": {k: {g: site_kind_label(k, g) for g in ("vi", "en")} for k in KIND_LABELS},
        "hotspots": HOTSPOT_LABELS,
        "styles": {
            "crossings": {kind: list(v) for kind, v in style.CROSSING_STYLE.items()},
            "venues": style.VENUE_COLOURS,
            "border": style.BORDER_STYLE,
            "zones": style.ZONE_STYLE,
            "hotspots": style.HOTSPOT_STYLE,
            "plan": style.PLAN_STYLE,
        },
    }
    page = (DASHBOARD_DIR / "index.html").read_text(encoding="utf-8")
    for name, url in _dashboard_assets().items():
        page = page.replace("{{" + name + "}}", url)
    script = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")  # no </script>
    return HTMLResponse(
        page.replace("</head>", f"<script>window.RISKMAP = {script};</script>\n</head>")
    )


def _dashboard_assets() -> dict[str, str]:
    """URLs of Leaflet and the plugins the dashboard loads: our copies, else their CDN."""
    installed = assets_installed()
    js, css = LEAFLET[installed]
    base = "/vendor" if installed else "https://cdn.jsdelivr.net/npm"
    cluster = "leaflet.markercluster" + ("" if installed else "@1.5.3")
    awesome = "@fortawesome/fontawesome-free" + ("" if installed else "@6.2.0")
    return {
        "leaflet_js": js,
        "leaflet_css": css,
        "cluster_js": f"{base}/{cluster}/dist/leaflet.markercluster.js",
        "cluster_css": f"{base}/{cluster}/dist/MarkerCluster.css",
        "cluster_default_css": f"{base}/{cluster}/dist/MarkerCluster.Default.css",
        "icons_css": f"{base}/{awesome}/css/all.min.css",
    }


def _dashboard_words(lang: str) -> dict[str, str]:
    """The dashboard's words, with Leaflet's own (zoom, layers, attribution) from the map's."""
    leaflet = ("zoom_in", "zoom_out", "layers_title", "leaflet_title")
    return words("dashboard", lang) | {k: words("map", lang)[k] for k in leaflet}


@static_router.get("/dashboard/{name}")
def dashboard_file(name: str) -> FileResponse:
    """The dashboard's own script and stylesheet."""
    if name not in DASHBOARD_FILES:
        raise NotFoundError(f"no dashboard file {name!r}")
    return FileResponse(DASHBOARD_DIR / name, media_type=DASHBOARD_FILES[name])


@static_router.get("/vendor/{path:path}")
def vendor(path: str) -> FileResponse:
    """Leaflet and plugin files installed by npm (only the packages riskmap uses)."""
    try:
        return FileResponse(vendor_file(path))
    except Exception as err:
        raise NotFoundError(str(err)) from None


@static_router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The riskmap icon (SVG) for the dashboard, the maps and the API's pages."""
    return FileResponse(FAVICON, media_type="image/svg+xml")


@static_router.get("/words/{lang}")
def get_words(
    lang: Literal["vi", "en"],
    section: Annotated[
        list[str] | None, Query(description="Only these sections (default: every one)")
    ] = None,
) -> dict[str, dict[str, str]]:
    """The catalogue of user-facing words in ``lang``: section → key → text (no data, no key)."""
    names = section or sorted(catalogue())
    unknown = [name for name in names if name not in catalogue()]
    if unknown:
        raise NotFoundError(
            f'no word section "{unknown[0]}"; known: {", ".join(sorted(catalogue()))}'
        )
    return {name: words(name, lang) for name in names}


@static_router.get("/method", response_class=HTMLResponse)
def method_page(
    request: Request,
    lang: Annotated[Literal["vi", "en"], Query(description="Page language")] = "vi",
) -> HTMLResponse:
    """How a score is computed: a Vietnamese summary, or the full note in English (no data)."""
    other = "en" if lang == "vi" else "vi"
    page = METHOD_HTML.format(
        lang=lang,
        other=other,
        title=word("map.method", lang),
        switch=word("map.other_language", lang),
        root=request.scope.get("root_path", ""),
        body=_method_body(lang),
    )
    return HTMLResponse(page)


@cache
def _method_body(lang: str) -> str:
    """The method note in ``lang`` as HTML (Markdown with tables, no raw HTML let through)."""
    from markdown_it import MarkdownIt

    path = METHOD_PAGES[lang]
    if not path.is_file():
        raise NotFoundError(f"the method page {path.name} is not installed beside riskmap")
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(path.read_text("utf-8"))
    return body.replace('href="method.md"', 'href="?lang=en"')
