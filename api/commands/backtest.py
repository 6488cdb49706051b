"""``riskmap backtest``: score with data before a year, measure against that year's counts."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.commands.progress import progress_bar, stage
from api.options import DEFAULT_WS, ProfileOpt, WorkspaceOpt, say
from geo.workspace import Workspace


def backtest(
    workspace: WorkspaceOpt = DEFAULT_WS,
    profile: ProfileOpt = "patrol",
    holdout_period: Annotated[
        int, typer.Option("--holdout-period", help="Year held out and predicted, e.g. 2025.")
    ] = 2025,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the random baseline and bootstrap.")] = 0,
) -> None:
    """Backtest a profile: PAI of its top 10 %/20 % communes against simple baselines."""
    from api.settings import get_settings
    from risk.pipeline import backtest_workspace
    from risk.profiles import load_profile

    ws = Workspace.open(workspace)
    engine = get_settings().zonal_engine
    chosen = load_profile(profile)
    with progress_bar() as progress, stage(progress, f"backtest on {holdout_period}"):
        result = backtest_workspace(ws, chosen, holdout_period, zonal_engine=engine, seed=seed)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    rows = {"model": result["model"], **result["baselines"]}
    say(f"backtest of {profile} on {holdout_period}: {result['events']} people recorded")
    for name, m in rows.items():
        pai = f"PAI top 10 % {m['pai_top10']:5.2f}  top 20 % {m['pai_top20']:5.2f}"
        say(f"  {name:<14} {pai}  hit rate top 10 % {m['hit_rate_top10']:.0%}")
    say(comparison_line(result["comparison"]))
    say(effort_line(result["enforcement"]))


def comparison_line(comparison: dict) -> str:
    """One line: the model against the strongest same-information baseline, over every year."""
    low, high = comparison["ci90"]
    ratio = comparison["ratio"]
    verdict = "beats it" if comparison["beats_best"] else "does not clearly beat it"
    years = ", ".join(map(str, comparison["years"]))
    return (
        f"  model / strongest baseline ({comparison['best_baseline']}) mean PAI top 10 % over "
        f"{years} = {'n/a' if ratio is None else f'{ratio:.2f}'} (90 % interval "
        f"{low:.2f}-{high:.2f}): the model {verdict}"
    )


def effort_line(view: dict) -> str:
    """One line on enforcement effort: not recorded, or how the model compares with it."""
    if not view["recorded"]:
        return f"  effort: {view['note']}"
    rho = view["spearman_effort_events"]
    line = f"  effort: ρ(effort, people recorded) = {'n/a' if rho is None else f'{rho:.2f}'}"
    ratio = view.get("model_vs_prior_effort_pai_top10")
    if ratio:
        line += (
            f"; model / last year's effort PAI top 10 % = {ratio['ratio']:.2f} "
            f"(90 % interval {ratio['low_90']:.2f}-{ratio['high_90']:.2f})"
        )
    return line
