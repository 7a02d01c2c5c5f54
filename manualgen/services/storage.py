"""Writing at the edge: atomic files, staging folders moved into place at the end.

Jobs return bytes; the front ends write them here, so a reader never sees half a file and a
failed run leaves the previous output as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path


class Scratch:
    """A private temporary folder, removed by `cleanup()` or when it is dropped (results
    that hold a large file, such as a built submission, keep one)."""

    def __init__(self, prefix: str = "manualgen-") -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    @property
    def name(self) -> str:
        return str(self.path)

    def cleanup(self) -> None:
        self._finalizer()


def _atomic(path: Path, fill) -> None:
    """Write through `fill(file)` next to the target, then rename: a reader never sees
    half a file, and a failure leaves the previous file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    _atomic(path, lambda fh: fh.write(data))


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
