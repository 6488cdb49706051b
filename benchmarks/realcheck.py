"""``make realcheck``: the "Load your own data" path, run on the three real provinces.

``python -m benchmarks.realcheck [--realdata GPKG] [--province NAME ...] [--keep DIR]`` turns the
real communes of ``vn2009_dev_provinces.gpkg`` (Nghệ An, Hà Giang, Tây Ninh) into the files a
province hands over (:mod:`tests.realfiles`) and runs the real ``riskmap`` CLI on them as a
subprocess, with default options: ``init``, seven ``ingest``s (communes as a zipped VN-2000
shapefile, crossings as KML, venues as an XLSX register, industrial zones as a Windows-1258 CSV,
repatriations as a BOM CSV keyed by the census codes, the land border as GeoJSON, population as a
GeoTIFF), ``score``, ``plan patrol --json``, ``map``, ``export --format pdf`` (and ``--format
csv`` for the scores the plan check needs). It prints a table of every step (rows read, stored,
rejected; seconds) and the patrol plan's figures, and exits 1 when a step fails, a row a person
would accept is rejected, or the plan misses issue 12's item 5: every base within 15 km of a
top-decile commune, and at least half of the top-decile communes reached (a commune is reached
when its outline lies within 15 km of a base). Exit 2 when the real file is absent.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import to_metric
from tests import realfiles as rf

PROVINCES = ("Nghệ An", "Hà Giang", "Tây Ninh")
#: Patrol reach of item 5, km, and the share of the top decile a plan must reach.
RADIUS_KM = 15.0
MIN_REACHED = 0.5
#: Register rows per commune (half of them address-only) and crossings on the border.
PER_COMMUNE = 2
CROSSINGS = 12


@dataclass
class Step:
    """One CLI step of one province: what ran, how long, and the rows it read and kept."""

    province: str
    name: str
    seconds: float
    ok: bool
    read: int | None = None
    stored: int | None = None
    rejected: int | None = None
    note: str = ""


@dataclass
class Check:
    """Every step and the plan figures of one province; ``failures`` says what went wrong."""

    province: str
    communes: int
    steps: list[Step] = field(default_factory=list)
    plan: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def build_files(communes: gpd.GeoDataFrame, border: gpd.GeoDataFrame, folder: Path) -> dict:
    """The province's files, by layer in ingest order, with the rows each should store."""
    points = rf.crossing_points(communes, border, n=CROSSINGS)
    kinds = [list(rf.KIND_WORDS)[i % len(rf.KIND_WORDS)] for i in range(len(points))]
    rows = rf.register_rows(communes, per_commune=PER_COMMUNE)
    codes = communes["commune_code"].tolist()
    border_file = rf.write_border_geojson(communes, border, folder / "bien_gioi.geojson")
    return {
        "communes": (rf.write_communes_zip(communes, folder / "ranh_gioi_xa.zip"), len(communes)),
        "crossings": (rf.write_crossings_kml(points, kinds, folder / "cua_khau.kml"), len(points)),
        "venues": (rf.write_register(rows, folder / "co_so_kinh_doanh.xlsx"), len(rows)),
        "industrial_zones": (rf.write_zones_cp1258(communes, folder / "khu_cong_nghiep.csv"), 8),
        "repatriations": (
            rf.write_counts_csv(codes, folder / "tra_ve.csv", communes=communes),
            len(codes),
        ),
        "border": (border_file, len(gpd.read_file(border_file))),
        "population": (rf.write_population_tif(communes, folder / "dan_so.tif"), 1),
    }


def riskmap(*args: str | Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run the installed ``riskmap`` CLI (beside this Python) and time it, seconds."""
    exe = Path(sys.executable).with_name("riskmap")
    start = time.perf_counter()
    done = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)
    return done, time.perf_counter() - start


def ingest_step(check: Check, ws: Path, layer: str, path: Path, expected: int) -> None:
    """``riskmap ingest --json``: the step passes when every one of ``expected`` rows is stored."""
    done, seconds = riskmap("ingest", "-w", ws, "--layer", layer, path, "--json")
    step = Step(check.province, f"ingest {layer} ({path.suffix[1:]})", seconds, False)
    check.steps.append(step)
    try:
        report = json.loads(done.stdout[: done.stdout.rindex("}") + 1])
    except ValueError:
        check.failures.append(f"{step.name}: exit {done.returncode}: {_last(done)}")
        return
    step.read, step.stored = report["rows_read"], report["rows_stored"] or 0
    step.rejected = report["rows_rejected"]
    placed = {k: v for k, v in report.get("assignment", {}).items() if v}
    step.note = f"{report['warnings']} warnings" + (f"; placed {placed}" if placed else "")
    step.ok = done.returncode == 0 and step.rejected == 0 and step.stored == expected
    if not step.ok:
        errors = [p["reason"] for p in report["problems"] if p["severity"] == "error"][:3]
        check.failures.append(
            f"{step.name}: {step.stored} of {expected} rows stored, {step.rejected} rejected "
            f"(exit {done.returncode}): {errors or _last(done)}"
        )


def cli_step(check: Check, name: str, *args: str | Path) -> subprocess.CompletedProcess:
    """Any other CLI step: it passes when it exits 0."""
    done, seconds = riskmap(*args)
    note = _last(done).split(" stored in ")[0].split(" ready;")[0]
    check.steps.append(Step(check.province, name, seconds, done.returncode == 0, note=note))
    if done.returncode:
        check.failures.append(f"{name}: exit {done.returncode}: {_last(done)}")
    return done


def _last(done: subprocess.CompletedProcess) -> str:
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1][:120] if lines else ""


def plan_figures(plan: dict, scores: pd.DataFrame, communes: gpd.GeoDataFrame) -> dict:
    """Item 5 measured from the plan JSON: base to top-decile outline distances, km, and reach.

    A top-decile commune is reached when its outline lies within 15 km of a base.
    """
    top_n = math.ceil(len(scores) / 10)
    top = scores.nsmallest(top_n, "rank")["commune_code"].astype(str)
    metric = to_metric(communes.set_index(communes["commune_code"].astype(str)))
    outlines = metric.geometry.loc[top.to_numpy()].to_numpy()
    bases = gpd.GeoSeries.from_xy(
        [b["lon"] for b in plan["bases"]], [b["lat"] for b in plan["bases"]], crs="EPSG:4326"
    ).to_crs(metric.crs)
    km = shapely.distance(bases.to_numpy()[:, None], outlines[None, :]) / 1000.0
    nearest = km.min(axis=1)
    reached = (km <= RADIUS_KM).any(axis=0)
    return {
        "bases": len(nearest),
        "top_decile": top_n,
        "base_to_top_km": [round(float(d), 1) for d in nearest],
        "bases_near_top": int((nearest <= RADIUS_KM).sum()),
        "top_reached": int(reached.sum()),
        "reached_share": float(reached.mean()),
        "covered_share": plan.get("covered_share"),
        "hot_spots": int(
            scores.get("hotspot", pd.Series(dtype=str)).astype(str).str.startswith("hot").sum()
        ),
    }


def check_province(province: str, communes: gpd.GeoDataFrame, border, folder: Path) -> Check:
    """Build the province's files in ``folder`` and run every CLI step on them."""
    check = Check(province, len(communes))
    files = build_files(communes, border, folder)
    ws = folder / "ws"
    cli_step(check, "init", "init", "-w", ws)
    for layer, (path, expected) in files.items():
        ingest_step(check, ws, layer, path, expected)
    cli_step(check, "score", "score", "-w", ws)
    plan = cli_step(check, "plan patrol --json", "plan", "patrol", "-w", ws, "--json")
    cli_step(check, "map", "map", "-w", ws)
    cli_step(check, "export pdf", "export", "-w", ws, "--format", "pdf", "-o", folder / "bc.pdf")
    cli_step(check, "export csv", "export", "-w", ws, "--format", "csv", "-o", folder / "bc.csv")
    if plan.returncode == 0 and (folder / "bc.csv").is_file():
        scores = pd.read_csv(folder / "bc.csv", dtype={"commune_code": str}, encoding="utf-8-sig")
        check.plan = plan_figures(json.loads(plan.stdout), scores, communes)
        check.failures.extend(plan_failures(check.plan))
    return check


def plan_failures(figures: dict) -> list[str]:
    """What item 5 asks that the plan misses, in words (empty when it passes)."""
    out = []
    if figures["bases_near_top"] < figures["bases"]:
        out.append(
            f"plan: {figures['bases'] - figures['bases_near_top']} of {figures['bases']} bases "
            f"lie more than {RADIUS_KM:g} km from every top-decile commune "
            f"(km to the nearest: {figures['base_to_top_km']})"
        )
    if figures["reached_share"] < MIN_REACHED:
        out.append(
            f"plan: reaches {figures['top_reached']} of {figures['top_decile']} top-decile "
            f"communes ({figures['reached_share']:.0%}), item 5 asks at least {MIN_REACHED:.0%}"
        )
    return out


def table(checks: list[Check]) -> str:
    """The per-step table, the plan figures and the failures, as text."""
    lines = [f"{'province':<10} {'step':<34} {'s':>6} {'read':>6} {'stored':>6} {'rej':>4}  ok"]
    for check in checks:
        for s in check.steps:
            nums = " ".join(f"{'' if v is None else v:>6}" for v in (s.read, s.stored))
            rej = "" if s.rejected is None else s.rejected
            lines.append(
                f"{s.province:<10} {s.name:<34} {s.seconds:6.1f} {nums} {rej:>4}  "
                f"{'yes' if s.ok else 'NO'}  {s.note}"
            )
        total = sum(s.seconds for s in check.steps)
        lines.append(f"{check.province:<10} {'all steps':<34} {total:6.1f}")
    for check in checks:
        p = check.plan
        if p:
            lines.append(
                f"{check.province}: {check.communes} communes; patrol plan (default k, 15 km): "
                f"{p['bases_near_top']}/{p['bases']} bases within {RADIUS_KM:g} km of a top-decile "
                f"commune (km: {p['base_to_top_km']}); {p['top_reached']}/{p['top_decile']} "
                f"top-decile communes reached ({p['reached_share']:.0%}); covered share "
                f"{p['covered_share']:.1%}; {p['hot_spots']} communes in Gi* hot spots"
            )
        lines.extend(f"FAIL {check.province}: {f}" for f in check.failures)
    return "\n".join(lines)


def run(gpkg: Path, provinces: list[str], keep: Path | None = None) -> list[Check]:
    """Check each province in its own folder (under ``keep``, else a temporary one)."""
    saved, rf.CANDIDATES = rf.CANDIDATES, (gpkg,)
    border = rf.real_border()
    checks = []
    with tempfile.TemporaryDirectory(prefix="realcheck-") as tmp:
        root = keep or Path(tmp)
        for province in provinces:
            folder = root / rf.strip_accents(province).replace(" ", "_").lower()
            folder.mkdir(parents=True, exist_ok=True)
            communes = rf.real_communes(province)
            checks.append(check_province(province, communes, border, folder))
    rf.CANDIDATES = saved
    return checks


def main(argv: list[str] | None = None) -> int:
    """Run the check; 0 when every province passes, 1 when one fails, 2 without the data."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=rf.real_gpkg())
    parser.add_argument("--province", action="append", choices=PROVINCES)
    parser.add_argument("--keep", type=Path, help="Keep the files and workspaces here.")
    args = parser.parse_args(argv)
    if args.realdata is None or not args.realdata.is_file():
        sys.stderr.write(
            f"realcheck skipped: {rf.GPKG_NAME} not found (../shared/realdata or "
            "$RISKMAP_REALDATA); it is test data that is never shipped\n"
        )
        return 2
    start = time.perf_counter()
    checks = run(args.realdata, args.province or list(PROVINCES), args.keep)
    sys.stdout.write(table(checks) + f"\nrealcheck: {time.perf_counter() - start:.0f} s\n")
    return 1 if any(c.failures for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
