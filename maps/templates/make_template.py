"""Make ``maps/templates/report.docx``, the Word report's template, with python-docx.

Run ``.venv/bin/python -m maps.templates.make_template`` after changing it. The template holds
only styles and page setup, as Vietnamese administrative documents have them (A4; margins 2 cm
top and bottom, 3 cm left, 2 cm right; Times New Roman 13 pt; Decree 30/2020/NĐ-CP), and a
page number in the footer. A province replaces it with its own .docx or .dotx (``--template``,
``RISKMAP_DOCX_TEMPLATE``): the report then takes that file's styles, letterhead and page setup.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATE = Path(__file__).with_name("report.docx")
FONT = "Times New Roman"
#: riskmap's own styles; a province template without them gets the fallback in brackets.
TABLE_STYLE = "Riskmap Table"  # (Table Grid)
NOTE_STYLE = "Riskmap Note"  # (Normal)
CELL_STYLE = "Riskmap Table Text"  # (Normal): the text in table cells
#: Built-in styles the report uses: Word stores them under these English names in every
#: language, so "Heading 1" is "Đề mục 1" on a Vietnamese Word and still found here.
HEADINGS = {"Title": 16, "Heading 1": 14, "Heading 2": 13}


def build_template() -> DocumentObject:
    """The template document: page setup, fonts, heading, caption, note and table styles."""
    doc = Document()
    _page(doc)
    normal = doc.styles["Normal"]
    _font(normal, size=13)
    normal.paragraph_format.space_after = Pt(6)
    _language(normal, "vi-VN")
    for name, size in HEADINGS.items():
        _font(doc.styles[name], size=size, bold=True)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(doc.styles["Subtitle"], size=12, italic=True)
    doc.styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(doc.styles["Caption"], size=11, italic=True)
    note = doc.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    _font(note, size=10, italic=True, colour=RGBColor(0x44, 0x44, 0x44))
    table = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    table.base_style = doc.styles["Table Grid"]
    cell = doc.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    _font(cell, size=10)
    cell.paragraph_format.space_after = Pt(0)
    _footer_page_number(doc)
    _properties(doc)
    return doc


def _page(doc: DocumentObject) -> None:
    """A4 portrait with the margins of Decree 30/2020/NĐ-CP."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)


def _font(style, *, size: float, bold: bool = False, italic: bool = False, colour=None) -> None:
    """Times New Roman (every script, Vietnamese included) at ``size`` points."""
    font = style.font
    font.name, font.size, font.bold, font.italic = FONT, Pt(size), bold, italic
    font.color.rgb = colour if colour is not None else RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the name above


def _language(style, tag: str) -> None:
    """Proofing language of ``style`` (Word's spelling checker), e.g. vi-VN."""
    rpr = style.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), tag)
    rpr.append(lang)


def _footer_page_number(doc: DocumentObject) -> None:
    """A centred PAGE field in the footer."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


def _properties(doc: DocumentObject) -> None:
    """Fixed document properties, so the same code makes the same template."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = "riskmap report template", "riskmap", ""
    props.created = props.modified = datetime(2026, 1, 1, tzinfo=UTC)
    props.revision = 1


def template_bytes() -> bytes:
    """The template as .docx bytes, the same on every run (fixed dates inside the zip too)."""
    saved = io.BytesIO()
    build_template().save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in source.infolist():
            fixed = zipfile.ZipInfo(item.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(fixed, source.read(item))
    return out.getvalue()


def main(path: Path = TEMPLATE) -> Path:
    """Write the template to ``path`` (default: the one riskmap ships)."""
    path.write_bytes(template_bytes())
    return path


if __name__ == "__main__":
    main()
