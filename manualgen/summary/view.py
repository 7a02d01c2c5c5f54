"""The figures as the words and numbers a reader sees, shared by the PDF and the Word file.

Both documents print these strings and nothing else, so a count, a rate or a status reads
the same in both, and the same as in the JSON (which carries the numbers behind them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from manualgen.inputs.program import COURSE_LABELS, CourseState
from manualgen.render.jinja import long_date
from manualgen.summary.figures import ActivityFigures, Figures, Month

TITLE = "Year End Safety Activity Summary Report"
NOT_YET = "–"                 # a month after the day the records end
NOT_GIVEN = "?"               # a month gone by with no hours recorded

COURSE_STATES = COURSE_LABELS
RESULTS = {"met": "Met", "below": "Below target", "no target": "No target set"}


def count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def change(previous: float | None, current: float | None, kind: str) -> str:
    if previous is None or current is None:
        return ""
    diff = current - previous
    if kind == "rate":
        return f"{diff:+.2f}" if diff else "0.00"
    text = number(abs(diff))
    return "0" if not diff else ("+" if diff > 0 else "−") + text


def plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "n/a"}[value]


def short_month(month: Month) -> str:
    return month.label.replace(" 20", " ")   # Dec 2025 -> Dec 25


def _course(c: Any) -> str:
    text = COURSE_STATES.get(c.status, c.status)
    if c.expires and c.status in (CourseState.VALID, CourseState.EXPIRING):
        text += f" to {day(c.expires)}"
    elif c.status is CourseState.IN_GRACE:
        text += f" to {day(c.grace_end)} (expired {day(c.expires)})"
    elif c.expires and c.status is CourseState.EXPIRED:
        text += f" {day(c.expires)}"
    return text


# The report's rows, every cell a string as both documents print it. The Word template
# reads them by these names (`{{ r.label }}`); `ReportView.context()` hands them over.


@dataclass(frozen=True)
class MonthRow:
    label: str
    months: list[str]
    total: str


@dataclass(frozen=True)
class HoursRow:
    month: str
    hours: str
    employees: str


@dataclass(frozen=True)
class TargetRow:
    label: str
    frequency: str
    source: str
    period_target: str
    to_date: str
    done: str
    percent: str
    status: str
    below: str
    as_of: str


@dataclass(frozen=True)
class IncidentClassRow:
    label: str
    count: str
    days_lost: str
    modified_days: str
    investigated: str
    reported: str


@dataclass(frozen=True)
class IncidentRow:
    date: str
    kind: str                   # the template's `i.class`
    description: str
    days_lost: str
    modified_days: str
    investigated: str
    reported: str


@dataclass(frozen=True)
class RateRow:
    label: str
    value: str
    formula: str


@dataclass(frozen=True)
class CourseRow:
    course: str
    title: str
    holder: str
    status: str
    met: str


@dataclass(frozen=True)
class PersonRow:
    name: str
    position: str
    supervisor: str
    required: str
    other: str


@dataclass(frozen=True)
class ActionRow:
    item: str
    element: str
    finding: str
    action: str
    responsible: str
    due: str
    status: str


@dataclass(frozen=True)
class LastGoalRow:
    goal: str
    outcome: str
    result: str


@dataclass(frozen=True)
class NextGoalRow:
    goal: str
    measure: str
    responsible: str
    due: str


@dataclass(frozen=True)
class ComparisonRow:
    group: str
    group_label: str            # the group's name on its first row only
    label: str
    previous: str
    current: str
    change: str


@dataclass(frozen=True)
class Comparison:
    previous_period: str
    rows: list[ComparisonRow]


@dataclass(frozen=True)
class ReportView:
    """Every string both documents show, by section."""

    title: str
    company: str
    legal_name: str
    period: str
    as_of: str
    year: str
    header_rows: list[tuple[str, str]]
    glance: list[tuple[str, str]]
    peak_employees: str
    average_employees: str
    hours_total: str
    hours_estimated: bool
    hours_note: str
    hours_rows: list[HoursRow]
    months: list[str]
    activity_rows: list[MonthRow]
    activity_total: MonthRow
    activity_note: str
    targets: list[TargetRow]
    incidents: list[IncidentClassRow]
    incidents_total: IncidentClassRow
    incident_list: list[IncidentRow]
    rate_rows: list[RateRow]
    rate_base: str
    rates_caution: str | None
    courses: list[CourseRow]
    people: list[PersonRow]
    ratio_text: str
    training_as_of: str
    action_total: str
    action_closed: str
    action_open: str
    action_overdue: str
    action_in_progress: str
    action_rows: list[ActionRow]
    goals_last: list[LastGoalRow]
    goals_next: list[NextGoalRow]
    comparison: Comparison | None
    numbers: dict[str, int | None]      # each section's number (`section_numbers`)
    prepared_by: str
    signer: str
    signer_position: str
    sources: str

    def context(self) -> dict[str, Any]:
        """The view as the Word template's variables: the same names, an incident's kind
        as `class`."""
        out = dataclasses.asdict(self)
        for row in out["incident_list"]:
            row["class"] = row.pop("kind")
        return out


def _target_row(a: ActivityFigures, as_of: str) -> TargetRow:
    assert a.target is not None
    return TargetRow(
        label=a.label,
        frequency=a.target.text,
        source=a.target.source,
        period_target=number(a.target_period),
        to_date=count(a.target_to_date),
        done=count(a.total),
        percent=f"{a.percent_of_target}%" if a.percent_of_target is not None else "",
        status=RESULTS[a.status],
        below=", ".join(a.months_below) if a.months_below else "none",
        as_of=as_of,
    )


SECTIONS = ("workforce", "activities", "incidents", "rates", "training", "action_plan",
            "goals", "comparison", "sign_off")


def section_numbers(comparison: bool) -> dict[str, int | None]:
    """Each section's number, counted over the sections the report has (no gaps)."""
    shown = [s for s in SECTIONS if comparison or s != "comparison"]
    return {s: (shown.index(s) + 1 if s in shown else None) for s in SECTIONS}


def report_view(fig: Figures) -> ReportView:
    """Every string both documents show, by section."""
    h = fig.header
    as_of_key = f"{h.as_of:%Y-%m}"
    period = f"{long_date(h.period_start)} to {long_date(h.period_end)}"
    months = [short_month(m) for m in fig.months]
    after = [m.key > as_of_key for m in fig.months]

    def month_cells(values: tuple[int, ...]) -> list[str]:
        return [NOT_YET if late else count(v) for v, late in zip(values, after, strict=True)]

    activity_rows = [MonthRow(a.label, month_cells(a.by_month), count(a.total))
                     for a in fig.activities]
    activity_total = MonthRow("All activities", month_cells(fig.activities_by_month),
                              count(fig.activities_total))
    targets = [_target_row(a, long_date(h.as_of)) for a in fig.activities if a.target]

    w = fig.workforce
    hours_rows = []
    for m, mh in zip(fig.months, w.months, strict=True):
        late = m.key > as_of_key
        hours_rows.append(HoursRow(
            month=m.label + ("" if m.whole else f" ({m.days} days)"),
            hours=NOT_YET if late and mh.hours is None else
            (number(mh.hours) if mh.hours is not None else ("" if w.estimated else NOT_GIVEN)),
            employees=NOT_YET if late and mh.employees is None else count(mh.employees),
        ))
    if w.estimated:
        hours_note = (f"Hours are an ESTIMATE: {w.estimate_basis}. No hours were recorded; "
                      "give the actual hours by month in records/hours.csv.")
    else:
        hours_note = "Actual hours worked, from the payroll records by month."
        if w.months_not_recorded:
            hours_note += (f" {NOT_GIVEN} : no hours recorded for "
                           + ", ".join(w.months_not_recorded) + "; the total leaves them out.")

    r = fig.rates
    recordable = ", ".join(lab for key, lab in ((c.key, c.label.lower()) for c in fig.incidents)
                           if key in r.recordable_classes)
    base = f"{r.base_hours:,}"
    rate_rows = [
        RateRow("Lost-time frequency", rate(r.lost_time_frequency),
                f"{plural(r.lost_time_injuries, 'lost-time injury', 'lost-time injuries')}"
                f" x {base} / {number(r.hours)} hours"),
        RateRow("Total recordable frequency", rate(r.total_recordable_frequency),
                f"{plural(r.recordable_injuries, 'recordable injury', 'recordable injuries')}"
                f" ({recordable}) x {base} / {number(r.hours)} hours"),
        RateRow("Severity", rate(r.severity),
                f"{plural(r.days_lost, 'day', 'days')} lost x {base} / "
                f"{number(r.hours)} hours"),
    ]
    caution = None
    if r.small_workforce:
        caution = (f"Caution: {number(r.hours)} hours is under {r.small_workforce_hours:,}. "
                   "With a small crew one injury moves a rate a great deal; read the counts "
                   "first and the rates second.")
    if w.estimated:
        caution = (caution + " " if caution else "") + \
            "The rates divide by estimated hours."

    t = fig.training
    people = [PersonRow(
        name=p.name, position=p.position,
        supervisor="Yes" if p.supervisor else "",
        required="; ".join(f"{c.course}: {_course(c)}" for c in p.required) or "none",
        other="; ".join(f"{c.title}: {_course(c)}" for c in p.other) or "none",
    ) for p in t.people]
    courses = [CourseRow(course=c.course, title=c.title, holder=c.holder or "nobody",
                         status=COURSE_STATES.get(c.status, c.status) +
                         (f" to {day(c.expires)}" if c.expires and c.status in (
                             CourseState.VALID, CourseState.EXPIRING) else ""),
                         met="Yes" if c.met else "No") for c in t.company_courses]
    share = len(t.supervisors_with_course)
    ratio_text = (f"{share} of {len(t.supervisors)} supervisors hold a valid "
                  f"{t.supervisor_course} (grace period included); the rule asks for at least "
                  f"{round(t.required_share * 100)}%, that is {t.required_count}: "
                  + ("met." if t.ratio_met else "NOT met."))

    ap = fig.action_plan
    action_rows = [ActionRow(
        item=a.item, element=count(a.element), finding=a.finding, action=a.action,
        responsible=a.responsible, due=day(a.due),
        status=a.status_label + (f" {day(a.completed)}" if a.completed else "")
        + (" - OVERDUE" if a.overdue else ""),
    ) for a in ap.items]

    incidents = [IncidentClassRow(
        label=c.label, count=count(c.count), days_lost=count(c.days_lost),
        modified_days=count(c.modified_days),
        investigated=f"{c.investigated} of {c.count}" if c.count else "",
        reported=count(c.reported_to_wscb) if c.count else "") for c in fig.incidents]
    total = len(fig.incident_list)
    incidents_total = IncidentClassRow(
        label="All incidents", count=count(fig.incidents_total),
        days_lost=count(sum(c.days_lost for c in fig.incidents)),
        modified_days=count(sum(c.modified_days for c in fig.incidents)),
        investigated=f"{sum(c.investigated for c in fig.incidents)} of {total}"
        if total else "",
        reported=count(sum(c.reported_to_wscb for c in fig.incidents)) if total else "")
    incident_list = [IncidentRow(
        date=day(i.date), kind=i.label, description=i.description,
        days_lost=count(i.days_lost), modified_days=count(i.modified_days),
        investigated=yes_no(i.investigated), reported=yes_no(i.reported_to_wscb))
        for i in fig.incident_list]

    comparison = None
    if fig.comparison is not None:
        c = fig.comparison
        label = (f"{long_date(c.period_start)} to {long_date(c.period_end)}"
                 if c.period_start and c.period_end else "the previous year")
        fmt = {"count": count, "hours": number, "rate": rate}
        rows, group = [], None
        for row in c.rows:
            rows.append(ComparisonRow(
                group=row.group, group_label=row.group if row.group != group else "",
                label=row.label,
                previous=fmt[row.kind](row.previous) if row.previous is not None else "",
                current=fmt[row.kind](row.current) if row.current is not None else "",
                change=change(row.previous, row.current, row.kind)))
            group = row.group
        comparison = Comparison(label, rows)

    lost = next((c for c in fig.incidents if c.key == "lost_time"), None)
    glance = [
        ("Hours worked", number(w.hours) + (" (estimate)" if w.estimated else "") +
         (f" ({plural(len(w.months_not_recorded), 'month', 'months')} not recorded)"
          if w.months_not_recorded else "")),
        ("Safety activities recorded", count(fig.activities_total)),
        ("Activity targets met", f"{sum(a.status == 'met' for a in fig.activities)} of "
                                 f"{sum(a.target is not None for a in fig.activities)}"),
        ("Incidents", f"{count(fig.incidents_total)} ({count(r.recordable_injuries)} "
                      f"recordable, {count(lost.count if lost else 0)} lost time)"),
        ("Lost-time frequency", rate(r.lost_time_frequency)),
        ("Action plan items closed", f"{ap.closed} of {ap.total}" +
         (f" ({ap.overdue} overdue)" if ap.overdue else "")),
        ("Supervisors with valid " + t.supervisor_course,
         f"{share} of {len(t.supervisors)}" + (" (rule met)" if t.ratio_met
                                               else " (rule NOT met)")),
    ]
    return ReportView(
        title=TITLE,
        company=h.company,
        legal_name=h.legal_name,
        period=period,
        as_of=long_date(h.as_of),
        year=str(h.year),
        header_rows=[
            ("Company", h.legal_name + (f" ({h.company})" if h.company != h.legal_name else "")),
            ("WSCB account", h.wscb_account),
            ("SECOR certificate", (h.certificate_number or "not yet certified") +
             (f", issued {long_date(h.certificate_date)}" if h.certificate_date else "")),
            ("Reporting period", period),
            ("Anniversary date", long_date(h.anniversary)),
            ("Records up to", long_date(h.as_of)),
            ("Prepared by", h.prepared_by),
        ],
        glance=glance,
        peak_employees=count(w.peak_employees),
        average_employees=number(w.average_employees) if w.average_employees is not None
        else "not recorded",
        hours_total=number(w.hours),
        hours_estimated=w.estimated,
        hours_note=hours_note,
        hours_rows=hours_rows,
        months=months,
        activity_rows=activity_rows,
        activity_total=activity_total,
        activity_note=f"{NOT_YET} : after {long_date(h.as_of)}, the last day the records "
                      "cover.",
        targets=targets,
        incidents=incidents,
        incidents_total=incidents_total,
        incident_list=incident_list,
        rate_rows=rate_rows,
        rate_base=base,
        rates_caution=caution,
        courses=courses,
        people=people,
        ratio_text=ratio_text,
        training_as_of=long_date(t.as_of),
        action_total=count(ap.total), action_closed=count(ap.closed),
        action_open=count(ap.open), action_overdue=count(ap.overdue),
        action_in_progress=count(ap.in_progress),
        action_rows=action_rows,
        goals_last=[LastGoalRow(g.goal, g.outcome, g.result) for g in fig.last_year_goals],
        goals_next=[NextGoalRow(g.goal, g.measure or "", g.responsible or "", day(g.due))
                    for g in fig.next_year_goals],
        comparison=comparison,
        numbers=section_numbers(comparison is not None),
        prepared_by=h.prepared_by,
        signer=h.owner,
        signer_position=h.owner_position,
        sources=", ".join(fig.sources),
    )
