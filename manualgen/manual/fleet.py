"""Build the manuals of many companies at once: one process per core, each with its own
warm LibreOffice, a broken company reported and passed over.

Workers are processes of their own (the work is Python and LibreOffice, both CPU-bound),
started with "spawn" so none inherits another's pipes, each holding its library and its
warm `Office` as local variables. Each gets one company at a time, so the parent always
knows which company a worker that died was building; a dead worker is replaced and the
fleet goes on. Results come back as bytes in the order they finish; the caller writes
them. The bytes are those of a one-at-a-time build: the same `build_manual` does the work.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from manualgen.errors import ToolError

PROFILE_NAME = "company.yaml"
LAYOUT_CACHE = Path(".manualgen") / "layout"     # in each company's folder


@dataclass(frozen=True)
class FleetConfig:
    """What every worker needs, decided at the edge (nothing read from the environment)."""

    library: Path | None = None        # None: the bundled library
    soffice: str | None = None         # None: from PATH
    uno_python: str | None = None      # None: found; "": cold runs only
    pdf: bool = False
    cache: bool = True                 # keep chapter layouts in each company's folder
    profiles: Path | None = None       # where a LibreOffice profile is kept to start from


@dataclass
class FleetResult:
    name: str                          # the company folder's name
    profile: Path
    ok: bool
    seconds: float
    docx: bytes | None = None
    pdf: bytes | None = None
    pages: int | None = None
    error: str | None = None           # what went wrong, for the summary table
    warnings: list[str] = field(default_factory=list)


def find_companies(root: Path) -> list[Path]:
    """Every `company.yaml` in a folder directly under `root`, in name order."""
    return sorted(p / PROFILE_NAME for p in root.iterdir()
                  if p.is_dir() and (p / PROFILE_NAME).is_file())


def _build_one(profile: Path, library, office, config: FleetConfig) -> FleetResult:
    from manualgen.errors import ManualgenError
    from manualgen.manual.build import build_company_manual
    from manualgen.render.paginate import LayoutCache

    start = time.perf_counter()
    try:
        cache = LayoutCache(profile.parent / LAYOUT_CACHE) if config.cache else None
        built = build_company_manual(profile, library, pdf=config.pdf, office=office,
                                     cache=cache)
    except ManualgenError as exc:
        return FleetResult(profile.parent.name, profile, False, time.perf_counter() - start,
                           error=" ".join(str(exc).split()))
    except Exception as exc:  # noqa: BLE001 - a bug for one company must not stop the fleet
        return FleetResult(profile.parent.name, profile, False, time.perf_counter() - start,
                           error=f"internal error ({type(exc).__name__}: {exc})")
    return FleetResult(profile.parent.name, profile, True, time.perf_counter() - start,
                       built.docx, built.pdf, built.pages, warnings=built.warnings)


def _die_with(parent: int) -> None:
    """Exit when the parent is gone (even killed with SIGKILL, which leaves our queue
    open): the warm LibreOffice goes with us, as it reads our end of a pipe."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _worker(tasks, results, config: FleetConfig, parent: int) -> None:
    """A worker process: its library and warm LibreOffice live as long as it does."""
    import threading

    from manualgen.inputs.library.load import load_library
    from manualgen.services.office import Office
    from manualgen.services.storage import remove_run_folders

    threading.Thread(target=_die_with, args=(parent,), daemon=True).start()

    try:
        library = load_library(config.library)
    except Exception as exc:  # noqa: BLE001 - said once by the parent for every company
        results.put(("broken", os.getpid(), f"the library cannot be loaded: {exc}"))
        return
    try:
        with Office.warm(config.soffice, python=config.uno_python,
                         profiles=config.profiles) as office:
            office.start()
            while True:
                task = tasks.get()
                if task is None:
                    return
                index, profile = task
                results.put(("done", os.getpid(), (index, _build_one(profile, library, office,
                                                                      config))))
    finally:
        remove_run_folders()             # a worker's exit skips atexit


def build_fleet(profiles: list[Path], config: FleetConfig, *, workers: int | None = None
                ) -> Iterator[FleetResult]:
    """Build each profile's manual; yield results as they finish (failures included)."""
    if not profiles:
        return
    count = max(1, min(workers or os.cpu_count() or 1, len(profiles)))
    context = mp.get_context("spawn")
    results = context.Queue()
    pending = list(enumerate(profiles))[::-1]          # popped from the end: in order
    running: dict[int, tuple[mp.process.BaseProcess, object, tuple[int, Path] | None]] = {}

    def launch() -> None:
        tasks = context.Queue()
        proc = context.Process(target=_worker, args=(tasks, results, config, os.getpid()),
                               daemon=True)
        proc.start()
        running[proc.pid] = (proc, tasks, None)

    def feed(pid: int) -> None:
        proc, tasks, _ = running[pid]
        task = pending.pop() if pending else None
        tasks.put(task)
        running[pid] = (proc, tasks, task)

    for _ in range(count):
        launch()
    for pid in list(running):
        feed(pid)
    try:
        while any(task is not None for _, _, task in running.values()):
            try:
                kind, pid, payload = results.get(timeout=1)
            except queue.Empty:
                for pid, (proc, _, task) in list(running.items()):
                    if not proc.is_alive() and task is not None:   # died mid-build
                        del running[pid]
                        yield FleetResult(task[1].parent.name, task[1], False, 0.0,
                                          error=f"the build process died (exit code "
                                                f"{proc.exitcode})")
                        if pending:
                            launch()
                            feed(next(reversed(running)))
                continue
            if kind == "broken":
                raise ToolError(payload)
            _, result = payload
            yield result
            feed(pid)
    finally:
        for proc, tasks, _ in running.values():
            if proc.is_alive():
                tasks.put(None)
        deadline = time.monotonic() + 10
        for proc, _, _ in running.values():
            proc.join(max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
