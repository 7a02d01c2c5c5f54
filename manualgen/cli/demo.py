"""Every job on the bundled example company, so a new user sees all outputs at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from manualgen import api


def run_demo(out_dir: Path, library: api.Library, office: api.office.Office,
             say: Callable[[str], None]) -> list[Path]:
    """Build the manual, forms, status calendar, summary report and submission PDF."""
    examples = api.examples_dir()
    company = api.load_profile(examples / "company.yaml", library)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    say("1/5 the health and safety manual")
    manual = api.manual.build(company, library, api.manual.ManualOptions(pdf=True, office=office))
    api.save(out_dir / "manual.docx", manual.docx)
    api.save(out_dir / "manual.pdf", manual.pdf or b"")
    say(f"    wrote {out_dir / 'manual.docx'} and .pdf ({len(manual.policies)} policies, "
        f"{manual.pages} pages)")

    say("2/5 the personalised blank forms")
    forms = api.forms.build(company, library, api.forms.FormsOptions(pdf=True, office=office))
    for name, data in forms.files.items():
        api.save(out_dir / "forms" / name, data)
    say(f"    wrote {len(forms.docx)} forms for {forms.company} to {out_dir / 'forms'} "
        f"(with {len(forms.pdfs)} PDFs)")

    say("3/5 where the company stands in its SECOR cycle")
    report = api.status.report(company, library, on=dt.date.today())
    api.save(out_dir / "status.txt", report.as_text() + "\n")
    calendar = api.status.calendar(report)
    api.save(out_dir / "secor-dates.ics", calendar)
    say(f"    wrote {out_dir / 'status.txt'} and {out_dir / 'secor-dates.ics'} "
        f"({calendar.count(b'BEGIN:VEVENT')} calendar events)")

    say("4/5 the Year End Safety Activity Summary Report")
    submission = api.submission.load(examples / "2026-submission", library, company=company)
    summary = api.summary.build(submission)
    api.save(out_dir / "summary.pdf", summary.pdf_bytes())
    api.save(out_dir / "summary.docx", summary.docx_bytes())
    api.save(out_dir / "summary.json", summary.json_text())
    say(f"    wrote {out_dir / 'summary.pdf'}, .docx and .json")

    say("5/5 the Annual Documentation Review Submission")
    built = api.submission.build(submission, api.submission.BuildOptions(pdf_name="submission.pdf"),
                                 office=office)
    built.write(out_dir / "submission.pdf")
    say("    " + built.summary(str(out_dir / "submission.pdf")).replace("\n", "\n    "))
    return sorted(p for p in out_dir.rglob("*") if p.is_file())
