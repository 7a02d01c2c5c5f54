"""Pictures of a PDF's first pages (poppler's `pdftoppm`), for a preview on screen.

Poppler is already what the tests use to look at pages; it renders a page in a few
hundredths of a second. It runs in its own process group with a time limit, like
LibreOffice, so a stuck render cannot hold the server.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from manualgen.errors import ToolError
from manualgen.services.office import run_group
from manualgen.services.storage import scratch_dir


def page_pictures(pdf: bytes, *, pages: int = 3, width: int = 420,
                  timeout: float = 30) -> list[bytes]:
    """PNG pictures of the first `pages` pages, `width` pixels wide."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise ToolError("pdftoppm is needed to show the pages and was not found",
                        fix="install poppler-utils (Debian: apt-get install poppler-utils)")
    with scratch_dir("manualgen-pages-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        cmd = [tool, "-png", "-f", "1", "-l", str(pages), "-scale-to-x", str(width),
               "-scale-to-y", "-1", str(source), str(Path(tmp) / "page")]
        try:
            code, err = run_group(cmd, timeout=timeout, env={"PATH": "/usr/bin:/bin"})
        except subprocess.TimeoutExpired as exc:
            raise ToolError("drawing the pages took too long") from exc
        if code != 0:
            raise ToolError("the pages could not be drawn (" +
                            err.decode(errors="replace").strip()[:200] + ")")
        return [p.read_bytes() for p in sorted(Path(tmp).glob("page-*.png"))]
