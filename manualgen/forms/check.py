"""Check a Word form template before anyone renders it.

NSNY staff edit the forms in Word, and Word quietly damages Jinja tags: spell-check splits
a tag over several runs, AutoFormat turns straight quotes into curly ones, and a typo in a
variable name only shows up when a company builds its forms. docxtpl then fails with a
syntax error far from the cause (or renders a value with the wrong formatting). Here every
such problem is reported by file and tag, all at once, without rendering anything.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import meta

from manualgen.errors import Problem
from manualgen.render.jinja import form_environment
from manualgen.render.wordxml import paragraph_runs

# The names `inputs.context.build_context` provides (documented in policy_library/README.md).
# tests/test_forms_check.py compares this with the real context, so the two cannot drift.
CONTEXT_VARIABLES = frozenset({
    "company", "owner", "people", "supervisors", "first_aiders", "safety_reps",
    "worksites", "fixed_sites", "mobile_sites", "hazards", "hazard_labels", "equipment",
    "emergency", "secor", "manual", "needs_safety_rep", "rules", "library",
    "road_sites", "no_road_sites", "dismissed", "trades", "trade_labels", "scenarios", "parts",
    "young_workers", "certified_first_aiders", "first_aiders_to_certify", "listed_people",
    "seasonal_people", "consultations", "procedures", "vehicles",
})

# The names only forms get (built in `manualgen.forms.build.form_context`).
FORM_ONLY_VARIABLES = frozenset({
    "form",            # this form's index entry: id, title, revision, element, description
    "logo",            # the company logo as an image, or "" when the profile has none
    "policies",        # the policies that apply to the company: id, title, element
    "hazard_items",    # the company's hazards: key, label, policies (titles it switches on)
    "training_rows",   # one row per person and course: name, position, course, completed, expires
    "first_aid_attendants",  # people with the first_aid role: name, position, certificate, expires
})

CURLY_QUOTES = "\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb\u2032\u2033"
_OPEN_TO_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPENING = re.compile(r"\{[{%#]")
_WHERE = {"document": "in the body", "header": "in the page header",
          "footer": "in the page footer"}
_RETYPE = ("in Word, select the whole tag, delete it and type it again in one go "
           "(or paste it as plain text)")


def form_variables() -> set[str]:
    """The top-level names a form template may use."""
    return set(CONTEXT_VARIABLES | FORM_ONLY_VARIABLES)


@dataclass
class _Part:
    kind: str          # "document", "header" or "footer"
    name: str          # zip member name, e.g. word/header1.xml
    xml: str           # the part as docxtpl sees it (no pretty printing)


@dataclass
class _Tag:
    part: _Part
    text: str          # the tag as it reads in Word, e.g. "{{ company.name }}"


def _parts(tpl: DocxTemplate) -> list[_Part]:
    """The document body plus every header and footer, as the XML docxtpl renders."""
    document = tpl.get_docx()
    parts = [_Part("document", document.part.partname.lstrip("/"), tpl.get_xml())]
    for rel in sorted(document.part.rels.values(), key=lambda r: str(r.target_ref)):
        if rel.is_external:
            continue
        kind = {RT.HEADER: "header", RT.FOOTER: "footer"}.get(rel.reltype)
        if kind and rel.target_part.blob:
            xml = tpl.get_part_xml(rel.target_part)
            parts.append(_Part(kind, rel.target_part.partname.lstrip("/"), xml))
    return parts


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _scan_tags(part: _Part, path: str, problems: list[Problem]) -> tuple[list[_Tag], bool]:
    """Find every tag paragraph by paragraph; report split, unclosed and curly-quoted tags.

    Returns the tags and whether any tag was left unclosed.
    """
    tags: list[_Tag] = []
    unclosed = False
    where = _WHERE[part.kind]
    for runs in paragraph_runs(part.xml):
        text = "".join(t for _, t in runs)
        if "{" not in text:
            continue
        owner: list[int] = []
        for run_no, t in runs:
            owner.extend([run_no] * len(t))
        pos = 0
        while (m := _OPENING.search(text, pos)) is not None:
            start = m.start()
            close = _OPEN_TO_CLOSE[m.group()]
            end = text.find(close, start + 2)
            if end < 0:
                problems.append(Problem(
                    path, None, _short(text[start:]),
                    f"tag is not closed with '{close}' in the same paragraph ({where})",
                    f"add the missing '{close}'; a tag must stay on one line in one paragraph"))
                unclosed = True
                break
            end += 2
            tag = text[start:end]
            tags.append(_Tag(part, tag))
            if len(set(owner[start:end])) > 1:
                problems.append(Problem(
                    path, None, _short(tag),
                    f"tag is split across Word runs ({where}), as spell-check or a "
                    "formatting change inside the tag does", _RETYPE))
            curly = sorted({c for c in tag if c in CURLY_QUOTES})
            if curly:
                problems.append(Problem(
                    path, None, _short(tag),
                    f"curly quotes {' '.join(curly)} inside a tag ({where})",
                    "use straight quotes ' or \" (turn off Word's 'smart quotes' "
                    "AutoFormat, then retype them)"))
            pos = end
    return tags, unclosed


def _syntax_problem(exc: jinja2.TemplateSyntaxError, source: str, part: _Part,
                    path: str) -> Problem:
    """Name the paragraph the syntax error is in (docxtpl puts one paragraph per line)."""
    lines = source.splitlines()
    context = ""
    if exc.lineno and 0 < exc.lineno <= len(lines):
        context = re.sub(r"<[^>]+>", "", lines[exc.lineno - 1])
    tags = re.findall(r"\{[{%#].*?[}%#]\}", context)
    shown = " ".join(tags) if tags else context
    return Problem(path, None, _short(shown) or None,
                   f"template syntax error {_WHERE[part.kind]}: {exc.message}",
                   "check the {{ }} and {% %} tags of this paragraph: every {% if %} and "
                   "{% for %} needs its {% endif %} / {% endfor %}")


def check_template(path: Path, known: set[str] | None = None) -> list[Problem]:
    """Every problem of one form template, by file and tag; an empty list when it is fine.

    `known`: the top-level names the template may use (`form_variables()`); when given,
    any other name is reported.
    """
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        return [Problem(shown, None, None, "form template not found",
                        "check the `template` name in form_templates/forms.yaml")]
    tpl = DocxTemplate(shown)
    try:
        parts = _parts(tpl)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError) as exc:
        return [Problem(shown, None, None, f"cannot be opened as a Word document ({exc})",
                        "save it from Word as a .docx file")]
    problems: list[Problem] = []
    env = form_environment()
    names: dict[str, list[_Tag]] = {}
    for part in parts:
        tags, unclosed = _scan_tags(part, shown, problems)
        patched = tpl.patch_xml(part.xml)
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        try:
            parsed = env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            if not unclosed:  # otherwise the syntax error is only its consequence
                problems.append(_syntax_problem(exc, source, part, shown))
            continue
        for name in meta.find_undeclared_variables(parsed):
            names.setdefault(name, []).extend(
                t for t in tags if re.search(rf"\b{re.escape(name)}\b", t.text))
    if known is not None:
        allowed = ", ".join(sorted(known))
        for name in sorted(set(names) - set(known)):
            where = names[name][0] if names[name] else None
            problems.append(Problem(
                shown, None, _short(where.text) if where else name,
                f"asks for {name!r}, which the company profile does not provide"
                + (f" ({_WHERE[where.part.kind]})" if where else ""),
                f"use one of: {allowed} (see policy_library/README.md)"))
    return problems
