"""LibreOffice headless behind one adapter: Word/ODT to PDF, cold or warm.

Cold: one `soffice.bin` run per call (a batch of files in one run). LibreOffice exits 0
even when a conversion failed, and two processes sharing a profile silently drop files;
so every call gets its own profile folder, a time limit, and each expected PDF is checked
to exist and have pages. It runs in its own process group, so a timeout kills
`soffice.bin` too (killing the `oosplash` launcher alone leaves it holding the pipes), and
on Linux it is told to die with its parent.

Warm: a `WarmOffice` is a LibreOffice kept running by `uno_helper.py` (a process of its
own under the Python that has LibreOffice's UNO bridge), reached over a Unix socket. An
`Office` either owns one or more (`Office.warm()`: the web app's server and a manual
command keep one a core and lay out parts of a manual side by side, each fleet worker one;
started on first need or by `start()`, restarted when it dies or after `max_docs`
documents, stopped by `close()` and in any case when this process dies), or uses one that
is already running (`Office.find(socket=...)`, as `manualgen office start` leaves it),
falling back to a cold run when nobody answers there.

The `Office` is found once, at the edge (the CLI reads `MANUALGEN_SOFFICE` and where the
shared instance's socket is), and handed to the jobs that need it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from manualgen.errors import ToolError
from manualgen.services.storage import SHORT_TMP, run_folder, scratch_dir
from manualgen.services.uno_helper import office_pipes, remove_pipes

CANDIDATES = ("soffice", "libreoffice")
Options = dict[str, bool | int | str]
J = TypeVar("J")
R = TypeVar("R")


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


HELPER = Path(__file__).with_name("uno_helper.py")
UNO_PYTHON = "/usr/bin/python3"           # Debian's python3-uno works under this one only
UNO_MODULE_DIRS = ("/usr/lib/python3/dist-packages", "/usr/lib/libreoffice/program")
MAX_DOCS = 200                            # documents before a warm LibreOffice is renewed
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "/var/cache/fontconfig")


def find_uno_python(explicit: str | None = None) -> str | None:
    """The Python that can import `uno`: `explicit` when given ("" means none), else
    Debian's /usr/bin/python3 when python3-uno is installed. Checked by file, not by
    starting a Python (that costs a fifth of a second)."""
    if explicit is not None:
        return explicit if explicit and shutil.which(explicit) else None
    if Path(UNO_PYTHON).is_file() and any((Path(d) / "uno.py").is_file()
                                          for d in UNO_MODULE_DIRS):
        return UNO_PYTHON
    return None


SOCKET_PATH_MAX = 100       # bytes; Linux allows 107 in a Unix socket's address


def office_folder() -> str:
    """A private folder for a warm instance's socket and profile. In the temporary folder
    as usual, but under /tmp when that path would be too long for a socket's address
    (a deep TMPDIR, as a test runner or a service manager may set)."""
    folder = tempfile.mkdtemp(prefix="manualgen-office-", dir=run_folder())
    if len(os.fsencode(folder)) + len("/office.sock") <= SOCKET_PATH_MAX:
        return folder
    os.rmdir(folder)
    return tempfile.mkdtemp(prefix="manualgen-office-", dir=run_folder(SHORT_TMP))


def office_env(folder: str | Path, **extra: str) -> dict[str, str]:
    """LibreOffice's environment: no display, and its own temporary files (lu*.tmp) in
    `folder`, which goes with the run, instead of the shared temporary folder, where a
    killed LibreOffice would leave them."""
    tmp = Path(folder) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return dict(os.environ, SAL_USE_VCLPLUGIN="svp", TMPDIR=str(tmp), **extra)


def lanes_for_machine() -> int:
    """Warm instances for a process that has the machine to itself (a command, the web
    app's server): one a core, at most two (a manual in three documents gains little
    over two, and each instance costs some 200 MB)."""
    return max(1, min(2, os.cpu_count() or 1))


_PROFILE_MARK = Path("user", "registrymodifications.xcu")   # a profile LibreOffice finished
_NOT_COPIED = shutil.ignore_patterns(".lock")


def seed_profile(seed: Path, profile: Path) -> bool:
    """Give a new instance a copy of a profile kept from an earlier one: LibreOffice then
    starts once, not twice (on a new profile it sets it up, exits and is run again), and
    skips its first-start tests (bench/NOTES.md). False when there is none to copy."""
    if not (seed / _PROFILE_MARK).is_file():
        return False
    try:
        shutil.copytree(seed, profile, ignore=_NOT_COPIED)
    except (OSError, shutil.Error):
        shutil.rmtree(profile, ignore_errors=True)      # half a profile: a new one instead
        return False
    return True


def keep_profile(profile: Path, seed: Path) -> None:
    """Keep `profile` at `seed` for later instances, unless one is kept there already:
    copied beside it and renamed into place, so a reader never sees half of one."""
    if seed.exists() or not (profile / _PROFILE_MARK).is_file():
        return
    partial = seed.with_name(f".{seed.name}.{os.getpid()}.{threading.get_ident():x}")
    try:
        seed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(profile, partial, ignore=_NOT_COPIED)
        os.rename(partial, seed)          # fails when another process kept one first
    except (OSError, shutil.Error):
        shutil.rmtree(partial, ignore_errors=True)


class WarmUnavailable(Exception):
    """Nobody answers at a warm instance's socket (a cold run is the way left)."""


class WarmOffice:
    """A warm LibreOffice behind a Unix socket, owned by this process or found running.

    Owned (`owned=True`): `uno_helper.py` is started on first need in a folder of its own
    (its socket and LibreOffice's profile), restarted when it has died, and stopped
    by `stop()`. It reads our end of a pipe and exits when that closes, so it dies with
    this process even when this process is killed with SIGKILL; its `soffice.bin` dies with
    it. One conversion at a time (a lock), so threads of a web server may share it.
    """

    def __init__(self, soffice: str, *, python: str | None = None, socket_path: Path | None,
                 owned: bool = True, max_docs: int = MAX_DOCS,
                 timeout_per_file: float = 60, profile_seed: Path | None = None) -> None:
        self.soffice = soffice
        self.python = python
        self.owned = owned
        self.max_docs = max_docs
        self.timeout_per_file = timeout_per_file
        self.socket_path = socket_path
        self.proc: subprocess.Popen | None = None
        self.folder: str | None = None
        self.lock = threading.Lock()
        self.restarts = 0
        # A profile to start from, and whether it was used (else this one's is kept there).
        self.profile_seed = profile_seed
        self.seeded = False
        self._keep = profile_seed is not None

    # -- the helper process (owned instances only) ------------------------------------

    @property
    def profile(self) -> Path:
        """LibreOffice's profile, in the instance's folder."""
        assert self.folder is not None
        return Path(self.folder) / "profile"

    def start(self) -> None:
        """Start the helper if it is not running; it starts LibreOffice at once, while
        the caller goes on with its own work."""
        if not self.owned or (self.proc is not None and self.proc.poll() is None):
            return
        if self.proc is not None:         # it died: a new one
            self._gone()
        if not self.python:
            raise WarmUnavailable("no Python with LibreOffice's UNO bridge (python3-uno)")
        if self.folder is None:
            self.folder = office_folder()
            if self.profile_seed is not None:
                self.seeded = seed_profile(self.profile_seed, self.profile)
                self._keep = not self.seeded
        if self.socket_path is None or self.socket_path.parent != Path(self.folder):
            self.socket_path = Path(self.folder) / "office.sock"
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        cmd = [self.python, str(HELPER), "--soffice", program(self.soffice),
               "--profile", str(self.profile), "--socket", str(self.socket_path),
               "--max-docs", str(self.max_docs)]
        if threading.current_thread() is threading.main_thread():
            cmd = die_with_parent(cmd)    # a thread's child would die with the thread
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True,
                                     env=office_env(self.folder))

    def _gone(self) -> None:
        """The helper died or hung: kill what is left; one that started from a kept
        profile (perhaps the cause) starts over on one of its own, and that one is kept."""
        self._reap()
        self.restarts += 1
        if self.seeded:
            self._forget_seed()

    def _forget_seed(self) -> None:
        assert self.folder is not None and self.profile_seed is not None
        shutil.rmtree(self.profile, ignore_errors=True)
        self.seeded, self._keep = False, True
        doomed = self.profile_seed.with_name(f".{self.profile_seed.name}.old.{os.getpid()}")
        with contextlib.suppress(OSError):
            os.rename(self.profile_seed, doomed)
        shutil.rmtree(doomed, ignore_errors=True)

    def _reap(self) -> None:
        """The helper and its LibreOffice share a process group of their own: kill it."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            proc.stdin.close()            # the helper's own signal to stop
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if self.folder is not None:       # killed, LibreOffice leaves its sockets in /tmp
            remove_pipes(office_pipes(self.profile.as_uri()))

    def stop(self) -> None:
        """Stop an owned instance and remove its folder; a found one is left running."""
        if not self.owned:
            return
        with self.lock:
            self._reap()
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None

    # -- requests ---------------------------------------------------------------------

    def request(self, payload: dict, *, timeout: float) -> dict:
        """Send one request and wait for its reply (raises WarmUnavailable, TimeoutError)."""
        if self.owned:
            self.start()
        assert self.socket_path is not None
        if len(os.fsencode(self.socket_path)) > SOCKET_PATH_MAX:
            raise WarmUnavailable(f"the socket path {self.socket_path} is too long for a Unix "
                                  f"socket (at most {SOCKET_PATH_MAX} bytes)")
        deadline = time.monotonic() + timeout
        while True:
            try:
                conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                conn.settimeout(max(0.1, deadline - time.monotonic()))
                conn.connect(str(self.socket_path))
                break
            except (FileNotFoundError, ConnectionRefusedError) as exc:
                conn.close()
                starting = self.owned and self.proc is not None and self.proc.poll() is None
                if not starting or time.monotonic() > deadline:
                    raise WarmUnavailable(f"no warm LibreOffice at {self.socket_path}") \
                        from exc
                time.sleep(0.005)
        with conn, conn.makefile("rwb") as stream:
            stream.write(json.dumps(payload).encode() + b"\n")
            stream.flush()
            try:
                line = stream.readline()
            except TimeoutError:
                raise
            except OSError as exc:
                raise WarmUnavailable(f"the warm LibreOffice went away ({exc})") from exc
        if not line:
            raise WarmUnavailable("the warm LibreOffice closed the connection")
        return json.loads(line)

    def ping(self, timeout: float = 5) -> dict | None:
        """The instance's state, or None when nobody answers."""
        try:
            return self.request({"op": "ping"}, timeout=timeout)
        except (WarmUnavailable, TimeoutError, OSError, ValueError):
            return None

    def convert(self, src: Path, out_dir: Path, options: Options | None,
                base_timeout: float) -> Conversion:
        """Convert one source; a helper that died or hung is started again once."""
        target = out_dir / f"{src.stem}.pdf"
        with self.lock:
            reply = self._request_restarting(
                {"op": "convert", "source": str(src.resolve()), "target": str(target.resolve()),
                 "filter": "writer_pdf_Export", "options": dict(options or {})},
                base_timeout + self.timeout_per_file)
        return _result(src, out_dir, (reply.get("error") or "").encode())

    def bookmark_pages(self, source: Path, bookmarks: list[str], base_timeout: float
                       ) -> tuple[dict[str, int], int] | None:
        """The page of each named bookmark in LibreOffice's layout of `source`, and its
        page count; None when it could not lay it out."""
        with self.lock:
            reply = self._request_restarting({"op": "pages", "source": str(source.resolve()),
                                       "bookmarks": bookmarks},
                                      base_timeout + self.timeout_per_file)
        if not reply.get("ok"):
            return None
        return {str(k): int(v) for k, v in reply["pages"].items()}, int(reply["total"])

    def _request_restarting(self, payload: dict, timeout: float) -> dict:
        for attempt in range(2):
            try:
                reply = self.request(payload, timeout=timeout)
                if self._keep and reply.get("ok"):
                    self._keep = False            # LibreOffice is up: its profile is made
                    assert self.folder is not None and self.profile_seed is not None
                    keep_profile(self.profile, self.profile_seed)
                return reply
            except (WarmUnavailable, TimeoutError) as exc:
                if not self.owned:
                    raise WarmUnavailable(str(exc)) from exc
                self._gone()                      # hung or dead: kill it, start anew
                if attempt and isinstance(exc, TimeoutError):
                    raise ToolError(f"LibreOffice did not finish within {timeout:.0f} s",
                                    fix="try again; if it persists, check the file opens "
                                        "in LibreOffice") from exc
                if attempt:
                    raise
        raise AssertionError("unreachable")


# --- the shared instance: `manualgen office start|stop|status` ------------------------------

def shared_status(socket_path: Path) -> dict | None:
    """The shared warm instance's state, or None when none answers at `socket_path`."""
    if not socket_path.exists():
        return None
    return WarmOffice("soffice", socket_path=socket_path, owned=False).ping(timeout=10)


def start_shared(soffice: str, python: str, socket_path: Path, *,
                 max_docs: int = MAX_DOCS, wait: float = 90) -> dict:
    """Start a warm instance that outlives this process (until `stop_shared`), listening
    at `socket_path`, its profile folder beside it; returns its state once it answers."""
    if len(os.fsencode(socket_path)) > SOCKET_PATH_MAX:
        raise ToolError(f"the socket path {socket_path} is too long for a Unix socket (at "
                        f"most {SOCKET_PATH_MAX} bytes): set MANUALGEN_OFFICE_SOCKET to a "
                        "shorter one")
    running = shared_status(socket_path)
    if running is not None:
        return running
    socket_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileNotFoundError):
        socket_path.unlink()
    profile = socket_path.with_name(socket_path.name + ".profile")
    cmd = [python, str(HELPER), "--soffice", program(soffice), "--profile", str(profile),
           "--socket", str(socket_path), "--max-docs", str(max_docs), "--detached"]
    # The helper forks into the background and its first process exits at once.
    started = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True, check=False,
                             env=office_env(profile), timeout=wait)
    if started.returncode != 0:
        detail = started.stderr.decode(errors="replace").strip().splitlines()
        raise ToolError("the warm LibreOffice could not be started"
                        + (f" ({detail[-1]})" if detail else ""),
                        fix="check that python3-uno is installed (apt-get install python3-uno)")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        state = shared_status(socket_path)
        if state is not None and state.get("alive"):
            return state
        time.sleep(0.1)
    stop_shared(socket_path)
    raise ToolError(f"the warm LibreOffice did not answer within {wait:.0f} s",
                    fix="try again; run `manualgen office status` to see what runs")


def stop_shared(socket_path: Path) -> bool:
    """Ask the shared instance to stop; False when none was running."""
    if shared_status(socket_path) is None:
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()          # a stale socket of one that died
        return False
    with contextlib.suppress(WarmUnavailable, TimeoutError, OSError):
        WarmOffice("soffice", socket_path=socket_path, owned=False).request(
            {"op": "stop"}, timeout=30)
    deadline = time.monotonic() + 30
    while socket_path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


@dataclass
class Office:
    """A LibreOffice to convert with (or none: `available` is False).

    `services` are warm instances to use first: owned (`Office.warm()`) or found running
    (`Office.find(socket=...)`); with several, documents are laid out side by side, one
    an instance. Without one, or when a found one does not answer, every call is a cold
    run. Use owned ones as a context manager, or call `close()`.
    """

    soffice: str | None
    timeout_per_file: float = 60
    base_timeout: float = 60
    services: list[WarmOffice] = field(default_factory=list, repr=False)
    _identity: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def find(cls, explicit: str | None = None, *, socket: Path | None = None) -> Office:
        """LibreOffice from `explicit` or PATH; with `socket`, the shared warm instance
        listening there (`manualgen office start`) when one is."""
        office = cls(find_soffice(explicit))
        if office.soffice and socket is not None and socket.exists():
            shared = WarmOffice(office.soffice, socket_path=socket, owned=False)
            if shared.ping() is not None:
                office.services = [shared]
        return office

    @classmethod
    def warm(cls, explicit: str | None = None, *, python: str | None = None,
             max_docs: int = MAX_DOCS, instances: int = 1,
             profiles: Path | None = None) -> Office:
        """An Office with warm LibreOffices of its own (started on first need, or now by
        `start()`), or a cold one when LibreOffice or its UNO bridge is missing.
        `python`: the Python with `uno` (default: found; "" for none). `instances`: how
        many documents it lays out at once (each instance is a process of some 200 MB;
        more than the cores gains nothing). `profiles`: a folder where a LibreOffice profile
        is kept between processes, for each instance to start from a copy of."""
        office = cls(find_soffice(explicit))
        uno_python = find_uno_python(python)
        if office.soffice and uno_python:
            seed = None if profiles is None else profiles / (
                "libreoffice-" + hashlib.sha256(office.identity.encode()).hexdigest()[:16])
            office.services = [WarmOffice(office.soffice, python=uno_python, socket_path=None,
                                          max_docs=max_docs,
                                          timeout_per_file=office.timeout_per_file,
                                          profile_seed=seed)
                               for _ in range(max(1, instances))]
        return office

    @property
    def available(self) -> bool:
        return self.soffice is not None

    @property
    def identity(self) -> str:
        """What a layout depends on besides the document: this LibreOffice's build and
        when the fonts were last changed (a new font moves lines, so pages)."""
        if not self.soffice:
            return ""
        if self._identity is None:
            parts = [program(self.soffice)]
            rc = Path(program(self.soffice)).with_name("versionrc")
            with contextlib.suppress(OSError):
                parts.append(rc.read_text(encoding="utf-8", errors="replace"))
            for folder in FONT_FOLDERS:
                with contextlib.suppress(OSError):
                    parts.append(f"{folder}:{Path(folder).stat().st_mtime_ns}")
            self._identity = "\n".join(parts)
        return self._identity

    @property
    def service(self) -> WarmOffice | None:
        """The first warm instance (the only one, mostly)."""
        return self.services[0] if self.services else None

    @property
    def is_warm(self) -> bool:
        return bool(self.services)

    @property
    def lanes(self) -> int:
        """How many documents it lays out at once."""
        return max(1, len(self.services))

    def start(self) -> Office:
        """Begin starting the owned warm instances now, without waiting for them."""
        try:
            for service in self.services:
                service.start()
        except WarmUnavailable:
            self._cold_from_now()
        return self

    def close(self) -> None:
        for service in self.services:
            service.stop()

    def _cold_from_now(self) -> None:
        """A stale socket, or a UNO bridge that does not work: cold runs from now on."""
        self.close()
        self.services = []

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def require(self) -> str:
        if not self.soffice:
            raise ToolError("LibreOffice is needed to make PDFs and was not found",
                            fix="install it (Debian: apt-get install libreoffice-writer-nogui) "
                                "or leave out --pdf")
        return self.soffice

    def _spread(self, jobs: list[J], work: Callable[[WarmOffice, J], R]) -> list[R]:
        """`work` for each job, in the warm instances side by side; results in order."""
        if len(self.services) == 1 or len(jobs) < 2:
            return [work(self.services[0], job) for job in jobs]
        pending: queue.SimpleQueue = queue.SimpleQueue()
        for item in enumerate(jobs):
            pending.put(item)
        results: dict[int, R] = {}

        def lane(service: WarmOffice) -> None:
            with contextlib.suppress(queue.Empty):
                while True:
                    i, job = pending.get_nowait()
                    results[i] = work(service, job)

        with ThreadPoolExecutor(len(self.services), thread_name_prefix="office") as pool:
            for done in [pool.submit(lane, service) for service in self.services]:
                done.result()
        return [results[i] for i in range(len(jobs))]

    def convert(self, sources: list[Path], out_dir: Path, *,
                options: Options | None = None) -> list[Conversion]:
        """Convert every source (warm, else in one cold run); report each file's result.

        Sources must have distinct stems (LibreOffice names outputs `<stem>.pdf`).
        """
        if not sources:
            return []
        self.require()
        stems = [s.stem for s in sources]
        if len(set(stems)) != len(stems):
            raise ValueError("convert needs distinct file stems")
        out_dir.mkdir(parents=True, exist_ok=True)
        if self.services:
            try:
                return self._spread(sources, lambda service, src: service.convert(
                    src, out_dir, options, self.base_timeout))
            except WarmUnavailable:
                self._cold_from_now()
        return self.convert_cold(sources, out_dir, options=options)

    def bookmark_pages(self, jobs: list[tuple[Path, list[str]]]
                       ) -> list[tuple[dict[str, int], int]] | None:
        """With warm instances: for each (document, bookmark names), the page each
        bookmark is on in LibreOffice's layout and the document's page count, documents
        laid out side by side. None without one, or when any fails: then a PDF's named
        destinations are the way (and say what went wrong)."""
        if not self.services:
            return None
        try:
            read = self._spread(jobs, lambda service, job: service.bookmark_pages(
                job[0], job[1], self.base_timeout))
        except WarmUnavailable:
            self._cold_from_now()
            return None
        if any(r is None for r in read):
            return None
        return read  # type: ignore[return-value]

    def convert_cold(self, sources: list[Path], out_dir: Path, *,
                     options: Options | None = None) -> list[Conversion]:
        """One cold LibreOffice run, with a fresh profile, for all the sources."""
        soffice = self.require()
        out_dir.mkdir(parents=True, exist_ok=True)
        timeout = self.base_timeout + self.timeout_per_file * len(sources)
        with scratch_dir("manualgen-lo-") as profile:
            url = Path(profile).as_uri()
            cmd = [program(soffice), f"-env:UserInstallation={url}", "--headless",
                   "--norestore", "--nologo", "--nodefault", "--convert-to",
                   export_filter(options), "--outdir", str(out_dir), *[str(s) for s in sources]]
            env = office_env(profile, HOME=profile)
            try:
                code, stderr = run_group(cmd, timeout=timeout, env=env)
                if code == RESTART:
                    code, stderr = run_group(cmd, timeout=timeout, env=env)
            except subprocess.TimeoutExpired as exc:
                raise ToolError(f"LibreOffice did not finish within {timeout:.0f} s",
                                fix="try again; if it persists, convert fewer files at once") \
                    from exc
            finally:
                remove_pipes(office_pipes(url))   # one killed on a timeout leaves its socket
        return [_result(src, out_dir, stderr) for src in sources]

    def convert_one(self, source: Path, out_dir: Path, *,
                    options: Options | None = None) -> Path:
        """Convert one file or raise a ToolError naming it."""
        (result,) = self.convert([source], out_dir, options=options)
        if result.pdf is None:
            raise ToolError(f"{source.name}: {result.error}")
        return result.pdf


def _result(src: Path, out_dir: Path, stderr: bytes) -> Conversion:
    import pikepdf  # here: commands import this module first, to start LibreOffice

    pdf = out_dir / f"{src.stem}.pdf"
    if not pdf.is_file() or pdf.stat().st_size == 0:
        detail = stderr.decode(errors="replace").strip().splitlines()
        return Conversion(src, None, "LibreOffice could not convert it"
                          + (f" ({detail[-1]})" if detail else ""))
    try:
        with pikepdf.open(pdf) as made:
            if len(made.pages) == 0:
                return Conversion(src, None, "LibreOffice made an empty PDF")
    except Exception as exc:  # noqa: BLE001 - any parse failure means a bad output
        return Conversion(src, None, f"LibreOffice made an unreadable PDF ({exc})")
    return Conversion(src, pdf)
