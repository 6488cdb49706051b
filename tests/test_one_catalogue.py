"""Every user-facing word lives in the one catalogue, risk/words, in both languages."""

import ast
import re
from pathlib import Path

import pytest

from maps import offline
from maps.style import TEXT, text
from risk.labels import CLASS_LABELS, HOTSPOT_LABELS, INDICATOR_LABELS, KIND_LABELS, LANGS, words
from risk.results import REASON
from risk.words import catalogue

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "risk", "maps", "api")


def word_dicts(tree: ast.AST) -> list[int]:
    """Lines of dict literals keyed by both "vi" and "en" with literal text or dicts as values."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        literal = any(isinstance(v, ast.Constant | ast.Dict) for v in node.values)
        if {"vi", "en"} <= keys and literal:
            lines.append(node.lineno)
    return lines


def test_no_dict_of_words_outside_the_catalogue():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("risk/words/") or "node_modules" in rel:
                continue
            lines = word_dicts(ast.parse(path.read_text(encoding="utf-8")))
            found += [f"{rel}:{line}" for line in lines]
    assert found == [], f"words outside risk/words (move them into a risk/words module): {found}"


def test_the_detector_finds_a_dict_of_words():
    source = 'TITLE = {"vi": "Bản đồ", "en": "Map"}\nT = {"vi": {"a": "b"}, "en": {"a": "c"}}'
    assert word_dicts(ast.parse(source)) == [1, 2]
    assert word_dicts(ast.parse('out = {"vi": t["vi"].strip(), "en": t["en"]}')) == []


def test_every_section_has_the_same_keys_in_both_languages_and_no_stray_language():
    for section, entries in catalogue().items():
        for key, texts in entries.items():
            assert set(texts) == set(LANGS), f"{section}.{key}: {sorted(texts)}"
            assert texts["vi"].strip() and texts["en"].strip(), f"{section}.{key}"
        assert set(words(section, "vi")) == set(words(section, "en")) == set(entries)


def test_the_old_label_tables_read_the_catalogue():
    assert CLASS_LABELS[5] == {"vi": "Rất cao", "en": "Very high"}
    assert sorted(CLASS_LABELS) == [1, 2, 3, 4, 5]
    assert INDICATOR_LABELS == catalogue()["indicators"]
    assert KIND_LABELS["opening"]["vi"] == "Lối mở" and HOTSPOT_LABELS == catalogue()["hotspots"]
    assert TEXT["en"]["communes"] == text("communes", "en") == "Risk score by commune"
    assert "{label}" in REASON["vi"] and "điểm" in REASON["vi"] and "points" in REASON["en"]


def test_the_measure_words_cover_every_string_of_leaflet_measure():
    source = offline.VENDOR_DIR / "leaflet-measure/src/i18n/en.js"
    if not source.is_file():
        pytest.skip("leaflet-measure not installed: run 'npm ci --prefix maps/static'")
    keys = set(re.findall(r"^\s*'(\w+)':", source.read_text(encoding="utf-8"), re.M))
    assert keys and keys <= set(catalogue()["measure"]), keys - set(catalogue()["measure"])
    assert words("measure", "vi")["decPoint"] == ","  # 1.234,5 km in Vietnamese
