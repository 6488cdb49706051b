"""Scoring "as of" a date: only the records known by then, its own run id, the date recorded."""

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.workspace import Raster, Workspace
from risk.errors import ScoringError
from risk.inputs import as_of_end, dated_tables, period_ends
from risk.pipeline import score_workspace
from risk.profiles import load_profile
from risk.store import list_runs, load_run
from tests.factories import METRIC, make_communes, make_layers, make_population


@pytest.fixture(scope="module")
def dated_ws(tmp_path_factory):
    """The small workspace with licence and opening years on venues and the zone."""
    communes = make_communes()
    layers = make_layers(communes)
    n = len(layers["venues"])
    layers["venues"]["licence_year"] = [2019 + i % 7 for i in range(n)]  # 2019-2025
    layers["industrial_zones"]["opening_year"] = [2024]
    values, transform = make_population(communes)
    ws = Workspace(tmp_path_factory.mktemp("asof") / "ws")
    ws.write_layers(
        layers, rasters={"population": Raster(values, transform, METRIC)}, source="test fixture"
    )
    return ws


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2025", date(2025, 12, 31)),
        ("2024-02", date(2024, 2, 29)),
        ("2025-06-15", date(2025, 6, 15)),
    ],
)
def test_as_of_covers_the_whole_year_month_or_day(text, end):
    assert as_of_end(text) == end


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-13", "not a date on the calendar"),
        ("2025-02-30", "not a date on the calendar"),
        ("June 2025", "expected to be YYYY, YYYY-MM or YYYY-MM-DD"),
        ("25", "expected to be YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_a_bad_as_of_date_is_refused_naming_it(text, why):
    with pytest.raises(ScoringError, match=f'as-of date was "{text}".*{why}'):
        as_of_end(text)


def test_a_period_ends_on_its_last_day():
    import pandas as pd

    ends = period_ends(pd.Series(["2024", "2024-02", "2023-12"]))
    assert [d.date() for d in ends] == [date(2024, 12, 31), date(2024, 2, 29), date(2023, 12, 31)]


def test_earlier_dates_keep_fewer_records(dated_ws):
    dates = ["2020", "2021-06", "2021", "2022", "2023-06", "2023", "2024", "2025"]
    kept = []
    for when in dates:
        tables, notes = dated_tables(dated_ws, when)
        reps = tables["repatriations"]
        assert (period_ends(reps["period"]) <= str(as_of_end(when))).all()
        kept.append(
            (int(reps["count"].sum()), len(tables["venues"]), len(tables["industrial_zones"]))
        )
        assert any("crossings" in n and "no date" in n for n in notes)
    for earlier, later in pairwise(kept):
        assert all(e <= lt for e, lt in zip(earlier, later, strict=True))
    assert kept[0] == (0, 2 * 6, 0)  # nothing before 2021; venues of 2019-2020; no zone
    assert kept[-1][0] == int(dated_ws.read_layer("repatriations")["count"].sum())
    # a year period is not known before the year is over; a month period is
    assert kept[dates.index("2023-06")][0] == kept[dates.index("2022")][0]


def test_a_score_as_of_a_date_uses_only_records_known_then(dated_ws):
    profile = load_profile("patrol")
    full = score_workspace(dated_ws, profile)
    early = score_workspace(dated_ws, profile, as_of="2023")
    later = score_workspace(dated_ws, profile, as_of="2024-12")
    ids = {full.record.run_id, early.record.run_id, later.record.run_id}
    assert len(ids) == 3  # each as-of date is a run of its own
    assert (early.record.as_of, later.record.as_of, full.record.as_of) == ("2023", "2024-12", "")
    reps = dated_ws.read_layer("repatriations")
    known = reps[reps["period"].astype(str) <= "2023"]
    totals = early.table.frame.set_index("commune_code")["repatriations_total"]
    expected = known.groupby("commune_code")["count"].sum()
    assert totals[expected.index].tolist() == expected.tolist()
    assert (
        early.table.frame["repatriations_total"] <= full.table.frame["repatriations_total"]
    ).all()
    assert any(n.startswith("as of 2023:") for n in early.record.notes)
    stored = {r.run_id: r.as_of for r in list_runs(dated_ws)}
    assert stored[early.record.run_id] == "2023"
    assert load_run(dated_ws, None, later.record.run_id).record.as_of == "2024-12"


def test_as_of_runs_are_refused_to_viewers_and_never_the_default(dated_ws):
    """An as-of run's counts differ from another run's by what a few people recorded since."""
    from risk.errors import AsOfRunError
    from risk.privacy import Suppression, viewing

    today = score_workspace(dated_ws, load_profile("patrol")).record.run_id
    run = score_workspace(dated_ws, load_profile("patrol"), as_of="2022")
    for rule in (Suppression(), Suppression(threshold=10), Suppression("round")):
        with viewing(rule), pytest.raises(AsOfRunError, match="as-of runs are for analysts"):
            load_run(dated_ws, None, run.record.run_id)
        with viewing(rule):
            assert run.record.run_id not in {r.run_id for r in list_runs(dated_ws)}
            assert load_run(dated_ws, "patrol").record.run_id == today
    assert load_run(dated_ws, None, run.record.run_id).record.as_of == "2022"  # analysts
    assert load_run(dated_ws, "patrol").record.run_id == today  # the latest over all records


as_of_dates = st.builds(
    lambda y, m, d, form: [f"{y}", f"{y}-{m:02d}", f"{y}-{m:02d}-{d:02d}"][form],
    st.integers(2019, 2026),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 2),
)


@settings(max_examples=25, deadline=None)
@given(as_of_dates, as_of_dates)
def test_an_earlier_as_of_date_never_keeps_more(dated_ws, first, second):
    early, late = sorted((first, second), key=as_of_end)
    kept_early, _ = dated_tables(dated_ws, early)
    kept_late, _ = dated_tables(dated_ws, late)
    for layer in ("repatriations", "venues", "industrial_zones"):
        assert len(kept_early[layer]) <= len(kept_late[layer])
    reps = kept_early["repatriations"]
    assert reps["count"].sum() <= kept_late["repatriations"]["count"].sum()
    assert (period_ends(reps["period"]) <= str(as_of_end(early))).all()
    assert set(map(tuple, reps.to_numpy())) <= set(
        map(tuple, kept_late["repatriations"].to_numpy())
    )


@pytest.mark.parametrize("when", ["2999", f"{date.today().year + 1}-01", "2999-01-01"])
def test_an_as_of_date_in_the_future_is_refused(dated_ws, when):
    with pytest.raises(ScoringError, match=f'as-of date was "{when}", which is in the future'):
        score_workspace(dated_ws, load_profile("patrol"), as_of=when)


def test_an_as_of_date_before_every_repatriation_record_warns_in_the_notes(dated_ws):
    run = score_workspace(dated_ws, load_profile("patrol"), as_of="2020")
    first = period_ends(dated_ws.read_layer("repatriations")["period"]).min().date()
    warning = f"warning: no repatriation records before {first.isoformat()}"
    assert any(n.startswith(warning) for n in run.record.notes)
    later = score_workspace(dated_ws, load_profile("patrol"), as_of="2024")
    assert not any("no repatriation records" in n for n in later.record.notes)
