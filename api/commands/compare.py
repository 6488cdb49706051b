"""``riskmap compare``: a stored run against another (a period, or the same period a year ago)."""

from __future__ import annotations

import json
from typing import Annotated

import pandas as pd
import typer

from api.commands.map import RunOpt
from api.options import DEFAULT_WS, LangOpt, WorkspaceOpt
from geo.workspace import Workspace

AgainstOpt = Annotated[
    str, typer.Option("--against", help="Run id to compare with (see 'riskmap runs').")
]
TopOpt = Annotated[
    int | None,
    typer.Option("--top", min=1, help="Top k whose entries and exits are listed (default: run's)."),
]
ExactOpt = Annotated[
    bool, typer.Option(help="Exact counts of people (default: small counts suppressed).")
]
#: Columns of the terminal tables: catalogue key (risk.words.compare) → frame column.
SHOWN = {
    "rank": "rank",
    "commune": "commune_name",
    "score": "score",
    "score_change": "score_change",
    "previous_rank": "previous_rank",
    "rank_change": "rank_change",
    "count_change": "repatriations_change",
}


def compare(
    against: AgainstOpt,
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="Profile of the run (its latest without --run).")
    ] = "patrol",
    run: RunOpt = None,
    top: TopOpt = None,
    exact: ExactOpt = False,
    lang: LangOpt = "vi",
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Compare a stored run with another: changes, risers, fallers, top k in and out."""
    from api.services.runs import compare_runs
    from risk.privacy import Suppression

    ws = Workspace.open(workspace)
    rule = None if exact else Suppression()
    pair = compare_runs(ws, against, run_id=run, profile=profile, top_k=top, rule=rule)
    if as_json:
        typer.echo(json.dumps(comparison_json(pair), ensure_ascii=False, indent=2))
        return
    _print_tables(pair, lang)


def comparison_json(pair) -> dict:
    """The comparison as JSON-ready data: both records' ids and the lists (nulls for gaps)."""
    c = pair.comparison

    def rows(frame: pd.DataFrame) -> list[dict]:
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    return {
        "run": _brief(pair.current),
        "against": _brief(pair.against),
        "top_k": c.top_k,
        "risers": rows(c.risers),
        "fallers": rows(c.fallers),
        "entering": rows(c.entering),
        "leaving": rows(c.leaving),
        "only_current": list(c.only_current),
        "only_previous": list(c.only_previous),
        "changes": rows(c.changes),
    }


def _brief(record) -> dict:
    return {
        "run_id": record.run_id,
        "profile": record.profile,
        "created_at": record.created_at,
        "as_of": getattr(record, "as_of", ""),
    }


def _print_tables(pair, lang: str) -> None:
    """Rich tables of the risers, fallers and the top k in and out, then the unmatched codes."""
    from rich.console import Console
    from rich.table import Table

    from risk.compare import comparison_label
    from risk.labels import word

    c, console = pair.comparison, Console()
    head = f"{pair.current.run_id} ({pair.current.profile}, {_as_of(pair.current, lang)})"
    console.print(f"{head} {comparison_label(pair.against.run_id, pair.against.as_of, lang)}")
    for key, frame in (
        ("risers", c.risers),
        ("fallers", c.fallers),
        ("entering", c.entering),
        ("leaving", c.leaving),
    ):
        table = Table(title=word(f"compare.{key}", lang).format(k=c.top_k), title_justify="left")
        cols = {k: v for k, v in SHOWN.items() if v in frame.columns}
        for k in cols:
            justify = "left" if k == "commune" else "right"
            table.add_column(word(f"compare.{k}", lang), justify=justify)
        for _, row in frame.iterrows():
            table.add_row(*(_cell(row[v], v.endswith("_change")) for v in cols.values()))
        console.print(table if len(frame) else f"{table.title}: {word('compare.none', lang)}")
    for key in ("only_current", "only_previous"):
        codes = getattr(c, key)
        if codes:
            console.print(f"{word(f'compare.{key}', lang)}: {', '.join(codes)}")


def _as_of(record, lang: str) -> str:
    from risk.compare import as_of_text

    return as_of_text(record.as_of or record.created_at[:10], lang)


def _cell(value, signed: bool) -> str:
    """A table cell: a dash for a gap, one decimal for a float, a sign on a change."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:+.1f}" if signed else f"{value:.1f}"
    return f"{value:+d}" if signed and isinstance(value, int) else str(value)
