"""`manualgen batch`: every company folder built by workers with warm LibreOffices, the
same bytes as one at a time, a broken company reported with its reason, the rest built."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import yaml
from click.testing import CliRunner

from manualgen import api
from manualgen.cli import main
from manualgen.services.office import Office

from conftest import EXAMPLE, MINIMAL_PROFILE, needs_libreoffice, wait_for

pytestmark = needs_libreoffice()


def test_batch_builds_every_company_like_one_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setenv("MANUALGEN_OFFICE_SOCKET", str(tmp_path / "none.sock"))
    fleet = tmp_path / "fleet"
    for name in ("kluane", "kluane-renamed"):
        (fleet / name).mkdir(parents=True)
        shutil.copy(EXAMPLE.parent / "logo.png", fleet / name / "logo.png")
    shutil.copy(EXAMPLE, fleet / "kluane" / "company.yaml")
    renamed = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    renamed["company"]["legal_name"] = "Kluane Ridge Roofing and Sheet Metal Ltd."
    (fleet / "kluane-renamed" / "company.yaml").write_text(
        yaml.safe_dump(renamed, allow_unicode=True), encoding="utf-8")
    (fleet / "solo").mkdir()
    (fleet / "solo" / "company.yaml").write_text(yaml.safe_dump(MINIMAL_PROFILE),
                                                 encoding="utf-8")
    (fleet / "broken").mkdir()
    (fleet / "broken" / "company.yaml").write_text("company:\n  legal_name: [\n",
                                                   encoding="utf-8")
    (fleet / "not-a-company").mkdir()                 # no company.yaml: not counted

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(fleet), "-o", str(out), "--workers", "2"])
    assert result.exit_code == 1, result.output       # one failed
    assert "built 3 of 4 manuals" in result.output
    table = result.output[result.output.index("1 failed:"):]
    assert "broken" in table and "company.yaml:3" in table and "not valid YAML" in table
    assert sorted(p.name for p in out.iterdir()) == ["kluane-renamed.docx", "kluane.docx",
                                                     "solo.docx"]
    library = api.load_library()
    cold = Office.find()
    for name in ("kluane", "kluane-renamed", "solo"):
        alone = api.manual.build(fleet / name / "company.yaml", library,
                                 api.manual.ManualOptions(office=cold))
        assert (out / f"{name}.docx").read_bytes() == alone.docx, name
    assert list((fleet / "solo" / ".manualgen" / "layout").glob("*.json"))   # cached

    # Again, nothing changed: every chapter from the cache, same bytes.
    again = tmp_path / "again"
    result = CliRunner().invoke(main, ["batch", str(fleet), "-o", str(again)])
    for name in ("kluane", "kluane-renamed", "solo"):
        assert (again / f"{name}.docx").read_bytes() == (out / f"{name}.docx").read_bytes()


def test_batch_of_a_folder_without_companies(tmp_path):
    result = CliRunner().invoke(main, ["batch", str(tmp_path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "holds no company folders" in result.output


def test_no_worker_or_libreoffice_outlives_a_killed_batch(tmp_path):
    """kill -9 of `manualgen batch` while its workers build: every worker, warm helper and
    LibreOffice it started goes too (found by a mark in their environment)."""
    fleet = tmp_path / "fleet"
    for name in ("a", "b", "c"):
        (fleet / name).mkdir(parents=True)
        shutil.copy(EXAMPLE, fleet / name / "company.yaml")
        shutil.copy(EXAMPLE.parent / "logo.png", fleet / name / "logo.png")
    mark = f"manualgen-test-{uuid.uuid4().hex}"
    env = dict(os.environ, MANUALGEN_TEST_MARK=mark,
               MANUALGEN_OFFICE_SOCKET=str(tmp_path / "none.sock"))
    batch = subprocess.Popen([sys.executable, "-m", "manualgen", "batch", str(fleet), "-o",
                              str(tmp_path / "out"), "--workers", "2", "--no-cache"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def marked() -> list[tuple[int, bytes]]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != batch.pid:
                try:
                    if mark.encode() in (entry / "environ").read_bytes():
                        found.append((int(entry.name), (entry / "cmdline").read_bytes()))
                except OSError:
                    continue
        return found

    try:
        assert wait_for(lambda: any(b"soffice" in cmd for _, cmd in marked()), 90), \
            "no LibreOffice started"
    finally:
        batch.send_signal(signal.SIGKILL)
        batch.wait()
    assert wait_for(lambda: not marked(), 20), f"left running: {marked()}"
