"""What a new library version changes in one company's manual, as the company reads it.

When NSNY publishes a library version, each company is told what it changes in *its*
manual: the policies of its last recorded revision whose library text was revised, each
as a redline of the section as it reads for the company (its names and values filled
in); the policies the library no longer has; and, for a policy the company keeps its own
version of, the three-way notice `manual/updates.py` makes (its text stays until it
decides). A revision of a policy that changes nothing in this company's text (a sentence
for another trade) is not news to it.

Computed from the company's revision record and the library now, so it is true whatever
way the library arrived (published in the portal, or pulled from NSNY's repository).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.revisions import RevisionRecord
from manualgen.library.diff import RedlineParagraph, focused, redline
from manualgen.manual.build import render_policies
from manualgen.manual.updates import LibraryUpdate, library_updates, readable
from manualgen.render.jinja import join_names, long_date


class NewsKind(StrEnum):
    REVISED = "revised"      # a library policy of the manual was revised
    REMOVED = "removed"      # a policy of the manual is no longer in the library
    OWN = "own"              # the library revised a policy the company keeps its own of


@dataclass(frozen=True)
class PolicyNews:
    kind: NewsKind
    id: str
    title: str
    was: int | None = None            # the library revision in the manual
    now: int | None = None            # the library revision now
    # the section as it will read (REVISED, REMOVED), or what the library changed under
    # the company's own version (OWN); only the changes with a paragraph around each and
    # their headings, None where paragraphs are left out
    lines: list[RedlineParagraph | None] = field(default_factory=list)
    update: LibraryUpdate | None = None                            # OWN


@dataclass(frozen=True)
class LibraryNews:
    """The news for one company: empty when its manual is on the library of today."""

    version: str                       # the library's version now
    manual_version: str | None         # the version its last recorded revision was built on
    revision: int | None               # that revision's number
    items: list[PolicyNews] = field(default_factory=list)

    @property
    def rebuild(self) -> list[PolicyNews]:
        """What taking the new version changes in the manual (its own versions aside)."""
        return [n for n in self.items if n.kind is not NewsKind.OWN]

    @property
    def own(self) -> list[PolicyNews]:
        return [n for n in self.items if n.kind is NewsKind.OWN]

    def headline(self) -> str:
        """One line, as the revision history will say it: "Library 2026.3: Working Alone
        revised"."""
        revised = [n.title for n in self.items if n.kind is NewsKind.REVISED]
        removed = [n.title for n in self.items if n.kind is NewsKind.REMOVED]
        parts = []
        if revised:
            parts.append(f"{join_names(revised)} revised")
        if removed:
            parts.append(f"{join_names(removed)} no longer in the library")
        return f"Library {self.version}: " + "; ".join(parts) if parts else ""


def library_news(inputs: Inputs, record: RevisionRecord | None) -> LibraryNews:
    """What the library of `inputs` changes in the manual `record` holds (the company's
    last recorded revision), plus its own versions whose library text moved on."""
    version = inputs.library.info.version
    news = LibraryNews(version, record.library.version if record else None,
                       record.revision if record else None)
    if record is not None and record.library.version != version:
        issued_then = long_date(record.issued)
        issued_now = long_date(inputs.profile.profile.manual.issued)
        now = {r.policy.id: r for r in render_policies(inputs)}
        for p in record.policies:
            if p.source != "library":
                continue
            current = inputs.library.policy(p.id)
            if current is None:
                news.items.append(PolicyNews(NewsKind.REMOVED, p.id, p.title,
                                             p.library_revision, None,
                                             focused(redline(p.text, ""))))
                continue
            rendered = now.get(p.id)
            if rendered is None or current.header.revision == p.library_revision:
                continue
            if p.text.replace(issued_then, "") == rendered.markdown.replace(issued_now, ""):
                continue                 # revised where it says nothing of this company
            news.items.append(PolicyNews(NewsKind.REVISED, p.id, current.title,
                                         p.library_revision, current.header.revision,
                                         focused(redline(p.text, rendered.markdown))))
    for update in library_updates(inputs):
        own, current = update.own, update.own.library_policy
        before = own.base if update.from_base else own.policy
        lines = focused(redline(readable(before, inputs), readable(current, inputs))) \
            if before is not None and current is not None else []
        news.items.append(PolicyNews(NewsKind.OWN, own.id, update.title,
                                     update.based_on.revision, update.revision, lines,
                                     update=update))
    return news
