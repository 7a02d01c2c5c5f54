"""The submission folder's own settings (`submission.yaml`) and the company it belongs to.

Loaded once and shared by the packager and the summary report, so both judge the same
anniversary, review period and targets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from manualgen.errors import Collector, fail
from manualgen.inputs.library.load import Library, load_library
from manualgen.inputs.models import Date, Line, Name, Paragraph, Strict, problems_from
from manualgen.inputs.pipeline import Inputs, load_inputs, prepare
from manualgen.inputs.profile import CompanyProfile
from manualgen.inputs.program import next_anniversary, review_period
from manualgen.io import YamlDoc, inside, load_yaml, parse_yaml
from manualgen.services.storage import Scratch

SUBMISSION_FILE = "submission.yaml"
COMPANY_FILE = "company.yaml"


class Period(Strict):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("the period ends before it starts - check start and end")
        return self


class SampleInfo(Strict):
    date: Date | None = None
    title: Line | None = None


PerMonth = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class SubmissionSettings(Strict):
    anniversary: Date | None = None
    period: Period | None = None
    prepared_by: Name | None = None
    targets: dict[str, PerMonth] = {}          # activity -> per month
    orientations_applicable: bool | None = None
    samples: dict[Annotated[str, Field(max_length=500)], SampleInfo] = {}
    notes: Paragraph | None = None
    year: int | None = Field(default=None, ge=2000, le=9999)  # the submission year on stamps


@dataclass
class Submission:
    folder: Path
    settings: SubmissionSettings
    doc: YamlDoc                    # submission.yaml, for line numbers
    inputs: Inputs                  # the company: library, profile, policies, context
    anniversary: dt.date
    period: Period
    prepared_by: str
    scratch: Scratch | None = None   # holds a submission given as files

    @property
    def library(self) -> Library:
        return self.inputs.library

    @property
    def year(self) -> int:
        return self.settings.year or self.anniversary.year

    @property
    def company_name(self) -> str:
        return self.inputs.profile.profile.company.name


def find_company(folder: Path, company: Path | None = None) -> Path:
    """The company profile of a submission folder: given, in it, or in the folder above."""
    if company:
        return company
    here = folder.absolute()  # "." has no parent until it is made absolute
    for candidate in (folder / COMPANY_FILE, here.parent / COMPANY_FILE):
        if candidate.is_file():
            return candidate
    raise fail(folder / COMPANY_FILE, "no company profile found in the submission folder "
               "or the folder above it", fix="copy company.yaml there or pass --company PATH")


def stage_files(files: Mapping[str, bytes]) -> Scratch:
    """A private folder holding a submission given as {relative path: bytes}; paths that
    would leave it are refused. The folder goes when the returned object is dropped."""
    scratch = Scratch(prefix="manualgen-submission-")
    root = Path(scratch.name)
    for rel, data in files.items():
        target = root / rel
        if Path(rel).is_absolute() or ".." in Path(rel).parts or not inside(root, target):
            scratch.cleanup()
            raise fail(rel, "a submission file's path leaves the submission",
                       fix="give paths like site-inspections/2026-03-03 inspection.pdf")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return scratch


def load_submission(folder: Path | Mapping[str, bytes], *, library: Library | None = None,
                    company: Path | CompanyProfile | None = None,
                    on: dt.date | None = None) -> Submission:
    """Read submission.yaml (every key optional) and the company; resolve the defaults.

    `folder` is the submission folder, or its files as {relative path: bytes} (then
    `company` must be given, as a path or a loaded profile).
    """
    scratch = None
    if isinstance(folder, Mapping):
        if company is None:
            raise fail("submission", "a submission given as files needs its company profile",
                       fix="pass the company profile too")
        scratch = stage_files(folder)
        folder = Path(scratch.name)
    folder = Path(folder)
    if not folder.is_dir():
        raise fail(folder, "not a folder", fix="give the submission folder "
                   "(make one with `manualgen package init DIR`)")
    if isinstance(company, CompanyProfile):
        inputs = prepare(company, library or load_library())
    else:
        inputs = load_inputs(find_company(folder, company), library)
    path = folder / SUBMISSION_FILE
    doc = load_yaml(path) if path.is_file() else parse_yaml("{}", path)
    found = Collector()
    data = doc.data if doc.data is not None else {}
    settings = None
    try:
        settings = SubmissionSettings.model_validate(data)
    except ValidationError as exc:
        found.extend(problems_from(exc, doc))
    # Checked on the raw values too, so one run reports every problem of the file.
    rules = inputs.library.rules
    raw = data if isinstance(data, dict) else {}
    targets = raw.get("targets") if isinstance(raw.get("targets"), dict) else {}
    for key in targets:
        if key not in rules.activities:
            found.extend([doc.problem(("targets", key), f"unknown activity {key!r}",
                                      "use one of: " + ", ".join(rules.activities))])
    samples = raw.get("samples") if isinstance(raw.get("samples"), dict) else {}
    for name in samples:
        if Path(str(name)).is_absolute() or ".." in Path(str(name)).parts:
            found.extend([doc.problem(("samples", name),
                                      "sample paths are relative to the submission folder",
                                      "write it like site-inspections/scan0042.pdf")])
    found.problems.sort(key=lambda p: p.line or 0)
    found.raise_if_errors()
    assert settings is not None
    profile = inputs.profile.profile
    anniversary = settings.anniversary
    if anniversary is None:
        if profile.secor is None:
            raise fail(path, "no anniversary date: the company profile has no secor section",
                       field="anniversary",
                       fix="add 'anniversary: YYYY-MM-DD' to submission.yaml or the secor "
                           "certificate_date to company.yaml")
        anniversary = next_anniversary(profile.secor.certificate_date, on or dt.date.today())
    if settings.period is not None:
        period = settings.period
    else:
        start, end = review_period(anniversary, rules)
        period = Period(start=start, end=end)
    prepared_by = settings.prepared_by or inputs.profile.profile.owner.name
    return Submission(folder, settings, doc, inputs, anniversary, period, prepared_by,
                      scratch)
