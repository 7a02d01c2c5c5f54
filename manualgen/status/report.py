"""`manualgen status`: where a company stands in its SECOR cycle on one day.

Computes nothing itself: every rule comes from `program.py`; this module gathers the
answers into one report (text table, JSON, calendar) and decides what counts as a finding
(exit 1): an overdue item, an expired course, a required course or the supervisor ratio
unmet, or a company too large for SECOR. Courses expiring, in grace or dated in the future
are shown as warnings.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field

from manualgen.inputs import program as rules_mod
from manualgen.inputs.first_aid import FirstAidPlan, first_aid_plan
from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.program import (
    EXPIRED,
    EXPIRING,
    FUTURE,
    IN_GRACE,
    CompanyCourse,
    CourseStatus,
    CyclePosition,
    DueItem,
    Eligibility,
    LseRatio,
    PersonTraining,
    ProgramRules,
    add_months,
)

DONE = "done"
OPEN = "open"
CHECK = "check"   # the profile cannot tell; the employer checks


@dataclass(frozen=True)
class StepStatus:
    key: str
    title: str
    state: str    # done, open or check
    note: str = ""


@dataclass
class StatusReport:
    company: str
    wscb_account: str
    profile: str
    on: dt.date
    rules: ProgramRules
    eligibility: Eligibility
    position: CyclePosition | None
    items: tuple[DueItem, ...]            # the whole cycle (empty before certification)
    steps: list[StepStatus]               # certification steps (empty once certified)
    courses: list[CompanyCourse]
    lse: LseRatio
    people: list[PersonTraining]
    findings: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    first_aid: FirstAidPlan | None = None

    @property
    def has_findings(self) -> bool:
        return bool(self.findings)

    def as_dict(self) -> dict:
        return _jsonable({
            "company": self.company,
            "wscb_account": self.wscb_account,
            "profile": self.profile,
            "on": self.on,
            "eligibility": self.eligibility,
            "certified": self.position is not None,
            "cycle": None if self.position is None else {
                **self.position.__dict__, "overdue": self.position.overdue,
                "days_late": self.position.days_late},
            "cycle_items": list(self.items),
            "certification_steps": self.steps,
            "required_courses": self.courses,
            "supervisors": {**self.lse.__dict__, "share": self.lse.share},
            "people": self.people,
            "findings": self.findings,
            "warnings": self.warnings,
            "first_aid": None if self.first_aid is None else [{
                "site": f.site, "workers_per_shift": f.workers, "hazard_rating": f.rating.key,
                "travel_minutes": f.travel_minutes,
                "travel_band": f.band.key if f.band else None, "attendants_needed": f.needed,
                "certificate_level": f.level.key if f.level else None,
                "kit": f.kit.key if f.kit else None, "met": f.met,
                "qualified": list(f.qualified), "summary": f.summary(),
            } for f in self.first_aid.sites],
        })

    def as_text(self) -> str:
        return "\n".join(_text(self))


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "rules"}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(dict(value.__dict__))
    return value


# ---------------------------------------------------------------------------- compute


def certification_steps(profile, rules: ProgramRules, courses: list[CompanyCourse],
                        on: dt.date) -> list[StepStatus]:
    """The steps to a first certificate, each judged as far as the profile allows."""
    manual = profile.manual
    months = rules.cycle.documented_activity_months
    out = []
    for step in rules.certification_steps:
        state, note = OPEN, ""
        if step.key == "courses":
            missing = [c.course for c in courses if not c.met]
            state = OPEN if missing else DONE
            note = f"still needed: {', '.join(missing)}" if missing else \
                "held by " + ", ".join(sorted({c.holder for c in courses if c.holder}))
        elif step.key == "manual":
            if manual.revision >= 1 and manual.issued <= on:
                state = CHECK
                note = (f"revision {manual.revision} issued {manual.issued}; "
                        "confirm NSNY has reviewed it")
            else:
                note = f"revision {manual.revision} dated {manual.issued} is still a draft"
        elif step.key == "implement" and months:
            start = manual.issued
            low, high = add_months(start, min(months)), add_months(start, max(months))
            state = DONE if on >= low else OPEN
            note = (f"records from the manual's issue on {start}: {min(months)} months "
                    f"on {low}, {max(months)} months on {high}")
        elif step.key == "register":
            state, note = CHECK, "not recorded in company.yaml"
        out.append(StepStatus(step.key, step.title, state, note))
    return out


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def days(n: int) -> str:
    return plural(n, "day")


def holder_words(rules: ProgramRules) -> str:
    """Who may be the trainee, in words: "an owner, senior manager or full-time employee"."""
    roles = [r.replace("_", " ") for r in rules.course_holder_roles]
    kinds = [k.replace("_", "-") + " employee" for k in rules.course_holder_employment]
    words = roles + kinds
    if not words:
        return "nobody (program.yaml names no course holders)"
    text = ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]
    return ("an " if text[0] in "aeiou" else "a ") + text


def _course_line(person: str, c: CourseStatus) -> str:
    if c.status == EXPIRING:
        return f"{person}: {c.course} expires {c.expires} ({days(c.days_left)} left) - book it"
    if c.status == IN_GRACE:
        return (f"{person}: {c.course} expired {c.expires}, in its grace period until "
                f"{c.grace_end} - renew it now")
    if c.status == EXPIRED:
        until = c.grace_end or c.expires
        return f"{person}: {c.course} expired {until} - retake it"
    if c.status == FUTURE:
        return f"{person}: {c.course} completion date {c.completed} is in the future"
    return f"{person}: {c.course} {c.status}"


def _judge(report: StatusReport) -> None:
    rules, findings, warnings = report.rules, report.findings, report.warnings
    e = report.eligibility
    if not e.eligible:
        findings.append(f"{e.peak_employees} employees at peak: SECOR is for fewer than "
                        f"{e.limit} (larger companies need COR)")
    pos = report.position
    if pos is not None:
        item = pos.next_item
        if pos.overdue:
            findings.append(f"{item.title} was due by {item.date}: {days(pos.days_late)} late")
        elif pos.days_left <= max(rules.reminder_days, default=0):
            warnings.append(f"{item.title} is due by {item.date}: {days(pos.days_left)} left")
        if pos.certificate_expired:
            findings.append(f"the certificate issued {pos.certificate_date} expired "
                            f"{pos.certificate_expires} (after {rules.cycle.certificate_years} "
                            "years): a re-certifying audit is overdue")
    for c in report.courses:
        if not c.met:
            who = holder_words(rules)
            extra = f" ({', '.join(c.ineligible_holders)} hold it but may not be the trainee)" \
                if c.ineligible_holders else ""
            findings.append(f"required course {c.course} is not held validly by {who}"
                            f"{extra}")
    lse = report.lse
    if not lse.met:
        if not lse.supervisors:
            findings.append("nobody is listed as a supervisor: give the person who directs "
                            "the work (the owner, if nobody else) the role supervisor")
        else:
            findings.append(f"{len(lse.with_course)} of {len(lse.supervisors)} supervisors hold "
                            f"a valid {rules.supervisor_course}; at least {lse.required} "
                            f"({lse.target:.0%}) must")
    if report.first_aid is not None:
        for site in report.first_aid.unmet:
            findings.append(f"first aid at {site.site}: {site.summary()}; qualified now: "
                            f"{', '.join(site.qualified) or 'nobody'}")
        for site in report.first_aid.unknown:
            warnings.append(f"first aid at {site.site}: record the travel time to medical "
                            "aid (travel_minutes) so its need can be worked out")
    for person in report.people:
        for c in person.courses:
            if c.status == EXPIRED:
                findings.append(_course_line(person.name, c))
            elif c.status in (EXPIRING, IN_GRACE, FUTURE):
                warnings.append(_course_line(person.name, c))


def build_status(inputs: Inputs, on: dt.date) -> StatusReport:
    """Apply the program rules to a validated profile on the day `on`."""
    rules = inputs.library.rules
    profile = inputs.profile.profile
    courses = rules_mod.company_courses(profile, rules, on)
    secor = profile.secor
    report = StatusReport(
        company=profile.company.name,
        wscb_account=profile.company.wscb_account,
        profile=str(inputs.profile.source or inputs.profile.doc.path),
        on=on,
        rules=rules,
        eligibility=rules_mod.eligibility(profile, rules),
        position=rules_mod.cycle_position(secor, rules, on) if secor else None,
        items=rules_mod.cycle_items(secor.certificate_date, rules) if secor else (),
        steps=[] if secor else certification_steps(profile, rules, courses, on),
        courses=courses,
        lse=rules_mod.lse_ratio(profile, rules, on),
        people=rules_mod.training_status(profile, rules, on),
        first_aid=(first_aid_plan(profile, inputs.library.first_aid, on, inputs.hazards)
                   if inputs.library.first_aid else None),
    )
    _judge(report)
    return report


# ---------------------------------------------------------------------------- text


def table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; the first row is the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append(indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                   .rstrip())
        if n == 0:
            out.append(indent + "  ".join("-" * w for w in widths))
    return out


def describe(c: CourseStatus) -> str:
    """The course state's one wording, with the detail that goes with it."""
    if c.status == EXPIRING:
        return f"{c.status.label}: {days(c.days_left)} left"
    if c.status == IN_GRACE:
        return f"{c.status.label} until {c.grace_end}"
    if c.status == EXPIRED:
        return c.status.label.upper()
    if c.status == FUTURE:
        return f"{c.status.label} ({c.completed})"
    return c.status.label


def _text(r: StatusReport) -> list[str]:
    rules = r.rules
    e = r.eligibility
    out = [f"{r.company} - SECOR status on {r.on}", f"Profile: {r.profile}", ""]
    out.append(f"Eligibility: {plural(e.peak_employees, 'employee')} at peak - "
               + ("eligible" if e.eligible else "NOT eligible")
               + f" (SECOR is for fewer than {e.limit})")
    out.append("")
    pos = r.position
    if pos is not None:
        item = pos.next_item
        last_year = max(rules.cycle.years)
        out += [
            "SECOR cycle",
            f"  Certificate {pos.certificate_number} issued {pos.certificate_date}, "
            f"valid to {pos.certificate_expires}"
            + (" - EXPIRED" if pos.certificate_expired else ""),
            f"  Cycle year {pos.cycle_year} of {last_year}; anniversary date {pos.anniversary}",
        ]
        when = (f"{days(pos.days_late)} LATE" if pos.overdue else
                "due today" if pos.days_left == 0 else f"{days(pos.days_left)} left")
        out.append(f"  Next due: {item.title} by {item.date} ({when})")
        out.append(f"  Review period: {item.period_start} to {item.period_end}")
        rows = [["year", "due by", "what", "review period"]]
        first = min(rules.cycle.years)
        rows += [[str(i.cycle_year), str(i.date), i.title,
                  "-" if i.cycle_year == first else f"{i.period_start} to {i.period_end}"]
                 for i in r.items]
        out += table(rows)
    else:
        out.append("Not certified yet (no `secor` section): steps to certification")
        for n, step in enumerate(r.steps, 1):
            out.append(f"  {n}. [{step.state:<5}] {step.title}")
            if step.note:
                out.append(f"              {step.note}")
    out.append("")
    out.append(f"Required courses (each held by {holder_words(rules)})")
    rows = [["course", "held", "by", "status", "expires"]]
    for c in r.courses:
        s = c.holder_status
        rows.append([c.course, "yes" if c.met else "NO", c.holder or "-",
                     describe(s) if s else c.status,
                     str(s.expires) if s and s.expires else "-"])
    out += table(rows)
    out.append("")
    lse = r.lse
    share = f"{lse.share:.0%}" if lse.share is not None else "-"
    out.append(f"Supervisors with a valid {rules.supervisor_course}: {len(lse.with_course)} of "
               f"{len(lse.supervisors)} ({share}); the rule needs at least {lse.required} "
               f"({lse.target:.0%}) - " + ("met" if lse.met else "NOT met"))
    for name in lse.in_grace:
        out.append(f"  {name}: counted, but in the grace period - renew now")
    if r.first_aid is not None:
        out += ["", "First aid (Part 18), by worksite"]
        for site in r.first_aid.sites:
            state = {True: "met", False: "NOT met", None: "cannot be worked out"}[site.met]
            out += textwrap.wrap(f"{site.site}: {site.summary()} - {state}", 110,
                                 initial_indent="  ", subsequent_indent="      ")
    out.append("")
    out.append("Training")
    rows = [["person", "course", "status", "completed", "expires"]]
    for p in r.people:
        if not p.courses:
            rows.append([p.name, "-", "no courses recorded", "", ""])
        for n, c in enumerate(p.courses):
            rows.append([p.name if n == 0 else "",
                         c.course,
                         describe(c), str(c.completed or "-"),
                         str(c.expires) if c.expires else ("-" if c.completed is None
                                                            else "does not expire")])
    out += table(rows)
    out.append("")
    if r.findings:
        out.append(f"To fix ({len(r.findings)}):")
        out += [f"  ! {f}" for f in r.findings]
    if r.warnings:
        out.append(f"Coming up ({len(r.warnings)}):")
        out += [f"  - {w}" for w in r.warnings]
    if not r.findings and not r.warnings:
        out.append("Nothing overdue, expired or unmet.")
    return out
