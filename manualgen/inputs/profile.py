"""The company profile (`company.yaml`): the typed model and every rule it must meet.

This module is the one place a profile is judged, whether it comes from a file (`check`,
every job) or from a web form: field shapes and words (pydantic), the program's numbers
and the library's vocabulary (through a `Vocabulary` handed to validation), the rules
across fields (owner named, nobody listed twice), then the files it names (the logo).
Every problem comes back at once, at its line when there is a file, with its field named
in the user's words ("Dave Kowalski, course 1 (PHSM), completed").
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from manualgen.errors import Collector, InputError, Problem, Severity, nearest
from manualgen.inputs.images import DECODE_ERRORS, TooLarge, open_image
from manualgen.inputs.models import (
    Date,
    Line,
    Name,
    Paragraph,
    Shown,
    Strict,
    Text,
    problems_from,
)
from manualgen.io import YamlDoc, inside, load_yaml

Role = Literal["owner", "senior_manager", "supervisor", "worker", "safety_rep", "first_aid"]
Employment = Literal["full_time", "part_time", "seasonal"]

ROLE_LABELS: dict[str, str] = {
    "owner": "Owner", "senior_manager": "Senior manager", "supervisor": "Supervisor",
    "worker": "Worker", "safety_rep": "Health and safety representative",
    "first_aid": "First aid attendant",
}
EMPLOYMENT_LABELS: dict[str, str] = {
    "full_time": "Full-time", "part_time": "Part-time", "seasonal": "Seasonal",
}
SITE_KIND_LABELS: dict[str, str] = {"fixed": "Fixed place", "mobile": "Moves from job to job"}
# Words people write for a choice whose meaning is plain.
_ALIASES: dict[str, str] = {
    "safety_representative": "safety_rep", "rep": "safety_rep", "firstaid": "first_aid",
    "first_aider": "first_aid", "manager": "senior_manager", "fulltime": "full_time",
    "parttime": "part_time",
}
LEAD_ROLES = ("owner", "senior_manager")   # someone must hold one of these


@dataclass(frozen=True)
class Vocabulary:
    """What the library decides about a profile: handed to validation as its context."""

    employee_limit: int
    hazard_keys: tuple[str, ...]
    first_aid: Any = None            # inputs.first_aid.FirstAidRules, when the library has it
    risk_scale: dict[str, dict[int, str]] | None = None   # severity and likelihood scales
    check_in_hours: int | None = None  # program.yaml lone_worker_check_in_hours
    # The library's trades, hazards, tasks, facilities and procedures, by key.
    trades: Mapping[str, Any] = field(default_factory=dict)
    trade_tasks: Mapping[str, tuple] = field(default_factory=dict)   # trade -> its tasks
    tasks: Mapping[str, Any] = field(default_factory=dict)           # task id -> task
    hazard_terms: Mapping[str, Any] = field(default_factory=dict)
    facilities: Mapping[str, Any] = field(default_factory=dict)
    procedure_ids: frozenset[str] = frozenset()
    scenarios_always: tuple[str, ...] = ()
    parts_always: tuple[int, ...] = ()
    first_aid_validity_years: int = 3
    young_worker_age: int = 18
    procedure_from_score: int = 8


def _choice_words(value: Any) -> Any:
    """'Full time', 'first-aid', 'Safety Rep' -> full_time, first_aid, safety_rep."""
    if not isinstance(value, str):
        return value
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return _ALIASES.get(key, key)


def _choice_list(value: Any) -> Any:
    if isinstance(value, str):  # "owner, supervisor" typed as one line
        value = [v for v in re.split(r"\s*,\s*", value) if v]
    return value


def _context(info: ValidationInfo) -> Vocabulary | None:
    ctx = info.context
    return ctx if isinstance(ctx, Vocabulary) else None


def _under_limit(value: int, info: ValidationInfo) -> int:
    vocab = _context(info)
    if vocab is not None and value >= vocab.employee_limit:
        raise ValueError(f"{value} - SECOR is for fewer than {vocab.employee_limit} employees "
                         "- larger companies apply for COR; check the number at your busiest "
                         "time")
    return value


def _on_scale(axis: str):
    """A severity or likelihood on the risk matrix's scale (program.yaml risk_matrix)."""
    def check(value: int | None, info: ValidationInfo) -> int | None:
        vocab = _context(info)
        scale = getattr(vocab, "risk_scale", None) or {}
        allowed = scale.get(axis)
        if value is not None and allowed and value not in allowed:
            words = ", ".join(f"{k} {v}" for k, v in sorted(allowed.items()))
            raise ValueError(f"{value} is not on the {axis} scale - use one of {words}")
        return value
    return check


def _known_hazard(value: str, info: ValidationInfo) -> str:
    vocab = _context(info)
    if vocab is not None and value not in vocab.hazard_keys:
        close = nearest(value, vocab.hazard_keys)
        hint = f"did you mean {', '.join(close)}?" if close else \
            f"use one of: {', '.join(vocab.hazard_keys)}"
        raise ValueError(f"unknown hazard key {value!r} - {hint}")
    return value


OTHER_TRADE = "other"


def _known_trade(value: str, info: ValidationInfo) -> str:
    vocab = _context(info)
    if vocab is not None and vocab.trades and value != OTHER_TRADE and \
            value not in vocab.trades:
        keys = [*vocab.trades, OTHER_TRADE]
        close = nearest(value, keys)
        hint = f"did you mean {', '.join(close)}?" if close else \
            "see `manualgen library list` for the trades, or write other"
        raise ValueError(f"unknown trade {value!r} - {hint}")
    return value


def _known_facility(value: str, info: ValidationInfo) -> str:
    vocab = _context(info)
    if vocab is not None and vocab.facilities and value not in vocab.facilities:
        close = nearest(value, list(vocab.facilities))
        hint = f"did you mean {', '.join(close)}?" if close else \
            "use a key from the library's facilities.yaml, or leave it out and write the " \
            "facility with its phone number under emergency.nearest_medical"
        raise ValueError(f"unknown medical facility {value!r} - {hint}")
    return value


def _known_task(value: str | None, info: ValidationInfo) -> str | None:
    vocab = _context(info)
    if value is not None and vocab is not None and vocab.tasks and value not in vocab.tasks:
        close = nearest(value, list(vocab.tasks))
        raise ValueError(f"no library task has the id {value!r}"
                         + (f" - did you mean {', '.join(close)}?" if close else
                            " - leave id out for a task of your own"))
    return value


def _known_procedure(value: str | None, info: ValidationInfo) -> str | None:
    vocab = _context(info)
    if value is not None and vocab is not None and vocab.procedure_ids and \
            value not in vocab.procedure_ids:
        close = nearest(value, sorted(vocab.procedure_ids))
        raise ValueError(f"no library safe job procedure has the id {value!r}"
                         + (f" - did you mean {', '.join(close)}?" if close else
                            " - write the task's own steps under steps: instead"))
    return value


_PHONE = re.compile(r"^\+?[0-9()\-. /]+(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)


def _phone(value: str) -> str:
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not 7 <= digits <= 20:
        raise ValueError(f"{value!r} is not a phone number - write digits, spaces and "
                         "hyphens, like 867-555-0142 (ext. 12 may follow)")
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str | None) -> str | None:
    if value is not None and not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address - write it like "
                         "office@example.ca")
    return value


Phone = Annotated[Text, Field(min_length=1, max_length=40), AfterValidator(_phone)]
RoleKey = Annotated[Role, BeforeValidator(_choice_words)]
EmploymentKey = Annotated[Employment, BeforeValidator(_choice_words)]
HazardKey = Annotated[str, BeforeValidator(_choice_words), Field(max_length=80),
                      AfterValidator(_known_hazard)]
PeakEmployees = Annotated[int, Field(ge=1, le=100000), AfterValidator(_under_limit)]
TradeKey = Annotated[str, BeforeValidator(_choice_words), Field(max_length=80),
                     AfterValidator(_known_trade)]
FacilityKey = Annotated[str, Field(max_length=80), AfterValidator(_known_facility)]
Access = Literal["road", "air", "water", "winter_road"]
ACCESS_LABELS: dict[str, str] = {"road": "Road", "air": "Air", "water": "Boat",
                                 "winter_road": "Winter road"}


class Company(Strict):
    legal_name: Line = Field(title="Legal name of the business, as registered")
    operating_name: Line | None = Field(None, title="Name you operate under, if different")
    address: Line = Field(title="Street address, town and postal code")
    phone: Phone = Field(title="Phone number")
    email: Annotated[Line | None, AfterValidator(_email)] = Field(None, title="E-mail address")
    wscb_account: Annotated[Text, Field(min_length=1, max_length=20)] = Field(
        title="WSCB employer account number")
    industry: Line = Field(title="Industry, in a few words (e.g. Residential roofing)")
    scope_of_work: Paragraph = Field(title="What work do you do? One or two sentences")
    peak_employees: PeakEmployees = Field(
        title="Most employees at your busiest time (count yourself)")
    uses_subcontractors: bool = Field(False, title="Do you hire subcontractors?")
    trades: list[TradeKey] = Field([], max_length=10, title="Your trade or kind of business")
    trade_other: Line | None = Field(None, title="Your trade in a few words (with other)")
    logo: Line | None = Field(None, title="Logo image file (PNG or JPEG)")

    @property
    def name(self) -> str:
        """The name people know the company by."""
        return self.operating_name or self.legal_name


class Training(Strict):
    course: Line = Field(title="Course")
    completed: Date = Field(title="Completed on")
    expires: Date | None = Field(None, title="Expires on (if printed on the certificate)")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Training:
        if self.expires and self.expires < self.completed:
            raise ValueError("expires before it was completed - check the two dates")
        return self


class Person(Strict):
    name: Name = Field(title="Full name")
    position: Line = Field(title="Position or job title")
    roles: Annotated[list[RoleKey], BeforeValidator(_choice_list)] = Field(
        min_length=1, max_length=6, title="Roles")
    employment: EmploymentKey = Field("full_time", title="Employment")
    training: list[Training] = Field([], max_length=100, title="Courses taken")
    birth_date: Date | None = Field(
        None, title="Date of birth (only for workers under 18: the manual names them)")
    young_worker: bool = Field(False, title="Under 18 (when the date of birth is not given)")

    def has(self, role: str) -> bool:
        return role in self.roles


class Worksite(Strict):
    name: Line = Field(title="Worksite name")
    address: Line | None = Field(None, title="Address")
    kind: Annotated[Literal["fixed", "mobile"], BeforeValidator(_choice_words)] = Field(
        "fixed", title="Fixed place or moving from job to job")
    travel_minutes: int | None = Field(
        None, ge=0, le=10000,
        title="Minutes to bring an injured worker from here to the nearest medical facility")
    workers_per_shift: int | None = Field(
        None, ge=1, le=100000, title="Most workers on one shift here (default: peak employees)")
    access: Annotated[list[Annotated[Access, BeforeValidator(_choice_words)]],
                      BeforeValidator(lambda v: _choice_list(v) or ["road"])] = Field(
        ["road"], min_length=1, max_length=4,
        title="How the site is reached: road, air, water, winter_road")
    facility: FacilityKey | None = Field(
        None, title="Nearest medical facility (a key from the library's list)")

    @property
    def road(self) -> bool:
        """Reached by road (a winter road counts, in its season)."""
        return "road" in self.access or "winter_road" in self.access


class Equipment(Strict):
    id: Annotated[Text, Field(min_length=1, max_length=40)] = Field(title="Unit id")
    description: Line = Field(title="What it is")
    interval: Annotated[Text, Field(min_length=1, max_length=60)] = Field(
        title="How often it is serviced")


class Emergency(Strict):
    nearest_medical: Line = Field(title="Nearest hospital or health centre")
    emergency_number: Annotated[Text, Field(min_length=1, max_length=40)] = Field(
        title="Emergency phone number")
    muster_point: Line = Field(title="Where everyone gathers after leaving the building")
    remote_communication: Line | None = Field(
        None, title="How crews call for help where phones do not work")


class Secor(Strict):
    certificate_number: Annotated[Text, Field(min_length=1, max_length=40)] = Field(
        title="Certificate number")
    certificate_date: Date = Field(title="Date of issue on the certificate")


class Task(Strict):
    """A line of the company's hazard inventory: a task, its risk without and with the
    controls, on the risk matrix of the hazard assessment policy."""

    task: Line = Field(title="The task or activity")
    hazard: HazardKey | None = Field(None, title="Its hazard (from the hazard list)")
    severity: Annotated[int, AfterValidator(_on_scale("severity"))] = Field(
        title="Severity of the worst likely outcome")
    likelihood: Annotated[int, AfterValidator(_on_scale("likelihood"))] = Field(
        title="Likelihood without the controls")
    controls: Paragraph = Field(title="The controls, by the hierarchy of controls")
    likelihood_after: Annotated[int, AfterValidator(_on_scale("likelihood"))] = Field(
        title="Likelihood with the controls in place")
    severity_after: Annotated[int | None, AfterValidator(_on_scale("severity"))] = Field(
        None, title="Severity with the controls (if they lessen it)")
    id: Annotated[str | None, AfterValidator(_known_task)] = Field(
        None, title="A library task this row replaces (its id)")
    procedure: Annotated[str | None, AfterValidator(_known_procedure)] = Field(
        None, title="A library safe job procedure for it (its id)")
    steps: list[Line] = Field([], max_length=40,
                              title="Its safe job procedure, step by step")


class DismissedHazard(Strict):
    """A hazard usual for the company's trade that does not apply to it, and why (shown in
    the hazard assessment chapter)."""

    hazard: HazardKey = Field(title="The hazard")
    reason: Paragraph = Field(title="Why it does not apply")


class DismissedTask(Strict):
    """A usual task of the company's trade it does not do (a cafe without a deep fryer),
    and why: it leaves the hazard inventory."""

    task: Annotated[str, AfterValidator(_known_task)] = Field(
        title="The library task's id (manualgen library list shows them)")
    reason: Paragraph = Field(title="Why the company does not do it")


ConsultationTopic = Literal["violence_harassment", "hazard_assessment", "health_safety_policy",
                            "manual"]


class Consultation(Strict):
    """A consultation that took place: the manual states it only from here."""

    about: ConsultationTopic = Field(title="What was consulted on")
    date: Date = Field(title="When")
    with_: Line = Field(alias="with", title="With whom (names and roles)")


class Revision(Strict):
    revision: int = Field(ge=0, le=1000, title="Revision")
    date: Date = Field(title="Date")
    changes: Paragraph = Field(title="What changed")


class LeaveOut(Strict):
    """A library policy the company leaves out of its manual, and why (shown on the
    document control page)."""

    id: Annotated[Text, Field(min_length=1, max_length=80)] = Field(
        title="The library policy's id (manualgen library list shows them)")
    reason: Paragraph = Field(title="Why it does not fit the company")


class ManualInfo(Strict):
    revision: int = Field(ge=0, le=1000, title="Revision number (0 for a first draft)")
    issued: Date = Field(title="Date of this revision")
    approved_by: Name = Field(title="Who approves the manual")
    history: list[Revision] = Field([], max_length=200)
    distribution: list[Line] = Field([], max_length=50,
                                     title="Where the copies of the manual are kept")
    leave_out: list[LeaveOut] = Field(
        [], max_length=200, title="Library policies the company leaves out, each with its reason")
    consultations: list[Consultation] = Field(
        [], max_length=50, title="Consultations held (on which policy, when, with whom)")


class Profile(Strict):
    company: Company
    people: list[Person] = Field(min_length=1, max_length=200)
    worksites: list[Worksite] = Field(min_length=1, max_length=100)
    hazards: list[HazardKey] = Field([], max_length=100)
    dismissed_hazards: list[DismissedHazard] = Field([], max_length=100)
    dismissed_tasks: list[DismissedTask] = Field([], max_length=200)
    equipment: list[Equipment] = Field([], max_length=500)
    tasks: list[Task] = Field([], max_length=200)
    emergency: Emergency
    secor: Secor | None = None
    manual: ManualInfo

    def with_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.has(role)]

    @property
    def owner(self) -> Person:
        """Who signs for the company: the owner, else the senior manager (a valid profile
        has one of them: `rule_problems`)."""
        return next(p for role in LEAD_ROLES for p in self.with_role(role))

    def rule_problems(self) -> list[tuple[tuple, str, str]]:
        """The rules across fields, as (field path, what is wrong, how to fix it)."""
        out: list[tuple[tuple, str, str]] = []
        if not any(self.with_role(r) for r in LEAD_ROLES):
            out.append((("people",), "nobody has the role owner or senior_manager",
                        "add the role owner to the owner's entry"))
        for key, values, what, fix in (
                ("people", [p.name for p in self.people], "listed twice",
                 "list each person once, with all their roles"),
                ("equipment", [e.id for e in self.equipment], "used twice as a unit id",
                 "give every unit its own id"),
                ("hazards", list(self.hazards), "listed twice", "remove one of them")):
            seen: set[str] = set()
            for i, value in enumerate(values):
                if value in seen:
                    sub = (key, i, "name") if key == "people" else \
                        (key, i, "id") if key == "equipment" else (key, i)
                    out.append((sub, f"{value!r} is {what}", fix))
                seen.add(value)
        if OTHER_TRADE in self.company.trades and not self.company.trade_other:
            out.append((("company", "trades"), "other is named without saying which trade",
                        "write it in a few words under company.trade_other"))
        for i, d in enumerate(self.dismissed_hazards):
            if d.hazard in self.hazards:
                out.append((("dismissed_hazards", i, "hazard"),
                            f"{d.hazard!r} is both listed under hazards and dismissed",
                            "keep it in one of the two lists"))
        return out


# ------------------------------------------------------------------- the field words


# How an item of a list is named in a message: (its word, the field that tells it apart).
ITEM_WORDS: dict[str, tuple[str, str]] = {
    "training": ("course", "course"), "worksites": ("worksite", "name"),
    "equipment": ("unit", "id"), "leave_out": ("left-out policy", "id"),
    "tasks": ("task", "task"), "dismissed_tasks": ("dismissed task", "task"),
    "dismissed_hazards": ("dismissed hazard", "hazard"),
    "consultations": ("consultation", "about"),
}
# Lists of plain values: the value itself tells the item apart (steps are too long to).
VALUE_WORDS: dict[str, str] = {
    "hazards": "hazard", "roles": "role", "distribution": "distribution line",
    "trades": "trade", "access": "access", "steps": "step",
}


def _item_name(list_key: str, item: Any, index: int) -> str:
    n = index + 1
    if list_key == "people":
        name = item.get("name") if isinstance(item, Mapping) else None
        return str(name).strip() if name not in (None, "") else f"person {n}"
    if list_key == "history":
        return f"revision history line {n}"
    if list_key in ITEM_WORDS:
        word, key = ITEM_WORDS[list_key]
        value = item.get(key) if isinstance(item, Mapping) else None
        shown = str(value).strip() if value not in (None, "") else ""
        return f"{word} {n}" + (f" ({shown})" if shown else "")
    if list_key in VALUE_WORDS:
        shown = f" ({item})" if isinstance(item, str) and item and list_key != "steps" else ""
        return f"{VALUE_WORDS[list_key]} {n}{shown}"
    return f"{list_key} item {n}"


def field_words(key: tuple, data: Any) -> str:
    """A field path in the user's words: ('people', 0, 'training', 1, 'completed') ->
    "Dave Kowalski, course 2 (PHSM), completed"; mapping keys stay as written."""
    chunks: list[str] = []
    dotted: list[str] = []
    node = data
    for i, part in enumerate(key):
        nxt = key[i + 1] if i + 1 < len(key) else None
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            chunks.append(_item_name(str(key[i - 1]) if i else "", item, part))
            node = item
            continue
        node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(nxt, int):
            if dotted:
                chunks.append(".".join(dotted))
                dotted = []
            continue                    # the list's own name is said by its item's name
        dotted.append(str(part))
    if dotted:
        chunks.append(".".join(dotted))
    return ", ".join(chunks)


# ------------------------------------------------------------------- the loaded profile


@dataclass(frozen=True)
class Logo:
    """The company's logo as bytes, with the file name it was given."""

    name: str
    data: bytes

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.data)


@dataclass
class CompanyProfile:
    """A validated profile and where it came from (its folder holds the logo and the
    company's own files); made by `load_profile` from a file or from data."""

    profile: Profile
    doc: YamlDoc
    folder: Path | None = None
    logo: Logo | None = None
    source: Path | None = None          # the company.yaml it was read from
    problems: list[Problem] = field(default_factory=list)   # warnings

    @property
    def path(self) -> Path | None:
        return self.source


LoadedProfile = CompanyProfile      # the name the jobs knew it by

LOGO_FORMATS = ("PNG", "JPEG", "GIF", "BMP")
MAX_LOGO_BYTES = 10 * 1024 * 1024
MAX_LOGO_PIXELS = 40_000_000


def check_logo(data: bytes, name: str) -> str | None:
    """Why these bytes cannot be the logo, or None when they can."""
    if len(data) > MAX_LOGO_BYTES:
        return f"{name!r} is larger than {MAX_LOGO_BYTES // (1024 * 1024)} MB"
    try:
        with open_image(io.BytesIO(data), limit=MAX_LOGO_PIXELS) as img:
            img.verify()
            if img.format not in LOGO_FORMATS:
                return f"{name!r} is not a PNG or JPEG image"
    except TooLarge as exc:
        size = f"is {exc.width:,} x {exc.height:,} pixels" if exc.width and exc.height \
            else "has hundreds of millions of pixels"
        return (f"{name!r} {size}, more than a logo needs (at most "
                f"{MAX_LOGO_PIXELS // 1_000_000} million pixels)")
    except DECODE_ERRORS:
        return f"{name!r} is not a PNG or JPEG image"
    return None


def _read_logo(name: str, folder: Path | None, given: bytes | None, doc: YamlDoc,
               found: Collector) -> Logo | None:
    key = ("company", "logo")
    if given is not None:
        data = given
    elif folder is None:
        found.extend([doc.problem(key, f"logo file {name!r} was not given",
                                  "upload the logo, or leave the logo out")])
        return None
    else:
        path = folder / name
        try:
            if not inside(folder, path):
                found.extend([doc.problem(key, f"{name!r} is outside the profile's folder",
                                          "copy the logo next to company.yaml")])
                return None
            if not path.is_file():
                found.extend([doc.problem(key, f"logo file {name!r} not found", "put the "
                                          "image next to company.yaml or fix the name")])
                return None
            if path.stat().st_size > MAX_LOGO_BYTES:
                data = b"\0" * (MAX_LOGO_BYTES + 1)     # judged below without reading it all
            else:
                data = path.read_bytes()
        except OSError as exc:          # a name too long for the file system, no permission
            found.extend([doc.problem(key, f"logo file {Shown(name)!r} cannot be read "
                                      f"({exc.strerror})", "give the logo a short file name "
                                      "and put it next to company.yaml")])
            return None
    why = check_logo(data, name)
    if why:
        found.extend([doc.problem(key, why, "save the logo as a PNG or JPEG of a few "
                                            "hundred pixels")])
        return None
    return Logo(Path(name).name, data)


def first_aid_problems(profile: Profile, rules, doc: YamlDoc,
                       vocab: Vocabulary | None = None) -> list[Problem]:
    """Warnings where Part 18's need cannot be worked out, or the people do not meet it
    (judged on the manual's issue date)."""
    from manualgen.inputs.first_aid import first_aid_plan, first_lower

    out = []
    hazards = None
    if vocab is not None and vocab.trades:
        from manualgen.inputs.facts import company_facts
        hazards = company_facts(profile, vocab).hazards
    plan = first_aid_plan(profile, rules, profile.manual.issued, hazards)
    for i, site in enumerate(plan.sites):
        if site.band is None:
            out.append(doc.problem(
                ("worksites", i, "travel_minutes"),
                "the travel time to medical aid is not recorded, so the first aid this site "
                "needs cannot be worked out", "give the minutes it takes to bring an injured "
                "worker from this site to the nearest health centre or hospital "
                "(travel_minutes in company.yaml)", "warning",
                words=field_words))
        elif site.met is False:
            level = first_lower(site.level.label) if site.level else "first aid"
            have = ", ".join(site.qualified) or "nobody"
            out.append(doc.problem(
                ("worksites", i), f"first aid: {site.summary()}; qualified now: {have}",
                f"train {site.needed - len(site.qualified)} more attendant(s) in {level} "
                "(and give them the role first_aid)", "warning", words=field_words))
    return out


CLOCK_TIME = re.compile(r"\b([01]?\d|2[0-3])[:h.]([0-5]\d)\b")


def _duration(minutes: int) -> str:
    """240 -> '4 hours', 1439 -> '23 hours 59 minutes'."""
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    parts += [f"{rest} minute{'s' if rest != 1 else ''}"] if rest else []
    return " ".join(parts)


def check_in_problems(profile: Profile, hours: int, doc: YamlDoc) -> list[Problem]:
    """A warning when the check-in times the company wrote (in how crews call for help)
    leave a longer gap than its policies allow a lone worker: the manual would say both."""
    text = profile.emergency.remote_communication if profile.emergency else None
    if not text:
        return []
    times = sorted({int(h) * 60 + int(m) for h, m in CLOCK_TIME.findall(text)})
    gaps = [(b - a, a, b) for a, b in zip(times, times[1:], strict=False)]
    if not gaps or max(gaps)[0] <= hours * 60:
        return []
    gap, start, end = max(gaps)

    def clock(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return [doc.problem(
        ("emergency", "remote_communication"),
        f"the check-ins at {clock(start)} and {clock(end)} are {_duration(gap)} apart, "
        f"but the company's policies ask a lone worker to check in at least every "
        f"{_duration(hours * 60)}", f"add check-ins in between, or write that lone workers "
        f"check in at least every {_duration(hours * 60)}", "warning", words=field_words)]


def _hazard_words(key: str, vocab: Vocabulary) -> str:
    term = vocab.hazard_terms.get(key)
    return f"{key} ({term.label})" if term else key


def company_problems(profile: Profile, vocab: Vocabulary, doc: YamlDoc) -> list[Problem]:
    """What the company's data and its trades say the manual needs and the profile does
    not give: an unnamed trade, usual hazards neither listed nor dismissed, first aid
    attendants without a valid certificate, facilities without a phone number, and High or
    Critical tasks without a safe job procedure (an error: the manual would break its own
    rule)."""
    from manualgen.inputs.facts import company_facts, suggest_hazards, suggest_trades

    if not vocab.trades:
        return []
    facts = company_facts(profile, vocab)
    out: list[Problem] = []

    def add(key: tuple, message: str, fix: str, severity: str = "warning") -> None:
        out.append(doc.problem(key, message, fix, severity, words=field_words))

    c = profile.company
    text = f"{c.industry}. {c.scope_of_work}"
    if not c.trades:
        found = suggest_trades(text, vocab)
        add(("company", "industry"), "no trade is named, so the manual cannot bring in the "
            "hazards, tasks and emergency plans usual for your kind of business",
            "add company.trades: " + (f"[{', '.join(s.key for s in found)}] (suggested by "
                                      "your industry and scope of work)" if found else
                                      "[...] (manualgen library list shows them)"))
    for hazard, trade in facts.from_trades:
        label = vocab.trades[trade].label
        add(("hazards",), f"{_hazard_words(hazard, vocab)} is usual for {label} and the manual "
            "covers it, though it is not listed",
            f"add {hazard} to hazards, or dismiss it under dismissed_hazards with the reason it "
            "does not apply to you")
    have = set(facts.hazards) | {h for h, _ in facts.dismissed}
    for s in suggest_hazards(text, vocab, have):
        add(("company", "scope_of_work"), f"your scope of work mentions "
            f"{', '.join(repr(w) for w in s.because)}, but the hazard "
            f"{_hazard_words(s.key, vocab)} is not listed",
            f"add {s.key} to hazards, or dismiss it under dismissed_hazards with a reason")
    for f in facts.first_aiders_to_certify:
        i = profile.people.index(f.person)
        if f.expired_on:
            why = f"{f.person.name}'s first aid certificate ran out on {f.expired_on:%Y-%m-%d}"
        else:
            why = f"{f.person.name} has the first_aid role but no first aid course is recorded"
        add(("people", i, "training"), why + f", so the manual cannot call them a certified "
            f"attendant on its issue date ({facts.on:%Y-%m-%d}); it says the course will be "
            "taken within 30 days", "add the course (with completed and expires dates) to "
            "their training, or take the first_aid role off")
    for i, site in enumerate(profile.worksites):
        facility = vocab.facilities.get(site.facility) if site.facility else None
        if facility is not None and not facility.phone:
            add(("worksites", i, "facility"), f"no phone number is known for {facility.name}",
                "write the facility and its number under emergency.nearest_medical (NSNY: "
                "add it to facilities.yaml)")
        elif facility is None and vocab.facilities and \
                not any(ch.isdigit() for ch in profile.emergency.nearest_medical):
            add(("worksites", i, "facility"), "the nearest medical facility for this site has "
                "no phone number, so the emergency plan cannot print one",
                "set facility: to a key of the library's facilities (for example "
                "whitehorse-general-hospital), or add the number to emergency.nearest_medical")
    for line in facts.missing_procedures(vocab.procedure_from_score):
        if line.source != "company":
            continue
        i = next(n for n, t in enumerate(profile.tasks) if t.task == line.task)
        add(("tasks", i), f"{line.task!r} is rated {line.before} before controls (High or "
            "Critical), and the manual's rule is that every such task has a written safe "
            "job procedure", "write its steps under steps:, name a library procedure under "
            "procedure:, or check the rating", "error")
    return out


def profile_problems(doc: YamlDoc, vocab: Vocabulary, *, folder: Path | None = None,
                     logo: bytes | None = None) -> tuple[CompanyProfile | None, list[Problem]]:
    """Judge one profile: the loaded profile, or None and every problem at once."""
    found = Collector()
    if not isinstance(doc.data, dict):
        found.extend([doc.problem((), "the profile is empty or not a set of fields",
                                  "start from `manualgen init` or the example company.yaml")])
        return None, found.problems
    profile = None
    try:
        profile = Profile.model_validate(doc.data, context=vocab)
    except ValidationError as exc:
        found.extend(problems_from(exc, doc, words=field_words))
    company = doc.data.get("company") if isinstance(doc.data.get("company"), dict) else {}
    logo_name = company.get("logo")
    loaded_logo = None
    if isinstance(logo_name, str) and logo_name.strip():
        loaded_logo = _read_logo(logo_name.strip(), folder, logo, doc, found)
    if profile is not None:
        for key, message, fix in profile.rule_problems():
            found.extend([doc.problem(key, message, fix, words=field_words)])
        if vocab.first_aid is not None:
            found.extend(first_aid_problems(profile, vocab.first_aid, doc, vocab))
        if vocab.check_in_hours is not None:
            found.extend(check_in_problems(profile, vocab.check_in_hours, doc))
        found.extend(company_problems(profile, vocab, doc))
    problems = sorted(found.problems, key=lambda p: p.line or 0)
    if found.errors or profile is None:
        return None, problems
    return CompanyProfile(profile, doc, folder, loaded_logo), problems


def validate_profile(doc: YamlDoc, vocab: Vocabulary, *, folder: Path | None = None,
                     logo: bytes | None = None) -> CompanyProfile:
    """Every problem of one profile at once (as an InputError), or the loaded profile."""
    loaded, problems = profile_problems(doc, vocab, folder=folder, logo=logo)
    if loaded is None:
        raise InputError([p for p in problems if p.severity is Severity.ERROR])
    loaded.problems = problems
    return loaded


PROFILE_NAME = "company.yaml"


def load_profile(source: Path | str | Mapping[str, Any] | YamlDoc, vocab: Vocabulary, *,
                 folder: Path | None = None, logo: bytes | None = None,
                 name: str = PROFILE_NAME) -> CompanyProfile:
    """A profile from a company.yaml path, from its parsed data (a web form), or from a
    parsed document; `logo` gives the logo's bytes when there is no folder to read."""
    if isinstance(source, str | Path):
        path = Path(source)
        doc = load_yaml(path)
        loaded = validate_profile(doc, vocab, folder=folder or path.parent, logo=logo)
        loaded.source = path
        return loaded
    doc = source if isinstance(source, YamlDoc) else YamlDoc(name, dict(source))
    return validate_profile(doc, vocab, folder=folder, logo=logo)
