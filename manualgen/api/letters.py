"""NSNY's Letter of Good Standing: its shipped wording, and a letter as text or PDF from
NSNY's own template (an InputError names the template's line when it is wrong)."""

from __future__ import annotations

from manualgen.letter import (
    LetterCertificate,
    LetterCompany,
    LetterSubmission,
    LetterValues,
    default_template,
)
from manualgen.letter import letter_pdf as pdf
from manualgen.letter import letter_text as text

__all__ = ["LetterValues", "LetterCompany", "LetterCertificate", "LetterSubmission",
           "default_template", "text", "pdf"]
