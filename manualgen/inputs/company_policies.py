"""The company's own policies: `policies/` beside company.yaml, and `manual.leave_out`.

A company changes its manual as data, so that every rebuild keeps the change: a file in
`policies/` with a library policy's id replaces that policy (and records, in `based_on`,
the library revision it started from, so a later library change is noticed); a new id
adds a policy to its element; `manual.leave_out` drops a library policy with a reason.
The files are in the library's format and are judged by the library's rules.

`policies/.base/<id>.md` keeps the library's file a company version started from, so the
library's later changes can be shown line by line; `policies/.history/` keeps company
versions that `absorb` replaced. Both are written by manualgen, never read as policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from manualgen.errors import Collector, Problem, Severity, nearest
from manualgen.inputs.library.load import Library, load_policy
from manualgen.inputs.library.model import Policy, PolicyHeader
from manualgen.inputs.library.select import applies
from manualgen.inputs.models import Strict, Text
from manualgen.inputs.profile import CompanyProfile, field_words

POLICIES_DIR = "policies"
BASE_DIR = ".base"
HISTORY_DIR = ".history"


class BasedOn(Strict):
    """The library policy a company version started from: the library's version and
    the policy's revision in it."""

    library: Text = Field(min_length=1)
    revision: int = Field(ge=0)


class CompanyPolicyHeader(PolicyHeader):
    """A library policy header, plus what only a company's own policy says."""

    based_on: BasedOn | None = None
    reason: Text | None = None      # why the company has its own version (optional)


class Kind(StrEnum):
    REPLACES = "replaces"
    ADDS = "adds"
    LEAVES_OUT = "leaves out"


KIND_LABELS = {
    Kind.REPLACES: "Company version",
    Kind.ADDS: "Added by the company",
    Kind.LEAVES_OUT: "Left out",
}


@dataclass(frozen=True)
class OwnPolicy:
    """One file of `policies/`, loaded, with the library policy it replaces (if any) and
    the library text it was based on (if a copy was kept)."""

    policy: Policy
    library_policy: Policy | None
    base: Policy | None = None

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def title(self) -> str:
        return self.policy.title

    @property
    def kind(self) -> Kind:
        return Kind.REPLACES if self.library_policy is not None else Kind.ADDS

    @property
    def header(self) -> CompanyPolicyHeader:
        return self.policy.header  # type: ignore[return-value]


@dataclass(frozen=True)
class LeftOut:
    id: str
    title: str
    reason: str


@dataclass
class CompanyPolicies:
    """What the company changed in the library's selection, and what is wrong with it."""

    folder: Path | None = None
    own: list[OwnPolicy] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.own and not self.left_out

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def get(self, policy_id: str) -> OwnPolicy | None:
        return next((o for o in self.own if o.id == policy_id), None)

    def apply(self, selected: list[Policy], profile: CompanyProfile,
              library: Library) -> list[Policy]:
        """The library's selection with the company's versions, additions and omissions,
        in manual order (element, order, id). Unchanged when the company has none."""
        if self.empty:
            return selected
        gone = {o.id for o in self.left_out}
        own = {o.id: o for o in self.own}
        out = [p for p in selected if p.id not in gone and p.id not in own]
        chosen = {p.id for p in selected}
        hazards = library.company_hazards(profile.profile)
        for o in self.own:
            if o.kind is Kind.REPLACES and o.id not in chosen:
                continue      # the library's policy does not apply: said in `problems`
            if applies(o.policy, profile.profile, library.rules, hazards):
                out.append(o.policy)
        return sorted(out, key=lambda p: (p.header.element, p.header.order, p.id))


def policies_folder(profile: CompanyProfile) -> Path | None:
    return profile.folder / POLICIES_DIR if profile.folder is not None else None


def own_policy_files(folder: Path) -> list[Path]:
    """The company's policy files (`policies/*.md`; the hidden folders are manualgen's)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith("."))


def _load_base(folder: Path, policy_id: str) -> Policy | None:
    path = folder / BASE_DIR / f"{policy_id}.md"
    if not path.is_file():
        return None
    return load_policy(path, Collector())      # a damaged copy is as good as none


def _based_on_fix(library_policy: Policy, library: Library) -> str:
    version = library.info.version if library.info else "?"
    return (f"add the line  based_on: {{library: \"{version}\", revision: "
            f"{library_policy.header.revision}}}  to the header (the library version and "
            "the policy revision your text started from)")


def load_company_policies(profile: CompanyProfile, library: Library) -> CompanyPolicies:
    """The company's own policies and omissions, judged against the library; every
    problem collected (none raised), so `check` can show them all at once."""
    found = Collector()
    folder = policies_folder(profile)
    result = CompanyPolicies(folder)
    hazards = library.company_hazards(profile.profile)
    selected = {p.id for p in library.policies
                if applies(p, profile.profile, library.rules, hazards)}
    for path in own_policy_files(folder) if folder is not None else []:
        policy = load_policy(path, found, CompanyPolicyHeader)
        if policy is None:
            continue
        if policy.id != path.stem:       # the library's rule, in the lint's words
            found.extend([policy.doc.problem(
                ("id",), f"id {policy.id!r} does not match the file name {path.name}",
                f"rename the file to {policy.id}.md, or write id: {path.stem}")])
            continue
        header: CompanyPolicyHeader = policy.header  # type: ignore[assignment]
        lib_policy = library.policy(policy.id)
        base = _load_base(folder, policy.id) if folder is not None else None
        own = OwnPolicy(policy, lib_policy, base)
        result.own.append(own)
        if lib_policy is not None and header.based_on is None:
            found.extend([policy.doc.problem(
                ("id",), f"replaces the library policy {lib_policy.title!r} but does not "
                "say which library revision it was based on", _based_on_fix(lib_policy,
                                                                            library))])
        elif lib_policy is None and header.based_on is not None:
            found.extend([policy.doc.problem(
                ("based_on",), f"the library no longer has a policy {policy.id!r} (this "
                f"version was based on revision {header.based_on.revision} of library "
                f"{header.based_on.library}); it stays in the manual as the company's own",
                "remove based_on if that is what you want, or compare with `manualgen "
                "library diff`", "warning")])
        if lib_policy is not None and lib_policy.id not in selected:
            found.extend([policy.doc.problem(
                ("id",), f"replaces the library policy {lib_policy.title!r}, which does not "
                f"apply to this company ({lib_policy.describe_applies()}), so it is not in "
                "the manual", "add the hazard or condition to company.yaml, or give the "
                "policy a new id to add it as the company's own", "warning")])
        elif lib_policy is None and not applies(policy, profile.profile, library.rules,
                                                hazards):
            found.extend([policy.doc.problem(
                ("applies",), f"its applies condition ({policy.describe_applies()}) does "
                "not hold for this company, so it is not in the manual",
                "write applies: always, or add the hazard to company.yaml", "warning")])
    _leave_out(profile, library, result, selected, found)
    result.problems = found.problems
    return result


def _leave_out(profile: CompanyProfile, library: Library, result: CompanyPolicies,
               selected: set[str], found: Collector) -> None:
    doc = profile.doc
    seen: set[str] = set()
    for i, item in enumerate(profile.profile.manual.leave_out):
        key = ("manual", "leave_out", i, "id")
        policy = library.policy(item.id)
        if policy is None:
            close = nearest(item.id, [p.id for p in library.policies], cutoff=0.6)
            fix = f"did you mean {' or '.join(close)}?" if close else \
                "use an id from `manualgen library list`"
            found.extend([doc.problem(key, f"there is no library policy {item.id!r}", fix,
                                      words=field_words)])
            continue
        if item.id in seen:
            found.extend([doc.problem(key, f"{item.id!r} is left out twice",
                                      "list each policy once", words=field_words)])
            continue
        seen.add(item.id)
        if result.get(item.id) is not None:
            found.extend([doc.problem(key, f"{item.id!r} is left out, but "
                                      f"{POLICIES_DIR}/{item.id}.md is the company's "
                                      "version of it", "remove one of the two",
                                      words=field_words)])
            continue
        if item.id not in selected:
            found.extend([doc.problem(key, f"{policy.title!r} does not apply to this "
                                      f"company anyway ({policy.describe_applies()})",
                                      "remove the entry", "warning", words=field_words)])
        result.left_out.append(LeftOut(item.id, policy.title, item.reason))
    chapters = {p.header.element for p in library.policies if p.id in selected}
    remaining = {p.header.element for p in library.policies
                 if p.id in selected and p.id not in seen} | \
        {o.policy.header.element for o in result.own}
    for number in sorted(chapters - remaining):
        element = library.element(number)
        title = element.title if element else str(number)
        found.extend([doc.problem(("manual", "leave_out"), f"element {number} ({title}) "
                                  "has no policy left", "an auditor looks for one in every "
                                  "element: keep one, or add the company's own",
                                  "warning", words=field_words)])
