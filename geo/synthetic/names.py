"""Fictional Vietnamese place names for the synthetic province, drawn without repeats."""

from __future__ import annotations

import unicodedata

from numpy.random import Generator

_UPLAND = ("Nà", "Khuổi", "Lũng", "Pác", "Bản", "Phja", "Cốc", "Khau", "Nặm", "Pò", "Lục", "Tà",
           "Bó", "Slam", "Kéo", "Cò")  # fmt: skip
_LOWLAND = ("Đồng", "Tân", "Minh", "Xuân", "Hồng", "Phú", "Thượng", "Hạ", "Quảng", "Hải", "Yên",
            "Vân", "Mai", "Sơn", "Hà", "Lạc", "Thanh", "Bình", "An", "Hòa", "Phong", "Long", "Đức",
            "Thịnh", "Hưng", "Tiến", "Đông", "Nam", "Bắc", "Trung")  # fmt: skip


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
