"""A completed form from a phone: checked, acknowledged durably, then filed as a dated PDF
sample and the records rows its definition maps.

Two steps, so that nothing the phone was told "received" is ever lost or doubled:

1. **Receive** (`receive`, in the web request): the answers are checked against the form's
   definition (an error names the field), then written as one journal entry in the
   company folder, `.manualgen/phone-forms/<id>/` (`meta.json` and the signatures and
   photos under `files/`), first into a scratch folder and renamed into place, so a crash
   leaves either the whole entry or none. The id is made on the phone: an entry already
   there is the same form sent again, and is answered as received without writing.
2. **File** (`file_form`, a build on the queue: a thread of `manualgen serve`, a worker of
   the portal): the PDF of the completed form in its category folder of the current
   submission, and the records rows appended to the submission's records tables.
   Filing runs under a lock per company folder and is idempotent: its plan (which
   submission, which file name, which rows) is written into the entry before anything
   else, the PDF's name and bytes follow from the entry alone, and each records file's
   hash before and after the rows were added is noted before it is written, so a run
   that crashed anywhere and runs again finishes the job without adding anything twice.
   `filed.json` closes the entry; `failed.json` says why a run failed (the next start-up
   tries again: `unfiled`).

Forms without a submission category (a first aid record, a hazard report, a training
record...) are filed in `completed-forms/<form id>/` of the company folder: they are
records the company keeps, not samples of the annual submission.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from manualgen.errors import UsageError
from manualgen.inputs.library.form_fields import (
    ROW,
    Condition,
    Constant,
    FormField,
    FormFields,
)
from manualgen.inputs.library.load import Library
from manualgen.inputs.library.model import FormInfo
from manualgen.inputs.profile import CompanyProfile
from manualgen.inputs.record_forms import read_rows, record_table, rows_csv
from manualgen.inputs.records import RECORDS_DIR
from manualgen.services.storage import atomic_write_bytes
from manualgen.services.workspace import Workspace

try:
    import fcntl
except ImportError:                                   # not on Windows: no lock there
    fcntl = None

JOURNAL = "phone-forms"              # in .manualgen/
COMPLETED = "completed-forms"        # forms without a category, in the company folder
META, PLAN, FILED, FAILED, FILES = "meta.json", "filing.json", "filed.json", "failed.json", \
    "files"
MB = 1024 * 1024
FILE_BYTES = 8 * MB                  # one signature or photo
FORM_BYTES = 40 * MB                 # all the files of one form
MAX_FILES = 60
TEXT_CHARS, LONG_TEXT_CHARS = 300, 4000
MAX_ROWS = 200
ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class FormState(StrEnum):
    """Where a completed form sent from a phone is (what `/forms/sent/` answers)."""

    RECEIVED = "received"            # in the journal: acknowledged, to be filed
    FILED = "filed"                  # its PDF and records rows are in the company folder
    UNKNOWN = "unknown"              # never received (or pruned)


RECEIVED, FILED_STATE, UNKNOWN = FormState.RECEIVED, FormState.FILED, FormState.UNKNOWN


class Refused(UsageError):
    """A form that cannot be accepted, and the field it is about (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Received:
    id: str
    status: FormState                # received or filed
    file: str | None                 # the PDF's name once filed
    new: bool                        # this request wrote the entry (False: sent again)


# --------------------------------------------------------------------------- checking


def _picture_kind(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypmsf1"):
        return "heic"
    return "other"


def holds(cond: Condition | None, *answers: dict[str, Any]) -> bool:
    """Is the condition met by the first of `answers` (a group row, then the form) that
    has the field? No condition: always."""
    if cond is None:
        return True
    value = next((a[cond.field] for a in answers if cond.field in a), None)
    if cond.equals is None:
        return _answered(value) and value != "no"
    return str(value) == cond.equals if not isinstance(value, list) else cond.equals in value


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def _refuse_file(part: str, files: dict[str, bytes], f: FormField, want: str) -> None:
    if part not in files:
        raise Refused(f"{f.label}: the {want} was not sent with the form. Send the form "
                      "again.", f.id)
    data = files[part]
    kind = _picture_kind(data)
    if len(data) > FILE_BYTES:
        raise Refused(f"{f.label}: the {want} is larger than {FILE_BYTES // MB} MB. Take "
                      "it again; the app makes photos smaller before sending.", f.id)
    if want == "photo" and kind == "heic":
        raise Refused(f"{f.label}: the photo is in the iPhone's HEIC format, which the "
                      "forms do not take. Add it again from the form's camera button, "
                      "which saves it as JPEG.", f.id)
    if want == "photo" and kind != "jpeg":
        raise Refused(f"{f.label}: the photo is not a JPEG picture. Add it again from "
                      "the form's camera button.", f.id)
    if want == "signature" and kind not in ("png", "jpeg"):
        raise Refused(f"{f.label}: the signature is not a picture. Sign again.", f.id)


def _check_value(f: FormField, value: Any, files: dict[str, bytes],
                 values: tuple[str, ...] | None) -> Any:
    """The answer, cleaned, or a `Refused` naming the field."""
    kind = f.kind

    def bad(why: str) -> Refused:
        return Refused(f"{f.label}: {why}", f.id)

    if kind in ("text", "long_text", "time", "number", "person", "site", "equipment",
                "hazard", "task", "choice", "yes_no", "rating", "date"):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise bad("the answer is not words")
        text = str(value).strip()
        limit = LONG_TEXT_CHARS if kind == "long_text" else TEXT_CHARS
        if len(text) > limit:
            raise bad(f"at most {limit} characters")
        if any(ord(c) < 32 and c not in "\n\t" for c in text):
            raise bad("the answer holds invisible control characters")
        if kind == "date":
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                raise bad(f"{text!r} is not a date (YYYY-MM-DD)") from None
        if kind == "time" and text and not re.fullmatch(r"[0-2]?[0-9]:[0-5][0-9]", text):
            raise bad(f"{text!r} is not a time (HH:MM)")
        if kind == "number" and text and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
            raise bad(f"{text!r} is not a number")
        if kind in ("choice", "yes_no", "rating") and values is not None and text and \
                text not in values:
            raise bad(f"{text!r} is not one of the choices")
        return text
    if kind in ("people", "multi_choice"):
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if not isinstance(item, str) or len(item) > TEXT_CHARS:
                raise bad("each answer is a name or a choice")
            if kind == "multi_choice" and values is not None and item not in values:
                raise bad(f"{item!r} is not one of the choices")
            if item.strip():
                out.append(item.strip())
        return out
    if kind in ("signature", "photo"):
        if not isinstance(value, str):
            raise bad(f"the {kind} did not come with the form")
        _refuse_file(value, files, f, kind)
        return value
    if kind == "photos":
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, str):
                raise bad("the photos did not come with the form")
            _refuse_file(item, files, f, "photo")
        return list(items)
    if kind == "signatures":
        if not isinstance(value, list):
            raise bad("the signatures did not come with the form")
        out = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or \
                    not item["name"].strip() or not isinstance(item.get("signature"), str):
                raise bad("each person signing gives their name and signs")
            if len(item["name"]) > TEXT_CHARS:
                raise bad(f"at most {TEXT_CHARS} characters in a name")
            _refuse_file(item["signature"], files, f, "signature")
            out.append({"name": item["name"].strip(), "signature": item["signature"]})
        return out
    raise bad("this kind of answer is not known")


def _check_group(f: FormField, value: Any, files: dict[str, bytes], library: Library,
                 form_answers: dict[str, Any]) -> list[dict[str, Any]]:
    if value is None:
        value = []
    if not isinstance(value, list) or len(value) > MAX_ROWS:
        raise Refused(f"{f.label}: the rows did not come as a list", f.id)
    rows = []
    for row in value:
        if not isinstance(row, dict):
            raise Refused(f"{f.label}: a row did not come as answers", f.id)
        clean: dict[str, Any] = {}
        if ROW in row:
            if not isinstance(row[ROW], str) or len(row[ROW]) > TEXT_CHARS:
                raise Refused(f"{f.label}: a row's label is not words", f.id)
            clean[ROW] = row[ROW]
        for sub in f.fields or []:
            clean_value = row.get(sub.id)
            if holds(sub.when, row, form_answers) and _answered(clean_value):
                clean[sub.id] = _check_value(sub, clean_value, files,
                                             sub.values(_library_choices(library)))
        if not any(_answered(v) for k, v in clean.items() if k != ROW):
            continue                                  # a blank row: nothing to keep
        for sub in f.fields or []:
            if sub.required and holds(sub.when, clean, form_answers) and \
                    not _answered(clean.get(sub.id)):
                where = f" ({clean[ROW]})" if ROW in clean else ""
                raise Refused(f"{f.label}{where}: {sub.label} is required", sub.id)
        rows.append(clean)
    return rows


def _library_choices(library: Library) -> dict[str, list[str]]:
    rules = library.rules
    return {"activities": list(rules.activities) if rules else [],
            "incident_classes": list(rules.incident_classes) if rules else [],
            "elements": [str(e.number) for e in library.elements]}


def check_form(meta: Any, files: dict[str, bytes], library: Library
               ) -> tuple[FormInfo, FormFields, dict[str, Any]]:
    """The phone's `meta` checked against the form's definition: the form, its definition
    and the cleaned meta; or `Refused` in words the crew knows, naming the field."""
    if not isinstance(meta, dict):
        raise Refused("The form did not arrive whole. Send it again.")
    form_uuid = str(meta.get("id", "")).lower()
    if not ID.match(form_uuid):
        raise Refused("The form has no id from the phone. Update the app and send it again.")
    info = library.form(str(meta.get("form", "")))
    definition = library.form_definition(info.id) if info else None
    if info is None or definition is None:
        raise Refused(f"There is no form {meta.get('form')!r} any more. Ask the owner "
                      "which form to use now.")
    try:
        revision = int(meta.get("revision", info.revision))
        made = dt.datetime.fromisoformat(str(meta.get("made", "")).replace("Z", "+00:00"))
    except ValueError:
        raise Refused("The form's revision or the time it was made is not readable. "
                      "Send it again.") from None
    answers = meta.get("answers")
    if not isinstance(answers, dict):
        raise Refused("The form has no answers.")
    if len(files) > MAX_FILES or sum(len(d) for d in files.values()) > FORM_BYTES:
        raise Refused(f"The form carries too many pictures (at most {MAX_FILES}, "
                      f"{FORM_BYTES // MB} MB in all). Send fewer photos.")
    for part in files:
        if not PART.match(part):
            raise Refused("A picture of the form has a name the app would not give. "
                          "Update the app and send it again.")
    choices = _library_choices(library)
    clean: dict[str, Any] = {}
    for section in definition.sections:
        if not holds(section.when, clean):
            continue
        for f in section.fields:
            if not holds(f.when, clean):
                continue
            value = answers.get(f.id)
            if f.kind == "group":
                rows = _check_group(f, value, files, library, clean)
                if rows:
                    clean[f.id] = rows
            elif _answered(value):
                clean[f.id] = _check_value(f, value, files, f.values(choices))
            if f.required and not _answered(clean.get(f.id)):
                raise Refused(f"{f.label} is required.", f.id)
    return info, definition, {"id": form_uuid, "form": info.id, "revision": revision,
                              "made": made.isoformat(), "answers": clean}


# --------------------------------------------------------------------------- the journal


def journal(ws: Workspace) -> Path:
    return ws.state / JOURNAL


def entry(ws: Workspace, form_uuid: str) -> Path:
    if not ID.match(form_uuid):
        raise UsageError(f"{form_uuid!r} is not a form's id")
    return journal(ws) / form_uuid


def _used_parts(answers: dict[str, Any], definition: FormFields) -> set[str]:
    used: set[str] = set()

    def take(f: FormField, value: Any) -> None:
        if f.kind in ("signature", "photo") and isinstance(value, str):
            used.add(value)
        elif f.kind == "photos" and isinstance(value, list):
            used.update(v for v in value if isinstance(v, str))
        elif f.kind == "signatures" and isinstance(value, list):
            used.update(v["signature"] for v in value if isinstance(v, dict))

    for f in definition.all_fields():
        if f.kind == "group":
            for row in answers.get(f.id, []):
                for sub in f.fields or []:
                    take(sub, row.get(sub.id))
        else:
            take(f, answers.get(f.id))
    return used


def receive(ws: Workspace, library: Library, meta: Any, files: dict[str, bytes], *,
            now: dt.datetime) -> Received:
    """Check the form and write its journal entry (see the module docstring); a form
    already received answers with its state and writes nothing."""
    form_uuid = str(meta.get("id", "")).lower() if isinstance(meta, dict) else ""
    if ID.match(form_uuid) and (journal(ws) / form_uuid / META).is_file():
        return _existing(ws, form_uuid)
    _info, definition, clean = check_form(meta, files, library)
    used = _used_parts(clean["answers"], definition)
    clean["received"] = now.isoformat(timespec="seconds")
    clean["files"] = sorted(used)
    home = journal(ws)
    home.mkdir(parents=True, exist_ok=True)
    _sweep_scratch(ws)
    ws.scratch.mkdir(parents=True, exist_ok=True)
    scratch = ws.scratch / f"phone-{form_uuid}-{secrets.token_hex(4)}"
    (scratch / FILES).mkdir(parents=True)
    try:
        for part in sorted(used):
            _write_synced(scratch / FILES / part, files[part])
        _write_synced(scratch / META, json.dumps(clean, ensure_ascii=False, indent=1)
                      .encode("utf-8"))
        try:
            os.rename(scratch, home / form_uuid)
        except OSError:                    # the same form arrived twice at once
            if (home / form_uuid / META).is_file():
                return _existing(ws, form_uuid)
            raise
        _sync_folder(home)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Received(form_uuid, RECEIVED, None, True)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sweep_scratch(ws: Workspace, older_than: float = 600) -> None:
    """Half-written entries a crash left in the scratch folder (never acknowledged)."""
    cutoff = time.time() - older_than
    for folder in ws.scratch.glob("phone-*") if ws.scratch.is_dir() else []:
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _existing(ws: Workspace, form_uuid: str) -> Received:
    said = state(ws, form_uuid)
    filed = _read_json(journal(ws) / form_uuid / FILED)
    return Received(form_uuid, FILED_STATE if said == FILED_STATE else RECEIVED,
                    filed.get("file") if filed else None, False)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def state(ws: Workspace, form_uuid: str) -> str:
    """received, filed, `failed: <why>` or unknown: what the phone's outbox shows."""
    if not ID.match(form_uuid):
        return UNKNOWN
    folder = journal(ws) / form_uuid
    if not (folder / META).is_file():
        return UNKNOWN
    if (folder / FILED).is_file():
        return FILED_STATE
    failed = _read_json(folder / FAILED)
    if failed:
        return f"failed: {failed.get('why', 'it could not be filed')}"
    return RECEIVED


def unfiled(ws: Workspace) -> list[str]:
    """The ids received but not filed (a lost or failed build): to be filed again."""
    home = journal(ws)
    if not home.is_dir():
        return []
    return sorted(p.name for p in home.iterdir()
                  if ID.match(p.name) and (p / META).is_file() and not (p / FILED).is_file())


def note_failure(ws: Workspace, form_uuid: str, why: str) -> None:
    atomic_write_bytes(entry(ws, form_uuid) / FAILED,
                       json.dumps({"why": why[:500]}, ensure_ascii=False).encode("utf-8"),
                       scratch=ws.scratch)


# --------------------------------------------------------------------------- filing


@contextlib.contextmanager
def company_lock(ws: Workspace) -> Iterator[None]:
    """One filing at a time in a company folder (threads of the local app, workers of the
    portal on this machine): the records files are read, extended and written whole."""
    home = journal(ws)
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)                   # closing releases the lock


def form_day(meta: dict[str, Any], definition: FormFields) -> dt.date:
    """The form's date: its first date field answered, else the day it was made."""
    answers = meta["answers"]
    for section in definition.sections:
        for f in section.fields:
            if f.kind == "date" and isinstance(answers.get(f.id), str):
                with contextlib.suppress(ValueError):
                    return dt.date.fromisoformat(answers[f.id])
    return dt.datetime.fromisoformat(meta["made"]).date()


def pdf_name(day: dt.date, title: str, form_uuid: str) -> str:
    """Like the other samples: `2026-06-03 Toolbox Meeting Record 1a2b3c4d.pdf`."""
    return f"{day.isoformat()} {title} {form_uuid[:8]}.pdf"


def _text(f: FormField | None, value: Any) -> str:
    """An answer as a records cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        parts = [v["name"] if isinstance(v, dict) else str(v) for v in value]
        return "; ".join(p for p in parts if p)
    return str(value)


def record_rows(definition: FormFields, answers: dict[str, Any]
                ) -> list[tuple[str, dict[str, str]]]:
    """(table, row) for every records row the definition's `records:` makes."""
    out = []
    for mapping in definition.records:
        if mapping.each is None:
            sources: list[dict[str, Any]] = [answers] if holds(mapping.when, answers) else []
        else:
            sources = [row for row in answers.get(mapping.each, [])
                       if holds(mapping.when, row, answers)]
        for source in sources:
            row = {}
            for column, given in mapping.columns.items():
                if isinstance(given, Constant):
                    row[column] = given.value
                elif given == ROW:
                    row[column] = str(source.get(ROW, ""))
                else:
                    value = source.get(given, answers.get(given))
                    row[column] = _text(definition.field(given), value).strip()
            out.append((mapping.table, row))
    return out


def _sha(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


def _records_path(folder: Path, stem: str) -> Path:
    return folder / RECORDS_DIR / f"{stem}.csv"


def _apply_rows(ws: Workspace, library: Library, folder: Path, stem: str,
                rows: list[dict[str, str]], plan: dict[str, Any], plan_path: Path) -> None:
    """Append the rows to one records table, once, whatever was interrupted before."""
    table = record_table(library, stem)
    path = _records_path(folder, stem)
    current = path.read_bytes() if path.is_file() else None
    noted = plan.setdefault("applied", {}).get(stem)
    existing, source = read_rows(folder, table)
    if noted is not None:
        if _sha(current) == noted["after"]:
            return                                         # written, then interrupted
        if _sha(current) != noted["before"]:
            # changed since (by hand): ours are there already when every row is
            want = [{c.name: r.get(c.name, "") for c in table.columns} for r in rows]
            if all(w in existing for w in want):
                return
    if source is not None and source.suffix.lower() == ".xlsx":
        ws.remove(ws.relative(source))                     # kept in the history, now CSV
        current = None
    new = rows_csv(table, [*existing, *rows], existing=current)
    plan["applied"][stem] = {"before": _sha(current), "after": _sha(new)}
    atomic_write_bytes(plan_path, json.dumps(plan, ensure_ascii=False, indent=1)
                       .encode("utf-8"), scratch=ws.scratch)
    # Not kept in the history: the plan notes the file before and after, and a form a
    # minute would otherwise keep a copy of the whole table each time.
    ws.write(f"{ws.relative(folder)}/{RECORDS_DIR}/{stem}.csv", new, keep=False)


@dataclass(frozen=True)
class Filed:
    id: str
    file: str                        # the PDF, relative to the company folder
    rows: int

    def summary(self) -> str:
        return f"Filed {Path(self.file).name} and {self.rows} records row(s)"


RenderPdf = Callable[[FormInfo, FormFields, dict[str, Any], dict[str, bytes]], bytes]


def file_form(ws: Workspace, library: Library, profile: CompanyProfile, form_uuid: str, *,
              submission: Callable[[], str], render: RenderPdf) -> Filed:
    """File one received form (see the module docstring). `submission` gives the current
    submission folder's name (making one when there is none); `render` the PDF's bytes."""
    folder = entry(ws, form_uuid)
    meta = _read_json(folder / META)
    if meta is None:
        raise UsageError("that form was never received", fix="send it again from the phone")
    with company_lock(ws):
        done = _read_json(folder / FILED)
        if done is not None:
            return Filed(form_uuid, done["file"], done.get("rows", 0))
        info = library.form(meta["form"])
        definition = library.form_definition(meta["form"])
        if info is None or definition is None:
            raise UsageError(f"the library no longer has the form {meta['form']!r}",
                             fix="ask NSNY; the form is kept and filed once it is back")
        plan_path = folder / PLAN
        plan = _read_json(plan_path)
        if plan is None:
            name = pdf_name(form_day(meta, definition), info.title, form_uuid)
            if info.category:
                sub = submission()
                where = f"{sub}/{info.category}"
            else:
                sub = None
                where = f"{COMPLETED}/{info.id}"
            plan = {"submission": sub, "file": f"{where}/{name}", "applied": {}}
            atomic_write_bytes(plan_path, json.dumps(plan, ensure_ascii=False, indent=1)
                               .encode("utf-8"), scratch=ws.scratch)
        files = {p: (folder / FILES / p).read_bytes() for p in meta.get("files", [])}
        pdf = render(info, definition, meta, files)
        target = ws.path(plan["file"])
        if not target.is_file() or target.read_bytes() != pdf:
            ws.write(plan["file"], pdf, keep=False)
        rows = record_rows(definition, meta["answers"])
        if rows and plan["submission"] is None:
            with contextlib.suppress(UsageError):
                plan["submission"] = submission()
        if rows and plan["submission"] is not None:
            sub_folder = ws.path(plan["submission"])
            by_table: dict[str, list[dict[str, str]]] = {}
            for stem, row in rows:
                by_table.setdefault(stem, []).append(row)
            for stem, table_rows in by_table.items():
                _apply_rows(ws, library, sub_folder, stem, table_rows, plan, plan_path)
        result = Filed(form_uuid, plan["file"], len(rows))
        atomic_write_bytes(folder / FILED, json.dumps(
            {"file": plan["file"], "rows": len(rows), "submission": plan["submission"]},
            ensure_ascii=False).encode("utf-8"), scratch=ws.scratch)
        (folder / FAILED).unlink(missing_ok=True)
        # The photos and signatures are in the filed PDF now; the entry keeps its answers
        # (meta.json), so the same form sent again is still known and answered "filed".
        shutil.rmtree(folder / FILES, ignore_errors=True)
        return result
