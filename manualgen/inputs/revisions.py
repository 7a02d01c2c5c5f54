"""The record each revision of a company's manual leaves in `revisions/` beside company.yaml.

A record is what later revisions compare with: the policies in that revision (id, title,
where they came from, a content hash and the rendered text a redline needs), the policies
left out, the contents entries with their bookmarks (to find each policy in an edited
copy of that revision), the library version, and the facts of the profile that shape
the manual (hazards, equipment, people, sites). JSON, one file a revision, written by the
front end after a build; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from manualgen.errors import Problem

REVISIONS_DIR = "revisions"
FORMAT = 1
_NAME = re.compile(r"^revision-(\d+)\.json$")


class _Data(BaseModel):
    # Not `Strict`: that strips whitespace, and a record's text must come back exactly.
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordPolicy(_Data):
    id: str
    title: str
    element: int
    source: Literal["library", "company"]
    library_revision: int | None = None     # the library policy's (None: the company's own)
    legislation: list[str] = []
    text: str                                # the rendered Markdown
    hash: str                                # of title, legislation and text


class RecordLeftOut(_Data):
    id: str
    title: str
    reason: str


class RecordEntry(_Data):
    """A contents entry: a heading of the manual and the bookmark the generator gave it."""

    bookmark: str
    level: int
    title: str
    key: str        # "policy:<id>", "data:<table>", "element:<n>", "document-control", ...


class FactHazard(_Data):
    key: str
    label: str


class FactUnit(_Data):
    id: str
    description: str
    interval: str


class FactPerson(_Data):
    name: str
    position: str
    roles: list[str]


class FactSite(_Data):
    name: str
    kind: str
    address: str | None = None


class Facts(_Data):
    """The profile's facts that shape the manual's text and tables."""

    hazards: list[FactHazard] = []
    equipment: list[FactUnit] = []
    people: list[FactPerson] = []
    worksites: list[FactSite] = []


class LibraryRef(_Data):
    name: str
    version: str


class RevisionRecord(_Data):
    format: Literal[1] = FORMAT
    revision: int
    issued: dt.date
    company: str
    library: LibraryRef
    policies: list[RecordPolicy]
    left_out: list[RecordLeftOut] = []
    contents: list[RecordEntry] = []
    facts: Facts = Facts()

    def policy(self, policy_id: str) -> RecordPolicy | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def to_bytes(self) -> bytes:
        """Deterministic JSON: the same record gives the same bytes."""
        data = self.model_dump(mode="json")
        return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def record_name(revision: int) -> str:
    """The record's path inside the company folder."""
    return f"{REVISIONS_DIR}/revision-{revision}.json"


@dataclass
class RevisionRecords:
    """The records kept in one company folder, oldest first."""

    folder: Path | None = None
    records: list[RevisionRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, revision: int) -> RevisionRecord | None:
        return next((r for r in self.records if r.revision == revision), None)

    def before(self, revision: int) -> RevisionRecord | None:
        """The latest record of a revision earlier than `revision`."""
        earlier = [r for r in self.records if r.revision < revision]
        return earlier[-1] if earlier else None

    @property
    def latest(self) -> RevisionRecord | None:
        return self.records[-1] if self.records else None


def latest_library_version(company_folder: Path) -> str | None:
    """The library version of the latest record, read without validating every record
    (NSNY's dashboard asks it of every company at once)."""
    folder = company_folder / REVISIONS_DIR
    names = [(int(m.group(1)), p) for p in folder.iterdir()
             if (m := _NAME.match(p.name))] if folder.is_dir() else []
    for _, path in sorted(names, reverse=True):
        try:
            return str(json.loads(path.read_bytes())["library"]["version"])
        except (OSError, ValueError, KeyError, TypeError):
            continue                  # damaged: the one before it, as load_records does
    return None


def parse_record(data: bytes, path: str) -> RevisionRecord:
    """One record from its bytes; a damaged one raises ValueError with the reason."""
    try:
        return RevisionRecord.model_validate(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a revision record ({exc})") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"not a revision record this manualgen can read ({where}: "
                         f"{first['msg']})") from None


def load_records(company_folder: Path | None) -> RevisionRecords:
    """Every readable record of a company folder; damaged ones become warnings (the
    manual is built without them, never stopped by them)."""
    out = RevisionRecords(company_folder / REVISIONS_DIR if company_folder else None)
    if out.folder is None or not out.folder.is_dir():
        return out
    found: dict[int, RevisionRecord] = {}
    for path in sorted(out.folder.iterdir()):
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        try:
            record = parse_record(path.read_bytes(), str(path))
        except (OSError, ValueError) as exc:
            out.problems.append(Problem(str(path), None, None, f"{exc}; the revision history "
                                        "leaves this revision out", "restore the file from a "
                                        "backup, or delete it", "warning"))
            continue
        if record.revision != int(match.group(1)):
            out.problems.append(Problem(str(path), None, "revision", f"holds revision "
                                        f"{record.revision}, not {match.group(1)}",
                                        f"rename it to revision-{record.revision}.json",
                                        "warning"))
            continue
        found[record.revision] = record
    out.records = [found[k] for k in sorted(found)]
    return out
