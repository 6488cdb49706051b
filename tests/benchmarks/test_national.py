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
