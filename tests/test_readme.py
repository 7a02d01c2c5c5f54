"""The README's "Use from Python" example runs as written (on a copy of the example)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from manualgen import resources

from conftest import needs_libreoffice

README = Path(__file__).resolve().parent.parent / "README.md"


@needs_libreoffice()
def test_python_example_runs(tmp_path, monkeypatch, capsys):
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    examples = resources.examples_dir()
    shutil.copytree(examples, tmp_path / "my-company",
                    ignore=shutil.ignore_patterns("2026-submission"))
    shutil.copytree(examples / "2026-submission", tmp_path / "my-company" / "2026-submission")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(README), "exec"), {})
    assert (tmp_path / "manual.docx").stat().st_size > 10_000
    assert (tmp_path / "submission.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "submission.json").is_file()
    assert "SECOR status on" in capsys.readouterr().out
