"""The record tables as data: columns with plain-word labels, kinds and allowed values.

The web app shows each of a submission's record files (activity log, incidents, hours,
action plan, goals) as an editable table from this one description, reads the rows for
editing and writes them back in the format the records reader (`records.py`) checks: the
same columns, keys for choices, YYYY-MM-DD dates, yes or no. Checking stays in
`records.py`; nothing here judges a value.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from manualgen.errors import InputError, fail
from manualgen.inputs import tables
from manualgen.inputs.library.load import Library
from manualgen.inputs.records import (
    ACTION_STATUSES,
    GOAL_RESULTS,
    GOALS_FILE,
    RECORDS_DIR,
    TABLES,
)
from manualgen.services.storage import scratch_dir

ColumnKind = Literal["date", "month", "choice", "number", "yesno", "text"]
YES_NO = (("yes", "Yes"), ("no", "No"))
GOALS_TABLES = {"goals-last-year": "last_year", "goals-next-year": "next_year"}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: ColumnKind = "text"
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False


@dataclass(frozen=True)
class RecordTable:
    stem: str                     # the file's name without extension, or a goals table
    title: str
    intro: str
    columns: tuple[Column, ...]

    @property
    def file(self) -> str:
        return GOALS_FILE if self.stem in GOALS_TABLES else f"{self.stem}.csv"

    def blank_row(self) -> dict[str, str]:
        return {c.name: "" for c in self.columns}


def record_tables(library: Library) -> list[RecordTable]:
    """Every record table of a submission, in the order the summary report reads them."""
    rules = library.rules
    elements = tuple((str(e.number), f"{e.number}. {e.title}") for e in library.elements)
    required = {stem: set(req) for stem, (_cols, req, _r) in TABLES.items()}

    def col(stem: str, name: str, label: str, kind: ColumnKind = "text",
            choices: tuple[tuple[str, str], ...] = ()) -> Column:
        return Column(name, label, kind, choices, name in required.get(stem, ()))

    a, i, h, p = "activity-log", "incidents", "hours", "action-plan"
    return [
        RecordTable(a, "Activity log", "One row for each inspection, meeting, drill, "
                    "orientation or other safety activity of the year.", (
                        col(a, "date", "Date", "date"),
                        col(a, "activity", "Activity", "choice",
                            tuple(rules.activities.items())),
                        col(a, "site", "Where"),
                        col(a, "description", "What was done"),
                        col(a, "people", "Who took part (names separated by ;)"))),
        RecordTable(i, "Incidents", "Every incident of the year, near misses included.", (
            col(i, "date", "Date", "date"),
            col(i, "class", "Kind of incident", "choice",
                tuple(rules.incident_classes.items())),
            col(i, "description", "What happened"),
            col(i, "days_lost", "Days lost", "number"),
            col(i, "modified_days", "Days on modified work", "number"),
            col(i, "investigated", "Investigated", "yesno", YES_NO),
            col(i, "reported_to_wscb", "Reported to WSCB", "yesno", YES_NO))),
        RecordTable(h, "Hours worked", "The hours everyone worked, month by month (leave it "
                    "empty and the report estimates them from the number of employees).", (
                        col(h, "month", "Month", "month"),
                        col(h, "hours", "Hours worked", "number"),
                        col(h, "employees", "Employees that month", "number"))),
        RecordTable(p, "Audit action plan", "The items of your last audit's action plan and "
                    "how far each one is.", (
                        col(p, "item", "Item"),
                        col(p, "element", "Audit element", "choice", elements),
                        col(p, "finding", "What the audit found"),
                        col(p, "action", "What will be done"),
                        col(p, "responsible", "Who is responsible"),
                        col(p, "due", "Due by", "date"),
                        col(p, "status", "Status", "choice", tuple(ACTION_STATUSES.items())),
                        col(p, "completed", "Completed on", "date"))),
        RecordTable("goals-last-year", "Last year's goals", "The goals you set last year and "
                    "what came of them.", (
                        Column("goal", "Goal", required=True),
                        Column("outcome", "What came of it", required=True),
                        Column("met", "Result", "choice", tuple(GOAL_RESULTS.items()),
                               required=True))),
        RecordTable("goals-next-year", "Next year's goals", "The goals for the coming year.", (
            Column("goal", "Goal", required=True),
            Column("measure", "How you will know it is met"),
            Column("responsible", "Who is responsible"),
            Column("due", "Due by", "date"))),
    ]


def record_table(library: Library, stem: str) -> RecordTable:
    for table in record_tables(library):
        if table.stem == stem:
            return table
    raise fail(stem, "there is no such record table",
               fix="choose one of the tables on the submission page")


def _cell(value: Any, column: Column) -> str:
    """A cell as the editor shows it: keys for choices, ISO dates, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if column.kind == "month" else value.isoformat()
    text = tables.text(value)
    if column.kind == "choice" and text:
        keys = [k for k, _label in column.choices]
        key = tables.normalise_column(text)
        if key in keys:
            return key
        by_label = {label.lower(): k for k, label in column.choices}
        return by_label.get(text.lower(), text)
    if column.kind == "yesno" and text:
        low = text.lower()
        return "yes" if low in tables.YES else "no" if low in tables.NO else text
    return text


def _table_rows(table: RecordTable, path: Path) -> list[dict[str, str]]:
    names = [c.name for c in table.columns]
    required = [c.name for c in table.columns if c.required]
    read = tables.read_table(path, names, required)
    return [{c.name: _cell(row.values.get(c.name), c) for c in table.columns}
            for row in read.rows]


def read_rows(folder: Path, table: RecordTable) -> tuple[list[dict[str, str]], Path | None]:
    """The rows of one record table of a submission folder, as text cells, and the file
    they came from (None: no file yet). An unreadable file raises InputError."""
    records = folder / RECORDS_DIR
    if table.stem in GOALS_TABLES:
        path = records / GOALS_FILE
        if not path.is_file():
            return [], None
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise fail(path, f"cannot be read as YAML ({exc.__class__.__name__})",
                       fix="fix it in a text editor, or delete it and enter the goals "
                           "again") from None
        items = data.get(GOALS_TABLES[table.stem]) if isinstance(data, dict) else None
        rows = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                rows.append({c.name: _cell(item.get(c.name), c) for c in table.columns})
        return rows, path
    path = tables.find_table(records, table.stem)
    if path is None:
        return [], None
    return _table_rows(table, path), path


def _blank_row(row: dict[str, str]) -> bool:
    return all(not str(v).strip() for v in row.values())


def comment_lines(existing: bytes | None) -> list[list[str]]:
    """The `#` rows of a CSV records file (notes, examples, allowed values), which the
    records reader skips and an editor must keep."""
    if not existing:
        return []
    try:
        text = existing.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    kept = []
    with contextlib.suppress(csv.Error):
        for cells in csv.reader(io.StringIO(text, newline="")):
            if tables.is_comment(cells):
                kept.append(cells)
    return kept


def rows_csv(table: RecordTable, rows: list[dict[str, str]],
             existing: bytes | None = None) -> bytes:
    """The rows as the CSV file the records reader reads (blank rows left out), under
    the header and the `#` lines of the file they replace."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerows(comment_lines(existing))
    for row in rows:
        if not _blank_row(row):
            writer.writerow([str(row.get(c.name, "")).strip() for c in table.columns])
    return out.getvalue().encode("utf-8")


def goals_yaml(existing: bytes | None, table: RecordTable,
               rows: list[dict[str, str]]) -> bytes:
    """goals.yaml with one of its two lists replaced by `rows`, the other kept."""
    data: dict[str, Any] = {"last_year": [], "next_year": []}
    if existing:
        try:
            loaded = yaml.safe_load(existing.decode("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError):
            loaded = {}
        if isinstance(loaded, dict):
            data.update(loaded)
    items = []
    for row in rows:
        if _blank_row(row):
            continue
        items.append({c.name: str(row.get(c.name, "")).strip() for c in table.columns
                      if str(row.get(c.name, "")).strip()})
    data[GOALS_TABLES[table.stem]] = items
    text = ("# Goals: last year's goals with what came of them, and next year's goals.\n"
            "# Written by manualgen serve; `met` is yes, no or partly.\n")
    text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=88)
    return text.encode("utf-8")


def import_rows(table: RecordTable, name: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or Excel file with this table's columns."""
    suffix = Path(name).suffix.lower()
    if table.stem in GOALS_TABLES or suffix not in tables.SUFFIXES:
        raise fail(name, "only .csv and .xlsx files can be imported here",
                   fix="save the sheet from Excel as .xlsx or CSV")
    with scratch_dir("manualgen-import-") as tmp:
        path = Path(tmp) / f"{table.stem}{suffix}"
        path.write_bytes(data)
        try:
            rows = _table_rows(table, path)
        except InputError as exc:
            raise InputError([replace(p, path=name) for p in exc.problems]) from None
    return rows


def open_actions(folder: Path, library: Library) -> list[dict[str, str]]:
    """A submission's action-plan items not closed yet, soonest due first (none when its
    action plan cannot be read: the Submission page says why)."""
    try:
        rows, _source = read_rows(folder, record_table(library, "action-plan"))
    except InputError:
        return []
    open_rows = [r for r in rows if r.get("status", "") != "closed" and
                 not r.get("completed")]
    return sorted(open_rows, key=lambda r: (r.get("due") or "9999", r.get("finding", "")))
