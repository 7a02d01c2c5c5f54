"""The Year End Safety Activity Summary Report, made from a submission's records."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from manualgen.summary import SummaryResult

if TYPE_CHECKING:
    from manualgen.inputs.submission import Submission

__all__ = ["SummaryResult", "build"]


def build(sub: Submission, *, on: dt.date | None = None) -> SummaryResult:
    """The report: typed figures; PDF, Word, JSON."""
    from manualgen.summary import build_summary

    return build_summary(sub, on=on)
