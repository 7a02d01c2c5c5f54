"""Library changes under the company's own versions: found, shown, never merged.

A company version records the library revision it started from (`based_on`) and, when
manualgen made it, keeps that library file in `policies/.base/`. When NSNY's library
moves on, the company's text stays in the manual as it is, and the company is told what
changed in the library's version, rendered with its own values so it reads as the
manual would, to decide whether to take the change into its own text.
"""

from __future__ import annotations

from dataclasses import dataclass

from manualgen.errors import InputError, Problem
from manualgen.inputs.company_policies import BasedOn, OwnPolicy
from manualgen.inputs.library.model import Policy
from manualgen.inputs.pipeline import Inputs
from manualgen.library.diff import header_changes, text_diff
from manualgen.render.jinja import policy_environment, render_text


@dataclass(frozen=True)
class LibraryUpdate:
    """The library changed the policy one of the company's versions replaces."""

    own: OwnPolicy
    based_on: BasedOn
    version: str                 # the library's version now
    revision: int                # the policy's revision now
    diff: list[str]              # readable lines (library.diff.text_diff)
    from_base: bool              # True: the library's old text against its new text

    @property
    def title(self) -> str:
        return self.own.title

    def message(self) -> str:
        was = f"revision {self.based_on.revision} of library {self.based_on.library}"
        now = f"revision {self.revision} in {self.version}"
        return (f"{self.title}: the library's policy changed since your company version "
                f"was made from it ({was}; now {now}); your version is used unchanged")

    def explain(self) -> list[str]:
        """The message, what the diff compares, and the diff."""
        what = ("What changed in the library's text (as it reads for your company):"
                if self.from_base else
                "No copy of the library text your version came from was kept, so this "
                "compares your version with the library's text now:")
        return [self.message(), what, *["  " + line for line in self.diff]]

    def problem(self) -> Problem:
        doc = self.own.policy.doc
        pid = self.own.id
        return doc.problem(("based_on",), self.message().split(": ", 1)[1],
                           f"review the change (`manualgen policy list --diff`), change "
                           f"policies/{pid}.md if you want it, then run `manualgen policy "
                           f"accept COMPANY.yaml {pid}`", "warning")

    def as_dict(self) -> dict:
        return {"id": self.own.id, "title": self.title,
                "based_on": self.based_on.model_dump(), "library_version": self.version,
                "revision": self.revision, "compares": "library" if self.from_base
                else "company version", "diff": self.diff}


def readable(policy: Policy, inputs: Inputs) -> str:
    """A policy's text as it reads for this company (its source if it does not render)."""
    try:
        text = render_text(policy_environment(), policy.body, inputs.context, policy.path,
                           policy.body_line - 1)
    except InputError:
        text = policy.body
    laws = policy.header.legislation_for(list(inputs.hazards))
    head = [f"Title: {policy.title}"] + ([f"Legislation: {'; '.join(laws)}"] if laws else [])
    return "\n".join(head) + "\n" + text


def _same(a: Policy, b: Policy) -> bool:
    return a.body == b.body and not header_changes(a, b)


def library_updates(inputs: Inputs) -> list[LibraryUpdate]:
    """Every company version whose library policy changed since it was made."""
    out = []
    version = inputs.library.info.version
    for own in inputs.own.own:
        current, based = own.library_policy, own.header.based_on
        if current is None or based is None:
            continue
        base = own.base
        if base is not None and base.header.revision == based.revision:
            if _same(base, current):
                continue
            diff = text_diff(readable(base, inputs), readable(current, inputs))
            out.append(LibraryUpdate(own, based, version, current.header.revision, diff,
                                     True))
        elif current.header.revision != based.revision:
            diff = text_diff(readable(own.policy, inputs), readable(current, inputs))
            out.append(LibraryUpdate(own, based, version, current.header.revision, diff,
                                     False))
    return out
