"""The Year End Safety Activity Summary Report: records -> figures -> PDF, Word and JSON.

`build_summary(submission)` reads and checks the year's records once, computes the figures
once, and renders each form of the report on demand from those same figures.
`write_summary(...)` is the CLI's one call: every output is written atomically, and only
after every form rendered, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from manualgen.inputs.records import Records, load_records
from manualgen.inputs.submission import Submission
from manualgen.summary.figures import Figures, compute_figures


@dataclass
class SummaryResult:
    submission: Submission
    records: Records
    figures: Figures
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def view(self) -> dict:
        from manualgen.summary.view import report_view

        return report_view(self.figures)

    def pdf_bytes(self) -> bytes:
        if "pdf" not in self._cache:
            from manualgen.summary.report_pdf import render_pdf

            logo = self.submission.inputs.profile.logo
            self._cache["pdf"] = render_pdf(self.figures, self.view, logo)
        return self._cache["pdf"]

    def docx_bytes(self) -> bytes:
        if "docx" not in self._cache:
            from manualgen.summary.report_docx import TEMPLATE, render_docx

            template = self.submission.library.forms_dir / TEMPLATE
            self._cache["docx"] = render_docx(self.figures, self.view, template)
        return self._cache["docx"]

    def json_text(self) -> str:
        from manualgen.summary.report_json import json_text

        return json_text(self.figures)

    def summary(self) -> str:
        f = self.figures
        return (f"{f.header.company}: {f.activities_total} activities, "
                f"{f.incidents_total} incidents, {f.workforce.hours:,.0f} hours"
                f"{' (estimated)' if f.workforce.estimated else ''}, records to "
                f"{f.header.as_of.isoformat()}")


def build_summary(submission: Submission, *, on: dt.date | None = None) -> SummaryResult:
    """Read the submission's records and compute the figures; render later, on demand.

    `on` is the day the figures count to (overdue items, training status); without it,
    the last date in the records.
    """
    records = load_records(submission)
    return SummaryResult(submission, records, compute_figures(submission, records, on))


__all__ = ["build_summary", "SummaryResult", "Figures"]
