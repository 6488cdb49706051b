"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from this server's own copies, no internet.

Both are npm packages installed at set-up beside Leaflet (``npm ci --prefix maps/static``) and
served from ``maps/static/node_modules``; only the files the pages load are served. The pages
read ``/openapi.json``, the reference of the API. They hold no data, so they need no key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from geo.errors import NotFoundError
from maps.offline import VENDOR_DIR, OfflineAssetsError

router = APIRouter(include_in_schema=False)
ASSETS = "/docs/assets"
#: Every file the two pages load, by the path they ask for under ``/docs/assets``.
FILES = {
    "swagger-ui-dist/swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-dist/swagger-ui.css": "text/css",
    "swagger-ui-dist/favicon-32x32.png": "image/png",
    "redoc/bundles/redoc.standalone.js": "text/javascript",
}
FAVICON = f"{ASSETS}/swagger-ui-dist/favicon-32x32.png"
#: Remote files a bundle would load, replaced as it is served (ReDoc's sidebar logo is on a CDN).
OFFLINE = {
    "redoc/bundles/redoc.standalone.js": {
        "https://cdn.redoc.ly/redoc/logo-mini.svg": "data:image/svg+xml,"
        "%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E",
    }
}
TITLE = "riskmap API"


def _installed() -> Path:
    """The node_modules folder holding both pages' files; OfflineAssetsError with the fix if not."""
    missing = [name for name in FILES if not (VENDOR_DIR / name).is_file()]
    if missing:
        raise OfflineAssetsError(
            f"the API documentation pages need swagger-ui-dist and redoc, which are not installed "
            f"({missing[0]} is missing); run 'npm ci --prefix maps/static', then reload"
        )
    return VENDOR_DIR


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    """Swagger UI over ``/openapi.json``: try every operation from the browser."""
    _installed()
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=TITLE,
        swagger_js_url=f"{ASSETS}/swagger-ui-dist/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui-dist/swagger-ui.css",
        swagger_favicon_url=FAVICON,
        swagger_ui_parameters={"validatorUrl": None},  # no call to the public validator
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    """ReDoc over ``/openapi.json``: the reference as one readable page."""
    _installed()
    return get_redoc_html(
        openapi_url="/openapi.json",
        title=TITLE,
        redoc_js_url=f"{ASSETS}/redoc/bundles/redoc.standalone.js",
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )


@router.get(ASSETS + "/{name:path}")
def asset(name: str) -> Response:
    """One of the files in :data:`FILES`; nothing else of node_modules."""
    if name not in FILES:
        raise NotFoundError(f"no documentation asset {name!r}")
    path = _installed() / name
    if name in OFFLINE:
        return Response(_offline_text(path), media_type=FILES[name])
    return FileResponse(path, media_type=FILES[name])


@cache
def _offline_text(path: Path) -> str:
    """The text of ``path`` with the remote addresses of :data:`OFFLINE` made local."""
    text = path.read_text(encoding="utf-8")
    for remote, local in OFFLINE[str(path.relative_to(VENDOR_DIR))].items():
        text = text.replace(remote, local)
    return text
