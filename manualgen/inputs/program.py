"""The SECOR program rules, read from the library's `program.yaml`.

This module is the one place rules are applied: the profile check, the manual, the
status command, the packager and the summary report all ask it. No rule is a literal in
code; every number comes from the data file NSNY edits.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from manualgen import resources
from manualgen.inputs.models import Date, Strict, validate
from manualgen.io import load_yaml


class Course(Strict):
    title: str
    validity_years: int | None = None
    grace_months: int = 0
    renewed_by: str | None = None
    renews: str | None = None


class CycleYear(Strict):
    due: str
    title: str


class Cycle(Strict):
    certificate_years: int
    years: dict[int, CycleYear]
    review_period_months: int
    documented_activity_months: list[int]


class Statistics(Strict):
    rate_base_hours: int
    small_workforce_hours: int
    estimated_hours_per_employee: int


class RiskBand(Strict):
    label: str
    from_: int = Field(alias="from", ge=1)


class RiskMatrix(Strict):
    severity: dict[int, str]
    likelihood: dict[int, str]
    bands: list[RiskBand] = Field(min_length=1)

    def band(self, score: int) -> str:
        return next((b.label for b in self.bands if score >= b.from_), self.bands[-1].label)

    def describe(self, severity: int, likelihood: int) -> str:
        """'12 Critical (Critical x Likely)'."""
        score = severity * likelihood
        return (f"{score} {self.band(score)} ({self.severity.get(severity, severity)} x "
                f"{self.likelihood.get(likelihood, likelihood)})")


class Step(Strict):
    key: str
    title: str


class ProgramRules(Strict):
    program: str
    administered_by: str
    issued_by: str
    employee_limit: int = Field(gt=0)
    courses: dict[str, Course]
    required_courses: list[str]
    course_holder_roles: list[str]
    course_holder_employment: list[str]
    supervisor_lse_ratio: float = Field(ge=0, le=1)
    supervisor_roles: list[str]
    # Who directs the work when nobody has a supervisor role (the owner of a small crew).
    supervisor_fallback_roles: list[str] = []
    # The course the supervisor ratio counts (program.yaml `supervisor_course`).
    supervisor_course: str = "LSE"
    safety_rep_min_workers: int
    joint_committee_min_workers: int
    cycle: Cycle
    reminder_days: list[int]
    audit_pass_mark: float
    audit_element_minimum: float
    default_samples_per_category: int = Field(ge=0)
    statistics: Statistics
    wscb_report_working_days: int
    wscb_phone: str
    wscb_serious_incident_phone: str
    # The longest gap between a lone worker's check-ins (hours); None: no such rule.
    lone_worker_check_in_hours: int | None = Field(None, gt=0, le=24)
    regulation_parts: dict[int, str] = {}
    # The Parts every company's manual names, and the emergency scenarios every plan has.
    parts_always: list[int] = []
    scenarios_always: list[str] = []
    # A first aid certificate recorded without an expiry date counts as valid this long.
    first_aid_validity_years: int = Field(default=3, gt=0)
    # Age under which a worker is a young worker (orientation, supervision, task limits).
    young_worker_age: int = Field(default=18, gt=0)
    # The lowest risk score (severity x likelihood, before controls) of a task that needs
    # a written safe job procedure: the risk matrix's High band.
    procedure_from_score: int = Field(default=8, gt=0)
    risk_matrix: RiskMatrix | None = None
    practice_elements: list[int] = []
    policy_review_months: int = Field(default=12, gt=0)
    certification_steps: list[Step]
    activities: dict[str, str]
    incident_classes: dict[str, str]
    recordable_classes: list[str]

    def course_title(self, key: str) -> str:
        course = self.courses.get(key)
        return course.title if course else key

    def base_course(self, key: str) -> str:
        """LSE-REFRESHER counts as LSE: the course it renews, or itself."""
        course = self.courses.get(key)
        return course.renews if course and course.renews else key

    def needs_safety_rep(self, workers: int) -> bool:
        return workers >= self.safety_rep_min_workers


def load_rules(library_dir: Path | None = None) -> ProgramRules:
    """program.yaml of a policy library folder (the bundled one by default), read afresh:
    a library's rules live on its `Library`, which decides when to read them again."""
    directory = library_dir or resources.library_paths().policies
    return validate(ProgramRules, load_yaml(directory / "program.yaml"))


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; the 29th-31st fall back to the month's last day (Feb 29 -> 28)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d) if d <= day.day else dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)




# ---------------------------------------------------------------------------------------
# The rules applied (issue 5). Pure functions of (profile data, rules, a date): the status
# command, the manual, the packager and the summary report all ask these, none repeats a
# rule. Dates are inclusive: a course is valid on its expiry date, a due item is due on
# its anniversary date and late from the day after.
# ---------------------------------------------------------------------------------------

class CourseState(StrEnum):
    """A course's state for one person on one day; `label` is its one wording, used by the
    manual, status, the summary report, the CLI and the web app alike."""

    VALID = "valid"
    EXPIRING = "expiring"      # valid, but expires within max(reminder_days)
    IN_GRACE = "in_grace"      # past expiry, inside the course's grace period: counts, flagged
    EXPIRED = "expired"
    FUTURE = "future"          # only completed after the date asked about: booked
    MISSING = "missing"

    @property
    def label(self) -> str:
        return COURSE_LABELS[self]


COURSE_LABELS = {
    CourseState.VALID: "Valid", CourseState.EXPIRING: "Expiring soon",
    CourseState.IN_GRACE: "In grace period", CourseState.EXPIRED: "Expired",
    CourseState.FUTURE: "Booked", CourseState.MISSING: "Not taken",
}
VALID, EXPIRING, IN_GRACE = CourseState.VALID, CourseState.EXPIRING, CourseState.IN_GRACE
EXPIRED, MISSING, FUTURE = CourseState.EXPIRED, CourseState.MISSING, CourseState.FUTURE
COURSE_STATES = tuple(CourseState)   # best first
HOLDS = (VALID, EXPIRING, IN_GRACE)


@dataclass(frozen=True)
class CourseStatus:
    """One course for one person on one day."""

    course: str                    # the base course key (LSE for an LSE-REFRESHER) or free text
    title: str
    status: CourseState
    completed: dt.date | None = None
    taken_as: str | None = None    # the course actually taken (LSE-REFRESHER)
    expires: dt.date | None = None  # None: does not expire (or missing)
    grace_end: dt.date | None = None
    days_left: int | None = None   # days to expiry; negative once expired

    @property
    def holds(self) -> bool:
        """Counts as held: valid, expiring or inside its grace period."""
        return self.status in HOLDS

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class PersonTraining:
    name: str
    position: str
    roles: tuple[str, ...]
    employment: str
    course_holder: bool            # may be the company's trainee (role or employment)
    supervisor: bool
    required: tuple[str, ...]      # the course keys this person is expected to hold
    courses: tuple[CourseStatus, ...]  # required ones first, then every other course taken

    def course(self, key: str) -> CourseStatus | None:
        return next((c for c in self.courses if c.course == key), None)


@dataclass(frozen=True)
class CompanyCourse:
    """Whether one required course is held validly by an eligible person."""

    course: str
    title: str
    met: bool
    status: CourseState            # the best status among eligible people
    holder: str | None             # the eligible person with that status
    holder_status: CourseStatus | None
    ineligible_holders: tuple[str, ...]  # hold it validly but may not be the trainee


@dataclass(frozen=True)
class LseRatio:
    supervisors: tuple[str, ...]   # each person once, whatever their number of roles
    with_course: tuple[str, ...]   # hold the supervisor course (grace counts)
    in_grace: tuple[str, ...]      # counted, but inside the grace period: renew now
    without: tuple[str, ...]
    required: int                  # how many must hold it
    target: float                  # rules.supervisor_lse_ratio
    met: bool

    @property
    def share(self) -> float | None:
        return len(self.with_course) / len(self.supervisors) if self.supervisors else None


@dataclass(frozen=True)
class Eligibility:
    peak_employees: int
    limit: int
    eligible: bool


@dataclass(frozen=True)
class DueItem:
    """What is due before one anniversary of the cycle."""

    cycle_year: int
    due: str                       # key from rules.cycle.years (annual_submission, ...)
    title: str
    date: dt.date                  # the anniversary date it is due by
    period_start: dt.date          # the review period it covers
    period_end: dt.date


@dataclass(frozen=True)
class CyclePosition:
    certificate_number: str
    certificate_date: dt.date
    certificate_expires: dt.date
    cycle_year: int
    anniversary: dt.date           # the anniversary this cycle year ends on
    next_item: DueItem
    days_left: int                 # negative: that many days late
    certificate_expired: bool

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def course_key(name: str, rules: ProgramRules) -> str:
    """The program's key for a course name (`lse` -> `LSE`), or the name as written."""
    name = name.strip()
    return name.upper() if name.upper() in rules.courses else name


def _base(name: str, rules: ProgramRules) -> str:
    return rules.base_course(course_key(name, rules))


def _validity(record, rules: ProgramRules) -> tuple[dt.date | None, dt.date | None]:
    """(expiry, grace end) of one training record; an explicit `expires` wins."""
    rule = rules.courses.get(course_key(record.course, rules))
    expires = record.expires
    if expires is None and rule is not None and rule.validity_years is not None:
        expires = add_years(record.completed, rule.validity_years)
    grace = rule.grace_months if rule is not None else 0
    grace_end = add_months(expires, grace) if expires is not None and grace else None
    return expires, grace_end


def course_status(training: list, course: str, rules: ProgramRules,
                  on: dt.date) -> CourseStatus:
    """The status of `course` (or a refresher renewing it) from one person's records."""
    base = _base(course, rules)
    title = rules.course_title(base)
    records = [t for t in training if _base(t.course, rules).casefold() == base.casefold()]
    done = [t for t in records if t.completed <= on]
    if not done:
        if records:
            first = min(records, key=lambda t: t.completed)
            return CourseStatus(base, title, FUTURE, first.completed,
                                course_key(first.course, rules))
        return CourseStatus(base, title, MISSING)

    def reach(t) -> tuple[dt.date, dt.date]:
        expires, grace_end = _validity(t, rules)
        return (grace_end or expires or dt.date.max, t.completed)

    best = max(done, key=reach)
    expires, grace_end = _validity(best, rules)
    taken = course_key(best.course, rules)
    if expires is None:
        return CourseStatus(base, title, VALID, best.completed, taken)
    days_left = (expires - on).days
    if days_left >= 0:
        state = EXPIRING if days_left <= max(rules.reminder_days, default=0) else VALID
    elif grace_end is not None and on <= grace_end:
        state = IN_GRACE
    else:
        state = EXPIRED
    return CourseStatus(base, title, state, best.completed, taken, expires, grace_end, days_left)


def is_course_holder(person, rules: ProgramRules) -> bool:
    """May be the company's trainee: an owner/senior manager, or a full-time employee."""
    return (any(r in rules.course_holder_roles for r in person.roles)
            or person.employment in rules.course_holder_employment)


def supervisors(profile, rules: ProgramRules) -> list:
    """The people who direct work: those with a supervisor role; when nobody has one, the
    owner (rules.supervisor_fallback_roles), who then directs the work. A senior manager
    who does not direct work is not a supervisor. The one place this is decided."""
    found = [p for p in profile.people if any(r in rules.supervisor_roles for r in p.roles)]
    if not found:
        found = [p for p in profile.people
                 if any(r in rules.supervisor_fallback_roles for r in p.roles)]
    return found


def is_supervisor(person, rules: ProgramRules, profile) -> bool:
    return any(p is person for p in supervisors(profile, rules))


def required_for(person, rules: ProgramRules, supervisor: bool) -> tuple[str, ...]:
    """Courses a person is expected to hold: all required ones for owners and senior
    managers, the supervisor course for supervisors."""
    keys: list[str] = []
    if any(r in rules.course_holder_roles for r in person.roles):
        keys += rules.required_courses
    if supervisor:
        keys.append(rules.supervisor_course)
    return tuple(dict.fromkeys(rules.base_course(k) for k in keys))


def person_training(person, rules: ProgramRules, on: dt.date, *,
                    supervisor: bool) -> PersonTraining:
    required = required_for(person, rules, supervisor)
    others = dict.fromkeys(_base(t.course, rules) for t in person.training)
    seen = {k.casefold() for k in required}
    keys = list(required) + [k for k in others if k.casefold() not in seen]
    return PersonTraining(
        person.name, person.position, tuple(person.roles), person.employment,
        is_course_holder(person, rules), supervisor, required,
        tuple(course_status(person.training, k, rules, on) for k in keys))


def training_status(profile, rules: ProgramRules, on: dt.date) -> list[PersonTraining]:
    """Every person's courses, in profile order."""
    leads = supervisors(profile, rules)
    return [person_training(p, rules, on, supervisor=any(p is s for s in leads))
            for p in profile.people]


def _rank(status: CourseStatus) -> tuple[int, int]:
    return (COURSE_STATES.index(status.status), -(status.days_left or 10**6))


def company_courses(profile, rules: ProgramRules, on: dt.date) -> list[CompanyCourse]:
    """Each required course: held validly by a person who may be the trainee?"""
    out = []
    for key in rules.required_courses:
        base = rules.base_course(key)
        eligible, ineligible = [], []
        for person in profile.people:
            status = course_status(person.training, base, rules, on)
            if is_course_holder(person, rules):
                eligible.append((status, person.name))
            elif status.holds:
                ineligible.append(person.name)
        best = min(eligible, key=lambda e: _rank(e[0]), default=None)
        if best is None:
            out.append(CompanyCourse(base, rules.course_title(base), False, MISSING, None, None,
                                     tuple(ineligible)))
            continue
        status, name = best
        holder = name if status.status != MISSING else None
        out.append(CompanyCourse(base, rules.course_title(base), status.holds, status.status,
                                 holder, status if holder else None, tuple(ineligible)))
    return out


def lse_ratio(profile, rules: ProgramRules, on: dt.date) -> LseRatio:
    """Supervisors holding the supervisor course against rules.supervisor_lse_ratio.

    Supervisors are `supervisors(profile, rules)`, each counted once however many roles
    they have. With no supervisor at all the rule is unmet: someone directs the work and
    must be listed.
    """
    names, valid, grace, without = [], [], [], []
    for person in supervisors(profile, rules):
        if person.name in names:
            continue
        names.append(person.name)
        status = course_status(person.training, rules.supervisor_course, rules, on)
        (valid if status.holds else without).append(person.name)
        if status.status == IN_GRACE:
            grace.append(person.name)
    target = rules.supervisor_lse_ratio
    required = math.ceil(round(target * len(names), 9))
    met = bool(names) and len(valid) >= required
    return LseRatio(tuple(names), tuple(valid), tuple(grace), tuple(without), required,
                    target, met)


def eligibility(profile, rules: ProgramRules) -> Eligibility:
    peak = profile.company.peak_employees
    return Eligibility(peak, rules.employee_limit, peak < rules.employee_limit)


def review_period(anniversary: dt.date, rules: ProgramRules) -> tuple[dt.date, dt.date]:
    """The months before an anniversary a submission covers, the anniversary included."""
    start = add_months(anniversary, -rules.cycle.review_period_months) + dt.timedelta(days=1)
    return start, anniversary


def anniversaries(certificate_date: dt.date, rules: ProgramRules) -> tuple[dt.date, ...]:
    """The certificate's anniversaries, 1..certificate_years; each counted from the date of
    issue, so a February 29 certificate has its anniversaries on February 28."""
    return tuple(add_years(certificate_date, n)
                 for n in range(1, rules.cycle.certificate_years + 1))


def next_anniversary(certificate_date: dt.date, on: dt.date) -> dt.date:
    """The first anniversary on or after `on` (any year, past the cycle too)."""
    years = max(1, on.year - certificate_date.year - 1)
    while add_years(certificate_date, years) < on:
        years += 1
    return add_years(certificate_date, years)


def cycle_items(certificate_date: dt.date, rules: ProgramRules) -> tuple[DueItem, ...]:
    """Every item of the cycle: year y is due by the anniversary y - 1 years after issue
    (year 1, the certifying audit, is the date of issue itself)."""
    items = []
    for year in sorted(rules.cycle.years):
        entry = rules.cycle.years[year]
        date = add_years(certificate_date, year - 1)
        start, end = review_period(date, rules)
        items.append(DueItem(year, entry.due, entry.title, date, start, end))
    return tuple(items)


def cycle_position(secor, rules: ProgramRules, on: dt.date) -> CyclePosition:
    """Where a certified company stands on `on`: the next item due, or the last one late."""
    issued = secor.certificate_date
    items = cycle_items(issued, rules)
    # the first item (the certifying audit) is done on the date of issue itself
    item = next((i for n, i in enumerate(items) if on < i.date or (n and on == i.date)),
                items[-1])
    expires = add_years(issued, rules.cycle.certificate_years)
    return CyclePosition(secor.certificate_number, issued, expires, item.cycle_year, item.date,
                         item, (item.date - on).days, on > expires)


def reminder_dates(due: dt.date, rules: ProgramRules) -> tuple[dt.date, ...]:
    """The reminder days before a due date or expiry, earliest first."""
    return tuple(due - dt.timedelta(days=d) for d in sorted(set(rules.reminder_days),
                                                              reverse=True))


__all__ = [
    "ProgramRules", "Course", "load_rules", "add_months", "add_years", "Date",
    "CourseState", "COURSE_LABELS", "VALID", "EXPIRING", "IN_GRACE", "EXPIRED", "MISSING",
    "FUTURE", "COURSE_STATES", "HOLDS",
    "CourseStatus", "PersonTraining", "CompanyCourse", "LseRatio", "Eligibility", "DueItem",
    "CyclePosition", "course_key", "course_status", "is_course_holder", "is_supervisor",
    "supervisors",
    "required_for", "person_training", "training_status", "company_courses", "lse_ratio",
    "eligibility", "review_period", "anniversaries", "next_anniversary", "cycle_items",
    "cycle_position", "reminder_dates",
]
