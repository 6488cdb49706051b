"""Kinds of crossings drawn in Google Earth / My Maps: description, folder, ExtendedData, icon."""

import pytest

from geo.errors import InputFileError
from geo.ingest import check_file
from geo.kml import description_fields, kinds_from_placemarks, parse_kml

HEAD = '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'


def placemark(name, *, description="", data="", style="", x=104.5):
    return (
        f"<Placemark><name>{name}</name><description><![CDATA[{description}]]></description>"
        f"{style}{data}<Point><coordinates>{x},19.3,0</coordinates></Point></Placemark>"
    )


DOCUMENT = (
    HEAD
    + "<Document>"
    + '<Style id="trail"><IconStyle><Icon><href>files/duong-mon.png</href></Icon></IconStyle>'
    + '</Style><StyleMap id="trail-map"><Pair><key>normal</key><styleUrl>#trail</styleUrl>'
    + "</Pair></StyleMap>"
    + "<Folder><name>Điểm vẽ tay</name>"
    + placemark("A", description="<table><tr><td>Loại</td><td>Cửa khẩu phụ</td></tr></table>")
    + placemark("B", description="Loại: lối mở<br/>Ghi chú: bản Cà Moong")
    + placemark("C", description="Cửa khẩu quốc tế Nậm Cắn, mở năm 2006")
    + placemark("D", data='<ExtendedData><Data name="loai"><value>CK chính</value></Data>'
                "</ExtendedData>", description="Loại: Cửa khẩu chính")
    + placemark("E", style="<styleUrl>#trail-map</styleUrl>")
    + "</Folder><Folder><name>Cảng biển</name>"
    + placemark("F", description="Cửa Lò")
    + "</Folder></Document></kml>"
)  # fmt: skip


def test_description_tables_and_key_value_lines_become_fields():
    assert description_fields(
        "<table><tr><th>Loại</th><td>Lối mở</td></tr><tr><td>Quốc gia</td><td>Lào</td></tr></table>"
    ) == {"Loại": "Lối mở", "Quốc gia": "Lào"}
    assert description_fields("Loại: Đường mòn<br>Quốc gia = Lào") == {
        "Loại": "Đường mòn",
        "Quốc gia": "Lào",
    }


def test_kinds_are_read_from_table_text_extended_data_icon_and_folder(tmp_path):
    path = tmp_path / "ck.kml"
    path.write_text(DOCUMENT, encoding="utf-8")
    checked = check_file(path, "crossings")
    assert checked.report.clean, checked.report.lines()
    kinds = checked.frame.set_index("name")["kind"].to_dict()
    assert kinds == {
        "A": "secondary",  # HTML table in the description
        "B": "opening",  # "Loại: …" line
        "C": "international",  # free text naming one kind
        "D": "main",  # "Loại" field (ExtendedData and description agree)
        "E": "trail",  # icon file name, through a StyleMap
        "F": "seaport",  # folder name
    }


def test_placemarks_whose_kind_is_nowhere_are_named(tmp_path):
    document = (
        HEAD
        + "<Document><Folder><name>Điểm</name>"
        + placemark("Mốc 12", description="vẽ ngày 3/4")
        + placemark("Lối mở bản Khe", description="")
        + "<Placemark><Point><coordinates>104.6,19.3</coordinates></Point></Placemark>"
        + "</Folder></Document></kml>"
    )
    path = tmp_path / "ck.kml"
    path.write_text(document, encoding="utf-8")
    frame = parse_kml(path.read_bytes(), str(path))
    with pytest.raises(
        InputFileError,
        match=r'column "kind": the kind of 2 of 3 placemarks could not be read \(placemarks '
        r'1 "Mốc 12", 3\): put it in the description \(e.g. "Loại: Cửa khẩu phụ"\), in '
        r"ExtendedData \(Loại\), in the folder's name or in the icon's file name",
    ):
        kinds_from_placemarks(frame, "crossings", str(path))
    report = check_file(path, "crossings").report
    assert report.file_errors[0].reason.startswith("the kind of 2 of 3 placemarks")
    assert report.rows_stored is None and report.rejected_rows == []
