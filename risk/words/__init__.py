"""The one catalogue of user-facing words, in Vietnamese and English: one module per part.

Each module of this package defines ``WORDS``: key → ``{"vi": ..., "en": ...}``. A word is
named ``"<module>.<key>"`` (``"office.ranking_sheet"``) and read with :func:`risk.labels.word`;
:func:`catalogue` gathers every module, so a new part of riskmap adds its words by adding a
module here, without touching the others.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

Words = dict[str, dict[str, str]]


@cache
def catalogue() -> dict[str, Words]:
    """Every section of the catalogue: module name → its ``WORDS``."""
    sections = {}
    for info in pkgutil.iter_modules(__path__):
        sections[info.name] = importlib.import_module(f"{__name__}.{info.name}").WORDS
    return sections
