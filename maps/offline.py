"""Third-party map assets (Leaflet and plugins) installed by npm, inlined into offline maps.

The assets are never committed: ``npm ci --prefix maps/static`` (run by ``make install``)
installs the versions pinned in ``maps/static/package-lock.json`` into ``maps/static/node_modules``.
An offline map is the normal HTML with every CDN ``<script>``/``<link>`` replaced by the file's
content, and every image or font a stylesheet refers to turned into a ``data:`` URI. A map the
API serves points the same tags at the server's own copies (``/vendor/<package>/<file>``,
:func:`serve_locally`): one table, :data:`ASSETS`, says where each CDN file lives.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

from geo.errors import RiskmapError

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "node_modules"

#: A CDN file (the last part of its URL) → its copy under node_modules; None: not needed offline.
ASSETS: dict[str, str | None] = {
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
    "jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "all.min.css": "@fortawesome/fontawesome-free/css/all.min.css",
    "leaflet.awesome-markers.js": "leaflet.awesome-markers/dist/leaflet.awesome-markers.min.js",
    "leaflet.awesome-markers.css": "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
    "leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "leaflet.featuregroup.subgroup.js": (
        "leaflet.featuregroup.subgroup/dist/leaflet.featuregroup.subgroup.js"
    ),
    "Control.FullScreen.min.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet-measure.min.js": "leaflet-measure/dist/leaflet-measure.js",
    "leaflet-measure.min.css": "leaflet-measure/dist/leaflet-measure.css",
    "Control.MiniMap.js": "leaflet-minimap/dist/Control.MiniMap.min.js",
    "Control.MiniMap.css": "leaflet-minimap/dist/Control.MiniMap.min.css",
    "leaflet-search.min.js": "leaflet-search/dist/leaflet-search.min.js",
    "leaflet-search.min.css": "leaflet-search/dist/leaflet-search.min.css",
    # Bootstrap 3 glyphicons and icon rotation: riskmap uses Font Awesome icons, unrotated.
    "bootstrap-glyphicons.css": None,
    "leaflet.awesome.rotate.min.css": None,
}

#: npm packages whose files the dashboard may load from ``/vendor/``.
SERVED_PACKAGES = frozenset(
    "/".join(path.split("/")[: 2 if path.startswith("@") else 1])
    for path in ASSETS.values()
    if path
)

_SCRIPT = re.compile(r'<script src="(https?://[^"]+)"></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")
_TTF_SOURCE = re.compile(r',\s*url\([^)]*\.ttf\)\s*format\("truetype"\)')
_REMOTE_LOAD = re.compile(
    r'<(?:script|img|iframe|link)\b[^>]*?\s(?:src|href)="(https?://[^"]+)"'
    r"|url\(([\"']?)(https?://[^)\"']+)"
    r'|L\.tileLayer\(\s*"(https?://[^"]+)"'
)


class OfflineAssetsError(RiskmapError):
    """The map assets needed for an offline map are not installed, or a remote load is left."""


def assets_installed() -> bool:
    """Whether ``npm ci --prefix maps/static`` has installed the map assets."""
    return all((VENDOR_DIR / path).is_file() for path in ASSETS.values() if path)


def require_assets() -> None:
    """Raise :class:`OfflineAssetsError` with the install command if assets are missing."""
    missing = [path for path in ASSETS.values() if path and not (VENDOR_DIR / path).is_file()]
    if missing:
        raise OfflineAssetsError(
            f"offline maps need Leaflet and its plugins, which are not installed ({missing[0]} "
            f"is missing from {VENDOR_DIR}); run 'make install' or "
            "'npm ci --prefix maps/static' (needs node and npm), then try again"
        )


def make_offline(html: str) -> str:
    """``html`` with every CDN script and stylesheet inlined; no remote load is left."""
    require_assets()
    html = _SCRIPT.sub(lambda m: _inline_script(m.group(1)), html)
    html = _LINK.sub(lambda m: _inline_style(m.group(1)), html)
    left = remote_loads(html)
    if left:
        raise OfflineAssetsError(f"the offline map would still load {left[0]} from the internet")
    return html


def serve_locally(html: str, *, root: str = "") -> str:
    """``html`` loading every CDN script and stylesheet from ``{root}/vendor/`` and its favicon.

    For a map served by the API (see ``api.routes.maps``): the page then loads nothing from
    the internet but its background tiles; stylesheets' fonts and images follow, as their
    ``url()`` references are relative to the stylesheet's own copy.
    """
    require_assets()
    html = _SCRIPT.sub(lambda m: _local_tag(m.group(1), root, _SCRIPT_TAG), html)
    html = _LINK.sub(lambda m: _local_tag(m.group(1), root, _STYLE_TAG), html)
    icon = f'<link rel="icon" type="image/svg+xml" href="{root}/favicon.ico">'
    return html.replace("<head>", f"<head>\n    {icon}", 1)


def _local_tag(url: str, root: str, tag: str) -> str:
    path = asset_file(url)
    if path is None:
        return ""
    return tag.format(f"{root}/vendor/{path.relative_to(VENDOR_DIR).as_posix()}")


_SCRIPT_TAG = '<script src="{}"></script>'
_STYLE_TAG = '<link rel="stylesheet" href="{}"/>'


def remote_loads(html: str) -> list[str]:
    """URLs a page would fetch from the internet (script/link/img sources, CSS urls, tiles)."""
    return [m.group(1) or m.group(3) or m.group(4) for m in _REMOTE_LOAD.finditer(html)]


def asset_file(url: str) -> Path | None:
    """The installed copy of the CDN file ``url``; None if riskmap does not need it offline."""
    name = url.rsplit("/", 1)[-1].split("?")[0]
    if name not in ASSETS:
        raise OfflineAssetsError(
            f"no offline copy of {url}; add it to maps/static/package.json and maps.offline.ASSETS"
        )
    path = ASSETS[name]
    return None if path is None else VENDOR_DIR / path


def vendor_file(relpath: str) -> Path:
    """A file of an allowed npm package under node_modules; OfflineAssetsError if not allowed."""
    path = (VENDOR_DIR / relpath).resolve()
    allowed = any(path.is_relative_to(VENDOR_DIR / pkg) for pkg in SERVED_PACKAGES)
    if not allowed or not path.is_file():
        raise OfflineAssetsError(f"no map asset {relpath!r} is installed")
    return path


def _inline_script(url: str) -> str:
    path = asset_file(url)
    if path is None:
        return ""
    code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"<script>/* {path.relative_to(VENDOR_DIR)} */\n{code}\n</script>"


def _inline_style(url: str) -> str:
    path = asset_file(url)
    if path is None:
        return ""
    return f"<style>/* {path.relative_to(VENDOR_DIR)} */\n{inline_css(path)}\n</style>"


def inline_css(path: Path) -> str:
    """The stylesheet at ``path`` with its images and fonts as ``data:`` URIs (WOFF2 only)."""
    css = _TTF_SOURCE.sub("", path.read_text(encoding="utf-8"))

    def data_uri(match: re.Match) -> str:
        ref = match.group(2).split("?")[0].split("#")[0]
        if not ref or match.group(2).startswith(("data:", "#")):
            return match.group(0)
        target = (path.parent / ref).resolve()
        if not target.is_file():
            raise OfflineAssetsError(f"{path.name} refers to {ref}, which is not installed")
        mime = mimetypes.guess_type(target.name)[0] or _FONT_TYPES.get(target.suffix, "")
        payload = base64.b64encode(target.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{payload}")'

    return _CSS_URL.sub(data_uri, css)


_FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf"}
