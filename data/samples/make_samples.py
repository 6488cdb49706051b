"""Write the sample input files in ``data/samples/``: fictional data in the formats users have.

Run ``.venv/bin/python data/samples/make_samples.py`` to regenerate them. Every place, name,
licence and count is invented (province "Biên Hải"); the files only show the formats:

- ``xa_tm3_105-45.zip``   commune polygons, zipped shapefile in VN-2000 / TM-3 105°45' with a
                          ``.prj`` and a Windows-1258 ``.cpg``, land-office field names
- ``co_so_kinh_doanh.xlsx`` venue register: title rows, Vietnamese headers, addresses, some rows
                          without coordinates, one with latitude and longitude swapped
- ``co_so_cp1258.csv``    the same kind of register saved by Excel as Windows-1258 CSV
- ``cua_khau.kml``        border crossings from Google Earth, kind in ExtendedData "Loại"
- ``tra_ve.xlsx``         people deported back / victims returned, counts per commune and year
"""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import shapely

HERE = Path(__file__).resolve().parent
TM3 = "EPSG:9210"  # VN-2000 / TM-3 105-45
X0, Y0 = 620_000.0, 2_420_000.0  # metres in TM-3 105-45, about 106.9 E 21.9 N
NAMES = ["Nà Lũng", "Pác Bó", "Khuổi Mạ", "Đồng Tâm", "Tân Yên", "Hồng Quang"]
DISTRICTS = ["Bắc Sơn", "Bắc Sơn", "Bắc Sơn", "Nam Sơn", "Nam Sơn", "Nam Sơn"]


def communes() -> gpd.GeoDataFrame:
    """Six fictional 5 km square communes in two districts (TM-3 metres)."""
    cells = [
        shapely.box(X0 + i * 5000, Y0 - (j + 1) * 5000, X0 + (i + 1) * 5000, Y0 - j * 5000)
        for j in range(2)
        for i in range(3)
    ]
    return gpd.GeoDataFrame(
        {
            "MA_XA": [f"{98001 + k}" for k in range(6)],
            "TEN_XA": [f"Xã {n}" for n in NAMES],
            "TEN_HUYEN": [f"Huyện {d}" for d in DISTRICTS],
            "TEN_TINH": "Biên Hải",
            "DAN_SO": [4120, 2875, 6310, 5480, 3930, 7205],
        },
        geometry=cells,
        crs=TM3,
    )


def lonlat(polygons: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    """A point inside each commune, longitude/latitude rounded to 6 decimals."""
    points = polygons.representative_point().to_crs(4326)
    return [(round(p.x + 0.004, 6), round(p.y - 0.003, 6)) for p in points]


def write_shapefile_zip(polygons: gpd.GeoDataFrame) -> None:
    """The communes as a zipped Windows-1258 shapefile in VN-2000 / TM-3."""
    folder = HERE / "_shp"
    folder.mkdir(exist_ok=True)
    polygons.to_file(folder / "xa.shp", encoding="cp1258")
    with zipfile.ZipFile(HERE / "xa_tm3_105-45.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, f"ranh_gioi_xa/{part.name}")
            part.unlink()
    folder.rmdir()


def write_register(points: list[tuple[float, float]]) -> None:
    """The venue register workbook: title rows, Vietnamese headers, two bad rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cơ sở"
    sheet.append(["UBND TỈNH BIÊN HẢI — DỮ LIỆU MẪU (HƯ CẤU)"])
    sheet.append(["DANH SÁCH CƠ SỞ KINH DOANH CÓ ĐIỀU KIỆN VỀ AN NINH, TRẬT TỰ"])
    sheet.append([])
    sheet.append(["STT", "Tên cơ sở", "Loại hình", "Số giấy phép", "Địa chỉ", "Xã/Phường",
                  "Huyện", "Kinh độ", "Vĩ độ", "Ghi chú"])  # fmt: skip
    rows = [
        ("Karaoke Hoa Mai", "Karaoke", "Thôn Bản Chang", 0, None),
        ("Nhà nghỉ Bình An", "Nhà nghỉ", "Thôn Nà Pồng", 1, None),
        ("Massage Sen Vàng", "Mát xa", "Khu 2", 2, None),
        ("Khách sạn Biên Thùy", "Khách sạn", "Số 12 đường Biên Giới", 3, None),
        ("Homestay Suối Mơ", "Homestay", "Bản Khuổi Mạ", 2, "chưa có tọa độ"),
        ("Quán bar Đêm Xanh", "Quán bar", "Khu 5", 4, None),
        ("Cà phê Gió Núi", "Cà phê", "Thôn Tân Yên", 4, "đảo tọa độ"),
        ("Nhà nghỉ Hồng Quang", "nhà nghỉ", "Xóm Mới", 5, None),
        ("Bida Thắng Lợi", "Bi-a", "Thôn 3", 5, None),
    ]
    for number, (name, kind, address, commune, note) in enumerate(rows, start=1):
        lon, lat = points[commune]
        if note == "chưa có tọa độ":
            lon = lat = None
        if note == "đảo tọa độ":
            lon, lat = lat, lon
        place = [f"Xã {NAMES[commune]}", f"Huyện {DISTRICTS[commune]}"]
        sheet.append(
            [number, name, kind, f"{number:03d}/GCN-ANTT", address, *place, lon, lat, note]
        )
    book.save(HERE / "co_so_kinh_doanh.xlsx")


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: base letter plus combining tone where needed."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            for mark in list(marks):
                composed = unicodedata.normalize("NFC", base + mark)
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                marks.remove(mark)
            out += (base + "".join(marks)).encode("cp1258")
    return out


def write_cp1258_csv(points: list[tuple[float, float]]) -> None:
    """A small venue list saved as Windows-1258 CSV."""
    lines = ["Tên cơ sở,Loại hình,Địa chỉ,Xã/Phường,Kinh độ,Vĩ độ"]
    for k, (name, kind) in enumerate([("Karaoke Ánh Dương", "karaoke"),
                                      ("Nhà trọ Thảo Nguyên", "nhà trọ"),
                                      ("Cà phê Phố Núi", "cà phê giải khát")]):  # fmt: skip
        lon, lat = points[k + 3]
        lines.append(f"{name},{kind},Thôn {NAMES[k + 3]},{NAMES[k + 3]},{lon},{lat}")
    (HERE / "co_so_cp1258.csv").write_bytes(encode_cp1258("\r\n".join(lines) + "\r\n"))


def write_kml(points: list[tuple[float, float]]) -> None:
    """Border crossings as Google Earth placemarks."""
    crossings = [("Cửa khẩu Nà Lũng", "Cửa khẩu chính", 0), ("Lối mở Pác Bó", "Lối mở", 1),
                 ("Đường mòn Khuổi Mạ", "Đường mòn", 2)]  # fmt: skip
    marks = "\n".join(
        f'<Placemark><name>{name}</name><ExtendedData><Data name="Loại"><value>{kind}</value>'
        f"</Data></ExtendedData><Point><coordinates>{points[k][0]},{points[k][1] + 0.02},0"
        "</coordinates></Point></Placemark>"
        for name, kind, k in crossings
    )
    (HERE / "cua_khau.kml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><name>Cửa khẩu (dữ liệu mẫu, hư cấu)</name>\n{marks}\n</Document></kml>\n",
        encoding="utf-8",
    )


def write_repatriations() -> None:
    """Counts per commune, year and category (seeded, fictional)."""
    rng = np.random.default_rng(2025)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Trả về"
    sheet.append(["SỐ NGƯỜI BỊ TRỤC XUẤT / NẠN NHÂN TRỞ VỀ — DỮ LIỆU MẪU (HƯ CẤU)"])
    sheet.append(["Xã/Phường", "Huyện", "Năm", "Số người", "Đối tượng"])
    for year in (2022, 2023, 2024):
        for k, name in enumerate(NAMES):
            category = "Bị trục xuất" if k % 2 == 0 else "Nạn nhân trở về"
            sheet.append([name, DISTRICTS[k], year, int(rng.integers(0, 9)), category])
    book.save(HERE / "tra_ve.xlsx")


def main() -> None:
    """Write every sample file beside this script."""
    polygons = communes()
    points = lonlat(polygons)
    write_shapefile_zip(polygons)
    write_register(points)
    write_cp1258_csv(points)
    write_kml(points)
    write_repatriations()


if __name__ == "__main__":
    main()
