"""Interactive maps (HTML), the dashboard at ``/``, and the map assets it loads.

``router`` serves data (maps of the caller's province only) and needs a key where keys are
required; ``static_router`` serves the dashboard page, its script and Leaflet, which hold no data,
so a browser can load the page and then ask for a key.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from api.deps import ProfileName, SettingsDep, WorkspaceDep, named_profile
from api.keys import keys_required
from api.middleware import MAP_CSP
from api.security import PrincipalDep
from geo.errors import NotFoundError
from geo.workspace import Workspace
from maps.offline import STATIC_DIR, assets_installed, vendor_file
from maps.style import CLASS_COLOURS
from risk.labels import CLASS_LABELS, INDICATOR_LABELS

router = APIRouter(tags=["maps"])
static_router = APIRouter(include_in_schema=False)
DASHBOARD_DIR = STATIC_DIR / "dashboard"
DASHBOARD_FILES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
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
    policy = {"Content-Security-Policy": MAP_CSP}
    stored = principal.province is None and principal.read_rule() is None  # drawn exact
    if path.is_file() and lang == "vi" and not offline and stored:
        return HTMLResponse(path.read_text(encoding="utf-8"), headers=policy)
    return HTMLResponse(
        map_html(ws, loaded, lang=lang, offline=offline, province=principal.province),
        headers=policy,
    )


@static_router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The planners' dashboard: layers, weights, ranking, commune panel, plans, runs, downloads."""
    from maps import style
    from risk.labels import HOTSPOT_LABELS, KIND_LABELS, site_kind_label, words

    config = {  # ask for a key before the first request when one is needed
        "keys": keys_required(request, settings, Workspace(settings.workspace)),
        "words": {lang: words("dashboard", lang) for lang in ("vi", "en")},
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
