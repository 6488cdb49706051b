import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from risk.indicators import border_proximity, compute_indicators, decay_sum, per_10k, vulnerability
from risk.profiles import load_profile
from risk.scoring import score
from tests.factories import METRIC

PARAMS = load_profile("patrol").parameters


def square(x0, y0, size=1000.0):
    return shapely.box(x0, y0, x0 + size, y0 + size)


def two_communes(population=(5000.0, 5000.0)):
    """A commune touching a crossing at the border (y=0) and one 50 km south of it."""
    return gpd.GeoDataFrame(
        {"commune_code": ["90001", "90002"], "population": population},
        geometry=[square(0, -1000), square(0, -51000)],
        crs=METRIC,
    )


def layers_for(communes):
    border = gpd.GeoDataFrame(
        {"kind": ["land"]}, geometry=[shapely.LineString([(-5000, 0), (5000, 0)])], crs=METRIC
    )
    crossings = gpd.GeoDataFrame(
        {"name": ["Lối mở A"], "kind": ["opening"]}, geometry=[shapely.Point(500, 0)], crs=METRIC
    )
    return {"border": border, "crossings": crossings}


def test_hand_computed_decay_and_rates():
    assert border_proximity([0, 15], 15) == pytest.approx([1, math.exp(-1)])
    d = np.array([[0.0, 10.0], [10.0, 20.0]])
    assert decay_sum(d, [2, 1], 10) == pytest.approx(
        [2 + math.exp(-1), 2 * math.exp(-1) + math.exp(-2)]
    )
    assert per_10k([5, 5], [10_000, 0], 1000) == pytest.approx([5, 50])


def test_commune_touching_a_crossing_is_more_exposed_than_one_50_km_away():
    communes = two_communes()
    frame, _ = compute_indicators(communes, layers_for(communes), communes["population"], PARAMS)
    near, far = frame.loc["90001"], frame.loc["90002"]
    assert near["crossing_access"] == pytest.approx(PARAMS["crossing_kind_weights"]["opening"])
    assert near["crossing_access"] > 50 * far["crossing_access"]
    assert near["border_proximity"] == pytest.approx(1.0)
    assert far["border_proximity"] == pytest.approx(math.exp(-50 / PARAMS["border_decay_km"]))
    assert near["border_length"] == pytest.approx(1.0, abs=0.11)  # 1 km edge (+50 m tolerance)
    assert far["border_length"] == 0


def test_venues_in_a_commune_with_no_people_stay_finite():
    communes = two_communes(population=(0.0, 5000.0))
    venues = gpd.GeoDataFrame(
        {"kind": ["karaoke", "massage"]},
        geometry=[shapely.Point(500, -500), shapely.Point(400, -400)],
        crs=METRIC,
    )
    frame, notes = compute_indicators(communes, {"venues": venues}, communes["population"], PARAMS)
    assert np.isfinite(frame["venue_pressure"]).all()
    assert frame.loc["90001", "venue_pressure"] == pytest.approx(2 / 1000 * 10_000)
    assert any("fewer than 1000 people" in n for n in notes)
    table = score(frame, load_profile("outreach").with_weights({"venue_pressure": 1.0}))
    assert np.isfinite(table.frame["score"]).all()


def test_missing_layers_drop_their_indicators_with_notes():
    communes = two_communes()
    frame, notes = compute_indicators(communes, {}, communes["population"], PARAMS)
    assert frame.columns.empty
    assert any("no crossings layer: dropped crossing_access" in n for n in notes)
    assert any("dropped vulnerability" in n for n in notes)


def test_vulnerability_is_the_mean_of_present_shares_and_rejects_bad_values():
    ok = pd.DataFrame({"poverty_rate": [0.2, 0.4], "ethnic_minority_share": [0.6, 0.0]})
    assert vulnerability(ok) == pytest.approx([0.4, 0.2])
    assert vulnerability(pd.DataFrame({"x": [1]})) is None
    with pytest.raises(
        ValueError,
        match=r'row 2, column "poverty_rate": "45(\.0)?" is not a share between 0 and 1 '
        r"\(write 45 % as 0\.45\)",
    ):
        vulnerability(pd.DataFrame({"poverty_rate": [0.2, 45]}))
