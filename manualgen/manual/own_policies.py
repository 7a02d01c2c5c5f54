"""`manualgen policy`: the company's own policies listed, started from the library, and
brought up to a new library revision once the company has reviewed it.

Starting a version from the library's file (not from the manual's text) keeps its
variables, so the version still follows the profile (a new supervisor's name); the
library's file is kept in `policies/.base/` so a later library change can be shown.
Accepting a library change only moves `based_on` (and that copy): the company's text
stays as the company wrote it. Results are files as bytes; writing is the caller's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from manualgen.errors import Problem, Severity, UsageError, fail, nearest
from manualgen.inputs.company_policies import BASE_DIR, KIND_LABELS, POLICIES_DIR, Kind
from manualgen.inputs.pipeline import Inputs
from manualgen.manual.updates import LibraryUpdate, library_updates


@dataclass
class OwnReport:
    """The company's versions, additions and omissions, and the library changes under
    its versions (findings: they wait for the company's review)."""

    company: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    updates: list[LibraryUpdate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    show_diff: bool = False

    @property
    def has_findings(self) -> bool:
        return bool(self.updates)

    def as_text(self) -> str:
        if not self.lines:
            return (f"{self.company} has no policies of its own and leaves none out: the "
                    "manual is the library's.")
        out = [f"{self.company}: {len(self.lines)} change(s) to the library's selection"]
        pending = {u.own.id: u for u in self.updates}
        for line in self.lines:
            text = f"  {line['title']} ({line['id']}): {line['change']}"
            if line.get("detail"):
                text += f" - {line['detail']}"
            out.append(text)
            update = pending.get(line["id"])
            if update is not None:
                out.append(f"    the library changed it since: revision {update.revision} in "
                           f"{update.version}; review it (--diff), then `manualgen policy "
                           f"accept` it")
                if self.show_diff:
                    out += ["    " + x for x in update.explain()[1:]]
        out += [str(p) for p in self.problems]
        return "\n".join(out)

    def as_dict(self) -> dict[str, Any]:
        return {"company": self.company, "policies": self.lines,
                "updates": [u.as_dict() for u in self.updates],
                "problems": [p.as_dict() for p in self.problems]}


def own_report(inputs: Inputs, *, diff: bool = False) -> OwnReport:
    report = OwnReport(inputs.profile.profile.company.name, show_diff=diff)
    present = {p.id for p in inputs.policies}
    for own in inputs.own.own:
        based = own.header.based_on
        if own.kind is Kind.REPLACES and based is not None:
            detail = f"based on revision {based.revision} of library {based.library}"
        else:
            detail = f"element {own.policy.header.element}"
        if own.id not in present:
            detail += "; not in this manual (it does not apply)"
        report.lines.append({"id": own.id, "title": own.title,
                             "change": KIND_LABELS[own.kind].lower(),
                             "detail": f"{detail}; {POLICIES_DIR}/{own.id}.md"})
    for left in inputs.own.left_out:
        report.lines.append({"id": left.id, "title": left.title,
                             "change": KIND_LABELS[Kind.LEAVES_OUT].lower(),
                             "detail": left.reason})
    report.updates = library_updates(inputs)
    report.problems = [p for p in inputs.own.problems if p.severity is Severity.WARNING]
    return report


def _with_line(text: str, line: int, replacement: list[str]) -> str:
    """`text` with file line `line` (and the indented lines under it) replaced."""
    lines = text.split("\n")
    end = line
    while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip():
        end += 1
    return "\n".join(lines[:line - 1] + replacement + lines[end:])


def _based_on(version: str, revision: int) -> str:
    return f'based_on: {{library: "{version}", revision: {revision}}}'


def copy_policy(inputs: Inputs, policy_id: str, *, on: dt.date) -> dict[str, bytes]:
    """The files that start the company's own version of a library policy: its file with
    `based_on` (and revision 1, reviewed `on`), and the copy of the library's file."""
    policy = inputs.library.policy(policy_id)
    folder = inputs.own.folder
    if policy is None:
        close = nearest(policy_id, [p.id for p in inputs.library.policies], cutoff=0.6)
        raise UsageError(f"there is no library policy {policy_id!r}",
                         fix=f"did you mean {' or '.join(close)}?" if close else
                         "`manualgen library list` shows the ids")
    if inputs.own.get(policy_id) is not None or (
            folder is not None and (folder / f"{policy_id}.md").exists()):
        raise fail(f"{POLICIES_DIR}/{policy_id}.md", "the company already has its own "
                   "version of this policy", fix="edit that file")
    source = policy.path.read_text(encoding="utf-8")
    revision_line = policy.doc.line(("revision",))
    reviewed_line = policy.doc.line(("reviewed",))
    text = source
    for line, new in sorted(((revision_line, ["revision: 1",
                                              _based_on(inputs.library.info.version,
                                                        policy.header.revision)]),
                             (reviewed_line, [f"reviewed: {on.isoformat()}"])),
                            key=lambda x: -(x[0] or 0)):
        if line:
            text = _with_line(text, line, new)
    head = (f"# The company's own version of {policy.title!r}, started from the library "
            f"(version {inputs.library.info.version}).\n# Change the text below; keep the "
            "{{ }} values so it follows company.yaml. `manualgen check` checks it.\n")
    text = text.replace("---\n", "---\n" + head, 1)
    return {f"{POLICIES_DIR}/{policy_id}.md": text.encode("utf-8"),
            f"{POLICIES_DIR}/{BASE_DIR}/{policy_id}.md": policy.path.read_bytes()}


def accept_update(inputs: Inputs, policy_id: str) -> dict[str, bytes]:
    """The company reviewed the library's change under its version: `based_on` moves to
    the library's current revision and the base copy to its current file. The company's
    text is not touched."""
    update = next((u for u in library_updates(inputs) if u.own.id == policy_id), None)
    own = inputs.own.get(policy_id)
    if own is None or own.library_policy is None:
        raise fail(f"{POLICIES_DIR}/{policy_id}.md", "is not the company's version of a "
                   "library policy", fix="`manualgen policy list` shows the company's "
                   "versions")
    if update is None:
        raise UsageError(f"{own.policy.path}: the library has not changed this policy since "
                         "your version was made from it; there is nothing to accept")
    library = own.library_policy
    text = own.policy.path.read_text(encoding="utf-8")
    line = own.policy.doc.line(("based_on",))
    assert line is not None                           # an update needs based_on
    text = _with_line(text, line, [_based_on(inputs.library.info.version,
                                             library.header.revision)])
    return {f"{POLICIES_DIR}/{policy_id}.md": text.encode("utf-8"),
            f"{POLICIES_DIR}/{BASE_DIR}/{policy_id}.md": library.path.read_bytes()}
