"""The company profile as web forms, generated from the API's questions (`questions.py`).

A form's answers are kept as a draft in the workspace (raw, as typed) until the review
page saves them; judging them is the API's (`check_profile`, the profile's own model),
and each problem is placed beside its field by the problem's `key`. Field names in the
HTML are the profile's own paths: `people.1.training.0.completed`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from manualgen import api
from manualgen.errors import Severity

SECTIONS = ("company", "people", "worksites", "hazards", "dismissed_hazards", "equipment",
            "tasks", "emergency", "secor", "manual")
SECTION_TITLES = {"company": "Company", "people": "People and training",
                  "worksites": "Worksites", "hazards": "Hazards",
                  "dismissed_hazards": "Hazards that do not apply", "equipment": "Equipment",
                  "tasks": "Hazard inventory",
                  "emergency": "Emergencies", "secor": "SECOR certificate",
                  "manual": "The manual"}
HTML_INPUT = {"text": "text", "number": "number", "date": "date", "paragraph": "textarea",
              "yesno": "checkbox", "choice": "select", "choices": "checkboxes",
              "file": "file", "lines": "textarea"}


@dataclass
class Field:
    """One field as the template draws it."""

    name: str                   # the HTML name: the profile path
    label: str
    widget: str
    value: Any = ""
    required: bool = False
    help: str | None = None
    example: str | None = None
    choices: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    suggest: str | None = None      # the id of a list of suggested answers

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")


@dataclass
class Item:
    """One person, course, site or unit of a list."""

    name: str                   # people.1
    title: str
    fields: list[Field]
    errors: list[str] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)    # a person's courses
    child_name: str = ""

    @property
    def dom_id(self) -> str:
        return self.name.replace(".", "-")

    @property
    def end_id(self) -> str:
        """Where the page scrolls after a course is added."""
        return "end-" + self.child_name.replace(".", "-")


@dataclass
class Section:
    key: str
    title: str
    intro: str | None = None
    fields: list[Field] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    item_word: str = ""
    list_key: str = ""              # the items' path: people, manual.history
    list_title: str = ""
    errors: list[str] = field(default_factory=list)
    ask_first: str | None = None
    ask_first_on: bool = True
    hazards: list[dict[str, Any]] = field(default_factory=list)

    @property
    def end_id(self) -> str:
        return "end-" + self.list_key.replace(".", "-")


# ------------------------------------------------------------------ the draft as data

def start_draft(workspace: api.workspace.Workspace, library: api.Library, on: dt.date) -> dict:
    """A draft from company.yaml as saved, or an empty one for a new folder."""
    data: dict[str, Any] = {}
    if workspace.has_profile:
        check = api.check_profile(workspace.profile_path, library)
        if check.profile is not None:
            data = _plain(api.workspace.profile_data(check.profile))
        else:
            from manualgen.io import load_yaml

            try:
                loaded = load_yaml(workspace.profile_path).data
            except api.InputError:
                loaded = None
            data = _plain(loaded) if isinstance(loaded, dict) else {}
    else:
        data = {"company": {"uses_subcontractors": False},
                "people": [{"roles": ["owner", "supervisor"], "employment": "full_time",
                            "position": "Owner", "training": []}],
                "worksites": [{"kind": "fixed"}], "hazards": [], "equipment": [],
                "emergency": {"emergency_number": "911"},
                "manual": {"revision": 0, "issued": on.isoformat()}}
    return {"data": data, "visited": [], "logo": None,
            "new": not workspace.has_profile}


def _plain(value: Any) -> Any:
    """Dates as text, as a form holds them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _parse(q: api.workspace.Question, post: QueryDict, name: str) -> Any:
    if q.kind == "yesno":
        return name in post
    if q.kind == "choices":
        return post.getlist(name)
    raw = post.get(name, "")
    text = raw.strip() if isinstance(raw, str) else ""
    if text == "":
        return None
    if q.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if q.kind == "number":
        try:
            return int(text)
        except ValueError:
            return text                   # the model says "'x' is not a whole number"
    return text


def _read_item(group: api.workspace.Group, post: QueryDict, prefix: str) -> dict[str, Any]:
    out = {}
    for q in group.questions:
        if q.kind == "file":
            continue
        value = _parse(q, post, f"{prefix}.{q.name}")
        if value is not None:
            out[q.name] = value
    return out


def _count(post: QueryDict, name: str) -> int:
    try:
        return max(0, min(int(post.get(f"{name}.count", "0")), 500))
    except ValueError:
        return 0


def _kept(previous: Any, posted: dict[str, Any], group: api.workspace.Group) -> dict[str, Any]:
    """The posted answers, with what the previous version held in fields this form does
    not show (a task's id, a person's young_worker flag): a save never drops them."""
    shown = {q.name for q in group.questions}
    old = previous if isinstance(previous, dict) else {}
    return {**{k: v for k, v in old.items() if k not in shown}, **posted}


def read_section(key: str, groups: dict[str, api.workspace.Group], post: QueryDict,
                 draft: dict) -> None:
    """Put one section's posted answers into the draft's data."""
    data = draft["data"]
    group = groups[key]
    before = data.get(key)
    old_items = before if isinstance(before, list) else []

    def old(i: int) -> Any:
        return old_items[i] if i < len(old_items) else None

    if key == "hazards":
        data["hazards"] = post.getlist("hazards")
    elif key == "people":
        people = []
        for i in range(_count(post, "people")):
            person = _kept(old(i), _read_item(group, post, f"people.{i}"), group)
            person["roles"] = post.getlist(f"people.{i}.roles")
            training = [_read_item(groups["training"], post, f"people.{i}.training.{j}")
                        for j in range(_count(post, f"people.{i}.training"))]
            person["training"] = training
            people.append(person)
        data["people"] = people
    elif group.repeated:
        data[key] = [_kept(old(i), _read_item(group, post, f"{key}.{i}"), group)
                     for i in range(_count(post, key))]
    elif key == "secor" and "secor.certified" not in post:
        data.pop("secor", None)
        draft["no_secor"] = True
    else:
        previous = data.get(key) if isinstance(data.get(key), dict) else {}
        section = _kept({k: v for k, v in previous.items()
                         if k not in ("history", "distribution")},
                        _read_item(group, post, key), group)
        if key == "company" and previous.get("logo"):
            section.setdefault("logo", previous["logo"])
        if key == "manual":
            history = [_read_item(groups["history"], post, f"manual.history.{i}")
                       for i in range(_count(post, "manual.history"))]
            lines = post.get("manual.distribution", "")
            distribution = [line.strip() for line in lines.splitlines() if line.strip()]
            if history:
                section["history"] = history
            if distribution:
                section["distribution"] = distribution
        data[key] = section
        if key == "secor":
            draft["no_secor"] = False
    if key not in draft["visited"]:
        draft["visited"].append(key)
    draft["fresh"] = []              # posted: every item on the page has been answered


def apply_action(action: str, draft: dict) -> None:
    """Add or remove an item: `add:people`, `remove:people.2`,
    `add:people.0.training`, `remove:people.0.training.1`."""
    verb, _, path = action.partition(":")
    parts = path.split(".")
    data = draft["data"]
    try:
        if verb == "add":
            target = data
            for part in parts:
                target = target[int(part)] if part.isdigit() else target.setdefault(part, [])
            if isinstance(target, list):
                blank: dict[str, Any] = {}
                if parts == ["people"]:
                    blank = {"roles": ["worker"], "employment": "full_time", "training": []}
                elif parts == ["worksites"]:
                    blank = {"kind": "fixed"}
                target.append(blank)
                draft.setdefault("fresh", []).append(f"{path}.{len(target) - 1}")
        elif verb == "remove" and parts[-1].isdigit():
            target = data
            for part in parts[:-1]:
                target = target[int(part)] if part.isdigit() else target[part]
            if isinstance(target, list):
                del target[int(parts[-1])]
        elif verb == "logo-remove":
            data.get("company", {}).pop("logo", None)
            draft["logo"] = None
    except (KeyError, IndexError, ValueError, TypeError):
        pass                                      # a stale page: nothing to change


# ------------------------------------------------------------------ judging

def profile_for_check(draft: dict) -> dict[str, Any]:
    """The draft's data with the empty parts a profile leaves out."""
    data = dict(draft["data"])
    if draft.get("no_secor") or not data.get("secor"):
        data.pop("secor", None)
    return data


def problems_by_key(check: api.ProfileCheck) -> list[api.Problem]:
    return [p for p in check.problems if p.severity is Severity.ERROR]


def problem_place(p: api.Problem, groups: dict[str, api.workspace.Group], *,
                  section: bool = False) -> str:
    """Where a problem is, in the form's words: "Nearest hospital or health centre" for
    emergency.nearest_medical, "Dave Kowalski, course 2 (PHSM), Date completed" for a
    course's date. A field the form does not know (a misspelt key in company.yaml) stays
    as written. `section`: the section's title follows, in brackets."""
    key = tuple(p.key or ())
    where = p.field or ""
    if not key:
        return where
    last = max((i for i, k in enumerate(key) if isinstance(k, int)), default=-1)
    tail = [str(k) for k in key[last + 1:]]
    dotted = ".".join(tail)
    prefix = where[:-len(dotted)].rstrip(", ") if tail and where.endswith(dotted) else ""
    if tail and where.endswith(dotted):
        group_key = str(key[last - 1]) if last > 0 else tail[0]
        names = tail if last >= 0 else tail[1:]
        where = _field_label(groups, group_key, names) or \
            SECTION_TITLES.get(str(key[0]), dotted)
        where = f"{prefix}, {where}" if prefix else where
    where = _first_upper(where)
    title = SECTION_TITLES.get(str(key[0]))
    if section and title and title != where:
        where += f" ({title})"
    return where


def _field_label(groups: dict[str, api.workspace.Group], group_key: str, names: list[str]) -> str:
    """The label of field `names[0]` of a group (its question's, else its model's title);
    a list or part inside the group by its own group's title; "" for a section itself."""
    if not names:
        return ""
    group = groups.get(group_key)
    name, rest = names[0], names[1:]
    label = None
    if group is not None:
        asked = next((q for q in group.questions if q.name == name), None)
        if asked is not None:
            label = asked.label
        elif group.model is not None and name in group.model.model_fields:
            info = group.model.model_fields[name]
            label = info.title or name.replace("_", " ").capitalize()
    if label is None and name in groups:
        inner = groups[name]
        label = inner.questions[0].label if len(inner.questions) == 1 and \
            inner.questions[0].name == name else inner.title
    if label is None:
        return ".".join(names)                   # not a field of the form: as written
    return ", ".join([label, *rest])


def _say(p: api.Problem) -> str:
    return p.message + (f" - {p.fix}" if p.fix else "")


def _key(p: api.Problem) -> str:
    return ".".join(str(k) for k in (p.key or ()))


# ------------------------------------------------------------------ drawing

def _field(q: api.workspace.Question, name: str, value: Any, errors: dict[str, list[str]]) -> Field:
    widget = HTML_INPUT[q.kind]
    chosen = value if isinstance(value, list) else [value]
    if q.kind == "lines" and isinstance(value, list):
        value = "\n".join(str(x) for x in value)
    choices = [{"value": v, "label": label, "selected": v in chosen,
                "id": f"f-{name.replace('.', '-')}-{v}"} for v, label in q.choices]
    if widget == "select" and value in (None, "") and q.default is not None:
        for c in choices:
            c["selected"] = c["value"] == q.default
    if widget == "select" and not q.required:
        choices.insert(0, {"value": "", "label": "-", "selected": value in (None, ""),
                           "id": f"f-{name.replace('.', '-')}-none"})
    return Field(name, q.label, widget, "" if value is None else value, q.required,
                 q.help, q.example, choices, errors.pop(name, []))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def api_words(key: str, item: dict, n: int) -> str:
    """'Maria Lopez', 'worksite 2 (Shop)': an item named as the problems name it."""
    return api.workspace.field_words((key, n), {key: [None] * n + [item]})


def build_section(key: str, groups: dict[str, api.workspace.Group], draft: dict,
                  problems: list[api.Problem],
                  hazards: list[tuple[str, str, list[str]]],
                  usual: dict[str, str] | None = None) -> Section:
    """The section's fields with their values and the problems placed beside them;
    `usual`: the hazards the company's trades usually have (hazard -> trade label)."""
    data = draft["data"]
    group = groups[key]
    errors: dict[str, list[str]] = {}
    fresh = tuple(f + "." for f in draft.get("fresh") or [])
    for p in problems:
        name = _key(p)
        if p.key and p.key[0] == key and not (name + ".").startswith(fresh or ("\0",)):
            errors.setdefault(name, []).append(_say(p))
    section = Section(key, SECTION_TITLES[key], group.intro, item_word=group.item)
    if key == "hazards":
        chosen = set(data.get("hazards") or [])
        usual = usual or {}
        section.hazards = [{"value": k, "label": label, "policies": titles,
                            "selected": k in chosen, "id": f"f-hazard-{k}",
                            "usual": usual.get(k)}
                           for k, label, titles in hazards]
    elif group.repeated:
        section.list_key = key
        items = data.get(key) or []
        for i, entry in enumerate(items):
            entry = entry if isinstance(entry, dict) else {}
            prefix = f"{key}.{i}"
            fields = [_field(q, f"{prefix}.{q.name}", entry.get(q.name), errors)
                      for q in group.questions]
            item = Item(prefix, _first_upper(api_words(key, entry, i)), fields)
            if key == "people":
                item.child_name = f"{prefix}.training"
                for j, course in enumerate(entry.get("training") or []):
                    course = course if isinstance(course, dict) else {}
                    cp = f"{prefix}.training.{j}"
                    child = Item(cp, f"Course {j + 1}", [
                        _field(q, f"{cp}.{q.name}", course.get(q.name), errors)
                        for q in groups["training"].questions])
                    child.fields[0].suggest = "program-courses"
                    if j:                            # the course list is explained once
                        for f in child.fields:
                            f.help = None
                    child.errors = errors.pop(cp, [])
                    item.children.append(child)
                item.errors += errors.pop(f"{prefix}.training", [])
            item.errors += errors.pop(prefix, [])
            section.items.append(item)
    else:
        values = data.get(key) if isinstance(data.get(key), dict) else {}
        section.fields = [_field(q, f"{key}.{q.name}", values.get(q.name), errors)
                          for q in group.questions]
        if group.ask_first:
            section.ask_first = group.ask_first
            section.ask_first_on = bool(data.get(key)) and not draft.get("no_secor")
        if key == "manual":
            lines = values.get("distribution") or []
            section.fields.append(_field(groups["distribution"].questions[0],
                                         "manual.distribution",
                                         "\n".join(str(x) for x in lines), errors))
            section.list_key, section.list_title = "manual.history", groups["history"].title
            section.item_word = groups["history"].item
            for i, entry in enumerate(values.get("history") or []):
                entry = entry if isinstance(entry, dict) else {}
                prefix = f"manual.history.{i}"
                item = Item(prefix, f"Revision history line {i + 1}", [
                    _field(q, f"{prefix}.{q.name}", entry.get(q.name), errors)
                    for q in groups["history"].questions])
                item.errors = errors.pop(prefix, [])
                section.items.append(item)
            for p in [k for k in errors if k.startswith("manual.distribution")]:
                section.fields[-1].errors += errors.pop(p)
    # What could not be placed beside a field is said at the top of the section.
    section.errors = [m for messages in errors.values() for m in messages]
    return section


def review_rows(key: str, groups: dict[str, api.workspace.Group], data: dict,
                hazards: list[tuple[str, str, list[str]]]) -> list[tuple[str, str]]:
    """A section's answers as (label, value in words) for the review page."""
    group = groups[key]

    def words(q: api.workspace.Question, value: Any) -> str:
        if value in (None, "", []):
            return "-"
        if q.kind == "yesno":
            return "Yes" if value else "No"
        labels = dict(q.choices)
        if isinstance(value, list):
            return ", ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))

    if key == "hazards":
        labels = {k: label for k, label, _t in hazards}
        chosen = data.get("hazards") or []
        return [(labels.get(k, k), "") for k in chosen] or [("No hazards chosen", "")]
    if group.repeated:
        rows = []
        for i, entry in enumerate(data.get(key) or []):
            entry = entry if isinstance(entry, dict) else {}
            text = "; ".join(f"{q.label}: {words(q, entry.get(q.name))}"
                             for q in group.questions if entry.get(q.name) not in (None, ""))
            if key == "people":
                courses = [f"{c.get('course', '?')} ({c.get('completed', 'no date')})"
                           for c in entry.get("training") or [] if isinstance(c, dict)]
                text += "; courses: " + (", ".join(courses) if courses else "none")
            rows.append((_first_upper(api_words(key, entry, i)), text))
        return rows or [("None listed", "")]
    values = data.get(key) if isinstance(data.get(key), dict) else {}
    if not values:
        return [("Not given", "")]
    rows = [(q.label, words(q, values.get(q.name))) for q in group.questions]
    if key == "manual":
        for entry in values.get("history") or []:
            if isinstance(entry, dict):
                rows.append((f"Revision {entry.get('revision', '?')}",
                             f"{entry.get('date', '')}: {entry.get('changes', '')}"))
        if values.get("distribution"):
            rows.append((groups["distribution"].questions[0].label,
                         "; ".join(str(x) for x in values["distribution"])))
    return rows
