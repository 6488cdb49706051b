"""Plans on real commune geometry under each demand rule of :mod:`risk.demand` (issue 12, item 5).

``python -m benchmarks.plan_demand [--realdata GPKG] [--seeds 5] [--no-write]`` builds, for each
of the three real provinces of ``vn2009_dev_provinces.gpkg``, a workspace from the real communes
(``population_2009`` as population) and the real land border, with synthetic crossings placed
on the border and synthetic repatriation counts (seeded), scores it with the patrol and outreach
profiles, and measures the patrol plan (k = 5, 15 km, greedy and exact, candidates = crossings +
commune centres, outline coverage), the outreach plan (5 % of the cost of reaching everyone) and
the 5 top border segments under each rule. Writes ``benchmarks/plan_demand.json``.

The real communes carry 7-digit census codes; the layer contract accepts only 5-digit GSO codes
today, so the workspace gets codes 10001, 10002, ... in census-code order (the census code is
kept in ``census_code``). Synthetic parts: crossing positions and kinds, and repatriations drawn
as Poisson counts at 1 + 9 × exp(-distance to the border / 15 km) per 10,000 people a year.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from risk.demand import (
    DEFAULT_RULE,
    RULES,
    coverage_matrix,
    demand_weights,
    eligible_sites,
    priority_communes,
    reach,
    top_communes,
)
from risk.plans.covering import max_cover, select_under_budget

#: ``../shared/realdata`` beside the clone (or beside the folder of worktrees).
REALDATA = next(
    (
        p
        for root in Path(__file__).resolve().parents[1:3]
        if (p := root.parent / "shared" / "realdata" / "vn2009_dev_provinces.gpkg").is_file()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "realdata" / "vn2009_dev_provinces.gpkg",
)
RESULTS = Path(__file__).with_name("plan_demand.json")
K, RADIUS_KM = 5, 15.0
CROSSING_KINDS = ("international", "main", "secondary", "opening", "trail")
#: One synthetic crossing per this many km of border (at least 4 per province).
KM_PER_CROSSING = 25.0
#: Border lines this close to a province's communes are its border, km (the line lies 1-8 km off).
BORDER_NEAR_KM = 10.0
#: Outreach rules: the area rule has no meaning for reaching people.
OUTREACH_RULES = ("score", "above_threshold", "top_first", "expected_events")


def realdata_path(path: Path | None = None) -> Path | None:
    """The real-geometry GeoPackage, or None when this clone has none beside it."""
    path = path or REALDATA
    return path if path.is_file() else None


def read_realdata(path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The real communes and land border lines (EPSG:4326)."""
    return gpd.read_file(path, layer="communes"), gpd.read_file(path, layer="land_border")


def province_layers(
    communes: gpd.GeoDataFrame, border: gpd.GeoDataFrame, province: str, *, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Layers of ``province``: real communes and border, synthetic crossings and counts."""
    rng = np.random.default_rng(seed)
    mine = communes[communes["province_name"] == province].sort_values("commune_code")
    frame = gpd.GeoDataFrame(
        {
            "commune_code": [f"{10001 + i}" for i in range(len(mine))],
            "census_code": mine["commune_code"].astype(str).to_numpy(),
            "commune_name": mine["commune_name"].to_numpy(),
            "district_name": mine["district_name"].to_numpy(),
            "province_name": province,
            "population": mine["population_2009"].to_numpy(dtype=float),
        },
        geometry=mine.geometry.to_numpy(),
        crs=mine.crs,
    )
    metric = frame.to_crs(frame.estimate_utm_crs())
    country = str(mine["border_neighbour"].iloc[0])
    line = _province_border(metric, border[border["neighbour"] == country])
    return {
        "communes": frame,
        "border": gpd.GeoDataFrame(
            {"country": [country], "kind": ["land"]}, geometry=[line], crs=metric.crs
        ).to_crs(4326),
        "crossings": _crossings(line, metric.crs, rng).to_crs(4326),
        "repatriations": _repatriations(metric, line, rng),
    }


def _province_border(metric: gpd.GeoDataFrame, border: gpd.GeoDataFrame):
    """The border lines within ``BORDER_NEAR_KM`` of the province, merged (metric CRS)."""
    near = shapely.union_all(metric.geometry.values).buffer(BORDER_NEAR_KM * 1000)
    lines = shapely.union_all(border.to_crs(metric.crs).geometry.values)
    return shapely.line_merge(shapely.intersection(lines, near))


def _crossings(line, crs, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Seeded crossings spread along ``line``: one per ``KM_PER_CROSSING`` km, at least 4."""
    parts = list(getattr(line, "geoms", [line]))
    ends = np.cumsum([p.length for p in parts])
    n = max(4, round(ends[-1] / 1000 / KM_PER_CROSSING))
    points = []
    for at in np.sort(rng.uniform(0, ends[-1], n)):
        j = min(int(np.searchsorted(ends, at, side="right")), len(parts) - 1)
        points.append(parts[j].interpolate(at - (ends[j] - parts[j].length)))
    return gpd.GeoDataFrame(
        {"name": [f"Crossing {i + 1}" for i in range(n)], "kind": rng.choice(CROSSING_KINDS, n)},
        geometry=points,
        crs=crs,
    )


def _repatriations(metric: gpd.GeoDataFrame, line, rng: np.random.Generator) -> pd.DataFrame:
    """Poisson counts for 2021-2023, higher near the border (synthetic, see the module doc)."""
    km = shapely.distance(metric.geometry.values, line) / 1000
    rate = (1 + 9 * np.exp(-km / 15)) / 10_000
    people = metric["population"].to_numpy(dtype=float)
    rows = [
        {"commune_code": code, "period": str(year), "count": int(n), "category": "victim_returned"}
        for year in (2021, 2022, 2023)
        for code, n in zip(metric["commune_code"], rng.poisson(rate * people), strict=True)
        if n > 0
    ]
    return pd.DataFrame(rows)


def scored_province(
    root: Path, layers: dict[str, pd.DataFrame], profiles: tuple[str, ...] = ("patrol", "outreach")
) -> dict[str, Any]:
    """Store ``layers`` in a new workspace at ``root`` and score both profiles; plan inputs."""
    from geo.workspace import Workspace
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile

    ws = Workspace.init(root)
    ws.write_layers(layers, source="realdata benchmark", actor="bench")
    runs = {p: score_workspace(ws, load_profile(p), store=False) for p in profiles}
    communes = layers["communes"]
    metric = communes.to_crs(communes.estimate_utm_crs())
    for run in runs.values():
        codes = run.table.frame["commune_code"].astype(str).to_numpy()
        assert (codes == metric["commune_code"].to_numpy()).all(), "runs keep the layer's order"
    crossings = layers["crossings"].to_crs(metric.crs)
    centres = metric.geometry.representative_point()
    sites = np.concatenate([crossings.geometry.to_numpy(), centres.to_numpy()])
    border = layers["border"].to_crs(metric.crs)
    return {
        "runs": runs,
        "communes": metric,
        "sites": sites,
        "crossings": crossings,
        "border": border,
    }


def weights_for(frame: pd.DataFrame, areas_km2: np.ndarray, rule: str) -> np.ndarray:
    """Demand of each commune of a run table under ``rule``."""
    return demand_weights(
        frame["score"].to_numpy(dtype=float),
        areas_km2,
        rule=rule,
        rate_per_10k=frame["raw_repatriation_rate"].to_numpy(dtype=float),
        population=frame["population"].to_numpy(dtype=float),
    )


def patrol_figures(world: dict[str, Any], rule: str, method: str) -> dict[str, Any]:
    """The patrol plan (k = 5, 15 km, outline coverage, eligible sites) under ``rule``."""
    frame, metric = world["runs"]["patrol"].table.frame, world["communes"]
    scores = frame["score"].to_numpy(dtype=float)
    cover = coverage_matrix(world["sites"], metric.geometry, RADIUS_KM)
    weights = weights_for(frame, metric.area.to_numpy() / 1e6, rule)
    rows = np.flatnonzero(eligible_sites(cover, priority_communes(scores, rule=rule), K))
    plan = max_cover(weights, cover[rows], K, method=method)
    return _reach_record(cover, rows[list(plan.chosen)], scores)


def unaware_figures(world: dict[str, Any]) -> dict[str, Any]:
    """The plan before this change: sum of scores, centre-to-centre coverage, greedy."""
    frame, metric = world["runs"]["patrol"].table.frame, world["communes"]
    scores = frame["score"].to_numpy(dtype=float)
    centres = metric.geometry.representative_point().to_numpy()
    centre_cover = shapely.distance(world["sites"][:, None], centres[None, :]) <= RADIUS_KM * 1000
    plan = max_cover(scores, centre_cover, K)
    top = top_communes(scores)
    record = _reach_record(
        coverage_matrix(world["sites"], metric.geometry, RADIUS_KM), plan.chosen, scores
    )
    return record | {
        "top_reached_centre_to_centre": round(
            float(centre_cover[list(plan.chosen)].any(0)[top].mean()), 4
        )
    }


def _reach_record(cover: np.ndarray, chosen, scores: np.ndarray) -> dict[str, Any]:
    found = reach(cover, chosen, scores, top_communes(scores))
    return {
        "top_reached": round(found.top_reached_share, 4),
        "bases_near_top": found.bases_near_top,
        "meets_bar": found.meets_bar,
        "score_covered": round(found.score_share, 4),
    }


def outreach_figures(world: dict[str, Any], rule: str) -> dict[str, Any]:
    """The outreach plan (budget: 5 % of reaching everyone) with ``rule`` as its risk factor.

    Value = demand / 100 × people, except ``expected_events``, already a number of people.
    "near_top" is the share of chosen communes within 15 km (outline) of a top-decile one.
    """
    frame, metric = world["runs"]["outreach"].table.frame, world["communes"]
    scores = frame["score"].to_numpy(dtype=float)
    people = frame["population"].to_numpy(dtype=float)
    weights = weights_for(frame, metric.area.to_numpy() / 1e6, rule)
    values = weights if rule == "expected_events" else weights / 100 * people
    costs = 20 + 2 * people / 1000
    chosen = list(select_under_budget(values, costs, 0.05 * costs.sum()).chosen)
    top = top_communes(scores)
    near = coverage_matrix(metric.geometry.iloc[chosen], metric.geometry, RADIUS_KM)[:, top]
    return {
        "communes": len(chosen),
        "top_chosen": round(float(top[chosen].sum() / top.sum()), 4),
        "near_top": round(float(near.any(axis=1).mean()), 4),
        "score_covered": round(float(scores[chosen].sum() / scores.sum()), 4),
        "people": int(people[chosen].sum()),
    }


def segment_figures(world: dict[str, Any], rule: str) -> dict[str, Any]:
    """The 5 top 5-km border segments when communes count with their demand under ``rule``."""
    from risk.plans.border import score_segments, split_border

    run, metric = world["runs"]["patrol"], world["communes"]
    scores = run.table.frame["score"].to_numpy(dtype=float)
    weights = weights_for(run.table.frame, metric.area.to_numpy() / 1e6, rule)
    communes = gpd.GeoDataFrame({"score": weights}, geometry=metric.geometry.values, crs=metric.crs)
    kinds = dict(run.record.parameters["crossing_kind_weights"])
    ranked, _ = score_segments(
        split_border(world["border"], 5.0), communes, world["crossings"], kind_weights=kinds
    )
    best = ranked.nsmallest(K, "rank")
    cover = coverage_matrix(best.geometry, metric.geometry, RADIUS_KM)
    return _reach_record(cover, np.arange(len(best)), scores)


def province_figures(world: dict[str, Any]) -> dict[str, Any]:
    """Every plan under every rule for one scored province."""
    metric = world["communes"]
    area = metric.area.to_numpy() / 1e6
    scores = world["runs"]["patrol"].table.frame["score"].to_numpy(dtype=float)
    return {
        "communes": len(metric),
        "crossings": len(world["crossings"]),
        "area_km2_p5_p95": [round(float(a), 1) for a in np.percentile(area, [5, 95])],
        "top_decile_communes": int(top_communes(scores).sum()),
        "before": unaware_figures(world),
        "patrol": {
            rule: {m: patrol_figures(world, rule, m) for m in ("greedy", "exact")} for rule in RULES
        },
        "outreach": {rule: outreach_figures(world, rule) for rule in OUTREACH_RULES},
        "segments": {rule: segment_figures(world, rule) for rule in RULES},
    }


def seed_figures(world: dict[str, Any]) -> dict[str, Any]:
    """Patrol figures only (greedy and exact), for the robustness over crossing seeds."""
    return {
        rule: {m: patrol_figures(world, rule, m) for m in ("greedy", "exact")} for rule in RULES
    }


def robustness(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    """Per rule and method: plans meeting the bar, and the lowest top-decile reach, over seeds."""
    out: dict[str, Any] = {}
    for rule in RULES:
        for method in ("greedy", "exact"):
            records = [seed[rule][method] for seed in per_seed]
            out.setdefault(rule, {})[method] = {
                "meets_bar": f"{sum(r['meets_bar'] for r in records)}/{len(records)}",
                "min_top_reached": min(r["top_reached"] for r in records),
            }
    return out


def measure(path: Path, seeds: int) -> dict[str, Any]:
    """Figures for every province of ``path``: seed 0 in full, patrol over ``seeds`` seeds."""
    communes, border = read_realdata(path)
    figures: dict[str, Any] = {
        "about": f"{path.name}: real communes and border; synthetic crossings and repatriations "
        "(seeded); plans measured by outline coverage within radius_km",
        "default_rule": DEFAULT_RULE,
        "k": K,
        "radius_km": RADIUS_KM,
    }
    for province in sorted(communes["province_name"].unique()):
        per_seed = []
        for seed in range(seeds):
            with tempfile.TemporaryDirectory(prefix="riskmap-demand-") as tmp:
                layers = province_layers(communes, border, province, seed=seed)
                world = scored_province(Path(tmp) / "ws", layers)
                if seed == 0:
                    figures[province] = province_figures(world)
                per_seed.append(seed_figures(world))
        figures[province]["over_seeds"] = {"seeds": seeds, **robustness(per_seed)}
    return figures


def markdown(figures: dict[str, Any]) -> str:
    """The patrol table of docs/method.md: one row per province and rule (seed 0, greedy/exact)."""
    lines = [
        "| province | rule | top decile reached (greedy / exact) | bases near top | "
        f"score covered | bar met over {_seeds(figures)} seeds (greedy / exact) |",
        "|---|---|---|---|---|---|",
    ]
    for province, data in figures.items():
        if not isinstance(data, dict) or "patrol" not in data:
            continue
        before = data["before"]
        lines.append(
            f"| {province} | before: score, centres | {before['top_reached']:.0%} "
            f"({before['top_reached_centre_to_centre']:.0%} centre to centre) | "
            f"{before['bases_near_top']}/{K} | {before['score_covered']:.0%} | |"
        )
        for rule, by in data["patrol"].items():
            g, e, seeds = by["greedy"], by["exact"], data["over_seeds"][rule]
            lines.append(
                f"| | {rule} | {g['top_reached']:.0%} / {e['top_reached']:.0%} | "
                f"{g['bases_near_top']}/{K} / {e['bases_near_top']}/{K} | "
                f"{g['score_covered']:.0%} / {e['score_covered']:.0%} | "
                f"{seeds['greedy']['meets_bar']} / {seeds['exact']['meets_bar']} |"
            )
    return "\n".join(lines) + "\n"


def markdown_others(figures: dict[str, Any]) -> str:
    """Outreach and border-segment figures per province and rule (seed 0), as a table."""
    lines = [
        "| province | rule | outreach: top decile chosen | outreach: near top | "
        "segments: top decile reached | segments near top |",
        "|---|---|---|---|---|---|",
    ]
    for province, data in figures.items():
        if not isinstance(data, dict) or "outreach" not in data:
            continue
        for i, (rule, seg) in enumerate(data["segments"].items()):
            out = data["outreach"].get(rule)
            reached = f"{out['top_chosen']:.0%} | {out['near_top']:.0%}" if out else "n/a | n/a"
            lines.append(
                f"| {'' if i else province} | {rule} | {reached} | {seg['top_reached']:.0%} | "
                f"{seg['bases_near_top']}/{K} |"
            )
    return "\n".join(lines) + "\n"


def _seeds(figures: dict[str, Any]) -> int:
    return next(d["over_seeds"]["seeds"] for d in figures.values() if isinstance(d, dict))


def main(argv: list[str] | None = None) -> int:
    """Measure every rule on the real provinces; write plan_demand.json and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=REALDATA)
    parser.add_argument("--seeds", type=int, default=5, help="Crossing/count seeds for patrol")
    parser.add_argument("--no-write", action="store_true", help="Do not write plan_demand.json")
    args = parser.parse_args(argv)
    path = realdata_path(args.realdata)
    if path is None:
        sys.stdout.write(f"skipped: no real geometry at {args.realdata} (see its README)\n")
        return 0
    figures = measure(path, args.seeds)
    if not args.no_write:
        RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", "utf-8")
    sys.stdout.write(markdown(figures) + "\n" + markdown_others(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
