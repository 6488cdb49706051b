import numpy as np
import pytest
from pyproj.transformer import TransformerGroup

from geo.crs import PINNED_VN2000, parse_crs, swapped, to_storage, vn2000_tm3, xy_to_lonlat
from geo.errors import CRSError


@pytest.mark.parametrize(
    "text, epsg",
    [
        ("EPSG:4326", 4326),
        ("VN2000", 4756),
        ("VN2000:UTM48", 3405),
        ("vn2000:utm49", 3406),
        ("VN2000:TM3:105.75", 9210),
        ("VN2000:105-45", 9210),
        ("VN-2000 TM-3 107.75", 5899),
        ("3405", 3405),
    ],
)
def test_crs_shorthands(text, epsg):
    assert parse_crs(text).to_epsg() == epsg


def test_a_central_meridian_outside_epsg_builds_a_tm3_zone():
    crs = parse_crs("VN2000:TM3:103.5")
    assert crs.to_epsg() is None and "VN-2000" in crs.geodetic_crs.name
    assert crs.coordinate_operation.params[1].value == 103.5
    with pytest.raises(CRSError, match=r"central meridian 95\.0 is not in Vietnam"):
        vn2000_tm3(95.0)


def test_unknown_crs_lists_the_forms():
    with pytest.raises(CRSError, match=r'"VN2001" is not a CRS riskmap knows; use EPSG:4326'):
        parse_crs("VN2001")


def _transformer(crs, name):
    group = TransformerGroup(crs, "EPSG:4326", always_xy=True)
    return next(t for t in group.transformers if name in t.description)


def test_vn2000_goes_through_the_pinned_datum_shift(communes):
    tm3 = parse_crs("VN2000:TM3:105.75")
    pinned = _transformer(tm3, PINNED_VN2000)
    other = _transformer(tm3, "VN-2000 to WGS 84 (1)")
    x, y = 520_000.0, 2_400_000.0
    lon, lat = xy_to_lonlat(np.array([x]), np.array([y]), tm3)
    assert (lon[0], lat[0]) == pytest.approx(pinned.transform(x, y), abs=1e-9)
    # the two PROJ transformations differ by about a metre: pinning one matters
    assert abs(other.transform(x, y)[0] - lon[0]) > 1e-6
    gdf = communes.to_crs(3405)
    assert to_storage(gdf).crs.to_epsg() == 4326


def test_swapped_latitude_longitude_detected():
    x = np.array([21.7, 106.9, 300.0])
    y = np.array([106.9, 21.7, 300.0])
    assert swapped(x, y, parse_crs("EPSG:4326")).tolist() == [True, False, False]
    # VN-2000 survey convention writes northing first: swapped metres are caught too
    assert swapped(np.array([2_400_000.0]), np.array([520_000.0]), parse_crs("VN2000:TM3:105.75"))[
        0
    ]
