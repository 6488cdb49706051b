"""National synthetic data: the promised shape at any scale, inside its raster, seeded."""

import numpy as np
import pytest
import rasterio
import shapely

from benchmarks.national import FULL, make_national

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("scale", [0.002, 0.0037])
def test_layers_have_the_scaled_counts_and_lie_inside_the_raster(tmp_path, scale):
    data = make_national(tmp_path, scale=scale, seed=3)
    for layer in ("communes", "venues", "crossings"):
        assert len(data.layers[layer]) == max(1, round(FULL[layer] * scale)), layer
    with rasterio.open(data.raster) as src:
        extent = shapely.box(*src.bounds)
        assert src.width * src.height == data.pixels
    communes = data.layers["communes"].geometry.to_numpy()
    assert shapely.covers(extent, communes).all()  # no commune half off the raster
    assert set(data.layers["repatriations"]["period"]) <= {str(y) for y in range(2021, 2026)}


def test_same_seed_same_data(tmp_path):
    a = make_national(tmp_path / "a", scale=0.002, seed=5)
    b = make_national(tmp_path / "b", scale=0.002, seed=5)
    for name, frame in a.layers.items():
        assert frame.equals(b.layers[name]), name
    with rasterio.open(a.raster) as ra, rasterio.open(b.raster) as rb:
        assert np.array_equal(ra.read(1), rb.read(1))


def test_the_2025_structure_has_3321_communes_in_34_provinces_and_no_district():
    """At national scale (communes only: the raster and venues are not drawn here)."""
    from benchmarks.national import FULL_2025, _communes_2025, _country, _uniform

    rng = np.random.default_rng(0)
    box = shapely.box(180_000.0, 950_000.0, 880_000.0, 2_400_000.0)
    country = _country(box, 1.0)
    communes = _communes_2025(rng, country, _uniform(rng, country, 80), 1.0)
    assert len(communes) == FULL_2025["communes"] == 3_321
    assert communes["province_name"].nunique() == FULL_2025["provinces"] == 34
    assert "district_name" not in communes.columns
    assert communes["commune_code"].is_unique
    assert shapely.is_valid(communes.geometry.to_numpy()).all()
    assert communes.area.sum() == pytest.approx(country.area, rel=1e-6)  # they tile the country


def test_an_unknown_structure_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r'structure was "2030" but is expected to be one of'):
        make_national(tmp_path, scale=0.002, structure="2030")
