"""Stored runs and plans: the adapter that saves, lists and reloads them through the workspace.

A run is ``record.json`` + ``scores.csv``; its plans are JSON records beside it (the paths
are :class:`geo.workspace.Workspace`'s). The record is written last and marks a run complete.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections import OrderedDict
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.errors import NotFoundError
from geo.workspace import RECORD, Workspace
from risk.errors import AsOfRunError
from risk.privacy import Suppression, current_view
from risk.results import RunRecord, ScoreTable
from risk.runs import ScoreRun

if TYPE_CHECKING:
    from risk.plans.records import Plan
    from risk.plans.segments import SegmentPlan

#: Record fields stored as JSON lists but held as tuples.
_TUPLES = ("breaks", "notes", "quality")
#: Text parameters short and plain enough to go into a plan's file name.
TOKEN = r"[A-Za-z0-9_+.]{1,40}"
PLAN_KINDS = ("patrol", "outreach", "segments")


def save_run(ws: Workspace, run: ScoreRun, *, actor: str = "cli") -> None:
    """Store a run's table, then its record (which marks it complete)."""
    run_id = run.record.run_id
    for key, view in run.views.items():
        scores = view.table.frame.to_csv(index=False)
        ws.write_text(ws.run_file(run_id, f"view-{key}.csv"), scores, actor=actor)
        ws.write_json(ws.run_file(run_id, f"view-{key}.json"), asdict(view.record), actor=actor)
    scores = run.table.frame.to_csv(index=False)
    ws.write_text(ws.run_file(run_id, "scores.csv"), scores, actor=actor)
    ws.write_json(ws.run_file(run_id, RECORD), asdict(run.record), actor=actor)


def list_runs(ws: Workspace) -> list[RunRecord]:
    """Every completed run in ``ws``, oldest first.

    A viewer's (inside :func:`risk.privacy.viewing`): only runs over all records (no as-of
    runs, which are for analysts), each as scored for the viewer's rule, where it can be.
    """
    records = _records(ws)
    rule = current_view()
    if rule is not None:
        records = [
            v.record
            for r in records
            if not r.as_of and (v := _viewer_variant(ws, r, rule)) is not None
        ]
    return sorted(records, key=lambda r: (r.created_at, r.run_id))


def _records(ws: Workspace) -> list[RunRecord]:
    """The records of every completed run in ``ws`` (stored order)."""
    return [_record_of(ws.read_json(path)) for path in ws.run_records()]


def _refuse_as_of(ws: Workspace, run_id: str) -> None:
    """Refuse a suppressed read of run ``run_id`` when it is an as-of run (analysts' only)."""
    if any(r.run_id == run_id and r.as_of for r in _records(ws)):
        raise AsOfRunError(
            f"run {run_id} is an as-of run (scored from the records known by a past date); "
            "as-of runs are for analysts and show exact counts only: ask for exact counts "
            "with an analyst key (exact=true on exports, --exact in the CLI), or use runs over "
            "all records"
        )


def _viewer_variant(ws: Workspace, record: RunRecord, rule: Suppression) -> ScoreRun | None:
    """``record``'s run as ``rule``'s viewers get it: stored, else scored now from current data.

    None when it was not stored and the workspace's layers have changed since the run.
    """
    path = ws.run_file(record.run_id, f"view-{rule.key}.json")
    if ws.path(path).is_file():
        view = _record_of(ws.read_json(path))
        return ScoreRun(view, _table(ws, view, f"view-{rule.key}.csv"))
    from risk.pipeline import viewer_variant  # the pipeline saves runs through this module

    return viewer_variant(ws, record, rule)


#: Parsed score tables by (path, inode, mtime, size): a national one parses in ~0.1 s.
_tables: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_tables_lock = threading.Lock()


def _table(ws: Workspace, record: RunRecord, name: str) -> ScoreTable:
    """The stored score table ``name`` of ``record``'s run (a copy: callers may change it)."""
    relpath = ws.run_file(record.run_id, name)
    frame = _parsed(ws, relpath).copy()
    return ScoreTable(
        frame, record.weights, record.breaks, record.notes, record.quality, record.treatments
    )


def _parsed(ws: Workspace, relpath: str | Path) -> pd.DataFrame:
    """The CSV ``relpath`` parsed, kept while the file is the same (writers replace files)."""
    path = ws.path(relpath)
    key = (str(path), *_stat(path))
    with _tables_lock:
        if key in _tables:
            _tables.move_to_end(key)
            return _tables[key]
    text = ws.read_text(relpath)
    frame = pd.read_csv(io.StringIO(text), dtype={"commune_code": str, "hotspot": str})
    if _stat(path) == key[1:]:  # not replaced while it was read
        with _tables_lock:
            _tables[key] = frame
            while len(_tables) > 8:
                _tables.popitem(last=False)
    return frame


def _stat(path: Path) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except FileNotFoundError:  # read_text says so in its own words
        return (-1, -1, -1)
    return st.st_ino, st.st_mtime_ns, st.st_size


def _record_of(data: dict[str, Any]) -> RunRecord:
    """A run record from its stored JSON (unknown keys ignored, lists back to tuples)."""
    known = {f.name for f in fields(RunRecord)}
    return RunRecord(**{k: tuple(v) if k in _TUPLES else v for k, v in data.items() if k in known})


def load_run(ws: Workspace, profile: str | None, run_id: str | None = None) -> ScoreRun:
    """The run ``run_id`` (of any profile if ``profile`` is None), or the latest of ``profile``.

    The latest is the latest run over today's records (``as_of`` ""): a backdated as-of run is
    never served by default, only when asked for by id.

    Inside :func:`risk.privacy.viewing` (a viewer's request) it is the run's viewer variant for
    that rule, scored only from what the rule's viewers may see; a run stored without one is
    scored for them on demand while the workspace's layers are those it scored, and is not
    there for viewers after they change (:func:`list_runs`).

    Raises
    ------
    NotFoundError
        If there is no such run.
    AsOfRunError
        If a suppressed read (a viewer's) names an as-of run.
    """
    if run_id is not None and current_view() is not None:
        _refuse_as_of(ws, run_id)
    runs = [
        r
        for r in list_runs(ws)
        if profile in (None, r.profile)
        and (r.run_id == run_id if run_id is not None else not r.as_of)
    ]
    if not runs:
        what = f"run {run_id}" if run_id else "run"
        of = f' of profile "{profile}"' if profile else ""
        hint = "list them with 'riskmap runs'"
        if profile and not run_id:
            hint = f"score it first with 'riskmap score --profile {profile}'"
        raise NotFoundError(f"no {what}{of} in workspace {ws.root}; {hint}")
    record, rule = runs[-1], current_view()
    if rule is None:
        return ScoreRun(record, _table(ws, record, "scores.csv"))
    view = _viewer_variant(ws, record, rule)  # list_runs kept only the runs that have one
    if view is None:
        raise NotFoundError(f"run {record.run_id} changed while it was read; ask again")
    return view


def run_layer(ws: Workspace, record: RunRecord, name: str) -> pd.DataFrame | None:
    """Layer ``name`` as the run scored it (its recorded version, archived if since replaced).

    None when the run had no such layer, so a re-drawn run never shows a layer added later.
    """
    version = record.layer_versions.get(name)
    return None if version is None else ws.read_layer(name, version)


def save_plan(ws: Workspace, plan: Plan | SegmentPlan, *, actor: str = "cli") -> str:
    """Store ``plan`` beside the run it came from; return its path inside the workspace."""
    params = "-".join(
        f"{k}{v}"
        for k, v in sorted(plan.parameters.items())
        if isinstance(v, int | float | bool) or (isinstance(v, str) and re.fullmatch(TOKEN, v))
    )
    path = ws.plan_file(plan.run_id, f"{plan.kind}-{params}.json")
    ws.write_json(path, plan.to_dict(), actor=actor)
    return path.as_posix()


def latest_plans(ws: Workspace, run_id: str) -> dict[str, dict[str, Any]]:
    """The newest stored plan of each kind (patrol, outreach, segments) made from ``run_id``."""
    records: dict[str, dict[str, Any]] = {}
    for path in ws.plan_files(run_id):
        record = ws.read_json(path)
        if isinstance(record, dict) and record.get("kind") in PLAN_KINDS:
            records[record["kind"]] = record
    return records
