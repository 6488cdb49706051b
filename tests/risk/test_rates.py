import numpy as np
import pandas as pd
import pytest

from geo.errors import LayerError
from risk.rates import decayed_counts, eb_smoothed_rate, period_years


def test_period_years_are_mid_period():
    years = period_years(pd.Series(["2023", "2023-01", "2023-12"]))
    assert years == pytest.approx([2023.5, 2023 + 0.5 / 12, 2023 + 11.5 / 12])


def test_counts_halve_every_half_life_before_the_latest_period():
    table = pd.DataFrame(
        {
            "commune_code": ["90001", "90001", "90002"],
            "period": ["2025", "2023", "2021"],
            "count": [4, 4, 8],
        }
    )
    counts = decayed_counts(table, ["90001", "90002", "90003"], half_life_years=2)
    assert counts == pytest.approx([4 + 2, 8 * 0.25, 0])


def test_unknown_commune_code_names_the_row():
    table = pd.DataFrame(
        {"commune_code": ["90001", "12345"], "period": ["2025", "2025"], "count": [1, 1]}
    )
    with pytest.raises(LayerError, match=r'row 2, column "commune_code": "12345" is not'):
        decayed_counts(table, ["90001"], half_life_years=2)


def test_small_communes_shrink_toward_the_overall_rate():
    counts = np.array([1.0, 100.0, 0.0, 50.0])
    pop = np.array([100.0, 100_000.0, 0.0, 50_000.0])
    smoothed = eb_smoothed_rate(counts, pop)
    overall = counts.sum() / pop.sum() * 10_000
    raw_small = 1 / 100 * 10_000
    assert abs(smoothed[0] - overall) < abs(raw_small - overall)
    assert smoothed[2] == pytest.approx(overall)  # no people: the overall rate, not NaN
    assert np.isfinite(smoothed).all()


def test_no_events_anywhere_gives_zero_rates():
    assert eb_smoothed_rate([0, 0, 0], [10, 0, 5]).tolist() == [0, 0, 0]
