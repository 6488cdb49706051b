"""Draw a stored run as an interactive map file."""

from __future__ import annotations

from pathlib import Path

from geo.workspace import Workspace, write_text_atomic
from maps.folium_map import MapTitle, build_map, render_html
from maps.style import text
from risk.pipeline import load_run
from risk.profiles import Profile

MAP_LAYERS = ("border", "crossings", "venues", "industrial_zones")


def write_map(
    ws: Workspace,
    profile: Profile,
    *,
    run_id: str | None = None,
    lang: str = "vi",
    output: Path | None = None,
    actor: str = "cli",
) -> Path:
    """Write a run's map (default: the profile's latest) to ``output`` or maps/<profile>.html."""
    run = load_run(ws, profile.name, run_id)
    communes = ws.read_layer("communes")
    layers = {name: ws.read_layer(name) for name in MAP_LAYERS if ws.has_layer(name)}
    province = ", ".join(sorted(communes["province_name"].astype(str).unique()))
    title = MapTitle(
        heading=f"{text('title', lang)} · {profile.title.get(lang, profile.name)} · {province}",
        run_id=run.record.run_id,
        note=text("synthetic", lang) if run.record.synthetic else "",
    )
    html = render_html(build_map(communes, run.table, layers, title=title, lang=lang))
    if output is None:
        return ws.write_text(Path("maps") / f"{profile.name}.html", html, actor=actor)
    return write_text_atomic(output, html)
