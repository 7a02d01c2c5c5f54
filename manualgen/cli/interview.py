"""`manualgen init`: the profile's questions (`inputs.questions`) asked in a terminal.

Every answer is checked as it is typed by the profile's own model (dates, numbers, roles,
hazard keys, the employee limit, names used twice), and re-asked with the model's
message; the written profile is validated once more before it is written, atomically,
and an existing profile is never replaced without the user saying so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from manualgen import api
from manualgen.api.workspace import PROFILE_NAME, Group, Question
from manualgen.errors import nearest


class Answer(click.ParamType):
    """One answer: parsed by its question's kind, then judged by the profile's model."""

    name = "answer"

    def __init__(self, ask: Interview, group: Group, question: Question,
                 answers: dict[str, Any], *, last: bool, first: bool = False,
                 siblings: list[dict[str, Any]] = ()) -> None:
        self.ask, self.group, self.question = ask, group, question
        self.answers, self.last, self.first, self.siblings = answers, last, first, siblings

    def convert(self, value, param, ctx):
        q = self.question
        text = str(value).strip()
        if not text:
            if q.required:
                self.fail("this cannot be empty", param, ctx)
            return None
        try:
            parsed = self.ask.parse(q, text)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        check = api.workspace.check_answers(self.group, {**self.answers, q.name: parsed},
                                            self.ask.library, siblings=self.siblings,
                                            first=self.first)
        problem = check.problems.get(q.name) or (check.problems.get("") if self.last else None)
        if problem:
            self.fail(problem, param, ctx)
        return parsed


class Interview:
    """The questions of company.yaml, asked in order; `run()` returns the profile data."""

    def __init__(self, library: api.Library, directory: Path, on: dt.date):
        self.library, self.directory, self.on = library, directory, on
        self.groups = {g.key: g for g in api.workspace.questions(library, on=on)}
        self.logo_source: Path | None = None

    # -- parsing an answer by its kind -------------------------------------------------

    def parse(self, q: Question, text: str) -> Any:
        if q.kind == "number":
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a whole number") from None
        if q.kind == "date":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD, for "
                                 "example 2026-03-14") from None
        if q.kind == "choices":
            return self._pick(q, text)
        if q.kind == "choice":
            return self._pick(q, text)[0]
        if q.kind == "file":
            return self._logo(text)
        return text

    def _pick(self, q: Question, text: str) -> list[str]:
        values = [v for v, _label in q.choices]
        labels = {label.lower(): v for v, label in q.choices}
        picked: list[str] = []
        for word in (w for w in re.split(r"\s*,\s*|\s+(?=\d)", text) if w):
            word = word.strip()
            if word.isdigit() and 1 <= int(word) <= len(values):
                word = values[int(word) - 1]
            word = labels.get(word.lower(), word)
            key = word if word in values else re.sub(r"[\s\-]+", "_", word.lower())
            if key not in values:
                close = nearest(key, values)
                hint = f"did you mean {', '.join(close)}?" if close else \
                    f"choose from {', '.join(values)}"
                raise ValueError(f"{word!r} is not one of the choices - {hint}")
            if key not in picked:
                picked.append(key)
        return picked

    def _logo(self, text: str) -> str:
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.directory / path if (self.directory / path).is_file() else path
        if not path.is_file():
            raise ValueError(f"no file {text!r}")
        why = api.workspace.check_logo(path.read_bytes(), path.name)
        if why:
            raise ValueError(why)
        self.logo_source = path
        return f"logo{path.suffix.lower()}" if path.parent.resolve() != \
            self.directory.resolve() else path.name

    # -- asking -------------------------------------------------------------------------

    def _prompt(self, group: Group, q: Question, answers: dict[str, Any], *,
                last: bool, first: bool = False, siblings=(), default: Any = None,
                label: str | None = None) -> Any:
        default = q.default if default is None else default
        label = label or q.label
        if q.kind == "yesno":
            return click.confirm(label, default=bool(default))
        shown = None
        if q.kind in ("choice", "choices") and default not in (None, [], ""):
            shown = ", ".join(default) if isinstance(default, list) else str(default)
        elif default not in (None, [], ""):
            shown = default.isoformat() if isinstance(default, dt.date) else str(default)
        if not q.required and shown is None and "Enter" not in label:
            label += " (Enter to skip)"
        param = Answer(self, group, q, answers, last=last, first=first, siblings=siblings)
        return click.prompt(label, type=param, default=shown if shown is not None else "",
                            show_default=shown is not None)

    def _section(self, group: Group, defaults: dict[str, Any] | None = None, *,
                 first: bool = False, siblings=()) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for n, q in enumerate(group.questions):
            if q.kind in ("choice", "choices") and len(q.choices) > 3 and q.name != "roles":
                for i, (key, label) in enumerate(q.choices, 1):
                    click.echo(f"  {i:2}. {key:<24} {label}")
            value = self._prompt(group, q, answers, last=n == len(group.questions) - 1,
                                 first=first, siblings=siblings,
                                 default=(defaults or {}).get(q.name))
            if value is not None:
                answers[q.name] = value
        return answers

    def _heading(self, group: Group) -> None:
        click.echo(f"\n== {group.title} ==")
        if group.intro:
            click.echo(group.intro)

    def run(self) -> dict[str, Any]:
        g = self.groups
        click.echo("Answer in plain words; press Enter to accept the value in [brackets].")
        self._heading(g["company"])
        company = self._section(g["company"])

        self._heading(g["people"])
        roles = g["people"].question("roles")
        click.echo("Roles: " + ", ".join(f"{v} ({label})" for v, label in roles.choices)
                   + " - several allowed, separated by commas")
        click.echo("Program courses: " + ", ".join(
            f"{key} ({course.title})" for key, course in self.library.rules.courses.items()))
        people: list[dict[str, Any]] = []
        while True:
            first = not people
            person = self._section(g["people"], {
                "position": "Owner" if first else None,
                "roles": ["owner", "supervisor"] if first else ["worker"],
                "employment": "full_time"}, first=first, siblings=people)
            person["training"] = self._courses()
            people.append(person)
            if not click.confirm("Add another person?", default=False):
                break

        self._heading(g["worksites"])
        sites: list[dict[str, Any]] = []
        while True:
            sites.append(self._section(g["worksites"], siblings=sites))
            if not click.confirm("Add another worksite?", default=False):
                break

        self._heading(g["hazards"])
        hz = g["hazards"].questions[0]
        for n, (key, label) in enumerate(hz.choices, 1):
            click.echo(f"  {n:2}. {key:<22} {label}")
        usual = self._usual_hazards(company)
        if usual:
            click.echo("Usual for your trade, and suggested by your scope of work: "
                       + ", ".join(usual))
        hazards = self._prompt(g["hazards"], hz, {}, last=True, default=usual or None,
                               label=hz.label + " Numbers or names, separated by commas") or []
        dismissed = self._dismissals(company, hazards)

        self._heading(g["equipment"])
        equipment: list[dict[str, Any]] = []
        if click.confirm(g["equipment"].ask_first, default=True):
            while True:
                equipment.append(self._section(g["equipment"], siblings=equipment))
                if not click.confirm("Add another unit?", default=False):
                    break

        self._heading(g["emergency"])
        emergency = self._section(g["emergency"])

        self._heading(g["secor"])
        secor = self._section(g["secor"]) if click.confirm(g["secor"].ask_first,
                                                           default=False) else None

        self._heading(g["manual"])
        manual = self._section(g["manual"], {"approved_by": people[0]["name"],
                                             "issued": self.on})
        return {"company": company, "people": people, "worksites": sites,
                "hazards": hazards, "dismissed_hazards": dismissed, "equipment": equipment,
                "emergency": emergency, "secor": secor, "manual": manual}

    def _trade_hazards(self, company: dict[str, Any]) -> list[str]:
        return list(self.library.usual_hazards(company.get("trades") or []))

    def _usual_hazards(self, company: dict[str, Any]) -> list[str]:
        """The hazards the company's trades usually have, and those its scope of work
        names: offered as the answer's default."""
        usual = self._trade_hazards(company)
        text = f"{company.get('industry', '')}. {company.get('scope_of_work', '')}"
        return usual + api.workspace.suggested_hazards(self.library, text, usual)

    def _dismissals(self, company: dict[str, Any], hazards: list[str]) -> list[dict[str, str]]:
        """A reason for each usual hazard of the trade the company did not choose: without
        one, the manual covers it anyway (`check` says so)."""
        out = []
        for key in self._trade_hazards(company):
            if key in hazards:
                continue
            reason = click.prompt(f"{self.library.hazard_label(key)} is usual in your trade. "
                                  "Why does it not apply to you? (Enter to keep it in the "
                                  "manual)", default="", show_default=False).strip()
            if reason:
                out.append({"hazard": key, "reason": reason})
            else:
                hazards.append(key)
        return out

    def _courses(self) -> list[dict[str, Any]]:
        group = self.groups["training"]
        course_q, *rest = group.questions
        course_q = replace(course_q, required=False)   # an empty answer ends the list
        courses = []
        while True:
            course = self._prompt(group, course_q, {}, last=False,
                                  label="Course taken (Enter when there are no more)")
            if not course:
                return courses
            record: dict[str, Any] = {"course": course}
            for n, q in enumerate(rest):
                value = self._prompt(group, q, record, last=n == len(rest) - 1,
                                     label="  " + q.label + (" (YYYY-MM-DD)" if q.kind ==
                                                             "date" else ""))
                if value is not None:
                    record[q.name] = value
            courses.append(record)


def run_init(directory: Path, *, defaults: bool, on: dt.date,
             library: api.Library) -> Path | None:
    """Ask (or take the example), check, and write DIR/company.yaml. None: left as it was."""
    directory = Path(directory).expanduser()
    target = directory / PROFILE_NAME
    if target.exists() and not click.confirm(
            f"{target} already exists. Replace it?", default=False):
        click.echo(f"{target} left unchanged.")
        return None
    directory.mkdir(parents=True, exist_ok=True)
    if defaults:
        text, logo = api.workspace.example_profile()
    else:
        interview = Interview(library, directory, on)
        text = api.workspace.profile_yaml(interview.run(), library, on=on)
        logo = interview.logo_source.read_bytes() if interview.logo_source else None
    # The same check `manualgen check` makes: a profile init writes must pass it.
    written = api.workspace.write_new_profile(directory, text, library, logo=logo)
    for path in written[:-1]:
        click.echo(f"copied the logo to {path}")
    return written[-1]
