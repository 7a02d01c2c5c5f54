"""The pieces under the web app: the workspace (paths, atomic writes, history), uploads
judged by content, and record tables written back in the format the records reader reads."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from PIL import Image

from manualgen import api
from manualgen.services.workspace import OutsideFolder, Workspace, safe_name

from test_web import jpeg, pdf, png
from web_fixtures import example_folder


@pytest.mark.parametrize("name, safe", [
    ("2026-03-14 roof inspection.pdf", "2026-03-14 roof inspection.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\pat\\scan 1.JPG", "scan 1.jpg"),
    ("  .hidden.pdf ", "hidden.pdf"),
    ("notes<script>\x00.pdf", "notes_script_.pdf"),
    ("..", "file"),
    ("é" * 300 + ".pdf", "é" * 110 + ".pdf"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


@pytest.mark.parametrize("rel", ["../outside.txt", "/etc/passwd", "a/../../b",
                                 "C:\\x", "..\\x"])
def test_paths_that_leave_the_folder_are_refused(tmp_path, rel):
    ws = Workspace(tmp_path / "c")
    with pytest.raises(OutsideFolder, match="outside the folder|outside the company"):
        ws.path(rel)


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    os.symlink(tmp_path, root / "out")
    with pytest.raises(OutsideFolder):
        Workspace(root).write("out/x.txt", b"x")
    assert not (tmp_path / "x.txt").exists()


def test_writes_keep_what_they_replace_and_restore_brings_it_back(tmp_path):
    ticks = iter(dt.datetime(2026, 12, 1, 9, 0, s) for s in range(60))
    ws = Workspace(tmp_path / "c", clock=lambda: next(ticks))
    ws.write("company.yaml", "first")
    assert ws.history() == []
    ws.write("company.yaml", "second")
    ws.write("company.yaml", "third")
    versions = ws.history()
    assert [ws.version(v.id) for v in versions] == [b"second", b"first"]
    ws.restore(versions[1].id)
    assert ws.profile_path.read_text() == "first"
    assert ws.version(ws.history()[0].id) == b"third"
    with pytest.raises(api.UsageError):
        ws.restore("../company.yaml")
    kept = ws.remove("company.yaml")
    assert kept.read_text() == "first" and not ws.has_profile


def test_rename_and_new_tree(tmp_path):
    ws = Workspace(tmp_path / "c")
    ws.write("a/one.pdf", b"1")
    ws.write("a/two.pdf", b"2")
    with pytest.raises(api.UsageError, match="already a file"):
        ws.rename("a/one.pdf", "two.pdf")
    with pytest.raises(OutsideFolder):
        ws.rename("a/one.pdf", "../one.pdf")
    assert ws.rename("a/one.pdf", "2026-01-01 one.pdf").name == "2026-01-01 one.pdf"
    ws.new_tree("2026-submission", {"records/": b"", "submission.yaml": b"{}"})
    assert ws.submissions() == ["2026-submission"]
    with pytest.raises(api.UsageError, match="already exists"):
        ws.new_tree("2026-submission", {"x": b""})


def test_uploads_are_judged_by_their_content():
    assert api.uploads.check("a.pdf", pdf()) == "pdf"
    assert api.uploads.check("a.jpg", jpeg()) == "image"
    assert api.uploads.check("a.png", png()) == "image"
    for name, data, message in [
            ("a.pdf", b"<html>", "is not a PDF"),
            ("a.png", jpeg(), "is a JPEG picture"),
            ("a.jpg", b"\xff\xd8 broken", "cannot be read"),
            ("a.docx", b"PK not a zip", "not a Word/ODT document"),
            ("a.doc", b"plain text", "not a Word .doc"),
            ("a.heic", b"....ftypheic", "HEIC photos"),
            ("a.exe", b"MZ", "cannot go into a submission"),
            ("a.pdf", b"", "empty")]:
        with pytest.raises(api.InputError, match=message):
            api.uploads.check(name, data)


def test_photo_dates_and_turning_a_photo_keeps_its_date():
    photo = jpeg(exif_date="2026:05:14 10:11:12", size=(60, 40))
    assert api.uploads.photo_date(photo) == dt.date(2026, 5, 14)
    assert api.uploads.photo_date(png()) is None
    turned = api.uploads.rotate_photo(photo)
    with Image.open(io.BytesIO(turned)) as img:
        assert img.size == (40, 60)
    assert api.uploads.photo_date(turned) == dt.date(2026, 5, 14)
    assert api.uploads.dated_name("IMG_1.jpg", dt.date(2026, 5, 14)) == "2026-05-14 IMG_1.jpg"
    assert api.uploads.dated_name("2026-01-02 x.jpg", dt.date(2026, 5, 14)) == "2026-01-02 x.jpg"


def test_record_tables_round_trip_through_the_editor(tmp_path):
    """Every example table, read for the editor and written back, reads the same."""
    folder = example_folder(tmp_path / "c") / "2026-submission"
    library = api.load_library()
    before = api.summary.build(api.submission.load(folder, library)).json_text()
    for table in api.submission.record_tables(library):
        rows, source = api.submission.read_records(folder, table)
        existing = source.read_bytes() if source is not None else None
        rel, data = api.submission.records_file(table, rows, existing=existing)
        (folder / rel).write_bytes(data)
        assert api.submission.read_records(folder, table)[0] == rows, table.stem
    after = api.summary.build(api.submission.load(folder, library)).json_text()
    assert after == before


def test_suggested_activities_come_from_dated_samples(tmp_path):
    folder = example_folder(tmp_path / "c") / "2026-submission"
    library = api.load_library()
    sub = api.submission.load(folder, library, on=dt.date(2026, 12, 1))
    table = api.submission.record_table(library, "activity-log")
    rows, _ = api.submission.read_records(folder, table)
    offered = api.submission.suggested_activities(sub, rows)
    have = {(r["date"], r["activity"]) for r in rows}
    assert offered, "the example's samples record activities the log lacks"
    assert all((o["date"], o["activity"]) not in have for o in offered)
    assert api.submission.suggested_activities(sub, rows + offered) == []


def test_a_write_cut_short_is_never_in_the_folder_and_is_swept_at_start_up(tmp_path,
                                                                           monkeypatch):
    """The half-written file of an upload lives in .manualgen/tmp, never beside the
    samples a build, the page or NSNY reads; what a kill -9 left there (and the hidden
    .part files older versions left beside their targets) goes at the next start."""
    import time

    from manualgen.services import storage

    ws = Workspace(tmp_path)
    category = tmp_path / "2026-submission" / "site-inspections"
    category.mkdir(parents=True)

    def killed(src, dst):                    # the process dies before the rename
        raise KeyboardInterrupt

    seen: list[str] = []
    real_fsync = os.fsync

    def watch(fd):                           # while the bytes are being written
        seen.extend(p.name for p in category.iterdir())
        seen.extend(str(p.relative_to(tmp_path)) for p in ws.scratch.iterdir())
        real_fsync(fd)

    monkeypatch.setattr(storage.os, "fsync", watch)
    ws.write("2026-submission/site-inspections/2026-05-13 roof.pdf", pdf())
    assert seen and all(s.startswith(".manualgen/tmp/.2026-05-13 roof.pdf.") for s in seen)
    # a crash between writing and renaming leaves a file, but only in the scratch folder
    monkeypatch.setattr(storage.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        ws.write("2026-submission/site-inspections/2026-05-14 roof.pdf", pdf())
    monkeypatch.undo()
    assert [p.name for p in category.iterdir()] == ["2026-05-13 roof.pdf"]
    (category / ".2026-05-15 old.pdf.x1y2.part").write_bytes(b"%PDF-1.4 half")   # older
    left = [*ws.scratch.iterdir(), category / ".2026-05-15 old.pdf.x1y2.part"]
    assert ws.sweep() == []                  # young: perhaps another process's write
    old = time.time() - 3600
    for path in left:
        os.utime(path, (old, old))
    assert sorted(ws.sweep()) == sorted(left)
    assert [p.name for p in category.iterdir()] == ["2026-05-13 roof.pdf"]
    assert list(ws.scratch.iterdir()) == []


@pytest.mark.parametrize("data, why", [
    (b"<html><!-- %PDF-1.7 --><body>Invoice</body></html>", "is not a PDF"),
    (b"%PDF-1.7\n<html><body>not really</body></html>", "damaged"),
])
def test_a_pdf_must_open_as_a_pdf(data, why):
    with pytest.raises(api.InputError) as caught:
        api.uploads.check("2026-05-13 inspection.pdf", data)
    assert why in caught.value.problems[0].message


def test_the_site_looks_at_the_library_on_disk_once_a_second_at_most(tmp_path):
    """NSNY's edits to the library reach the pages; a page asking for the library
    several times does not stat its every file each time."""
    import shutil

    from manualgen.resources import library_paths
    from manualgen.web.site import Site

    paths = library_paths()
    shutil.copytree(paths.policies, tmp_path / "library" / "policy_library")
    shutil.copytree(paths.forms, tmp_path / "library" / "form_templates")
    site = Site(example_folder(tmp_path / "c"), library=api.load_library(tmp_path / "library"),
                office=api.office.Office(None))
    first = site.library
    policy = tmp_path / "library" / "policy_library" / "policies" / "working-alone.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\nA new closing line.\n",
                      encoding="utf-8")
    assert site.library is first                        # within the second: not looked at
    site._library_checked -= Site.LIBRARY_CHECK
    assert site.library is not first                    # then the change is seen
