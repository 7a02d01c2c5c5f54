"""Every job on the bundled example company, so a new user sees all outputs at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from manualgen import resources


def run_demo(out_dir: Path, say: Callable[[str], None] = print) -> list[Path]:
    """Build the manual, forms, status calendar, summary report and submission PDF."""
    from manualgen.forms.build import build_forms
    from manualgen.manual.build import build_manual
    from manualgen.package.build import build_package
    from manualgen.services.storage import atomic_write_text
    from manualgen.status.calendar import write_ics
    from manualgen.status.report import build_status
    from manualgen.summary import write_summary

    examples = resources.examples_dir()
    company = examples / "company.yaml"
    submission = examples / "2026-submission"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    say("1/5 the health and safety manual")
    manual = build_manual(company, out_dir / "manual.docx", pdf=True)
    say("    " + manual.summary().replace("\n", "\n    "))

    say("2/5 the personalised blank forms")
    forms = build_forms(company, out_dir / "forms", pdf=True)
    say(f"    {forms.summary()}")

    say("3/5 where the company stands in its SECOR cycle")
    report = build_status(company, dt.date.today())
    atomic_write_text(out_dir / "status.txt", report.as_text() + "\n")
    events = write_ics(report, out_dir / "secor-dates.ics")
    say(f"    wrote {out_dir / 'status.txt'} and {out_dir / 'secor-dates.ics'} "
        f"({events} calendar events)")

    say("4/5 the Year End Safety Activity Summary Report")
    write_summary(submission, out_dir / "summary.pdf", out_dir / "summary.docx",
                  out_dir / "summary.json")
    say(f"    wrote {out_dir / 'summary.pdf'}, .docx and .json")

    say("5/5 the Annual Documentation Review Submission")
    result = build_package(submission, out_dir / "submission.pdf")
    say("    " + result.summary().replace("\n", "\n    "))
    return sorted(p for p in out_dir.rglob("*") if p.is_file())
