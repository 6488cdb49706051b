"""The word catalogue: every word in both languages, and a clear error for a missing one."""

import pytest

from risk.labels import LANGS, word, words
from risk.words import catalogue


def test_every_word_has_every_language():
    for section, entries in catalogue().items():
        for key, texts in entries.items():
            for lang in LANGS:
                assert texts.get(lang, "").strip(), f"{section}.{key} has no {lang} text"


def test_word_reads_a_section_and_key():
    assert word("common.province", "vi") == "Tỉnh"
    assert words("common", "en")["commune"] == "Commune"


def test_missing_word_names_it():
    with pytest.raises(KeyError, match=r"common\.nothing"):
        word("common.nothing", "vi")
