"""Writing at the edge: atomic files, staging folders moved into place at the end.

Jobs return bytes; the front ends write them here, so a reader never sees half a file and a
failed run leaves the previous output as it was.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:                        # not on Windows: no sweeping there
    fcntl = None


RUN_PREFIX = "manualgen-run-"
SHORT_TMP = "/tmp"                   # a short path, for a Unix socket
_runs: dict[tuple[str, int], Path] = {}
_runs_lock = threading.Lock()


def run_folder(base: str | None = None) -> Path:
    """This process's own folder in the temporary folder (or in `base`), holding all its
    scratch space. The process keeps a lock on a file in it while it lives, so a later run
    can tell a folder left by a killed process (kill -9 gives no chance to clean up) and
    removes it; a stale LibreOffice profile goes with it."""
    base = base or tempfile.gettempdir()
    key = (base, os.getpid())
    with _runs_lock:
        folder = _runs.get(key)
        if folder is not None and folder.is_dir():
            return folder
        for swept in {base, SHORT_TMP}:  # SHORT_TMP: where long socket paths go
            sweep_runs(swept)
        folder = Path(tempfile.mkdtemp(prefix=RUN_PREFIX, dir=base))
        # Locked before it gets the name a sweeper looks for, so none sees it unlocked.
        fd = os.open(folder / "lock.new", os.O_CREAT | os.O_WRONLY, 0o600)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(folder / "lock.new", folder / "lock")
        _runs[key] = folder
        atexit.register(_remove_run, folder, os.getpid(), fd)
        return folder


def _remove_run(folder: Path, pid: int, fd: int) -> None:
    if os.getpid() == pid:                # not in a forked child that inherited it
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.close(fd)


def remove_run_folders() -> None:
    """Remove this process's run folders now: for a process that ends without running
    `atexit` (a multiprocessing worker)."""
    with _runs_lock:
        for (base, pid), folder in list(_runs.items()):
            if pid == os.getpid():
                shutil.rmtree(folder, ignore_errors=True)
                del _runs[(base, pid)]


def sweep_runs(base: str) -> list[Path]:
    """Remove the run folders in `base` whose process is gone (nobody holds their lock)."""
    if fcntl is None:
        return []
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(base):
            if not entry.name.startswith(RUN_PREFIX) or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                fd = os.open(Path(entry.path) / "lock", os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                continue                   # being made right now, or not ours
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue                   # its process is alive
            finally:
                os.close(fd)
            stop_left_running(Path(entry.path))
            forget_office_sockets(Path(entry.path))
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def stop_left_running(run: Path) -> list[int]:
    """Kill what a dead run left running: a LibreOffice whose profile is in its folder.
    `setpriv --pdeathsig` kills it with its parent, but not when the parent dies in the
    instant between starting it and the death signal being set (seen under heavy load);
    the next run finds it here. Linux only (/proc)."""
    needle = str(run).encode()
    killed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                with open(os.path.join(entry.path, "cmdline"), "rb") as fh:
                    if needle not in fh.read():
                        continue
            except OSError:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed


def forget_office_sockets(run: Path) -> None:
    """The sockets in /tmp of the LibreOffices a killed run started: each profile in its
    folder (a folder holding `user/`: a cold run's scratch folder, a warm one's
    `profile/`) names two."""
    from manualgen.services.uno_helper import office_pipes, remove_pipes

    for user in [*run.glob("*/user"), *run.glob("*/*/user")]:
        if user.is_dir() and not user.is_symlink():
            remove_pipes(office_pipes(user.parent.as_uri()))


def scratch_dir(prefix: str, base: str | None = None) -> tempfile.TemporaryDirectory:
    """A temporary folder inside this process's run folder, removed on leaving the block."""
    return tempfile.TemporaryDirectory(prefix=prefix, dir=run_folder(base))


class Scratch:
    """A private temporary folder, removed by `cleanup()` or when it is dropped (results
    that hold a large file, such as a built submission, keep one)."""

    def __init__(self, prefix: str = "manualgen-") -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=run_folder()))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    @property
    def name(self) -> str:
        return str(self.path)

    def cleanup(self) -> None:
        self._finalizer()


def _atomic(path: Path, fill, scratch: Path | None = None) -> None:
    """Write through `fill(file)` next to the target (or in `scratch`, a folder on the
    same file system that no reader lists), then rename: a reader never sees half a file,
    and a failure leaves the previous file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    where = path.parent
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
        where = scratch
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=where)
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes, *, scratch: Path | None = None) -> None:
    """Write `data` to `path` atomically (the partial file in `scratch` when given)."""
    _atomic(path, lambda fh: fh.write(data), scratch)


def atomic_copy(source: Path, path: Path) -> None:
    """Copy a finished file into place atomically (a large PDF, without holding it in memory)."""
    def fill(fh) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, fh, 1 << 20)

    _atomic(path, fill)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def staging_dir(near: Path) -> Iterator[Path]:
    """A scratch folder beside `near` (same file system), removed whatever happens."""
    near = Path(near)
    near.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{near.name}.", dir=near.parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish_files(staged: Path, target_dir: Path) -> list[Path]:
    """Move every file of a finished staging folder into place, each with an atomic rename."""
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(staged.iterdir()):
        if src.is_file():
            dest = target_dir / src.name
            os.replace(src, dest)
            written.append(dest)
    return written


def write_new_tree(folder: Path, tree: dict[str, bytes]) -> list[str]:
    """Create `folder` holding `tree` ({relative path: bytes}; "x/" is a folder), all at
    once: built beside it and renamed into place. An existing non-empty folder is refused
    by the caller; an empty one is replaced."""
    folder = Path(folder)
    with staging_dir(folder) as staged:
        for rel, data in sorted(tree.items()):
            target = staged / rel
            if rel.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        umask = os.umask(0)
        os.umask(umask)
        staged.chmod(0o777 & ~umask)
        if folder.exists():
            folder.rmdir()
        os.replace(staged, folder)
        staged.mkdir()                  # staging_dir removes it again
    return sorted(tree)
