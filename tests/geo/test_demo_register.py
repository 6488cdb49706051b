"""The demo's venue register, ingested as a user would: address-only rows land in their commune."""

import pytest

from geo.ingest import check_file
from geo.synthetic import make_province


@pytest.mark.parametrize("admin", ["2009", "2025"])
def test_demo_register_loads_every_row_address_only_rows_at_their_commune(tmp_path, admin):
    province = make_province(admin=admin)
    path = tmp_path / "co_so_kinh_doanh.csv"
    province.register.to_csv(path, index=False)
    checked = check_file(path, "venues", communes=province.layers()["communes"])
    report = checked.report
    assert report.clean, report.lines()[:4]
    address_only = province.register["Kinh độ"].isna()
    assert address_only.sum() == 50
    located = checked.frame["location"].to_numpy()
    assert (located[address_only.to_numpy()] == "commune").all()
    assert f"{address_only.sum()} rows without coordinates placed at their commune" in " ".join(
        report.notes
    )


def test_address_only_row_naming_no_commune_is_one_clear_error(tmp_path):
    province = make_province()
    path = tmp_path / "co_so.csv"
    header = "Tên cơ sở,Loại hình,Xã/Phường,Kinh độ,Vĩ độ\n"
    path.write_text(header + "Karaoke A,karaoke,Xã Không Có,,\n")
    report = check_file(path, "venues", communes=province.layers()["communes"]).report
    errors = {p.column: p.reason for p in report.errors}
    assert errors["commune_name"].startswith("is not a commune of the workspace")
    assert errors["geometry"] == (
        "no coordinates, and no commune of the workspace to place it at (see commune_name); "
        "give its longitude/latitude (Kinh độ, Vĩ độ) or a commune name or code the communes "
        "layer holds"
    )
