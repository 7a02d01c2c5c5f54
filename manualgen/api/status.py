"""Where a company stands in its SECOR year: due dates, training, the supervisor ratio."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from manualgen.api._common import prepared
from manualgen.inputs.program import COURSE_LABELS, CourseState
from manualgen.status.report import StatusReport

if TYPE_CHECKING:
    from manualgen.api._common import ProfileSource
    from manualgen.inputs.library.load import Library

__all__ = ["StatusReport", "CourseState", "report", "calendar", "course_labels"]


def report(profile: ProfileSource, library: Library, *, on: dt.date) -> StatusReport:
    """Where the company stands in its SECOR cycle on `on`: due dates, training, ratio."""
    from manualgen.status.report import build_status

    return build_status(prepared(profile, library), on)


def calendar(status: StatusReport) -> bytes:
    """The due dates and course expiries as an iCalendar (.ics) file."""
    from manualgen.status.calendar import calendar_bytes

    return calendar_bytes(status)


def course_labels() -> dict[str, str]:
    """The one wording of each course state (valid, expiring, ...)."""
    return {str(k): v for k, v in COURSE_LABELS.items()}
