"""Regenerate form_templates/master.docx, the Word template the manual is styled from.

NSNY staff normally edit master.docx in Word (styles, fonts, colours, header and footer);
this script is how the first version was made, kept so the starting point is reviewable.
Header and footer tokens: {{ company_name }}, {{ document_title }}, {{ revision }}.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from manualgen.render import wordxml  # noqa: E402
from manualgen.render.docx_io import docx_bytes, set_properties  # noqa: E402
from manualgen.render.wordxml import add_field  # noqa: E402

NAVY = RGBColor(0x1C, 0x3F, 0x6E)
FONT = "Calibri"


def font(style, size=None, bold=None, color=None, name=FONT):
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color


def table_style(document):
    styles = document.styles
    style = styles.add_style("Manual Table", WD_STYLE_TYPE.TABLE)
    style.base_style = styles["Table Grid"]
    tblpr = style.element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        style.element.append(tblpr)
    mar = OxmlElement("w:tblCellMar")
    for side, w in (("top", 30), ("left", 90), ("bottom", 30), ("right", 90)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(w))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    rpr = OxmlElement("w:rPr")
    b = OxmlElement("w:b")
    rpr.append(b)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "FFFFFF")
    rpr.append(color)
    first.append(rpr)
    tcpr = OxmlElement("w:tcPr")
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "1C3F6E")
    tcpr.append(shd)
    first.append(tcpr)
    style.element.append(first)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)


def main(out: Path) -> None:
    d = docx.Document()
    wordxml.complete_zoom(d)             # python-docx's default lacks the required percent
    styles = d.styles
    font(styles["Normal"], 11)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    styles["Normal"].paragraph_format.line_spacing = 1.08
    for name, size, before, after in (("Heading 1", 18, 0, 12), ("Heading 2", 14, 18, 6),
                                      ("Heading 3", 12, 12, 4), ("Heading 4", 11, 10, 2)):
        st = styles[name]
        font(st, size, True, NAVY)
        st.font.italic = False
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(after)
        st.paragraph_format.keep_with_next = True
    styles["Heading 1"].paragraph_format.page_break_before = True
    font(styles["Title"], 30, True, NAVY)
    font(styles["Subtitle"], 16, False, RGBColor(0x40, 0x40, 0x40))
    for name in ("Header", "Footer"):
        font(styles[name], 9, False, RGBColor(0x40, 0x40, 0x40))
    for level, indent in ((1, 0), (2, 0.25)):
        st = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles["Normal"]
        st.paragraph_format.left_indent = Inches(indent)
        st.paragraph_format.space_after = Pt(2 if level == 2 else 4)
        st.paragraph_format.space_before = Pt(6 if level == 1 else 0)
        st.paragraph_format.tab_stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT,
                                                   WD_TAB_LEADER.DOTS)
        if level == 1:
            st.font.bold = True
    caption = styles.add_style("Small Print", WD_STYLE_TYPE.PARAGRAPH)
    caption.base_style = styles["Normal"]
    caption.font.size = Pt(9)
    caption.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    table_style(d)

    section = d.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    section.header_distance = section.footer_distance = Inches(0.5)
    section.different_first_page_header_footer = True  # the cover has none

    header = section.header.paragraphs[0]
    header.style = styles["Header"]
    header.text = "{{ company_name }}\t\t{{ document_title }}"
    footer = section.footer.paragraphs[0]
    footer.style = styles["Footer"]
    footer.add_run("Revision {{ revision }}\t\tPage ")
    add_field(footer, "PAGE")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES")

    body = d.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    import datetime as dt

    set_properties(d, title="SECOR manual master template", author="NSNY",
                   when=dt.date(2026, 11, 26))
    out.write_bytes(docx_bytes(d, dt.date(2026, 11, 26)))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else
         Path(__file__).resolve().parent.parent / "form_templates" / "master.docx")
