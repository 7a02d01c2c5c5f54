"""A warm LibreOffice: this script, run by the Python that has LibreOffice's UNO bridge.

Debian's `python3-uno` works only under `/usr/bin/python3`, not in manualgen's virtual
environment, so the warm instance is a process of its own: this file, run by that Python
(it imports nothing from manualgen and needs only the standard library and `uno`). It

- listens on a Unix socket: one JSON request a line, one JSON reply a line, one client
  at a time (a LibreOffice converts one document at a time anyway);
- starts `soffice.bin` with its own profile folder as soon as it is up, so the start
  overlaps whatever its parent does meanwhile, and again when it dies or after
  `--max-docs` documents (LibreOffice grows as it converts);
- dies with its parent: the parent holds our stdin, so when the parent goes (even by
  kill -9) we read end-of-file, kill LibreOffice and exit; `soffice.bin` is started under
  `setpriv --pdeathsig KILL`, so it goes when we go, however we go. Started with
  `--detached` (by `manualgen office start`) it serves until asked to stop.

Requests: {"op": "ping"}, {"op": "convert", "source": path, "target": path,
"filter": "writer_pdf_Export", "options": {name: value}}, {"op": "pages", "source": path,
"bookmarks": [name, ...]} (the page each bookmark is on in LibreOffice's layout, and the
document's page count: no PDF written), {"op": "stop"}.
Replies: {"ok": true, ...} or {"ok": false, "error": text}.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

RESTART = 81            # soffice.bin's exit code after making a new profile: start again
CONNECT_TIMEOUT = 60.0


def accept_name(profile_url: str) -> str:
    """The name of the pipe a warm LibreOffice accepts UNO connections on, made from its
    profile, so whoever finds the profile (its parent, the next run's sweep of a killed
    run's folder) knows the socket too."""
    return "manualgen-" + hashlib.sha256(profile_url.encode()).hexdigest()[:16]


def office_pipes(profile_url: str) -> list[Path]:
    """The sockets a soffice.bin makes in /tmp and leaves there when it is killed: its
    `--accept` pipe (a warm one's) and its single-instance pipe, which LibreOffice names
    by the MD5 of the profile's URL in UTF-16, each byte in hex without padding."""
    digest = hashlib.md5(profile_url.encode("utf-16-le")).digest()  # noqa: S324 - a name
    names = [accept_name(profile_url),
             "SingleOfficeIPC_" + "".join(format(b, "x") for b in digest)]
    return [Path("/tmp") / f"OSL_PIPE_{os.getuid()}_{name}" for name in names]


def remove_pipes(paths: list[Path]) -> None:
    """Remove the sockets of a soffice.bin that is gone (only sockets, only ours)."""
    for path in paths:
        with contextlib.suppress(OSError):
            if path.is_socket() and path.lstat().st_uid == os.getuid():
                path.unlink()


def _props(**values):
    from com.sun.star.beans import PropertyValue

    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


class Instance:
    """One soffice.bin and the UNO connection to it."""

    def __init__(self, soffice: str, profile: Path, max_docs: int) -> None:
        self.soffice = soffice
        self.profile = profile
        self.max_docs = max_docs
        self.pipe = accept_name(self.profile_url)
        self.proc: subprocess.Popen | None = None
        self.desktop = None
        self.docs = 0
        self.starts = 0
        self.spawns = 0           # soffice.bin processes: two for a start on a new profile

    @property
    def profile_url(self) -> str:
        return Path(self.profile).as_uri()

    @property
    def pipes(self) -> list[Path]:
        return office_pipes(self.profile_url)

    def _spawn(self) -> subprocess.Popen:
        self.spawns += 1
        cmd = [self.soffice, f"-env:UserInstallation={self.profile_url}",
               "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
               "--nolockcheck", f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"]
        setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
        if setpriv:
            cmd = [setpriv, "--pdeathsig", "KILL", *cmd]
        env = dict(os.environ, HOME=str(self.profile), SAL_USE_VCLPLUGIN="svp")
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env)

    def spawn(self) -> None:
        """Start soffice.bin now; `start` connects to it (it needs no UNO to be started,
        so it may come up while this Python is still importing `uno`)."""
        self.stop()
        self.profile.mkdir(parents=True, exist_ok=True)
        self.proc = self._spawn()

    def start(self) -> None:
        import uno
        from com.sun.star.connection import NoConnectException

        if self.desktop is not None or self.proc is None or self.proc.poll() is not None:
            self.spawn()                    # else: the one `spawn` started, not yet connected
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                code = self.proc.poll()
                if code == RESTART:
                    self.proc = self._spawn()
                elif code is not None:
                    raise RuntimeError(f"LibreOffice exited with code {code} while "
                                       "starting") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start in time") from None
                time.sleep(0.02)
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx)
        self.docs = 0
        self.starts += 1

    def alive(self) -> bool:
        if self.proc is None or self.proc.poll() is not None or self.desktop is None:
            return False
        try:
            self.desktop.getComponents()
        except Exception:  # noqa: BLE001 - a dead bridge raises UNO's own exceptions
            return False
        return True

    def ensure(self) -> None:
        if not self.alive():
            self.start()

    def open(self, source: str):
        """The document at `source`, hidden and read-only, in the running instance."""
        import uno

        self.ensure()
        doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(source), "_blank", 0,
            _props(Hidden=True, ReadOnly=True))
        if doc is None:
            raise ValueError("LibreOffice could not open it")
        return doc

    def convert(self, source: str, target: str, filter_name: str, options: dict) -> None:
        import uno

        doc = self.open(source)
        try:
            data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**options))
            uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(target),
                                           _props(FilterName=filter_name, FilterData=data)))
        finally:
            with contextlib.suppress(Exception):
                doc.close(True)
        self.docs += 1

    def bookmark_pages(self, source: str, names: list[str]) -> tuple[dict[str, int], int]:
        """The page each named bookmark is on in LibreOffice's layout, and the document's
        page count: what a PDF's named destinations tell, without writing the PDF."""
        doc = self.open(source)
        try:
            marks = doc.getBookmarks()
            cursor = doc.getCurrentController().getViewCursor()
            pages = {}
            for name in names:
                if marks.hasByName(name):
                    cursor.gotoRange(marks.getByName(name).getAnchor(), False)
                    pages[name] = cursor.getPage()
            cursor.jumpToLastPage()
            total = cursor.getPage()
        finally:
            with contextlib.suppress(Exception):
                doc.close(True)
        self.docs += 1
        return pages, total

    def stop(self) -> None:
        if self.desktop is not None:
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        self.desktop = None
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            remove_pipes(self.pipes)
        self.proc = None


class Server:
    def __init__(self, instance: Instance, path: Path) -> None:
        self.instance = instance
        self.path = path
        self.started = time.time()
        self.running = True

    def handle(self, request: dict) -> dict:
        op = request.get("op")
        if op == "ping":
            alive = self.instance.alive()
            return {"ok": True, "pid": os.getpid(), "alive": alive,
                    "soffice_pid": self.instance.proc.pid if alive and self.instance.proc
                    else None, "docs": self.instance.docs, "starts": self.instance.starts,
                    "spawns": self.instance.spawns,
                    "pipes": [str(p) for p in self.instance.pipes],
                    "uptime": round(time.time() - self.started, 1)}
        if op == "stop":
            self.running = False
            return {"ok": True}
        if op == "convert":
            return self.convert(request)
        if op == "pages":
            return self.pages(request)
        return {"ok": False, "error": f"unknown request {op!r}"}

    def convert(self, request: dict) -> dict:
        target = Path(request["target"])
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        error = ""
        for attempt in range(2):            # once more on a fresh LibreOffice if it died
            try:
                self.instance.convert(request["source"], str(target),
                                      request.get("filter", "writer_pdf_Export"),
                                      request.get("options") or {})
                error = ""
                break
            except Exception as exc:  # noqa: BLE001 - UNO raises its own exception types
                error = f"{type(exc).__name__}: {exc}".strip()
                if self.instance.alive() or attempt:
                    break
        if self.instance.max_docs and self.instance.docs >= self.instance.max_docs:
            self.instance.stop()            # a fresh one starts with the next document
        if error:
            return {"ok": False, "error": error}
        return {"ok": True}

    def pages(self, request: dict) -> dict:
        try:
            pages, total = self.instance.bookmark_pages(request["source"],
                                                        list(request["bookmarks"]))
        except Exception as exc:  # noqa: BLE001 - UNO raises its own exception types
            if not self.instance.alive():
                self.instance.stop()
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()}
        finally:
            if self.instance.max_docs and self.instance.docs >= self.instance.max_docs:
                self.instance.stop()
        return {"ok": True, "pages": pages, "total": total}

    def serve(self, listener: socket.socket) -> None:
        while self.running:
            conn, _ = listener.accept()
            with conn, conn.makefile("rwb") as stream:
                for line in stream:
                    try:
                        reply = self.handle(json.loads(line))
                    except Exception as exc:  # noqa: BLE001 - a reply, never a dead server
                        reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                    stream.write(json.dumps(reply).encode() + b"\n")
                    stream.flush()
                    if not self.running:
                        break


def _watch_parent(instance: Instance) -> None:
    """Our stdin is the parent's pipe: end-of-file means the parent is gone. LibreOffice
    is killed at once (it would die with us anyway: pdeathsig), and so is every process
    of our group: a LibreOffice being started at that very moment has not set its
    pdeathsig yet, and would otherwise outlive us."""
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(4096):
            pass
    proc = instance.proc
    with contextlib.suppress(Exception):    # killed, it would leave its sockets in /tmp
        if proc is not None:
            proc.kill()
            proc.wait(timeout=5)
        remove_pipes(instance.pipes)
    with contextlib.suppress(OSError):
        if os.getpgid(0) == os.getpid():        # our own group (the parent starts us so)
            os.killpg(os.getpid(), signal.SIGKILL)
        elif instance.proc is not None:
            instance.proc.kill()
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--profile", required=True, type=Path)
    parser.add_argument("--socket", required=True, type=Path)
    parser.add_argument("--max-docs", type=int, default=200)
    parser.add_argument("--detached", action="store_true")
    args = parser.parse_args()
    instance = Instance(args.soffice, args.profile, args.max_docs)
    if not args.detached:
        threading.Thread(target=_watch_parent, args=(instance,), daemon=True).start()
        instance.spawn()                 # LibreOffice starts while we import uno
    try:
        import uno  # noqa: F401 - fail here, where the starter sees the error, not later
    except ImportError:
        instance.stop()
        raise

    if args.detached:
        if os.fork() > 0:
            os._exit(0)                  # the starter returns; the server goes on alone
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):             # let go of the starter's pipes
            os.dup2(null, fd)
    signal.signal(signal.SIGTERM, lambda *_: (instance.stop(), os._exit(0)))
    with contextlib.suppress(FileNotFoundError):
        args.socket.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(args.socket))
    listener.listen(16)
    try:
        with contextlib.suppress(Exception):   # a failed start is retried per request
            instance.start()
        Server(instance, args.socket).serve(listener)
    finally:
        instance.stop()
        listener.close()
        with contextlib.suppress(FileNotFoundError):
            args.socket.unlink()


if __name__ == "__main__":
    main()
