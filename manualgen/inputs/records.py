"""The year's records of a submission folder, read and checked once into typed rows.

`records/` holds activity-log, incidents, hours and action-plan (each .csv or .xlsx with
the same columns), goals.yaml and, for the comparison, previous-year.yaml. Every bad cell
of every file is reported together - file, row, column, what is wrong and how to fix it -
so the employer fixes the year's records in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from manualgen.errors import Collector, InputError, Problem, RecordCell
from manualgen.inputs import tables
from manualgen.inputs.models import Date, Line, Paragraph, Strict, problems_from
from manualgen.inputs.submission import Period, Submission
from manualgen.inputs.tables import CellError, Row, Table
from manualgen.io import YamlDoc, load_yaml

RECORDS_DIR = "records"

# The record tables: columns in order, and which of them must be present.
ACTIVITY_COLUMNS = ["date", "activity", "site", "description", "people"]
INCIDENT_COLUMNS = ["date", "class", "description", "days_lost", "modified_days",
                    "investigated", "reported_to_wscb"]
HOURS_COLUMNS = ["month", "hours", "employees"]
ACTION_COLUMNS = ["item", "element", "finding", "action", "responsible", "due", "status",
                  "completed"]
ACTION_STATUSES = {"open": "Open", "in_progress": "In progress", "closed": "Closed"}
GOAL_RESULTS = {"yes": "Met", "no": "Not met", "partly": "Partly met"}
_STATUS_WORDS = {"done": "closed", "complete": "closed", "completed": "closed",
                 "not_started": "open", "started": "in_progress", "ongoing": "in_progress"}

GOALS_FILE = "goals.yaml"
PREVIOUS_FILE = "previous-year.yaml"


@dataclass(frozen=True)
class Activity:
    row: int
    date: dt.date
    activity: str
    site: str
    description: str
    people: str


@dataclass(frozen=True)
class Incident:
    row: int
    date: dt.date
    cls: str
    description: str
    days_lost: int
    modified_days: int
    investigated: bool
    reported_to_wscb: bool | None


@dataclass(frozen=True)
class MonthHours:
    row: int
    month: dt.date                  # first day of the month
    hours: float
    employees: int | None


@dataclass(frozen=True)
class ActionItem:
    row: int
    item: str
    element: int | None
    finding: str
    action: str
    responsible: str
    due: dt.date | None
    status: str
    completed: dt.date | None


class PastGoal(Strict):
    goal: Paragraph
    outcome: Paragraph
    met: Literal["yes", "no", "partly"] | bool

    @field_validator("met", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def result(self) -> str:
        met = {True: "yes", False: "no"}.get(self.met, self.met) \
            if isinstance(self.met, bool) else self.met
        return GOAL_RESULTS[met]


class NextGoal(Strict):
    goal: Paragraph
    measure: Paragraph | None = None       # how the company will know it met the goal
    responsible: Line | None = None
    due: Date | None = None


class Goals(Strict):
    last_year: list[PastGoal] = Field([], max_length=100)
    next_year: list[NextGoal] = Field([], max_length=100)


Count = Annotated[int, Field(ge=0, le=1_000_000)]


class PreviousYear(Strict):
    """Last year's figures, for the comparison; every key optional."""

    period: Period | None = None
    hours: float | None = Field(default=None, ge=0, le=10_000_000, allow_inf_nan=False)
    activities: dict[str, Count] = {}
    incidents: dict[str, Count] = {}
    days_lost: Count | None = None
    modified_days: Count | None = None


@dataclass
class Records:
    folder: Path
    activities: list[Activity]
    incidents: list[Incident]
    hours: list[MonthHours] | None          # None: no hours file, hours are estimated
    actions: list[ActionItem]
    goals: Goals
    previous: PreviousYear | None
    sources: dict[str, Path] = field(default_factory=dict)   # record -> file read

    @property
    def last_date(self) -> dt.date | None:
        """The latest date any record carries (the figures are 'as of' this day)."""
        dates = [a.date for a in self.activities] + [i.date for i in self.incidents]
        dates += [a.completed for a in self.actions if a.completed]
        return max(dates) if dates else None


class _Reader:
    """Walks one table's rows, collecting every bad cell instead of stopping at the first."""

    def __init__(self, table: Table, found: Collector):
        self.table = table
        self.found = found

    def cell(self, row: Row, column: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(row.values.get(column))
        except CellError as exc:
            self.found.extend([self.table.problem(row, column, exc.message, exc.fix)])
            return None

    def in_period(self, row: Row, column: str, day: dt.date | None, period: Period) -> None:
        if day is not None and not period.start <= day <= period.end:
            self.found.extend([self.table.problem(
                row, column,
                f"{day.isoformat()} is outside the review period "
                f"{period.start.isoformat()} to {period.end.isoformat()}",
                "correct the date, or keep the record with the year it belongs to")])


def _activities(table: Table, sub: Submission, found: Collector) -> list[Activity]:
    allowed = sub.library.rules.activities
    read = _Reader(table, found)
    out = []
    for row in table.rows:
        errors = len(found.problems)
        day = read.cell(row, "date", tables.date)
        kind = read.cell(row, "activity", lambda v: tables.choice(v, allowed, "activity"))
        site, description, people = (read.cell(row, c, tables.free_text)
                                     for c in ("site", "description", "people"))
        read.in_period(row, "date", day, sub.period)
        if len(found.problems) == errors:
            out.append(Activity(row.number, day, kind, site, description, people))
    return out


def _incidents(table: Table, sub: Submission, found: Collector) -> list[Incident]:
    allowed = sub.library.rules.incident_classes
    read = _Reader(table, found)
    out = []
    for row in table.rows:
        errors = len(found.problems)
        day = read.cell(row, "date", tables.date)
        cls = read.cell(row, "class", lambda v: tables.choice(v, allowed, "incident class"))
        lost = read.cell(row, "days_lost", lambda v: tables.number(v, whole=True, blank=0))
        modified = read.cell(row, "modified_days",
                             lambda v: tables.number(v, whole=True, blank=0))
        investigated = read.cell(row, "investigated", tables.yes_no)
        reported = read.cell(row, "reported_to_wscb",
                             lambda v: tables.yes_no(v, blank_ok=True))
        description = read.cell(row, "description", tables.free_text)
        read.in_period(row, "date", day, sub.period)
        if len(found.problems) == errors:
            out.append(Incident(row.number, day, cls, description,
                                int(lost), int(modified), investigated, reported))
    return out


def _optional_whole(value: Any) -> int | None:
    return None if tables.text(value) == "" else int(tables.number(value, whole=True))


def _hours(table: Table, sub: Submission, found: Collector) -> list[MonthHours]:
    read = _Reader(table, found)
    period = sub.period
    first_month = dt.date(period.start.year, period.start.month, 1)
    out: list[MonthHours] = []
    seen: dict[dt.date, int] = {}
    for row in table.rows:
        errors = len(found.problems)
        month = read.cell(row, "month", tables.month)
        hours = read.cell(row, "hours", tables.number)
        employees = read.cell(row, "employees", _optional_whole)
        if month is not None and not first_month <= month <= period.end:
            found.extend([table.problem(
                row, "month", f"{month:%Y-%m} is outside the review period "
                f"{period.start.isoformat()} to {period.end.isoformat()}",
                "give only the months of this review period")])
        elif month is not None and month in seen:
            found.extend([table.problem(row, "month",
                                        f"{month:%Y-%m} is already given in row {seen[month]}",
                                        "give each month once, with its total hours")])
        if len(found.problems) == errors:
            seen[month] = row.number
            out.append(MonthHours(row.number, month, hours, employees))
    return sorted(out, key=lambda m: m.month)


def _status(value: Any) -> str:
    raw = tables.normalise_column(tables.text(value))
    raw = _STATUS_WORDS.get(raw, raw)
    return tables.choice(raw, ACTION_STATUSES, "status")


def _actions(table: Table, sub: Submission, found: Collector) -> list[ActionItem]:
    read = _Reader(table, found)
    numbers = [e.number for e in sub.library.elements]

    def element(value: Any) -> int | None:
        if tables.text(value) == "":
            return None
        n = int(tables.number(value, whole=True))
        if numbers and n not in numbers:
            raise CellError(f"there is no audit element {n}",
                            f"use an element number from {min(numbers)} to {max(numbers)}")
        return n

    out = []
    for row in table.rows:
        errors = len(found.problems)
        item, action, finding, responsible = (
            read.cell(row, c, tables.free_text) or ""
            for c in ("item", "action", "finding", "responsible"))
        elem = read.cell(row, "element", element)
        due = read.cell(row, "due", tables.optional_date)
        status = read.cell(row, "status", _status)
        completed = read.cell(row, "completed", tables.optional_date)
        if not (item or action):
            found.extend([table.problem(row, "action", "the action is missing",
                                        "say what is to be done")])
        if status == "closed" and completed is None and \
                not tables.text(row.values.get("completed")):
            found.extend([table.problem(row, "completed",
                                        "the item is closed but has no completion date",
                                        "write the date it was completed (YYYY-MM-DD)")])
        if len(found.problems) == errors:
            out.append(ActionItem(row.number, item, elem, finding, action, responsible, due,
                                  status, completed))
    return out


def _yaml_model(path: Path, model: type, found: Collector) -> Any:
    doc: YamlDoc = load_yaml(path)
    data = doc.data if doc.data is not None else {}
    try:
        return model.model_validate(data), doc
    except ValidationError as exc:
        found.extend(problems_from(exc, doc))
        return None, doc


def _check_previous(prev: PreviousYear, doc: YamlDoc, sub: Submission,
                    found: Collector) -> None:
    rules = sub.library.rules
    for group, allowed in (("activities", rules.activities),
                           ("incidents", rules.incident_classes)):
        for key, value in getattr(prev, group).items():
            if key not in allowed:
                found.extend([doc.problem((group, key), f"unknown key {key!r}",
                                          "use one of: " + ", ".join(allowed))])
            elif value < 0:
                found.extend([doc.problem((group, key), "a count cannot be negative",
                                          "write 0 or more")])


TABLES: dict[str, tuple[list[str], list[str], Callable]] = {
    # stem: (columns, required columns, reader)
    "activity-log": (ACTIVITY_COLUMNS, ["date", "activity"], _activities),
    "incidents": (INCIDENT_COLUMNS, ["date", "class", "investigated"], _incidents),
    "hours": (HOURS_COLUMNS, ["month", "hours"], _hours),
    "action-plan": (ACTION_COLUMNS, ["action", "status"], _actions),
}
OPTIONAL_TABLES = ("hours",)        # without hours, hours are estimated from headcount


def _in_table(found: Collector, since: int, table: str) -> None:
    """The problems found since `since` belong to the records file `table` (goals.yaml,
    previous-year.yaml): said so, for the pages that show a table's problems."""
    found.problems[since:] = [p if p.cell else replace(p, cell=RecordCell(table))
                              for p in found.problems[since:]]


def load_records(sub: Submission) -> Records:
    """Every record file of the submission, checked; all problems raised together."""
    folder = sub.folder / RECORDS_DIR
    found = Collector()
    if not folder.is_dir():
        raise InputError(found_missing(folder))
    results: dict[str, Any] = {}
    sources: dict[str, Path] = {}
    for stem, (columns, required, reader) in TABLES.items():
        try:
            path = tables.find_table(folder, stem)
            if path is None:
                if stem not in OPTIONAL_TABLES:
                    found.extend([Problem(
                        str(folder / f"{stem}.csv"), message="the file is missing",
                        fix="create it with the first row " + ",".join(columns) +
                            " (`manualgen package init` writes it); a header row alone "
                            "means none this year", cell=RecordCell(stem))])
                continue
            table = tables.read_table(path, columns, required)
        except InputError as exc:           # the file as a whole: the table's, no column
            found.extend([p if p.cell else replace(p, cell=RecordCell(stem))
                          for p in exc.problems])
            continue
        sources[stem] = path
        results[stem] = reader(table, sub, found)
    goals, previous = Goals(), None
    goals_path = folder / GOALS_FILE
    if goals_path.is_file():
        since = len(found.problems)
        try:
            value, _ = _yaml_model(goals_path, Goals, found)
            goals = value or goals
            sources["goals"] = goals_path
        except InputError as exc:
            found.extend(exc.problems)
        _in_table(found, since, goals_path.stem)
    prev_path = folder / PREVIOUS_FILE
    if prev_path.is_file():
        since = len(found.problems)
        try:
            previous, doc = _yaml_model(prev_path, PreviousYear, found)
            if previous is not None:
                _check_previous(previous, doc, sub, found)
                sources["previous-year"] = prev_path
        except InputError as exc:
            found.extend(exc.problems)
        _in_table(found, since, prev_path.stem)
    found.raise_if_errors(title=f"{folder}: the records have problems; fix them all, "
                                "then run again:" if len(found.errors) > 1 else None)
    return Records(folder, results.get("activity-log", []), results.get("incidents", []),
                   results.get("hours"), results.get("action-plan", []), goals, previous,
                   sources)


def found_missing(folder: Path) -> list:
    collector = Collector()
    collector.add(folder, "the records folder is missing",
                  fix="create it with activity-log.csv, incidents.csv, hours.csv and "
                      "action-plan.csv (`manualgen package init` writes them)")
    return collector.problems
