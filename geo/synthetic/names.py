"""Fictional Vietnamese place names for the synthetic province, drawn without repeats."""

from __future__ import annotations

import unicodedata

import numpy as np
from numpy.random import Generator

_UPLAND = ("Nà", "Khuổi", "Lũng", "Pác", "Bản", "Phja", "Cốc", "Khau", "Nặm", "Pò", "Lục", "Tà",
           "Bó", "Slam", "Kéo", "Cò")  # fmt: skip
_LOWLAND = ("Đồng", "Tân", "Minh", "Xuân", "Hồng", "Phú", "Thượng", "Hạ", "Quảng", "Hải", "Yên",
            "Vân", "Mai", "Sơn", "Hà", "Lạc", "Thanh", "Bình", "An", "Hòa", "Phong", "Long", "Đức",
            "Thịnh", "Hưng", "Tiến", "Đông", "Nam", "Bắc", "Trung", "Thủy")  # fmt: skip


class NameBook:
    """Fictional two-syllable Vietnamese names (NFC), never handing out the same one twice."""

    def __init__(self, rng: Generator) -> None:
        self._rng = rng
        self._pools = {
            key: [f"{a} {b}" for a in syl for b in syl if a != b]
            for key, syl in (("up", _UPLAND), ("low", _LOWLAND))
        }
        for pool in self._pools.values():
            rng.shuffle(pool)

    def take(self, upland: bool = False) -> str:
        """Hand out a fresh name, upland (Tày-Nùng sounding) or lowland (Sino-Vietnamese) style."""
        pool = self._pools["up"] if upland and self._pools["up"] else self._pools["low"]
        return unicodedata.normalize("NFC", pool.pop())

    def any(self, upland: bool = False) -> str:
        """Draw a name that may repeat (hamlets)."""
        pool = self._pools["up"] if upland and self._pools["up"] else self._pools["low"]
        return unicodedata.normalize("NFC", pool[self._rng.integers(len(pool))])


#: Pairs of different communes whose names differ only by accents, as in real districts.
NEAR_HOMONYMS = (("Vĩnh Hưng", "Vĩnh Hùng"), ("Đông Phú", "Đồng Phú"), ("Tân Lập", "Tấn Lập"))
#: New tone placement -> old ("Hòa" is written "Hoà" in many official lists).
OLD_TONE = {"Hòa": "Hoà", "Thủy": "Thuỷ"}


def realistic_names(
    rng: Generator, stems: list[str], district: np.ndarray, prefix: np.ndarray
) -> list[str]:
    """``stems`` made as untidy as real lists: near-homonyms, repeats across districts, old tones.

    In three districts two rural communes get names that differ only by their accents; three
    names repeat in another district; some "Hòa"/"Thủy" names use the old placement.
    """
    stems = list(stems)
    rural = np.flatnonzero(prefix == "Xã ")
    by_district = {k: rural[district[rural] == k] for k in np.unique(district[rural])}
    roomy = [k for k, members in by_district.items() if len(members) >= 6]
    districts = rng.choice(roomy, len(NEAR_HOMONYMS), replace=False)
    for pair, k in zip(NEAR_HOMONYMS, districts, strict=True):
        a, b = rng.choice(by_district[k], 2, replace=False)
        stems[a], stems[b] = pair
    used = {i for pair in NEAR_HOMONYMS for i, s in enumerate(stems) if s in pair}
    free = np.array([i for i in rural if i not in used])
    for i in rng.choice(free, 3, replace=False):
        other = free[(district[free] != district[i]) & ~np.isin(free, list(used))]
        j = int(rng.choice(other))
        stems[j] = stems[i]
        used |= {int(i), j}
    for i in rng.choice(free, 4, replace=False):
        if int(i) not in used:
            stems[i] = f"{rng.choice(list(OLD_TONE.values()))} {stems[i].split()[-1]}"
    return [unicodedata.normalize("NFC", s) for s in stems]
