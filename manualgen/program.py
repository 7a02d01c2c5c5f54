"""The SECOR program rules, read from the library's `program.yaml`.

This module is the one place rules are applied: the profile check, the manual, the
status command, the packager and the summary report all ask it. No rule is a literal in
code; every number comes from the data file NSNY edits.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from manualgen import resources
from manualgen.io import load_yaml
from manualgen.models import Date, Strict, validate


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
    safety_rep_min_workers: int
    joint_committee_min_workers: int
    cycle: Cycle
    reminder_days: list[int]
    audit_pass_mark: float
    audit_element_minimum: float
    default_samples_per_category: int = Field(ge=0)
    statistics: Statistics
    wscb_report_working_days: int
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


@lru_cache(maxsize=8)
def _load(path: Path) -> ProgramRules:
    doc = load_yaml(path)
    return validate(ProgramRules, doc)


def load_rules(library_dir: Path | None = None) -> ProgramRules:
    directory = library_dir or resources.library_dir()
    return _load((directory / "program.yaml").resolve())


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


__all__ = ["ProgramRules", "Course", "load_rules", "add_months", "add_years", "Date"]
