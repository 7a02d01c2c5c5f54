"""LibreOffice headless behind one adapter: Word/ODT to PDF, one process for a batch.

LibreOffice exits 0 even when a conversion failed, and two processes sharing a profile
silently drop files; so every call gets its own profile folder, a time limit, and each
expected PDF is checked to exist and have pages. It runs in its own process group, so a
timeout kills `soffice.bin` too (killing the `oosplash` launcher alone leaves it holding
the pipes), and on Linux it is told to die with its parent.

The `Office` is found once, at the edge (the CLI passes `MANUALGEN_SOFFICE` if set), and
handed to the jobs that need it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from manualgen.errors import ToolError

CANDIDATES = ("soffice", "libreoffice")
Options = dict[str, bool | int | str]


def find_soffice(explicit: str | None = None) -> str | None:
    """The LibreOffice program: `explicit` when given ("" means none), else from PATH."""
    if explicit is not None:
        return explicit if explicit and shutil.which(explicit) else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def export_filter(options: Options | None = None) -> str:
    """The `--convert-to` argument, with PDF export options in LibreOffice's JSON form."""
    if not options:
        return "pdf:writer_pdf_Export"
    typed = {k: {"type": "boolean" if isinstance(v, bool) else
                 "long" if isinstance(v, int) else "string",
                 "value": str(v).lower() if isinstance(v, bool) else str(v)}
             for k, v in options.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


RESTART = 81        # soffice.bin's exit code after it made a new profile: run it again


def program(soffice: str) -> str:
    """The office program itself: `soffice.bin` beside the `soffice` launcher when there
    is one, so the process we start (and can kill) is the one doing the work."""
    real = Path(shutil.which(soffice) or soffice).resolve()
    binary = real.parent / "soffice.bin"
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else str(real)


def die_with_parent(cmd: list[str]) -> list[str]:
    """On Linux, have the child killed when this process dies, even by kill -9
    (util-linux `setpriv --pdeathsig`; a preexec_fn would not be safe with threads)."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", "KILL", *cmd] if setpriv else cmd


def run_group(cmd: list[str], *, timeout: float, env: dict[str, str]) -> tuple[int, bytes]:
    """Run a command in its own process group; on timeout kill the whole group."""
    proc = subprocess.Popen(die_with_parent(cmd), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)   # helpers it left behind
    return proc.returncode, err


@dataclass
class Conversion:
    source: Path
    pdf: Path | None       # None when LibreOffice made nothing usable
    error: str | None = None


@dataclass
class Office:
    """A LibreOffice to convert with (or none: `available` is False)."""

    soffice: str | None
    timeout_per_file: float = 60
    base_timeout: float = 60

    @classmethod
    def find(cls, explicit: str | None = None) -> Office:
        return cls(find_soffice(explicit))

    @property
    def available(self) -> bool:
        return self.soffice is not None

    def require(self) -> str:
        if not self.soffice:
            raise ToolError("LibreOffice is needed to make PDFs and was not found",
                            fix="install it (Debian: apt-get install libreoffice-writer-nogui) "
                                "or leave out --pdf")
        return self.soffice

    def convert(self, sources: list[Path], out_dir: Path, *,
                options: Options | None = None) -> list[Conversion]:
        """Convert every source in one LibreOffice run; report each file's own result.

        Sources must have distinct stems (LibreOffice names outputs `<stem>.pdf`).
        """
        if not sources:
            return []
        soffice = self.require()
        stems = [s.stem for s in sources]
        if len(set(stems)) != len(stems):
            raise ValueError("convert needs distinct file stems")
        out_dir.mkdir(parents=True, exist_ok=True)
        timeout = self.base_timeout + self.timeout_per_file * len(sources)
        with tempfile.TemporaryDirectory(prefix="manualgen-lo-") as profile:
            cmd = [program(soffice), f"-env:UserInstallation=file://{profile}", "--headless",
                   "--norestore", "--nologo", "--nodefault", "--convert-to",
                   export_filter(options), "--outdir", str(out_dir), *[str(s) for s in sources]]
            env = dict(os.environ, HOME=profile, SAL_USE_VCLPLUGIN="svp")
            try:
                code, stderr = run_group(cmd, timeout=timeout, env=env)
                if code == RESTART:
                    code, stderr = run_group(cmd, timeout=timeout, env=env)
            except subprocess.TimeoutExpired as exc:
                raise ToolError(f"LibreOffice did not finish within {timeout:.0f} s",
                                fix="try again; if it persists, convert fewer files at once") \
                    from exc
        return [_result(src, out_dir, stderr) for src in sources]

    def convert_one(self, source: Path, out_dir: Path, *,
                    options: Options | None = None) -> Path:
        """Convert one file or raise a ToolError naming it."""
        (result,) = self.convert([source], out_dir, options=options)
        if result.pdf is None:
            raise ToolError(f"{source.name}: {result.error}")
        return result.pdf


def _result(src: Path, out_dir: Path, stderr: bytes) -> Conversion:
    pdf = out_dir / f"{src.stem}.pdf"
    if not pdf.is_file() or pdf.stat().st_size == 0:
        detail = stderr.decode(errors="replace").strip().splitlines()
        return Conversion(src, None, "LibreOffice could not convert it"
                          + (f" ({detail[-1]})" if detail else ""))
    try:
        if len(PdfReader(pdf).pages) == 0:
            return Conversion(src, None, "LibreOffice made an empty PDF")
    except Exception as exc:  # noqa: BLE001 - any parse failure means a bad output
        return Conversion(src, None, f"LibreOffice made an unreadable PDF ({exc})")
    return Conversion(src, pdf)
