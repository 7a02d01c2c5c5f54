"""LibreOffice headless: Word/ODT to PDF, one process for a batch.

LibreOffice exits 0 even when a conversion failed, and two processes sharing a profile
silently drop files; so every call gets its own profile folder, a time limit, and each
expected PDF is checked to exist and have pages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from manualgen.errors import ToolError

CANDIDATES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    env = os.environ.get("MANUALGEN_SOFFICE")
    if env is not None:  # an explicit choice; "" or a missing file means "not available"
        return env if env and shutil.which(env) else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def require_soffice() -> str:
    path = find_soffice()
    if not path:
        raise ToolError("LibreOffice is needed to make PDFs and was not found",
                        fix="install it (Debian: apt-get install libreoffice-writer-nogui) "
                            "or leave out --pdf")
    return path


@dataclass
class Conversion:
    source: Path
    pdf: Path | None       # None when LibreOffice made nothing usable
    error: str | None = None


def export_filter(options: dict[str, bool | int | str] | None = None) -> str:
    """The `--convert-to` argument, with PDF export options in LibreOffice's JSON form."""
    if not options:
        return "pdf:writer_pdf_Export"
    typed = {k: {"type": "boolean" if isinstance(v, bool) else
                 "long" if isinstance(v, int) else "string",
                 "value": str(v).lower() if isinstance(v, bool) else str(v)}
             for k, v in options.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


def convert_to_pdf(sources: list[Path], out_dir: Path, *, timeout_per_file: float = 60,
                   base_timeout: float = 60,
                   options: dict[str, bool | int | str] | None = None) -> list[Conversion]:
    """Convert every source in one LibreOffice run; report each file's own result.

    Sources must have distinct stems (LibreOffice names outputs `<stem>.pdf`).
    """
    if not sources:
        return []
    soffice = require_soffice()
    stems = [s.stem for s in sources]
    if len(set(stems)) != len(stems):
        raise ValueError("convert_to_pdf needs distinct file stems")
    out_dir.mkdir(parents=True, exist_ok=True)
    timeout = base_timeout + timeout_per_file * len(sources)
    with tempfile.TemporaryDirectory(prefix="manualgen-lo-") as profile:
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--convert-to", export_filter(options),
               "--outdir", str(out_dir), *[str(s) for s in sources]]
        env = dict(os.environ, HOME=profile, SAL_USE_VCLPLUGIN="svp")
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ToolError(f"LibreOffice did not finish within {timeout:.0f} s",
                            fix="try again; if it persists, convert fewer files at once") \
                from exc
    results = []
    for src in sources:
        pdf = out_dir / f"{src.stem}.pdf"
        error = None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            detail = proc.stderr.decode(errors="replace").strip().splitlines()
            error = "LibreOffice could not convert it" + (f" ({detail[-1]})" if detail else "")
            pdf = None
        else:
            try:
                if len(PdfReader(pdf).pages) == 0:
                    error, pdf = "LibreOffice made an empty PDF", None
            except Exception as exc:  # noqa: BLE001 - any parse failure means a bad output
                error, pdf = f"LibreOffice made an unreadable PDF ({exc})", None
        results.append(Conversion(src, pdf, error))
    return results


def convert_one(source: Path, out_dir: Path, timeout: float = 120,
                options: dict[str, bool | int | str] | None = None) -> Path:
    """Convert one file or raise a ToolError naming it."""
    (result,) = convert_to_pdf([source], out_dir, base_timeout=timeout, timeout_per_file=0,
                               options=options)
    if result.pdf is None:
        raise ToolError(f"{source.name}: {result.error}")
    return result.pdf
