"""Vietnamese text keys: NFC text, accent-free match keys, header and kind aliases.

Everything here is pure string work. A *key* is what two spellings of the same thing share:
"Xã Nà Lũng", "xa na lung" and the NFD "Xã Nà Lũng" all give the commune key ``"na lung"``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

_NON_ALNUM = re.compile(r"[^0-9a-z]+")

#: Header spellings (as keys) for each contract column; English names map onto themselves.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "commune_code": ("ma xa", "ma phuong", "ma xa phuong", "ma dvhc", "ma don vi", "maxa"),
    "commune_name": (
        "xa",
        "phuong",
        "xa phuong",
        "xa phuong thi tran",
        "xa phuong tt",
        "ten xa",
        "ten phuong",
        "ten xa phuong",
        "ten dvhc",
        "tenxa",
        "commune",
        "ward",
    ),
    "district_name": (
        "huyen",
        "quan huyen",
        "huyen thi xa",
        "huyen thi xa thanh pho",
        "ten huyen",
        "tenhuyen",
        "district",
    ),
    "province_name": ("tinh", "tinh thanh pho", "ten tinh", "tentinh", "province"),
    "population": ("dan so", "so dan", "danso", "tong dan so"),
    "poverty_rate": ("ty le ho ngheo", "ti le ho ngheo", "tyle ngheo"),
    "ethnic_minority_share": ("ty le dan toc thieu so", "ty le dtts", "ti le dtts"),
    "area_km2": ("dien tich", "dien tich km2", "dientich"),
    "name": (
        "ten",
        "ten co so",
        "ten cua khau",
        "ten khu",
        "ten khu cong nghiep",
        "ten doanh nghiep",
        "ten co so kinh doanh",
    ),
    "kind": ("loai hinh", "loai", "loai hinh kinh doanh", "loai cua khau", "nganh nghe", "type"),
    "address": ("dia chi", "dia chi co so", "diachi"),
    "licence_no": ("so giay phep", "giay phep", "so gcn", "so giay chung nhan", "license no"),
    "country": ("quoc gia", "nuoc", "giap nuoc", "nuoc lang gieng"),
    "daily_traffic": ("luot qua lai ngay", "luu luong", "luot nguoi ngay"),
    "workers": ("so lao dong", "lao dong", "so cong nhan"),
    "licence_year": ("nam cap phep", "nam cap giay phep", "nam cap gcn", "licence year"),
    "opening_year": (
        "nam thanh lap",
        "nam hoat dong",
        "nam bat dau hoat dong",
        "nam di vao hoat dong",
        "opening year",
    ),
    "migrant_share": ("ty le lao dong ngoai tinh", "ty le lao dong nhap cu"),
    "period": ("nam", "thang", "ky", "nam thang", "thoi gian", "year"),
    "count": ("so nguoi", "so luong", "tong so", "so vu", "so nguoi bi truc xuat"),
    "category": ("phan loai", "doi tuong", "loai doi tuong"),
    "sex": ("gioi tinh",),
    "age_band": ("do tuoi", "nhom tuoi"),
    "enforcement_days": (
        "so ngay tuan tra",
        "ngay tuan tra",
        "so ngay tuan tra kiem soat",
        "so ngay kiem tra",
        "so luot tuan tra",
        "so luot kiem tra",
        "patrol days",
        "enforcement effort",
    ),
    "lon": ("kinh do", "long", "longitude", "lng"),
    "lat": ("vi do", "latitude"),
    "x": ("toa do x", "easting"),
    "y": ("toa do y", "northing"),
    "old_code": ("ma cu", "ma xa cu", "old code"),
    "new_code": ("ma moi", "ma xa moi", "new code"),
    "share": ("ty le", "ti le", "ty trong"),
}

#: Per-layer renames applied after the aliases ("Loại" is a category for repatriations).
LAYER_RENAMES: dict[str, dict[str, str]] = {
    "communes": {"name": "commune_name"},
    "repatriations": {"kind": "category"},
}

#: Kind spellings (as keys) for each value of each layer's kind column.
KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "venues": {
        "karaoke": ("karaoke", "hat karaoke", "dich vu karaoke", "quan karaoke"),
        "massage": ("massage", "mat xa", "xoa bop", "tam hoi", "xong hoi"),
        "guesthouse": ("nha nghi", "nha tro", "nha khach", "guest house"),
        "hotel": ("khach san",),
        "homestay": ("home stay",),
        "bar": ("quan bar", "vu truong", "pub", "bar pub"),
        "cafe": ("ca phe", "cafe giai khat", "quan ca phe", "coffee", "giai khat"),
        "other": ("khac",),
    },
    "crossings": {
        "international": ("cua khau quoc te", "ckqt"),
        "main": ("cua khau chinh", "cua khau song phuong"),
        "secondary": ("cua khau phu",),
        "opening": ("loi mo", "loi mo bien gioi"),
        "trail": ("duong mon", "duong mon loi mo"),
        "seaport": ("cang bien", "cua khau cang", "cua khau cang bien"),
    },
    "industrial_zones": {
        "kcn": ("khu cong nghiep",),
        "kkt": ("khu kinh te", "khu kinh te cua khau"),
        "ccn": ("cum cong nghiep",),
    },
    "border": {"land": ("dat lien", "bien gioi dat lien"), "sea": ("bien", "bien gioi bien")},
    "repatriations": {
        "deported": ("truc xuat", "bi truc xuat", "tra ve", "bi bat truc xuat"),
        "victim_returned": ("nan nhan", "nan nhan tro ve", "victim", "victim returned"),
        "case": ("vu viec", "vu an"),
    },
}

_COMMUNE_PREFIXES = ("thi tran", "dac khu", "phuong", "xa", "tt", "p", "x")
_DISTRICT_PREFIXES = ("thanh pho", "thi xa", "huyen", "quan", "tp", "tx", "h", "q")
_PROVINCE_PREFIXES = ("thanh pho", "tinh", "tp")


def nfc(text: str) -> str:
    """``text`` in Unicode NFC with surrounding and repeated spaces removed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: object) -> str:
    """Accent-, case- and punctuation-free key of ``text`` ("Xã/Phường" → "xa phuong")."""
    decomposed = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(_NON_ALNUM.sub(" ", plain).split())


#: Combining tone marks (huyền, sắc, ngã, hỏi, nặng); vowel marks (â, ă, ơ) are letters.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_WORD = re.compile(r"\w+")


def _tone_free_syllable(word: str) -> str:
    """A syllable with its tone mark moved to the end ("hoà" and "hòa" give the same text)."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(ch for ch in decomposed if ch in _TONES)
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return base + tones


def exact_key(name: object, prefixes: Iterable[str] = ()) -> str:
    """Accent-keeping match key: NFC, any case, any tone placement, without ``prefixes``.

    "Xã Thuận Hoà", "THUẬN HÒA" and "thuận hoà" share one key; "Vĩnh Hưng" and "Vĩnh Hùng"
    do not (compare :func:`commune_key`, which drops every accent).
    """
    text = unicodedata.normalize("NFC", str(name)).casefold().replace("_", " ")
    words = [_tone_free_syllable(word) for word in _WORD.findall(text)]
    for prefix in (exact_key(p) for p in prefixes):
        size = len(prefix.split())
        if words[:size] == prefix.split() and len(words) > size:
            words = words[size:]
            break
    return " ".join(words)


#: Commune type prefixes as written with their accents ("Xá Lượng" is a name, not "Xã Lượng").
_COMMUNE_PREFIXES_EXACT = ("thị trấn", "đặc khu", "phường", "xã", "tt", "p", "x")


def commune_exact_key(name: object) -> str:
    """:func:`exact_key` of a commune name, without "Xã/Phường/Thị trấn/TT." prefixes."""
    return exact_key(name, _COMMUNE_PREFIXES_EXACT)


def commune_keys(name: object) -> tuple[str, ...]:
    """Accent-free keys of a commune name: with and without a leading prefix-like word.

    "Xá Lượng" folds to "xa luong", which may be the commune Lượng with an unaccented "Xã",
    or the commune Xá Lượng; both keys are kept and the match decides.
    """
    full, stripped = fold(name), commune_key(name)
    return (stripped,) if full == stripped else (stripped, full)


def _strip_prefix(key: str, prefixes: Iterable[str]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            return key[len(prefix) + 1 :]
    return key


def commune_key(name: object) -> str:
    """Match key of a commune name: folded, without "Xã/Phường/Thị trấn/TT." prefixes."""
    return _strip_prefix(fold(name), _COMMUNE_PREFIXES)


def district_key(name: object) -> str:
    """Match key of a district name: folded, without "Huyện/Quận/Thị xã/Thành phố" prefixes."""
    return _strip_prefix(fold(name), _DISTRICT_PREFIXES)


def province_key(name: object) -> str:
    """Match key of a province name: folded, without "Tỉnh/Thành phố" prefixes."""
    return _strip_prefix(fold(name), _PROVINCE_PREFIXES)


def _header_table() -> dict[str, str]:
    table = {fold(column): column for column in HEADER_ALIASES}
    for column, aliases in HEADER_ALIASES.items():
        table.update(dict.fromkeys(aliases, column))
    return table


_HEADERS = _header_table()


#: A shapefile's DBF keeps 10 bytes of a field name: "Tên huyện" in UTF-8 becomes "Tên huy".
DBF_NAME_CHARS = 10
_MIN_PREFIX = 5


def _cut_header(key: str) -> str | None:
    """The one column whose aliases all start with ``key`` (a DBF-cut name), else None."""
    if len(key) < _MIN_PREFIX:
        return None
    columns = {column for alias, column in _HEADERS.items() if alias.startswith(key)}
    return columns.pop() if len(columns) == 1 else None


def canonical_header(header: object, layer: str | None = None) -> str | None:
    """Contract column a header stands for ("Tên cơ sở" → "name"), or None if unknown.

    A header of at most 10 characters may be a shapefile field name cut short ("Tên huy",
    "TEN_HUYEN"); it stands for the column whose aliases it begins, when only one does.
    """
    key = fold(header)
    column = _HEADERS.get(key)
    if column is None and len(str(header)) <= DBF_NAME_CHARS:
        column = _cut_header(key)
    if column is None:
        return None
    return LAYER_RENAMES.get(layer or "", {}).get(column, column)


def map_headers(
    headers: Iterable[object], layer: str, explicit: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Rename table ``{header: column}``: explicit ``src=dst`` first, then the aliases.

    Unknown headers are kept under their own (NFC) name; a contract column claimed by two
    headers goes to the first one only.
    """
    explicit = {fold(k): v for k, v in (explicit or {}).items()}
    renames: dict[str, str] = {}
    taken: set[str] = set(explicit.values())
    for header in headers:
        target = explicit.get(fold(header))
        if target is None:
            target = canonical_header(header, layer)
            if target is None or target in taken:
                target = nfc(str(header))
        taken.add(target)
        renames[str(header)] = target
    return renames


def kind_value(layer: str, value: object) -> str | None:
    """Contract kind for a written kind ("Nhà nghỉ" → "guesthouse"), or None if unknown."""
    table = KIND_ALIASES.get(layer, {})
    key = fold(value)
    for kind, aliases in table.items():
        if key == kind or key in aliases:
            return kind
    padded = f" {key} "
    found = {
        kind
        for kind, aliases in table.items()
        for alias in (kind, *aliases)
        if len(alias) >= 3 and f" {alias} " in padded
    }
    return found.pop() if len(found) == 1 else None
