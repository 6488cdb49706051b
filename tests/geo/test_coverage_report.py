"""Overlaps and gaps of real outlines: counted and summed, the largest named, not one line each."""

import logging
import re

from geo.geometry import LISTED
from geo.ingest import check_file
from geo.synthetic import make_province
from maps.simplify import simplify_coverage
from tests.realfiles import real_communes, requires_realdata, write_communes_zip


@requires_realdata
def test_thousands_of_overlaps_are_one_count_and_the_ten_largest(tmp_path):
    report = check_file(
        write_communes_zip(real_communes("Nghệ An"), tmp_path / "xa.zip"), "communes"
    ).report
    geometry = [p for p in report.warnings if p.column == "geometry"]
    assert len(geometry) <= 2 * (LISTED + 1)
    overlaps = [p for p in geometry if p.reason.startswith("overlaps commune")]
    sizes = [float(re.search(r"by ([\d.]+) ha", p.reason).group(1)) for p in overlaps]
    assert len(overlaps) == LISTED and sizes == sorted(sizes, reverse=True)
    (summary,) = [p for p in geometry if "pairs of communes overlap" in p.reason]
    assert summary.row is None
    assert re.fullmatch(
        r"\d{3,} pairs of communes overlap, \d+ ha in all \(real boundaries are not a clean "
        r"coverage\); the 10 largest are listed",
        summary.reason,
    )
    count = int(summary.reason.split()[0])
    (note,) = [n for n in report.notes if n.startswith("coverage:")]
    assert note.startswith(f"coverage: {count} overlaps between communes and ")


def test_simplifying_the_demo_communes_logs_no_warning(caplog):
    communes = make_province().layers()["communes"]
    with caplog.at_level(logging.DEBUG, logger="maps.simplify"):
        simplify_coverage(communes)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
