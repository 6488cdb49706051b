"""The Excel export (openpyxl): the ranked table, one sheet per stored plan, and provenance.

Every sheet is an Excel table (filters on every column, banded rows) under a frozen header
row in the export's language, with number formats (score 0.0, probabilities 0%). No cell is
ever a formula: text that a spreadsheet would read as one gets the same leading apostrophe as
in the CSV export (:func:`maps.escaping.spreadsheet_frame`), and every text cell is stored as
text whatever it starts with.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from maps.escaping import FORMULA_STARTS
from maps.export import ExportRequest, RunInfo
from maps.office import (
    display,
    header,
    number_format,
    office_text,
    plain,
    plan_tables,
    provenance_rows,
    ranking_frame,
)
from risk.labels import word

TABLE_STYLE = "TableStyleMedium2"
#: Column widths in characters: at least the narrow, at most the wide (longer text wraps);
#: a header counts up to ``HEADER`` characters (it wraps onto more lines).
NARROW, WIDE, HEADER = 7, 60, 16


def write_xlsx(
    tmp: Path,
    scored: gpd.GeoDataFrame,
    layers: Mapping[str, pd.DataFrame],
    request: ExportRequest,
    info: RunInfo,
) -> None:
    """Write the workbook of the export to ``tmp``: ranking, plan sheets, provenance."""
    lang = request.lang
    sheets = {"ranking": ranking_frame(scored, layers, request, info)}
    sheets |= plan_tables(layers, lang)
    rows = provenance_rows(scored, request, info)
    sheets["provenance"] = pd.DataFrame(rows, columns=["item", "value"], dtype=object)
    book = Workbook()
    book.remove(book.active)
    for key, frame in sheets.items():
        sheet = book.create_sheet(word(f"office.sheet_{key}", lang))
        _fill(sheet, frame, lang)
        _as_table(sheet, f"riskmap_{key}", rows=len(frame), columns=len(frame.columns))
    book.properties.title = office_text(info.heading)
    book.properties.creator = "riskmap"
    book.save(tmp)


def _fill(sheet: Worksheet, frame: pd.DataFrame, lang: str) -> None:
    """Header row and the rows of ``frame``: typed cells, number formats, text kept as text."""
    columns = list(frame.columns)
    for j, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=j, value=office_text(header(column, lang)))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            _put(sheet, i, j, column, plain(column, value))
    for j, column in enumerate(columns, start=1):
        longest = max((len(display(column, v)) for v in frame[column]), default=0)
        longest = max(longest, min(len(header(column, lang)), HEADER))
        width = max(NARROW, min(WIDE, longest + 2))
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # printed: all columns
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _put(sheet: Worksheet, row: int, col: int, column: str, value: object) -> None:
    """One cell: text stored as text (never a formula), numbers with their format."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = office_text(value)
        cell.data_type = "s"  # openpyxl would make "=..." a formula; this cell holds text
        # Excel's "text as typed" flag (shown without an apostrophe, never re-read as a
        # formula when the cell is edited), not the CSV's literal leading apostrophe.
        cell.quotePrefix = cell.value.startswith(FORMULA_STARTS)
        return
    cell.value = value
    if (fmt := number_format(column, value)) is not None:
        cell.number_format = fmt


def _as_table(sheet: Worksheet, name: str, *, rows: int, columns: int) -> None:
    """Make the filled range an Excel table (filters, banded rows), or a filter when empty."""
    ref = f"A1:{get_column_letter(columns)}{rows + 1}"
    if rows == 0:  # a table needs a data row; the header still gets its filter buttons
        sheet.auto_filter.ref = ref
        return
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    sheet.add_table(table)
