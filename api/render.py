"""Draw a stored run as an interactive map file, or export it for a report."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.workspace import Workspace, write_text_atomic
from maps.export import ExportRequest, RunInfo, write_export
from maps.folium_map import MapTitle, build_map, render_html
from maps.static_map import Stamp
from maps.style import text
from risk.pipeline import ScoreRun, load_run, scored_communes
from risk.profiles import Profile

logger = logging.getLogger(__name__)
MAP_LAYERS = ("border", "crossings", "venues", "industrial_zones")


def read_map_layers(ws: Workspace, run: ScoreRun) -> dict[str, gpd.GeoDataFrame]:
    """The optional layers a map draws that ``ws`` has, plus the run's latest stored plan."""
    layers = {name: ws.read_layer(name) for name in MAP_LAYERS if ws.has_layer(name)}
    plan = latest_plan(ws, run.record.run_id)
    if plan is not None:
        layers["plan"] = plan
    return layers


def latest_plan(ws: Workspace, run_id: str) -> gpd.GeoDataFrame | None:
    """Sites of the newest plan stored for ``run_id`` (name, kind, radius_km), or None."""
    folder = ws.root / "runs" / run_id / "plans"
    files = (
        sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    )
    if not files:
        return None
    record = ws.read_json(files[-1].relative_to(ws.root))
    sites = pd.DataFrame(record.get("bases") or record.get("communes") or [])
    if sites.empty:
        return None
    radius = (
        (record.get("parameters") or {}).get("radius_km", 0.0)
        if record.get("kind") == "patrol"
        else 0.0
    )
    return gpd.GeoDataFrame(
        sites.assign(radius_km=radius),
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=4326,
    )


def map_html(
    ws: Workspace,
    profile: Profile,
    *,
    run_id: str | None = None,
    lang: str = "vi",
    offline: bool = False,
) -> str:
    """A run's interactive map (default: the profile's latest run) as one HTML document."""
    run = load_run(ws, profile.name, run_id)
    communes = ws.read_layer("communes")
    province = ", ".join(sorted(communes["province_name"].astype(str).unique()))
    title = MapTitle(
        heading=f"{text('title', lang)} · {profile.title.get(lang, profile.name)} · {province}",
        run_id=run.record.run_id,
        note=text("synthetic", lang) if run.record.synthetic else "",
        date=run.record.created_at[:10],
    )
    m = build_map(
        communes, run.table, read_map_layers(ws, run), title=title, lang=lang, offline=offline
    )
    return render_html(m, offline=offline)


def write_map(
    ws: Workspace,
    profile: Profile,
    *,
    run_id: str | None = None,
    lang: str = "vi",
    output: Path | None = None,
    offline: bool = False,
    actor: str = "cli",
) -> Path:
    """Write a run's map to ``output`` or maps/<profile>.html (offline: no internet needed)."""
    html = map_html(ws, profile, run_id=run_id, lang=lang, offline=offline)
    if output is None:
        return ws.write_text(Path("maps") / f"{profile.name}.html", html, actor=actor)
    return write_text_atomic(output, html)


def run_info(run: ScoreRun, profile: Profile, *, lang: str) -> RunInfo:
    """Stamp, weights and texts of ``run`` for an export in ``lang``."""
    record = run.record
    notes = [text("synthetic", lang)] if record.synthetic else []
    stamp = Stamp(
        run_id=record.run_id,
        profile=record.profile,
        weights_hash=record.weights_hash,
        layer_versions=dict(record.layer_versions),
        date=date.today().isoformat(),
        notes=[*notes, f"code {record.code_version}"],
    )
    return RunInfo(
        stamp=stamp,
        weights=dict(record.weights),
        profile_title=profile.title.get(lang, profile.name),
        rationale=profile.rationale,
        heading=text("title", lang),
    )


def write_run_export(
    ws: Workspace,
    profile: Profile,
    output: Path,
    request: ExportRequest,
    *,
    run_id: str | None = None,
) -> Path:
    """Export a stored run (default: the profile's latest) as ``request.fmt`` to ``output``."""
    run = load_run(ws, profile.name, run_id)
    layers = {name: ws.read_layer(name) for name in ("border", "crossings") if ws.has_layer(name)}
    return write_export(
        output,
        scored_communes(ws, run),
        layers,
        request=request,
        info=run_info(run, profile, lang=request.lang),
    )
