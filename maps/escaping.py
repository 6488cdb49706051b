"""Data text made inert for where it is written: HTML/JS in maps, matplotlib text, spreadsheets.

Names in layers (communes, crossings, zones, venues, bases) come from uploaded files, so every
one is escaped before it reaches a map, a figure or a spreadsheet cell.
"""

from __future__ import annotations

from html import escape

import pandas as pd

#: Characters a JavaScript template literal (folium's tooltips) would interpret, as entities.
_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})
#: First characters that make a spreadsheet read a cell as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def html_text(value: object) -> str:
    """``value`` as text safe inside HTML and inside a JS template literal of HTML.

    Folium writes tooltip text into a backtick string that Leaflet then sets as HTML, so both
    HTML markup and the template literal's own characters (backtick, ``${``, backslash) are
    replaced by character references, which the browser shows literally.
    """
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return escape(text, quote=True).translate(_TEMPLATE_LITERAL)


def mathtext_text(value: object) -> str:
    """``value`` as matplotlib text: ``$`` escaped so a name is never parsed as mathtext."""
    return str(value).replace("$", r"\$")


def spreadsheet_cell(value: object) -> object:
    """A cell value that no spreadsheet reads as a formula: ``'`` before ``= + - @`` tab CR.

    Numbers pass unchanged (a negative number is data, not a formula); text starting with a
    formula character gets a leading apostrophe, which spreadsheets show but do not evaluate.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`spreadsheet_cell` applied to every text column (a copy)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(spreadsheet_cell)
    return out
