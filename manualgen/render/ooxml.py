"""Whether a Word file is valid ECMA-376 (transitional), as Word reads it.

LibreOffice forgives what Word answers with a repair prompt: children out of the order
the schema requires, a required attribute missing, an id that names nothing. The tests
check every Word file manualgen writes with these; the portal checks a form template NSNY
uploads with them before it can be published. The schemas are vendored in `xsd/`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

SEQUENCES = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
            "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
            "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
            "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
            "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
            "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
            "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
             "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"],
    "numPr": ["ilvl", "numId", "numberingChange", "ins"],
    "settings": ["writeProtection", "view", "zoom", "removePersonalInformation",
                 "removeDateAndTime", "doNotDisplayPageBoundaries", "displayBackgroundShape",
                 "printPostScriptOverText", "printFractionalCharacterWidth", "printFormsData",
                 "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts",
                 "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                 "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
                 "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle",
                 "proofState", "formsDesign", "attachedTemplate", "linkStyles",
                 "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                 "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
                 "documentProtection", "autoFormatOverride", "styleLockTheme",
                 "styleLockQFSet", "defaultTabStop", "autoHyphenation",
                 "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
                 "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle",
                 "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
                 "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
                 "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
                 "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
                 "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin",
                 "doNotShadeFormData", "noPunctuationKerning", "characterSpacingControl",
                 "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
                 "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema",
                 "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText",
                 "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving",
                 "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace",
                 "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
                 "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
                 "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                 "doNotAutoCompressPictures", "forceUpgrade", "captions",
                 "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                 "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"],
}


def order_problems(docx: Path) -> list[str]:
    """Every element whose children break the schema order, in every Word part."""
    found = []
    with zipfile.ZipFile(docx) as z:
        for name in z.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(z.read(name))
            for tag, sequence in SEQUENCES.items():
                rank = {n: i for i, n in enumerate(sequence)}
                for el in root.iter(W + tag):
                    names = [etree.QName(c).localname for c in el
                             if isinstance(c.tag, str) and c.tag.startswith(W)]
                    ranks = [rank.get(n, -1) for n in names]
                    known = [r for r in ranks if r >= 0]
                    if known != sorted(known) or len(set(names)) != len(names):
                        found.append(f"{docx.name}:{name}: <w:{tag}> children {names}")
    return found


# --- validation against the ECMA-376 transitional schemas -----------------------------------
#
# The XSDs in tests/xsd are python-docx's copies of the ECMA-376 (ISO/IEC 29500) transitional
# schemas; tests/xsd/README.md says where each file comes from. Word 2010 and later add
# elements and attributes in their own namespaces, declared ignorable (mc:Ignorable): the
# Markup Compatibility rules (ECMA-376 part 3) drop those before validating, as Word and the
# Open XML SDK do.

XSD = Path(__file__).resolve().parent / "xsd"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
W_NS = W[1:-1]

# The root element's namespace -> the schema its part is validated against.
ENTRY_SCHEMAS = {
    W_NS: "wml.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "dml-main.xsd",
    CONTENT_TYPES: "opc-contentTypes.xsd",
    PKG_REL: "opc-relationships.xsd",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties":
        "opc-coreProperties.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties":
        "shared-documentPropertiesExtended.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/customXml":
        "shared-customXmlDataProperties.xsd",
}
# Parts whose content is not Office's to define (a customXml item holds any XML).
FREE_PARTS = ("customXml/item",)
# What the schemas here define: anything else must be ignorable or inside AlternateContent.
UNDERSTOOD = {
    W_NS, R, MC, XML_NS, CONTENT_TYPES, PKG_REL,
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/",
    "http://purl.org/dc/dcmitype/", "http://www.w3.org/2001/XMLSchema-instance",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "http://schemas.openxmlformats.org/officeDocument/2006/customXml",
}

_schemas: dict[str, etree.XMLSchema] = {}


def schema(name: str) -> etree.XMLSchema:
    """A vendored schema, its imports pointed at the local copies (the XML namespace's and
    Dublin Core's are imported by URL or by namespace alone in the originals)."""
    if name not in _schemas:
        doc = etree.parse(str(XSD / name))
        for imp in doc.getroot().iter("{http://www.w3.org/2001/XMLSchema}import"):
            location = imp.get("schemaLocation")
            if imp.get("namespace") == XML_NS and not location:
                imp.set("schemaLocation", (XSD / "xml.xsd").as_uri())
            elif location and location.startswith("http://dublincore.org/"):
                imp.set("schemaLocation", (XSD / location.rsplit("/", 1)[1]).as_uri())
        _schemas[name] = etree.XMLSchema(doc)
    return _schemas[name]


def _ignorable(el, inherited: frozenset[str]) -> frozenset[str]:
    prefixes = el.get(f"{{{MC}}}Ignorable")
    if not prefixes:
        return inherited
    return inherited | {el.nsmap[p] for p in prefixes.split() if p in el.nsmap}


def _understood(el, requires: str | None) -> bool:
    return all(el.nsmap.get(p) in UNDERSTOOD for p in (requires or "").split())


def compatible(root):
    """The part as an application that knows only ECMA-376 transitional reads it: ignorable
    elements and attributes dropped, each mc:AlternateContent replaced by its first choice
    we understand (or its fallback). Changes `root` in place and returns it."""

    def walk(el, ignorable: frozenset[str]) -> None:
        ignorable = _ignorable(el, ignorable)
        for name in list(el.attrib):
            ns = etree.QName(name).namespace
            if ns in ignorable or ns == MC:
                del el.attrib[name]
        for child in list(el):
            if not isinstance(child.tag, str):
                continue
            qname = etree.QName(child)
            if qname.namespace == MC and qname.localname == "AlternateContent":
                chosen = next((c for c in child if etree.QName(c).localname == "Choice"
                               and _understood(c, c.get("Requires"))), None)
                if chosen is None:
                    chosen = next((c for c in child
                                   if etree.QName(c).localname == "Fallback"), None)
                at = el.index(child)
                el.remove(child)
                for i, grandchild in enumerate(list(chosen) if chosen is not None else []):
                    el.insert(at + i, grandchild)
                    walk(grandchild, ignorable)
                continue
            if qname.namespace in _ignorable(child, ignorable):
                el.remove(child)
                continue
            walk(child, ignorable)

    walk(root, frozenset())
    return root


def _parts(docx: Path | bytes) -> dict[str, bytes]:
    import io

    source = io.BytesIO(docx) if isinstance(docx, bytes) else docx
    with zipfile.ZipFile(source) as z:
        return {name: z.read(name) for name in z.namelist()}


def schema_problems(docx: Path | bytes, label: str | None = None) -> list[str]:
    """Every XML part checked against the transitional schema of its root element."""
    label = label or (docx.name if isinstance(docx, Path) else "document")
    found = []
    for name, data in _parts(docx).items():
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        root = etree.fromstring(data)
        ns = etree.QName(root).namespace
        if name.startswith(FREE_PARTS) and ns not in ENTRY_SCHEMAS:
            continue
        if ns not in ENTRY_SCHEMAS:
            found.append(f"{label}:{name}: no schema for the namespace {ns}")
            continue
        xsd = schema(ENTRY_SCHEMAS[ns])
        if not xsd.validate(compatible(root)):
            found += [f"{label}:{name}:{e.line}: {e.message}" for e in xsd.error_log]
    return found


# --- what a schema cannot check: that the ids the parts share point somewhere --------------

def _rels_of(name: str) -> str:
    folder, _, base = name.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve(source: str, target: str) -> str:
    import posixpath

    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def reference_problems(docx: Path | bytes, label: str | None = None) -> list[str]:
    """Relationship ids and targets, content types, style ids, numbering ids, header and
    footer references and bookmark links: each must name something that exists."""
    label = label or (docx.name if isinstance(docx, Path) else "document")
    parts = _parts(docx)
    found: list[str] = []
    say = found.append

    types = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension").lower() for d in types if etree.QName(d).localname ==
                "Default"}
    overrides = {o.get("PartName").lstrip("/") for o in types
                 if etree.QName(o).localname == "Override"}
    for name in parts:
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            say(f"{label}: {name} has no content type")
    for name in overrides:
        if name not in parts:
            say(f"{label}: [Content_Types].xml names {name}, which is not in the file")

    rel_types: dict[tuple[str, str], str] = {}
    for rels_name in [n for n in parts if n.endswith(".rels")]:
        folder = rels_name.rsplit("_rels/", 1)[0]
        source = folder + rels_name.rsplit("/", 1)[1][: -len(".rels")]
        ids = []
        for rel in etree.fromstring(parts[rels_name]):
            ids.append(rel.get("Id"))
            rel_types[(source, rel.get("Id"))] = rel.get("Type").rsplit("/", 1)[-1]
            if rel.get("TargetMode") != "External":
                target = _resolve(source, rel.get("Target"))
                if target not in parts:
                    say(f"{label}:{rels_name}: {rel.get('Id')} points at {target}, "
                        "which is not in the file")
        if len(ids) != len(set(ids)):
            say(f"{label}:{rels_name}: a relationship id is used twice")

    xml = {n: etree.fromstring(d) for n, d in parts.items()
           if n.startswith("word/") and n.endswith(".xml")}
    for name, root in xml.items():
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for attr, value in el.attrib.items():
                if etree.QName(attr).namespace == R and \
                        (name, value) not in rel_types:
                    say(f"{label}:{name}:{el.sourceline}: r:{etree.QName(attr).localname}="
                        f"{value!r} has no relationship")
        for kind in ("header", "footer"):
            for ref in root.iter(f"{W}{kind}Reference"):
                rid = ref.get(f"{{{R}}}id")
                if rel_types.get((name, rid)) not in (kind, None):
                    say(f"{label}:{name}:{ref.sourceline}: the {kind} reference {rid} "
                        f"is a {rel_types[(name, rid)]} relationship")

    styles = xml.get("word/styles.xml")
    style_ids = {s.get(f"{W}styleId"): s.get(f"{W}type")
                 for s in (styles.iter(f"{W}style") if styles is not None else [])}
    kinds = {"pStyle": "paragraph", "rStyle": "character", "tblStyle": "table"}
    for name, root in xml.items():
        for tag, kind in kinds.items():
            for el in root.iter(W + tag):
                value = el.get(f"{W}val")
                if value not in style_ids:
                    say(f"{label}:{name}:{el.sourceline}: style id {value!r} is not in "
                        "styles.xml")
                elif style_ids[value] != kind:
                    say(f"{label}:{name}:{el.sourceline}: style id {value!r} is a "
                        f"{style_ids[value]} style, used as a {kind} style")
    if styles is not None:
        for tag in ("basedOn", "next", "link"):
            for el in styles.iter(W + tag):
                if el.get(f"{W}val") not in style_ids:
                    say(f"{label}:word/styles.xml:{el.sourceline}: <w:{tag}> names style "
                        f"{el.get(f'{W}val')!r}, which is not defined")

    numbering = xml.get("word/numbering.xml")
    nums = {n.get(f"{W}numId"): n for n in
            (numbering.iter(f"{W}num") if numbering is not None else [])}
    abstract = {a.get(f"{W}abstractNumId") for a in
                (numbering.iter(f"{W}abstractNum") if numbering is not None else [])}
    for num_id, num in nums.items():
        ref = num.find(f"{W}abstractNumId")
        if ref is None or ref.get(f"{W}val") not in abstract:
            say(f"{label}:word/numbering.xml: list {num_id} uses an abstract list that "
                "does not exist")
    for name, root in xml.items():
        for el in root.iter(f"{W}numId"):
            value = el.get(f"{W}val")
            if value != "0" and value not in nums:
                say(f"{label}:{name}:{el.sourceline}: list id {value} is not in "
                    "numbering.xml")

    document = xml.get("word/document.xml")
    if document is not None:
        starts = [b.get(f"{W}id") for b in document.iter(f"{W}bookmarkStart")]
        ends = {b.get(f"{W}id") for b in document.iter(f"{W}bookmarkEnd")}
        if len(starts) != len(set(starts)):
            say(f"{label}: a bookmark id is used twice")
        for missing in set(starts) - ends:
            say(f"{label}: bookmark {missing} is never closed")
        names = {b.get(f"{W}name") for b in document.iter(f"{W}bookmarkStart")}
        for link in document.iter(f"{W}hyperlink"):
            anchor = link.get(f"{W}anchor")
            if anchor is not None and anchor not in names:
                say(f"{label}:word/document.xml:{link.sourceline}: a link to bookmark "
                    f"{anchor!r}, which does not exist")
    return found
