"""`manualgen library check`: every mistake NSNY staff can make in the library, in one run.

Loading collects the shape problems (headers, data files); this module adds what needs the
library as a whole: sections and their order, templates (syntax, unknown variables, a
render for a complete and a sparse company), references between files (elements, hazards,
activities, forms), coverage gaps, stale reviews and the form templates. Each finding is a
`Problem` with file, line and a fix; warnings are shown but do not fail the check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from manualgen.errors import Collector, InputError, Problem, Severity, nearest
from manualgen.inputs.library.load import FORMS_INDEX, Library, load_library, policy_files
from manualgen.inputs.models import parse_date
from manualgen.inputs.program import add_months
from manualgen.io import FrontMatter, YamlDoc, inside, load_yaml, read_text, split_front_matter
from manualgen.library import trades
from manualgen.library.variables import (
    CLOSE,
    LEAF,
    OPEN,
    ListOf,
    Schema,
    context_schema,
    probe_context,
)
from manualgen.render.jinja import policy_environment, template_error
from manualgen.resources import LibraryPaths

REQUIRED_SECTIONS = ("Purpose", "Scope", "Responsibilities", "Procedure", "Records")
# NSNY reviews every policy at least once a year (issue 4); older reviews are a warning.
README = "policy_library/README.md"


# --------------------------------------------------------------------------- report


@dataclass
class LintReport:
    """The findings of one check, printable as text or JSON (see `cli.emit`)."""

    root: Path
    version: str | None
    policies: int
    forms: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def has_findings(self) -> bool:
        return bool(self.errors)

    def summary(self) -> str:
        what = f"{self.policies} policies and {self.forms} forms checked"
        if not self.problems:
            return f"{what}: no problems found."
        counts = [f"{len(self.errors)} error{'s' * (len(self.errors) != 1)}"]
        if self.warnings:
            counts.append(f"{len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}")
        return f"{what}: {', '.join(counts)}."

    def as_text(self) -> str:
        head = f"Policy library {self.root}" + (f", version {self.version}" if self.version
                                                else "")
        return "\n".join([head, *[str(p) for p in self.problems], self.summary()])

    def as_dict(self) -> dict[str, Any]:
        return {
            "library": str(self.root),
            "version": self.version,
            "policies": self.policies,
            "forms": self.forms,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.as_dict() for p in self.problems],
        }


def _shown(path: str, home: Path) -> str:
    """Paths relative to the library's folder (policy_library/policies/x.md): short, and
    the same wherever the check is run from."""
    try:
        return str(Path(path).resolve().relative_to(home.resolve()))
    except ValueError:
        return path


# --------------------------------------------------------------------------- the check


@dataclass
class Known:
    """What references may point at, from the library's own data."""

    schema: dict[str, Schema]
    elements: set[int] | None       # None when elements.yaml itself is broken
    hazards: list[str] | None
    forms: dict[str, str] | None    # id -> title
    activities: list[str] | None
    review_months: int | None       # None when program.yaml is broken
    library: Library


def check_library(location: Path | LibraryPaths | None = None, *,
                  on: dt.date) -> LintReport:
    """Check the whole library at `location` (the bundled one if None); `on` is the day
    reviews are judged against. A library that cannot load is reported, not raised."""
    found = Collector()
    lib = load_library(location, collect=found)
    known = _known(lib)
    seen_ids: dict[str, Path] = {}
    covered: set[int] = set()
    switched: set[str] = set()
    practices: set[str] = set()          # hazards that switch on a safe work practice
    practice_elements = set(lib.rules.practice_elements) if lib.rules else set()
    files = policy_files(lib.root)
    unreadable = 0
    for path in files:
        header = _check_policy(path, known, found, on, seen_ids)
        if not header:
            unreadable += 1  # its element and hazards are unknown until it is fixed
            continue
        if _is_int(header.get("element")):
            covered.add(header["element"])
        applies = header.get("applies")
        if isinstance(applies, dict) and isinstance(applies.get("hazards"), list):
            keys = {h for h in applies["hazards"] if isinstance(h, str)}
            switched.update(keys)
            if header.get("element") in practice_elements:
                practices.update(keys)
    if not unreadable:
        _check_coverage(lib, covered, switched, found, practices if practice_elements
                        else None)
        _check_hazard_terms(lib, found)
    _check_part_titles(lib, files, found)
    _check_forms(lib, known, found)
    _check_changelog(lib, found)
    if lib.rules is not None:
        trades.check_trades(lib, found)
        trades.check_scenarios(lib, found)
        trades.check_facilities(lib, found)
        trades.check_procedures(lib, probe_context(lib.rules, lib.info), found)
        _check_part_titles(lib, [p.path for p in lib.procedures], found)
        if not found.errors:             # a broken library cannot build its test companies
            trades.check_test_companies(lib, found)

    home = lib.paths.home if lib.paths else lib.root.parent
    problems = sorted({replace(p, path=_shown(p.path, home)) for p in found.problems},
                      key=lambda p: (p.path, p.line or 0, p.message))
    return LintReport(lib.root, lib.info.version if lib.info else None, len(files),
                      len(lib.forms), problems)


def _known(lib: Library) -> Known:
    return Known(
        schema=context_schema(lib.rules, lib.info),
        elements={e.number for e in lib.elements} or None,
        hazards=lib.hazard_keys or None,
        forms={f.id: f.title for f in lib.forms} or None,
        activities=list(lib.rules.activities) if lib.rules else None,
        review_months=lib.rules.policy_review_months if lib.rules else None,
        library=lib,
    )


def check_policy_files(paths: list[Path], lib: Library, *, on: dt.date,
                       context: dict[str, Any] | None = None) -> list[Problem]:
    """The library's own per-policy rules on other policy files (a company's `policies/`):
    references, sections and their order, text, templates, the Regulations' Part titles;
    with `context`, also a render for that company. Each problem at its file and line."""
    found = Collector()
    known = _known(lib)
    seen: dict[str, Path] = {}
    env = policy_environment()
    for path in paths:
        if _check_policy(path, known, found, on, seen) is None or context is None:
            continue
        try:
            fm = split_front_matter(read_text(path), path)
            env.from_string(fm.body).render(context)
        except InputError:
            continue                                # reported with the header
        except Exception as exc:  # noqa: BLE001 - any template failure is a finding
            if not any(p.path == str(path) and p.line for p in found.errors):
                found.extend([template_error(exc, path, fm.body_line - 1)])
    _check_part_titles(lib, paths, found)
    return sorted(set(found.problems), key=lambda p: (p.path, p.line or 0, p.message))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _did_you_mean(word: str, choices: Iterable[str], what: str) -> str:
    choices = list(choices)
    close = nearest(word, choices, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(close)}?"
    return f"use one of the {what}: {', '.join(choices)}"


# --------------------------------------------------------------------------- one policy


def _check_policy(path: Path, known: Known, found: Collector, on: dt.date,
                  seen_ids: dict[str, Path]) -> dict | None:
    """Header references and the body of one file; returns the raw header."""
    try:
        text = read_text(path)
    except InputError:
        return None  # load_library has reported it already
    try:
        fm = split_front_matter(text, path)
    except InputError:
        # The header is reported by load_library; the body is still worth checking.
        match = _HEADER_END.search(text) if text.startswith("---") else None
        if match is None:
            return None
        fm = FrontMatter(YamlDoc(str(path), {}), text[match.end():],
                         text[:match.end()].count("\n") + 1)
    data = fm.header.data if isinstance(fm.header.data, dict) else {}
    _check_header(path, fm.header, data, known, found, on, seen_ids)
    _check_body(path, fm, data, known, found)
    return data


_HEADER_END = re.compile(r"\A---[^\n]*\n.*?^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


def _check_header(path: Path, doc: YamlDoc, data: dict, known: Known, found: Collector,
                  on: dt.date, seen_ids: dict[str, Path]) -> None:
    add = found.extend
    pid = data.get("id")
    if isinstance(pid, str):
        if pid != path.stem:
            add([doc.problem(("id",), f"id {pid!r} does not match the file name {path.name}",
                             f"rename the file to {pid}.md, or write id: {path.stem}")])
        if pid in seen_ids:
            add([doc.problem(("id",), f"id {pid!r} is also used by {seen_ids[pid].name}",
                             "give every policy its own id")])
        else:
            seen_ids[pid] = path
    element = data.get("element")
    if _is_int(element) and element >= 1 and known.elements and element not in known.elements:
        numbers = sorted(known.elements)
        add([doc.problem(("element",), f"there is no audit element {element}",
                         f"use an element number from elements.yaml "
                         f"({numbers[0]} to {numbers[-1]})")])
    applies = data.get("applies")
    hazards = applies.get("hazards") if isinstance(applies, dict) else None
    if isinstance(hazards, list) and known.hazards:
        for i, key in enumerate(hazards):
            if isinstance(key, str) and key not in known.hazards:
                add([doc.problem(("applies", "hazards", i), f"unknown hazard key {key!r}",
                                 _did_you_mean(key, known.hazards, "keys in hazards.yaml"))])
    laws = data.get("legislation")
    if isinstance(laws, list) and known.hazards:
        for i, law in enumerate(laws):
            for field in ("hazards", "unless"):
                keys = law.get(field) if isinstance(law, dict) else None
                for j, key in enumerate(keys if isinstance(keys, list) else []):
                    if isinstance(key, str) and key not in known.hazards:
                        add([doc.problem(("legislation", i, field, j),
                                         f"unknown hazard key {key!r}",
                                         _did_you_mean(key, known.hazards,
                                                       "keys in hazards.yaml"))])
    forms = data.get("forms")
    if isinstance(forms, list) and known.forms:
        for i, form_id in enumerate(forms):
            if isinstance(form_id, str) and form_id not in known.forms:
                add([doc.problem(("forms", i), f"there is no form {form_id!r}",
                                 _did_you_mean(form_id, known.forms,
                                               f"ids in form_templates/{FORMS_INDEX}"))])
    targets = data.get("targets")
    if isinstance(targets, dict) and known.activities:
        for key in targets:
            if str(key) not in known.activities:
                add([doc.problem(("targets", key), f"unknown activity {key!r}",
                                 _did_you_mean(str(key), known.activities,
                                               "activities in program.yaml"))])
    reviewed = parse_date(data.get("reviewed"))
    if reviewed is not None and known.review_months is not None:
        due = add_months(reviewed, known.review_months)
        if due < on:
            add([doc.problem(("reviewed",), f"last reviewed {reviewed.isoformat()}, more than "
                             f"{known.review_months} months before {on.isoformat()}",
                             "review the policy with a safety advisor, then raise revision "
                             "if it changed and set reviewed to the review date",
                             severity="warning")])


# --------------------------------------------------------------------------- the body

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^(```|~~~)")
_ONLY_TAGS = re.compile(r"^\s*(?:\{%.*?%\}|\{#.*?#\}|\s)*$")
_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|<!--")
_IMAGE = re.compile(r"!\[[^\]]*\]\(")


@dataclass(frozen=True)
class Heading:
    line: int       # file line
    level: int
    text: str


def headings(body: str, first_line: int) -> list[Heading]:
    """Markdown ATX headings of a body, with file lines, outside code fences."""
    out, fenced = [], False
    for i, line in enumerate(body.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            out.append(Heading(first_line + i, len(match.group(1)), match.group(2).strip()))
    return out


def section_text(body: str, name: str) -> str:
    """The text of one `##` section (empty when it is missing)."""
    lines, inside_section = [], False
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) <= 2:
            inside_section = match.group(2).strip().lower() == name.lower()
            continue
        if inside_section:
            lines.append(line)
    return "\n".join(lines)


def _check_body(path: Path, fm: FrontMatter, data: dict, known: Known,
                found: Collector) -> None:
    _check_sections(path, fm, found)
    _check_text(path, fm, found)
    if _check_template(path, fm, known, found):
        _check_render(path, fm, data, known, found)
    forms = data.get("forms")
    if isinstance(forms, list) and known.forms:
        records = _plain(section_text(fm.body, "Records"))
        for i, form_id in enumerate(forms):
            title = known.forms.get(form_id) if isinstance(form_id, str) else None
            if title and _plain(title) not in records:
                found.extend([fm.header.problem(
                    ("forms", i), f"the Records section does not name the form {title!r}",
                    f"name it by its title, *{title}*, in the Records section")])


def _plain(text: str) -> str:
    """Text with Markdown emphasis removed and spaces collapsed, for finding a title."""
    return " ".join(re.sub(r"[*_`]", "", text).split()).lower()


def _check_sections(path: Path, fm: FrontMatter, found: Collector) -> None:
    where = str(path)
    all_heads = headings(fm.body, fm.body_line)
    for h in all_heads:
        if h.level == 1:
            found.add(where, f"'# {h.text}' is a title heading; a policy's title comes from "
                             "title: in the header", line=h.line,
                      fix="make it a section (##) or a sub-heading (###)")
    sections = [h for h in all_heads if h.level == 2]
    names: list[tuple[Heading, str]] = []   # (heading, required section it stands for)
    for h in sections:
        if h.text in REQUIRED_SECTIONS:
            names.append((h, h.text))
            continue
        close = nearest(h.text.title(), REQUIRED_SECTIONS, cutoff=0.6)
        missing = [n for n in close if n not in {s.text for s in sections}]
        if missing:
            found.add(where, f"section heading '{h.text}' should be '{missing[0]}'",
                      line=h.line, fix=f"write '## {missing[0]}'")
            names.append((h, missing[0]))
        else:
            found.add(where, f"'## {h.text}' is not one of the five sections", line=h.line,
                      fix="the sections are " + ", ".join(REQUIRED_SECTIONS)
                      + "; use '### " + h.text + "' for a sub-heading inside one")
    seen: dict[str, Heading] = {}
    highest = -1
    for h, name in names:
        index = REQUIRED_SECTIONS.index(name)
        if name in seen:
            found.add(where, f"section '{name}' appears twice (first on line "
                             f"{seen[name].line})", line=h.line, fix="merge the two into one")
            continue
        seen[name] = h
        if index < highest:
            later = REQUIRED_SECTIONS[highest]
            found.add(where, f"section '{name}' is out of order: it must come before "
                             f"'{later}'", line=h.line,
                      fix="order the sections " + ", ".join(REQUIRED_SECTIONS))
        highest = max(highest, index)
    end_line = fm.body_line + max(len(fm.body.splitlines()) - 1, 0)
    for i, name in enumerate(REQUIRED_SECTIONS):
        if name in seen:
            continue
        before = next((seen[n] for n in REQUIRED_SECTIONS[i + 1:] if n in seen), None)
        after = REQUIRED_SECTIONS[i - 1] if i else None
        found.add(where, f"section '{name}' is missing",
                  line=before.line if before else end_line,
                  fix=f"add '## {name}'" + (f" after the {after} section" if after else
                                           " as the first heading of the body"))
    first = sections[0].line if sections else end_line + 1
    for i, line in enumerate(fm.body.splitlines()):
        if fm.body_line + i >= first:
            break
        if not _ONLY_TAGS.match(line):
            found.add(where, "text before the first section", line=fm.body_line + i,
                      fix="move it into the Purpose section (the title comes from the header)")
            break


def _check_text(path: Path, fm: FrontMatter, found: Collector) -> None:
    for i, line in enumerate(fm.body.splitlines()):
        lineno = fm.body_line + i
        if OPEN in line or CLOSE in line:
            found.add(path, f"a placeholder from the proofreading book is left in: "
                            f"{line.strip()[:60]!r}", line=lineno,
                      fix="replace ⟦...⟧ with the variable it stands for, such as "
                          "{{ company.name }}, or with plain text")
        if _IMAGE.search(line):
            found.add(path, "pictures are not allowed in a policy", line=lineno,
                      fix="describe it in words, or make it a form")
        elif _HTML.search(line):
            found.add(path, "HTML is not allowed in a policy", line=lineno,
                      fix="use Markdown: **bold**, *italic*, - lists, | tables |")


def _check_template(path: Path, fm: FrontMatter, known: Known, found: Collector) -> bool:
    """Syntax and variables; True when the template is clean enough to render."""
    env = policy_environment()
    offset = fm.body_line - 1
    try:
        env.from_string(fm.body)
        tree = env.parse(fm.body)
    except jinja2.TemplateSyntaxError as exc:
        problem = template_error(exc, path, offset)
        opener = _unclosed_block(fm.body) if "end of template" in exc.message else None
        if opener is not None:  # Jinja points at the end; the mistake is the open tag
            kind, line = opener
            problem = replace(problem, line=line + offset,
                              message=f"this {{% {kind} %}} is never closed",
                              fix=f"add {{% end{kind} %}} where its text ends")
        found.extend([problem])
        return False
    checker = VariableCheck(known.schema, known.hazards, set(env.globals))
    checker.visit(tree, {})
    for line, message, fix in checker.problems:
        found.add(path, message, line=line + offset, fix=fix)
    return not checker.problems


_BLOCK_TAG = re.compile(r"\{%-?\s*(if|for|endif|endfor)\b")


def _unclosed_block(body: str) -> tuple[str, int] | None:
    """The innermost if/for left open (kind, template line), if any."""
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(body.splitlines(), start=1):
        for match in _BLOCK_TAG.finditer(line):
            kind = match.group(1)
            if kind.startswith("end"):
                if stack and stack[-1][0] == kind[3:]:
                    stack.pop()
            else:
                stack.append((kind, number))
    return stack[-1] if stack else None


def _check_render(path: Path, fm: FrontMatter, data: dict, known: Known,
                  found: Collector) -> None:
    """Render for a complete company and for a sparse one the policy would apply to."""
    lib = known.library
    labels = {h.key: h.label for h in lib.hazards}
    applies = data.get("applies") if isinstance(data.get("applies"), dict) else {}
    sparse: dict[str, Any] = {}
    hazards = applies.get("hazards")
    if isinstance(hazards, list) and hazards and isinstance(hazards[0], str):
        sparse["hazards"] = [hazards[0]]
    if lib.rules:
        peak = 1
        if _is_int(applies.get("min_employees")):
            peak = max(peak, applies["min_employees"])
        if applies.get("safety_rep") is True:
            peak = max(peak, lib.rules.safety_rep_min_workers)
        sparse["peak_employees"] = min(peak, lib.rules.employee_limit - 1)
    if isinstance(applies.get("subcontractors"), bool):
        sparse["uses_subcontractors"] = applies["subcontractors"]
    companies = (
        ("a company with every detail filled in",
         lambda: probe_context(lib.rules, lib.info, labels=labels)),
        ("a company with only the required details (one owner, no SECOR certificate, "
         "no equipment, no first aider)",
         lambda: probe_context(lib.rules, lib.info, sparse=True, labels=labels, **sparse)),
    )
    template = policy_environment().from_string(fm.body)
    for label, context in companies:
        try:
            template.render(context())
        except Exception as exc:  # any template failure is a finding, never a crash
            problem = template_error(exc, path, fm.body_line - 1)
            found.extend([replace(problem, message=f"{problem.message} (for {label})",
                                  fix="guard optional values with {% if ... %}; "
                                      + (problem.fix or ""))])
            return


# --------------------------------------------------------------------------- variables

_ANY: Any = object()   # a value whose fields are not known: not checked further
_LIST_FILTERS = {"sort", "selectattr", "rejectattr", "reverse", "list", "unique", "batch"}
_ITEM_FILTERS = {"first", "last", "random"}
_ATTR_ARG_FILTERS = {"join_names", "selectattr", "rejectattr", "map", "sort", "sum",
                     "groupby", "unique"}


class VariableCheck:
    """Walks a template's syntax tree checking every name and field against the context.

    A `for` loop binds its variable to the item shape of the list it walks, so
    `{% for site in worksites %}{{ site.adress }}` is caught too.
    """

    def __init__(self, schema: dict[str, Schema], hazards: list[str] | None,
                 globals_: set[str]):
        self.schema = schema
        self.hazards = hazards
        self.globals = globals_
        self.local: set[str] = set()
        self.problems: list[tuple[int, str, str]] = []

    def report(self, line: int, message: str, fix: str) -> None:
        if (line, message, fix) not in self.problems:
            self.problems.append((line, message, fix))

    def visit(self, node: nodes.Node, scope: dict[str, tuple[Schema, str]]) -> None:
        if isinstance(node, nodes.Template):
            for assigned in node.find_all((nodes.Assign, nodes.AssignBlock, nodes.With,
                                           nodes.Macro, nodes.CallBlock)):
                if isinstance(assigned, nodes.Macro):
                    self.local.add(assigned.name)          # called by its name
                for name in assigned.find_all(nodes.Name):
                    if name.ctx in ("store", "param"):
                        self.local.add(name.name)
        if isinstance(node, nodes.For):
            shape, label = self.resolve(node.iter, scope)
            item = shape.item if isinstance(shape, ListOf) else _ANY
            inner = dict(scope)
            inner["loop"] = (_ANY, "loop")
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = (item, f"{node.target.name} (an item of {label})")
            else:
                for name in node.target.find_all(nodes.Name):
                    inner[name.name] = (_ANY, name.name)
            if node.test is not None:
                self.resolve(node.test, inner)
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            return
        if isinstance(node, nodes.Expr):
            self.resolve(node, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def resolve(self, node: nodes.Node, scope: dict) -> tuple[Schema, str]:
        """The shape of an expression (or _ANY), reporting unknown names on the way."""
        if isinstance(node, nodes.Name):
            return self._name(node, scope)
        if isinstance(node, nodes.Getattr):
            return self._field(self.resolve(node.node, scope), node.attr, node.lineno)
        if isinstance(node, nodes.Getitem):
            base = self.resolve(node.node, scope)
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return self._field(base, arg.value, node.lineno)
            self.resolve(arg, scope)
            if isinstance(arg, nodes.Const) and isinstance(base[0], ListOf):
                return base[0].item, f"{base[1]}[{arg.value}]"
            return _ANY, ""
        if isinstance(node, nodes.Filter):
            return self._filter(node, scope)
        if isinstance(node, nodes.Call):
            # a method call (x.items()) is not a field: check only what it is called on
            target = node.node.node if isinstance(node.node, nodes.Getattr) else node.node
            self.resolve(target, scope)
            for child in [*node.args, *[k.value for k in node.kwargs]]:
                self.resolve(child, scope)
            return _ANY, ""
        if isinstance(node, nodes.Compare):
            self._compare(node, scope)
            return LEAF, ""
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.resolve(child, scope)
            else:
                self.visit(child, scope)
        return _ANY, ""

    def _name(self, node: nodes.Name, scope: dict) -> tuple[Schema, str]:
        name = node.name
        if node.ctx != "load":
            return _ANY, name
        if name in scope:
            return scope[name]
        if name in self.schema:
            return self.schema[name], name
        if name in self.local or name in self.globals:
            return _ANY, name
        self.report(node.lineno, f"unknown variable '{name}'",
                    _did_you_mean(name, self.schema, f"variables (see {README})"))
        return _ANY, name

    def _field(self, base: tuple[Schema, str], attr: str, line: int) -> tuple[Schema, str]:
        shape, label = base
        if not isinstance(shape, dict):
            return _ANY, ""
        if attr in shape:
            return shape[attr], f"{label}.{attr}"
        short = label.split(" ")[0]
        fields = ", ".join(shape)
        close = nearest(attr, shape, cutoff=0.6)
        fix = (f"did you mean {short}.{close[0]}? " if close else "") + \
            f"{label} has: {fields}"
        self.report(line, f"unknown variable '{short}.{attr}'", fix)
        return _ANY, ""

    def _filter(self, node: nodes.Filter, scope: dict) -> tuple[Schema, str]:
        base = self.resolve(node.node, scope) if node.node is not None else (_ANY, "")
        for child in [*node.args, *[k.value for k in node.kwargs]]:
            self.resolve(child, scope)
        shape, label = base
        if node.name in _ATTR_ARG_FILTERS and isinstance(shape, ListOf) \
                and isinstance(shape.item, dict):
            attrs = [k.value for k in node.kwargs if k.key == "attribute"]
            if node.name in ("join_names", "selectattr", "rejectattr") and node.args:
                attrs.append(node.args[0])
            for attr in attrs:
                if isinstance(attr, nodes.Const) and isinstance(attr.value, str) \
                        and attr.value.split(".")[0] not in shape.item:
                    name = attr.value.split(".")[0]
                    close = nearest(name, shape.item, cutoff=0.6)
                    self.report(node.lineno, f"the items of {label} have no field {name!r} "
                                f"(in the {node.name} filter)",
                                (f"did you mean {close[0]!r}? " if close else "")
                                + f"each item has: {', '.join(shape.item)}")
        if node.name in _LIST_FILTERS and isinstance(shape, ListOf):
            return base
        if node.name in _ITEM_FILTERS and isinstance(shape, ListOf):
            return shape.item, f"an item of {label}"
        return _ANY, ""

    def _compare(self, node: nodes.Compare, scope: dict) -> None:
        self.resolve(node.expr, scope)
        for operand in node.ops:
            self.resolve(operand.expr, scope)
            if (operand.op in ("in", "notin") and isinstance(node.expr, nodes.Const)
                    and isinstance(node.expr.value, str) and self.hazards
                    and isinstance(operand.expr, nodes.Name) and operand.expr.name == "hazards"
                    and "hazards" not in scope and node.expr.value not in self.hazards):
                self.report(node.lineno, f"unknown hazard key {node.expr.value!r}",
                            _did_you_mean(node.expr.value, self.hazards,
                                          "keys in hazards.yaml"))


# --------------------------------------------------------------------------- the library


def _data_doc(path: Path) -> YamlDoc | None:
    try:
        return load_yaml(path)
    except InputError:
        return None  # reported by load_library


def _check_coverage(lib: Library, covered: set[int], switched: set[str],
                    found: Collector, practices: set[str] | None = None) -> None:
    if lib.elements:
        doc = _data_doc(lib.root / "elements.yaml")
        for i, element in enumerate(lib.elements):
            if element.number not in covered and doc is not None:
                found.extend([doc.problem((i, "number"), f"no policy covers element "
                                          f"{element.number} ({element.title})",
                                          f"write a policy with element: {element.number}")])
        _duplicates([e.number for e in lib.elements], doc, "number", "element number", found)
    if lib.hazards:
        doc = _data_doc(lib.root / "hazards.yaml")
        for i, hazard in enumerate(lib.hazards):
            if hazard.key not in switched and doc is not None:
                found.extend([doc.problem((i, "key"), f"hazard {hazard.key!r} switches on no "
                                          "policy", "name it in the applies: hazards of the "
                                          "policy that covers it, or remove the key")])
            elif practices is not None and hazard.key not in practices and doc is not None:
                elements = ", ".join(str(e) for e in lib.rules.practice_elements)
                found.extend([doc.problem((i, "key"), f"hazard {hazard.key!r} switches on no "
                                          f"safe work practice (element {elements})",
                                          "write the practice for it and name the key in "
                                          "its applies: hazards")])
        _duplicates([h.key for h in lib.hazards], doc, "key", "hazard key", found)


_PART = re.compile(r"\bPart (\d+) \(([^)]*)\)")


def _check_part_titles(lib: Library, files: list[Path], found: Collector) -> None:
    """Every 'Part N (Title)' a policy cites is the Regulations' own Part and title."""
    parts = lib.rules.regulation_parts if lib.rules else {}
    if not parts:
        return
    for path in files:
        try:
            lines = read_text(path).splitlines()
        except InputError:
            continue                                    # reported with the policy
        for n, line in enumerate(lines, 1):
            for match in _PART.finditer(line):
                number, title = int(match.group(1)), " ".join(match.group(2).split())
                if number not in parts:
                    found.add(path, f"'Part {number}' is not a Part of the Workplace Health "
                              f"and Safety Regulations", line=n,
                              fix=f"they have Parts {min(parts)} to {max(parts)}")
                elif title != parts[number]:
                    found.add(path, f"'Part {number} ({title})': the Regulations call it "
                              f"Part {number} ({parts[number]})", line=n,
                              fix=f"write Part {number} ({parts[number]})")


def _term_pattern(terms) -> re.Pattern:
    """One pattern for every term (a plural allowed), as whole words; `group(1)` is the
    term matched. Longest first, so 'bear spray' wins over 'bear'."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"\b(" + alternatives + r")(?:s|es)?(?!\w)", re.IGNORECASE)


def _check_hazard_terms(lib: Library, found: Collector) -> None:
    """A policy every company gets says a hazard's words only inside a condition on it:
    rendered for a probe company with no hazards, and with each hazard alone, it may show
    a term only when the company has one of the hazards that list the term."""
    owners: dict[str, set[str]] = {}
    for hazard in lib.hazards:
        for term in hazard.terms:
            owners.setdefault(term, set()).add(hazard.key)
    if not owners or lib.rules is None:
        return
    pattern = _term_pattern(owners)
    by_lower = {t.lower(): t for t in owners}
    labels = {h.key: h.label for h in lib.hazards}
    env = policy_environment()
    variants = [[], *[[h.key] for h in lib.hazards]]
    contexts = [(v, probe_context(lib.rules, lib.info, labels=labels, hazards=v,
                                  hazard_terms=lib.hazards)) for v in variants]
    for policy in lib.policies:
        if policy.header.applies != "always":
            continue
        try:
            template = env.from_string(policy.body)
        except Exception:  # noqa: BLE001 - a broken template is reported by its own check
            continue
        said: dict[str, list[str]] = {}
        for hazards, context in contexts:
            try:
                text = template.render(context)
            except Exception:  # noqa: BLE001 - reported by the render check
                break
            parts = {f"part {n} (" for n in context.get("parts", ())}
            for match in pattern.finditer(text):
                term = by_lower[match.group(1).lower()]
                if term.lower().startswith(tuple(parts)):
                    continue             # a Part the company's trades or hazards bring in
                if not owners[term] & set(hazards):
                    said.setdefault(term, hazards)
        body_lines = policy.body.splitlines()
        for term, hazards in said.items():
            line = next((policy.body_line + i for i, text in enumerate(body_lines)
                         if any(m.group(1).lower() == term.lower()
                                for m in pattern.finditer(text))), None)
            keys = sorted(owners[term])
            who = "a company with no hazards" if not hazards else \
                f"a company whose only hazard is {hazards[0]}"
            found.add(policy.path, f"says {term!r}, a word of the hazard "
                      f"{' or '.join(keys)}, in text {who} gets", line=line,
                      fix="put it inside {% if '" + keys[0] + "' in hazards %} ... "
                          "{% endif %}, or word it for every company")


def _duplicates(values: list, doc: YamlDoc | None, key: str, what: str,
                found: Collector) -> None:
    if doc is None:
        return
    for i, value in enumerate(values):
        if value in values[:i]:
            found.extend([doc.problem((i, key), f"{what} {value!r} is listed twice",
                                      "list each one once")])


def _check_forms(lib: Library, known: Known, found: Collector) -> None:
    if not lib.forms:
        return
    doc = _data_doc(lib.forms_dir / FORMS_INDEX)
    if doc is None:
        return
    _duplicates([f.id for f in lib.forms], doc, "id", "form id", found)
    try:
        from manualgen.forms.check import check_template, form_variables
    except ImportError:  # pragma: no cover - the forms module is part of the package
        check_template = form_variables = None  # type: ignore[assignment]
    variables = form_variables() if form_variables else None
    for i, form in enumerate(lib.forms):
        if known.elements and form.element not in known.elements:
            found.extend([doc.problem((i, "element"), f"there is no audit element "
                                      f"{form.element}", "use a number from elements.yaml")])
        _check_form_fields(doc, i, form.id, form.fields, found)
        if form.template is None:       # made from its definition (checked when loaded)
            continue
        template = lib.forms_dir / form.template
        if not inside(lib.forms_dir, template):
            found.extend([doc.problem((i, "template"), f"{form.template!r} is outside "
                                      "form_templates", "put the template in form_templates")])
        elif template.suffix.lower() != ".docx":
            found.extend([doc.problem((i, "template"), f"{form.template!r} is not a Word "
                                      ".docx file", "save the form in Word as .docx")])
        elif not template.is_file():
            found.extend([doc.problem((i, "template"), f"template {form.template!r} not "
                                      "found", "add the file to form_templates or fix the "
                                      "name")])
        elif check_template is not None:
            found.extend(check_template(template, variables))


def _check_form_fields(doc: YamlDoc, i: int, form_id: str, fields: str | None,
                       found: Collector) -> None:
    """Every form has its definition (the phone form, the blank Word form of a form
    without a template of its own, the records it feeds). The file's own problems were
    found when the library loaded (`inputs.library.form_fields`)."""
    if fields is None:
        found.extend([doc.problem((i, "id"), f"the form {form_id!r} has no definition of its "
                                  "fields (the phone form and the records it feeds)",
                                  f"write form_templates/fields/{form_id}.yaml from the Word "
                                  f"form and add fields: fields/{form_id}.yaml to its entry")])


_VERSION_HEADING = re.compile(r"^#+\s*\[?v?(?P<version>[^\]\s]+)")


def _check_changelog(lib: Library, found: Collector) -> None:
    if lib.info is None:
        return
    path = lib.root / "CHANGELOG.md"
    if not path.is_file():
        found.add(path, "the library has no CHANGELOG.md",
                  fix=f"add one with a '## {lib.info.version}' section saying what changed")
        return
    versions = {m.group("version") for line in read_text(path).splitlines()
                if (m := _VERSION_HEADING.match(line))}
    if lib.info.version not in versions:
        doc = _data_doc(lib.root / "library.yaml")
        line = doc.line(("version",)) if doc else None
        found.add(lib.root / "library.yaml", f"CHANGELOG.md has no entry for version "
                  f"{lib.info.version}", line=line, field="version",
                  fix=f"add a '## {lib.info.version}' section to CHANGELOG.md saying what "
                      "changed")
