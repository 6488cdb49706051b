import unicodedata
import zipfile

import geopandas as gpd
import pytest
import shapely

from geo.errors import InputFileError
from geo.limits import Limits
from geo.readers import decode_text, read_file
from tests.geo.conftest import write_csv, write_xlsx
from tests.helpers import encode_cp1258

ROWS = [["Tên cơ sở", "Loại hình", "Xã/Phường"], ["Nhà nghỉ Hồng Quang", "Nhà nghỉ", "Xã Đồng Tâm"]]


@pytest.mark.parametrize(
    "encoding, label",
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with BOM"),
        ("utf-16", "UTF-16"),
        ("cp1258", "Windows-1258"),
    ],
    ids=["utf8", "bom", "utf16", "cp1258"],
)
def test_csv_encodings_give_the_same_nfc_text(tmp_path, encoding, label):
    raw = read_file(write_csv(tmp_path / "x.csv", ROWS, encoding=encoding))
    assert f"read as {label}" in raw.notes[0]
    assert list(raw.frame.columns) == ROWS[0]
    value = raw.frame["Xã/Phường"].iloc[0]
    assert value == "Xã Đồng Tâm" and unicodedata.is_normalized("NFC", value)
    assert raw.frame.index.tolist() == [2]


def test_cp1258_decomposed_tones_become_nfc():
    # Windows-1258 writes some tones as combining marks: "ệ" is "ê" + U+0323.
    text, encoding = decode_text(encode_cp1258("Huyện"))
    assert text != "Huyện"
    assert encoding == "Windows-1258"
    assert unicodedata.normalize("NFC", text) == "Huyện"


def test_nfd_names_are_read_as_nfc(tmp_path):
    rows = [[unicodedata.normalize("NFD", c) for c in row] for row in ROWS]
    raw = read_file(write_csv(tmp_path / "nfd.csv", rows))
    assert "Tên cơ sở" in raw.frame.columns
    assert raw.frame["Xã/Phường"].iloc[0] == "Xã Đồng Tâm"


def test_semicolon_csv_and_rows_numbered_as_in_excel(tmp_path):
    rows = [ROWS[0], ROWS[1], ["", "", ""], ["Karaoke 1", "Karaoke", "Xã Pác Bó"]]
    raw = read_file(write_csv(tmp_path / "semi.csv", rows, sep=";"))
    assert raw.frame.index.tolist() == [2, 4]


def test_xlsx_title_row_above_the_header(tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", [["STT", *ROWS[0]], [1, *ROWS[1]]], title="DANH SÁCH")
    raw = read_file(path)
    assert list(raw.frame.columns) == ["STT", *ROWS[0]]
    assert raw.frame.index.tolist() == [4]  # title row 1, blank row 2, header row 3
    assert "header on row 3" in raw.notes[0]


def test_kml_and_kmz_keep_vietnamese_extended_data(tmp_path):
    kml = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>
<Placemark><name>Cửa khẩu Tà Lùng</name>
<ExtendedData><Data name="Loại"><value>cửa khẩu quốc tế</value></Data></ExtendedData>
<Point><coordinates>106.5,22.7,0</coordinates></Point></Placemark>
<Placemark><name>Lối mở</name><Point><coordinates>106.6,22.8</coordinates></Point></Placemark>
</Folder></Document></kml>"""
    (tmp_path / "a.kml").write_text(kml, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "a.kmz", "w") as archive:
        archive.writestr("doc.kml", kml)
    for name in ("a.kml", "a.kmz"):
        frame = read_file(tmp_path / name).frame
        assert frame["Loại"].tolist()[0] == "cửa khẩu quốc tế"
        assert frame.geometry.iloc[1].equals(shapely.Point(106.6, 22.8))
        assert frame.crs.to_epsg() == 4326


def test_zipped_shapefile_honours_cpg(tmp_path, communes):
    short = communes.rename(columns={"commune_code": "MA_XA", "commune_name": "TEN_XA"})
    short[["MA_XA", "TEN_XA", "geometry"]].to_file(tmp_path / "xa.shp", encoding="cp1258")
    with zipfile.ZipFile(tmp_path / "xa.zip", "w") as archive:
        for part in tmp_path.glob("xa.*"):
            if part.suffix != ".zip":
                archive.write(part, f"ban_do/{part.name}")
    assert (tmp_path / "xa.cpg").exists()
    frame = read_file(tmp_path / "xa.zip").frame
    assert frame["TEN_XA"].tolist() == communes["commune_name"].tolist()
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs.to_epsg() == 4326


def test_zip_with_parent_paths_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("../../etc/xa.shp", b"x")
    with pytest.raises(
        InputFileError, match=r'evil\.zip: zip member "\.\./\.\./etc/xa\.shp" points outside'
    ):
        read_file(tmp_path / "evil.zip")


def test_zip_bomb_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xa.shp", b"\0" * 50_000_000)
    with pytest.raises(InputFileError, match="possible decompression bomb"):
        read_file(tmp_path / "bomb.zip")


def test_size_and_feature_limits(tmp_path):
    path = write_csv(tmp_path / "x.csv", ROWS * 3)
    with pytest.raises(InputFileError, match=r"x\.csv: 5 features, over the 2 limit"):
        read_file(path, limits=Limits(max_features=2))
    with pytest.raises(
        InputFileError, match=r"over the 1e-05 MB limit \(raise it with --max-file-mb\)"
    ):
        read_file(path, limits=Limits(max_file_mb=0.00001))


def test_unknown_and_old_formats(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(
        InputFileError, match=r"a\.xls: old Excel \.xls files are not read; save it as \.xlsx"
    ):
        read_file(tmp_path / "a.xls")
    (tmp_path / "a.doc").write_bytes(b"x")
    with pytest.raises(InputFileError, match=r'"\.doc" files are not read'):
        read_file(tmp_path / "a.doc")
