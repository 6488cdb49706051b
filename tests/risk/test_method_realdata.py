"""The §9 figures on real geometry: synthetic records on a real province, every figure measured."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks.plan_demand import read_realdata, realdata_path

PATH = realdata_path()
RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "method_realdata.json"
REASON = "no real geometry at ../shared/realdata/vn2009_dev_provinces.gpkg (a user's clone)"


@pytest.fixture(scope="module")
def tay_ninh():
    from benchmarks.method_realdata import records
    from benchmarks.plan_demand import province_layers

    communes, border = read_realdata(PATH)
    layers = province_layers(communes, border, "Tây Ninh", seed=0)
    layers["repatriations"] = records(layers, np.random.default_rng(0))
    return layers


@pytest.mark.skipif(PATH is None, reason=REASON)
def test_synthetic_records_cover_seven_years_and_both_categories(tay_ninh):
    reps = tay_ninh["repatriations"]
    assert sorted(reps["period"].unique()) == [str(y) for y in range(2019, 2026)]
    assert set(reps["category"]) == {"deported", "victim_returned"}
    assert set(reps["commune_code"]) <= set(tay_ninh["communes"]["commune_code"])
    assert (reps["count"] > 0).all()


@pytest.mark.slow
@pytest.mark.skipif(PATH is None, reason=REASON)
def test_every_figure_is_measured_on_a_real_province(tay_ninh, tmp_path):
    from benchmarks.method_realdata import province_figures

    out = province_figures(tmp_path / "ws", tay_ninh)
    for name in ("patrol", "outreach"):
        figures = out[name]
        comparison = figures["comparison"]
        assert comparison["years"] == [2021, 2022, 2023, 2024, 2025]
        assert comparison["ci90"][0] <= comparison["ratio"] <= comparison["ci90"][1]
        assert set(figures["rolling_pai_top10"]) == {"2021", "2022", "2023", "2024", "2025"}
        unc = figures["uncertainty"]
        assert unc["all"]["sources"] == ["weights", "counts", "parameters"]
        assert 0 <= unc["weights"]["class_uncertain_share"] <= 1
        assert unc["all"]["class_uncertain"] >= unc["weights"]["class_uncertain"]
        hot = figures["hotspots"]["queen"]
        assert hot["islands"] == 0 and 0 <= hot["score"]["q_le_0.05"] <= out["communes"]
    assert not any(isinstance(v, float) and math.isnan(v) for v in _numbers(out))


def test_the_stored_figures_say_the_records_are_synthetic():
    stored = json.loads(RESULTS.read_text(encoding="utf-8"))
    assert "synthetic" in stored["synthetic_records"]["crossings"]
    assert {"Hà Giang", "Nghệ An", "Tây Ninh"} <= set(stored)


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    else:
        yield value
