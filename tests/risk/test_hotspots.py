import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity

from risk.hotspots import getis_ord, hotspot_classes, queen_neighbours
from risk.labels import HOTSPOT_LABELS
from risk.quality import quality_flags
from tests.realfiles import real_communes, requires_realdata

KM = 1000.0


def grid(n=8, island=True):
    """n × n square communes of 1 km (EPSG:32648), and a far island."""
    cells = [shapely.box(i, j, i + 1, j + 1) for j in range(n) for i in range(n)]
    if island:
        cells.append(shapely.box(20, 20, 21, 21))
    cells = [shapely.affinity.scale(c, KM, KM, origin=(0, 0)) for c in cells]
    return gpd.GeoSeries(cells, crs="EPSG:32648")


def test_a_cluster_of_high_scores_is_a_hot_spot_and_the_low_corner_a_cold_spot():
    cells = grid()
    x = np.array([g.centroid.x for g in cells]) / KM
    y = np.array([g.centroid.y for g in cells]) / KM
    values = np.select([(x < 3) & (y < 3), (x > 5) & (y > 5)], [90.0, 10.0], default=50.0)
    values += np.random.default_rng(0).normal(0, 1, len(values))
    values[-1] = 95.0  # the island is high, but has no neighbours to form a hot spot
    result = getis_ord(values, queen_neighbours(cells))
    assert result.islands == (len(cells) - 1,) and result.classes[-1] == "ns"
    assert result.classes[0].startswith("hot")  # corner of the high cluster
    assert result.classes[63].startswith("cold")
    assert set(result.classes) <= set(HOTSPOT_LABELS)


def test_fdr_is_stricter_than_raw_p_values():
    z = np.array([2.0, 1.7, 0.1, -2.7])
    q = np.array([0.03, 0.09, 0.9, 0.005])
    assert hotspot_classes(z, q).tolist() == ["hot_95", "hot_90", "ns", "cold_99"]


def test_multipart_commune_neighbours_whatever_its_parts_touch():
    parts = shapely.MultiPolygon([shapely.box(0, 0, 1e3, 1e3), shapely.box(5e3, 0, 6e3, 1e3)])
    cells = gpd.GeoSeries([parts, shapely.box(1e3, 0, 2e3, 1e3), shapely.box(6e3, 0, 7e3, 1e3)])
    w = queen_neighbours(cells)
    assert sorted(w.neighbors[0]) == [1, 2]


def test_constant_scores_have_no_hot_spots():
    cells = grid(4, island=False)
    assert set(getis_ord(np.full(16, 5.0), queen_neighbours(cells)).classes) == {"ns"}


def test_quality_flags_name_identical_values_and_redundant_pairs():
    rng = np.random.default_rng(0)
    a = rng.normal(size=30)
    flags = quality_flags(
        pd.DataFrame(
            {
                "border_proximity": a,
                "crossing_access": a * 2 + 0.01 * rng.normal(size=30),
                "industrial_area": np.r_[np.zeros(20), rng.uniform(size=10)],
            }
        ),
        {"border_proximity": "border", "crossing_access": "border", "industrial_area": "industry"},
    )
    assert any(f.startswith("industrial_area: 67% of communes share one value (0)") for f in flags)
    assert any(
        "border_proximity and crossing_access (border): Spearman ρ = 1.00" in f for f in flags
    )
    assert len(flags) == 2


def test_hotspot_labels_exist_in_both_languages():
    assert all(set(v) == {"vi", "en"} for v in HOTSPOT_LABELS.values())


def test_permutation_inference_is_seeded_and_random_scores_form_no_cluster():
    cells = grid(10, island=False)
    w = queen_neighbours(cells)
    noise = np.random.default_rng(11).uniform(0, 100, len(cells))
    a, b = getis_ord(noise, w, seed=3), getis_ord(noise, w, seed=3)
    assert (a.p == b.p).all() and (a.classes == b.classes).all()
    assert set(a.classes) == {"ns"}  # FDR: no cluster claimed in scores arranged at random
    assert a.p.min() >= 2 / 1000  # pseudo p-values from 999 permutations, two-sided


def test_labels_make_no_confidence_claim():
    for labels in HOTSPOT_LABELS.values():
        assert "confidence" not in labels["en"].lower() and "tin cậy" not in labels["vi"]


def test_communes_with_gaps_and_overlaps_but_no_shared_vertex_are_neighbours():
    """Outlines thinned one by one: a 100 m gap on one side, a 50 m overlap on the other."""
    cells = gpd.GeoSeries(
        [
            shapely.box(0, 0, 1e3, 1e3),
            shapely.box(1.1e3, 0, 2e3, 1e3),
            shapely.box(-50, 333, -1e3, 777),
        ],
        crs="EPSG:32648",
    )
    w = queen_neighbours(cells)
    assert sorted(w.neighbors[0]) == [1, 2] and w.neighbors[1] == [0]
    assert queen_neighbours(cells, tolerance_m=50).neighbors[1] == []


def test_communes_in_degrees_are_measured_in_metres():
    cells = gpd.GeoSeries(
        [shapely.box(105, 20, 105.01, 20.01), shapely.box(105.015, 20, 105.025, 20.01)], crs=4326
    )
    assert queen_neighbours(cells).neighbors[0] == []  # about 520 m apart
    assert queen_neighbours(cells, tolerance_m=600).neighbors[0] == [1]


def _without_neighbours(communes):
    w = queen_neighbours(communes)
    return [i for i in range(len(communes)) if not w.neighbors[i]]


def test_every_demo_commune_on_land_has_neighbours():
    from geo.synthetic import make_province

    communes = make_province().layers()["communes"]
    alone = _without_neighbours(communes)
    assert alone == [], communes.iloc[alone]["commune_name"].tolist()


@requires_realdata
def test_every_real_commune_has_neighbours():
    for province in ("Nghệ An", "Hà Giang", "Tây Ninh"):
        assert _without_neighbours(real_communes(province)) == [], province
