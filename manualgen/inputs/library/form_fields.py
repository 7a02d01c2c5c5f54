"""One definition per form: the questions a form asks, and the records a completed copy makes.

Each form of `form_templates/forms.yaml` names its definition file (`fields:
fields/<form id>.yaml`), written by NSNY from the Word form so that the phone form asks
what the paper form asks:

    sections:                       # the form's parts, in the Word form's order
      - title: The meeting
        fields:
          - {id: date, label: Date, kind: date, required: true}
          - {id: site, label: Site, kind: site, required: true}
          - id: concerns            # a table of the Word form: a group of rows
            label: Concerns raised and actions
            kind: group
            fields:
              - {id: concern, label: Concern or suggestion, kind: long_text, required: true}
    records:                        # the records rows a completed copy makes
      - table: activity-log
        columns:
          date: date                # a field's id: its answer
          activity: {value: toolbox_meeting}   # a fixed value
      - table: action-plan
        each: concerns              # one row for each row of the group...
        when: {field: action}       # ...that has an answer here (or `equals:` a value)
        columns: {finding: concern, action: action, status: {value: open}}

Kinds: text, long_text, date, time, number, yes_no, rating (A, B or C), choice and
multi_choice (`choices:`, or `from:` a list), person and people, site, equipment, hazard,
task (picked from the company's data, a name not listed may be typed: a visitor, a
subcontractor; `from: supervisors` narrows a person), signature (one person signs),
signatures (everyone present prints their name and signs), photo, photos, and group (a
table of the Word form: `fields:` are its columns; `rows:` fixed rows, with `heading:`
entries between them, and `rows_from:` one row per hazard, site... of the company; without
either, rows are added freely). `when:` on a field or a section asks it only when an
earlier field has that answer; `required` then means required when asked. In a record
mapping, `row` names a fixed row's label; a column fed by a field must suit it (a date
column takes a date field, a choice column a choice whose values are the column's).

Every rule about a definition is here: the shapes (pydantic models) and `check_definition`,
which judges a definition against the record tables and the library's vocabularies and
names the file, line and field of every problem. The paper form's code (`FormCode`: the QR
code printed on each blank form) is defined here too, below the rules, so that both the
forms job that prints it and an intake that reads it back share one format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field, ValidationError

from manualgen.errors import Problem, nearest
from manualgen.inputs.models import Strict, Text, problems_from
from manualgen.io import YamlDoc

FieldKind = Literal[
    "text", "long_text", "date", "time", "number", "choice", "multi_choice", "yes_no",
    "person", "people", "site", "equipment", "hazard", "task", "signature", "signatures",
    "photo", "photos", "rating", "group"]

# Where a field's choices come from: the company's data, or the library's own lists.
Source = Literal["people", "supervisors", "first_aiders", "safety_reps", "worksites",
                 "equipment", "hazards", "tasks", "activities", "incident_classes", "elements"]
COMPANY_SOURCES = ("people", "supervisors", "first_aiders", "safety_reps", "worksites",
                   "equipment", "hazards", "tasks")
LIBRARY_SOURCES = ("activities", "incident_classes", "elements")

# The sources each kind may name with `from:` (the first is its default); choice kinds take
# `choices:` or any source.
KIND_SOURCES: dict[str, tuple[str, ...]] = {
    "person": ("people", "supervisors", "first_aiders", "safety_reps"),
    "people": ("people", "supervisors", "first_aiders", "safety_reps"),
    "signature": ("people", "supervisors", "first_aiders", "safety_reps"),
    "signatures": ("people", "supervisors", "first_aiders", "safety_reps"),
    "site": ("worksites",),
    "equipment": ("equipment",),
    "hazard": ("hazards",),
    "task": ("tasks",),
}
CHOICE_KINDS = ("choice", "multi_choice")
FIXED_VALUES = {"yes_no": ("yes", "no"), "rating": ("A", "B", "C")}
# Kinds whose answer is not words a records table can hold.
NOT_TEXT = ("photo", "photos", "group")
ROW = "row"        # inside `each:` over a group with fixed rows: the row's own label

FIELD_ID = r"^[a-z][a-z0-9_]*$"
KIND_NAMES = FieldKind.__args__  # type: ignore[attr-defined]


class Choice(Strict):
    """One choice: the value stored (a key of a records column) and the words shown."""

    value: Annotated[Text, Field(min_length=1, max_length=60)]
    label: Annotated[Text, Field(min_length=1, max_length=200)]


class Condition(Strict):
    """A field's answer: any answer (yes for a yes_no field), or `equals` one value."""

    field: str = Field(pattern=FIELD_ID)
    equals: Text | None = None


class Heading(Strict):
    """A heading between the fixed rows of a group (a checklist's area)."""

    heading: Annotated[Text, Field(min_length=1, max_length=200)]


class FormField(Strict):
    id: str = Field(pattern=FIELD_ID)
    label: Annotated[Text, Field(min_length=1, max_length=300)]
    kind: FieldKind
    required: bool = False
    help: Annotated[Text, Field(max_length=600)] | None = None
    choices: list[Annotated[Text, Field(min_length=1, max_length=200)] | Choice] | None = None
    source: Source | None = Field(None, alias="from")
    when: Condition | None = None            # asked only when another field has this answer
    # kind: group only: the columns of the table, and its fixed rows (a checklist's items):
    # those written out, then one per item of the company's data (`rows_from`); without
    # either, rows are added freely.
    fields: list[FormField] | None = None
    rows: list[Annotated[Text, Field(min_length=1, max_length=300)] | Heading] | None = None
    rows_from: Source | None = None

    def values(self, library_choices: Mapping[str, Iterable[str]] | None = None
               ) -> tuple[str, ...] | None:
        """The values an answer can take, or None when any (text, a company's data)."""
        if self.kind in FIXED_VALUES:
            return FIXED_VALUES[self.kind]
        if self.choices is not None:
            return tuple(c.value if isinstance(c, Choice) else c for c in self.choices)
        if self.source in LIBRARY_SOURCES and library_choices is not None:
            return tuple(library_choices.get(self.source, ()))
        return None

    @property
    def data_source(self) -> str | None:
        """The company or library list the answer is picked from (a kind's default)."""
        if self.source:
            return self.source
        defaults = KIND_SOURCES.get(self.kind)
        return defaults[0] if defaults else None


class Section(Strict):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    help: Annotated[Text, Field(max_length=600)] | None = None
    when: Condition | None = None            # shown only when an earlier field has this answer
    fields: list[FormField] = Field(min_length=1)


class Constant(Strict):
    value: Text


class RecordMap(Strict):
    """A records row a completed form makes: one, or one per row of a group (`each`)."""

    table: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    each: str | None = Field(None, pattern=FIELD_ID)
    when: Condition | None = None
    columns: dict[str, Annotated[str, Field(min_length=1)] | Constant] = Field(min_length=1)


class FormFields(Strict):
    """A form's definition file: its sections of fields and the records it feeds."""

    sections: list[Section] = Field(min_length=1)
    records: list[RecordMap] = []

    def all_fields(self) -> list[FormField]:
        """Every field, a group's own fields after the group."""
        out = []
        for section in self.sections:
            for f in section.fields:
                out.append(f)
                out.extend(f.fields or [])
        return out

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.all_fields() if f.id == field_id), None)


# --------------------------------------------------------------------------- the rules


class ColumnLike(Protocol):
    name: str
    kind: str
    choices: tuple[tuple[str, str], ...]
    required: bool


class TableLike(Protocol):
    stem: str
    columns: tuple[ColumnLike, ...]


def words(key: tuple, data: Any) -> str:
    """A definition's place in the user's words: the field's id rather than its index
    (`concerns.action.kind`, `records[1].columns.due`)."""
    out: list[str] = []
    node = data
    i = 0
    key = tuple(key)
    while i < len(key):
        part = key[i]
        nxt = key[i + 1] if i + 1 < len(key) else None
        if part == "sections" and isinstance(nxt, int):
            node = _get(node, part, nxt)
            i += 2
            if i == len(key):
                out.append(f"sections[{nxt}]")
            continue
        if part == "fields" and isinstance(nxt, int):
            node = _get(node, part, nxt)
            ident = node.get("id") if isinstance(node, dict) else None
            out.append(str(ident) if isinstance(ident, str) and ident else f"fields[{nxt}]")
            i += 2
            continue
        if part in ("records", "rows", "choices") and isinstance(nxt, int):
            node = _get(node, part, nxt)
            out.append(f"{part}[{nxt}]")
            i += 2
            continue
        node = node.get(part) if isinstance(node, dict) else None
        out.append(str(part))
        i += 1
    return ".".join(out)


def _get(node: Any, name: str, index: int) -> Any:
    items = node.get(name) if isinstance(node, dict) else None
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else None


def validate_definition(doc: YamlDoc) -> tuple[FormFields | None, list[Problem]]:
    """The file's shapes: a `FormFields`, or the problems with their lines."""
    try:
        return FormFields.model_validate(doc.data), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, words=words)


def check_definition(form: FormFields, doc: YamlDoc, tables: Iterable[TableLike],
                     library_choices: Mapping[str, Iterable[str]]) -> list[Problem]:
    """Every rule a well-shaped definition must follow, each broken one named by line and
    field: ids, kinds and their choices or sources, conditions, and the record mappings
    against the real record tables (`record_forms.record_tables`)."""
    out: list[Problem] = []
    problem = _Reporter(doc, out)
    scopes: dict[str, tuple] = {}            # field id -> (its key, its group id or None)
    by_id: dict[str, FormField] = {}
    for s, section in enumerate(form.sections):
        if section.when is not None:
            _check_condition(section.when, ("sections", s, "when"), scopes, by_id,
                             library_choices, None, problem)
        for j, f in enumerate(section.fields):
            key = ("sections", s, "fields", j)
            _check_field(f, key, None, by_id, scopes, library_choices, problem)
            if f.kind == "group":
                for k, sub in enumerate(f.fields or []):
                    _check_field(sub, key + ("fields", k), f, by_id, scopes,
                                 library_choices, problem)
    known_tables = {t.stem: t for t in tables}
    for r, mapping in enumerate(form.records):
        _check_record(mapping, ("records", r), by_id, scopes, known_tables,
                      library_choices, problem)
    return out


class _Reporter:
    def __init__(self, doc: YamlDoc, out: list[Problem]) -> None:
        self.doc, self.out = doc, out

    def __call__(self, key: tuple, message: str, fix: str) -> None:
        self.out.append(self.doc.problem(key, message, fix, words=words))


def _check_field(f: FormField, key: tuple, group: FormField | None,
                 by_id: dict[str, FormField], scopes: dict[str, tuple],
                 library_choices: Mapping[str, Iterable[str]], problem: _Reporter) -> None:
    if f.id == ROW:
        problem(key + ("id",), f"{ROW!r} is kept for a group's row label",
                "choose another id")
    elif f.id in by_id:
        problem(key + ("id",), f"the field id {f.id!r} is used twice in this form",
                "give each field of the form its own id (a record mapping names it)")
    else:
        by_id[f.id] = f
    scopes.setdefault(f.id, (key, group.id if group else None))

    if f.kind in CHOICE_KINDS:
        if f.choices is None and f.source is None:
            problem(key + ("kind",), f"a {f.kind} field needs its choices",
                    "add choices: [first, second], or from: a list such as people")
        elif f.choices is not None and f.source is not None:
            problem(key + ("from",), "both choices and from are given",
                    "keep one of them")
        elif f.choices is not None:
            if len(f.choices) < 2:
                problem(key + ("choices",), "a choice needs at least two choices",
                        "add the other choices, or make it a yes_no or text field")
            seen: set[str] = set()
            for c, choice in enumerate(f.choices):
                value = choice.value if isinstance(choice, Choice) else choice
                if value in seen:
                    problem(key + ("choices", c), f"the choice {value!r} is listed twice",
                            "list each choice once")
                seen.add(value)
    else:
        if f.choices is not None:
            problem(key + ("choices",), f"a {f.kind} field has no choices",
                    "remove choices, or make the field kind: choice")
        if f.source is not None and f.source not in KIND_SOURCES.get(f.kind, ()):
            allowed = KIND_SOURCES.get(f.kind)
            problem(key + ("from",), f"a {f.kind} field cannot be picked from {f.source}",
                    f"use from: {' or '.join(allowed)}" if allowed else
                    "remove from, or make the field kind: choice")

    if f.kind == "group":
        if group is not None:
            problem(key + ("kind",), "a group cannot hold another group",
                    "make it a field of its own group in the section")
        if not f.fields:
            problem(key + ("kind",), "a group needs its fields (the table's columns)",
                    "add fields: with one entry per column of the Word form's table")
        if f.rows_from is not None and f.rows_from not in COMPANY_SOURCES:
            problem(key + ("rows_from",), f"rows cannot be drawn from {f.rows_from}",
                    "use one of " + ", ".join(COMPANY_SOURCES))
        if f.rows is not None and f.rows_from is None and \
                not any(isinstance(r, str) for r in f.rows):
            problem(key + ("rows",), "the group has headings but no rows",
                    "list the rows (the checklist's items) under the headings")
    else:
        for name in ("fields", "rows", "rows_from"):
            if getattr(f, name) is not None:
                problem(key + (name,), f"only a group has {name}",
                        f"remove {name}, or make the field kind: group")

    if f.when is not None:
        _check_condition(f.when, key + ("when",), scopes, by_id, library_choices,
                         group.id if group else None, problem, before=f.id)


def _check_condition(cond: Condition, key: tuple, scopes: dict[str, tuple],
                     by_id: dict[str, FormField], library_choices, group: str | None,
                     problem: _Reporter, *, before: str | None = None) -> None:
    target = by_id.get(cond.field)
    if target is None or (before is not None and target.id == before):
        hint = nearest(cond.field, list(by_id))
        problem(key + ("field",), f"there is no field {cond.field!r} before this one"
                if before else f"there is no field {cond.field!r} in this form",
                f"did you mean {hint[0]!r}?" if hint else "name a field of this form by id")
        return
    home = scopes[target.id][1]
    if home is not None and home != group:
        problem(key + ("field",), f"{cond.field!r} is a field of the group {home!r}",
                "name a field outside the groups, or of the same group")
        return
    if target.kind in NOT_TEXT or target.kind in ("signature", "signatures"):
        problem(key + ("field",), f"a {target.kind} field cannot be a condition",
                "name a choice, yes_no or text field")
        return
    if cond.equals is not None:
        values = target.values(library_choices)
        if values is not None and cond.equals not in values:
            problem(key + ("equals",), f"{cond.equals!r} is not a value of {target.id!r}",
                    "use one of " + ", ".join(values))


_COLUMN_KINDS = {                 # a records column's kind -> the field kinds that fill it
    "date": ("date",),
    "month": ("date",),
    "number": ("number",),
    "yesno": ("yes_no",),
    "choice": CHOICE_KINDS,
}


def _check_record(mapping: RecordMap, key: tuple, by_id: dict[str, FormField],
                  scopes: dict[str, tuple], tables: dict[str, TableLike], library_choices,
                  problem: _Reporter) -> None:
    table = tables.get(mapping.table)
    if table is None:
        hint = nearest(mapping.table, list(tables))
        problem(key + ("table",), f"there is no records table {mapping.table!r}",
                f"did you mean {hint[0]!r}?" if hint else
                "use one of " + ", ".join(tables))
        return
    group = None
    if mapping.each is not None:
        group = by_id.get(mapping.each)
        if group is None or group.kind != "group":
            problem(key + ("each",), f"{mapping.each!r} is not a group of this form",
                    "name the group whose rows each make a records row")
            return
    if mapping.when is not None:
        _check_condition(mapping.when, key + ("when",), scopes, by_id, library_choices,
                         group.id if group else None, problem)
    columns = {c.name: c for c in table.columns}
    for name, source in mapping.columns.items():
        ckey = key + ("columns", name)
        column = columns.get(name)
        if column is None:
            hint = nearest(name, list(columns))
            problem(ckey, f"the table {table.stem!r} has no column {name!r}",
                    f"did you mean {hint[0]!r}?" if hint else
                    "use one of " + ", ".join(columns))
            continue
        if isinstance(source, Constant):
            _check_constant(source.value, column, ckey + ("value",), problem)
        else:
            _check_reference(source, column, ckey, group, by_id, scopes, library_choices,
                             problem)
    for column in table.columns:
        if not column.required:
            continue
        source = mapping.columns.get(column.name)
        if source is None:
            problem(key + ("columns",), f"the table {table.stem!r} needs the column "
                    f"{column.name!r}, which is not filled",
                    f"add {column.name}: with a field's id, or {{value: ...}}")
        elif isinstance(source, str) and (f := by_id.get(source)) is not None \
                and not f.required and not _only_when_answered(mapping, source):
            problem(key + ("columns", column.name), f"{column.name!r} is a required column "
                    f"but the field {source!r} may be left empty",
                    f"make {source!r} required: true")


def _only_when_answered(mapping: RecordMap, field_id: str) -> bool:
    """The row is made only when this field has an answer."""
    return mapping.when is not None and mapping.when.field == field_id and \
        mapping.when.equals is None


def _check_constant(value: str, column: ColumnLike, key: tuple, problem: _Reporter) -> None:
    keys = [k for k, _label in column.choices]
    if column.kind in ("choice", "yesno") and keys and value not in keys:
        problem(key, f"{value!r} is not a value of the column {column.name!r}",
                "use one of " + ", ".join(keys))
    elif column.kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            problem(key, f"{value!r} is not a date", "write it as YYYY-MM-DD")
    elif column.kind == "number" and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        problem(key, f"{value!r} is not a number", "write a number such as 0")


def _check_reference(source: str, column: ColumnLike, key: tuple, group: FormField | None,
                     by_id: dict[str, FormField], scopes: dict[str, tuple], library_choices,
                     problem: _Reporter) -> None:
    if source == ROW:
        if group is None or (group.rows is None and group.rows_from is None):
            problem(key, f"{ROW!r} is a row's label, only in a mapping with each: over a "
                    "group with rows", "name a field by its id")
        elif column.kind in _COLUMN_KINDS:
            problem(key, f"a row's label cannot fill the {column.kind} column "
                    f"{column.name!r}", "name a field by its id")
        return
    f = by_id.get(source)
    if f is None:
        hint = nearest(source, list(by_id))
        problem(key, f"there is no field {source!r} in this form",
                f"did you mean {hint[0]!r}?" if hint else
                "name a field by its id, or write {value: ...} for a fixed value")
        return
    home = scopes[f.id][1]
    if home is not None and (group is None or home != group.id):
        problem(key, f"{source!r} is a field of the group {home!r}",
                f"add each: {home} to make one row per row of the group")
        return
    wanted = _COLUMN_KINDS.get(column.kind)
    if wanted is not None and f.kind not in wanted:
        problem(key, f"the {column.kind} column {column.name!r} cannot hold a {f.kind} "
                f"field's answer", f"name a {' or '.join(wanted)} field")
        return
    if wanted is None and f.kind in NOT_TEXT:
        problem(key, f"a {f.kind} field's answer cannot fill the column {column.name!r}",
                "name a field whose answer is words")
        return
    if column.kind == "choice" and column.choices:
        keys = [k for k, _label in column.choices]
        values = f.values(library_choices)
        stray = [v for v in values or () if v not in keys]
        if values is None or f.kind == "multi_choice":
            problem(key, f"{source!r} gives answers the column {column.name!r} does not take",
                    "make it a choice field with the column's values: " + ", ".join(keys))
        elif stray:
            problem(key, f"the choices {', '.join(map(repr, stray))} of {source!r} are not "
                    f"values of the column {column.name!r}", "use only " + ", ".join(keys))


# --------------------------------------------------------------------------- paper forms

# What the QR code on a blank form says: `SECOR:FORM:<form id>:<revision>:<company key>`,
# written in capitals so that the code uses QR's compact alphanumeric mode (form ids are
# lower-case slugs, so reading it back loses nothing).
FORM_CODE_PREFIX = "SECOR:FORM:"
_FORM_CODE = re.compile(r"SECOR:FORM:([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*):([0-9]{1,6}):"
                        r"([A-Za-z0-9]{1,20})", re.IGNORECASE)


@dataclass(frozen=True)
class FormCode:
    """The company, form and revision a paper form was printed for."""

    form_id: str
    revision: int
    company_key: str

    def text(self) -> str:
        """The QR code's payload."""
        return f"{FORM_CODE_PREFIX}{self.form_id}:{self.revision}:{self.company_key}".upper()


def company_key(wscb_account: str) -> str:
    """The company as a paper form names it: its WSCB employer account number, letters and
    digits only. It is the one identifier a company keeps whatever its folder, workspace
    or trading name, it is already printed on every form, and NSNY knows it."""
    key = re.sub(r"[^A-Za-z0-9]", "", wscb_account).upper()
    if not key:
        raise ValueError(f"the WSCB account {wscb_account!r} has no letters or digits")
    return key[:20]


def read_form_code(text: str | None) -> FormCode | None:
    """The code read from a scan (zbarimg's `QR-Code:` prefix and spaces allowed), or None
    when the text is not a form code."""
    if not text:
        return None
    m = _FORM_CODE.search(text.strip())
    if m is None:
        return None
    return FormCode(m.group(1).lower(), int(m.group(2)), m.group(3).upper())
