"""What `manualgen portal` does besides serving: make a data root with its first NSNY
admin, invite, send the reminders, back up and restore.

A backup is one .tar.gz: `database.json` (every row, dumped inside one read transaction,
so the rows agree with each other; it loads into SQLite or PostgreSQL alike), then the
files (the companies' folders, the frozen copies, the secret key). The database is read
first and the files after, so every file a row names is in the backup; a file written
meanwhile is at worst an extra.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from manualgen.errors import UsageError
from manualgen.portal import settings as ps
from manualgen.portal.site import COMPANIES, FROZEN, LIBRARY, LIBRARY_DRAFTS

# The library's repository too: its history is the record of every published version.
BACKED_UP = (COMPANIES, FROZEN, LIBRARY, LIBRARY_DRAFTS, ps.SECRET_FILE)
DUMP = "database.json"
MANIFEST = "manualgen-portal-backup.json"
EXCLUDE_APPS = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


def environ_for(environ: Mapping[str, str], data_dir: Path) -> dict[str, str]:
    out = dict(environ)
    out[ps.PREFIX + "DATA"] = str(Path(data_dir).expanduser().resolve())
    return out


def make_root(data_dir: Path, environ: Mapping[str, str]) -> Path:
    root = Path(data_dir).expanduser().resolve()
    for sub in (COMPANIES, FROZEN):
        (root / sub).mkdir(parents=True, exist_ok=True)
    secret = root / ps.SECRET_FILE
    if not environ.get(ps.PREFIX + "SECRET_KEY") and not secret.exists():
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(ps.new_secret_key() + "\n")
    return root


def make_library(root: Path, source: Path | None, *, email: str) -> Path | None:
    """`DATA/library`: the library `source` (else the bundled one) copied into a git
    repository, its version the first tag; None when the data root has one already (a
    second `portal init` keeps what NSNY published)."""
    from manualgen import api

    home = Path(root) / LIBRARY
    if home.exists() and any(home.iterdir()):
        return None
    library = api.load_library(source)        # a broken library is refused, not copied
    api.library.LibraryRepo.create(home, library.paths or api.library_paths(source),
                                   author="manualgen portal init", email=email)
    return home


def init(admin_email: str, password: str) -> None:
    """Schema, static files and the first NSNY admin (Django configured already)."""
    from manualgen.portal.accounts import make_admin
    from manualgen.portal.server import prepare

    prepare()
    make_admin(admin_email, password)


def where_served(values: Mapping[str, object], listening: str) -> str:
    """The address to open the portal at, for `manualgen portal serve` to print: behind
    the HTTPS proxy (the default) the public one, since the port it listens on answers
    plain HTTP with a redirect to HTTPS; with MANUALGEN_PORTAL_HTTPS=0 the port itself."""
    if values.get("SECURE_SSL_REDIRECT"):
        return (f"{values['PORTAL_ORIGIN']}/ (behind the HTTPS reverse proxy, which "
                f"forwards to {listening}; open the https address, not that one)")
    return f"{listening} (plain HTTP, MANUALGEN_PORTAL_HTTPS=0)"


def invite_link(origin: str, company: str | None, email: str, role: str) -> str:
    from manualgen.portal import accounts

    target = accounts.company_named(company) if company else None
    _invitation, token = accounts.invite(email, role, company=target)
    return f"{origin.rstrip('/')}/invite/{token}/"


# --------------------------------------------------------------------------- backup


def _dump() -> bytes:
    from django.core.management import call_command
    from django.db import connection, transaction

    out = io.StringIO()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command("dumpdata", exclude=EXCLUDE_APPS, natural_foreign=True,
                     natural_primary=True, indent=0, stdout=out)
    return out.getvalue().encode("utf-8")


def backup(root: Path, out: Path) -> dict[str, int]:
    """Write the backup of the portal at `root` to `out` (a .tar.gz); what it holds."""
    from django_scopes import scopes_disabled

    out = Path(out).expanduser().resolve()
    if out.is_relative_to(root):
        raise UsageError("the backup cannot go inside the data folder it copies",
                         fix="write it somewhere else, for example /var/backups/")
    with scopes_disabled():
        dump = _dump()
    counts = {"rows": len(json.loads(dump)), "files": 0, "bytes": len(dump)}
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=".backup-", suffix=".tar.gz", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
            def add_bytes(name: str, data: bytes) -> None:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(data))

            add_bytes(DUMP, dump)
            for name in BACKED_UP:
                path = root / name
                if not path.exists():
                    continue
                for item in sorted([path] + list(path.rglob("*")) if path.is_dir()
                                   else [path]):
                    if item.is_symlink() or item.name.startswith(".round-"):
                        continue
                    rel = item.relative_to(root).as_posix()
                    if item.is_file():
                        tar.add(item, arcname=rel, recursive=False)
                        counts["files"] += 1
                        counts["bytes"] += item.stat().st_size
                    elif item.is_dir():
                        tar.add(item, arcname=rel, recursive=False)
            add_bytes(MANIFEST, json.dumps(counts).encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(scratch, out)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return counts


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for info in tar.getmembers():
        parts = PurePosixPath(info.name).parts
        if info.name.startswith("/") or ".." in parts or not (info.isfile() or info.isdir()):
            raise UsageError(f"the backup holds {info.name!r}, which is not a portal file",
                             fix="restore only a backup `manualgen portal backup` wrote")
        if parts and (parts[0] in BACKED_UP or info.name in (DUMP, MANIFEST)):
            members.append(info)
    return members


def unpack(backup_file: Path, data_dir: Path) -> bytes:
    """Lay the backup's files into a new data folder; the database dump, to load next."""
    root = Path(data_dir).expanduser().resolve()
    if root.exists() and any(root.iterdir()):
        raise UsageError(f"{root} is not empty", fix="restore into a new, empty folder")
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup_file, mode="r:gz") as tar:
        members = _safe_members(tar)
        names = {i.name for i in members}
        if DUMP not in names:
            raise UsageError(f"{backup_file} is not a portal backup (no {DUMP})")
        dump = tar.extractfile(DUMP).read()
        tar.extractall(root, members=[i for i in members if i.name not in (DUMP, MANIFEST)],
                       filter="data")
    return dump


def load(dump: bytes, root: Path) -> int:
    """Load a dump into the (new, migrated) database; the rows loaded."""
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from manualgen.portal import models as m
    from manualgen.portal.server import prepare

    prepare()
    with scopes_disabled():
        if m.User.objects.exists() or m.Company.objects.exists():
            raise UsageError("the database of the new portal holds data already",
                             fix="restore into an empty database")
        fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".json", dir=root)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(dump)
            call_command("loaddata", name, verbosity=0)
        finally:
            os.unlink(name)
    return len(json.loads(dump))
