"""`manualgen library book`: the whole library as one Word document for proofreading.

Every policy is printed in full, whatever company it would be built for: each variable is
a highlighted placeholder (⟦company legal name⟧), and text that only some companies get is
shown with its condition (⟦if: supervisors⟧ ... ⟦end if⟧) instead of being decided. The
control tags are turned into those markers before rendering, so every branch of every
`{% if %}` is read; loops render once, over one placeholder item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from manualgen.errors import Collector, InputError
from manualgen.inputs.library.load import Library
from manualgen.inputs.library.model import Policy
from manualgen.library.listing import users_of_forms
from manualgen.library.variables import (
    CLOSE,
    NUMBER_OF,
    OPEN,
    Placeholder,
    PlaceholderList,
    context_schema,
    placeholder_context,
    relabel,
)
from manualgen.render.jinja import long_date, policy_environment, render_text

BOOK_TITLE = "Policy Library"
DETAILS_HEADER = ("Policy", "Details")   # the importer recognises this table by its header

_TAG = re.compile(r"\{%-?\s*(if|elif|else|endif|for|endfor|set)\b(.*?)-?%\}", re.DOTALL)
_SENTINEL = "\x00"
_LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.*)$")
_HEADING = re.compile(r"^#{1,6}\s")


@dataclass
class BookResult:
    docx: bytes
    policies: int
    elements: int

    def summary(self, shown: str) -> str:
        return f"wrote {shown} ({self.policies} policies in {self.elements} chapters)"


MARKERS = {"if": "if: ", "elif": "else if: ", "else": "else", "endif": "end if",
           "for": "for each ", "endfor": "end for", "set": "set "}
BEGIN_KINDS = ("if", "elif", "else", "for", "set")
PROOF_ITEMS = "_proof_items"
_SIMPLE_FOR = re.compile(r"^\s*([A-Za-z_]\w*)\s+in\s+(.+?)(?:\s+if\s+(.+?))?\s*$", re.DOTALL)


def marker(kind: str, argument: str = "") -> str:
    argument = " ".join(argument.split())
    return f"{OPEN}{MARKERS[kind]}{argument}{CLOSE}"


def _proof_items(items, name: str) -> list:
    """The loop of the book: one item whose placeholders carry the loop variable's name."""
    items = list(items) if items is not None else []
    return [relabel(items[0], name)] if items else [Placeholder(name)]


_OUTPUT = re.compile(r"\{\{(-?)(.*?)(-?)\}\}", re.DOTALL)


def split_ternary(expression: str) -> tuple[str, str, str] | None:
    """`a if c else b` at the top level of an expression -> (a, c, b), else None."""
    depth, quote, marks = 0, "", []
    i = 0
    while i < len(expression):
        ch = expression[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            for word in ("if", "else"):
                if expression.startswith(word, i) and expression[i - 1:i].isspace() and \
                        expression[i + len(word):i + len(word) + 1].isspace():
                    marks.append((word, i))
        i += 1
    words = [w for w, _ in marks]
    if words != ["if", "else"]:
        inner = expression.strip()
        if inner.startswith("(") and inner.endswith(")") and _balanced(inner[1:-1]):
            return split_ternary(inner[1:-1])
        return None
    (_, at_if), (_, at_else) = marks
    return (expression[:at_if].strip(), expression[at_if + 2:at_else].strip(),
            expression[at_else + 4:].strip())


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch in "([{") - (ch in ")]}")
        if depth < 0:
            return False
    return depth == 0


def _mark_ternaries(source: str) -> str:
    """`{{ a if c else b }}` -> ⟦if: c⟧{{ a }}⟦else⟧{{ b }}⟦end if⟧: both texts are read."""

    def replace(match: re.Match) -> str:
        parts = split_ternary(match.group(2))
        if parts is None:
            return match.group(0)
        then, condition, otherwise = parts
        text = marker("if", condition) + _mark_ternaries("{{ " + then + " }}")
        if otherwise not in ("''", '""'):
            text += marker("else") + _mark_ternaries("{{ " + otherwise + " }}")
        return text + marker("endif")

    return _OUTPUT.sub(replace, source)


def mark_conditions(source: str) -> str:
    """Turn control tags into markers, so rendering keeps every branch.

    if/elif/else/endif become markers and disappear; a simple `{% for x in list %}` stays
    but walks one placeholder item named after `x`, between for-each markers. A tag alone
    on its line becomes a sentinel line that `place_markers` later moves onto the text it
    governs; a tag inside a line becomes the marker itself.
    """
    source = _mark_ternaries(source)
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _TAG.finditer(source):
        kind, rest = match.group(1), match.group(2)
        out.append(source[pos:match.start()])
        pos = match.end()
        line_start = source.rfind("\n", 0, match.start()) + 1
        line_end = source.find("\n", match.end())
        line_end = len(source) if line_end < 0 else line_end
        alone = not source[line_start:match.start()].strip() and \
            not source[match.end():line_end].strip()

        def emit(text: str, kind: str = kind, alone: bool = alone) -> str:
            return f"{_SENTINEL}{kind}{_SENTINEL}{text}\n" if alone else text

        if kind == "for":
            simple = _SIMPLE_FOR.match(rest)
            if simple and not re.search(r"\brecursive\s*$", rest):
                # a loop's filter (`if ...`) is stated in the marker, not applied: the
                # book shows the loop's text whatever the items are
                var, seq, _condition = simple.groups()
                stack.append("for")
                if alone:
                    out[-1] = out[-1].rstrip(" \t")
                tag = f"{{% for {var} in {PROOF_ITEMS}({seq}, {var!r}) %}}"
                out.append(tag + ("\n" if alone else "") + emit(marker("for", rest)))
                if alone:  # the tag's own newline is now the sentinel's
                    pos = line_end + 1 if line_end < len(source) else line_end
            else:
                stack.append("for-plain")
                out.append(match.group(0))
            continue
        if kind == "endfor":
            top = stack.pop() if stack else "for-plain"
            if top == "for":
                if alone:
                    out[-1] = out[-1].rstrip(" \t")
                out.append(emit(marker("endfor")) + match.group(0))
                if alone:
                    pos = line_end + 1 if line_end < len(source) else line_end
                    out.append("\n")
            else:
                out.append(match.group(0))
            continue
        if kind == "set":
            if "=" not in rest:  # a block set: left as it is
                out.append(match.group(0))
                continue
            if alone:
                out[-1] = out[-1].rstrip(" \t")
            out.append(emit(marker("set", rest)) + match.group(0))
            continue
        if kind == "else" and stack and stack[-1].startswith("for"):
            out.append(match.group(0))
            continue
        if kind == "if":
            stack.append("if")
        elif kind == "endif" and stack:
            stack.pop()
        if alone:
            out[-1] = out[-1].rstrip(" \t")
            out.append(f"{_SENTINEL}{kind}{_SENTINEL}{marker(kind, rest)}")
        else:
            out.append(marker(kind, rest))
    out.append(source[pos:])
    return "".join(out)


def place_markers(text: str) -> str:
    """Move sentinel lines onto the text they govern: a begin marker before the next line
    (after its list bullet), an end marker after the previous line."""
    out: list[str] = []
    pending: list[str] = []
    for line in text.split("\n"):
        if line.startswith(_SENTINEL):
            _, kind, marker = line.split(_SENTINEL, 2)
            last = next((i for i in range(len(out) - 1, -1, -1) if out[i].strip()), None)
            if kind not in BEGIN_KINDS and not pending and last is not None:
                row = out[last].rstrip()
                out[last] = (row[:-1].rstrip() + f" {marker} |" if row.endswith("|")
                             else f"{row} {marker}")
            else:
                pending.append(marker)
            continue
        if pending and line.strip():
            markers = " ".join(pending)
            pending = []
            item = _LIST_ITEM.match(line)
            if item:
                line = f"{item.group(1)}{markers} {item.group(2)}"
            elif _HEADING.match(line) or line.lstrip().startswith("|"):
                if out and out[-1].strip():
                    out.append("")
                out += [markers, ""]
            else:
                line = f"{markers} {line}"
        out.append(line)
    if pending:
        out += ["", " ".join(pending)]
    return "\n".join(out)


AS_DATE = ", as a date"


def _length(value):
    """In the book a list's length is ⟦number of equipment⟧, not 1."""
    if isinstance(value, PlaceholderList):
        return Placeholder(f"{NUMBER_OF}{value.label}")
    return len(value)


def _long_date(value):
    """In the book a date placeholder says it is printed as a date: ⟦manual issued, as a
    date⟧ (the importer turns it back into `| long_date`)."""
    if isinstance(value, Placeholder):
        return Placeholder(str(value)[1:-1] + AS_DATE)
    return long_date(value)


def proof_markdown(policy: Policy, context: dict) -> str:
    """A policy's body with placeholders and stated conditions, ready for add_markdown."""
    env = policy_environment()
    env.filters["long_date"] = _long_date
    env.filters["length"] = env.filters["count"] = _length
    marked = mark_conditions(policy.body)
    context = {**context, PROOF_ITEMS: _proof_items}
    return place_markers(render_text(env, marked, context, policy.path, policy.body_line - 1))


def _applies_text(policy: Policy, lib: Library) -> str:
    applies = policy.header.applies
    if applies == "always":
        return "Always: every company's manual has it."
    parts = applies.clauses(lambda k: f"{lib.hazard_label(k)} ({k})",
                            lib.rules.safety_rep_min_workers)
    return "Only when the company " + "; and the company ".join(parts) + "."


def details(policy: Policy, lib: Library) -> list[tuple[str, str]]:
    """The header of a policy in words: what the proofreader checks besides the text."""
    h = policy.header
    forms = [f"{f.title} ({f.id})" if (f := lib.form(i)) else f"{i} (unknown form)"
             for i in h.forms]
    rows = [("Id", h.id), ("File", f"policies/{policy.path.name}"),
            ("Applies", _applies_text(policy, lib)),
            ("Forms", "; ".join(forms) or "none"),
            ("Legislation", "; ".join(h.legislation_for()) or "none"),
            ("Order", str(h.order)), ("Revision", str(h.revision)),
            ("Reviewed", h.reviewed.isoformat())]
    if h.targets:
        rows.append(("Targets", "; ".join(
            f"{lib.rules.activities.get(k, k)}: {v}" for k, v in h.targets.items())))
    return rows


def build_book(lib: Library) -> BookResult:
    """Render every policy for proofreading, as one .docx."""
    context = placeholder_context(context_schema(lib.rules, lib.info))
    found = Collector()
    texts: dict[str, str] = {}
    for policy in lib.policies:
        try:
            texts[policy.id] = proof_markdown(policy, context)
        except InputError as exc:
            found.extend(exc.problems)
    found.raise_if_errors(title="Some policies cannot be rendered "
                                "(run `manualgen library check` for the full list):")
    document = compose_book(lib, texts)
    from manualgen.render.docx_io import docx_bytes, set_properties

    set_properties(document, title=f"{lib.info.name} {lib.info.version}",
                   author=lib.info.publisher, when=lib.info.released,
                   subject="Proofreading copy", keywords=f"library {lib.info.version}")
    chapters = len({p.header.element for p in lib.policies})
    return BookResult(docx_bytes(document, lib.info.released), len(lib.policies), chapters)


def compose_book(lib: Library, texts: dict[str, str]):
    """The Word document: title page, a chapter per element, the forms appendix."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    from manualgen.library.coverage import set_widths
    from manualgen.manual.compose import fill_tokens, open_master
    from manualgen.render import wordxml
    from manualgen.render.markdown_docx import TABLE_STYLE, add_markdown

    info = lib.info
    document = open_master(lib.forms_dir / "master.docx")
    fill_tokens(document, {"company_name": info.publisher,
                            "document_title": f"{BOOK_TITLE} {info.version}",
                            "revision": info.version})
    for text, style in ((BOOK_TITLE, "Title"), (info.name, "Subtitle"),
                        (f"Version {info.version}, released {info.released.isoformat()}",
                         "Subtitle"), (info.publisher, "Subtitle")):
        document.add_paragraph(text, style=style).alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_markdown(document, (
        "**Proofreading copy.** Every policy of the library in full, in manual order. "
        f"Highlighted text such as {OPEN}company legal name{CLOSE} is filled in from each "
        f"company's profile. Text that only some companies get is marked with its "
        f"condition: {OPEN}if: supervisors{CLOSE} ... {OPEN}else{CLOSE} ... "
        f"{OPEN}end if{CLOSE}. The table under each title shows when the policy is "
        "included in a manual and what it relies on."))

    def table(header: tuple[str, str], rows: list[tuple[str, ...]], widths=None) -> None:
        from docx.shared import Inches

        t = document.add_table(rows=1 + len(rows), cols=len(header))
        t.style = document.styles[TABLE_STYLE]
        for c, text in enumerate(header):
            t.cell(0, c).text = text
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
        wordxml.repeat_header_row(t.rows[0])
        if widths:
            set_widths(t, [Inches(w) for w in widths])
        document.add_paragraph(style="Small Print")

    by_element: dict[int, list[Policy]] = {}
    for policy in lib.policies:
        by_element.setdefault(policy.header.element, []).append(policy)
    chapters = [(e.number, f"Element {e.number}: {e.title}", e.must_show) for e in lib.elements]
    known = {e.number for e in lib.elements}
    chapters += [(n, f"Element {n}: not in elements.yaml", []) for n in sorted(by_element)
                 if n not in known]
    for number, heading, must_show in chapters:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_paragraph(heading, style="Heading 1")
        if must_show:
            shows = document.add_paragraph(style="Small Print")
            shows.add_run("This chapter shows: ").bold = True
            shows.add_run("; ".join(must_show) + ".")
        policies = by_element.get(number, [])
        if not policies:
            document.add_paragraph("No policy in the library covers this element yet.")
        for policy in policies:
            wordxml.keep_with_next(document.add_paragraph(policy.title, style="Heading 2"))
            table(DETAILS_HEADER, details(policy, lib), [1.3, 5.2])
            add_markdown(document, texts[policy.id], heading_offset=2)

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Forms", style="Heading 1")
    used = users_of_forms(lib)
    table(("Form", "Made from", "Element", "Used by"),
          [(f"{f.title} ({f.id})", f.template or f.fields or "", str(f.element),
            ", ".join(used.get(f.id, [])) or "no policy") for f in lib.forms],
          [2.2, 1.9, 0.7, 1.7])
    return document
