"""What changed between two revisions of a company's manual, said in words.

A build leaves a `RevisionRecord` (made here from the rendered policies and the
contents); comparing the record of the previous revision with this build gives the
revision history its own sentence: "Added Wildlife Encounters; changed Working Alone;
new in the equipment inventory: TRK-03 (2024 crew truck)". The redline reads the same
records for the text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.revisions import (
    FactHazard,
    FactPerson,
    Facts,
    FactSite,
    FactUnit,
    LibraryRef,
    RecordEntry,
    RecordLeftOut,
    RecordPolicy,
    RevisionRecord,
)
from manualgen.render.jinja import join_names, long_date

if TYPE_CHECKING:
    from manualgen.manual.compose import RenderedPolicy, TocEntry


ISSUED = "\x00issued\x00"


def policy_hash(title: str, legislation: list[str], text: str, issued: str = "") -> str:
    """The content hash that says whether a policy changed. The manual's issue date, which
    a policy may quote ("signed on November 26, 2026"), does not count as a change: it
    changes with every revision and the cover says it."""
    if issued:
        text = text.replace(issued, ISSUED)
    data = "\x1f".join([title, *legislation, text]).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def record_policies(inputs: Inputs, rendered: list[RenderedPolicy]) -> list[RecordPolicy]:
    """Each policy of this build as a record holds it: where it came from, its text."""
    hazards = list(inputs.hazards)
    issued = long_date(inputs.profile.profile.manual.issued)
    out = []
    for r in rendered:
        header = r.policy.header
        own = inputs.own.get(r.policy.id)
        if own is None:
            source, library_revision = "library", header.revision
        else:
            based = own.header.based_on
            source = "company"
            library_revision = based.revision if own.library_policy and based else None
        laws = header.legislation_for(hazards)
        out.append(RecordPolicy(id=r.policy.id, title=header.title, element=header.element,
                                source=source, library_revision=library_revision,
                                legislation=laws, text=r.markdown,
                                hash=policy_hash(header.title, laws, r.markdown, issued)))
    return out


def record_facts(inputs: Inputs) -> Facts:
    p = inputs.profile.profile
    lib = inputs.library
    return Facts(
        hazards=[FactHazard(key=k, label=lib.hazard_label(k)) for k in p.hazards],
        equipment=[FactUnit(id=e.id, description=e.description, interval=e.interval)
                   for e in p.equipment],
        people=[FactPerson(name=x.name, position=x.position, roles=list(x.roles))
                for x in p.people],
        worksites=[FactSite(name=w.name, kind=w.kind, address=w.address)
                   for w in p.worksites])


def make_record(inputs: Inputs, rendered: list[RenderedPolicy],
                contents: list[TocEntry] | None = None) -> RevisionRecord:
    """The record of this build, for the company folder's `revisions/`."""
    p = inputs.profile.profile
    return RevisionRecord(
        revision=p.manual.revision, issued=p.manual.issued, company=p.company.name,
        library=LibraryRef(name=inputs.library.info.name,
                           version=inputs.library.info.version),
        policies=record_policies(inputs, rendered),
        left_out=[RecordLeftOut(id=x.id, title=x.title, reason=x.reason)
                  for x in inputs.own.left_out],
        contents=[RecordEntry(bookmark=e.bookmark, level=e.level, title=e.text, key=e.key)
                  for e in contents or []],
        facts=record_facts(inputs))


# --------------------------------------------------------------------------- comparing


def _and(items: list[str]) -> str:
    return join_names(items)


@dataclass
class Changes:
    """What changed from revision `since` to `to`, by kind, in manual order."""

    since: int
    to: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    library: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.left_out or
                    self.facts or self.library)

    def phrases(self) -> list[str]:
        out = [self.library] if self.library else []   # the library's news says why
        for verb, titles in (("added", self.added), ("changed", self.changed),
                             ("removed", self.removed), ("left out", self.left_out)):
            if titles:
                out.append(f"{verb} {_and(titles)}")
        out += self.facts
        return out

    def summary(self) -> str:
        """One sentence for the revision history ("" when nothing changed)."""
        phrases = self.phrases()
        if not phrases:
            return f"No change to the policies or the company's details since revision " \
                   f"{self.since}."
        text = "; ".join(phrases)
        return text[0].upper() + text[1:] + "."


def _keyed(old: list, new: list, key) -> tuple[list, list, list]:
    """Items added, items removed, and keys of items changed between two lists."""
    before = {key(x): x for x in old}
    after = {key(x): x for x in new}
    return ([x for k, x in after.items() if k not in before],
            [x for k, x in before.items() if k not in after],
            [k for k, x in after.items() if k in before and before[k] != x])


def _say(out: list[str], items: list[str], one: str, many: str | None = None) -> None:
    if items:
        out.append((many if many and len(items) > 1 else one) + _and(items))


def _fact_changes(old: Facts, new: Facts) -> list[str]:
    out: list[str] = []
    added, gone, _ = _keyed(old.hazards, new.hazards, lambda h: h.key)
    _say(out, [h.label for h in added], "new hazard: ", "new hazards: ")
    _say(out, [h.label for h in gone], "hazard no longer listed: ",
         "hazards no longer listed: ")
    added, gone, changed = _keyed(old.equipment, new.equipment, lambda u: u.id)
    _say(out, [f"{u.id} ({u.description})" for u in added],
         "new in the equipment inventory: ")
    _say(out, [f"{u.id} ({u.description})" for u in gone], "out of the equipment inventory: ")
    _say(out, changed, "equipment details changed: ")
    added, gone, changed = _keyed(old.people, new.people, lambda x: x.name)
    _say(out, [f"{x.name} ({x.position})" for x in added], "new people: ")
    _say(out, [x.name for x in gone], "no longer with the company: ")
    _say(out, changed, "new position or roles: ")
    added, gone, _ = _keyed(old.worksites, new.worksites, lambda s: s.name)
    _say(out, [s.name for s in added], "new worksite: ", "new worksites: ")
    _say(out, [s.name for s in gone], "worksite no longer listed: ",
         "worksites no longer listed: ")
    return out


def same_policy(a: RecordPolicy, a_issued: dt.date, b: RecordPolicy,
                b_issued: dt.date) -> bool:
    """Two records of a policy say the same, the manuals' own issue dates aside."""
    return a.hash == b.hash or policy_hash(a.title, a.legislation, a.text,
                                           long_date(a_issued)) == \
        policy_hash(b.title, b.legislation, b.text, long_date(b_issued))


def compare_records(old: RevisionRecord, new: RevisionRecord) -> Changes:
    """What changed from the manual recorded in `old` to the one in `new`."""
    changes = Changes(old.revision, new.revision)
    before = {p.id: p for p in old.policies}
    after = {p.id: p for p in new.policies}
    now_left_out = {x.id for x in new.left_out}
    was_left_out = {x.id for x in old.left_out}
    for p in new.policies:
        if p.id not in before:
            changes.added.append(p.title)
        elif not same_policy(before[p.id], old.issued, p, new.issued):
            changes.changed.append(p.title)
    for p in old.policies:
        if p.id in after:
            continue
        if p.id in now_left_out and p.id not in was_left_out:
            changes.left_out.append(p.title)
        else:
            changes.removed.append(p.title)
    changes.facts = _fact_changes(old.facts, new.facts)
    if old.library.version != new.library.version:
        revised = [p.title for p in new.policies if p.title in changes.changed and
                   p.source == "library" and before[p.id].source == "library" and
                   before[p.id].library_revision != p.library_revision]
        if revised:       # "Library 2026.3: Working Alone revised", as NSNY announced it
            changes.changed = [t for t in changes.changed if t not in revised]
            changes.library = f"library {new.library.version}: {_and(revised)} revised"
        else:
            changes.library = (f"library version {new.library.version} (was "
                               f"{old.library.version})")
    return changes


def history_changes(inputs: Inputs, current: RevisionRecord) -> dict[int, str]:
    """The sentence of each revision the records can speak for: this one against the
    previous record, and each recorded earlier one against the record before it."""
    out: dict[int, str] = {}
    records = inputs.records
    previous = records.before(current.revision)
    if previous is not None:
        out[current.revision] = compare_records(previous, current).summary()
    for record in records.records:
        if record.revision >= current.revision:
            continue
        earlier = records.before(record.revision)
        if earlier is not None:
            out[record.revision] = compare_records(earlier, record).summary()
    return out


def policy_changes(before: list[str] | None, after: list[str]) -> str:
    """What changed between two builds' policy titles, in one line (the Manual page's
    "since the last build")."""
    if before is None:
        return f"First build: {len(after)} policies."
    added = [t for t in after if t not in before]
    dropped = [t for t in before if t not in after]
    if not added and not dropped:
        return f"The same {len(after)} policies as the last build."
    parts = []
    if added:
        parts.append("added " + ", ".join(added))
    if dropped:
        parts.append("dropped " + ", ".join(dropped))
    return "Since the last build: " + "; ".join(parts) + "."
