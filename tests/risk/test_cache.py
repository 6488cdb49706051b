"""Indicators cached per layer version: new weights redo no geometry, a new layer only its own."""

from collections import Counter
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from affine import Affine
from rasterio.transform import from_origin

import geo.limits as limits
import geo.pointcount as pointcount
import risk.inputs as pipeline
from geo.errors import InputFileError, LayerError
from geo.parallel import executor_for
from geo.workspace import CACHE as CACHE_DIR
from geo.workspace import Raster
from risk.errors import ScoringError
from risk.inputs import clear_caches, read_inputs
from risk.pipeline import analyse, score_workspace
from risk.profiles import load_profile
from risk.scoring import score
from tests.factories import METRIC, make_layers, make_population

PATROL = load_profile("patrol")


@pytest.fixture
def spy(monkeypatch):
    """Counts of geometry work in the pipeline: per indicator, zonal, neighbours, reprojection."""
    calls: Counter = Counter()

    def counting(name, fn, key=None):
        def wrapper(*args, **kwargs):
            calls[key(*args) if key else name] += 1
            return fn(*args, **kwargs)

        monkeypatch.setattr(pipeline, name, wrapper)

    counting("compute_indicator", pipeline.compute_indicator, key=lambda name, *_: name)
    counting("zonal_stats", pipeline.zonal_stats)
    counting("queen_neighbours", pipeline.queen_neighbours)
    counting("to_metric", pipeline.to_metric)
    clear_caches()
    yield calls
    clear_caches()


def reweighted(profile):
    """``profile`` with its weights rotated among its indicators and another normalisation."""
    names, values = list(profile.weights), list(profile.weights.values())
    weights = dict(zip(names, values[1:] + values[:1], strict=True))
    parameters = {**profile.parameters, "normalisation": "rank", "top_k": 3}
    return replace(profile, weights=weights, parameters=parameters)


def test_new_weights_and_methods_redo_no_geometry_even_in_a_new_process(tmp_workspace, spy):
    score_workspace(tmp_workspace, PATROL, store=False)
    assert spy["zonal_stats"] == 1 and spy["queen_neighbours"] == 1
    assert spy["border_proximity"] == 1
    spy.clear()
    clear_caches()  # what a second API worker or the next CLI run sees: only the files
    run = score_workspace(tmp_workspace, reweighted(PATROL), store=False)
    assert spy == Counter()
    assert run.record.weights != dict(PATROL.weights)
    # outreach remembers repatriations longer (half-life 3 years): only those rates are redone
    score_workspace(tmp_workspace, load_profile("outreach"), store=False)
    assert spy == Counter({"repatriation_rate": 1, "deported_rate": 1, "victim_rate": 1})


def test_a_new_venues_layer_recomputes_only_venue_pressure(tmp_workspace, layers, spy):
    score_workspace(tmp_workspace, PATROL, store=False)
    spy.clear()
    venues = make_layers(layers["communes"], seed=7)["venues"]
    tmp_workspace.write_layers({"venues": venues}, source="new venue survey")
    score_workspace(tmp_workspace, PATROL, store=False)
    assert spy == Counter({"venue_pressure": 1, "to_metric": 1})


def test_a_changed_parameter_recomputes_only_the_indicators_that_read_it(tmp_workspace, spy):
    score_workspace(tmp_workspace, PATROL, store=False)
    spy.clear()
    wider = {**PATROL.parameters, "border_decay_km": 30.0}
    score_workspace(tmp_workspace, replace(PATROL, parameters=wider), store=False)
    assert spy == Counter({"border_proximity": 1, "to_metric": 1})


def scored(ws, profile, *, cache):
    inputs = read_inputs(ws, profile, cache=cache)
    table = score(inputs.indicators, profile, notes=inputs.notes)
    analyse(table, inputs, profile, seed=0)
    return inputs, table.frame


def test_cached_scores_are_bit_identical_to_uncached(tmp_workspace, profile, spy):
    scored(tmp_workspace, profile, cache=True)
    clear_caches()
    cached_inputs, cached = scored(tmp_workspace, profile, cache=True)
    assert spy["zonal_stats"] == 1  # only the first run read the raster
    fresh_inputs, fresh = scored(tmp_workspace, profile, cache=False)
    pd.testing.assert_frame_equal(cached, fresh, check_exact=True)
    pd.testing.assert_frame_equal(
        cached_inputs.indicators, fresh_inputs.indicators, check_exact=True
    )
    assert cached_inputs.population.tobytes() == fresh_inputs.population.tobytes()
    assert cached_inputs.notes == fresh_inputs.notes


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing", "tampered"])
def test_a_damaged_cache_file_is_recomputed_never_trusted(tmp_workspace, spy, damage):
    _, expected = scored(tmp_workspace, PATROL, cache=False)
    scored(tmp_workspace, PATROL, cache=True)
    (path,) = (tmp_workspace.root / CACHE_DIR).glob("crossing_access-*.parquet")
    if damage == "garbage":
        path.write_bytes(b"not a parquet file")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-40])
    elif damage == "missing":
        path.unlink()
    else:  # a readable file whose values are not the ones its digest was made from
        frame = pd.read_parquet(path)
        frame["crossing_access"] *= 2
        frame.to_parquet(path)
    clear_caches()
    spy.clear()
    _, again = scored(tmp_workspace, PATROL, cache=True)
    assert spy["crossing_access"] == 1 and spy["border_proximity"] == 0
    pd.testing.assert_frame_equal(again, expected, check_exact=True)
    assert pd.read_parquet(path)["crossing_access"].to_numpy() == pytest.approx(
        read_inputs(tmp_workspace, PATROL, cache=False).indicators["crossing_access"].to_numpy()
    )


def test_cache_files_are_complete_and_named_by_indicator(tmp_workspace):
    score_workspace(tmp_workspace, PATROL, store=False)
    names = sorted(p.name.split("-")[0] for p in (tmp_workspace.root / CACHE_DIR).iterdir())
    assert "venue_pressure" in names and "population" in names and "neighbours" in names
    assert not [n for n in names if n.startswith(".")]  # no temp file left behind


def test_a_venue_layer_larger_than_free_memory_is_refused_before_it_is_read(
    tmp_workspace, monkeypatch
):
    rows = tmp_workspace.versions()["venues"].rows
    monkeypatch.setattr(limits, "available_memory", lambda: 40 * rows * limits.BYTES_PER_POINT)
    clear_caches()
    score_workspace(tmp_workspace, PATROL, store=False)  # 40× the need is free: fine
    survey = make_layers(tmp_workspace.read_layer("communes"), seed=3)["venues"]
    tmp_workspace.write_layers({"venues": survey}, source="a new venue survey")
    expected = read_inputs(tmp_workspace, PATROL, cache=False).indicators["venue_pressure"]
    monkeypatch.setattr(limits, "available_memory", lambda: len(survey) * limits.BYTES_PER_POINT)
    read = type(tmp_workspace).read_layer

    def read_but_not_venues(ws, name, *args):
        assert name != "venues", "the venues layer was read before the memory check"
        return read(ws, name, *args)

    monkeypatch.setattr(type(tmp_workspace), "read_layer", read_but_not_venues)
    clear_caches()
    with pytest.raises(
        LayerError,
        match=rf"layer venues: {len(survey):,} features need about 0\.\d MB of memory to "
        r"process here, but only 0\.\d MB is available \(50% may be used\); count it in "
        r"chunks on Dask workers instead \(RISKMAP_EXECUTOR=dask",
    ):
        score_workspace(tmp_workspace, PATROL, store=False)
    # the suggested path: workers read the layer 7 rows at a time, never all of it at once
    monkeypatch.setattr(pointcount, "CHUNK_ROWS", 7)
    with executor_for("local", workers=2) as ex:
        score_workspace(tmp_workspace, PATROL, store=False, executor=ex)
        got = read_inputs(tmp_workspace, PATROL, executor=ex, cache=False).indicators
    np.testing.assert_allclose(got["venue_pressure"], expected, rtol=1e-12)


def replace_population(ws, values, transform, crs=METRIC):
    ws.write_layers({}, rasters={"population": Raster(values, transform, crs)}, source="test")


def test_communes_over_nodata_only_are_named_never_zero(tmp_workspace, layers):
    values, transform = make_population(layers["communes"])
    clear_caches()
    first = tmp_workspace.read_layer("communes").to_crs(METRIC).iloc[0]
    col, _ = ~transform * (first.geometry.bounds[2], first.geometry.bounds[3])
    values[:, : int(col) + 1] = np.nan  # the west of the province, with the first commune
    replace_population(tmp_workspace, values, transform)
    with pytest.raises(
        ScoringError,
        match=rf"the population raster population\.tif holds only nodata over \d+ communes?: "
        rf"{first.commune_code}.* \(of 12\): fill those pixels",
    ):
        score_workspace(tmp_workspace, PATROL, store=False)
    replace_population(tmp_workspace, np.full_like(values, np.nan), transform)
    with pytest.raises(ScoringError, match=r"holds only nodata over 12 communes: .* and 2 more"):
        score_workspace(tmp_workspace, PATROL, store=False)


def test_a_population_raster_elsewhere_names_both_extents(tmp_workspace, layers):
    values, transform = make_population(layers["communes"])
    clear_caches()
    replace_population(tmp_workspace, values, transform * Affine.translation(0, 20))
    with pytest.raises(
        ScoringError, match=r"\d communes: 900\d\d.* lie partly outside the population raster"
    ):
        score_workspace(tmp_workspace, PATROL, store=False)
    replace_population(tmp_workspace, values, transform * Affine.translation(0, -500))
    with pytest.raises(
        InputFileError,
        match=r"population\.tif: the raster covers x .* but the polygons cover x .* \(both in "
        r"EPSG:32648\): it does not overlap any of them",
    ):
        score_workspace(tmp_workspace, PATROL, store=False)


def test_a_population_raster_in_another_crs_counts_the_same_people(tmp_workspace):
    before = score_workspace(tmp_workspace, PATROL, store=False).table.frame["population"]
    # 4 people per 100 m pixel over the province, on a VN-2000 / UTM 48N grid
    west, south, east, north = tmp_workspace.read_layer("communes").to_crs(3405).total_bounds
    cols, rows = int((east - west) // 100) + 20, int((north - south) // 100) + 20
    grid = from_origin(west - 1000, north + 1000, 100, 100)
    replace_population(tmp_workspace, np.full((rows, cols), 4.0, "float32"), grid, "EPSG:3405")
    clear_caches()
    after = score_workspace(tmp_workspace, PATROL, store=False).table.frame["population"]
    np.testing.assert_allclose(after, before, rtol=2e-3)
