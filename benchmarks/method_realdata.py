"""Figures of docs/method.md §9 (issue 14) on real commune geometry (synthetic records).

``python -m benchmarks.method_realdata [--realdata GPKG] [--no-write]`` builds, for each of the
three real provinces of ``vn2009_dev_provinces.gpkg``, a workspace from the real communes
(``population_2009``) and the real land border, with synthetic crossings on the border (as
:mod:`benchmarks.plan_demand`) and **synthetic** repatriation records for 2019-2025, then
measures with the patrol and outreach profiles: the rolling backtest against the same-information
baselines (holdouts 2021-2025), the uncertainty (top-k rank-interval widths and communes whose
class is uncertain, weights only vs weights + counts + parameters) and the Gi* hot spots (communes
at q ≤ 0.05 for the score and for border proximity alone). Writes
``benchmarks/method_realdata.json``.

The records are synthetic on real geometry, so these figures test that the method behaves on real
commune shapes, sizes and populations (robustness), not that it predicts: the generator's truth
(:data:`GENERATOR`) is written next to the figures. Per commune, per year, people per 10,000 are
``(1 + 6 exp(-d / 12 km)) × u × e_t`` with ``d`` the distance to the border, ``u`` a hidden
commune effect (lognormal, σ 0.6, fixed over the years; no layer shows it) and ``e_t`` a year
effect (lognormal, σ 0.2); 70 % are drawn as ``deported``, 30 % as ``victim_returned`` times a
second hidden effect (lognormal, σ 0.5), all Poisson.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from benchmarks.method_figures import uncertainty
from benchmarks.plan_demand import province_layers, read_realdata, realdata_path

RESULTS = Path(__file__).with_name("method_realdata.json")
YEARS = tuple(range(2019, 2026))
HOLDOUT = YEARS[-1]
PROFILES = ("patrol", "outreach")
#: What the synthetic records are drawn from (written to the JSON beside the figures).
GENERATOR = {
    "years": [YEARS[0], YEARS[-1]],
    "rate_per_10k_per_year": "(1 + 6 exp(-d / 12 km)) x u x e_t",
    "hidden_commune_effect_u": "lognormal sigma 0.6, fixed over the years",
    "year_effect_e_t": "lognormal sigma 0.2",
    "categories": "deported 70 %, victim_returned 30 % x lognormal(sigma 0.5) hidden effect",
    "draws": "Poisson",
    "crossings": "synthetic, on the real border (benchmarks.plan_demand)",
}
#: Buffer (m) of the tolerant contiguity compared with queen contiguity on real outlines.
FUZZY_BUFFER_M = 200.0


def records(layers: dict[str, Any], rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic repatriations of the province's communes for :data:`YEARS` (module doc)."""
    communes = layers["communes"]
    metric = communes.to_crs(communes.estimate_utm_crs())
    line = shapely.union_all(layers["border"].to_crs(metric.crs).geometry.values)
    km = shapely.distance(metric.geometry.values, line) / 1000
    people = metric["population"].to_numpy(dtype=float)
    hidden = rng.lognormal(0.0, 0.6, len(km))
    victim_hidden = rng.lognormal(0.0, 0.5, len(km))
    rows = []
    for year in YEARS:
        rate = (1 + 6 * np.exp(-km / 12)) * hidden * rng.lognormal(0.0, 0.2) / 10_000
        for category, share in (("deported", 0.7 * 1.0), ("victim_returned", 0.3 * victim_hidden)):
            counts = rng.poisson(rate * share * people)
            rows += [
                {"commune_code": c, "period": str(year), "count": int(n), "category": category}
                for c, n in zip(communes["commune_code"], counts, strict=True)
                if n > 0
            ]
    return pd.DataFrame(rows)


def backtest(ws, name: str) -> dict[str, Any]:
    """The rolling backtest's comparison, per-year top-10 % PAI and ablations for ``name``."""
    from risk.pipeline import backtest_workspace
    from risk.profiles import load_profile

    bt = backtest_workspace(ws, load_profile(name), HOLDOUT)
    return {
        "comparison": bt["comparison"],
        "ablations": bt["ablations"],
        "rolling_pai_top10": {
            str(e["holdout"]): {
                "model": e["model"]["pai_top10"],
                **{k: v["pai_top10"] for k, v in e["baselines"].items()},
            }
            for e in bt["rolling"]
        },
    }


def hotspots(ws, name: str) -> dict[str, Any]:
    """Gi* classes of the score and of border proximity alone, queen and tolerant contiguity."""
    from risk.hotspots import getis_ord
    from risk.inputs import cached_inputs
    from risk.profiles import load_profile
    from risk.scoring import score

    profile = load_profile(name)
    inputs = cached_inputs(ws, profile)
    values = {"score": score(inputs.indicators, profile).frame["score"].to_numpy()}
    if "border_proximity" in inputs.indicators:
        values["border_proximity_alone"] = inputs.indicators["border_proximity"].to_numpy()
    out: dict[str, Any] = {}
    for label, w in (("queen", inputs.neighbours), ("fuzzy", _fuzzy(inputs.communes))):
        result = {"islands": len(w.islands), "mean_neighbours": round(w.mean_neighbors, 2)}
        for key, vals in values.items():
            classes = getis_ord(vals, w).classes
            result[key] = {
                "q_le_0.05": int(np.isin(classes, ("hot_99", "hot_95")).sum()),
                "q_le_0.10": int(np.isin(classes, ("hot_99", "hot_95", "hot_90")).sum()),
                "classes": dict(Counter(classes.tolist())),
            }
        out[label] = result
    return out


def _fuzzy(communes):
    """Contiguity that bridges the gaps of outlines thinned one by one (buffer of 200 m)."""
    from libpysal.weights import fuzzy_contiguity

    metric = communes.to_crs(communes.estimate_utm_crs()).reset_index(drop=True)
    return fuzzy_contiguity(metric, buffering=True, buffer=FUZZY_BUFFER_M, silence_warnings=True)


def province_figures(root: Path, layers: dict[str, Any]) -> dict[str, Any]:
    """Every figure of one province, measured on a new workspace at ``root``."""
    from geo.workspace import Workspace

    ws = Workspace.init(root)
    ws.write_layers(layers, source="method realdata benchmark (synthetic records)", actor="bench")
    n = len(layers["communes"])
    out: dict[str, Any] = {"communes": n, "records": int(layers["repatriations"]["count"].sum())}
    for name in PROFILES:
        start = time.perf_counter()
        figures = backtest(ws, name)
        figures["uncertainty"] = uncertainty(ws, name)
        for part in ("weights", "all"):
            share = figures["uncertainty"][part]["class_uncertain"] / n
            figures["uncertainty"][part]["class_uncertain_share"] = round(share, 3)
        figures["hotspots"] = hotspots(ws, name)
        figures["seconds"] = round(time.perf_counter() - start, 1)
        out[name] = figures
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure every province; write :data:`RESULTS` unless ``--no-write``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    path = realdata_path(args.realdata)
    if path is None:
        sys.stderr.write("vn2009_dev_provinces.gpkg not found beside the clone: nothing measured\n")
        return {}
    communes, border = read_realdata(path)
    out: dict[str, Any] = {"realdata": path.name, "synthetic_records": GENERATOR}
    with tempfile.TemporaryDirectory() as tmp:
        for i, province in enumerate(sorted(communes["province_name"].unique())):
            layers = province_layers(communes, border, province, seed=args.seed + i)
            layers["repatriations"] = records(layers, np.random.default_rng(args.seed + 100 + i))
            out[province] = province_figures(Path(tmp) / f"p{i}", layers)
    if not args.no_write:
        RESULTS.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(), indent=1, ensure_ascii=False) + "\n")
