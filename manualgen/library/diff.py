"""`manualgen library diff OLD NEW`: what changed between two library versions, in words.

For NSNY staff before a release: policies added, removed and changed (with the header
fields and the sections that changed, and the changed paragraphs word by word), and,
with `--companies DIR`, which companies' manuals each change reaches, including the
companies that keep their own version of a changed policy and must review it.

The readable diff here (`text_diff`) is also what `manual` shows a company when the
library changed under one of its own versions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from manualgen.errors import InputError
from manualgen.inputs.library.load import Library
from manualgen.inputs.library.model import Policy
from manualgen.inputs.library.select import applies

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
CONTEXT_WORDS = 6            # unchanged words kept either side of a change in a paragraph
PAIR_SIMILARITY = 0.45       # paragraphs at least this alike are shown as one, word by word


# --------------------------------------------------------------------------- text diffs


def word_diff(old: str, new: str, *, context: int = CONTEXT_WORDS) -> str:
    """One paragraph's change as words: [-removed-] {+added+}, long unchanged runs cut."""
    a, b = old.split(), new.split()
    out: list[str] = []
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            words = a[i1:i2]
            first, last = n == 0, n == len(ops) - 1
            keep_head = 0 if first else context
            keep_tail = 0 if last else context
            if len(words) > keep_head + keep_tail + 1:
                head = words[:keep_head]
                tail = words[len(words) - keep_tail:] if keep_tail else []
                out.extend([*head, "...", *tail])
            else:
                out.extend(words)
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _paragraphs(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def text_diff(old: str, new: str) -> list[str]:
    """The changed paragraphs of two Markdown texts, each group under the heading it is
    in: "- removed", "+ added", "~ changed, word by word". Empty when they are the same."""
    a, b = _paragraphs(old), _paragraphs(new)
    out: list[str] = []
    shown: str | None = None

    def heading_before(lines: list[str], index: int) -> str:
        for line in reversed(lines[:index]):
            match = _HEADING.match(line)
            if match:
                return match.group(2)
        return ""

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        where = heading_before(b, j1) if j1 < len(b) or not a else heading_before(a, i1)
        if where != shown:
            out.append(f"In {where}:" if where else "At the start:")
            shown = where
        old_part, new_part = a[i1:i2], b[j1:j2]
        while old_part or new_part:
            if old_part and new_part and difflib.SequenceMatcher(
                    None, old_part[0], new_part[0], autojunk=False).ratio() >= PAIR_SIMILARITY:
                out.append("~ " + word_diff(old_part.pop(0), new_part.pop(0)))
            elif old_part and (not new_part or len(old_part) >= len(new_part)):
                out.append("- " + old_part.pop(0))
            else:
                out.append("+ " + new_part.pop(0))
    return out


class Mark(StrEnum):
    """What a piece of a redline is: kept, added or removed."""

    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Piece:
    mark: Mark
    text: str


@dataclass(frozen=True)
class RedlineParagraph:
    """One paragraph of a redline, whole (a page shows it in its place), in pieces."""

    pieces: tuple[Piece, ...]
    heading: bool = False

    @property
    def changed(self) -> bool:
        return any(p.mark is not Mark.SAME for p in self.pieces)


def _words(old: str, new: str) -> tuple[Piece, ...]:
    a, b = old.split(), new.split()
    out: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Piece(Mark.SAME, " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Piece(Mark.REMOVED, " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(Piece(Mark.ADDED, " ".join(b[j1:j2])))
    return tuple(out)


def redline(old: str, new: str) -> list[RedlineParagraph]:
    """Two Markdown texts as one, paragraph by paragraph: unchanged paragraphs whole,
    similar ones word by word, the rest removed or added whole. What a page shows as
    struck-through and underlined text (the same pairing as `text_diff`)."""
    a, b = _paragraphs(old), _paragraphs(new)
    out: list[RedlineParagraph] = []

    def para(pieces: tuple[Piece, ...], line: str) -> RedlineParagraph:
        heading = _HEADING.match(line)
        if heading:                     # a heading shows its words, not its #s
            pieces = tuple(Piece(p.mark, _HEADING.sub(r"\2", p.text)) for p in pieces)
        return RedlineParagraph(pieces, bool(heading))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [para((Piece(Mark.SAME, line),), line) for line in a[i1:i2]]
            continue
        old_part, new_part = a[i1:i2], b[j1:j2]
        while old_part or new_part:
            if old_part and new_part and difflib.SequenceMatcher(
                    None, old_part[0], new_part[0], autojunk=False).ratio() >= PAIR_SIMILARITY:
                line = new_part.pop(0)
                out.append(para(_words(old_part.pop(0), line), line))
            elif old_part and (not new_part or len(old_part) >= len(new_part)):
                line = old_part.pop(0)
                out.append(para((Piece(Mark.REMOVED, line),), line))
            else:
                line = new_part.pop(0)
                out.append(para((Piece(Mark.ADDED, line),), line))
    return out


def focused(paras: list[RedlineParagraph], context: int = 1) -> list[RedlineParagraph | None]:
    """The changed paragraphs of a redline with `context` paragraphs around each and the
    heading they are under; None where paragraphs were left out."""
    keep: set[int] = set()
    heading = None
    for i, p in enumerate(paras):
        if p.heading:
            heading = i
        if p.changed:
            keep.update(range(max(0, i - context), min(len(paras), i + context + 1)))
            if heading is not None:
                keep.add(heading)
    out: list[RedlineParagraph | None] = []
    for i, p in enumerate(paras):
        if i in keep:
            if (out and out[-1] is not None and i - 1 not in keep) or (not out and i > 0):
                out.append(None)
            out.append(p)
    if out and max(keep) < len(paras) - 1:
        out.append(None)
    return out


def sections(body: str) -> dict[str, str]:
    """A policy body by its `##` sections (text before the first one under "")."""
    out: dict[str, list[str]] = {"": []}
    current = ""
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 2:
            current = match.group(2)
            out.setdefault(current, [])
            continue
        out[current].append(line)
    return {k: "\n".join(v).strip() for k, v in out.items() if k or "\n".join(v).strip()}


# --------------------------------------------------------------------------- policies


def _applies_words(policy: Policy) -> str:
    return policy.describe_applies()


def header_changes(old: Policy, new: Policy) -> list[str]:
    """The header fields that changed, in words ("revision 2 -> 3")."""
    a, b = old.header, new.header
    out = []
    for name in ("title", "element", "order", "revision"):
        if getattr(a, name) != getattr(b, name):
            out.append(f"{name} {getattr(a, name)} -> {getattr(b, name)}")
    if _applies_words(old) != _applies_words(new):
        out.append(f"applies: {_applies_words(old)} -> {_applies_words(new)}")
    for name, before, after in (("forms", a.forms, b.forms),
                                ("legislation", a.legislation_for(), b.legislation_for())):
        added = [x for x in after if x not in before]
        removed = [x for x in before if x not in after]
        if added:
            out.append(f"{name} added: " + "; ".join(added))
        if removed:
            out.append(f"{name} removed: " + "; ".join(removed))
    if a.targets != b.targets:
        out.append(f"targets {a.targets or 'none'} -> {b.targets or 'none'}")
    return out


@dataclass
class PolicyChange:
    id: str
    title: str
    element: int
    kind: str                                   # added, removed, changed, reviewed
    header: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "element": self.element,
                "kind": self.kind, "header": self.header, "sections": self.sections,
                "diff": self.diff}


def compare_policies(old: Policy, new: Policy) -> PolicyChange | None:
    """How one policy changed between two libraries (None: not at all)."""
    header = header_changes(old, new)
    if old.body == new.body and not header:
        return None if old.header.reviewed == new.header.reviewed else \
            PolicyChange(new.id, new.title, new.header.element, "reviewed",
                         [f"reviewed {old.header.reviewed} -> {new.header.reviewed}"])
    a, b = sections(old.body), sections(new.body)
    changed = [name or "(before the first section)" for name in dict.fromkeys([*a, *b])
               if a.get(name) != b.get(name)]
    return PolicyChange(new.id, new.title, new.header.element, "changed", header, changed,
                        text_diff(old.body, new.body))


# --------------------------------------------------------------------------- companies


@dataclass
class Touch:
    id: str
    title: str
    what: str            # in words: "changed", "added: now in the manual", ...


@dataclass
class CompanyImpact:
    path: str
    name: str
    touches: list[Touch] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "company": self.name, "error": self.error,
                "touches": [t.__dict__ for t in self.touches]}


def find_companies(folder: Path) -> list[Path]:
    """Every company.yaml in `folder` or below it (hidden folders skipped), sorted."""
    return sorted(p for p in Path(folder).rglob("company.yaml")
                  if not any(part.startswith(".") for part in p.relative_to(folder).parts))


def company_impact(path: Path, shown: str, old: Library, new: Library,
                   changes: list[PolicyChange]) -> CompanyImpact:
    """Which of `changes` reach the manual of the company at `path`."""
    from manualgen.inputs.company_policies import load_company_policies
    from manualgen.inputs.pipeline import vocabulary
    from manualgen.inputs.profile import load_profile

    try:
        profile = load_profile(path, vocabulary(new))
    except InputError as exc:
        try:
            load_profile(path, vocabulary(old))
            why = "does not load with the new library"
        except InputError:
            why = "cannot be read"
        return CompanyImpact(shown, path.parent.name, error=f"{why}: {exc.problems[0]}")
    p = profile.profile
    before = {x.id for x in old.policies if applies(x, p, old.rules, old.company_hazards(p))}
    after = {x.id for x in new.policies if applies(x, p, new.rules, new.company_hazards(p))}
    own = load_company_policies(profile, new)
    left_out = {x.id for x in own.left_out} | \
        {x.id for x in p.manual.leave_out}
    impact = CompanyImpact(shown, p.company.name)
    for change in changes:
        if change.kind == "reviewed" or change.id in left_out:
            continue
        mine = own.get(change.id)
        if change.kind == "added":
            if change.id in after:
                what = "added: now in the manual"
                if mine is not None:
                    what = "added to the library, with the same id as the company's own policy"
                impact.touches.append(Touch(change.id, change.title, what))
            continue
        if change.kind == "removed":
            if change.id in before:
                what = "removed: no longer in the manual" if mine is None else \
                    "removed from the library: the company's own version stays"
                impact.touches.append(Touch(change.id, change.title, what))
            continue
        if change.id not in before | after:
            continue
        if change.id in after and change.id not in before:
            what = "now applies to the company"
        elif change.id in before and change.id not in after:
            what = "no longer applies to the company"
        elif mine is not None:
            based = mine.header.based_on
            since = f" (based on revision {based.revision})" if based else ""
            what = f"changed; the company keeps its own version{since}: to review"
        else:
            what = "changed: the manual's text changes"
        impact.touches.append(Touch(change.id, change.title, what))
    return impact


# --------------------------------------------------------------------------- the report


@dataclass
class LibraryDiff:
    old: str                       # "name version"
    new: str
    changes: list[PolicyChange]
    companies: list[CompanyImpact] | None = None
    companies_dir: str | None = None

    def of_kind(self, kind: str) -> list[PolicyChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def has_findings(self) -> bool:
        return False                        # a report to read, never a failure

    def as_text(self) -> str:
        lines = [f"Library {self.old} -> {self.new}"]
        for kind, label in (("added", "Added"), ("removed", "Removed"),
                            ("changed", "Changed"), ("reviewed", "Reviewed, text unchanged")):
            found = self.of_kind(kind)
            lines.append(f"{label} ({len(found)})" + (":" if found else ""))
            for c in found:
                detail = "; ".join(c.header + ([f"sections {', '.join(c.sections)}"]
                                               if c.sections else []))
                lines.append(f"  {c.id}: {c.title} (element {c.element})"
                             + (f" - {detail}" if detail else ""))
                lines += ["      " + line for line in c.diff]
        if self.companies is not None:
            lines.append(f"Companies under {self.companies_dir} ({len(self.companies)}):")
            for company in self.companies:
                if company.error:
                    lines.append(f"  {company.path}: {company.error}")
                elif not company.touches:
                    lines.append(f"  {company.path} ({company.name}): not touched")
                else:
                    lines.append(f"  {company.path} ({company.name}): "
                                 f"{len(company.touches)} of its policies")
                    lines += [f"      {t.title} - {t.what}" for t in company.touches]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"old": self.old, "new": self.new,
                               "changes": [c.as_dict() for c in self.changes]}
        if self.companies is not None:
            out["companies"] = [c.as_dict() for c in self.companies]
        return out


def diff_libraries(old: Library, new: Library, *,
                   companies: Path | None = None) -> LibraryDiff:
    """What changed from library `old` to `new`; with `companies`, whom it touches."""
    before = {p.id: p for p in old.policies}
    after = {p.id: p for p in new.policies}
    changes: list[PolicyChange] = []
    for policy in new.policies:
        if policy.id not in before:
            changes.append(PolicyChange(policy.id, policy.title, policy.header.element,
                                        "added"))
        elif (change := compare_policies(before[policy.id], policy)) is not None:
            changes.append(change)
    for policy in old.policies:
        if policy.id not in after:
            changes.append(PolicyChange(policy.id, policy.title, policy.header.element,
                                        "removed"))
    changes.sort(key=lambda c: (c.element, c.id))
    result = LibraryDiff(f"{old.info.name} {old.info.version}",
                         f"{new.info.name} {new.info.version}", changes)
    if companies is not None:
        result.companies_dir = str(companies)
        result.companies = [
            company_impact(path, str(path.relative_to(companies)), old, new, changes)
            for path in find_companies(companies)]
    return result
