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
from pathlib import Path

from manualgen.inputs.records import Records, load_records
from manualgen.inputs.submission import Submission, load_submission
from manualgen.services.storage import atomic_write_bytes, atomic_write_text
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

            logo = self.submission.inputs.profile.logo_path
            self._cache["pdf"] = render_pdf(self.figures, self.view, logo)
        return self._cache["pdf"]

    def docx_bytes(self) -> bytes:
        if "docx" not in self._cache:
            from manualgen.summary.report_docx import render_docx

            self._cache["docx"] = render_docx(self.figures, self.view)
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


def write_summary(folder: Path, pdf_out: Path, docx_out: Path | None = None,
                  json_out: Path | None = None, company: Path | None = None,
                  on: dt.date | None = None) -> SummaryResult:
    """Build the report from a submission folder and write each requested form."""
    result = build_summary(load_submission(Path(folder), company=company, on=on), on=on)
    outputs: list[tuple[Path, bytes]] = [(Path(pdf_out), result.pdf_bytes())]
    if docx_out is not None:
        outputs.append((Path(docx_out), result.docx_bytes()))
    if json_out is not None:
        outputs.append((Path(json_out), result.json_text().encode("utf-8")))
    for path, data in outputs:
        atomic_write_bytes(path, data)
    return result


__all__ = ["build_summary", "write_summary", "SummaryResult", "Figures", "atomic_write_text"]
