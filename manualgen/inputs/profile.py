"""The company profile (`company.yaml`): typed models and the one function that loads it.

Everything in a profile is checked in one pass so the employer sees every problem at
once, each at its line: shape and types first (pydantic), then the program rules
(employee limit) and the library's vocabulary (hazard keys), then the files it names.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError
from pydantic import Field, ValidationError

from manualgen.errors import Collector
from manualgen.inputs.models import Date, Strict, Text, problems_from
from manualgen.inputs.program import ProgramRules
from manualgen.io import YamlDoc, inside, load_yaml

Role = Literal["owner", "senior_manager", "supervisor", "worker", "safety_rep", "first_aid"]

Employment = Literal["full_time", "part_time", "seasonal"]
NonEmpty = Field(min_length=1)


class Company(Strict):
    legal_name: Text = NonEmpty
    operating_name: Text | None = None
    address: Text = NonEmpty
    phone: Text = NonEmpty
    email: Text | None = None
    wscb_account: Text = NonEmpty
    industry: Text = NonEmpty
    scope_of_work: Text = NonEmpty
    peak_employees: int = Field(ge=1)
    uses_subcontractors: bool = False
    logo: Text | None = None

    @property
    def name(self) -> str:
        """The name people know the company by."""
        return self.operating_name or self.legal_name


class Training(Strict):
    course: Text = NonEmpty
    completed: Date
    expires: Date | None = None


class Person(Strict):
    name: Text = NonEmpty
    position: Text = NonEmpty
    roles: list[Role] = Field(min_length=1)
    employment: Employment = "full_time"
    training: list[Training] = []

    def has(self, role: str) -> bool:
        return role in self.roles


class Worksite(Strict):
    name: Text = NonEmpty
    address: Text | None = None
    kind: Literal["fixed", "mobile"] = "fixed"


class Equipment(Strict):
    id: Text = NonEmpty
    description: Text = NonEmpty
    interval: Text = NonEmpty


class Emergency(Strict):
    nearest_medical: Text = NonEmpty
    emergency_number: Text = NonEmpty
    muster_point: Text = NonEmpty
    remote_communication: Text | None = None


class Secor(Strict):
    certificate_number: Text = NonEmpty
    certificate_date: Date


class Revision(Strict):
    revision: int = Field(ge=0)
    date: Date
    changes: Text = NonEmpty


class ManualInfo(Strict):
    revision: int = Field(ge=0)
    issued: Date
    approved_by: Text = NonEmpty
    history: list[Revision] = []
    distribution: list[Text] = []


class Profile(Strict):
    company: Company
    people: list[Person] = Field(min_length=1)
    worksites: list[Worksite] = Field(min_length=1)
    hazards: list[Text] = []
    equipment: list[Equipment] = []
    emergency: Emergency
    secor: Secor | None = None
    manual: ManualInfo

    def with_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.has(role)]


class LoadedProfile:
    """A validated profile plus where it came from (for the logo and error messages)."""

    def __init__(self, profile: Profile, path: Path, doc: YamlDoc):
        self.profile = profile
        self.path = path
        self.doc = doc

    @property
    def logo_path(self) -> Path | None:
        logo = self.profile.company.logo
        return (self.path.parent / logo) if logo else None


def nearest(word: str, choices: list[str]) -> list[str]:
    return difflib.get_close_matches(word, choices, n=3, cutoff=0.5)


def _check_raw(doc: YamlDoc, rules: ProgramRules, hazard_keys: list[str], base: Path,
               found: Collector) -> None:
    """Checks that work on the raw values, so they run even when the shape is wrong."""
    data = doc.data
    company = data.get("company") if isinstance(data.get("company"), dict) else {}
    peak = company.get("peak_employees")
    limit = rules.employee_limit
    if isinstance(peak, int) and not isinstance(peak, bool) and peak >= limit:
        found.extend([doc.problem(
            ("company", "peak_employees"),
            f"{peak} - SECOR is for fewer than {limit} employees",
            "larger companies apply for COR; check the number at your busiest time")])
    hazards = data.get("hazards")
    seen: set[str] = set()
    for i, key in enumerate(hazards if isinstance(hazards, list) else []):
        if not isinstance(key, str):
            continue
        if key not in hazard_keys:
            close = nearest(key, hazard_keys)
            hint = f"did you mean {', '.join(close)}?" if close else \
                f"use one of: {', '.join(hazard_keys)}"
            found.extend([doc.problem(("hazards", i), f"unknown hazard key {key!r}", hint)])
        elif key in seen:
            found.extend([doc.problem(("hazards", i), f"hazard {key!r} is listed twice",
                                      "remove one of them")])
        seen.add(key)
    if isinstance(company.get("logo"), str):
        _check_logo(company["logo"], doc, base, found)


def _check_model(profile: Profile, doc: YamlDoc, found: Collector) -> None:
    """Checks across fields of a profile whose shape is already valid."""
    if not (profile.with_role("owner") or profile.with_role("senior_manager")):
        found.extend([doc.problem(("people",), "nobody has the role owner or senior_manager",
                                  "add the role owner to the owner's entry")])
    names = [p.name for p in profile.people]
    for i, name in enumerate(names):
        if name in names[:i]:
            found.extend([doc.problem(("people", i, "name"), f"{name!r} is listed twice",
                                      "list each person once, with all their roles")])
    for i, person in enumerate(profile.people):
        for j, course in enumerate(person.training):
            if course.expires and course.expires < course.completed:
                found.extend([doc.problem(
                    ("people", i, "training", j, "expires"),
                    "expires before it was completed", "check the two dates")])
    ids = [e.id for e in profile.equipment]
    for i, unit in enumerate(ids):
        if unit in ids[:i]:
            found.extend([doc.problem(("equipment", i, "id"), f"unit id {unit!r} is used twice",
                                      "give every unit its own id")])


def _check_logo(logo: str, doc: YamlDoc, base: Path, found: Collector) -> None:
    key = ("company", "logo")
    path = base / logo
    if not inside(base, path):
        found.extend([doc.problem(key, f"{logo!r} is outside the profile's folder",
                                  "copy the logo next to company.yaml")])
        return
    if not path.is_file():
        found.extend([doc.problem(key, f"logo file {logo!r} not found",
                                  "put the image next to company.yaml or fix the name")])
        return
    try:
        with Image.open(path) as img:
            img.verify()
            if img.format not in ("PNG", "JPEG", "GIF", "BMP"):
                raise UnidentifiedImageError(img.format)
    except (UnidentifiedImageError, OSError, SyntaxError):
        found.extend([doc.problem(key, f"{logo!r} is not a PNG or JPEG image",
                                  "save the logo as PNG or JPEG")])


def validate_profile(doc: YamlDoc, rules: ProgramRules, hazard_keys: list[str],
                     base: Path) -> Profile:
    """Every problem of one profile at once, or the valid profile."""
    found = Collector()
    if not isinstance(doc.data, dict):
        found.extend([doc.problem((), "the profile is empty or not a set of fields",
                                  "start from `manualgen init` or the example company.yaml")])
        found.raise_if_errors()
    _check_raw(doc, rules, hazard_keys, base, found)
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as exc:
        found.extend(problems_from(exc, doc))
        profile = None
    if profile is not None:
        _check_model(profile, doc, found)
    found.problems.sort(key=lambda p: p.line or 0)
    found.raise_if_errors()
    assert profile is not None
    return profile


def load_profile(path: Path, rules: ProgramRules, hazard_keys: list[str]) -> LoadedProfile:
    path = Path(path)
    doc = load_yaml(path)
    profile = validate_profile(doc, rules, hazard_keys, path.parent)
    return LoadedProfile(profile, path, doc)
