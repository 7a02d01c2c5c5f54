"""The profile's questions as data: asked by `manualgen init` in a terminal and shown as a
form by the web app, from this one table.

Each question's words come from the profile model itself (a field's `title`), its
choices from the label tables beside the model, and its answer is checked by the model:
`check_answers` validates a group's answers so far with the same pydantic model and
validation context `check` uses, so no rule has a second copy here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from manualgen.inputs.models import _explain
from manualgen.inputs.profile import (
    ACCESS_LABELS,
    EMPLOYMENT_LABELS,
    LEAD_ROLES,
    ROLE_LABELS,
    SITE_KIND_LABELS,
    Company,
    DismissedHazard,
    Emergency,
    Equipment,
    ManualInfo,
    Person,
    Revision,
    Secor,
    Task,
    Training,
    Vocabulary,
    Worksite,
)

Kind = Literal["text", "number", "yesno", "date", "choice", "choices", "file", "paragraph",
               "lines"]


@dataclass(frozen=True)
class Question:
    name: str                       # the field of the group's model
    label: str
    kind: Kind = "text"
    required: bool = True
    default: Any = None
    help: str | None = None
    choices: tuple[tuple[str, str], ...] = ()    # (value, label in plain words)
    example: str | None = None


@dataclass(frozen=True)
class Group:
    """A section of the profile: one set of fields, or a list of items (people, sites)."""

    key: str                        # the profile key (company, people, ...)
    title: str
    questions: tuple[Question, ...]
    model: type[BaseModel] | None = None
    repeated: bool = False          # a list of items
    item: str = ""                  # what one item is called ("person", "course")
    intro: str | None = None
    unique: str | None = None       # the field no two items may share
    ask_first: str | None = None    # a yes/no question that opens an optional section
    parent: str | None = None       # a list inside another group's items (training)
    min_items: int = 0

    def question(self, name: str) -> Question:
        return next(q for q in self.questions if q.name == name)


def _from_model(model: type[BaseModel], name: str, **extra: Any) -> Question:
    info = model.model_fields[name]
    required = info.is_required()
    if "default" not in extra:
        extra["default"] = None if required else info.get_default(call_default_factory=True)
    return Question(name, info.title or name.replace("_", " ").capitalize(),
                    required=required, **extra)


HELP = {
    "legal_name": "As registered with the Yukon corporate registry or your business licence.",
    "wscb_account": "On your WSCB assessment notice; keep the leading zeros.",
    "peak_employees": "Count everyone on the payroll at your busiest time of year, yourself "
                      "included.",
    "logo": "A PNG or JPEG file; it is copied into the company folder.",
    "scope_of_work": "What you do and where, so the manual's scope fits the work.",
    "remote_communication": "Satellite phone, inReach, radio: how a crew calls for help "
                            "where there is no cell service.",
    "approved_by": "The owner or senior manager who signs the manual.",
    "trades": "One or more. The manual brings in each trade's usual hazards, tasks and "
              "emergency plans; a usual hazard that does not apply to you is dismissed with "
              "a reason. If none fits, choose other and say what you do.",
    "trade_other": "Only when you chose other: your kind of business in a few words.",
    "birth_date": "Only for a worker under 18: the manual then sets out their orientation, "
                  "supervision and the tasks they may not do.",
    "access": "Road, air (fly-in), water (boat) or winter road: the emergency plan follows "
              "from it (a medevac where there is no road).",
    "facility": "The nearest hospital or health centre: the manual prints its phone number.",
}
EXAMPLES = {
    "legal_name": "Kluane Ridge Roofing Ltd.", "address": "12 Alsek Road, Haines Junction, YT",
    "phone": "867-555-0142", "email": "office@example.ca", "industry": "Residential roofing",
    "id": "TRK-01", "description": "2019 crew truck", "interval": "3 months",
    "muster_point": "Front gate of the shop yard", "certificate_number": "S-0423",
}


def _q(model: type[BaseModel], name: str, kind: Kind = "text", **extra: Any) -> Question:
    extra.setdefault("help", HELP.get(name))
    extra.setdefault("example", EXAMPLES.get(name))
    return _from_model(model, name, kind=kind, **extra)


def _choices(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(labels.items())


def profile_groups(hazards: list[tuple[str, str]], course_keys: list[str],
                   on: dt.date | None = None, *, trades: list[tuple[str, str]] = (),
                   facilities: list[tuple[str, str]] = ()) -> list[Group]:
    """Every question of company.yaml, in the order they are asked.

    `hazards`, `trades` and `facilities` are the library's (key, label) pairs;
    `course_keys` the program's courses.
    """
    trade_choices = (*trades, ("other", "Other (say which below)")) if trades else ()
    company = Group("company", "The company", (
        _q(Company, "legal_name"),
        _q(Company, "operating_name"),
        _q(Company, "address"),
        _q(Company, "phone"),
        _q(Company, "email"),
        _q(Company, "wscb_account"),
        _q(Company, "industry"),
        _q(Company, "scope_of_work", "paragraph"),
        *((_q(Company, "trades", "choices", choices=trade_choices),
           _q(Company, "trade_other")) if trade_choices else ()),
        _q(Company, "peak_employees", "number"),
        _q(Company, "uses_subcontractors", "yesno"),
        _q(Company, "logo", "file"),
    ), Company)
    people = Group("people", "People", (
        _q(Person, "name"),
        _q(Person, "position"),
        _q(Person, "roles", "choices", choices=_choices(ROLE_LABELS),
           help="Several allowed. The first person is the owner or senior manager."),
        _q(Person, "employment", "choice", choices=_choices(EMPLOYMENT_LABELS)),
        _q(Person, "birth_date", "date"),
    ), Person, repeated=True, item="person", unique="name", min_items=1,
        intro="Everyone who works in the business, starting with the owner.")
    training = Group("training", "Courses taken", (
        _q(Training, "course", help="Program courses: " + ", ".join(course_keys)
           + "; any other course by its name."),
        _q(Training, "completed", "date"),
        _q(Training, "expires", "date"),
    ), Training, repeated=True, item="course", parent="people")
    worksites = Group("worksites", "Where you work", (
        _q(Worksite, "name"),
        _q(Worksite, "kind", "choice", choices=_choices(SITE_KIND_LABELS)),
        _q(Worksite, "address"),
        _q(Worksite, "travel_minutes", "number",
           help="First aid under Part 18 depends on it: by road, boat or air, as you would "
                "really go, in normal conditions."),
        _q(Worksite, "workers_per_shift", "number"),
        _q(Worksite, "access", "choices", choices=_choices(ACCESS_LABELS), default=["road"]),
        *((_q(Worksite, "facility", "choice", choices=tuple(facilities)),) if facilities
          else ()),
    ), Worksite, repeated=True, item="worksite", min_items=1)
    hazard_group = Group("hazards", "Hazards", (
        Question("hazards", "Which of these are part of your work?", "choices",
                 required=False, default=[], choices=tuple(hazards)),
    ))
    dismissed = Group("dismissed_hazards", "Hazards that do not apply", (
        _q(DismissedHazard, "hazard", "choice", choices=tuple(hazards)),
        _q(DismissedHazard, "reason", "paragraph"),
    ), DismissedHazard, repeated=True, item="dismissed hazard", unique="hazard",
        intro="A hazard usual in your trade that does not apply to you, with the reason: "
              "the hazard assessment chapter shows it. Without a reason, the manual covers "
              "the hazard.")
    equipment = Group("equipment", "Equipment", (
        _q(Equipment, "id"), _q(Equipment, "description"), _q(Equipment, "interval"),
    ), Equipment, repeated=True, item="unit", unique="id",
        ask_first="Do you have vehicles, ladders, tools or machines that need regular "
                  "maintenance?")
    matrix_help = "1 to 4, as on the risk matrix of the hazard assessment policy."
    tasks = Group("tasks", "Hazard inventory", (
        _q(Task, "task"),
        _q(Task, "hazard", "choice", choices=tuple(hazards)),
        _q(Task, "severity", "number", help=matrix_help),
        _q(Task, "likelihood", "number", help=matrix_help),
        _q(Task, "controls", "paragraph"),
        _q(Task, "likelihood_after", "number", help=matrix_help),
        _q(Task, "severity_after", "number", help=matrix_help),
        _q(Task, "steps", "lines",
           help="Its safe job procedure, one step on each line: needed when the task is "
                "rated High or Critical without controls."),
    ), Task, repeated=True, item="task",
        intro="Tasks of your own, rated without and with your controls. The manual lists "
              "them with your trade's usual tasks; a task rated High or Critical needs its "
              "safe job procedure (its steps, in company.yaml).")
    emergency = Group("emergency", "Emergencies", (
        _q(Emergency, "nearest_medical"),
        _q(Emergency, "emergency_number", default="911"),
        _q(Emergency, "muster_point"),
        _q(Emergency, "remote_communication"),
    ), Emergency)
    secor = Group("secor", "SECOR certificate", (
        _q(Secor, "certificate_number"), _q(Secor, "certificate_date", "date"),
    ), Secor, ask_first="Is the company SECOR certified already?")
    manual = Group("manual", "The manual", (
        _q(ManualInfo, "revision", "number", default=0),
        _q(ManualInfo, "issued", "date", default=on),
        _q(ManualInfo, "approved_by"),
    ), ManualInfo)
    # Kept by hand after the first issue: the web app shows them, `init` does not ask.
    history = Group("history", "Revision history", (
        _q(Revision, "revision", "number"), _q(Revision, "date", "date"),
        _q(Revision, "changes"),
    ), Revision, repeated=True, item="revision", parent="manual")
    distribution = Group("distribution", "Distribution", (
        _q(ManualInfo, "distribution", "lines", help="One place or person on each line."),
    ), parent="manual")
    return [company, people, training, worksites, hazard_group, dismissed, equipment, tasks,
            emergency, secor, manual, history, distribution]


@dataclass
class AnswerCheck:
    """The problems of a group's answers so far, by field ("" for the item as a whole)."""

    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_answers(group: Group, answers: Mapping[str, Any], vocab: Vocabulary | None = None,
                  *, siblings: list[Mapping[str, Any]] = (), first: bool = False
                  ) -> AnswerCheck:
    """Validate what has been answered in one group (or one item of a list) with the
    profile's own model; fields not answered yet are not judged. `siblings` are the
    items already given (for the group's unique field); `first` marks the first person,
    who must hold a lead role (the profile's rule, `LEAD_ROLES`)."""
    out = AnswerCheck()
    if group.model is None:
        return out
    given = {k: v for k, v in answers.items() if v not in (None, "")}
    try:
        group.model.model_validate(given, context=vocab)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            name = str(loc[0]) if loc else ""
            if err["type"] == "missing" and name not in answers:
                continue                                # not asked yet
            message, fix = _explain(err)
            out.problems.setdefault(name, f"{message} - {fix}" if fix else message)
    if group.unique and group.unique in given:
        value = given[group.unique]
        if any(s.get(group.unique) == value for s in siblings):
            out.problems.setdefault(group.unique, f"{value!r} is already listed; give each "
                                                  f"{group.item} once")
    if first and group.key == "people" and "roles" in given:
        roles = given["roles"]
        roles = [roles] if isinstance(roles, str) else list(roles)
        if not set(roles) & set(LEAD_ROLES):
            out.problems.setdefault("roles", "the first person must be "
                                    + " or ".join(LEAD_ROLES))
    return out


def library_groups(library: Any, on: dt.date | None = None) -> list[Group]:
    """`profile_groups` with a loaded library's hazards, trades, facilities and courses:
    the one call the terminal interview and the web app make."""
    return profile_groups(
        [(h.key, h.label) for h in library.hazards], list(library.rules.courses), on,
        trades=[(t.key, t.label) for t in library.trades],
        facilities=[(f.key, f"{f.name} ({f.community})") for f in library.facilities])
