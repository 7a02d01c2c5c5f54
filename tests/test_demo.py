"""The README's first command: every job on the example company, through the CLI."""

from __future__ import annotations

import json

from click.testing import CliRunner
from pypdf import PdfReader

from manualgen.cli import main

from conftest import needs_libreoffice


@needs_libreoffice()
def test_demo_builds_everything(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("manual.docx", "manual.pdf", "status.txt", "secor-dates.ics", "summary.pdf",
                 "summary.docx", "summary.json", "submission.pdf", "submission.json"):
        assert (out / name).is_file(), name
    assert len(list((out / "forms").glob("*.docx"))) == 14
    assert len(list((out / "forms").glob("*.pdf"))) == 14
    index = json.loads((out / "submission.json").read_text(encoding="utf-8"))
    pages = len(PdfReader(out / "submission.pdf").pages)
    assert pages > 20
    assert json.dumps(index).count("Year End Safety Activity Summary Report") >= 1
    first = PdfReader(out / "submission.pdf").pages[0].extract_text()
    assert "DRAFT" not in first        # the example is complete
    assert "done:" in result.output
