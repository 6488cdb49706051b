"""Draw a stored run as an interactive map file, or export it for a report."""

from __future__ import annotations

import inspect
import logging
from contextlib import nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd

from geo.errors import RiskmapError
from geo.places import in_province, touching
from geo.workspace import Workspace, write_text_atomic
from maps.export import ExportRequest, RunInfo, write_export
from maps.folium_map import MapTitle, build_map, render_html
from maps.plan_layers import plan_frames
from maps.static_map import Stamp
from maps.style import OPTIONAL_LAYERS, text
from risk.compare import as_of_text, change_columns, comparison_label
from risk.pipeline import scored_communes
from risk.privacy import current_view, viewing
from risk.profiles import Profile
from risk.runs import ScoreRun
from risk.store import latest_plans, load_run, run_layer

FrameT = TypeVar("FrameT", bound=pd.DataFrame)
logger = logging.getLogger(__name__)
audit = logging.getLogger("riskmap.audit")


def in_current(ws: Workspace, frame: FrameT, province: str | None) -> FrameT:
    """Rows of ``frame`` whose commune is in ``province`` today (all when it is None).

    A run keeps the communes layer it scored; communes that moved to another province since
    are that province's now, so an old run's map or export follows today's membership.
    """
    if province is None:
        return frame
    codes = in_province(ws.read_layer("communes"), province)["commune_code"].astype(str)
    return frame[frame["commune_code"].astype(str).isin(set(codes))]


def layers_touching(
    layers: dict[str, gpd.GeoDataFrame], communes: gpd.GeoDataFrame, province: str | None
) -> dict[str, gpd.GeoDataFrame]:
    """Features of ``layers`` touching ``communes`` (all of them when ``province`` is None)."""
    if province is None:
        return layers
    return {name: touching(gdf, communes) for name, gdf in layers.items()}


def read_map_layers(ws: Workspace, run: ScoreRun) -> dict[str, gpd.GeoDataFrame]:
    """The optional layers a map draws that ``ws`` has, plus the run's latest stored plans."""
    layers = {n: f for n in OPTIONAL_LAYERS if (f := run_layer(ws, run.record, n)) is not None}
    plans = run_plan_layers(ws, run)
    return layers | {n: f for n, f in plans.items() if isinstance(f, gpd.GeoDataFrame)}


def run_plan_layers(ws: Workspace, run: ScoreRun) -> dict[str, pd.DataFrame]:
    """Layers of the newest stored plan of each kind made from ``run`` (maps.plan_layers).

    For a viewer (inside :func:`risk.privacy.viewing`) each stored plan is made again with its
    own parameters from the viewer variant of the run: stored plans were made from the exact
    scores, which viewers' maps and exports must not be computed from.
    """
    records = latest_plans(ws, run.record.run_id)
    if current_view() is not None:
        records = _replanned(ws, run, records)
    if not records:
        return {}
    communes = ws.read_layer("communes") if "outreach" in records else None
    return plan_frames(records, communes)


def _replanned(ws: Workspace, run: ScoreRun, records: dict[str, dict]) -> dict[str, dict]:
    """``records`` made again with their parameters from the run the caller may see."""
    from risk.plans.outreach import outreach_plan
    from risk.plans.patrol import patrol_plan
    from risk.plans.segments import segments_plan

    makers = {"patrol": patrol_plan, "outreach": outreach_plan, "segments": segments_plan}
    out = {}
    for kind, record in records.items():
        make = makers[kind]
        accepted = inspect.signature(make).parameters
        args = {k: v for k, v in record.get("parameters", {}).items() if k in accepted}
        try:
            out[kind] = make(ws, run.record.profile, run_id=run.record.run_id, **args).to_dict()
        except RiskmapError as err:  # e.g. a plan made from a layer of posts given as a file
            logger.info("%s plan of run %s left out for viewers: %s", kind, run.record.run_id, err)
    return out


def map_html(
    ws: Workspace,
    profile: Profile,
    *,
    run_id: str | None = None,
    lang: str = "vi",
    offline: bool = False,
    province: str | None = None,
) -> str:
    """A run's interactive map (default: the latest run), only ``province``'s communes if given."""
    run = load_run(ws, profile.name, run_id)
    communes = in_current(ws, run_layer(ws, run.record, "communes"), province)  # drawn: these
    places = ", ".join(sorted(communes["province_name"].astype(str).unique()))
    title = MapTitle(
        heading=f"{text('title', lang)} · {profile.title.get(lang, profile.name)} · {places}",
        run_id=run.record.run_id,
        note=text("synthetic", lang) if run.record.synthetic else "",
        date=run.record.created_at[:10],
    )
    layers = layers_touching(read_map_layers(ws, run), communes, province)
    m = build_map(communes, run.table, layers, title=title, lang=lang, offline=offline)
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
        return ws.write_text(ws.map_file(profile.name), html, actor=actor)
    return write_text_atomic(output, html)


def run_info(run: ScoreRun, profile: Profile, *, lang: str) -> RunInfo:
    """Stamp, weights and texts of ``run`` for an export in ``lang``."""
    record = run.record
    notes = [text("synthetic", lang)] if record.synthetic else []
    if getattr(record, "as_of", ""):
        notes.append(as_of_text(record.as_of, lang))
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
        rationale=profile.rationale_in(lang),
        heading=text("title", lang),
    )


def write_run_export(
    ws: Workspace,
    profile: Profile,
    output: Path,
    request: ExportRequest,
    *,
    run_id: str | None = None,
    province: str | None = None,
    actor: str = "cli",
    against: str | None = None,
) -> Path:
    """Export a stored run (default: the profile's latest) as ``request.fmt`` to ``output``.

    ``province`` limits the export to the communes in that province today (a scoped key's).
    An export with suppressed counts is drawn from the run's viewer variant (scored from the
    suppressed counts only), whoever asks; only an exact export uses the exact scores. The
    export is recorded in the audit trail with the small-count rule it used. ``against`` (a
    run id) adds :data:`risk.results.CHANGE_COLUMNS` against that run, read the same way.
    """
    with viewing(request.suppression) if request.suppression is not None else nullcontext():
        run = load_run(ws, profile.name, run_id)  # suppressed: the viewers' variant of the run
        scored = in_current(ws, scored_communes(ws, run), province)
        info = run_info(run, profile, lang=request.lang)
        if against is not None:
            scored, info = _compared(ws, scored, info, against, request.lang)
        names = ("border", "crossings")
        layers = {n: f for n in names if (f := run_layer(ws, run.record, n)) is not None}
        path = write_export(
            output,
            scored,
            layers_touching(layers, scored, province) | run_plan_layers(ws, run),
            request=request,
            info=replace(info, top_k=run.record.top_k or 10),
        )
    scope = request.province or province or ""
    runs = run.record.run_id + (f" against={against}" if against else "")
    _audit_export(profile, request, runs, scope, Path(output).name, actor)
    return path


def _compared(
    ws: Workspace, scored: gpd.GeoDataFrame, info: RunInfo, against: str, lang: str
) -> tuple[gpd.GeoDataFrame, RunInfo]:
    """``scored`` with the change columns against run ``against`` (as the caller may see it)."""
    other = load_run(ws, None, against)  # inside the caller's viewing(): the same variant
    changes = change_columns(scored, other.table.frame)
    label = comparison_label(other.record.run_id, getattr(other.record, "as_of", ""), lang)
    return scored.join(changes), replace(info, comparison=label)


def _audit_export(
    profile: Profile, request: ExportRequest, run_id: str, province: str, file: str, actor: str
) -> None:
    """Record an export in the audit trail with the small-count rule it used."""
    rule = request.suppression
    audit.info(
        "export %s.%s",
        profile.name,
        request.fmt,
        extra={
            "actor": actor,
            "endpoint": f"export {request.fmt}",
            "parameters": (
                f"run={run_id} province={province} "
                f"district={request.district or ''} top={request.top or ''} "
                f"counts={'exact' if rule is None else rule.describe()}"
            ),
            "file": file,
        },
    )
