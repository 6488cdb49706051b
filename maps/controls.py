"""Leaflet elements riskmap adds to a Folium map: score layer, search, venues, minimap, title.

Each class is a small Jinja template over data prepared in Python; the third-party scripts they
need are declared as CDN URLs (``default_js``/``default_css``) that :mod:`maps.offline` maps to
npm-installed copies for offline maps.
"""

from __future__ import annotations

from html import escape
from typing import Any

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MeasureControl
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from maps.compact import DECODE_JS, columns, compact_json

#: JavaScript helpers every riskmap map gets once: HTML escaping and accent-free search keys.
HELPERS = Element("""<script>
var riskmap = {
  esc: function (s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  },
  fold: function (s) {
    return String(s || "").normalize("NFD").replace(/[\\u0300-\\u036f]/g, "")
      .replace(/\\u0111/g, "d").replace(/\\u0110/g, "D").toLowerCase().trim();
  }
};
</script>""")

_SUBGROUP_JS = (
    "https://unpkg.com/leaflet.featuregroup.subgroup@1.0.2/dist/leaflet.featuregroup.subgroup.js"
)


class ScoreLayer(Layer):
    """Communes filled by class; one sticky tooltip (name, district, score, class, rank, drivers).

    The communes travel as columns (:mod:`maps.compact`) and the layer has one tooltip and one
    pair of hover handlers for all of them (the canvas renderer draws them): a national map
    stays small and draws in about a second.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson(({{ this.decode }})({{ this.packed }}), {
  style: function (f) { return {{ this.styles|tojson }}[f.properties["class"]]; }
});
{{ this.get_name() }}.tipHtml = function (layer) {
  var p = layer.feature.properties, t = {{ this.labels|tojson }}, e = riskmap.esc;
  return "<b>" + e(p.commune_name) + "</b>"
    + (p.district_name ? " · " + e(p.district_name) : "")
    + "<br>" + t.score + ": <b>" + p.score.toFixed(1) + "</b> · " + t["class"] + ": <b>"
    + e(p.label) + "</b><br>" + t.rank + ": " + p.rank + " / " + t.total
    + (p.rank_interval ? " (" + t.rank_interval + ": " + e(p.rank_interval) + ")" : "")
    + (p.hotspot_label ? "<br>" + e(p.hotspot_label) : "")
    + (p.drivers ? "<br>" + t.drivers + ": " + e(p.drivers) : "");
};
{{ this.get_name() }}.bindTooltip({{ this.get_name() }}.tipHtml, {sticky: true});
{{ this.get_name() }}.on({
  mouseover: function (ev) { ev.layer.setStyle({weight: 2.5, color: "#000"}); },
  mouseout: function (ev) { {{ this.get_name() }}.resetStyle(ev.layer); }
});
{% endmacro %}
""")

    def __init__(
        self, data: dict, *, name: str, styles: dict[int, dict], labels: dict[str, Any]
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ScoreLayer"
        self.data, self.styles, self.labels = data, styles, labels

    #: False writes plain GeoJSON features (as before: the benchmark's comparison).
    compact = True

    @property
    def packed(self) -> Markup:
        """The communes as compact columns (see :func:`maps.compact.columns`)."""
        if not self.compact:
            return Markup(htmlsafe_json_dumps(self.data))
        return compact_json(columns(self.data))

    @property
    def decode(self) -> Markup:
        """The JavaScript function turning :attr:`packed` back into features."""
        return Markup(DECODE_JS if self.compact else "function (d) { return d; }")


class ShapeOverlay(Layer):
    """Outlines of some of a :class:`ScoreLayer`'s communes, drawn from its shapes when shown.

    The map carries each commune's shape once: ``kinds`` maps the code of each outlined
    commune to a key of ``styles`` (and of ``tips``, the tooltip texts, when given), and the
    features are built from the score layer's the first time the overlay is switched on.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson(null, {
  style: function (f) { return {{ this.styles|tojson }}[f.properties.kind]; }
});
{{ this.get_name() }}.once("add", function () {
  var kinds = {{ this.packed_kinds }}, self = {{ this.get_name() }};
  {{ this.source.get_name() }}.eachLayer(function (l) {
    var kind = kinds[l.feature.properties.commune_code];
    if (kind !== undefined) {
      self.addData({type: "Feature", properties: {kind: kind}, geometry: l.feature.geometry});
    }
  });
});
{%- if this.tips %}
{{ this.get_name() }}.bindTooltip(function (layer) {
  return riskmap.esc({{ this.tips|tojson }}[layer.feature.properties.kind]);
}, {sticky: true});
{%- endif %}
{% endmacro %}
""")

    def __init__(
        self,
        source: ScoreLayer,
        kinds: dict[str, str],
        *,
        name: str,
        styles: dict[str, dict],
        tips: dict[str, str] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=False)
        self._name = "ShapeOverlay"
        self.source, self.kinds, self.styles, self.tips = source, kinds, styles, tips

    @property
    def packed_kinds(self) -> Markup:
        """``kinds`` as JSON safe inside a ``<script>`` element."""
        return compact_json(self.kinds)


class CommuneSearch(JSCSSMixin, MacroElement):
    """Search box over a :class:`ScoreLayer` by commune name, ignoring accents and case."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new L.Control.Search({
  layer: {{ this.layer.get_name() }}, propertyName: "commune_name", marker: false,
  initial: false, collapsed: false, position: "topleft", zoom: 13,
  textPlaceholder: {{ this.placeholder|tojson }}, textErr: {{ this.not_found|tojson }},
  textCancel: {{ this.cancel|tojson }},
  filterData: function (text, records) {
    var key = riskmap.fold(text), out = {};
    if (!key) { return out; }
    for (var name in records) {
      if (riskmap.fold(name).indexOf(key) !== -1) { out[name] = records[name]; }
    }
    return out;
  },
  buildTip: function (text) {  // the default sets the name as HTML: show it as text
    var tip = document.createElement("li"); tip.textContent = text; return tip;
  },
  moveToLocation: function (latlng, title, map) {
    map.fitBounds(latlng.layer.getBounds(), {maxZoom: 13});
  }
});
{{ this.get_name() }}.on("search:locationfound", function (e) {
  e.layer.setStyle({weight: 4, color: "#000"}); e.layer.bringToFront();
  var map = {{ this._parent.get_name() }};  // the layer's one tooltip follows the mouse:
  map.openTooltip({{ this.layer.get_name() }}.tipHtml(e.layer), e.layer.getCenter());  // pin one
});
{{ this._parent.get_name() }}.addControl({{ this.get_name() }});
{% endmacro %}
""")
    default_js = (
        (
            "leaflet-search.js",
            "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.js",
        ),
    )
    default_css = (
        (
            "leaflet-search.css",
            "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.css",
        ),
    )

    def __init__(
        self, layer: ScoreLayer, *, placeholder: str, not_found: str, cancel: str = ""
    ) -> None:
        super().__init__()
        self._name = "CommuneSearch"
        self.layer, self.placeholder, self.not_found = layer, placeholder, not_found
        self.cancel = cancel or "×"


class VenueKindLayer(JSCSSMixin, Layer):
    """Venues of one kind as coloured dots inside a shared marker cluster (one overlay per kind)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup.subGroup({{ this.cluster.get_name() }},
  {{ this.rows|tojson }}.map(function (r) {
    return L.circleMarker([r[0], r[1]], {radius: r[3] > 1 ? 5 + Math.min(7, Math.log2(r[3])) : 5,
      weight: 1, color: "#333", fillColor: {{ this.colour|tojson }}, fillOpacity: 0.9, count: r[3]})
      .bindTooltip((r[3] > 1 ? {{ this.count_text|tojson }}.replace("{n}", r[3].toLocaleString())
        : riskmap.esc(r[2])) + " (" + {{ this.kind_label|tojson }} + ")");
  }));
{% endmacro %}
""")
    default_js = (("leaflet.featuregroup.subgroup", _SUBGROUP_JS),)

    def __init__(
        self,
        cluster: Layer,
        rows: list[list],
        *,
        name: str,
        colour: str,
        kind_label: str,
        count_text: str = "{n}",
    ) -> None:
        """``rows``: ``[lat, lon, name, count]``; a dot with count > 1 says ``count_text``."""
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "VenueKindLayer"
        self.cluster, self.rows, self.colour, self.kind_label = cluster, rows, colour, kind_label
        self.count_text = count_text


class OutlineMiniMap(JSCSSMixin, MacroElement):
    """An overview map of the province outline that works without tiles."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }}_layer = L.geoJson({{ this.outline|tojson }}, {
  interactive: false, style: {color: "#444", weight: 1, fillColor: "#fd8d3c", fillOpacity: 0.35}
});
var {{ this.get_name() }} = new L.Control.MiniMap({{ this.get_name() }}_layer, {
  position: "bottomleft", toggleDisplay: true, zoomLevelOffset: -4, width: 150, height: 150,
  mapOptions: {maxZoom: 18}, strings: {{ this.strings|tojson }}
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")
    default_js = (
        (
            "Control_MiniMap_js",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js",
        ),
    )
    default_css = (
        (
            "Control_MiniMap_css",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css",
        ),
    )

    def __init__(self, outline: dict, *, strings: dict[str, str]) -> None:
        super().__init__()
        self._name = "OutlineMiniMap"
        self.outline, self.strings = outline, strings


class MeasureTool(MeasureControl):
    """leaflet-measure speaking the map's language: ``strings`` keyed as its own translations.

    leaflet-measure ships no Vietnamese and keeps its translations private, reading the one
    named by its ``localization`` option from an object it owns. For the moment the control is
    built, a getter on ``Object.prototype`` under riskmap's own locale name answers that lookup
    and copies ``strings`` into the translations object; it is removed right after. Its shapes
    are drawn as SVG: it styles its vertices' ``<path>`` elements, which a canvas map lacks.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (key, strings, options) {
  Object.defineProperty(Object.prototype, key, {configurable: true, get: function () {
    if (this !== Object.prototype) {
      Object.defineProperty(this, key, {value: strings, configurable: true, writable: true});
    }
    return strings;
  }});
  try {
    return new L.Control.Measure(Object.assign({localization: key}, options));
  } finally {
    delete Object.prototype[key];
  }
})({{ this.locale|tojson }}, {{ this.strings|tojson }}, {{ this.options|tojavascript }});
(function (symbols, svg) {  // its vertices need SVG paths, and the map draws on a canvas
  var symbol = symbols.getSymbol.bind(symbols);
  symbols.getSymbol = function (name) { return L.extend({}, symbol(name), {renderer: svg}); };
})({{ this.get_name() }}._symbols, L.svg());
{{ this._parent.get_name() }}.addControl({{ this.get_name() }});
L.Control.Measure.include({  // leaflet-measure with Leaflet >= 1.8 (folium's workaround, #171)
  _setCaptureMarkerIcon: function () {
    this._captureMarker.options.autoPanOnFocus = false;
    this._captureMarker.setIcon(L.divIcon({iconSize: this._map.getSize().multiplyBy(2)}));
  }
});
{% endmacro %}
""")

    def __init__(self, *, lang: str, strings: dict[str, str], **options: str) -> None:
        super().__init__(**options)
        self._name = "MeasureTool"
        self.locale, self.strings = f"riskmap_{lang}", strings


class ZoomButtons(MacroElement):
    """Leaflet's zoom buttons with their titles in the map's language."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.zoom({zoomInTitle: {{ this.zoom_in|tojson }}, zoomOutTitle: {{ this.zoom_out|tojson }}})
  .addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, *, zoom_in: str, zoom_out: str) -> None:
        super().__init__()
        self._name = "ZoomButtons"
        self.zoom_in, self.zoom_out = zoom_in, zoom_out


class LeafletWords(MacroElement):
    """Leaflet's attribution prefix and layers and zoom titles (the minimap's too) in ``lang``."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="'
    + {{ this.leaflet|tojson }}.replace(/"/g, "&quot;") + '">Leaflet</a>');
  var titles = {"leaflet-control-layers-toggle": {{ this.layers|tojson }},
    "leaflet-control-zoom-in": {{ this.zoom_in|tojson }},
    "leaflet-control-zoom-out": {{ this.zoom_out|tojson }}};
  setTimeout(function () {
    Object.keys(titles).forEach(function (cls) {
      document.querySelectorAll("." + cls).forEach(function (a) {
        a.title = titles[cls]; a.setAttribute("aria-label", titles[cls]);
      });
    });
  }, 0);
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, *, leaflet: str, layers: str, zoom_in: str, zoom_out: str) -> None:
        super().__init__()
        self._name = "LeafletWords"
        self.leaflet, self.layers, self.zoom_in, self.zoom_out = leaflet, layers, zoom_in, zoom_out


class TitleBox(MacroElement):
    """Title, run, date and notes (synthetic data, missing layers) at the top of the map."""

    _template = Template("""
{% macro html(this, kwargs) %}
<div class="riskmap-title" style="position: fixed; top: 10px; left: 50%;
     transform: translateX(-50%);
     z-index: 9999; background: rgba(255,255,255,.92); padding: 6px 12px; border: 1px solid #999;
     border-radius: 4px; font: 14px/1.35 'Segoe UI', Arial, sans-serif; text-align: center;
     max-width: 60vw; box-shadow: 0 1px 4px rgba(0,0,0,.3); pointer-events: none;">
  {{ this.body }}
</div>
{% endmacro %}
""")

    def __init__(self, heading: str, lines: list[str], warnings: list[str]) -> None:
        super().__init__()
        self._name = "TitleBox"
        parts = [f"<b style='font-size:16px'>{escape(heading)}</b>"]
        parts += [f"<div style='color:#444;font-size:12px'>{escape(line)}</div>" for line in lines]
        parts += [f"<div style='color:#b2182b'><b>{escape(w)}</b></div>" for w in warnings]
        self.body = "".join(parts)
