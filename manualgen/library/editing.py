"""A policy file taken apart for editing in the browser, and put back together.

NSNY's staff edit a policy section by section (Purpose, Scope, Responsibilities,
Procedure, Records) and its header (title, when it applies, forms, legislation) in
fields, not as Markdown with a YAML header. This module splits a policy file into those
parts and joins them again, keeping every byte the editor did not change: a policy opened
and saved unchanged is the same file, so a draft's redline shows only what was edited.
The checks are the library's own (`lint.check_policy_files`), with each finding placed
beside the part of the form it is about.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from manualgen.errors import InputError, Problem, Severity
from manualgen.inputs.library.load import Library
from manualgen.inputs.profile_yaml import scalar
from manualgen.io import parse_yaml
from manualgen.library.lint import REQUIRED_SECTIONS, check_policy_files

_FRONT = re.compile(r"\A(---[ \t]*\n)(.*?\n)?(---[ \t]*(?:\n|\Z))", re.DOTALL)
_SECTION = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_KEY = re.compile(r"^([A-Za-z_][\w-]*):")
_CONDITION = re.compile(r"\s*\[([^\[\]]*)\]\s*$")

HEADER = "header"          # where a finding in the YAML header is shown
PREAMBLE = "preamble"      # where a finding in the template settings is shown


@dataclass(frozen=True)
class Section:
    """One `##` section: its heading line and the text under it, exactly as written."""

    name: str
    heading: str           # the heading line as in the file, without its newline
    text: str              # every line after the heading up to the next one

    @property
    def shown(self) -> str:
        """The text as the editor shows it: without the blank lines around it."""
        return self.text.strip("\n")


@dataclass(frozen=True)
class HeaderFields:
    """The header as the editor's fields: what NSNY changes in a policy's header.

    `legislation` is one law a line; a law cited only for some companies ends with
    `[only with: mining]`, `[not with: mining]` or both (`[only with: a, b; not with: c]`).
    """

    title: str
    hazards: tuple[str, ...] = ()          # applies when the company lists any of these
    min_employees: int | None = None
    subcontractors: bool | None = None
    safety_rep: bool | None = None
    forms: tuple[str, ...] = ()
    legislation: str = ""

    @property
    def always(self) -> bool:
        return not (self.hazards or self.min_employees is not None or
                    self.subcontractors is not None or self.safety_rep is not None)


@dataclass(frozen=True)
class PolicySource:
    """A policy file in parts. `text()` joins them; `parse(x).text() == x`."""

    opening: str           # "---\n"
    header_text: str       # the YAML between the two --- lines
    closing: str           # "---\n"
    preamble: str          # body text before the first section (template settings)
    sections: tuple[Section, ...]
    path: str = "policy.md"
    header: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, text: str, path: str = "policy.md") -> PolicySource:
        text = text.replace("\r\n", "\n")
        match = _FRONT.match(text)
        if not match:
            raise InputError([Problem(path, line=1, message="no YAML header found",
                                      fix="start the file with a line '---', the header "
                                          "fields, and another '---'")])
        header_text = match.group(2) or ""
        data = parse_yaml(header_text, path, line_offset=1).data
        body = text[match.end():]
        preamble: list[str] = []
        sections: list[tuple[str, str, list[str]]] = []
        fenced = False
        for line in body.splitlines(keepends=True):
            if _FENCE.match(line):
                fenced = not fenced
            heading = None if fenced else _SECTION.match(line.rstrip("\n"))
            if heading:
                sections.append((heading.group(1), line.rstrip("\n"), []))
            elif sections:
                sections[-1][2].append(line)
            else:
                preamble.append(line)
        return cls(match.group(1), header_text, match.group(3), "".join(preamble),
                   tuple(Section(name, head, "".join(lines))
                         for name, head, lines in sections),
                   path, data if isinstance(data, dict) else {})

    def text(self) -> str:
        out = [self.opening, self.header_text, self.closing, self.preamble]
        for s in self.sections:
            out += [s.heading, "\n", s.text]
        return "".join(out)

    # ----------------------------------------------------------------- reading

    @property
    def id(self) -> str:
        return str(self.header.get("id") or Path(self.path).stem)

    @property
    def title(self) -> str:
        return str(self.header.get("title") or self.id)

    @property
    def body(self) -> str:
        """The Markdown template under the header (what the manual renders)."""
        return self.preamble + "".join(f"{s.heading}\n{s.text}" for s in self.sections)

    @property
    def body_line(self) -> int:
        """The file line of the body's first line."""
        return 1 + self.opening.count("\n") + self.header_text.count("\n") + \
            self.closing.count("\n")

    def laws(self) -> list[Law]:
        return _laws(self.header_fields().legislation)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def section_names(self) -> list[str]:
        """The five sections in order, then any other the file has (the check names it)."""
        return [*REQUIRED_SECTIONS,
                *[s.name for s in self.sections if s.name not in REQUIRED_SECTIONS]]

    def header_fields(self) -> HeaderFields:
        h = self.header
        applies = h.get("applies")
        cond = applies if isinstance(applies, dict) else {}
        return HeaderFields(
            title=str(h.get("title") or ""),
            hazards=tuple(str(x) for x in cond.get("hazards") or ()),
            min_employees=cond.get("min_employees"),
            subcontractors=cond.get("subcontractors"),
            safety_rep=cond.get("safety_rep"),
            forms=tuple(str(x) for x in h.get("forms") or ()),
            legislation="\n".join(_law_line(x) for x in h.get("legislation") or ()))

    def where(self, line: int | None) -> str:
        """Which part of the editor a file line is in: HEADER, PREAMBLE or a section."""
        if line is None:
            return HEADER
        first_body = self.body_line
        if line < first_body:
            return HEADER
        at = first_body + self.preamble.count("\n")
        if line < at:
            return PREAMBLE
        for s in self.sections:
            end = at + 1 + s.text.count("\n")
            if line < end:
                return s.name
            at = end
        return self.sections[-1].name if self.sections else PREAMBLE

    # ----------------------------------------------------------------- editing

    def with_sections(self, texts: Mapping[str, str], preamble: str | None = None
                      ) -> PolicySource:
        """The policy with these sections' texts (by name); a section the file lacks is
        added in its place among the five. Unchanged texts keep their bytes."""
        out: list[Section] = []
        given = {name: _clean(text) for name, text in texts.items()}
        for s in self.sections:
            new = given.pop(s.name, None)
            if new is None or new.strip("\n") == s.shown:
                out.append(s)
            else:
                out.append(replace(s, text=_block(new)))
        for name, text in given.items():
            if not text.strip():
                continue
            order = self.section_names()
            index = order.index(name) if name in order else len(order)
            at = next((i for i, s in enumerate(out) if s.name in order and
                       order.index(s.name) > index), len(out))
            out.insert(at, Section(name, f"## {name}", _block(text)))
        if out and out[-1] not in self.sections:         # the file ends with one newline
            out[-1] = replace(out[-1], text=out[-1].text.rstrip("\n") + "\n")
        for i, s in enumerate(out[:-1]):     # a new section after a last one: a blank line
            if not s.text.endswith("\n"):
                out[i] = replace(s, text=s.text + "\n\n")
        pre = self.preamble
        if preamble is not None and _clean(preamble).strip("\n") != pre.strip("\n"):
            pre = _clean(preamble).strip("\n") + "\n" if preamble.strip() else ""
        return replace(self, sections=tuple(out), preamble=pre)

    def with_header(self, fields: HeaderFields) -> PolicySource:
        """The policy with these header fields; the other header lines keep their bytes."""
        now = self.header_fields()
        blocks = _blocks(self.header_text)
        changed: dict[str, str | None] = {}
        if fields.title != now.title:
            changed["title"] = f"title: {scalar(fields.title)}\n"
        if (fields.hazards, fields.min_employees, fields.subcontractors,
                fields.safety_rep) != (now.hazards, now.min_employees, now.subcontractors,
                                       now.safety_rep):
            changed["applies"] = f"applies: {_applies(fields)}\n"
        if fields.forms != now.forms:
            names = ", ".join(scalar(f, flow=True) for f in fields.forms)
            changed["forms"] = f"forms: [{names}]\n" if fields.forms else None
        if _laws(fields.legislation) != _laws(now.legislation):
            laws = _laws(fields.legislation)
            changed["legislation"] = ("legislation:\n" + "".join(
                f"  - {_law_yaml(law)}\n" for law in laws)) if laws else None
        if not changed:
            return self
        out: list[str] = []
        for key, text in blocks:
            if key in changed:
                new = changed.pop(key)
                if new is not None:
                    out.append(new)
            else:
                out.append(text)
        after = {"title": "id", "applies": "order", "forms": "applies",
                 "legislation": "procedures"}
        for key, new in changed.items():               # keys the header did not have
            if new is None:
                continue
            keys = [k for k, _ in blocks]
            anchor = next((k for k in (after[key], "applies", "element", "title")
                           if k in keys), None)
            at = len(out) if anchor is None else keys.index(anchor) + 1
            out.insert(min(at, len(out)), new)
            blocks.insert(min(at, len(blocks)), (key, new))
        header_text = "".join(out)
        data = parse_yaml(header_text, self.path, line_offset=1).data
        return replace(self, header_text=header_text,
                       header=data if isinstance(data, dict) else {})


def _clean(text: str) -> str:
    """A textarea's text: browsers send CRLF; tabs and trailing spaces are kept."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _block(text: str) -> str:
    """A section's text as written under its heading: one blank line, the text, a blank
    line before the next heading."""
    return "\n" + text.strip("\n") + "\n\n"


def _blocks(header_text: str) -> list[tuple[str, str]]:
    """The header's top-level keys, each with its lines (continuations included)."""
    out: list[tuple[str, str]] = []
    for line in header_text.splitlines(keepends=True):
        match = _KEY.match(line)
        if match or not out:
            out.append((match.group(1) if match else "", line))
        else:
            key, text = out[-1]
            out[-1] = (key, text + line)
    return out


def _applies(f: HeaderFields) -> str:
    if f.always:
        return "always"
    parts = []
    if f.hazards:
        parts.append(f"hazards: [{', '.join(scalar(h, flow=True) for h in f.hazards)}]")
    for key in ("min_employees", "subcontractors", "safety_rep"):
        value = getattr(f, key)
        if value is not None:
            parts.append(f"{key}: {scalar(value)}")
    return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True)
class Law:
    """One legislation entry; with `hazards` or `unless`, cited only for some companies."""

    text: str
    hazards: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()

    def applies(self, hazards: list[str]) -> bool:
        have = set(hazards)
        return (not self.hazards or bool(have & set(self.hazards))) and \
            not have & set(self.unless)


def _law_line(item: Any) -> str:
    if isinstance(item, dict):
        parts = []
        if item.get("hazards"):
            parts.append("only with: " + ", ".join(item["hazards"]))
        if item.get("unless"):
            parts.append("not with: " + ", ".join(item["unless"]))
        return str(item.get("text", "")) + (f" [{'; '.join(parts)}]" if parts else "")
    return str(item)


def _laws(text: str) -> list[Law]:
    """The legislation lines as laws: `Text [only with: a, b; not with: c]`."""
    out = []
    for line in _clean(text).splitlines():
        line = line.strip().lstrip("-").strip()
        if not line:
            continue
        hazards: tuple[str, ...] = ()
        unless: tuple[str, ...] = ()
        match = _CONDITION.search(line)
        if match and re.search(r"\b(only|not) with\s*:", match.group(1)):
            line = line[:match.start()].rstrip()
            for part in match.group(1).split(";"):
                kind, _, keys = part.partition(":")
                names = tuple(k.strip() for k in keys.split(",") if k.strip())
                if "only" in kind:
                    hazards += names
                elif "not" in kind:
                    unless += names
        out.append(Law(line, hazards, unless))
    return out


def _law_yaml(law: Law) -> str:
    if not (law.hazards or law.unless):
        return scalar(law.text)
    parts = [f"text: {scalar(law.text, flow=True)}"]
    if law.hazards:
        parts.append(f"hazards: [{', '.join(law.hazards)}]")
    if law.unless:
        parts.append(f"unless: [{', '.join(law.unless)}]")
    return "{" + ", ".join(parts) + "}"


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Finding:
    """A check's problem placed in the editor: the part it is about, and the line of
    that part (1 = its first line), or None for the header as a whole."""

    part: str
    line: int | None
    problem: Problem

    @property
    def error(self) -> bool:
        return self.problem.severity is Severity.ERROR


def check_draft(source: PolicySource, library: Library, *, on: dt.date,
                context: dict[str, Any] | None = None) -> list[Finding]:
    """The library's checks on a draft of one policy, each finding placed beside the
    part of the form it is about. `context`: also render it for that company."""
    text = source.text()
    with tempfile.TemporaryDirectory(prefix="manualgen-draft-") as tmp:
        path = Path(tmp) / Path(source.path).name
        path.write_text(text, encoding="utf-8")
        problems = check_policy_files([path], library, on=on, context=context)
    shown = source.path
    out = []
    for p in problems:
        part = source.where(p.line)
        out.append(Finding(part, _part_line(source, part, p.line),
                           replace(p, path=shown if p.path == str(path) else p.path)))
    return out


def _part_line(source: PolicySource, part: str, line: int | None) -> int | None:
    if line is None or part == HEADER:
        return line
    first = source.body_line
    if part == PREAMBLE:
        return line - first + 1
    at = first + source.preamble.count("\n")
    for s in source.sections:
        if s.name == part:
            skipped = len(s.text) - len(s.text.lstrip("\n"))
            return max(line - at - skipped, 1)
        at += 1 + s.text.count("\n")
    return None
