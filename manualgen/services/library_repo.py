"""NSNY's hosted library: the library's files in a git repository, a version a tag.

The portal keeps the library under its data root (`DATA/library/`) as the same files the
CLI reads (`manualgen library check --library DATA/library`), so NSNY can push it to, or
pull it from, a repository of its own with plain git. Publishing writes a release (see
`library.publish`) only after the whole library, with the release in place, passed the
check in a staged copy; the files go in one by one, each atomically, policies first and
library.yaml last, so a portal process that sees the new version sees its policies.

Git is driven as a program (Debian's git), never prompting, paging or reading the
user's or the system's git configuration: the portal's service user has none, and a
`commit.gpgSign` there would hang a publish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from manualgen.errors import InputError, Problem, Severity, ToolError, UsageError
from manualgen.resources import FORMS_DIR, LIBRARY_FILE, PACKAGES_DIR, POLICY_DIR, LibraryPaths
from manualgen.services.storage import atomic_write_bytes

LIBRARY_YAML = f"{POLICY_DIR}/{LIBRARY_FILE}"
CHANGELOG = f"{POLICY_DIR}/CHANGELOG.md"
LOCK = "manualgen-publish.lock"        # in .git/: one publish at a time, across processes
STAGE = "manualgen-stage-"             # in .git/: where a release is checked before it lands
GIT_TIMEOUT = 120
# Left out of the repository: what tools leave beside the files, never the library's.
IGNORED = ("__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".manualgen",
           "*.pyc", ".DS_Store", "~$*", ".~lock.*#")
GITIGNORE = "# written by manualgen: caches tools leave, never part of the library\n" + \
    "".join(f"{name}\n" for name in IGNORED)
INSTALL_GIT = "install git (apt-get install git)"


class ReleaseLike(Protocol):
    """What `publish` stores (`library.publish.Release`; a Protocol, since services sit
    below the jobs that make releases)."""

    version: str
    released: dt.date
    files: dict[str, bytes]
    notes: tuple[str, ...]
    base: str | None


@dataclass(frozen=True)
class VersionTag:
    """One published version: its tag, the commit it names, when, and the commit's subject."""

    tag: str
    commit: str
    date: dt.datetime
    subject: str


def _version_key(tag: str) -> tuple[int, ...]:
    return tuple(int(n) for n in tag.split(".")) if re.fullmatch(r"\d+(\.\d+)*", tag) else ()


def git_program() -> str:
    """The git program, or a ToolError saying how to install it."""
    found = shutil.which("git")
    if found is None:
        raise ToolError("git is not installed: the portal keeps NSNY's library in a git "
                        "repository", fix=INSTALL_GIT)
    return found


def _git_env(author: str | None = None, email: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_EDITOR="true", GIT_PAGER="cat", PAGER="cat",
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_ASKPASS="true",
               LC_ALL="C")
    if author is not None:
        env.update(GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=email or "",
                   GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL=email or "")
    return env


def _copy_library(source: LibraryPaths, target: Path) -> None:
    """The three folders of `source` into `target` (test companies included: the check
    builds them), without the caches tools leave."""
    ignore = shutil.ignore_patterns(*IGNORED, ".git")
    for folder, name in ((source.policies, POLICY_DIR), (source.forms, FORMS_DIR),
                         (source.packages, PACKAGES_DIR)):
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder of a library",
                             fix="give the folder holding policy_library/")
        shutil.copytree(folder, target / name, ignore=ignore, symlinks=False)


class LibraryRepo:
    """The library at `home` (holding policy_library/, form_templates/, packages/) as a
    git repository; see the module docstring."""

    def __init__(self, home: Path | str) -> None:
        self.home = Path(home).expanduser().resolve()

    # ----------------------------------------------------------------------- git

    def git(self, *args: str, author: str | None = None, email: str | None = None,
            input: bytes | None = None, check: bool = True,
            cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run git in the library (bytes out); a failure is a ToolError with git's words."""
        command = [git_program(), "-c", "core.quotePath=false", *args]
        try:
            done = subprocess.run(command, cwd=cwd or self.home, input=input,
                                  stdin=None if input is not None else subprocess.DEVNULL,
                                  capture_output=True, env=_git_env(author, email),
                                  timeout=GIT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ToolError(f"git {args[0]} took more than {GIT_TIMEOUT} s in {self.home}",
                            fix="see whether another git is running there") from None
        if check and done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip() or \
                done.stdout.decode("utf-8", "replace").strip()
            raise ToolError(f"git {args[0]} failed in {self.home}: {said}",
                            fix=f"look at the repository with `git -C {self.home} status`")
        return done

    def _out(self, *args: str) -> str:
        return self.git(*args).stdout.decode("utf-8", "replace").strip()

    # ----------------------------------------------------------------------- making one

    @classmethod
    def create(cls, home: Path | str, source: LibraryPaths, *, author: str,
               email: str) -> LibraryRepo:
        """A new repository at `home` holding a copy of the library `source`, its version
        committed and tagged. Made beside `home` and moved into place, so a failure leaves
        no half-made library; refused when `home` holds anything already."""
        git_program()
        home = Path(home).expanduser().resolve()
        if home.exists() and (not home.is_dir() or any(home.iterdir())):
            raise UsageError(f"{home} is not empty: a library repository is made in a new "
                             "folder", fix="choose another folder, or remove that one")
        home.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{home.name}-", dir=home.parent))
        try:
            _copy_library(source, scratch)
            (scratch / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
            made = cls(scratch)
            version = made.version()
            made.git("init", "-q", "-b", "main")
            made.git("add", "-A")
            made.git("commit", "-q", "--no-verify", "-m",
                     f"Library {version} as shipped with manualgen", author=author,
                     email=email)
            notes = changelog_section((scratch / CHANGELOG).read_text(encoding="utf-8")
                                      if (scratch / CHANGELOG).is_file() else "", version)
            made.git("tag", "-a", version, "-F", "-", author=author, email=email,
                     input=(notes or f"Library {version}").encode("utf-8"))
            os.chmod(scratch, 0o755)           # mkdtemp made it 0700
            os.replace(scratch, home)          # onto nothing, or onto an empty folder
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return cls(home)

    # ----------------------------------------------------------------------- reading

    @property
    def exists(self) -> bool:
        """True when `home` is a library in a git repository."""
        return (self.home / ".git").is_dir() and (self.home / LIBRARY_YAML).is_file()

    def head(self) -> str:
        """The commit the library's files are at."""
        return self._out("rev-parse", "--verify", "HEAD^{commit}")

    def version(self) -> str:
        """The version library.yaml (on disk) says."""
        path = self.home / LIBRARY_YAML
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise InputError(Problem(str(path), message=f"cannot read the version ({exc})",
                                     fix="run `manualgen library check` on the library")
                             ) from None
        version = data.get("version") if isinstance(data, dict) else None
        if version is None:
            raise InputError(Problem(str(path), field="version", message="no version",
                                     fix='add version: "2026.1"'))
        return str(version)

    def versions(self) -> list[VersionTag]:
        """Every tag, newest first (by the tag's date, then by its number)."""
        fields = ("%(refname:strip=2)", "%(*objectname)", "%(objectname)",
                  "%(creatordate:iso-strict)", "%(*subject)", "%(subject)")
        out = self._out("for-each-ref", "--format=" + "%00".join(fields), "refs/tags")
        found = []
        for line in out.splitlines():
            tag, peeled, obj, when, peeled_subject, subject = line.split("\0")
            found.append(VersionTag(tag, peeled or obj, dt.datetime.fromisoformat(when),
                                    peeled_subject or subject))
        return sorted(found, key=lambda v: (v.date, _version_key(v.tag)), reverse=True)

    def read(self, relpath: str, at: str | None = None) -> bytes:
        """A file's bytes at a tag or commit (the last commit when None); FileNotFoundError
        when it has no such file."""
        rev = f"{at or 'HEAD'}:{relpath}"
        if self.git("cat-file", "-e", rev, check=False).returncode != 0:
            if at is not None and self.git("rev-parse", "--verify", "--quiet",
                                           f"{at}^{{commit}}", check=False).returncode:
                raise UsageError(f"the library has no version or commit {at!r}",
                                 fix="see `git tag` in " + str(self.home))
            raise FileNotFoundError(relpath)
        return self.git("cat-file", "blob", rev).stdout

    def changed_files(self, since_tag: str) -> list[str]:
        """The library's files changed from `since_tag` to the last commit."""
        out = self.git("diff", "--name-only", "-z", since_tag, "HEAD", "--").stdout
        return [name for name in out.decode("utf-8", "replace").split("\0") if name]

    def _dirty(self) -> list[str]:
        out = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all").stdout
        return [entry[3:] for entry in out.decode("utf-8", "replace").split("\0")
                if len(entry) > 3]

    # ----------------------------------------------------------------------- publishing

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the publish lock: one publish at a time, across threads and processes."""
        with open(self.home / ".git" / LOCK, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def publish(self, release: ReleaseLike | Callable[[LibraryRepo], ReleaseLike], *,
                author: str, email: str,
                check: Callable[[Path], list[Problem]]) -> VersionTag:
        """Store `release` as the next version: a commit by `author` and its tag. A
        function of this repository is called for the release under the lock, so two
        staff publishing at once get one version each. The library with the release in
        place must pass `check` (its errors refuse it, as an InputError, with nothing
        written); so must the release's base version be the library's current one."""
        if not self.exists:
            raise UsageError(f"{self.home} is not a library repository",
                             fix="make it with `manualgen portal init`")
        with self.locked():
            made = release(self) if callable(release) else release
            self._refuse_stale(made)
            staged_problems = self._staged_check(made, check)
            errors = [p for p in staged_problems if p.severity is Severity.ERROR]
            if errors:
                raise InputError(errors, title=f"Library {made.version} was not published: "
                                 "the library check found these problems")
            self._write_and_commit(made, author=author, email=email)
        return next(v for v in self.versions() if v.tag == made.version)

    def _refuse_stale(self, release: ReleaseLike) -> None:
        dirty = self._dirty()
        if dirty:
            raise UsageError(f"the library at {self.home} has changes that were never "
                             f"published: {', '.join(dirty[:5])}",
                             fix=f"commit or discard them (`git -C {self.home} status`)")
        current = self.version()
        base = getattr(release, "base", None)
        if base is not None and base != current:
            raise UsageError(f"library {release.version} was made from version {base}, but "
                             f"the library is at {current} now",
                             fix="make the release again from the current library")
        if self.git("rev-parse", "--verify", "--quiet", f"refs/tags/{release.version}",
                    check=False).returncode == 0:
            raise UsageError(f"version {release.version} is published already",
                             fix="publish the next version")
        for path in release.files:
            _check_path(path)

    def _staged_check(self, release: ReleaseLike,
                      check: Callable[[Path], list[Problem]]) -> list[Problem]:
        """`check` run on a copy of the library with the release in place."""
        git_dir = self.home / ".git"
        for old in git_dir.glob(STAGE + "*"):       # a crash's leftovers (we hold the lock)
            shutil.rmtree(old, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix=STAGE, dir=git_dir) as scratch:
            staged = Path(scratch) / "library"
            shutil.copytree(self.home, staged, ignore=shutil.ignore_patterns(".git"),
                            symlinks=True)
            for path, data in release.files.items():
                target = staged / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            return list(check(staged))

    def _write_and_commit(self, release: ReleaseLike, *, author: str, email: str) -> None:
        before = self.head()
        order = sorted(release.files, key=lambda p: (_write_order(p), p))
        new = [p for p in order if not (self.home / p).exists()]
        try:
            for path in order:
                atomic_write_bytes(self.home / path, release.files[path])
            self.git("add", "--", *order)
            notes = [n for n in release.notes if n.strip()]
            subject = f"Library {release.version}: " + ("; ".join(notes) or "published")
            self.git("commit", "-q", "--no-verify", "-F", "-", author=author, email=email,
                     input=subject.encode("utf-8"))
            message = "\n".join(f"- {n}" for n in notes) or f"Library {release.version}"
            self.git("tag", "-a", release.version, "-F", "-", author=author, email=email,
                     input=f"Library {release.version}\n\n{message}\n".encode())
        except BaseException:
            # Back to the last version: the files, the index and the branch.
            self.git("reset", "-q", "--hard", before, check=False)
            for path in new:
                with contextlib.suppress(OSError):
                    (self.home / path).unlink()
            raise


def _write_order(path: str) -> int:
    """Policies first, library.yaml last: a reader that sees the new version sees its
    policies (the portal reloads the library when a file changes)."""
    if path == LIBRARY_YAML:
        return 3
    if path.startswith(f"{POLICY_DIR}/policies/") or path.startswith(f"{POLICY_DIR}/procedures/"):
        return 0
    return 2 if path == CHANGELOG else 1


def _check_path(path: str) -> None:
    parts = Path(path).parts
    if (Path(path).is_absolute() or len(parts) < 2 or ".." in parts or ".git" in parts
            or parts[0] not in (POLICY_DIR, FORMS_DIR, PACKAGES_DIR)):
        raise UsageError(f"{path!r} is not a file of the library",
                         fix=f"name it by its path under {POLICY_DIR}/, {FORMS_DIR}/ or "
                             f"{PACKAGES_DIR}/")


def changelog_section(text: str, version: str) -> str:
    """The text of `version`'s section of CHANGELOG.md (a tag's message); "" if none."""
    lines = text.splitlines()
    pattern = re.compile(rf"^##\s*\[?v?{re.escape(version)}(?:[\]\s]|$)")
    start = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
    if start is None:
        return ""
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith(("## ", "# "))), len(lines))
    return "\n".join(lines[start + 1:end]).strip()

