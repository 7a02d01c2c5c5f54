"""How ready the year's submission is, category by category, months before it is due:
each category's state from the package check, and when its latest sample was made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from manualgen.submission.check import CategoryState, Report


@dataclass(frozen=True)
class Readiness:
    number: int
    title: str
    state: CategoryState
    text: str                  # "Too few: 1 of 2; nothing since March 2026"
    latest: dt.date | None


def readiness(report: Report) -> list[Readiness]:
    out = []
    for cat in report.categories:
        dated = [s.date for s in cat.samples if s.date is not None]
        latest = max(dated) if dated else None
        text = cat.status_text
        if not cat.category.generated and cat.status is not CategoryState.NOT_APPLICABLE:
            if latest is not None:
                text += f"; the latest is from {latest:%B %Y}"
            elif not cat.samples:
                text += "; nothing recorded yet"
        out.append(Readiness(cat.number, cat.category.title, cat.status, text, latest))
    return out
