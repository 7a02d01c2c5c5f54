"""What the pages show of the API's reports: one view-model for the SECOR status and one
for a submission's report, read by the employer's pages (in `manualgen serve` and in the
portal) and by NSNY's, so that a reviewer sees a person's training or a category exactly
as the employer saw it. Typed, made once per page from the report; templates read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from manualgen import api


@dataclass(frozen=True)
class CourseView:
    title: str
    course: str
    state: api.status.CourseState
    completed: dt.date | None
    expires: dt.date | None
    days_left: int | None
    grace_end: dt.date | None

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def expiring(self) -> bool:
        """Still counts, but needs booking: expiring soon or in its grace period."""
        return self.state in (api.status.CourseState.EXPIRING, api.status.CourseState.IN_GRACE)

    @property
    def expired(self) -> bool:
        return self.state is api.status.CourseState.EXPIRED


@dataclass(frozen=True)
class PersonView:
    name: str
    position: str
    courses: tuple[CourseView, ...]

    def lines(self, which) -> list[str]:
        """"Name: course state (expires)" for each course `which(course)` picks (NSNY's
        dashboard lists those expiring and expired)."""
        return [f"{self.name}: {c.title} {c.label.lower()}" +
                (f" ({c.expires})" if c.expires else "")
                for c in self.courses if which(c)]


def people(report: api.status.StatusReport) -> list[PersonView]:
    """Each person's courses, as the Status page and NSNY's dashboard show them."""
    return [PersonView(p.name, p.position, tuple(
        CourseView(c.title, c.course, api.status.CourseState(c.status), c.completed, c.expires,
                   c.days_left, c.grace_end) for c in p.courses))
        for p in report.people]


@dataclass(frozen=True)
class SampleView:
    rel: str                      # inside the submission folder
    title: str
    date: dt.date | None
    date_from: str | None
    kind: str
    pages: int | None
    size: int
    problems: tuple[api.Problem, ...]

    @property
    def name(self) -> str:
        return PurePosixPath(self.rel).name

    @property
    def photo(self) -> bool:
        return self.kind == "image"


@dataclass(frozen=True)
class CategoryView:
    number: int
    key: str
    folder: str | None
    title: str
    evidence: str
    state: str
    status_text: str
    needed: int
    counted: int
    samples: tuple[SampleView, ...]
    refused: tuple
    generated: bool
    problems: tuple[api.Problem, ...]


def categories(report: api.submission.Report, sub: api.submission.Submission) -> list[CategoryView]:
    """Every category of the checklist with its samples and the problems found in them."""
    refused_by: dict[str, list] = {}
    for r in report.refused:
        refused_by.setdefault(r.category, []).append(r)
    problems_by_file: dict[str, list[api.Problem]] = {}
    for p in report.findings:
        problems_by_file.setdefault(p.path, []).append(p)
    out = []
    for cat in report.categories:
        samples = tuple(SampleView(
            s.rel, s.title, s.date, s.date_from, s.kind, report.pages.get(s.rel), s.size,
            tuple(problems_by_file.get(str(s.path), []))) for s in cat.samples)
        where = str(sub.folder / cat.category.folder) if cat.category.folder else None
        out.append(CategoryView(
            cat.number, cat.category.key, cat.category.folder, cat.category.title,
            cat.category.evidence, str(cat.status), cat.status_text, cat.needed,
            cat.counted, samples, tuple(refused_by.get(cat.category.key, [])),
            bool(cat.category.generated),
            tuple(problems_by_file.get(where, [])) if where else ()))
    return out


@dataclass(frozen=True)
class TableView:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str | None             # the file it was read from


def record_tables(folder: Path, library: api.Library) -> list[TableView]:
    """The submission's records tables as read from its folder (NSNY reads them)."""
    out = []
    for table in api.submission.record_tables(library):
        rows, source = api.submission.read_records(folder, table)
        out.append(TableView(table.title, tuple(c.label for c in table.columns),
                             tuple(tuple(r.get(c.name, "") for c in table.columns)
                                   for r in rows),
                             source.name if source else None))
    return out
