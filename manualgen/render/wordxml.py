"""The few Word XML pieces python-docx has no API for, in one place.

Fields (PAGE, NUMPAGES, TOC), bookmarks, internal hyperlinks, restarting list numbering,
tables' header rows, styles, fixed widths, shading, borders and rows kept on one page,
tracked changes (the redline), a picture anchored to the page (the forms' QR code) or
named in docxtpl's XML text (a form's logo), a template's own content cleared and blocks
moved into place (the contents); and, reading Word files back (import, absorb, the form
templates' check), headings, lists, bookmarks and the runs of each paragraph.
Everything else in the project uses python-docx proxies.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from typing import TypeVar
from xml.sax.saxutils import escape

from docx.oxml.ns import NamespacePrefixedTag, qn
from docx.oxml.parser import oxml_parser, parse_xml
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

T = TypeVar("T")


@functools.cache
def _tag(nsptag: str) -> tuple[str, dict[str, str]]:
    tag = NamespacePrefixedTag(nsptag)
    return tag.clark_name, tag.nsmap


def OxmlElement(nsptag: str):  # noqa: N802 - python-docx's name, as a drop-in
    """python-docx's `OxmlElement` (the same element class), its tag parsed once: a
    manual makes some fifty thousand elements."""
    clark, nsmap = _tag(nsptag)
    return oxml_parser.makeelement(clark, nsmap=nsmap)


_SECT_PR = qn("w:sectPr")
_VAL = qn("w:val")
_SPACE = qn("xml:space")

# What parsing broken XML raises (lxml's error): docxtpl's render of a template whose
# tags break its Word XML, for one.
XmlSyntaxError = etree.XMLSyntaxError


def document_memo(part, name: str, make: Callable[[], T]) -> T:
    """What `make` gives, kept on a document part for its life: python-docx finds styles
    by scanning every one, so lookups made once per document are kept here."""
    memo = part.__dict__.setdefault("_manualgen_memo", {})
    if name not in memo:
        memo[name] = make()
    return memo[name]


def append_to_body(document, element) -> None:
    """Put a body element at the end, before the closing section properties."""
    body = document_memo(document.part, "body", lambda: document.element.body)
    if len(body) and body[-1].tag == _SECT_PR:
        body[-1].addprevious(element)
    else:
        body.append(element)


def clear_body(document) -> None:
    """Empty a template's body but for its page setup (the closing section properties):
    a document written on it keeps its styles, not its text."""
    _clear(document.element.body)


def clear_header_footer(story) -> None:
    """Empty a header or footer (a template's own), to write it afresh."""
    _clear(story._element)


def _clear(element) -> None:
    """Remove an element's children but section properties."""
    for child in list(element):
        if child.tag != _SECT_PR:
            element.remove(child)


def write_at(document, mark: Paragraph, write: Callable[[], T]) -> T:
    """What `write` adds to the end of the body, moved to where `mark` stands, the mark
    dropped: the contents are written after the chapters they list, and go before them."""
    body = document.element.body
    before = len(body)
    result = write()
    new = list(body)[before - 1:-1] if body[-1].tag == _SECT_PR else list(body)[before:]
    anchor = mark._p
    for el in new:
        anchor.addprevious(el)
    body.remove(anchor)
    return result


def drop_empty_last_paragraph(document) -> None:
    """Remove the body's last block (before the section properties) when it is a
    paragraph without text: a paragraph put at the end then replaces a spacer."""
    body = document.element.body
    last = body[-2] if len(body) > 1 else None
    if last is not None and last.tag.endswith("}p") and not "".join(last.itertext()):
        body.remove(last)


def _run_with(paragraph: Paragraph, child) -> OxmlElement:
    r = OxmlElement("w:r")
    r.append(child)
    paragraph._p.append(r)
    return r


def _fld_char(kind: str, dirty: bool = False) -> OxmlElement:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if dirty:
        el.set(qn("w:dirty"), "true")
    return el


def _instr(text: str) -> OxmlElement:
    el = OxmlElement("w:instrText")
    el.set(qn("xml:space"), "preserve")
    el.text = f" {text} "
    return el


def add_field(paragraph: Paragraph, instruction: str, shown: str = "1") -> None:
    """A complex field (PAGE, NUMPAGES, ...) with a cached result Word and LO replace."""
    _run_with(paragraph, _fld_char("begin"))
    _run_with(paragraph, _instr(instruction))
    _run_with(paragraph, _fld_char("separate"))
    paragraph.add_run(shown)
    _run_with(paragraph, _fld_char("end"))


def begin_field(paragraph: Paragraph, instruction: str) -> None:
    """Open a field whose result the caller writes as ordinary paragraphs (the TOC)."""
    _run_with(paragraph, _fld_char("begin"))
    _run_with(paragraph, _instr(instruction))
    _run_with(paragraph, _fld_char("separate"))


def end_field(paragraph: Paragraph) -> None:
    _run_with(paragraph, _fld_char("end"))


def add_bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    """Wrap the paragraph's content in a bookmark (a TOC entry's link target)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    p = paragraph._p
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def add_internal_link(paragraph: Paragraph, anchor: str, text: str, *,
                      style: str | None = None) -> Run:
    """A hyperlink to a bookmark in the same document."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    run = OxmlElement("w:r")
    link.append(run)
    proxy = Run(run, paragraph)
    proxy.text = text
    if style:
        proxy.style = style
    return proxy


def add_picture(run: Run, data: bytes, name: str, **size) -> None:
    """A picture from bytes, named as its file (python-docx names streams 'image.png')."""
    import io

    shape = run.add_picture(io.BytesIO(data), **size)
    name_picture(shape._inline, name)


def name_picture(inline, name: str) -> None:
    """Set the file name a picture's properties show (pic:cNvPr/@name)."""
    for el in inline.iter(qn("pic:cNvPr")):
        el.set("name", name)


def name_picture_xml(xml: str, name: str) -> str:
    """`name_picture` on XML text (docxtpl's inline image is a fragment, not an element):
    the file name in place of the 'image.<ext>' python-docx wrote for a stream."""
    start = xml.find("<pic:cNvPr")
    if start < 0:
        return xml
    at = xml.find('name="', start)
    end = xml.find('"', at + 6)
    return xml[:at + 6] + escape(name, {'"': "&quot;"}) + xml[end:]


def add_tab(run: Run) -> None:
    run._r.append(OxmlElement("w:tab"))


def restart_numbering(paragraph: Paragraph, numbering_part, base_num_id: int) -> int:
    """Give this list a fresh w:num (same look, start at 1) and attach the paragraph.

    Word continues a numbered list across the document unless each list has its own
    w:num with a start override; returns the new numId for the list's other items.
    """
    new_id = new_list_num(numbering_part, base_num_id)
    set_num(paragraph, new_id)
    return new_id


def new_list_num(numbering_part, base_num_id: int) -> int:
    """A new w:num with the look of `base_num_id`, starting at 1; its numId."""
    numbering = numbering_part.element
    abstract_id = None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == str(base_num_id):
            abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    if abstract_id is None:
        raise LookupError(f"numbering definition {base_num_id} not found in the template")
    ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    new_id = max(ids) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(new_id))
    abstract = OxmlElement("w:abstractNumId")
    abstract.set(qn("w:val"), abstract_id)
    num.append(abstract)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(override)
    numbering.append(num)
    return new_id


def set_num(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    """Attach a paragraph to a numbering definition (python-docx keeps schema order)."""
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = level
    numpr.get_or_add_numId().val = num_id


# Children of w:settings that must come after w:updateFields (ECMA-376 CT_Settings).
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars",
                        "rsids", "mathPr", "attachedSchema", "themeFontLang",
                        "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions",
                        "readModeInkLockDown", "smartTagType", "schemaLibrary",
                        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                        "listSeparator")


def complete_zoom(document, percent: int = 100) -> None:
    """Give the document's zoom setting the percentage ECMA-376 requires (CT_Zoom's
    w:percent); python-docx's default template writes <w:zoom w:val="bestFit"/> without
    it, which Word accepts and the Open XML SDK validator flags."""
    zoom = document.settings.element.find(qn("w:zoom"))
    if zoom is not None and zoom.get(qn("w:percent")) is None:
        zoom.set(qn("w:percent"), str(percent))


def update_fields_on_open(document) -> None:
    """Ask Word to update every field (the contents) when the file is opened."""
    settings = document.settings.element
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    successor = next((c for c in settings
                      if c.tag in {qn(f"w:{n}") for n in _AFTER_UPDATE_FIELDS}), None)
    if successor is not None:
        successor.addprevious(el)
    else:
        settings.append(el)


def style_num_id(style) -> int | None:
    """The numId a list paragraph style (List Number) points at, if any."""
    ppr = style.element.find(qn("w:pPr"))
    if ppr is None:
        return None
    numpr = ppr.find(qn("w:numPr"))
    if numpr is None or numpr.find(qn("w:numId")) is None:
        return None
    return int(numpr.find(qn("w:numId")).get(qn("w:val")))


def list_number_num_id(document) -> int | None:
    """The numId of the template's List Number style (looked up once per document)."""
    return document_memo(document.part, "list-number",
                         lambda: style_num_id(document.styles["List Number"]))


def repeat_header_row(row) -> None:
    """Mark a table row as a header that repeats on every page."""
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def keep_with_next(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


# The children of w:tcPr that come after w:shd (ECMA-376 CT_TcPr).
_AFTER_SHD = tuple(qn(f"w:{n}") for n in ("noWrap", "tcMar", "textDirection", "tcFitText",
                                            "vAlign", "hideMark", "headers", "cellIns",
                                            "cellDel", "cellMerge", "tcPrChange"))


def shade_cell(cell, fill: str) -> None:
    """A cell's background colour (hex RGB), in its schema place among the cell's
    properties (before a vertical alignment set earlier)."""
    tcpr = cell._tc.get_or_add_tcPr()
    for old in tcpr.findall(qn("w:shd")):
        tcpr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    successor = next((c for c in tcpr if c.tag in _AFTER_SHD), None)
    if successor is not None:
        successor.addprevious(shd)
    else:
        tcpr.append(shd)


def row_cells(row) -> list[_Cell]:
    """A row's cells, one a `w:tc`: `row.cells` without its merged-cell handling, which is
    slow, for a table just made (nothing merged)."""
    return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def cant_split(row) -> None:
    """Keep a table row on one page (Word and LibreOffice never break it)."""
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert(0, OxmlElement("w:cantSplit"))


# The order of the children of w:tblPr (ECMA-376 CT_TblPr).
_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd",
                "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
                "tblDescription")


def _tblpr_set(table, element) -> None:
    """Put a w:tblPr child in its schema place, replacing one of the same name."""
    tblpr = table._tbl.tblPr
    name = element.tag.split("}")[1]
    old = tblpr.find(qn(f"w:{name}"))
    if old is not None:
        tblpr.remove(old)
    later = {qn(f"w:{n}") for n in _TBLPR_ORDER[_TBLPR_ORDER.index(name) + 1:]}
    successor = next((c for c in tblpr if c.tag in later), None)
    if successor is not None:
        successor.addprevious(element)
    else:
        tblpr.append(element)


def set_column_widths(table, widths_in) -> None:
    """Fixed column widths in inches (Word and LibreOffice both honour the table's width,
    its grid and each cell's width with a fixed layout)."""
    from docx.shared import Inches

    table.autofit = False                     # w:tblLayout type="fixed"
    tblw = OxmlElement("w:tblW")
    tblw.set(qn("w:w"), str(round(sum(widths_in) * 1440)))
    tblw.set(qn("w:type"), "dxa")
    _tblpr_set(table, tblw)
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_in, strict=True):
        col.set(qn("w:w"), str(round(w * 1440)))
    for row in table.rows:
        for tc, w in zip(row._tr.tc_lst, widths_in, strict=False):
            tc.width = Inches(w)


def table_look(table, *, header_row: bool) -> None:
    """Whether the table style's first-row look (a dark header) applies; no banding."""
    look = OxmlElement("w:tblLook")
    look.set(qn("w:val"), "04A0" if header_row else "0400")
    for attr, val in (("firstRow", "1" if header_row else "0"), ("lastRow", "0"),
                      ("firstColumn", "0"), ("lastColumn", "0"), ("noHBand", "1"),
                      ("noVBand", "1")):
        look.set(qn(f"w:{attr}"), val)
    _tblpr_set(table, look)


def table_rule_below(table, size_eighths: int, colour: str) -> None:
    """No borders but one rule under the table (a page header's line)."""
    el = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        if side == "bottom":
            b.set(qn("w:val"), "single")
            b.set(qn("w:sz"), str(size_eighths))
            b.set(qn("w:space"), "0")
            b.set(qn("w:color"), colour)
        else:
            b.set(qn("w:val"), "nil")
        el.append(b)
    _tblpr_set(table, el)


def paragraph_mark_size(paragraph: Paragraph, points: float) -> None:
    """The size of a paragraph's mark: an empty paragraph this small takes little room."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        later = {qn(f"w:{n}") for n in ("sectPr", "pPrChange")}
        successor = next((c for c in ppr if c.tag in later), None)
        if successor is not None:
            successor.addprevious(rpr)
        else:
            ppr.append(rpr)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(round(points * 2)))
    rpr.append(sz)


def style_id(document, name: str) -> str:
    """The style id for a style name, from a per-document cache.

    python-docx resolves names by scanning every style on each assignment, which made
    style lookups most of the manual's build time.
    """
    cache = document_memo(document.part, "style-ids",
                          lambda: {style.name: style.style_id for style in document.styles})
    try:
        return cache[name]
    except KeyError:
        raise KeyError(f"style {name!r} is not in the template") from None


def add_paragraph(document, text: str = "", style: str | None = None) -> Paragraph:
    """document.add_paragraph with a cached style lookup, in constant time.

    python-docx finds the body's closing section properties by scanning every paragraph
    before it, for each paragraph added: quadratic in a manual's length. The same `w:p`
    is put before the section properties directly here.
    """
    p = OxmlElement("w:p")
    if style:
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(_VAL, style_id(document, style))
        ppr.append(pstyle)
        p.append(ppr)
    append_to_body(document, p)
    paragraph = Paragraph(p, document._body)
    if text:
        append_run(paragraph, text)
    return paragraph


_PLAIN_TEXT = str.maketrans("", "", "\t\n\r")
_TC_PR = qn("w:tcPr")
_T = qn("w:t")


def set_cell_text(cell, text: str) -> None:
    """`cell.text = text` as python-docx does it (the cell's content replaced by one
    paragraph of one run), without its schema searches (bench/NOTES.md)."""
    tc = cell._tc
    for child in list(tc):
        if child.tag != _TC_PR:
            tc.remove(child)
    p = OxmlElement("w:p")
    tc.append(p)
    append_run(Paragraph(p, cell), text)


def set_run_text(run, text: str) -> None:
    """A run of one `w:t` (as `add_run(text)` makes it) given other text, in place; any
    other run the python-docx way."""
    found = run._r.findall(_T)
    if len(found) != 1 or text.translate(_PLAIN_TEXT) != text:
        run.text = text
        return
    _set_t(found[0], text)


def append_run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
               highlight: bool = False) -> None:
    """A run of plain text at the end of a paragraph, built as python-docx builds it
    (`add_run(text)`, then `bold`, `italic`, a yellow `font.highlight_color`), without its
    schema searches. Text with tabs or line breaks takes python-docx's own way."""
    if text.translate(_PLAIN_TEXT) != text:
        from docx.enum.text import WD_COLOR_INDEX

        run = paragraph.add_run(text)
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        if highlight:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return
    r = OxmlElement("w:r")
    if bold or italic or highlight:
        rpr = OxmlElement("w:rPr")
        if bold:
            rpr.append(OxmlElement("w:b"))
        if italic:
            rpr.append(OxmlElement("w:i"))
        if highlight:
            mark = OxmlElement("w:highlight")
            mark.set(_VAL, "yellow")
            rpr.append(mark)
        r.append(rpr)
    t = OxmlElement("w:t")
    _set_t(t, text)
    r.append(t)
    paragraph._p.append(r)


def _set_t(t, text: str) -> None:
    """A `w:t`'s text, its spaces kept when it starts or ends with one (as python-docx)."""
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_SPACE, "preserve")
    else:
        t.attrib.pop(_SPACE, None)


# Where a package points at a style by id (body, headers, numbering, settings).
_STYLE_REFERENCES = tuple(qn(f"w:{tag}") for tag in (
    "pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink", "clickAndTypeStyle",
    "defaultTableStyle"))
_STYLE_CHAINS = tuple(qn(f"w:{tag}") for tag in ("basedOn", "link", "next"))
_STYLE_ID = qn("w:styleId")
_DEFAULT = qn("w:default")
_ON = ("1", "true", "on")
STYLES_WITH_EFFECTS = ("http://schemas.microsoft.com/office/2007/relationships/"
                       "stylesWithEffects")


def prune_styles(document) -> int:
    """Drop the style definitions nothing in the document uses, and Word 2010's copy of
    them (stylesWithEffects): python-docx's template defines some 160 styles in 790 KB
    that LibreOffice parses for every layout (7% of it), and Word offers its built-in
    styles from the latent list anyway. Kept: what any part names, what those are based
    on, linked to or followed by, and each kind's default. Returns how many went."""
    part = document.part
    styles = part.styles.element
    used: set[str] = set()
    for other in part.package.iter_parts():
        element = getattr(other, "_element", None)
        if element is styles:
            continue
        if element is not None:
            used.update(ref.get(_VAL) for ref in element.iter(*_STYLE_REFERENCES))
        elif other.content_type.endswith("+xml") and b"Style" in other.blob:
            try:                          # a part python-docx keeps as bytes (footnotes)
                element = etree.fromstring(other.blob, oxml_parser)
            except etree.XMLSyntaxError:
                continue
            used.update(ref.get(_VAL) for ref in element.iter(*_STYLE_REFERENCES))
    defined = {style.get(_STYLE_ID): style for style in styles.iterchildren(qn("w:style"))}
    keep = used | {sid for sid, style in defined.items() if style.get(_DEFAULT) in _ON}
    todo = list(keep)
    while todo:
        style = defined.get(todo.pop())
        for chain in () if style is None else style.iterchildren(*_STYLE_CHAINS):
            target = chain.get(_VAL)
            if target not in keep:
                keep.add(target)
                todo.append(target)
    gone = [style for sid, style in defined.items() if sid not in keep]
    for style in gone:
        styles.remove(style)
    for rid, rel in list(part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            part.drop_rel(rid)
    part.__dict__.get("_manualgen_memo", {}).pop("style-ids", None)
    return len(gone)


# --------------------------------------------------------------------------- pictures


def picture_size(run: Run) -> tuple[int, int]:
    """The width and height (EMU) of the inline picture python-docx put in `run`."""
    extent = run._r.find(".//" + qn("wp:inline") + "/" + qn("wp:extent"))
    return int(extent.get("cx")), int(extent.get("cy"))


def anchor_picture(run: Run, *, x: int, y: int, doc_id: int, name: str, file_name: str,
                   description: str) -> None:
    """Turn the run's inline picture (python-docx's `add_picture`) into one anchored at
    (x, y) EMU from the page's top left corner, in front of the text and wrapped by
    nothing: where it stands takes no room from the page's text."""
    from docx.oxml.ns import nsdecls

    inline = run._r.find(".//" + qn("wp:inline"))
    cx, cy = picture_size(run)
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("id", str(doc_id))
    doc_pr.set("name", name)
    doc_pr.set("descr", description)
    for c_nv_pr in inline.iter(qn("pic:cNvPr")):
        c_nv_pr.set("name", file_name)
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp", "a", "pic", "r")} distT="0" distB="0" distL="0" '
        f'distR="0" simplePos="0" relativeHeight="251659264" behindDoc="0" locked="1" '
        f'layoutInCell="1" allowOverlap="1">'
        f'<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset>'
        f'</wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset>'
        f'</wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:wrapNone/>'
        f'</wp:anchor>')
    anchor.append(doc_pr)
    frame = inline.find(qn("wp:cNvGraphicFramePr"))
    if frame is not None:
        anchor.append(frame)
    anchor.append(inline.find(qn("a:graphic")))
    inline.getparent().replace(inline, anchor)


# --------------------------------------------------------------------------- tables, changes


def set_table_style(document, table, name: str) -> None:
    """A table's style by name, through the per-document id cache (`style_id`): what
    python-docx's `table.style = name` does, without scanning every style each time."""
    table._tbl.tblStyle_val = style_id(document, name)


class TrackedChanges:
    """Word's tracked changes (w:ins, w:del), with ids unique in the document: the redline
    of two revisions of a manual is written with them."""

    def __init__(self, date: str, author: str) -> None:
        self.date = date
        self.author = author
        self._ids = itertools.count(1)
        self.insertions = 0
        self.deletions = 0

    def _mark(self, kind: str):
        el = OxmlElement(f"w:{kind}")
        el.set(qn("w:id"), str(next(self._ids)))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        return el

    def runs(self, paragraph: Paragraph, runs: list[tuple[str, bool, bool]],
             kind: str | None) -> None:
        """Append (text, bold, italic) runs to a paragraph: plain (`kind` None), or inside
        one insertion ("ins") or one deletion ("del")."""
        if not runs:
            return
        parent = paragraph._p
        if kind is not None:
            parent = self._mark(kind)
            paragraph._p.append(parent)
            if kind == "ins":
                self.insertions += 1
            else:
                self.deletions += 1
        for text, bold, italic in runs:
            r = OxmlElement("w:r")
            if bold or italic:
                rpr = OxmlElement("w:rPr")
                if bold:
                    rpr.append(OxmlElement("w:b"))
                if italic:
                    rpr.append(OxmlElement("w:i"))
                r.append(rpr)
            t = OxmlElement("w:delText" if kind == "del" else "w:t")
            t.set(_SPACE, "preserve")
            t.text = text
            r.append(t)
            parent.append(r)

    def paragraph_mark(self, paragraph: Paragraph, kind: str) -> None:
        """Mark the paragraph itself inserted or deleted (accepting removes it whole)."""
        rpr = OxmlElement("w:rPr")
        rpr.append(self._mark(kind))
        paragraph._p.get_or_add_pPr().append(rpr)

    def row_mark(self, row, kind: str) -> None:
        """Mark a table row inserted or deleted."""
        row._tr.get_or_add_trPr().insert(0, self._mark(kind))


# --------------------------------------------------------------------------- reading Word
# What importing, absorbing and checking form templates need to read back from a Word
# file that python-docx's proxies do not say: a paragraph's style name fast, its heading
# level (an outline level counts), whether it is a list item, of which list and how deep,
# its bookmarks, and the runs its text is split into.


def _style_names(part) -> dict[str | None, str]:
    """Paragraph style id -> name for one document, made once (None: the default style).
    python-docx looks a paragraph's style up by scanning every style, which made reading
    a whole manual take tens of seconds."""
    def make() -> dict[str | None, str]:
        from docx.enum.style import WD_STYLE_TYPE

        names: dict[str | None, str] = {}
        try:
            styles = part.styles
            for style in styles:
                if style.type == WD_STYLE_TYPE.PARAGRAPH:
                    names[style.style_id] = style.name or ""
            default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
            names[None] = default.name if default is not None else ""
        except (KeyError, ValueError, AttributeError, NotImplementedError):
            names.setdefault(None, "")
        return names

    return document_memo(part, "style-names", make)


def style_name(paragraph: Paragraph) -> str:
    """A paragraph's style name, from a per-document cache."""
    ppr = paragraph._p.pPr
    style_id = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
    names = _style_names(paragraph.part)
    return names.get(style_id, names.get(None, ""))


def heading_level(paragraph: Paragraph) -> int | None:
    """The heading level of a Word paragraph (0 Title, 1 Heading 1, ...; an outline level
    counts too), or None."""
    name = style_name(paragraph)
    if name == "Title":
        return 0
    match = re.match(r"^Heading (\d)$", name)
    if match:
        return int(match.group(1))
    ppr = paragraph._p.pPr
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None and outline.get(qn("w:val")) not in (None, "9"):
        return int(outline.get(qn("w:val"))) + 1
    return None


def _numbering_format(paragraph: Paragraph, num_id: str, ilvl: str) -> str | None:
    """numFmt of a list level from numbering.xml ('bullet', 'decimal', ...)."""
    try:
        numbering = paragraph.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) != num_id:
            continue
        abstract = num.find(qn("w:abstractNumId"))
        if abstract is None:
            return None
        for anum in numbering.findall(qn("w:abstractNum")):
            if anum.get(qn("w:abstractNumId")) != abstract.get(qn("w:val")):
                continue
            for lvl in anum.findall(qn("w:lvl")):
                if lvl.get(qn("w:ilvl")) == ilvl:
                    fmt = lvl.find(qn("w:numFmt"))
                    return fmt.get(qn("w:val")) if fmt is not None else None
    return None


def list_counter(paragraph: Paragraph, num_id: str | None, ilvl: str
                 ) -> tuple[str | None, bool]:
    """(abstract numbering id, restarts) of a list item's w:num."""
    if num_id is None:
        return None, False
    try:
        numbering = paragraph.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return num_id, False
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) != num_id:
            continue
        abstract = num.find(qn("w:abstractNumId"))
        restarts = any(o.get(qn("w:ilvl")) == ilvl and o.find(qn("w:startOverride")) is not None
                       for o in num.findall(qn("w:lvlOverride")))
        return (abstract.get(qn("w:val")) if abstract is not None else num_id), restarts
    return num_id, False


def list_info(paragraph: Paragraph) -> tuple[bool, int, str | None] | None:
    """(ordered, depth, numId) when the paragraph is a list item: by its list style or
    its numbering (a numbered list's format read from numbering.xml)."""
    name = style_name(paragraph)
    match = re.match(r"^List (Bullet|Number)(?: (\d))?$", name)
    ppr = paragraph._p.pPr
    numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
    num_id = ilvl = None
    if numpr is not None:
        num_el, lvl_el = numpr.find(qn("w:numId")), numpr.find(qn("w:ilvl"))
        num_id = num_el.get(qn("w:val")) if num_el is not None else None
        ilvl = lvl_el.get(qn("w:val")) if lvl_el is not None else None
    if match:
        depth = int(match.group(2) or 1)
        if ilvl is not None and ilvl != "0":
            depth = int(ilvl) + 1
        return match.group(1) == "Number", depth, num_id
    if num_id is not None and num_id != "0":
        fmt = _numbering_format(paragraph, num_id, ilvl or "0")
        return fmt not in ("bullet", "none", None), int(ilvl or 0) + 1, num_id
    return None


def bookmark_names(paragraph: Paragraph) -> list[str]:
    """The names of the bookmarks in a paragraph: a manual's headings carry the contents'
    link targets, by which an edited copy's parts are found again."""
    return [b.get(qn("w:name")) for b in paragraph._p.iter(qn("w:bookmarkStart"))]


_P = qn("w:p")


def paragraph_runs(xml: str) -> Iterator[list[tuple[int, str]]]:
    """Each paragraph of a part's XML text (nested ones too) as (run number, text) of the
    `w:t` directly in it: a form template's tag split over runs is found by them."""
    for p in parse_xml(xml).iter(_P):
        yield _own_runs(p)


def _own_runs(p) -> list[tuple[int, str]]:
    """(run number, text) of each w:t directly in this paragraph (not in nested text boxes)."""
    out: list[tuple[int, str]] = []
    run_no = -1
    last_run = None
    for t in p.iter(_T):
        owner = t.getparent()
        ancestor = owner
        while ancestor is not None and ancestor.tag != _P:
            ancestor = ancestor.getparent()
        if ancestor is not p:
            continue
        if owner is not last_run:
            run_no += 1
            last_run = owner
        out.append((run_no, t.text or ""))
    return out


def picture_count(paragraph: Paragraph) -> int:
    """How many pictures (w:drawing) a paragraph holds."""
    return len(paragraph._p.findall(".//" + qn("w:drawing")))
