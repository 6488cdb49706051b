"""Map controls: the legend (risk classes, colours, labels, data note) and a metric scale."""

from __future__ import annotations

from html import escape

from branca.element import MacroElement, Template

from maps.style import CLASS_COLOURS, text
from risk.labels import class_label

_TEMPLATE = Template("""
{% macro html(this, kwargs) %}
<div class="riskmap-legend" style="position: fixed; bottom: 28px; right: 12px; z-index: 9999;
     background: white; padding: 8px 10px; border: 1px solid #999; border-radius: 4px;
     font: 13px/1.4 'Segoe UI', Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);">
  {{ this.body }}
</div>
{% endmacro %}
""")


_SCALE = Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, maxWidth: 200}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"
        self._template = _SCALE


class Legend(MacroElement):
    """Bilingual class legend with an optional note (e.g. that the data are synthetic)."""

    def __init__(self, *, lang: str, title: str, note: str = "") -> None:
        super().__init__()
        self._name = "RiskLegend"
        rows = "".join(
            f'<div><span style="display:inline-block;width:14px;height:14px;'
            f"background:{CLASS_COLOURS[c]};border:1px solid #666;margin-right:6px;"
            f'vertical-align:middle"></span>{escape(class_label(c, lang))}</div>'
            for c in sorted(CLASS_COLOURS, reverse=True)
        )
        head = f"<b>{escape(title or text('legend', lang))}</b>"
        tail = (
            f'<div style="margin-top:6px;color:#b2182b"><b>{escape(note)}</b></div>' if note else ""
        )
        self.body = head + rows + tail
        self._template = _TEMPLATE
