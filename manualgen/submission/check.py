"""Judge a submission folder against its package: what is missing, late, out of period or
unreadable - without building anything and without writing a byte into the folder.

The same judgement feeds the build: the checklist page shows these statuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from manualgen.errors import InputError, Problem, Severity
from manualgen.inputs.submission import SUBMISSION_FILE, Submission
from manualgen.submission import intake as intake_mod
from manualgen.submission.intake import Intake, Refused, Sample
from manualgen.submission.normalise import Unreadable, probe_image, probe_pdf, sniff_word
from manualgen.submission.spec import DEFAULT_PACKAGE, Category, PackageSpec, load_package

Reader = Callable[[Sample], tuple[int, list[str]]]


class CategoryState(StrEnum):
    """How far a category of the submission is: one wording each (`label`), shown on the
    checklist, by `package check`, in the index and by the web app."""

    COMPLETE = "complete"
    GENERATED = "generated"
    NOT_APPLICABLE = "not_applicable"
    TOO_FEW = "too_few"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    CategoryState.COMPLETE: "Complete", CategoryState.GENERATED: "Generated from the records",
    CategoryState.NOT_APPLICABLE: "Not applicable", CategoryState.TOO_FEW: "Too few",
    CategoryState.MISSING: "Missing",
}


def state_text(state: CategoryState, detail: str = "") -> str:
    """'Too few: 1 of 2' - the state's wording, then what makes it so."""
    return f"{state.label}: {detail}" if detail else state.label


@dataclass
class CategoryStatus:
    number: int
    category: Category
    samples: list[Sample]            # readable samples, in date order
    refused: list[Refused]
    needed: int
    counted: int                     # dated, in the period
    status: str                      # complete, too_few, missing, not_applicable, generated
    status_text: str
    applicable_reason: str | None = None
    problems: list[Problem] = field(default_factory=list)   # about the category as a whole

    def as_dict(self) -> dict:
        return {
            "number": self.number, "key": self.category.key,
            "folder": self.category.folder, "title": self.category.title,
            "status": self.status, "status_text": self.status_text,
            "needed": self.needed, "counted": self.counted,
            "samples": [{"file": s.rel, "date": s.date.isoformat() if s.date else None,
                         "title": s.title, "kind": s.kind} for s in self.samples],
            "not_included": [r.rel for r in self.refused],
        }


@dataclass
class Report:
    folder: Path
    package: str
    company: str
    anniversary: dt.date
    period: tuple[dt.date, dt.date]
    on: dt.date | None
    categories: list[CategoryStatus]
    findings: list[Problem]
    ignored: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)   # every file kept out, with why
    pages: dict[str, int] = field(default_factory=dict)      # rel -> pages (when known)

    @property
    def days_left(self) -> int | None:
        return (self.anniversary - self.on).days if self.on else None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.findings if p.severity is Severity.ERROR]

    @property
    def has_findings(self) -> bool:
        return bool(self.errors)

    def deadline_text(self) -> str | None:
        days = self.days_left
        if days is None:
            return None
        due = self.anniversary.isoformat()
        if days > 0:
            return f"{days} day{'s' if days != 1 else ''} left: the submission must reach " \
                   f"NSNY before {due}"
        return f"the submission is late: it was due before {due}"

    def as_dict(self) -> dict:
        return {
            "folder": str(self.folder), "package": self.package, "company": self.company,
            "anniversary": self.anniversary.isoformat(),
            "period": {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()},
            "on": self.on.isoformat() if self.on else None, "days_left": self.days_left,
            "categories": [c.as_dict() for c in self.categories],
            "findings": [p.as_dict() for p in self.findings],
            "not_included": [r.rel for r in self.refused],
            "ignored": self.ignored,
        }

    def as_text(self) -> str:
        lines = [f"{self.package} - {self.company}",
                 f"review period {self.period[0]} to {self.period[1]}; "
                 f"anniversary {self.anniversary}"]
        if (deadline := self.deadline_text()) is not None:
            lines.append(deadline)
        lines.append("")
        for cat in self.categories:
            lines.append(f"{cat.number:>2}. {cat.category.title:<42} {cat.status_text}")
        dated = [s for c in self.categories for s in c.samples if s.date_from == "photo"]
        if dated:
            lines += ["", "dated from the photo itself (the camera's date); rename the file "
                          "with its date if that is wrong:"]
            lines += [f"  {s.rel}: {s.date}" for s in dated]
        if self.findings:
            lines += ["", f"{len(self.errors)} finding(s) to fix, "
                          f"{len(self.findings) - len(self.errors)} warning(s):"]
            lines += [f"  {p}" for p in self.findings]
        if self.ignored:
            lines += ["", "ignored (system files): " + ", ".join(self.ignored)]
        if not self.findings:
            lines += ["", "no findings: ready to build"]
        return "\n".join(lines)


# --- applicability -----------------------------------------------------------------------

def _applicable(cat: Category, sub: Submission, has_samples: bool,
                records) -> tuple[bool, str | None, Problem | None]:
    """(applies, why, finding) for an if_applicable category."""
    rule = cat.applicable_when
    setting = getattr(sub.settings, rule.setting, None) if rule and rule.setting else None
    if setting is not None:
        return bool(setting), f"{rule.setting}: {str(setting).lower()} in {SUBMISSION_FILE}", \
            None
    if has_samples:
        return True, None, None
    if rule and rule.activity and isinstance(records, list):
        start, end = sub.period.start, sub.period.end
        label = sub.library.rules.activities.get(rule.activity, rule.activity).lower()
        found = [a for a in records if a.activity == rule.activity and start <= a.date <= end]
        if found:
            return True, f"the activity log has {len(found)} {label} in the period", None
        return False, f"the activity log has no {label} in the period", None
    fix = f"set {rule.setting}: false in {SUBMISSION_FILE} if it does not apply" \
        if rule and rule.setting else "add samples"
    return True, None, Problem(str(sub.folder / (cat.folder or "")), None, None,
                               f"cannot tell from the records whether {cat.title} apply",
                               fix, "warning")


def _activity_records(sub: Submission) -> list | InputError:
    """The activity log's rows, or the error that kept the records from being read."""
    from manualgen.inputs.records import load_records

    try:
        return load_records(sub).activities
    except InputError as exc:
        return exc


# --- the judgement -----------------------------------------------------------------------

def judge(sub: Submission, spec: PackageSpec, found: Intake, *, on: dt.date | None = None,
          reader: Reader | None = None) -> Report:
    """Statuses and findings of every category.

    `reader` gives a sample's pages and warnings or raises `Unreadable`: the check probes
    file headers, the build hands in what normalising found.
    """
    read = reader or probe
    rules = sub.library.rules
    findings: list[Problem] = list(found.problems)
    refused = list(found.refused)
    pages: dict[str, int] = {}
    samples: list[Sample] = []
    for sample in found.samples:
        try:
            count, warnings = read(sample)
        except Unreadable as exc:
            refused.append(Refused(sample.rel, sample.category, Problem(
                str(sample.path), None, None, exc.message, exc.fix)))
            continue
        pages[sample.rel] = count
        findings.extend(Problem(str(sample.path), None, None, w, None, "warning")
                        for w in warnings)
        samples.append(sample)
        if sample.date is not None:
            findings.extend(_date_findings(sample, sub, on))
    findings.extend(r.problem for r in refused)

    records = None
    statuses = []
    for number, cat in enumerate(spec.categories, start=1):
        mine = sorted((s for s in samples if s.category == cat.key), key=lambda s: s.sort_key)
        gone = [r for r in refused if r.category == cat.key]
        needed = cat.minimum(rules)
        if (cat.generated or cat.status == "if_applicable") and records is None:
            records = _activity_records(sub)
        if cat.generated:
            ok = not isinstance(records, InputError)
            statuses.append(CategoryStatus(
                number, cat, mine, gone, needed, 1 if ok else 0,
                CategoryState.GENERATED if ok else CategoryState.MISSING,
                state_text(CategoryState.GENERATED) if ok else
                state_text(CategoryState.MISSING, "the records have problems")))
            continue
        counted = sum(1 for s in mine if s.date and sub.period.start <= s.date <= sub.period.end)
        reason = None
        if cat.status == "if_applicable":
            applies, reason, problem = _applicable(cat, sub, bool(mine), records)
            if problem:
                findings.append(problem)
            if not applies:
                statuses.append(CategoryStatus(number, cat, mine, gone, needed, counted,
                                               CategoryState.NOT_APPLICABLE,
                                               state_text(CategoryState.NOT_APPLICABLE, reason),
                                               reason))
                continue
        statuses.append(_count_status(sub, number, cat, mine, gone, needed, counted, reason))
        findings.extend(statuses[-1].problems)
    if isinstance(records, InputError):
        findings.extend(records.problems)
    if on is not None:
        findings.extend(_deadline(sub, on))
    findings.extend(_cycle(sub, spec))
    profile = sub.inputs.profile.profile
    return Report(sub.folder, spec.title, profile.company.name, sub.anniversary,
                  (sub.period.start, sub.period.end), on, statuses, findings,
                  list(found.ignored), refused, pages)


def _count_status(sub: Submission, number: int, cat: Category, mine: list[Sample],
                  gone: list[Refused], needed: int, counted: int,
                  reason: str | None) -> CategoryStatus:
    where = str(sub.folder / (cat.folder or ""))
    why = f" ({reason})" if reason else ""
    problems = []
    if counted == 0:
        status = CategoryState.MISSING
        text = state_text(status, "no samples from the review period" + why)
        problems.append(Problem(where, None, None,
                                f"{cat.title}: no samples from the review period{why}",
                                f"add at least {needed} to the {cat.folder} folder"))
    elif counted < needed:
        status = CategoryState.TOO_FEW
        text = state_text(status, f"{counted} of {needed}")
        problems.append(Problem(where, None, None,
                                f"{cat.title}: {counted} sample(s), {needed} needed{why}",
                                f"add {needed - counted} more to the {cat.folder} folder"))
    else:
        status = CategoryState.COMPLETE
        text = state_text(status, f"{counted} sample{'s' if counted != 1 else ''}")
    return CategoryStatus(number, cat, mine, gone, needed, counted, status, text, reason,
                          problems)


def probe(sample: Sample) -> tuple[int, list[str]]:
    """A sample's pages and warnings from its header; Word pages are known after conversion."""
    if sample.kind == "pdf":
        return probe_pdf(sample.path)
    if sample.kind == "image":
        return probe_image(sample.path), []
    sniff_word(sample.path)
    return 0, []


def _date_findings(sample: Sample, sub: Submission, on: dt.date | None) -> list[Problem]:
    where = str(sample.path)
    start, end = sub.period.start, sub.period.end
    assert sample.date is not None
    if not start <= sample.date <= end:
        return [Problem(where, None, None,
                        f"dated {sample.date.isoformat()}, outside the review period "
                        f"{start.isoformat()} to {end.isoformat()}",
                        "choose a sample from the period, or correct the date in its name")]
    if on is not None and sample.date > on:
        return [Problem(where, None, None,
                        f"dated {sample.date.isoformat()}, after today ({on.isoformat()})",
                        "correct the date in its name", "warning")]
    return []


def _deadline(sub: Submission, on: dt.date) -> list[Problem]:
    if (sub.anniversary - on).days > 0:
        return []
    return [Problem(str(sub.folder / SUBMISSION_FILE), sub.doc.line(("anniversary",)),
                    None, f"the submission is late: it was due before "
                          f"{sub.anniversary.isoformat()}",
                    "send it to NSNY as soon as possible and tell your SECOR advisor")]


def _cycle(sub: Submission, spec: PackageSpec) -> list[Problem]:
    """Warn when the SECOR cycle asks for something else at this anniversary."""
    from manualgen.inputs.program import cycle_items

    secor = sub.inputs.profile.profile.secor
    if secor is None or spec.cycle_item is None:
        return []
    item = next((i for i in cycle_items(secor.certificate_date, sub.library.rules)
                 if i.date == sub.anniversary), None)
    if item is None or item.due == spec.cycle_item:
        return []
    return [Problem(str(sub.folder / SUBMISSION_FILE), sub.doc.line(("anniversary",)), None,
                    f"at the anniversary {sub.anniversary.isoformat()} (year {item.cycle_year} "
                    f"of the certificate) the program asks for: {item.title}",
                    "check the anniversary date; build this package for years 2 and 3",
                    "warning")]


def check_package(sub: Submission, *, on: dt.date | None = None,
                  package: str | Path = DEFAULT_PACKAGE) -> Report:
    """What is missing, late, out of period or unreadable: scan and judge; builds nothing."""
    on = on or dt.date.today()
    spec = load_package(package, sub.library)
    return judge(sub, spec, intake_mod.scan(sub, spec), on=on)
