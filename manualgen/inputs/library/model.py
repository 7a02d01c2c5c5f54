"""Typed records of the library: elements, hazard terms, policy headers, the forms index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from manualgen.inputs.models import Date, Strict, Text
from manualgen.io import YamlDoc

Frequency = Annotated[str, Field(pattern=r"^[1-9][0-9]*/(month|year)$")]
Slug = Field(min_length=1, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


CompanyData = Literal["company_overview", "people", "worksites", "hazards", "hazard_inventory",
                      "equipment",
                      "training", "first_aid", "emergency_contacts"]


class Element(Strict):
    number: int = Field(ge=1)
    title: Text
    must_show: list[Text] = Field(min_length=1)
    # Tables of the company's own data the manual places at the end of this chapter.
    company_data: list[CompanyData] = []


class InventoryRow(Strict):
    """One row of a hazard's default inventory: the task, its risk without and with the
    controls, and the safe job procedure it needs when rated High or Critical."""

    task: Text
    severity: int = Field(ge=1)
    likelihood: int = Field(ge=1)
    controls: Text
    likelihood_after: int = Field(ge=1)
    severity_after: int | None = Field(None, ge=1)
    procedure: str | None = Field(None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


KEY = r"^[a-z][a-z0-9_]*$"


class HazardTerm(Strict):
    key: str = Field(pattern=KEY)
    label: Text
    # Words in a scope of work that suggest the hazard (`check` asks about it).
    words: list[Text] = []
    # Words that belong to this hazard: a policy every company gets says them only inside
    # a condition on a hazard that lists them (`library check`).
    terms: list[Text] = []
    # The Parts of the Regulations the hazard brings under, and the emergency scenarios
    # its plan needs.
    parts: list[int] = []
    scenarios: list[str] = []
    inventory: list[InventoryRow] = []


class TradeTask(InventoryRow):
    """A task a trade usually does, rated: a row of the company's hazard inventory when
    the company has the task's hazard."""

    id: str = Slug
    hazard: str = Field(pattern=KEY)


class TaskUse(Strict):
    """A task another trade's file defines, used word for word."""

    use: str = Slug


class Trade(Strict):
    """A kind of business (trades/<key>.yaml): what its manual must speak of, and the
    words that belong to it and to no other trade."""

    key: str = Field(pattern=KEY)
    label: Text
    words: list[Text] = []           # words of a scope of work that suggest this trade
    hazards: list[str] = []          # its usual hazards
    tasks: list[TradeTask | TaskUse] = []
    equipment: list[Text] = []       # usual equipment, suggested for the inventory
    scenarios: list[str] = []        # emergency scenarios its plan needs
    parts: list[int] = []            # Parts of the Regulations that govern it
    terms: list[Text] = []           # words that belong only to this trade


class ProcedureHeader(Strict):
    id: str = Slug
    title: Text = Field(min_length=1)
    revision: int = Field(ge=0)
    reviewed: Date


FacilityKind = Literal["hospital", "health_centre", "nursing_station"]


class Facility(Strict):
    """A Yukon medical facility an injured worker is taken to (facilities.yaml)."""

    key: str = Slug
    name: Text
    kind: FacilityKind
    community: Text
    address: Text | None = None
    phone: Text | None = None
    road: bool = True                # the community is on the road network
    source: str | None = None


class Source(Strict):
    title: Text
    url: Text | None = None


class Facilities(Strict):
    sources: dict[str, Source] = {}
    facilities: list[Facility] = []


class Conditions(Strict):
    """When a policy applies; every condition given must hold."""

    hazards: list[str] = []          # any one of these hazards
    min_employees: int | None = None  # peak employees at least this
    subcontractors: bool | None = None  # the company uses subcontractors (or not)
    # The company needs a safety representative under program.yaml's safety_rep_min_workers.
    safety_rep: bool | None = None

    def clauses(self, hazard_label: Callable[[str], str] = str,
                safety_rep_min: int | None = None) -> list[str]:
        """Each condition as words that follow "the company": the one wording of them."""
        parts = []
        if self.hazards:
            parts.append("lists the hazard " + " or ".join(hazard_label(k) for k in self.hazards))
        if self.min_employees is not None:
            parts.append(f"has {self.min_employees} or more employees at peak")
        if self.subcontractors is not None:
            parts.append("uses subcontractors" if self.subcontractors
                         else "uses no subcontractors")
        if self.safety_rep is not None:
            rep = "a worker health and safety representative"
            if safety_rep_min is not None:
                rep += f" ({safety_rep_min} or more workers)"
            parts.append(("needs " if self.safety_rep else "does not need ") + rep)
        return parts


class Legislation(Strict):
    """A law a policy cites only for some companies: `hazards` (any of them listed) or
    `unless` (none of them listed)."""

    text: Text = Field(min_length=1)
    hazards: list[str] = []
    unless: list[str] = []

    def applies(self, hazards: list[str] | set[str]) -> bool:
        have = set(hazards)
        return (not self.hazards or bool(have & set(self.hazards))) and \
            not have & set(self.unless)


class PolicyHeader(Strict):
    id: str = Slug
    title: Text = Field(min_length=1)
    element: int = Field(ge=1)
    order: int = 50                    # position inside the element's chapter
    applies: Literal["always"] | Conditions = "always"
    forms: list[str] = []
    # Safe job procedures (procedures/<id>.md) the policy's text refers to: printed in the
    # manual whenever the policy is, whatever the company's inventory holds.
    procedures: list[str] = []
    legislation: list[Text | Legislation] = []

    def legislation_for(self, hazards: list[str] | set[str] | None = None) -> list[str]:
        """The laws cited for a company with these hazards (None: every entry, as the
        proofreading book shows them)."""
        out = []
        for item in self.legislation:
            if isinstance(item, str):
                out.append(item)
            elif hazards is None or item.applies(hazards):
                out.append(item.text)
        return out
    revision: int = Field(ge=0)
    reviewed: Date
    # How often the policy says an activity happens, e.g. {inspection: 1/month, drill: 1/year};
    # the summary report's default targets. Keys are program.yaml `activities`.
    targets: dict[str, Frequency] = {}


@dataclass(frozen=True)
class LibraryText:
    """A Markdown file of the library under a YAML header: a policy or a procedure."""

    header: PolicyHeader | ProcedureHeader
    body: str
    path: Path
    body_line: int          # file line of the body's first line
    doc: YamlDoc            # the header, for line numbers

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def title(self) -> str:
        return self.header.title


@dataclass(frozen=True)
class Policy(LibraryText):
    header: PolicyHeader

    def describe_applies(self) -> str:
        applies = self.header.applies
        return "always" if applies == "always" else "; ".join(applies.clauses()) or "always"


@dataclass(frozen=True)
class Procedure(LibraryText):
    """A safe job procedure (procedures/<id>.md): numbered steps in Markdown."""

    header: ProcedureHeader


class FormInfo(Strict):
    id: str = Slug
    title: Text
    # NSNY's own Word layout of the form (docxtpl tags), beside forms.yaml; without it the
    # blank form is made from its definition (`fields`, forms/blank.py).
    template: Text | None = None
    element: int = Field(ge=1)
    category: str | None = None        # the submission category it feeds, if any
    description: Text
    revision: int = Field(ge=0, default=1)
    # The form's definition (form_templates/fields/<id>.yaml): its fields and the records
    # a completed copy makes; the phone form and the paper form's intake read it.
    fields: Text | None = None
    # The page of a form made from its definition; without it, landscape when a table of
    # the form has more than five columns.
    orientation: Literal["portrait", "landscape"] | None = None


class LibraryInfo(Strict):
    name: Text
    version: Text
    released: Date
    publisher: Text
