"""Builders of the files a real province hands over, from the real communes in ../shared/realdata.

Each builder takes the real communes (or border) and writes one file the way a province's
office would: a zipped VN-2000 shapefile with 10-character Vietnamese field names and old census
codes, a Google Earth KML of crossings with the kind in the description, folder or icon, an
XLSX venue register with a title row, accented, accent-free and old-tone names, near-homonyms
and address-only rows, and a BOM CSV of repatriation counts by old code. The real file is test
data: it is read from where it lies and never copied into the repository; tests skip with a
clear reason when it is absent (``requires_realdata``). ``make realcheck`` builds on these.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from geo.names import commune_key, district_key
from tests.helpers import encode_cp1258

ROOT = Path(__file__).resolve().parents[1]
GPKG_NAME = "vn2009_dev_provinces.gpkg"
#: Where the real file may lie: $RISKMAP_REALDATA, ../shared/realdata beside the clone or above
#: a worktree folder.
CANDIDATES = tuple(
    Path(p) / GPKG_NAME
    for p in (
        os.environ.get("RISKMAP_REALDATA", ""),
        ROOT.parent / "shared" / "realdata",
        ROOT.parent.parent / "shared" / "realdata",
    )
    if p
)
#: Shapefile field names as a land office writes them (at most 10 characters).
SHP_FIELDS = {
    "commune_code": "Mã xã",
    "commune_name": "Tên xã",
    "district_name": "Tên huyện",
    "province_name": "Tên tỉnh",
    "population_2009": "Dân số",
}
KIND_WORDS = {
    "international": "Cửa khẩu quốc tế",
    "main": "Cửa khẩu chính",
    "secondary": "Cửa khẩu phụ",
    "opening": "Lối mở",
    "trail": "Đường mòn",
}
VENUE_WORDS = {
    "karaoke": "Karaoke",
    "guesthouse": "Nhà nghỉ",
    "massage": "Mát xa",
    "cafe": "Cà phê",
}
REGISTER_HEADER = [
    "STT",
    "Tên cơ sở",
    "Loại hình",
    "Địa chỉ",
    "Xã/Phường",
    "Huyện",
    "Kinh độ",
    "Vĩ độ",
]
#: Old (oà, uỷ) and new (òa, ủy) tone placement of the same syllable ends.
_OLD_TONES = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}  # fmt: skip
_TONE_SWAP = {**_OLD_TONES, **{v: k for k, v in _OLD_TONES.items()}}
_SYLLABLE_END = re.compile("(" + "|".join(_TONE_SWAP) + r")\b")


def real_gpkg() -> Path | None:
    """The real communes file, if present."""
    return next((p for p in CANDIDATES if p.is_file()), None)


requires_realdata = pytest.mark.skipif(
    real_gpkg() is None,
    reason=f"real geometry {GPKG_NAME} is absent (looked in ../shared/realdata and "
    "$RISKMAP_REALDATA); it is test data that is never shipped",
)


def real_communes(province: str) -> gpd.GeoDataFrame:
    """The real communes of one province ("Nghệ An", "Hà Giang", "Tây Ninh"), EPSG:4326."""
    communes = gpd.read_file(real_gpkg(), layer="communes")
    return communes[communes["province_name"] == province].reset_index(drop=True)


def real_border() -> gpd.GeoDataFrame:
    """The Natural Earth land border lines, EPSG:4326."""
    return gpd.read_file(real_gpkg(), layer="land_border")


def retone(name: str) -> str:
    """``name`` with the other tone placement where it has a choice ("Hoà" ↔ "Hòa")."""
    return _SYLLABLE_END.sub(lambda m: _TONE_SWAP[m.group(1)], unicodedata.normalize("NFC", name))


def strip_accents(name: str) -> str:
    """``name`` without any accent, as typed on a keyboard without Vietnamese ("Nam Can")."""
    decomposed = unicodedata.normalize("NFD", name).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def write_communes_zip(
    communes: gpd.GeoDataFrame, path: Path, *, encoding: str = "cp1258", crs: str = "EPSG:3405"
) -> Path:
    """A zipped shapefile in VN-2000 (``crs``) with the office's field names and ``.cpg``."""
    folder = path.parent / f"{path.stem}_parts"
    folder.mkdir(exist_ok=True)
    shp = folder / "ranh_gioi_xa.shp"
    out = communes[[*SHP_FIELDS, "geometry"]].rename(columns=SHP_FIELDS).to_crs(crs)
    out.to_file(shp, encoding=encoding, engine="pyogrio")
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, f"Ranh gioi/{part.name}")
    return path


def crossing_points(
    communes: gpd.GeoDataFrame, border: gpd.GeoDataFrame, *, n: int = 12, max_km: float = 8.0
) -> gpd.GeoSeries:
    """``n`` points evenly along the border line where it lies within ``max_km`` of the communes."""
    metric = communes.to_crs("EPSG:3405")
    reach = shapely.buffer(shapely.union_all(metric.geometry.to_numpy()), max_km * 1000)
    line = shapely.intersection(shapely.union_all(border.to_crs(metric.crs).geometry), reach)
    line = shapely.line_merge(line) if line.geom_type == "MultiLineString" else line
    steps = (np.arange(n) + 0.5) / n * line.length
    points = [_along(line, d) for d in steps]
    return gpd.GeoSeries(points, crs=metric.crs).to_crs("EPSG:4326")


def _along(line, distance: float):
    parts = list(getattr(line, "geoms", [line]))
    for part in parts:
        if distance <= part.length:
            return part.interpolate(distance)
        distance -= part.length
    return parts[-1].interpolate(parts[-1].length)


def write_crossings_kml(points: gpd.GeoSeries, kinds: list[str], path: Path) -> Path:
    """A Google Earth KML whose placemarks carry the kind in four ways, in turn.

    Row i: an HTML table in the description (i % 4 == 0), a "Loại: …" line (1), only the
    folder's name (2), only the icon's file name (3).
    """
    folders: dict[str, list[str]] = {"Điểm qua lại": []}
    for i, (point, kind) in enumerate(zip(points, kinds, strict=True)):
        word, style = KIND_WORDS[kind], i % 4
        description = (
            f"<table><tr><td>Loại</td><td>{word}</td></tr><tr><td>Quốc gia</td><td>Lào</td></tr>"
            "</table>"
            if style == 0
            else f"Loại: {word}<br>Ghi chú: vẽ trên Google Earth"
            if style == 1
            else "Ghi chú: vẽ trên Google Earth"
        )
        icon = "placemark_circle" if style != 3 else strip_accents(word).lower().replace(" ", "_")
        mark = (
            f"<Placemark><name>Điểm {i + 1}</name>"
            f"<description><![CDATA[{description}]]></description>"
            f"<Style><IconStyle><Icon><href>http://maps.google.com/mapfiles/kml/{icon}.png"
            "</href></Icon></IconStyle></Style>"
            f"<Point><coordinates>{point.x:.6f},{point.y:.6f},0</coordinates></Point></Placemark>"
        )
        folders.setdefault(word if style == 2 else "Điểm qua lại", []).append(mark)
    body = "".join(
        f"<Folder><name>{escape(name)}</name>{''.join(marks)}</Folder>"
        for name, marks in folders.items()
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><name>Cửa khẩu</name>{body}</Document></kml>",
        encoding="utf-8",
    )
    return path


def register_rows(
    communes: gpd.GeoDataFrame, *, seed: int = 0, per_commune: int = 1, scatter: bool = False
) -> list:
    """Venue register rows a person would accept, for every commune (see :func:`write_register`).

    Names are written exactly, without their prefix, in capitals, with the other tone placement,
    or without accents where that stays unique in the district; every other row is address-only
    (no coordinates), the rest carry a point in their commune: its interior point, or with
    ``scatter`` a random point of its polygon (which may lie where a neighbour overlaps it).
    """
    rng = np.random.default_rng(seed)
    folded = communes.assign(k=communes["commune_name"].map(commune_key))
    folded["d"] = folded["district_name"].map(district_key)
    clash = folded.duplicated(["k", "d"], keep=False).to_numpy()
    points = communes.representative_point()
    rows, kinds = [], list(VENUE_WORDS)
    for i, commune in communes.iterrows():
        for j in range(per_commune):
            n = len(rows) + 1
            kind = kinds[int(rng.integers(len(kinds)))]
            name = _spelling(commune["commune_name"], n, accent_free_ok=not clash[i])
            inner = _random_point(commune.geometry, rng) if scatter else points.iloc[i]
            point = inner if n % 2 else None
            rows.append(
                [
                    n,
                    f"{VENUE_WORDS[kind]} số {n}",
                    VENUE_WORDS[kind],
                    f"Thôn {j + 1}, {commune['commune_name']}",
                    name,
                    commune["district_name"],
                    None if point is None else round(point.x, 6),
                    None if point is None else round(point.y, 6),
                ]
            )
    return rows


def _random_point(polygon, rng: np.random.Generator):
    """A uniformly random point of ``polygon`` (rejection sampling in its bounds)."""
    west, south, east, north = polygon.bounds
    while True:
        point = shapely.Point(rng.uniform(west, east), rng.uniform(south, north))
        if polygon.contains(point):
            return point


def _spelling(name: str, n: int, *, accent_free_ok: bool) -> str:
    bare = name.split(" ", 1)[1] if name.startswith(("Xã ", "Phường ")) else name
    bare = bare.removeprefix("Thị trấn ")
    forms = [name, bare, bare.upper(), retone(name)]
    if accent_free_ok:
        forms.append(strip_accents(bare))
    return forms[n % len(forms)]


def write_register(rows: list, path: Path) -> Path:
    """The police's XLSX register: a title row, a blank row, then the header and ``rows``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách cơ sở"
    sheet.append(["DANH SÁCH CƠ SỞ KINH DOANH CÓ ĐIỀU KIỆN VỀ ANTT"])
    sheet.append([])
    sheet.append(REGISTER_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_counts_csv(
    codes: list[str], path: Path, *, seed: int = 0, communes: gpd.GeoDataFrame | None = None
) -> Path:
    """Repatriation counts by (old) commune code and year, UTF-8 with BOM as Excel saves it.

    With ``communes`` (in the order of ``codes``), the table also names each commune (every
    other one with the other tone placement) and its district, as provinces' tables do.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"Mã xã": codes})
    if communes is not None:
        names = communes["commune_name"].tolist()
        frame["Tên xã"] = [retone(n) if i % 2 else n for i, n in enumerate(names)]
        frame["Huyện"] = communes["district_name"].to_numpy()
    frame["Năm"] = rng.choice([2021, 2022, 2023], len(codes))
    frame["Số người"] = rng.integers(0, 6, len(codes))
    path.write_bytes(frame.to_csv(index=False).encode("utf-8-sig"))
    return path


def write_zones_cp1258(
    communes: gpd.GeoDataFrame, path: Path, *, n: int = 8, seed: int = 0
) -> Path:
    """Industrial zones as the labour department's Windows-1258 CSV: name, kind, workers, lon/lat.

    The zones lie at the interior points of the ``n`` most populous communes (towns).
    """
    rng = np.random.default_rng(seed)
    top = communes.sort_values("population_2009", ascending=False).head(n)
    points = top.representative_point()
    lines = ["Tên khu,Loại,Số lao động,Địa chỉ,Kinh độ,Vĩ độ"]
    for i, (point, (_, commune)) in enumerate(zip(points, top.iterrows(), strict=True)):
        kind = ("Khu công nghiệp", "Cụm công nghiệp", "Khu kinh tế")[i % 3]
        lines.append(
            f"{kind} {commune['commune_name'].split(' ', 1)[-1]},{kind},"
            f'{int(rng.integers(300, 12000))},"{commune["commune_name"]}, '
            f'{commune["district_name"]}",{point.x:.6f},{point.y:.6f}'
        )
    path.write_bytes(encode_cp1258("\r\n".join(lines) + "\r\n"))
    return path


def write_border_geojson(
    communes: gpd.GeoDataFrame, border: gpd.GeoDataFrame, path: Path, *, margin_km: float = 30.0
) -> Path:
    """The land border lines within ``margin_km`` of the communes, as GeoJSON (EPSG:4326)."""
    metric = communes.to_crs("EPSG:3405")
    reach = shapely.buffer(shapely.union_all(metric.geometry.to_numpy()), margin_km * 1000)
    lines = border.to_crs(metric.crs).clip(reach)
    lines = lines[~lines.geometry.is_empty].to_crs("EPSG:4326")
    out = gpd.GeoDataFrame(
        {"Quốc gia": lines["neighbour"].astype(str).to_numpy()},
        geometry=lines.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    out.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def write_population_tif(communes: gpd.GeoDataFrame, path: Path, *, pixel_m: float = 250.0) -> Path:
    """People per ``pixel_m`` pixel (EPSG:32648, float32): each commune's 2009 census population
    spread evenly over the pixels whose centre lies in it."""
    import rasterio
    from rasterio import features
    from rasterio.transform import from_origin

    cells = communes.to_crs("EPSG:32648").geometry.to_numpy()
    west, south, east, north = shapely.total_bounds(cells) + np.array([-1, -1, 1, 1]) * pixel_m
    transform = from_origin(west, north, pixel_m, pixel_m)
    shape = (int(np.ceil((north - south) / pixel_m)), int(np.ceil((east - west) / pixel_m)))
    numbered = zip(cells, range(1, len(cells) + 1), strict=True)
    ids = features.rasterize(numbered, shape, fill=0, transform=transform, dtype="int32")
    pixels = np.bincount(ids.ravel(), minlength=len(cells) + 1)
    people = np.r_[0.0, communes["population_2009"].to_numpy(float)] / np.maximum(pixels, 1)
    profile = {
        "driver": "GTiff",
        "height": shape[0],
        "width": shape[1],
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:32648",
        "transform": transform,
        "compress": "deflate",
        "nodata": None,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(people[ids].astype(np.float32), 1)
    return path
