"""Rendered maps (HTML) and a small landing page linking them."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep, WorkspaceDep
from geo.errors import NotFoundError
from risk.profiles import list_profiles, load_profile

router = APIRouter(tags=["maps"])


@router.get("/maps/{profile}", response_class=HTMLResponse)
def get_map(profile: str, ws: WorkspaceDep, settings: SettingsDep) -> HTMLResponse:
    """The interactive map of ``profile``'s latest run, as written by ``riskmap map``."""
    name = load_profile(profile, settings.profiles_dir).name
    path = ws.root / "maps" / f"{name}.html"
    if not path.is_file():
        raise NotFoundError(
            f"no map of profile \"{name}\" yet; draw it with 'riskmap map --profile {name}'"
        )
    return HTMLResponse(path.read_text(encoding="utf-8"))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(settings: SettingsDep) -> HTMLResponse:
    """Landing page: links to each profile's map and to the API docs."""
    links = "".join(
        f'<li><a href="/maps/{escape(p)}">{escape(p)}</a> · '
        f'<a href="/scores?profile={escape(p)}">GeoJSON</a></li>'
        for p in list_profiles(settings.profiles_dir)
    )
    return HTMLResponse(
        "<!doctype html><html lang='vi'><meta charset='utf-8'><title>riskmap</title>"
        "<body style='font-family:sans-serif;max-width:40em;margin:2em auto'>"
        "<h1>riskmap</h1><p>Bản đồ nguy cơ mua bán người theo xã · "
        "Commune-level trafficking-risk maps</p>"
        f"<h2>Bản đồ / Maps</h2><ul>{links}</ul>"
        "<p><a href='/docs'>API (OpenAPI)</a> · <a href='/health'>/health</a></p></body></html>"
    )
