"""Compact map data: features as columns, repeated strings once, JSON without spaces.

A national map holds 10,600 communes: written as GeoJSON features, their property names,
repeated labels and folium's spaced JSON weigh more than the shapes. :func:`columns` turns a
FeatureCollection into ``{"n": rows, "p": {property: values}, "g": [geometry, ...]}``, where a
string column with few distinct values is ``{"k": [distinct], "i": [index per row]}``;
:data:`DECODE_JS` turns it back into features in the browser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

#: A string column is dictionary-encoded when it has at most this share of distinct values.
DISTINCT_SHARE = 0.5
#: JavaScript turning :func:`columns` output back into a GeoJSON FeatureCollection.
DECODE_JS = """function (d) {
  var names = Object.keys(d.p), out = new Array(d.n);
  for (var i = 0; i < d.n; i++) {
    var p = {};
    for (var j = 0; j < names.length; j++) {
      var c = d.p[names[j]];
      p[names[j]] = c.k ? c.k[c.i[i]] : c[i];
    }
    out[i] = {type: "Feature", properties: p, geometry: d.g[i]};
  }
  return {type: "FeatureCollection", features: out};
}"""


def columns(collection: Mapping[str, Any]) -> dict[str, Any]:
    """``collection``'s features as columns of properties and a list of geometries."""
    feats = collection["features"]
    names = list(dict.fromkeys(k for f in feats for k in f["properties"]))
    props = {n: _encoded([f["properties"].get(n) for f in feats]) for n in names}
    return {"n": len(feats), "p": props, "g": [f["geometry"] for f in feats]}


def _encoded(values: list[Any]) -> list[Any] | dict[str, list]:
    """``values``, or ``{"k": distinct, "i": indices}`` for strings that repeat."""
    if not values or not all(isinstance(v, str) for v in values):
        return values
    distinct = list(dict.fromkeys(values))
    if len(distinct) > DISTINCT_SHARE * len(values):
        return values
    index = {v: i for i, v in enumerate(distinct)}
    return {"k": distinct, "i": [index[v] for v in values]}


def compact_json(value: Any) -> Markup:
    """``value`` as JSON without spaces, UTF-8 kept, safe inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # NaN: a JS literal
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
