"""`manualgen init`: the questions of `company.yaml` in plain words, and the commented file.

Every answer is checked as it is typed (dates, numbers, roles, hazard keys from the
library's vocabulary), so the written profile passes `load_profile`; it is validated once
more before it is written, atomically, and an existing profile is never replaced without
the user saying so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any, get_args

import click
from PIL import Image, UnidentifiedImageError

from manualgen import resources
from manualgen.cli.params import DateParam
from manualgen.errors import InputError
from manualgen.inputs.library.load import Library
from manualgen.inputs.pipeline import vocabulary
from manualgen.inputs.profile import Employment, Role, nearest, validate_profile
from manualgen.io import inside, parse_yaml
from manualgen.services.storage import atomic_write_text

PROFILE_NAME = "company.yaml"
ROLES: tuple[str, ...] = get_args(Role)
EMPLOYMENT: tuple[str, ...] = get_args(Employment)
LEAD_ROLES = ("owner", "senior_manager")
COMMENT_COLUMN = 50


# ------------------------------------------------------------------ answer types


class PeakParam(click.ParamType):
    name = "number"

    def __init__(self, limit: int):
        self.limit = limit

    def convert(self, value, param, ctx):
        try:
            number = int(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if number < 1:
            self.fail("count at least yourself: 1 or more", param, ctx)
        if number >= self.limit:
            self.fail(f"SECOR is for fewer than {self.limit} employees at peak; "
                      "larger companies apply for COR", param, ctx)
        return number


class ListParam(click.ParamType):
    """Comma- or space-separated choices; numbers pick from the list shown."""

    name = "list"

    def __init__(self, choices: list[str], *, need_one_of: tuple[str, ...] = (),
                 allow_empty: bool = True):
        self.choices = choices
        self.need_one_of = need_one_of
        self.allow_empty = allow_empty

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        picked: list[str] = []
        for word in re.split(r"[,\s]+", str(value).strip()):
            if not word:
                continue
            if word.isdigit() and 1 <= int(word) <= len(self.choices):
                word = self.choices[int(word) - 1]
            if word not in self.choices:
                close = nearest(word, self.choices)
                hint = f"did you mean {', '.join(close)}?" if close else \
                    f"choose from {', '.join(self.choices)}"
                self.fail(f"{word!r} is not one of the choices - {hint}", param, ctx)
            if word not in picked:
                picked.append(word)
        if not picked and not self.allow_empty:
            self.fail("choose at least one", param, ctx)
        if self.need_one_of and not set(picked) & set(self.need_one_of):
            self.fail(f"this person needs one of: {', '.join(self.need_one_of)}", param, ctx)
        return picked


class NewNameParam(click.ParamType):
    """Non-empty text not used before (people's names, equipment ids)."""

    name = "text"

    def __init__(self, used: list[str], what: str):
        self.used = used
        self.what = what

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if not text:
            self.fail("this cannot be empty", param, ctx)
        if text in self.used:
            self.fail(f"{text!r} is already listed; give each {self.what} once", param, ctx)
        return text


class LogoParam(click.ParamType):
    name = "file"

    def __init__(self, directory: Path):
        self.directory = directory

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if not text:
            return None
        path = self.directory / text
        if not inside(self.directory, path):
            self.fail("copy the logo into the profile's folder and give its name", param, ctx)
        if not path.is_file():
            self.fail(f"no file {text!r} in {self.directory}", param, ctx)
        try:
            with Image.open(path) as img:
                img.verify()
                ok = img.format in ("PNG", "JPEG", "GIF", "BMP")
        except (UnidentifiedImageError, OSError, SyntaxError):
            ok = False
        if not ok:
            self.fail(f"{text!r} is not a PNG or JPEG image", param, ctx)
        return text


def _text(question: str, default: str | None = None, optional: bool = False,
          skip: str = " (Enter to skip)") -> str | None:
    """A line of text; optional questions take an empty answer as 'none'."""
    if optional:
        answer = click.prompt(question + skip, default="", show_default=False)
        return answer.strip() or None
    while True:
        answer = click.prompt(question, default=default).strip()
        if answer:
            return answer
        click.echo("Error: this cannot be empty")


# ------------------------------------------------------------------ the interview


def ask(library: Library, directory: Path, on: dt.date) -> dict[str, Any]:
    """Ask every question of company.yaml; returns the profile's data."""
    rules = library.rules
    click.echo("Answer in plain words; press Enter to accept the value in [brackets].\n")
    click.echo("== The company ==")
    company: dict[str, Any] = {
        "legal_name": _text("Legal name of the business, as registered"),
        "operating_name": _text("Name you operate under, if different", optional=True),
        "address": _text("Street address, town and postal code"),
        "phone": _text("Phone number"),
        "email": _text("E-mail address", optional=True),
        "wscb_account": _text("WSCB employer account number"),
        "industry": _text("Industry, in a few words (e.g. Residential roofing)"),
        "scope_of_work": _text("What work do you do? One or two sentences"),
        "peak_employees": click.prompt(
            "Most employees you have at your busiest time (count yourself)",
            type=PeakParam(rules.employee_limit)),
        "uses_subcontractors": click.confirm("Do you hire subcontractors?", default=False),
        "logo": click.prompt(
            f"Logo image file, copied into {directory} (Enter for none)",
            type=LogoParam(directory), default="", show_default=False),
    }

    click.echo("\n== People ==")
    click.echo("List everyone who works in the business, starting with the owner.")
    click.echo("Roles: " + ", ".join(ROLES) + " (several allowed, separated by commas)")
    click.echo("Program courses: " + ", ".join(
        f"{key} ({course.title})" for key, course in rules.courses.items()))
    people: list[dict[str, Any]] = []
    while True:
        first = not people
        person: dict[str, Any] = {
            "name": click.prompt("Full name", type=NewNameParam([p["name"] for p in people],
                                                                "person")),
            "position": _text("Position or job title", default="Owner" if first else None),
            "roles": click.prompt(
                "Roles" + (" (the first person must be owner or senior_manager)" if first
                           else ""),
                type=ListParam(list(ROLES), need_one_of=LEAD_ROLES if first else (),
                               allow_empty=False),
                default="owner, supervisor" if first else "worker"),
            "employment": click.prompt("Employment", type=click.Choice(EMPLOYMENT),
                                       default="full_time"),
            "training": [],
        }
        while True:
            course = _text("Course taken", optional=True, skip=" (Enter when there are no more)")
            if course is None:
                break
            completed = click.prompt("  Completed on (YYYY-MM-DD)", type=DateParam())
            expires = click.prompt("  Expires on (YYYY-MM-DD, Enter if none is printed)",
                                   type=DateParam(optional=True, not_before=completed),
                                   default="", show_default=False)
            record = {"course": course, "completed": completed}
            if expires:
                record["expires"] = expires
            person["training"].append(record)
        people.append(person)
        if not click.confirm("Add another person?", default=False):
            break

    click.echo("\n== Where you work ==")
    worksites: list[dict[str, Any]] = []
    while True:
        site: dict[str, Any] = {
            "name": _text("Worksite name (e.g. Shop and office, Client job sites)"),
            "kind": click.prompt("Fixed place or moving from job to job",
                                 type=click.Choice(["fixed", "mobile"]), default="fixed"),
        }
        address = _text("Its address", optional=True)
        if address:
            site["address"] = address
        worksites.append(site)
        if not click.confirm("Add another worksite?", default=False):
            break

    click.echo("\n== Hazards ==")
    keys = library.hazard_keys
    for n, term in enumerate(library.hazards, 1):
        click.echo(f"  {n:2}. {term.key:<22} {term.label}")
    hazards = click.prompt("Which of these are part of your work? Numbers or names, "
                           "separated by commas (Enter for none)",
                           type=ListParam(keys), default="", show_default=False)

    click.echo("\n== Equipment ==")
    equipment: list[dict[str, Any]] = []
    if click.confirm("Do you have vehicles, ladders, tools or machines that need regular "
                     "maintenance?", default=True):
        while True:
            equipment.append({
                "id": click.prompt("Unit id (e.g. TRK-01)",
                                   type=NewNameParam([e["id"] for e in equipment], "unit")),
                "description": _text("What it is (e.g. 2019 crew truck)"),
                "interval": _text("How often it is serviced (e.g. 3 months, 100 hours)"),
            })
            if not click.confirm("Add another unit?", default=False):
                break

    click.echo("\n== Emergencies ==")
    emergency: dict[str, Any] = {
        "nearest_medical": _text("Nearest hospital or health centre (name, address, phone)"),
        "emergency_number": _text("Emergency phone number", default="911"),
        "muster_point": _text("Where everyone gathers after leaving the building"),
        "remote_communication": _text("How crews call for help where phones do not work",
                                      optional=True),
    }

    click.echo("\n== SECOR ==")
    secor = None
    if click.confirm("Is the company SECOR certified already?", default=False):
        secor = {
            "certificate_number": _text("Certificate number"),
            "certificate_date": click.prompt("Date of issue on the certificate (YYYY-MM-DD)",
                                             type=DateParam()),
        }

    click.echo("\n== The manual ==")
    manual = {
        "revision": click.prompt("Revision number of your manual (0 for a first draft)",
                                 type=click.IntRange(min=0), default=0),
        "issued": click.prompt("Date of this revision (YYYY-MM-DD)", type=DateParam(),
                               default=on.isoformat()),
        "approved_by": _text("Who approves the manual", default=people[0]["name"]),
    }
    return {"company": company, "people": people, "worksites": worksites, "hazards": hazards,
            "equipment": equipment, "emergency": emergency, "secor": secor, "manual": manual}


# ------------------------------------------------------------------ the written file


def scalar(value: Any, *, flow: bool = False) -> str:
    """One YAML value, plain where it reads back the same, double-quoted otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | dt.date):
        return str(value)
    text = str(value)
    if text and text == text.strip() and "\n" not in text:
        probe = "{k: " + text + "}" if flow else "k: " + text
        try:
            if parse_yaml(probe, "<probe>").data == {"k": text}:
                return text
        except InputError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _line(text: str, comment: str | None = None) -> str:
    if not comment:
        return text
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}" if len(text) < COMMENT_COLUMN - 1 \
        else f"{text}  # {comment}"


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in mapping.items()) + "}"


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(scalar(i, flow=True) for i in items) + "]"


def render_profile(data: dict[str, Any], library: Library, on: dt.date) -> str:
    """The profile as commented YAML, in the order and words of the example."""
    c = data["company"]
    limit = library.rules.employee_limit
    out = [
        f"# Company profile for manualgen, written by `manualgen init` on {on}.",
        "# Edit it in any text editor, then check it with:  manualgen check company.yaml",
        "# Dates are written YYYY-MM-DD. Put text containing ': ' or ' #' in quotes.",
        "",
        "company:",
        _line(f"  legal_name: {scalar(c['legal_name'])}"),
    ]

    def optional(key: str, comment: str, example: str) -> None:
        if c.get(key):
            out.append(_line(f"  {key}: {scalar(c[key])}", comment))
        else:
            out.append(_line(f"  # {key}: {example}", comment))

    optional("operating_name", "optional; used on covers and headers", "Your Trade Name")
    out.append(_line(f"  address: {scalar(c['address'])}"))
    out.append(_line(f"  phone: {scalar(c['phone'])}"))
    optional("email", "optional", "office@example.ca")
    out += [
        _line(f"  wscb_account: {json.dumps(str(c['wscb_account']))}",
              "WSCB employer account number, in quotes"),
        _line(f"  industry: {scalar(c['industry'])}"),
        _line(f"  scope_of_work: {scalar(c['scope_of_work'])}"),
        _line(f"  peak_employees: {c['peak_employees']}", f"SECOR needs fewer than {limit}"),
        _line(f"  uses_subcontractors: {scalar(c['uses_subcontractors'])}"),
    ]
    optional("logo", "optional; path relative to this file", "logo.png")

    out += ["", "people:"]
    for person in data["people"]:
        out += [
            f"  - name: {scalar(person['name'])}",
            f"    position: {scalar(person['position'])}",
            _line(f"    roles: {_flow_list(person['roles'])}", ", ".join(ROLES)),
            _line(f"    employment: {person['employment']}", ", ".join(EMPLOYMENT)),
        ]
        if person["training"]:
            out.append(_line("    training:", "course keys: " + ", ".join(
                library.rules.courses) + "; any other name is free text"))
            out += [f"      - {_flow(t)}" for t in person["training"]]
        else:
            out.append(_line("    training: []", "add {course: PHSM, completed: YYYY-MM-DD}"))

    out += ["", "worksites:"]
    out += [_line(f"  - {_flow(site)}") for site in data["worksites"]]

    out += ["", _line(f"hazards: {_flow_list(data['hazards'])}",
                      "keys from the library: `manualgen library list`")]
    for term in library.hazards:
        out.append(f"#   {term.key}: {term.label}")

    out.append("")
    if data["equipment"]:
        out.append(_line("equipment:", "each unit's id, what it is, how often it is serviced"))
        out += [f"  - {_flow(unit)}" for unit in data["equipment"]]
    else:
        out.append(_line("equipment: []",
                         "add {id: TRK-01, description: Crew truck, interval: 3 months}"))

    e = data["emergency"]
    out += ["", "emergency:",
            f"  nearest_medical: {scalar(e['nearest_medical'])}",
            f"  emergency_number: {json.dumps(str(e['emergency_number']))}",
            f"  muster_point: {scalar(e['muster_point'])}"]
    if e.get("remote_communication"):
        out.append(f"  remote_communication: {scalar(e['remote_communication'])}")
    else:
        out.append(_line("  # remote_communication: Satellite messenger in every truck",
                         "optional"))

    out.append("")
    s = data.get("secor")
    if s:
        out += [_line("secor:", "absent until certified"),
                f"  certificate_number: {scalar(s['certificate_number'])}",
                _line(f"  certificate_date: {s['certificate_date']}",
                      "date of issue = anniversary date")]
    else:
        out += ["# secor:                         # add when the certificate arrives",
                "#   certificate_number: S-0000",
                "#   certificate_date: YYYY-MM-DD   # date of issue = anniversary date"]

    m = data["manual"]
    out += ["", "manual:",
            f"  revision: {m['revision']}",
            f"  issued: {m['issued']}",
            f"  approved_by: {scalar(m['approved_by'])}", ""]
    return "\n".join(out)


# ------------------------------------------------------------------ the command


def _default_profile(directory: Path) -> str:
    """The example company's profile; its logo is copied too unless one is there already."""
    example = resources.examples_dir() / PROFILE_NAME
    text = example.read_text(encoding="utf-8")
    logo = example.parent / "logo.png"
    if logo.is_file() and not (directory / "logo.png").exists():
        shutil.copyfile(logo, directory / "logo.png")
    return text


def run_init(directory: Path, *, defaults: bool, on: dt.date,
             library: Library) -> Path | None:
    """Ask (or take the example), check, and write DIR/company.yaml. None: left as it was."""
    directory = Path(directory)
    target = directory / PROFILE_NAME
    if target.exists() and not click.confirm(
            f"{target} already exists. Replace it?", default=False):
        click.echo(f"{target} left unchanged.")
        return None
    directory.mkdir(parents=True, exist_ok=True)
    if defaults:
        text = _default_profile(directory)
    else:
        text = render_profile(ask(library, directory, on), library, on)
    # The same check `manualgen check` makes: a profile init writes must pass it.
    validate_profile(parse_yaml(text, target), vocabulary(library), folder=directory)
    atomic_write_text(target, text)
    return target
