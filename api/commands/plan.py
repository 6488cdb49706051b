"""``riskmap plan patrol|outreach|segments``: bases, outreach communes, border segments.

Defaults come from the request classes of :mod:`risk.plans.requests`, the same the API uses.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api.commands.progress import progress_bar, stage
from api.logs import audit_to
from api.options import DEFAULT_WS, WorkspaceOpt, say
from geo.progress import reporting
from geo.workspace import Workspace
from risk.plans.requests import DEMAND_RULES, OutreachRequest, PatrolRequest, SegmentsRequest

app = typer.Typer(help="Turn a stored run into a patrol or outreach plan.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the plan as JSON on stdout.")]
RunOpt = Annotated[str | None, typer.Option(help="Run id (default: the profile's latest).")]
DrawsOpt = Annotated[
    int, typer.Option(help="Weight draws to say how often each choice stays (0: skip).")
]
SeedOpt = Annotated[int, typer.Option(help="Seed of the weight draws (and exploration).")]
#: Rows of a ranking printed as text (the JSON has them all).
SHOW = 10
#: ``--demand RULE``: one of the demand rules; a bad value exits 2 listing the choices.
Demand = StrEnum("Demand", {rule: rule for rule in DEMAND_RULES})
DemandOpt = Annotated[
    Demand, typer.Option(help="What a commune weighs in the plan (docs/method.md, 'Plan demand').")
]
PATROL_DEMAND, OUTREACH_DEMAND = Demand(PatrolRequest.demand), Demand(OutreachRequest.demand)


@app.command("patrol")
def patrol(
    workspace: WorkspaceOpt = DEFAULT_WS,
    k: Annotated[int, typer.Option(help="Number of patrol bases.")] = PatrolRequest.k,
    radius_km: Annotated[
        float, typer.Option(help="Reach of a base, km (straight line).")
    ] = PatrolRequest.radius_km,
    profile: Annotated[str, typer.Option("--profile", "-p")] = PatrolRequest.profile,
    method: Annotated[str, typer.Option(help="greedy or exact.")] = PatrolRequest.method,
    candidates: Annotated[
        str, typer.Option(help="crossings, communes, crossings+communes, or a layer name.")
    ] = PatrolRequest.candidates,
    demand: DemandOpt = PATROL_DEMAND,
    explore_share: Annotated[
        float, typer.Option(help="Share of the bases (0-0.5) placed away from the top decile.")
    ] = PatrolRequest.explore_share,
    run: RunOpt = None,
    draws: DrawsOpt = PatrolRequest.draws,
    seed: SeedOpt = PatrolRequest.seed,
    as_json: JsonOpt = False,
) -> None:
    """Choose k patrol bases that cover the most risk within a radius."""
    from risk.plans.patrol import patrol_plan

    ws = Workspace.open(workspace)
    sites = ws.read_layer(candidates) if ws.has_layer(candidates) else candidates
    with progress_bar() as progress, reporting(progress), stage(progress, "patrol plan"):
        plan = patrol_plan(
            ws,
            profile,
            k=k,
            radius_km=radius_km,
            method=method,
            candidates=sites,
            demand=str(demand),
            explore_share=explore_share,
            run_id=run,
            draws=draws,
            seed=seed,
        )
    _finish(ws, plan, as_json)


@app.command("outreach")
def outreach(
    budget: Annotated[float, typer.Option(help="Budget, in the unit of the costs.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: Annotated[str, typer.Option("--profile", "-p")] = OutreachRequest.profile,
    fixed_cost: Annotated[
        float, typer.Option(help="Cost per commune reached.")
    ] = OutreachRequest.fixed_cost,
    cost_per_1000: Annotated[
        float, typer.Option(help="Extra cost per 1,000 people.")
    ] = OutreachRequest.cost_per_1000,
    cost_column: Annotated[str | None, typer.Option(help="Communes column with costs.")] = None,
    per_district: Annotated[
        bool, typer.Option(help="At least one commune per district.")
    ] = OutreachRequest.per_district,
    explore_share: Annotated[
        float, typer.Option(help="Share of the budget (0-0.5) for communes drawn at random.")
    ] = OutreachRequest.explore_share,
    demand: DemandOpt = OUTREACH_DEMAND,
    seed: SeedOpt = OutreachRequest.seed,
    run: RunOpt = None,
    draws: DrawsOpt = OutreachRequest.draws,
    as_json: JsonOpt = False,
) -> None:
    """Choose the communes a budget reaches with the most risk-weighted vulnerable people."""
    from risk.plans.outreach import outreach_plan

    ws = Workspace.open(workspace)
    with progress_bar() as progress, reporting(progress), stage(progress, "outreach plan"):
        plan = outreach_plan(
            ws,
            profile,
            budget=budget,
            fixed_cost=fixed_cost,
            cost_per_1000=cost_per_1000,
            cost_column=cost_column,
            per_district=per_district,
            explore_share=explore_share,
            seed=seed,
            demand=str(demand),
            run_id=run,
            draws=draws,
        )
    _finish(ws, plan, as_json)


@app.command("segments")
def segments(
    workspace: WorkspaceOpt = DEFAULT_WS,
    length_km: Annotated[
        float, typer.Option(help="Length of a border segment, km.")
    ] = SegmentsRequest.length_km,
    reach_km: Annotated[
        float, typer.Option(help="Communes within this distance of a segment count, km.")
    ] = SegmentsRequest.reach_km,
    profile: Annotated[str, typer.Option("--profile", "-p")] = SegmentsRequest.profile,
    run: RunOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cut the border into segments and rank them, and the crossings, by the risk around them."""
    from risk.plans.segments import segments_plan

    ws = Workspace.open(workspace)
    plan = segments_plan(ws, profile, length_km=length_km, reach_km=reach_km, run_id=run)
    path = _store(ws, plan, as_json)
    for seg in plan.segments[:SHOW]:
        say(
            f"  {seg['rank']}. segment {seg['segment']} ({seg['kind']}, km {seg['start_km']:.1f}-"
            f"{seg['end_km']:.1f}): score {seg['score']:.0f}, {seg['communes']} communes in reach"
            + (f", crossings: {seg['crossing_names']}" if seg["crossing_names"] else "")
        )
    for x in plan.crossings[:SHOW]:
        say(f"  crossing {x['rank']}. {x['name']} ({x['kind']}): score {x['score']:.0f}")
    for note in plan.notes:
        say(f"  note: {note}")
    say(
        f"{len(plan.segments)} segments of {length_km:g} km and {len(plan.crossings)} crossings "
        f"ranked; stored in {Path(ws.root) / path}"
    )


def _store(ws: Workspace, plan, as_json: bool) -> str:
    from risk.store import save_plan

    with audit_to(ws.root):
        path = save_plan(ws, plan)
    if as_json:
        typer.echo(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
    return path


def _finish(ws: Workspace, plan, as_json: bool) -> None:
    path = _store(ws, plan, as_json)
    for site in plan.sites:
        kept = "" if site.frequency is None else f", in the plan in {site.frequency:.0%} of draws"
        say(f"  {site.name} ({site.kind}): +{site.added_share:.1%}{kept}")
    base = (
        ""
        if plan.baseline_covered_share is None
        else f" (top-k communes baseline: {plan.baseline_covered_share:.1%})"
    )
    rule = plan.parameters.get("demand", "score")
    say(
        f"{plan.kind} plan covers {plan.covered_share:.1%} of the total demand ({rule}){base}; "
        f"stored in {Path(ws.root) / path}"
    )
    for line in _quality(plan):
        say(f"  {line}")


def _quality(plan) -> list[str]:
    """The plan's own quality: gap to the optimum, top-decile reach, what more budget buys."""
    lines = []
    if plan.gap_to_exact is not None:
        lines.append(
            f"optimum {plan.exact_covered_share:.1%}, gap to it {plan.gap_to_exact:.1%} points"
        )
    if plan.top_decile_reached is not None:
        lines.append(
            f"top-decile communes reached: {plan.top_decile_reached:.0%}; bases near one: "
            f"{plan.bases_near_top_decile} of {len(plan.sites)}"
        )
    if plan.marginal_unit is not None:
        lines.append(
            f"{plan.marginal_unit:,.2f} more budget (the cheapest commune's cost) would add "
            f"{plan.marginal_value:,.0f} to the value (people at risk)"
        )
    return lines
