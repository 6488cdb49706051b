"""Issue 14: defects fixed (each test failed before its fix) and defensible indicators."""

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes

from risk.indicators import compute_indicator
from risk.profiles import DEFAULT_PARAMETERS, list_profiles, load_profile
from risk.scoring import aggregate, score
from risk.transforms import treat_outliers

CODES = [f"9000{i}" for i in range(1, 7)]
COMMUNES = pd.DataFrame({"commune_code": CODES})
POP = np.array([2_000.0, 5_000.0, 800.0, 12_000.0, 3_000.0, 6_000.0])


def reps(rows):
    return pd.DataFrame(rows, columns=["commune_code", "period", "category", "count"])


def test_three_winsorised_points_are_reported_as_three_not_six():
    x = np.array([*range(1, 31), 100, 200, 300], dtype=float)
    treated, how = treat_outliers(x)
    assert how == "winsorised 3"
    assert (treated != x).sum() == 3


def test_four_outliers_are_winsorised_not_logged_when_five_are_allowed():
    x = np.array([*range(1, 31), 500, 600, 700, 800], dtype=float)
    assert treat_outliers(x, max_points=5)[1] == "winsorised 4"


def test_geometric_contributions_show_what_a_zero_indicator_costs():
    total, parts = aggregate(np.array([[100.0, 0.0]]), np.array([0.5, 0.5]), "geometric")
    arithmetic = 50.0
    assert parts[0].sum() == pytest.approx(total[0])
    assert parts[0, 0] == pytest.approx(50.0)
    assert parts[0, 1] == pytest.approx(total[0] - arithmetic)  # about -41 points, not 0
    assert parts[0, 1] < -40


def four_years():
    rng = np.random.default_rng(4)
    rows = [
        (c, str(y), "deported", int(rng.poisson(3 + 4 * i)))
        for y in (2022, 2023, 2024, 2025)
        for i, c in enumerate(CODES)
    ]
    return reps(rows)


def test_eb_treats_four_years_of_counts_as_four_years_of_exposure():
    params = {**DEFAULT_PARAMETERS, "half_life_years": 1e9}  # no decay: plain window counts
    table = four_years()
    rate, _ = compute_indicator(
        "repatriation_rate", COMMUNES, {"repatriations": table}, POP, params
    )
    total = table.groupby("commune_code")["count"].sum().reindex(CODES).to_numpy(dtype=float)
    expected = np.asarray(Empirical_Bayes(total, 4 * POP).r).ravel() * 10_000
    assert rate == pytest.approx(expected, rel=1e-6)


def test_decayed_counts_shrink_less_than_when_read_as_one_years_counts():
    params = {**DEFAULT_PARAMETERS, "half_life_years": 1.5}
    table = four_years()
    rate, _ = compute_indicator(
        "repatriation_rate", COMMUNES, {"repatriations": table}, POP, params
    )
    spread = np.ptp(rate) / rate.mean()
    w = 0.5 ** ((2025 - table["period"].astype(int)) / 1.5)
    decayed = (table["count"] * w).groupby(table["commune_code"]).sum().reindex(CODES)
    old = np.asarray(Empirical_Bayes(decayed.to_numpy(dtype=float), POP).r).ravel()
    assert spread > np.ptp(old) / old.mean()  # the old reading pulled communes together


def test_a_commune_without_people_is_a_quality_flag_not_a_silent_province_rate():
    pop = POP.copy()
    pop[2] = 0
    table = four_years()
    rate, notes = compute_indicator(
        "repatriation_rate", COMMUNES, {"repatriations": table}, pop, dict(DEFAULT_PARAMETERS)
    )
    frame = pd.DataFrame(
        {"repatriation_rate": rate, "border_proximity": np.linspace(0, 1, 6)},
        index=pd.Index(CODES, name="commune_code"),
    )
    profile = load_profile("patrol").with_weights(
        {"repatriation_rate": 0.5, "border_proximity": 0.5}
    )
    table14 = score(frame, profile, notes=notes)
    flags = [f for f in table14.quality if "no population in 1 commune(s) (90003)" in f]
    assert flags and "overall rate" in flags[0]


def test_deportations_and_returned_victims_are_separate_indicators():
    table = reps(
        [
            ("90001", "2024", "deported", 9),
            ("90002", "2025", "victim_returned", 4),
            ("90004", "2023", "deported", 1),
        ]
    )
    params = dict(DEFAULT_PARAMETERS)
    layers = {"repatriations": table}
    deported, _ = compute_indicator("deported_rate", COMMUNES, layers, POP, params)
    victims, _ = compute_indicator("victim_rate", COMMUNES, layers, POP, params)
    assert deported.argmax() == 0 and victims.argmax() == 1


def test_patrol_profile_weighs_neither_ethnicity_nor_poverty_and_splits_the_records():
    patrol = load_profile("patrol")
    assert patrol.weights.get("vulnerability", 0) == 0
    assert patrol.weights["deported_rate"] > 0 and patrol.weights["victim_rate"] > 0
    assert patrol.weights.get("repatriation_rate", 0) == 0
    assert load_profile("outreach").weights["vulnerability"] > 0  # need for services


@pytest.mark.parametrize("name", list_profiles())
def test_every_weight_has_a_rationale_in_vietnamese_and_english(name):
    profile = load_profile(name)
    for indicator in profile.weights:
        text = profile.weight_rationale.get(indicator, {})
        assert text.get("vi") and text.get("en"), f"{name}: {indicator} has no rationale"
    assert profile.with_settings({"top_k": 5}).weight_rationale == profile.weight_rationale


def test_deported_and_victim_rates_of_small_counts_are_withheld_like_the_combined_rate():
    from risk.privacy import Suppression, apply_suppression

    shown = pd.DataFrame(
        {
            "commune_code": ["90001", "90002"],
            "repatriations_total": [2, 30],
            "raw_deported_rate": [1.5, 3.0],
            "contrib_victim_rate": [4.0, 8.0],
        }
    )
    out = apply_suppression(shown, Suppression("threshold", threshold=5))
    assert out["raw_deported_rate"].isna().tolist() == [True, False]
    assert out["contrib_victim_rate"].isna().tolist() == [True, False]
