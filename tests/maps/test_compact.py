"""Compact map data: columns give back every feature, and text cannot leave its script."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from maps.compact import columns, compact_json

names = st.sampled_from(["Xã Nà Lũng", "Phường 1", "</script><b>x</b>", "a'b&c", ""])
props = st.fixed_dictionaries(
    {
        "commune_code": st.text("0123456789", min_size=5, max_size=5),
        "commune_name": names,
        "score": st.floats(0, 100, allow_nan=False),
        "rank": st.integers(1, 10_000),
    }
)


def decoded(packed: dict) -> list[dict]:
    """What maps.compact.DECODE_JS does in the browser, in Python."""
    out = []
    for i in range(packed["n"]):
        p = {
            k: (c["k"][c["i"][i]] if isinstance(c, dict) else c[i]) for k, c in packed["p"].items()
        }
        out.append({"type": "Feature", "properties": p, "geometry": packed["g"][i]})
    return out


@given(st.lists(props, max_size=40))
def test_columns_give_back_every_feature(rows):
    features = [
        {"type": "Feature", "properties": p, "geometry": {"type": "Point", "coordinates": [1, 2]}}
        for p in rows
    ]
    packed = json.loads(str(compact_json(columns({"features": features}))))
    assert decoded(packed) == features


def test_repeated_names_are_written_once_and_markup_stays_text():
    features = [
        {"properties": {"label": "Rất cao", "name": "</script><b>x</b>"}, "geometry": None}
    ] * 10
    text = str(compact_json(columns({"type": "FeatureCollection", "features": features})))
    assert text.count("Rất cao") == 1  # UTF-8 as it is, once
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["p"]["name"]["k"] == ["</script><b>x</b>"]
