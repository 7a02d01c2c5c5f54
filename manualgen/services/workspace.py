"""A workspace: one company's folder, and every write a front end makes into it.

The folder holds what the CLI reads (company.yaml, the logo, the submission folders) and
what the web app adds: built outputs in `output/`, and its own state in `.manualgen/`
(the profile draft being edited, the history of saved versions, files taken out of a
submission). Every path is resolved inside the folder and refused when it would leave
it; every write is atomic; a replaced or removed file is kept in the history first, so
nothing the user made is lost. The web app makes one per request from the folder it
serves; a hosted mode maps an account to one instead. Nothing here is module state.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from manualgen.errors import UsageError
from manualgen.io import inside
from manualgen.services.storage import atomic_write_bytes, write_new_tree

PROFILE = "company.yaml"
OUTPUT = "output"
STATE = ".manualgen"
HISTORY = "history"
DRAFT = "draft.json"
SUBMISSION_FILE = "submission.yaml"
RECORDS = "records"
SCRATCH = "tmp"               # in .manualgen/: files being written, never listed
MAX_HISTORY = 200
_SAFE = re.compile(r"[^\w\s.,()&'+-]", re.UNICODE)


class OutsideFolder(UsageError):
    """A path that would leave the workspace (`../`, an absolute path, a link out)."""


class NoSuchFolder(UsageError):
    """A submission folder the workspace does not hold (a hosted mode answers 404)."""


def safe_name(name: str, *, fallback: str = "file") -> str:
    """A file name as the user gave it, made safe: no folders, no control or special
    characters, no leading dots, at most 120 characters; the extension kept."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = _SAFE.sub("_", base).strip(" .")
    base = re.sub(r"\s+", " ", base)
    if not base or base in (".", ".."):
        base = fallback
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 8:
        return stem[:110].rstrip(" .") + "." + suffix.lower() if stem else fallback + \
            "." + suffix.lower()
    return base[:120]


def refuse_unsafe(name: str) -> None:
    """Refuse a name that tries to leave its folder (`../x`, `/etc/x`, `a/../../b`)."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not name or name.startswith(("/", "\\")) or ".." in parts or \
            re.match(r"^[A-Za-z]:", name):
        raise OutsideFolder(f"the file name {name!r} points outside the folder",
                            fix="give a plain file name, like 2026-03-14 inspection.pdf")


@dataclass(frozen=True)
class Version:
    """One saved version of the profile in the history."""

    id: str                 # the history file's name
    when: dt.datetime
    size: int
    note: str


class Workspace:
    """One company folder; see the module docstring."""

    def __init__(self, root: Path | str, *, clock=dt.datetime.now) -> None:
        self.root = Path(root).expanduser().resolve()
        self._clock = clock

    # -- paths ---------------------------------------------------------------------------

    def path(self, rel: str | Path) -> Path:
        """The path of `rel` inside the folder; anything leaving it is refused."""
        rel = str(rel)
        refuse_unsafe(rel)
        target = self.root / rel
        if not inside(self.root, target):
            raise OutsideFolder(f"{rel!r} is outside the company folder",
                                fix="choose a file inside the company folder")
        return target

    @property
    def profile_path(self) -> Path:
        return self.root / PROFILE

    @property
    def has_profile(self) -> bool:
        return self.profile_path.is_file()

    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def output(self) -> Path:
        return self.root / OUTPUT

    @property
    def scratch(self) -> Path:
        """Where a file is written before it is renamed into place: inside the folder
        (the same file system), but in no folder a user, a build or a reviewer reads."""
        return self.state / SCRATCH

    def sweep(self, *, older_than: float = 600) -> list[Path]:
        """Remove what a crash left half-written: the scratch folder's files, and the
        hidden `.<name>.<random>.part` files older versions wrote beside their targets.
        Run at start-up; a file younger than `older_than` seconds may be another live
        process's write in progress, and is left to it."""
        gone: list[Path] = []
        if not self.root.is_dir():
            return gone
        cutoff = time.time() - older_than
        for path in [*self.scratch.glob("*"), *self.root.rglob(".*.part")]:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                gone.append(path)
        return gone

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def now(self) -> dt.datetime:
        return self._clock()

    # -- writing -------------------------------------------------------------------------

    def write(self, rel: str | Path, data: bytes | str, *, keep: bool = True) -> Path:
        """Write one file atomically; the version it replaces goes to the history."""
        target = self.path(rel)
        if keep and target.is_file():
            self._keep(target)
        atomic_write_bytes(target, data.encode("utf-8") if isinstance(data, str) else data,
                           scratch=self.scratch)
        return target

    def write_output(self, name: str, data: bytes | str) -> Path:
        """A built output (manual, forms, submission PDF): replaced, not kept."""
        return self.write(f"{OUTPUT}/{name}", data, keep=False)

    def remove(self, rel: str | Path) -> Path:
        """Take a file out of the folder into the history (never deleted outright)."""
        target = self.path(rel)
        if not target.is_file():
            raise UsageError(f"there is no file {str(rel)!r}", fix="reload the page")
        kept = self._keep(target)
        target.unlink()
        return kept

    def rename(self, rel: str | Path, new_name: str) -> Path:
        """Rename a file within its folder; an existing name is refused."""
        source = self.path(rel)
        refuse_unsafe(new_name)
        target = self.path(Path(rel).parent / safe_name(new_name))
        if target == source:
            return target
        if target.exists():
            raise UsageError(f"there is already a file called {target.name!r}",
                             fix="choose another name")
        os.replace(source, target)
        return target

    def new_tree(self, rel: str, files: dict[str, bytes]) -> Path:
        """A new folder holding `files` (a submission); an existing non-empty one refused."""
        target = self.path(rel)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise UsageError(f"the folder {rel!r} already exists",
                             fix="open it, or choose another name")
        write_new_tree(target, files)
        return target

    def free_name(self, folder: str, name: str) -> str:
        """`name`, or `name (2)` when the folder holds one already."""
        stem, dot, suffix = name.rpartition(".")
        candidate, n = name, 2
        while self.path(f"{folder}/{candidate}").exists():
            candidate = f"{stem} ({n}){dot}{suffix}" if dot else f"{name} ({n})"
            n += 1
        return candidate

    # -- the history of replaced and removed files ----------------------------------------

    def _stamp(self) -> str:
        return self.now().strftime("%Y-%m-%d_%H%M%S_%f")

    def _keep(self, target: Path) -> Path:
        rel = self.relative(target)
        folder = self.state / HISTORY
        kept = folder / f"{self._stamp()}__{rel.replace('/', '__')}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, kept)
        return kept

    def history(self, rel: str = PROFILE) -> list[Version]:
        """The kept versions of one file, newest first."""
        folder = self.state / HISTORY
        suffix = "__" + rel.replace("/", "__")
        out = []
        if folder.is_dir():
            for entry in folder.iterdir():
                if not entry.name.endswith(suffix):
                    continue
                stamp = entry.name[: -len(suffix)]
                try:
                    when = dt.datetime.strptime(stamp, "%Y-%m-%d_%H%M%S_%f")
                except ValueError:
                    continue
                out.append(Version(entry.name, when, entry.stat().st_size, rel))
        return sorted(out, key=lambda v: v.when, reverse=True)[:MAX_HISTORY]

    def version(self, version_id: str) -> bytes:
        refuse_unsafe(version_id)
        path = self.state / HISTORY / version_id
        if "/" in version_id or not path.is_file():
            raise UsageError("that saved version does not exist", fix="reload the page")
        return path.read_bytes()

    def restore(self, version_id: str, rel: str = PROFILE) -> Path:
        """Put a kept version back; the current one is kept in turn."""
        data = self.version(version_id)
        if not version_id.endswith("__" + rel.replace("/", "__")):
            raise UsageError("that saved version belongs to another file")
        return self.write(rel, data)

    # -- the web app's draft of the profile ----------------------------------------------

    def read_draft(self) -> dict[str, Any] | None:
        path = self.state / DRAFT
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def write_draft(self, draft: dict[str, Any]) -> None:
        atomic_write_bytes(self.state / DRAFT,
                           json.dumps(draft, ensure_ascii=False, indent=1,
                                      default=str).encode("utf-8"))

    def drop_draft(self) -> None:
        for name in (DRAFT, *(p.name for p in self.state.glob("draft-*"))):
            (self.state / name).unlink(missing_ok=True)

    def write_draft_file(self, name: str, data: bytes) -> str:
        """A file that belongs to the draft (an uploaded logo not saved yet); replaces the
        draft's earlier files of the same stem. Returns the name to find it by."""
        refuse_unsafe(name)
        stem = PurePosixPath(name).stem
        for old in self.state.glob(f"draft-{stem}.*"):
            old.unlink()
        final = f"draft-{safe_name(name)}"
        atomic_write_bytes(self.state / final, data)
        return final

    def read_draft_file(self, name: str) -> bytes | None:
        refuse_unsafe(name)
        path = self.state / name
        return path.read_bytes() if name.startswith("draft-") and path.is_file() else None

    # -- submissions -----------------------------------------------------------------------

    def submissions(self) -> list[str]:
        """The submission folders in the company folder, newest name first."""
        out = []
        for entry in self.root.iterdir() if self.root.is_dir() else []:
            if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith(".") \
                    and ((entry / SUBMISSION_FILE).is_file() or (entry / RECORDS).is_dir()):
                out.append(entry.name)
        return sorted(out, reverse=True)

    def submission(self, name: str) -> Path:
        if name not in self.submissions():
            raise NoSuchFolder(f"there is no submission folder {name!r}",
                             fix="choose one on the Submission page")
        return self.path(name)
