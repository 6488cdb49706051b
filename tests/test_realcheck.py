"""``make realcheck`` under pytest: the CLI path on a real province's files, and the plan check's
own arithmetic. Nghệ An (480 communes, a delta of small communes and a mountain border of large
ones) is the province where a plan summing scores over communes goes to the delta (issue 12,
item 5); ``make realcheck`` runs all three provinces."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from benchmarks import realcheck
from tests.realfiles import real_communes, real_gpkg, requires_realdata


@pytest.fixture(scope="module")
def nghe_an(tmp_path_factory):
    folder = tmp_path_factory.mktemp("realcheck")
    return realcheck.run(real_gpkg(), ["Nghệ An"], keep=folder)[0]


@pytest.mark.slow
@requires_realdata
def test_every_cli_step_passes_and_no_acceptable_row_is_rejected(nghe_an):
    names = [s.name for s in nghe_an.steps]
    assert names[0] == "init" and names[-3:] == ["map", "export pdf", "export csv"]
    assert len([n for n in names if n.startswith("ingest")]) == 7
    assert all(s.ok for s in nghe_an.steps), realcheck.table([nghe_an])
    stored = {s.name.split()[1]: s.stored for s in nghe_an.steps if s.name.startswith("ingest")}
    assert stored["communes"] == 480 and stored["venues"] == 960 and stored["repatriations"] == 480
    assert all(s.rejected == 0 for s in nghe_an.steps if s.rejected is not None)


@pytest.mark.slow
@requires_realdata
def test_default_patrol_plan_goes_where_the_risk_is(nghe_an):
    plan = nghe_an.plan
    assert plan["bases_near_top"] == plan["bases"] == 5, realcheck.table([nghe_an])
    assert plan["reached_share"] >= 0.5
    assert not nghe_an.failures


@requires_realdata
def test_plan_check_counts_a_commune_reached_by_its_outline_not_its_centre():
    communes = real_communes("Tây Ninh").head(20)
    scores = pd.DataFrame({"commune_code": communes["commune_code"], "rank": range(1, 21)})
    metric = communes.geometry.to_crs(32648)
    # a base 14 km beyond the first commune's outline, on the side away from its centre
    edge = shapely.get_coordinates(metric.iloc[0].boundary)[0]
    centre = shapely.get_coordinates(metric.iloc[0].centroid)[0]
    away = edge + (edge - centre) / ((edge - centre) ** 2).sum() ** 0.5 * 14_000
    base = gpd.GeoSeries.from_xy([away[0]], [away[1]], crs=32648).to_crs(4326).iloc[0]
    plan = {"bases": [{"lon": base.x, "lat": base.y}], "covered_share": 0.5}
    figures = realcheck.plan_figures(plan, scores, communes)
    assert figures["top_decile"] == 2
    assert figures["base_to_top_km"][0] <= 14.01 and figures["bases_near_top"] == 1
    assert figures["top_reached"] >= 1
    assert realcheck.plan_failures({**figures, "reached_share": 0.4, "top_reached": 0}) == [
        "plan: reaches 0 of 2 top-decile communes (40%), item 5 asks at least 50%"
    ]


def test_realcheck_says_it_is_skipped_without_the_real_file(tmp_path, capsys):
    assert realcheck.main(["--realdata", str(tmp_path / "absent.gpkg")]) == 2
    assert "realcheck skipped: vn2009_dev_provinces.gpkg not found" in capsys.readouterr().err
