"""The report's figures, computed once from the records: every form of the report shows these.

The PDF, the Word file and the JSON are three views of one `Figures` value, so they cannot
disagree. Every number the program sets (rate base, small-workforce hours, hours per
employee, the recordable classes, the course rules) comes from the program rules; training
status and the supervisor ratio are asked of `manualgen.inputs.program`, never re-derived here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from manualgen.inputs import program
from manualgen.inputs.program import add_months
from manualgen.inputs.records import ACTION_STATUSES, Records
from manualgen.inputs.submission import Period, Submission

LOST_TIME = "lost_time"          # the class the lost-time frequency counts (domain 5)
MONTHS_A_YEAR = 12


# --- the figures --------------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    company: str
    legal_name: str
    wscb_account: str
    certificate_number: str | None
    certificate_date: dt.date | None
    anniversary: dt.date
    period_start: dt.date
    period_end: dt.date
    prepared_by: str
    owner: str                      # who signs: the owner or senior manager
    owner_position: str
    as_of: dt.date                  # the figures count records up to this day
    year: int


@dataclass(frozen=True)
class Month:
    key: str                        # 2026-03
    label: str                      # Mar 2026
    days: int                       # days of the month inside the review period
    days_in_month: int

    @property
    def whole(self) -> bool:
        return self.days == self.days_in_month


@dataclass(frozen=True)
class MonthHours:
    month: str
    hours: float | None             # None: not recorded
    employees: int | None


@dataclass(frozen=True)
class Workforce:
    peak_employees: int
    average_employees: float | None     # from the monthly headcounts, when given
    hours: float
    estimated: bool
    estimate_basis: str | None
    months: tuple[MonthHours, ...]
    months_not_recorded: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    per_month: float
    text: str                       # 1/month, 1/year
    source: str                     # the policy or submission.yaml


@dataclass(frozen=True)
class ActivityFigures:
    key: str
    label: str
    by_month: tuple[int, ...]       # one count per report month
    total: int
    target: Target | None
    target_period: float | None     # the target over the whole review period
    target_to_date: int | None      # the target up to the as-of day, rounded
    percent_of_target: int | None   # total against the target to date
    months_below: tuple[str, ...]   # finished whole months below a monthly target
    status: str                     # met, below, no target

    def monthly_target(self, month: Month) -> float | None:
        """The target for one month, pro rata for a part month at either end."""
        if self.target is None:
            return None
        return self.target.per_month * month.days / month.days_in_month


@dataclass(frozen=True)
class IncidentClass:
    key: str
    label: str
    count: int
    days_lost: int
    modified_days: int
    investigated: int
    reported_to_wscb: int


@dataclass(frozen=True)
class IncidentLine:
    date: dt.date
    cls: str
    label: str
    description: str
    days_lost: int
    modified_days: int
    investigated: bool
    reported_to_wscb: bool | None


@dataclass(frozen=True)
class Rates:
    base_hours: int
    hours: float
    lost_time_injuries: int
    recordable_injuries: int
    recordable_classes: tuple[str, ...]
    days_lost: int
    lost_time_frequency: float | None   # None: no hours to divide by
    total_recordable_frequency: float | None
    severity: float | None
    small_workforce: bool
    small_workforce_hours: int


@dataclass(frozen=True)
class CourseLine:
    course: str
    title: str
    status: program.CourseState
    completed: dt.date | None
    expires: dt.date | None
    grace_end: dt.date | None


@dataclass(frozen=True)
class PersonLine:
    name: str
    position: str
    supervisor: bool
    required: tuple[CourseLine, ...]
    other: tuple[CourseLine, ...]


@dataclass(frozen=True)
class CompanyCourseLine:
    course: str
    title: str
    met: bool
    status: program.CourseState
    holder: str | None
    expires: dt.date | None


@dataclass(frozen=True)
class Training:
    as_of: dt.date
    company_courses: tuple[CompanyCourseLine, ...]
    people: tuple[PersonLine, ...]
    supervisors: tuple[str, ...]
    supervisors_with_course: tuple[str, ...]
    supervisors_without: tuple[str, ...]
    supervisor_course: str
    required_share: float
    required_count: int
    ratio_met: bool


@dataclass(frozen=True)
class ActionLine:
    item: str
    element: int | None
    finding: str
    action: str
    responsible: str
    due: dt.date | None
    status: str                     # open, in_progress, closed
    status_label: str
    completed: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class ActionPlan:
    total: int
    closed: int
    open: int                       # not closed (open or in progress)
    in_progress: int
    overdue: int
    items: tuple[ActionLine, ...]


@dataclass(frozen=True)
class PastGoal:
    goal: str
    outcome: str
    result: str                     # Met, Partly met, Not met


@dataclass(frozen=True)
class NextGoal:
    goal: str
    measure: str | None
    responsible: str | None
    due: dt.date | None


@dataclass(frozen=True)
class ComparisonRow:
    group: str                      # Workforce, Activities, Incidents, Rates
    label: str
    previous: float | None
    current: float | None
    kind: str                       # count, hours, rate


@dataclass(frozen=True)
class Comparison:
    period_start: dt.date | None
    period_end: dt.date | None
    rows: tuple[ComparisonRow, ...]


@dataclass(frozen=True)
class Figures:
    header: Header
    months: tuple[Month, ...]
    period_months: float
    workforce: Workforce
    activities: tuple[ActivityFigures, ...]
    activities_total: int
    activities_by_month: tuple[int, ...]
    incidents: tuple[IncidentClass, ...]
    incident_list: tuple[IncidentLine, ...]
    rates: Rates
    training: Training
    action_plan: ActionPlan
    last_year_goals: tuple[PastGoal, ...]
    next_year_goals: tuple[NextGoal, ...]
    comparison: Comparison | None
    sources: tuple[str, ...]        # the record files read, relative to the submission

    @property
    def incidents_total(self) -> int:
        return sum(c.count for c in self.incidents)


# --- calendar -----------------------------------------------------------------------

def report_months(period: Period) -> tuple[Month, ...]:
    """The calendar months the review period touches, with the days of each inside it."""
    out = []
    first = dt.date(period.start.year, period.start.month, 1)
    while first <= period.end:
        length = calendar.monthrange(first.year, first.month)[1]
        last = first.replace(day=length)
        days = (min(last, period.end) - max(first, period.start)).days + 1
        out.append(Month(f"{first:%Y-%m}", f"{first:%b %Y}", days, length))
        first = last + dt.timedelta(days=1)
    return tuple(out)


def month_end(month: Month) -> dt.date:
    year, number = (int(x) for x in month.key.split("-"))
    return dt.date(year, number, month.days_in_month)


def period_length_months(period: Period) -> float:
    """Whole calendar months from the start, plus the part of the next one (Dec 16 to
    Dec 15 is 12)."""
    whole = 0
    while add_months(period.start, whole + 1) - dt.timedelta(days=1) <= period.end:
        whole += 1
    rest_start = add_months(period.start, whole)
    rest_days = (period.end - rest_start).days + 1
    if rest_days <= 0:
        return float(whole)
    span = (add_months(period.start, whole + 1) - rest_start).days
    return round(whole + rest_days / span, 2)


# --- rates --------------------------------------------------------------------------

def rate(count: float, hours: float, base: int) -> float | None:
    """count x base / hours, rounded half up to 2 decimals; None without hours."""
    if not hours:
        return None
    value = Decimal(str(count)) * Decimal(base) / Decimal(str(hours))
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def compute_rates(incidents: list, hours: float, sub: Submission) -> Rates:
    rules = sub.library.rules
    stats = rules.statistics
    recordable = tuple(rules.recordable_classes)
    lost = sum(1 for i in incidents if i.cls == LOST_TIME)
    rec = sum(1 for i in incidents if i.cls in recordable)
    days = sum(i.days_lost for i in incidents)
    base = stats.rate_base_hours
    return Rates(base, hours, lost, rec, recordable, days, rate(lost, hours, base),
                 rate(rec, hours, base), rate(days, hours, base),
                 hours < stats.small_workforce_hours, stats.small_workforce_hours)


# --- targets ------------------------------------------------------------------------

def _frequency(text: str) -> float:
    count, unit = text.split("/")
    return int(count) / (MONTHS_A_YEAR if unit == "year" else 1)


def _number(value: float) -> str:
    return f"{value:g}"


def resolve_targets(sub: Submission) -> dict[str, Target]:
    """Per-month targets: the strictest the company's policies state, then submission.yaml."""
    targets: dict[str, Target] = {}
    for policy in sub.inputs.policies:
        for key, freq in policy.header.targets.items():
            per_month = _frequency(freq)
            if key not in targets or per_month > targets[key].per_month:
                targets[key] = Target(per_month, freq, f"{policy.title} policy")
    for key, per_month in sub.settings.targets.items():
        targets[key] = Target(per_month, f"{_number(per_month)}/month", "submission.yaml")
    return targets


def _whole(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _activities(records: Records, months: tuple[Month, ...], sub: Submission,
                as_of: dt.date) -> tuple[ActivityFigures, ...]:
    targets = resolve_targets(sub)
    index = {m.key: i for i, m in enumerate(months)}
    period_months = period_length_months(sub.period)
    elapsed = period_length_months(Period(start=sub.period.start, end=as_of))
    finished = {m.key for m in months if m.whole and month_end(m) <= as_of}
    out = []
    for key, label in sub.library.rules.activities.items():
        counts = [0] * len(months)
        for a in records.activities:
            if a.activity == key:
                counts[index[f"{a.date:%Y-%m}"]] += 1
        total = sum(counts)
        target = targets.get(key)
        period_target = to_date = percent = None
        below: tuple[str, ...] = ()
        status = "no target"
        if target is not None:
            period_target = round(target.per_month * period_months, 1)
            to_date = _whole(target.per_month * elapsed)
            percent = round(100 * total / to_date) if to_date else None
            status = "met" if total >= to_date else "below"
            if target.per_month >= 1:
                below = tuple(m.label for m, n in zip(months, counts, strict=True)
                              if m.key in finished and n < target.per_month)
        out.append(ActivityFigures(key, label, tuple(counts), total, target, period_target,
                                   to_date, percent, below, status))
    return tuple(out)


# --- workforce ------------------------------------------------------------------------

def _workforce(records: Records, months: tuple[Month, ...], period_months: float,
               sub: Submission, as_of: dt.date) -> Workforce:
    peak = sub.inputs.profile.profile.company.peak_employees
    per_employee = sub.library.rules.statistics.estimated_hours_per_employee
    if not records.hours:          # no file, or only its header row
        hours = round(peak * per_employee * period_months / MONTHS_A_YEAR, 1)
        basis = (f"{peak} employee{'' if peak == 1 else 's'} (peak) x {per_employee:,} "
                 f"hours a year x {_number(period_months)} months / 12")
        return Workforce(peak, None, hours, True, basis,
                         tuple(MonthHours(m.key, None, None) for m in months), ())
    given = {f"{h.month:%Y-%m}": h for h in records.hours}
    rows = tuple(MonthHours(m.key, given[m.key].hours if m.key in given else None,
                            given[m.key].employees if m.key in given else None)
                 for m in months)
    counts = [r.employees for r in rows if r.employees is not None]
    average = round(sum(counts) / len(counts), 1) if counts else None
    total = float(sum(Decimal(str(h.hours)) for h in records.hours))
    # Months that had begun by the as-of day and have no hours; later ones are not due yet.
    missing = tuple(m.label for m in months
                    if m.key not in given and f"{as_of:%Y-%m}" >= m.key)
    return Workforce(peak, average, total, False, None, rows, missing)


# --- training -------------------------------------------------------------------------

def _course_line(status: program.CourseStatus) -> CourseLine:
    return CourseLine(status.course, status.title, status.status, status.completed,
                      status.expires, status.grace_end)


def _training(sub: Submission, on: dt.date) -> Training:
    rules = sub.library.rules
    profile = sub.inputs.profile.profile
    people = []
    for person in program.training_status(profile, rules, on):
        required = tuple(_course_line(c) for c in person.courses if c.course in person.required)
        other = tuple(_course_line(c) for c in person.courses if c.course not in person.required)
        people.append(PersonLine(person.name, person.position, person.supervisor, required,
                                 other))
    courses = tuple(
        CompanyCourseLine(c.course, c.title, c.met, c.status, c.holder,
                          c.holder_status.expires if c.holder_status else None)
        for c in program.company_courses(profile, rules, on))
    ratio = program.lse_ratio(profile, rules, on)
    return Training(on, courses, tuple(people), ratio.supervisors, ratio.with_course,
                    ratio.without, rules.supervisor_course, ratio.target, ratio.required,
                    ratio.met)


# --- action plan, goals, comparison ------------------------------------------------------

def _action_plan(records: Records, on: dt.date) -> ActionPlan:
    items = []
    for a in records.actions:
        overdue = a.status != "closed" and a.due is not None and a.due < on
        items.append(ActionLine(a.item, a.element, a.finding, a.action, a.responsible, a.due,
                                a.status, ACTION_STATUSES[a.status], a.completed, overdue))
    closed = sum(1 for i in items if i.status == "closed")
    return ActionPlan(len(items), closed, len(items) - closed,
                      sum(1 for i in items if i.status == "in_progress"),
                      sum(1 for i in items if i.overdue), tuple(items))


def _comparison(records: Records, activities: tuple[ActivityFigures, ...],
                incidents: tuple[IncidentClass, ...], rates: Rates,
                sub: Submission) -> Comparison | None:
    prev = records.previous
    if prev is None:
        return None
    rules = sub.library.rules
    rows: list[ComparisonRow] = [
        ComparisonRow("Workforce", "Hours worked", prev.hours, rates.hours, "hours")]
    for a in activities:
        if a.key in prev.activities or a.total:
            rows.append(ComparisonRow("Activities", a.label, prev.activities.get(a.key),
                                      a.total, "count"))
    for c in incidents:
        if c.key in prev.incidents or c.count:
            rows.append(ComparisonRow("Incidents", c.label, prev.incidents.get(c.key),
                                      c.count, "count"))
    rows.append(ComparisonRow("Incidents", "Days lost", prev.days_lost, rates.days_lost,
                              "count"))
    rows.append(ComparisonRow("Incidents", "Days on modified work", prev.modified_days,
                              sum(c.modified_days for c in incidents), "count"))
    base = rules.statistics.rate_base_hours
    have = prev.hours is not None and bool(prev.incidents)
    prev_lost = prev.incidents.get(LOST_TIME, 0)
    prev_rec = sum(n for k, n in prev.incidents.items() if k in rules.recordable_classes)
    prev_hours = prev.hours or 0
    rows += [
        ComparisonRow("Rates", "Lost-time frequency",
                      rate(prev_lost, prev_hours, base) if have else None,
                      rates.lost_time_frequency, "rate"),
        ComparisonRow("Rates", "Total recordable frequency",
                      rate(prev_rec, prev_hours, base) if have else None,
                      rates.total_recordable_frequency, "rate"),
        ComparisonRow("Rates", "Severity",
                      rate(prev.days_lost, prev_hours, base)
                      if prev.hours is not None and prev.days_lost is not None else None,
                      rates.severity, "rate"),
    ]
    period = prev.period
    return Comparison(period.start if period else None, period.end if period else None,
                      tuple(rows))


# --- the whole ------------------------------------------------------------------------

def as_of_date(sub: Submission, records: Records, on: dt.date | None) -> dt.date:
    """The day the figures count to: `--on`, else the last record's date, within the period."""
    if on is not None:
        return min(on, sub.period.end)
    last = records.last_date
    return min(last, sub.period.end) if last else sub.period.end


def compute_figures(sub: Submission, records: Records, on: dt.date | None = None) -> Figures:
    rules = sub.library.rules
    profile = sub.inputs.profile.profile
    as_of = as_of_date(sub, records, on)
    months = report_months(sub.period)
    length = period_length_months(sub.period)
    owner = profile.owner
    header = Header(
        profile.company.name, profile.company.legal_name, profile.company.wscb_account,
        profile.secor.certificate_number if profile.secor else None,
        profile.secor.certificate_date if profile.secor else None,
        sub.anniversary, sub.period.start, sub.period.end, sub.prepared_by,
        owner.name, owner.position, as_of, sub.year)
    workforce = _workforce(records, months, length, sub, as_of)
    activities = _activities(records, months, sub, as_of)
    classes = []
    for key, label in rules.incident_classes.items():
        rows = [i for i in records.incidents if i.cls == key]
        classes.append(IncidentClass(
            key, label, len(rows), sum(i.days_lost for i in rows),
            sum(i.modified_days for i in rows), sum(1 for i in rows if i.investigated),
            sum(1 for i in rows if i.reported_to_wscb)))
    incidents = tuple(classes)
    incident_list = tuple(
        IncidentLine(i.date, i.cls, rules.incident_classes[i.cls], i.description, i.days_lost,
                     i.modified_days, i.investigated, i.reported_to_wscb)
        for i in sorted(records.incidents, key=lambda i: (i.date, i.row)))
    rates = compute_rates(records.incidents, workforce.hours, sub)
    by_month = tuple(sum(col) for col in zip(*(a.by_month for a in activities), strict=True)) \
        if activities else tuple(0 for _ in months)
    sources = tuple(path.relative_to(sub.folder).as_posix()
                    for path in records.sources.values())
    return Figures(
        header, months, length, workforce, activities, sum(a.total for a in activities),
        by_month, incidents, incident_list, rates, _training(sub, as_of),
        _action_plan(records, as_of),
        tuple(PastGoal(g.goal, g.outcome, g.result) for g in records.goals.last_year),
        tuple(NextGoal(g.goal, g.measure, g.responsible, g.due)
              for g in records.goals.next_year),
        _comparison(records, activities, incidents, rates, sub), sources)
