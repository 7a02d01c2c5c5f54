"""What a policy may write between `{{ }}`: the shape of the template context.

The shape is not written down twice: it is read off `build_context` applied to a complete
probe profile (every optional field filled, every role and site kind present), so a field
added to the profile model is known to the library check and the book at once. The same
shape gives the book its placeholders, each leaf printing as a readable name such as
⟦company legal name⟧.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from manualgen.inputs.context import build_context
from manualgen.inputs.facts import company_facts
from manualgen.inputs.library.model import Facility, LibraryInfo, Trade
from manualgen.inputs.profile import Profile, Vocabulary
from manualgen.inputs.program import ProgramRules, load_rules

OPEN, CLOSE = "⟦", "⟧"

# A company that has everything a profile can hold, so every variable appears in its context.
PROBE_PROFILE: dict[str, Any] = {
    "company": {
        "legal_name": "Probe Legal Name Ltd.",
        "operating_name": "Probe",
        "address": "1 Main Street, Whitehorse, YT",
        "phone": "867-555-0000",
        "email": "probe@example.ca",
        "wscb_account": "0000000",
        "industry": "Probe industry",
        "scope_of_work": "Probe scope.",
        "peak_employees": 5,
        "uses_subcontractors": True,
        "trades": ["probe_trade"],
        "trade_other": "Probe trade",
        "logo": "logo.png",
    },
    "people": [{
        "name": "Probe Person",
        "position": "Owner",
        "roles": ["owner", "senior_manager", "supervisor", "worker", "safety_rep", "first_aid"],
        "employment": "full_time",
        "training": [{"course": "PHSM", "completed": "2024-01-01", "expires": "2027-01-01"},
                     {"course": "Standard First Aid", "completed": "2025-01-01",
                      "expires": "2028-01-01"}],
        "birth_date": "2009-01-01",
    }, {
        "name": "Probe Attendant",
        "position": "Worker",
        "roles": ["worker", "first_aid"],
        "employment": "seasonal",
        "training": [{"course": "Standard First Aid", "completed": "2022-01-01",
                      "expires": "2025-01-01"}],
        "young_worker": True,
    }],
    "worksites": [
        {"name": "Shop", "address": "1 Main Street", "kind": "fixed", "travel_minutes": 5,
         "facility": "probe-facility"},
        {"name": "Client sites", "address": "Various", "kind": "mobile", "access": ["air"],
         "facility": "probe-facility"},
    ],
    "hazards": ["probe_hazard"],
    "dismissed_hazards": [{"hazard": "probe_dismissed", "reason": "Probe reason."}],
    "equipment": [{"id": "TRK-01", "description": "Truck", "interval": "3 months"}],
    "emergency": {
        "nearest_medical": "Hospital",
        "emergency_number": "911",
        "muster_point": "Gate",
        "remote_communication": "Satellite phone",
    },
    "secor": {"certificate_number": "S-0001", "certificate_date": "2025-01-01"},
    "manual": {
        "revision": 1,
        "issued": "2026-01-01",
        "approved_by": "Probe Person",
        "history": [{"revision": 1, "date": "2026-01-01", "changes": "First issue"}],
        "distribution": ["Office"],
        "consultations": [{"about": "violence_harassment", "date": "2025-12-01",
                           "with": "The workers"}],
    },
}

# A company with only what is required: policies must render for it too.
SPARSE_PROFILE: dict[str, Any] = {
    "company": {
        "legal_name": "Sparse Ltd.",
        "address": "1 Front Street, Dawson City, YT",
        "phone": "867-555-0100",
        "wscb_account": "7654321",
        "industry": "Snow removal",
        "scope_of_work": "Clearing driveways.",
        "peak_employees": 1,
    },
    "people": [{"name": "Sam Solo", "position": "Owner", "roles": ["owner"]}],
    "worksites": [{"name": "Client driveways", "kind": "mobile"}],
    "emergency": {"nearest_medical": "Hospital", "emergency_number": "911",
                  "muster_point": "Truck"},
    "manual": {"revision": 0, "issued": "2026-01-01", "approved_by": "Sam Solo"},
}

# How one item of a list is called in a placeholder (⟦worksite name⟧).
SINGULAR = {
    "people": "person", "supervisors": "supervisor", "first_aiders": "first aider",
    "safety_reps": "safety rep", "worksites": "worksite", "fixed_sites": "fixed site",
    "mobile_sites": "mobile site", "equipment": "equipment unit", "hazards": "hazard",
    "hazard_labels": "hazard label", "training": "training", "roles": "role",
    "history": "revision", "distribution": "copy", "reminder_days": "reminder day",
    "road_sites": "site reached by road", "no_road_sites": "site without a road",
    "trades": "trade", "trade_labels": "trade", "scenarios": "scenario", "parts": "part",
    "young_workers": "young worker", "certified_first_aiders": "certified first aider",
    "first_aiders_to_certify": "first aider to certify", "dismissed": "dismissed hazard",
    "procedures": "procedure", "access": "access",
}


class Leaf:
    """A value with no fields of its own (text, number, date, true/false)."""

    def __repr__(self) -> str:
        return "LEAF"


LEAF = Leaf()


@dataclass(frozen=True)
class ListOf:
    """A list whose items have shape `item`."""

    item: Any


Schema = Any  # dict[str, Schema] | ListOf | Leaf


def _merge(a: Schema, b: Schema) -> Schema:
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = _merge(out[key], value) if key in out else value
        return out
    if isinstance(a, ListOf) and isinstance(b, ListOf):
        return ListOf(_merge(a.item, b.item))
    return a if not isinstance(a, Leaf) else b


def schema_of(value: Any) -> Schema:
    """The shape of a context value; list items are merged so every item key is known."""
    if isinstance(value, dict):
        return {str(k): schema_of(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        item: Schema = LEAF
        for element in value:
            item = _merge(item, schema_of(element))
        return ListOf(item)
    return LEAF


PROBE_FACILITY = Facility(key="probe-facility", name="Probe Health Centre",
                          kind="health_centre", community="Probe", address="1 Probe Road",
                          phone="867-555-0001")
PROBE_TRADE = Trade(key="probe_trade", label="Probe trade")


def _library_stub(rules: ProgramRules | None, info: LibraryInfo | None,
                  labels: dict[str, str] | None) -> SimpleNamespace:
    rules = rules or load_rules()
    info = info or LibraryInfo(name="Library", version="0", released=dt.date(2026, 1, 1),
                               publisher="NSNY")
    labels = labels or {}
    return SimpleNamespace(
        rules=rules, info=info, hazard_label=lambda key: labels.get(key, key),
        facility=lambda key: PROBE_FACILITY if key == PROBE_FACILITY.key else None,
        trade=lambda key: PROBE_TRADE if key == PROBE_TRADE.key else None)


def _probe_facts(profile: Profile, rules: ProgramRules, hazard_terms: list | None = None):
    """The probe's facts against a vocabulary that knows only the probe's trade (and the
    library's hazards, when given, so its Parts and scenarios follow its hazards): every
    list of facts has an item, so every field is known to the check."""
    vocab = Vocabulary(rules.employee_limit, tuple(profile.hazards),
                       trades={PROBE_TRADE.key: PROBE_TRADE},
                       hazard_terms={h.key: h for h in hazard_terms or ()},
                       scenarios_always=tuple(rules.scenarios_always),
                       parts_always=tuple(rules.parts_always),
                       first_aid_validity_years=rules.first_aid_validity_years,
                       young_worker_age=rules.young_worker_age)
    return company_facts(profile, vocab)


def probe_context(rules: ProgramRules | None = None, info: LibraryInfo | None = None, *,
                  sparse: bool = False, labels: dict[str, str] | None = None,
                  hazard_terms: list | None = None, **company: Any) -> dict[str, Any]:
    """The context of the complete probe company, or of the sparse one.

    `labels` are the library's hazard labels (the probe lists every key); `company`
    overrides sparse details so a policy is tried on a company it would apply to
    (`hazards=[...]`, `peak_employees=5`, `uses_subcontractors=True`).
    """
    data = copy.deepcopy(SPARSE_PROFILE if sparse else PROBE_PROFILE)
    if labels and not sparse:
        data["hazards"] = list(labels)
    if "hazards" in company:
        data["hazards"] = list(company.pop("hazards"))
    if hazard_terms is not None:        # hazards exactly as given: nobody under age
        for person in data["people"]:
            person.pop("birth_date", None)
            person.pop("young_worker", None)
    data["company"].update(company)
    profile = Profile.model_validate(data)
    stub = _library_stub(rules, info, labels)
    facts = _probe_facts(profile, stub.rules, hazard_terms)
    context = build_context(profile, stub, facts)  # type: ignore[arg-type]
    if not sparse:
        context["procedures"] = [{"id": "probe-procedure", "title": "Probe procedure",
                                  "text": "1. Probe step."}]
    return context


def context_schema(rules: ProgramRules | None = None,
                   info: LibraryInfo | None = None) -> dict[str, Schema]:
    """Every variable a policy may use, with the fields of each."""
    return schema_of(probe_context(rules, info))


def readable(path: tuple[str, ...]) -> str:
    return " ".join(p.replace("_", " ") for p in path)


class Placeholder(str):
    """A leaf in the book: prints as ⟦its name⟧ and survives arithmetic and filters."""

    def __new__(cls, name: str) -> Placeholder:
        return super().__new__(cls, f"{OPEN}{name}{CLOSE}")

    def _same(self, *_: Any) -> Placeholder:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same  # type: ignore[assignment]
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __round__ = _same  # type: ignore[assignment]

    def _compare(self, other: Any) -> bool:
        return False  # an unknown value: comparisons in the book never decide anything

    __lt__ = __le__ = __gt__ = __ge__ = _compare  # type: ignore[assignment]


NUMBER_OF = "number of "


class PlaceholderList(list):
    """A list of the book: one placeholder item, and the name its length prints as."""

    label = ""


def _placeholder_list(items: list, label: str) -> PlaceholderList:
    out = PlaceholderList(items)
    out.label = label
    return out


def placeholder_context(schema: dict[str, Schema]) -> dict[str, Any]:
    """A context whose every leaf prints as a highlighted, readable placeholder.

    A list holds one item; the `name` of a list of people prints as ⟦names of supervisors⟧,
    which is what `{{ supervisors | join_names }}` shows.
    """

    def build(shape: Schema, path: tuple[str, ...]) -> Any:
        if isinstance(shape, dict):
            return {k: build(v, path + (k,)) for k, v in shape.items()}
        if isinstance(shape, ListOf):
            name = SINGULAR.get(path[-1], path[-1].rstrip("s")) if path else "item"
            item = build(shape.item, (name,))
            if isinstance(item, dict) and "name" in item:
                item["name"] = Placeholder(f"names of {readable(path)}")
            return _placeholder_list([item], readable(path))
        return Placeholder(readable(path))

    return {k: build(v, (k,)) for k, v in schema.items()}


def relabel(value: Any, label: str) -> Any:
    """The same shape with leaves named after a loop variable: ⟦site name⟧."""
    if isinstance(value, dict):
        return {k: relabel(v, f"{label} {k}") for k, v in value.items()}
    if isinstance(value, list):
        return _placeholder_list([relabel(value[0], label)] if value else [], label)
    return Placeholder(label)


def placeholder_names(schema: dict[str, Schema]) -> dict[str, str]:
    """Readable name -> the expression it stands for (used by import to undo the book)."""
    out: dict[str, str] = {}

    def walk(shape: Schema, path: tuple[str, ...]) -> None:
        if isinstance(shape, dict):
            for key, value in shape.items():
                walk(value, path + (key,))
        elif isinstance(shape, ListOf):
            if isinstance(shape.item, dict) and "name" in shape.item:
                out.setdefault(f"names of {readable(path)}", f"{'.'.join(path)} | join_names")
            out.setdefault(f"{NUMBER_OF}{readable(path)}", f"{'.'.join(path)} | length")
        else:
            out.setdefault(readable(path), ".".join(path))

    walk(schema, ())
    return out


def loop_names(item: Schema, var: str) -> dict[str, str]:
    """Readable name -> expression for the placeholders of a loop variable's fields."""
    out = {var: var}

    def walk(shape: Schema, path: tuple[str, ...]) -> None:
        if isinstance(shape, dict):
            for key, value in shape.items():
                walk(value, path + (key,))
        elif path:
            out.setdefault(f"{var} {' '.join(path)}", ".".join((var, *path)))

    walk(item, ())
    return out


def resolve_path(schema: dict[str, Schema], expression: str) -> Schema | None:
    """The shape of a dotted path such as `worksites` or `owner.training`, if it is one."""
    shape: Schema = schema
    for part in expression.strip().split("."):
        if not isinstance(shape, dict) or part not in shape:
            return None
        shape = shape[part]
    return shape
