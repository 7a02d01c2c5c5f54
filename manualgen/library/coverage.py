"""`manualgen library coverage`: which policies and forms cover each audit element.

One row per element: what the auditor looks for (from elements.yaml), the policies and
forms that answer it, and the gaps. Printed for the terminal, or written as a Word page
(on the master template's styles) or an HTML page for a review meeting.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from manualgen.errors import fail
from manualgen.inputs.library.load import Library
from manualgen.inputs.library.model import Element, FormInfo, Policy
from manualgen.library.listing import users_of_forms

TITLE = "Audit element coverage of the policy library"
HEADER = ["Element", "Must show", "Policies", "Forms", "Gaps"]


@dataclass
class Row:
    element: Element
    policies: list[Policy]
    forms: list[FormInfo]
    gaps: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.element.number}. {self.element.title}"

    def policy_lines(self) -> list[str]:
        return [f"{p.title} ({p.describe_applies()})" for p in self.policies]

    def form_lines(self) -> list[str]:
        return [f.title for f in self.forms]


@dataclass
class Coverage:
    lib: Library
    rows: list[Row]

    @property
    def gaps(self) -> int:
        return sum(1 for r in self.rows if r.gaps)

    def heading(self) -> str:
        info = self.lib.info
        return f"{info.name}, version {info.version} (released {info.released.isoformat()})"

    def summary(self) -> str:
        return (f"{len(self.rows)} elements, {len(self.lib.policies)} policies, "
                f"{len(self.lib.forms)} forms: " +
                (f"{self.gaps} element{'s' * (self.gaps != 1)} with gaps." if self.gaps
                 else "no gaps."))

    def as_text(self) -> str:
        out = [TITLE, self.heading(), ""]
        for row in self.rows:
            out.append(row.name)
            for label, items in (("must show", row.element.must_show),
                                 ("policies", row.policy_lines()),
                                 ("forms", row.form_lines()),
                                 ("gaps", row.gaps)):
                first = True
                for item in items or ["none"]:
                    out.append(f"    {label + ':' if first else '':<11}{item}")
                    first = False
            out.append("")
        out.append(self.summary())
        return "\n".join(out)

    def as_dict(self) -> dict:
        return {
            "library": {"name": self.lib.info.name, "version": self.lib.info.version},
            "elements": [{
                "number": r.element.number, "title": r.element.title,
                "must_show": list(r.element.must_show),
                "policies": [{"id": p.id, "title": p.title, "applies": p.describe_applies()}
                             for p in r.policies],
                "forms": [{"id": f.id, "title": f.title} for f in r.forms],
                "gaps": r.gaps,
            } for r in self.rows],
        }

    def cells(self, row: Row) -> list[list[str]]:
        return [[row.name], list(row.element.must_show), row.policy_lines() or ["none"],
                row.form_lines() or ["none"], row.gaps or ["none"]]


def coverage(lib: Library) -> Coverage:
    """Every element with its policies, forms and gaps, in chapter order."""
    used = users_of_forms(lib)
    rows = []
    for element in lib.elements:
        policies = [p for p in lib.policies if p.header.element == element.number]
        form_ids: list[str] = []
        for p in policies:
            form_ids += [f for f in p.header.forms if f not in form_ids]
        form_ids += [f.id for f in lib.forms if f.element == element.number
                     and f.id not in form_ids]
        forms = [f for f in (lib.form(i) for i in form_ids) if f is not None]
        row = Row(element, policies, forms)
        if not policies:
            row.gaps.append("no policy covers this element")
        elif all(p.header.applies != "always" for p in policies):
            row.gaps.append("no policy applies always: a company without these conditions "
                            "gets an empty chapter")
        for f in forms:
            if not used.get(f.id):
                row.gaps.append(f"no policy names the form {f.title}")
        rows.append(row)
    return Coverage(lib, rows)


# --------------------------------------------------------------------------- files


def coverage_document(report: Coverage, name: Path | str) -> bytes:
    """The table as Word (.docx) or HTML (.html), chosen by the file name's suffix."""
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        return _docx(report)
    if suffix in (".html", ".htm"):
        return _html(report).encode("utf-8")
    raise fail(name, f"cannot write a coverage page as {suffix or 'a file without a suffix'}",
               fix="name the output .docx (Word) or .html")


def _docx(report: Coverage) -> bytes:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Inches

    from manualgen.manual.compose import fill_tokens, open_master
    from manualgen.render import wordxml
    from manualgen.render.docx_io import docx_bytes, set_properties
    from manualgen.render.markdown_docx import TABLE_STYLE, add_markdown

    lib = report.lib
    document = open_master(lib.forms_dir / "master.docx")
    fill_tokens(document, {"company_name": lib.info.publisher, "document_title": TITLE,
                            "revision": lib.info.version})
    section = document.sections[0]
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    add_markdown(document, f"# {TITLE}\n\n{report.heading()}. {report.summary()}\n")
    table = document.add_table(rows=1 + len(report.rows), cols=len(HEADER))
    table.style = document.styles[TABLE_STYLE]
    widths = [1.6, 2.6, 2.6, 1.7, 1.5]
    for c, text in enumerate(HEADER):
        table.cell(0, c).text = text
    for r, row in enumerate(report.rows, start=1):
        for c, items in enumerate(report.cells(row)):
            cell = table.cell(r, c)
            cell.text = items[0]
            for item in items[1:]:
                cell.add_paragraph(item)
            if c == 4 and row.gaps:
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.bold = True
    set_widths(table, [Inches(w) for w in widths])
    wordxml.repeat_header_row(table.rows[0])
    set_properties(document, title=TITLE, author=lib.info.publisher, when=lib.info.released,
                   subject=lib.info.name, keywords=f"library {lib.info.version}")
    return docx_bytes(document, lib.info.released)


def set_widths(table, widths: list) -> None:
    """Column widths Word and LibreOffice both honour: the grid and every cell."""
    table.autofit = False
    for c, width in enumerate(widths):
        table.columns[c].width = width
        for cell in table.columns[c].cells:
            cell.width = width


_CSS = """body{font-family:Calibri,Carlito,sans-serif;margin:2em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.4em;
vertical-align:top;text-align:left}th{background:#dde4ee}td.gap{color:#a00;font-weight:bold}
ul{margin:0;padding-left:1.2em}"""


def _html(report: Coverage) -> str:
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{esc(TITLE)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{esc(TITLE)}</h1>",
           f"<p>{esc(report.heading())}. {esc(report.summary())}</p>", "<table><thead><tr>",
           *[f"<th>{esc(h)}</th>" for h in HEADER], "</tr></thead><tbody>"]
    for row in report.rows:
        out.append("<tr>")
        for c, items in enumerate(report.cells(row)):
            klass = ' class="gap"' if c == 4 and row.gaps else ""
            if len(items) == 1:
                out.append(f"<td{klass}>{esc(items[0])}</td>")
            else:
                lis = "".join(f"<li>{esc(i)}</li>" for i in items)
                out.append(f"<td{klass}><ul>{lis}</ul></td>")
        out.append("</tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"
