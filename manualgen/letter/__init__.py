"""The Letter of Good Standing: NSNY's template (Markdown-like text with the sandboxed
policy variables) filled in for one company and laid out as a one-page PDF.

The template's lines: `# ` a title, `## ` a heading, a blank line between paragraphs,
other lines kept as written (an address block). It renders with the strict, sandboxed
Jinja environment the policies use, so a misspelt variable is an error naming its line.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from manualgen.render.jinja import policy_environment, render_text

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "good-standing.md"
TEMPLATE_NAME = "letter of good standing template"


@dataclass(frozen=True)
class LetterCompany:
    """The company as the letter names it (from its profile)."""

    legal_name: str
    operating_name: str
    address: str
    wscb_account: str


@dataclass(frozen=True)
class LetterCertificate:
    number: str
    date: dt.date | None


@dataclass(frozen=True)
class LetterSubmission:
    """The approved submission: its title and the year it covers."""

    title: str
    period_start: dt.date
    period_end: dt.date
    anniversary: dt.date


@dataclass(frozen=True)
class LetterValues:
    """What a letter says about one company and one approved submission."""

    number: str
    date: dt.date
    company: LetterCompany
    certificate: LetterCertificate
    submission: LetterSubmission
    next_due: dt.date | None
    reviewer: str                    # the reviewer's name
    reviewer_title: str = ""         # and title (SECOR Advisor), when given

    def context(self) -> dict[str, Any]:
        """The template's variables: letter, company, certificate, submission, next_due,
        reviewer, reviewer_title."""
        return {"letter": {"number": self.number, "date": self.date},
                "company": asdict(self.company), "certificate": asdict(self.certificate),
                "submission": asdict(self.submission), "next_due": self.next_due,
                "reviewer": self.reviewer, "reviewer_title": self.reviewer_title}

    @classmethod
    def sample(cls, on: dt.date) -> LetterValues:
        """Made-up values, to try a template NSNY edits before it is saved."""
        return cls("LGS-0000-0000", on,
                   LetterCompany("Example Ltd.", "", "Whitehorse", "0000000"),
                   LetterCertificate("S-0000", on),
                   LetterSubmission("Annual Documentation Review Submission", on, on, on),
                   on, "A reviewer", "SECOR Advisor")


def default_template() -> str:
    return DEFAULT_TEMPLATE.read_text(encoding="utf-8")


def letter_text(template: str, values: LetterValues) -> str:
    """The filled-in text; an InputError naming the template's line when it is wrong."""
    return render_text(policy_environment(), template, values.context(), TEMPLATE_NAME)


def letter_pdf(template: str, values: LetterValues) -> bytes:
    """The letter as PDF bytes (the same values give the same bytes)."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    text = letter_text(template, values)
    styles = getSampleStyleSheet()
    story: list[Any] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            story.append(Paragraph("<br/>".join(escape(line) for line in block),
                                   styles["BodyText"]))
            story.append(Spacer(1, 8))
            block.clear()

    for line in text.splitlines():
        if line.startswith("# "):
            flush()
            story.append(Paragraph(escape(line[2:].strip()), styles["Title"]))
        elif line.startswith("## "):
            flush()
            story.append(Paragraph(escape(line[3:].strip()), styles["Heading2"]))
        elif not line.strip():
            flush()
        else:
            block.append(line.rstrip())
    flush()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=inch, rightMargin=inch,
                            topMargin=inch, bottomMargin=inch, invariant=1,
                            title=f"Letter of Good Standing {values.number}",
                            author="Northern Safety Network Yukon",
                            subject=values.company.legal_name)
    doc.build(story)
    return out.getvalue()
