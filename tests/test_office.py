"""The LibreOffice adapter: a warm instance gives the cold run's pages, restarts when it
dies, renews itself, and never outlives the process that started it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from manualgen import api
from manualgen.cli import main
from manualgen.render.paginate import BOOKMARK_DESTINATIONS, destination_pages
from manualgen.services.office import Office, find_uno_python
from manualgen.services.storage import SHORT_TMP, sweep_runs
from manualgen.services.uno_helper import office_pipes

from conftest import EXAMPLE, MINIMAL_PROFILE, needs_libreoffice, wait_for

pytestmark = [needs_libreoffice(),
              pytest.mark.skipif(find_uno_python() is None and not os.environ.get("CI"),
                                 reason="python3-uno not installed")]


@pytest.fixture(scope="module")
def manual_docx(tmp_path_factory) -> Path:
    """The example manual as Word, composed without a layout (bookmarks on every heading)."""
    folder = tmp_path_factory.mktemp("office")
    result = api.manual.build(EXAMPLE, api.load_library(),
                              api.manual.ManualOptions(layout="word-updates-on-open"))
    path = folder / "manual.docx"
    path.write_bytes(result.docx)
    return path


def _pages(pdf: Path) -> tuple[int, dict[str, int]]:
    reader = PdfReader(pdf)
    return len(reader.pages), destination_pages(reader)


def processes_mentioning(text: str) -> list[int]:
    """Processes whose command line or environment contains `text` (a test's own folder,
    also in the environment every child inherits: a warm instance's socket and temporary
    files may be elsewhere when that path is long)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if text.encode() in seen:
            found.append(int(entry.name))
    return found


def test_warm_and_cold_give_the_same_pages(manual_docx, tmp_path):
    cold = Office.find().convert_one(manual_docx, tmp_path / "cold",
                                     options=BOOKMARK_DESTINATIONS)
    with Office.warm() as office:
        assert office.is_warm
        warm = office.convert_one(manual_docx, tmp_path / "warm", options=BOOKMARK_DESTINATIONS)
        assert office.service.ping()["docs"] == 1      # it really went through the warm one
    cold_pages, warm_pages = _pages(cold), _pages(warm)
    assert cold_pages[0] > 50 and len(cold_pages[1]) > 40
    assert warm_pages == cold_pages


def test_bookmark_pages_read_in_the_warm_layout_give_the_pdfs_pages(manual_docx, tmp_path):
    """The warm way to the numbers (each bookmark's page read in LibreOffice's layout, no
    PDF written) and the cold way (a PDF's named destinations) agree bookmark by bookmark;
    two instances laying out two documents side by side give each its own."""
    reader = PdfReader(Office.find().convert_one(manual_docx, tmp_path / "cold",
                                                 options=BOOKMARK_DESTINATIONS))
    destinations = destination_pages(reader)
    bookmarks = sorted(b for b in destinations if b.startswith("_Toc"))
    small = tmp_path / "small.docx"
    small.write_bytes(api.manual.build(MINIMAL_PROFILE, api.load_library(),
                                       api.manual.ManualOptions(layout="word-updates-on-open")).docx)
    small_pages = _pages(Office.find().convert_one(small, tmp_path / "small",
                                                   options=BOOKMARK_DESTINATIONS))
    with Office.warm(instances=2) as office:
        assert office.lanes == 2
        read = office.bookmark_pages([(manual_docx, bookmarks), (small, bookmarks[:3]),
                                      (manual_docx, ["_Toc99999999"])])
        assert [s.ping()["docs"] for s in office.services] in ([2, 1], [1, 2])  # both worked
    (pages, total), (other, other_total), (missing, again) = read
    assert total == again == len(reader.pages)
    assert len(pages) == len(bookmarks) > 40
    assert pages == {b: destinations[b] for b in bookmarks}
    assert other_total == small_pages[0] < total
    assert other == {b: small_pages[1][b] for b in bookmarks[:3]}
    assert missing == {}                                   # no such bookmark: not there
    assert Office.find().bookmark_pages([(manual_docx, bookmarks)]) is None  # cold: a PDF


def test_warm_instance_restarts_when_libreoffice_dies_and_after_max_docs(manual_docx, tmp_path):
    small = tmp_path / "small.docx"
    small.write_bytes(api.manual.build(EXAMPLE, api.load_library(),
                                       api.manual.ManualOptions(layout="word-updates-on-open")).docx)
    with Office.warm(max_docs=2) as office:
        office.convert_one(small, tmp_path / "a", options=BOOKMARK_DESTINATIONS)
        state = office.service.ping()
        assert state["alive"] and state["starts"] == 1
        os.kill(state["soffice_pid"], signal.SIGKILL)            # LibreOffice crashes
        assert wait_for(lambda: not office.service.ping()["alive"], 10)
        office.convert_one(small, tmp_path / "b", options=BOOKMARK_DESTINATIONS)
        assert office.service.ping()["starts"] == 2              # a new one did the work
        office.convert_one(small, tmp_path / "c", options=BOOKMARK_DESTINATIONS)  # 2nd doc
        office.convert_one(small, tmp_path / "d", options=BOOKMARK_DESTINATIONS)
        assert office.service.ping()["starts"] == 3              # renewed after max_docs
        helper = office.service.proc.pid
        os.killpg(helper, signal.SIGKILL)                        # the helper dies too
        office.service.proc.wait()
        office.convert_one(small, tmp_path / "e", options=BOOKMARK_DESTINATIONS)
        assert office.service.proc.pid != helper and office.service.restarts >= 1
        folder = office.service.folder
        pipes = [Path(p) for p in office.service.ping()["pipes"]]
        assert len(pipes) == 2 and all(p.is_socket() for p in pipes)
    assert not Path(folder).exists()                              # stopped and removed
    assert not processes_mentioning(folder)
    assert not any(p.exists() for p in pipes)       # nor a socket of LibreOffice in /tmp


def test_a_broken_document_is_reported_by_the_warm_instance(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with Office.warm() as office:
        (result,) = office.convert([bad], tmp_path / "out")
        assert result.pdf is None and "could not convert" in result.error
        assert office.service.ping()["alive"]                    # and it goes on serving


@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_no_libreoffice_outlives_a_killed_build(warm, tmp_path):
    """kill -9 of `manualgen manual` while LibreOffice works leaves no process behind."""
    company = tmp_path / "company"
    company.mkdir()
    (company / "company.yaml").write_bytes(EXAMPLE.read_bytes())
    (company / "logo.png").write_bytes((EXAMPLE.parent / "logo.png").read_bytes())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), MANUALGEN_TEST_MARK=str(scratch),
               MANUALGEN_OFFICE_SOCKET=str(tmp_path / "none.sock"))
    if not warm:
        env["MANUALGEN_UNO_PYTHON"] = ""
    build = subprocess.Popen([sys.executable, "-m", "manualgen", "manual",
                              str(company / "company.yaml"), "-o", str(tmp_path / "m.docx")],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def soffice_running() -> bool:
            return any(b"soffice" in Path(f"/proc/{pid}/cmdline").read_bytes()
                       for pid in processes_mentioning(str(scratch))
                       if Path(f"/proc/{pid}").exists())
        assert wait_for(soffice_running, 60), "LibreOffice never started"
        made = all if warm else any              # a cold one accepts no UNO connections
        sockets: list[Path] = []

        def sockets_made() -> bool:
            sockets[:] = office_sockets(scratch)
            return bool(sockets) and made(p.is_socket() for p in sockets)
        assert wait_for(sockets_made, 60), sockets
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait()
    assert wait_for(lambda: not processes_mentioning(str(scratch)), 15), \
        f"left running: {processes_mentioning(str(scratch))}"
    # What the next runs do first: sweep the temporary folder, and /tmp, where a warm
    # instance's folder goes when the temporary folder's path is too long for a socket.
    assert sweep_runs(str(scratch)) + sweep_runs(SHORT_TMP)
    assert not any(p.exists() for p in sockets), "LibreOffice's sockets stayed in /tmp"


def office_sockets(scratch: Path) -> list[Path]:
    """The sockets in /tmp of the LibreOffice running with its profile in `scratch`."""
    for pid in processes_mentioning(str(scratch)):
        with contextlib.suppress(OSError):
            for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"):
                if arg.startswith(b"-env:UserInstallation="):
                    return office_pipes(arg.split(b"=", 1)[1].decode())
    return []


def test_office_start_status_stop_and_a_build_uses_it(tmp_path, monkeypatch):
    sock = tmp_path / "shared" / "office.sock"
    monkeypatch.setenv("MANUALGEN_OFFICE_SOCKET", str(sock))
    runner = CliRunner()
    assert runner.invoke(main, ["office", "status"]).exit_code == 1
    started = runner.invoke(main, ["office", "start"])
    try:
        assert started.exit_code == 0, started.output
        status = runner.invoke(main, ["office", "status", "--json"])
        assert status.exit_code == 0 and '"running": true' in status.output
        company = tmp_path / "company.yaml"
        company.write_bytes(EXAMPLE.read_bytes())
        (tmp_path / "logo.png").write_bytes((EXAMPLE.parent / "logo.png").read_bytes())
        built = runner.invoke(main, ["manual", str(company), "-o", str(tmp_path / "m.docx"),
                                     "--no-cache"])
        assert built.exit_code == 0, built.output
        assert '"docs": 1' in runner.invoke(main, ["office", "status", "--json"]).output
    finally:
        stopped = runner.invoke(main, ["office", "stop"])
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    assert not sock.exists()
    assert wait_for(lambda: not processes_mentioning(str(sock)), 15)
    assert runner.invoke(main, ["office", "status"]).exit_code == 1


def test_a_stale_socket_means_a_cold_run(manual_docx, tmp_path):
    stale = tmp_path / "stale.sock"
    stale.write_bytes(b"")
    office = Office.find(socket=stale)
    assert not office.is_warm
    pdf = office.convert_one(manual_docx, tmp_path / "out", options=BOOKMARK_DESTINATIONS)
    assert _pages(pdf)[0] > 50


def test_a_deep_temporary_folder_still_gets_a_warm_instance(manual_docx, tmp_path,
                                                           monkeypatch):
    """A Unix socket's address holds about 107 bytes; a deep TMPDIR (pytest-xdist's, a
    service manager's) used to crash the build with 'AF_UNIX path too long'."""
    import tempfile

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    with Office.warm() as office:
        assert office.is_warm
        pdf = office.convert_one(manual_docx, tmp_path / "out", options=BOOKMARK_DESTINATIONS)
        assert office.is_warm, "the warm instance failed and a cold run stood in"
        assert _pages(pdf)[0] > 50
        assert len(os.fsencode(office.service.socket_path)) <= 100


def test_a_kept_profile_starts_the_next_instance_once(tmp_path):
    """A new profile costs LibreOffice a second start (it sets the profile up, exits and
    is run again); the first instance keeps its profile, later ones start from a copy.
    One that dies after starting from a copy drops it, and a new one is kept."""
    from docx import Document

    doc = tmp_path / "note.docx"
    word = Document()
    word.add_paragraph("Toolbox talk: ladders and the three points of contact.")
    word.save(doc)
    profiles = tmp_path / "profiles"
    with Office.warm(profiles=profiles) as first:
        (made,) = first.convert([doc], tmp_path / "a")
        assert made.pdf is not None and not first.service.seeded
        assert first.service.ping()["spawns"] == 2
    (kept,) = profiles.iterdir()
    assert (kept / "user" / "registrymodifications.xcu").is_file()
    assert not list(kept.rglob(".lock"))
    (kept / "marker").write_text("the copy this instance starts from")
    with Office.warm(profiles=profiles) as second:
        (again,) = second.convert([doc], tmp_path / "b")
        assert again.pdf is not None and second.service.seeded
        assert second.service.ping()["spawns"] == 1           # once, not twice
        assert (Path(second.service.folder) / "profile" / "marker").is_file()
        os.killpg(second.service.proc.pid, signal.SIGKILL)    # the helper dies
        second.service.proc.wait()
        (after,) = second.convert([doc], tmp_path / "c")
        assert after.pdf is not None and not second.service.seeded
    assert [p.name for p in profiles.iterdir()] == [kept.name]  # kept anew, the copy gone
    assert not (kept / "marker").exists()
