"""Bench of issue 27: one policy changed in NSNY's library, every manual it touches rebuilt
by the portal's workers.

    .venv/bin/python bench/bench_library.py [--companies 200] [--workers 2] [--sample 10]
                                            [--keep DIR]

1. Set-up (timed apart): a scratch data root made by `manualgen portal init` (its
   database and DATA/library, a git repository of the bundled library, 2026.2), and
   `--companies` Company rows, the library's test companies in turn ("Fireweed Bakery 7").
   Each starts with a manual built on 2026.2: its revision record, output/ and layout
   cache. The first copy of each test company is built by the workers (a `Build` row and
   its task, as the portal does); the other copies get that folder's files.
   The honest simplification: a copy keeps the profile it was built from, so only its
   folder and its Company row's name differ ("Fireweed Bakery 7" still says "Fireweed
   Bakery" in company.yaml). Renaming each copy would mean building all N from scratch
   (N x a full layout: about half an hour for 200 on 2 cores) only to fill the caches,
   and a rebuild's work does not depend on the name: each folder has its own cache and
   record, and nothing is shared between folders.
2. NSNY publishes 2026.3: a sentence added to Working Alone's Purpose, with
   `api.library.publish` and its real default check (the whole library check).
3. `api.manual.library_news` for every company; each affected one "takes" it as the portal's
   `take_library` view does: `api.manual.new_revision`, a `Build` row, `jobs.enqueue` (the
   view's audit entry is left out: it needs a request).
4. `--workers` fresh `manualgen portal worker` processes; the bench waits for every
   build. The wall time runs from the first take to the last build done (the workers'
   start-up included, printed apart). The share of chapters laid out again is
   sum(laid_out) / sum(chapters) of the rebuilt manuals' output/manual.json.
5. The peer, in the same run on the same workers: `--sample` affected companies (other
   test companies where possible) rebuilt once more with their layout cache emptied, so
   every chapter is laid out again; the ratio of mean seconds a build (manual.json's
   "seconds"), cached vs. full layout, on the same companies.

Prints a table and a final JSON line; exits 1 when a build failed or a rebuilt manual is
not on the new version. Every process started runs in its own process group and is
killed at the end (its LibreOffice too), on Ctrl+C as well; the scratch folder is removed
unless --keep DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from portal_http import start_worker, stop  # noqa: E402

COMPANIES = ROOT / "policy_library" / "test-companies"
POLICY = "policy_library/policies/working-alone.md"
SENTENCE = ("A lone worker who misses a check-in is called at once, and a missed call "
            "is treated as an emergency.")
GOAL = 240.0                                # seconds: the "under 4 minutes"
STAFF = {"author": "NSNY bench", "email": "bench@nsny.example"}


# --------------------------------------------------------------------------- set-up


def environment(data: Path) -> dict[str, str]:
    """As bench_portal.py: the portal's settings for loopback, the database queue."""
    env = {**os.environ, "MANUALGEN_PORTAL_DATA": str(data), "MANUALGEN_PORTAL_HTTPS": "0",
           "MANUALGEN_PORTAL_HOSTS": "127.0.0.1",
           "MANUALGEN_ADMIN_PASSWORD": "Spruce-Grouse-Tundra-42",
           "MANUALGEN_PORTAL_STAFF_MFA": "optional"}
    for name in ("MANUALGEN_PORTAL_SECRET_KEY", "MANUALGEN_PORTAL_QUEUE",
                 "MANUALGEN_PORTAL_DATABASE", "MANUALGEN_LIBRARY"):
        env.pop(name, None)
    return env


def init_portal(data: Path, env: dict[str, str]) -> None:
    """`manualgen portal init` (the data root, its database, DATA/library), then Django
    configured in this process on the same database (for the rows and the queue)."""
    subprocess.run([sys.executable, "-m", "manualgen", "portal", "init", str(data),
                    "--admin-email", "admin@nsny.example"], env=env, check=True,
                   capture_output=True)
    from manualgen.portal.server import configure

    configure(env, None)


def make_companies(data: Path, n: int) -> list[tuple[object, str]]:
    """N Company rows and folders, the test companies in turn: (row, test company)."""
    from manualgen.portal import accounts

    tests = sorted(p.name for p in COMPANIES.iterdir() if (p / "company.yaml").is_file())
    made = []
    for i in range(n):
        test = tests[i % len(tests)]
        profile = yaml.safe_load((COMPANIES / test / "company.yaml").read_text("utf-8"))
        name = profile["company"].get("name") or profile["company"]["legal_name"]
        company = accounts.company_named(f"{name} {i + 1}")
        folder = data / "companies" / company.folder
        folder.mkdir(parents=True, exist_ok=True)
        if i < len(tests):
            shutil.copy(COMPANIES / test / "company.yaml", folder / "company.yaml")
        made.append((company, test))
    return made


def queue_build(company) -> str:
    """A manual build, as `QueuedBuilds.start` makes it: the row, its task on commit."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from manualgen import api
    from manualgen.portal import models as m
    from manualgen.portal.jobs import enqueue

    spec = api.builds.BuildSpec(api.builds.BuildKind.MANUAL)
    with scopes_disabled(), transaction.atomic():
        build = m.Build.objects.create(
            id=uuid.uuid4().hex, company=company, kind=str(spec.kind), name=spec.name,
            title=spec.title, done_url="/manual/", options=spec.to_dict())
        transaction.on_commit(lambda: enqueue(build.pk))
    return build.pk


def build_rows(ids: list[str]) -> dict[str, object]:
    from django_scopes import scopes_disabled

    from manualgen.portal import models as m

    with scopes_disabled():
        return {b.pk: b for b in m.Build.objects.filter(pk__in=ids)
                .select_related("company")}


def wait_builds(ids: list[str], workers: Workers, timeout: float) -> dict[str, object]:
    """Every build of `ids` done or failed (polled each half second); the rows."""
    deadline = time.monotonic() + timeout
    while True:
        rows = build_rows(ids)
        if all(r.state in ("done", "failed") for r in rows.values()):
            return rows
        workers.check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"builds not done within {timeout:.0f} s")
        time.sleep(0.5)


# --------------------------------------------------------------------------- the workers


def _stat(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def descendants(roots: set[int]) -> set[int]:
    """The processes started by `roots`, directly or not (a worker's LibreOffice runs in
    a session of its own, but is still its child)."""
    parents = {int(e.name): _stat(int(e.name)) for e in Path("/proc").iterdir()
               if e.name.isdigit()}
    found, grew = set(roots), True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found - set(roots)


class Workers:
    """`manualgen portal worker` processes, each in its own process group."""

    def __init__(self, data: Path, env: dict[str, str], logs: Path) -> None:
        self.data, self.env, self.logs = data, env, logs
        self.procs: list[subprocess.Popen] = []
        self.round = 0

    def start(self, n: int, wait: float = 180) -> float:
        """n workers, returning once each says it takes builds; the seconds it took."""
        began = time.monotonic()
        self.round += 1
        started = []
        for i in range(n):
            log = self.logs / f"worker-{self.round}-{i}.log"
            proc = start_worker(self.data, self.env, log)
            self.procs.append(proc)
            started.append((proc, log))
        for proc, log in started:
            while "taking builds" not in log.read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() - began > wait:
                    raise RuntimeError("a worker did not start: " +
                                       log.read_text(errors="replace")[-3000:])
                time.sleep(0.1)
        return time.monotonic() - began

    def check(self) -> None:
        dead = [p for p in self.procs if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a worker stopped (exit {dead[0].returncode}); see "
                               f"{self.logs}")

    def close(self) -> None:
        """SIGTERM (a worker closes its LibreOffice), then kill -9 of every group and of
        what the workers started in sessions of their own, by id."""
        alive = [p for p in self.procs if p.poll() is None]
        children = {pid: _command(pid) for pid in descendants({p.pid for p in alive})}
        for proc in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while any(p.poll() is None for p in alive) and time.monotonic() < deadline:
            time.sleep(0.2)
        for proc in alive:
            with contextlib.suppress(Exception):
                stop(proc, kill=True)
        for pid, command in children.items():
            if command and _command(pid) == command:        # still that process
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        self.procs = []


# --------------------------------------------------------------------------- the change


def publish(home: Path, on: dt.date) -> tuple[str, float]:
    """2026.3: a sentence added to Working Alone's Purpose, with the real whole-library
    check; (the version, seconds)."""
    from manualgen import api

    source = api.library.PolicySource.parse((home / POLICY).read_text(encoding="utf-8"), POLICY)
    changed = source.with_sections({"Purpose": source.section("Purpose").shown + "\n\n" +
                                    SENTENCE})
    began = time.monotonic()
    tag = api.library.publish(home, {POLICY: changed.text().encode()},
                              ["Working Alone: a missed check-in is an emergency"], on=on,
                              **STAFF)
    return tag.tag, time.monotonic() - began


def manual_record(folder: Path) -> dict:
    return json.loads((folder / "output" / "manual.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- report


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_seconds(row) -> float | None:
    if row.started is None or row.finished is None:
        return None
    return (row.finished - row.started).total_seconds()


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> int:  # noqa: C901 - one bench, told in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=10,
                        help="affected companies rebuilt with an empty layout cache (peer)")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="make the data root in DIR (new) and keep it")
    args = parser.parse_args()
    if not 1 <= args.companies <= 500 or not 1 <= args.workers <= 4 or \
            not 0 <= args.sample <= 50:
        parser.error("1-500 companies, 1-4 workers, a sample of 0-50 (a bounded bench)")
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: not empty")

    def terminated(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when run in background
    scratch = args.keep.resolve() if args.keep else \
        Path(tempfile.mkdtemp(prefix="manualgen-library-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    data = scratch / "data"
    logs = scratch / "logs"
    logs.mkdir(exist_ok=True)
    env = environment(data)
    workers = Workers(data, env, logs)
    figures: dict = {"companies": args.companies, "workers": args.workers,
                     "cores": os.cpu_count()}
    try:
        # 1. set-up ------------------------------------------------------------------
        began = time.monotonic()
        init_portal(data, env)
        from manualgen import api

        home = data / "library"
        made = make_companies(data, args.companies)
        folder = {c.pk: data / "companies" / c.folder for c, _t in made}
        seeds = {}
        for company, test in made:
            seeds.setdefault(test, company)
        say(f"scratch {scratch}: {len(made)} companies from {len(seeds)} test companies; "
            f"building those {len(seeds)} on {args.workers} worker(s)")
        ids = [queue_build(c) for c in seeds.values()]
        workers.start(args.workers)
        rows = wait_builds(ids, workers, timeout=3600)
        failed = [f"{r.company.folder}: {r.error[:300]}" for r in rows.values()
                  if r.state != "done"]
        if failed:
            raise RuntimeError("a first build failed: " + "; ".join(failed))
        seed_seconds = [manual_record(folder[c.pk])["seconds"] for c in seeds.values()]
        workers.close()                                 # fresh ones for the measured run
        for company, test in made:
            source = folder[seeds[test].pk]
            if company.pk != seeds[test].pk:
                shutil.rmtree(folder[company.pk])
                shutil.copytree(source, folder[company.pk], symlinks=True)
        setup_s = time.monotonic() - began
        figures.update(setup_s=round(setup_s, 1),
                       first_build_p50_s=round(statistics.median(seed_seconds), 1))
        say(f"set-up {setup_s:.0f} s ({len(seeds)} first builds, p50 "
            f"{statistics.median(seed_seconds):.1f} s each)")

        # 2. publish -------------------------------------------------------------------
        on = dt.date.today()
        version, publish_s = publish(home, on)
        figures.update(version=version, publish_s=round(publish_s, 2))
        say(f"published {version} in {publish_s:.1f} s (the whole library check)")

        # 3. news and takes --------------------------------------------------------------
        t0 = time.monotonic()
        library = api.load_library(home)
        load_s = time.monotonic() - t0
        affected = []
        for company, _test in made:
            news = api.manual.library_news(api.workspace.open_folder(folder[company.pk]), library)
            if news.rebuild:
                affected.append(company)
        news_s = time.monotonic() - t0
        figures.update(affected=len(affected), news_s=round(news_s, 2),
                       library_load_s=round(load_s, 2))
        say(f"news for {len(made)} companies in {news_s:.1f} s (the library loaded in "
            f"{load_s:.1f} s): {len(affected)} affected")
        first_take = time.monotonic()
        builds = {}
        for company in affected:
            api.manual.new_revision(api.workspace.open_folder(folder[company.pk]), library, on=on)
            builds[company.pk] = queue_build(company)
        takes_s = time.monotonic() - first_take

        # 4. the workers rebuild -----------------------------------------------------------
        start_s = workers.start(args.workers)
        say(f"{len(affected)} taken in {takes_s:.1f} s; {args.workers} worker(s) ready in "
            f"{start_s:.1f} s; waiting for the builds")
        rows = wait_builds(list(builds.values()), workers, timeout=3600)
        last_done = max((r.finished for r in rows.values() if r.finished), default=None)
        wall = time.monotonic() - first_take if last_done is None else \
            time.monotonic() - first_take - (dt.datetime.now(dt.UTC) - last_done
                                             ).total_seconds()
        done = [r for r in rows.values() if r.state == "done"]
        failures = [f"{r.company.folder}: {r.error[:200]}" for r in rows.values()
                    if r.state != "done"]
        runs = [s for r in done if (s := run_seconds(r)) is not None]
        rebuilt = [c for c in affected if rows[builds[c.pk]].state == "done"]
        records = {c.pk: manual_record(folder[c.pk]) for c in rebuilt}   # a failed
        # build leaves the manual.json of the build before: not counted
        own = [rec["seconds"] for rec in records.values()]
        laid = sum(rec.get("laid_out", 0) for rec in records.values())
        chapters = sum(rec.get("chapters", 0) for rec in records.values())
        stale = [c.folder for c in affected
                 if api.manual.library_version(folder[c.pk]) != version]
        figures.update(
            takes_s=round(takes_s, 1), workers_start_s=round(start_s, 1),
            wall_s=round(wall, 1), builds_done=len(done), failures=len(failures),
            builds_per_minute=round(len(done) / wall * 60, 1) if wall else None,
            run_p50_s=round(statistics.median(runs), 1) if runs else None,
            run_max_s=round(max(runs), 1) if runs else None,
            manual_p50_s=round(statistics.median(own), 2) if own else None,
            laid_out=laid, chapters=chapters,
            laid_out_share=round(laid / chapters, 3) if chapters else None,
            not_on_new_version=len(stale), goal_met=bool(wall < GOAL and not failures))

        # 5. the peer: full layout on a sample ------------------------------------------------
        by_test: dict[str, list] = {}
        for company, test in made:
            if company in rebuilt:
                by_test.setdefault(test, []).append(company)
        sample = []
        while len(sample) < min(args.sample, len(rebuilt)):     # other test companies first
            for group in by_test.values():
                if group and len(sample) < args.sample:
                    sample.append(group.pop(0))
        if sample:
            cached = [records[c.pk]["seconds"] for c in sample]
            cached_runs = [run_seconds(rows[builds[c.pk]]) for c in sample]
            for company in sample:
                shutil.rmtree(folder[company.pk] / ".manualgen" / "layout",
                              ignore_errors=True)
            say(f"the peer: {len(sample)} of them again with an empty layout cache")
            peer_ids = [queue_build(c) for c in sample]
            peer_rows = wait_builds(peer_ids, workers, timeout=3600)
            bad = [r for r in peer_rows.values() if r.state != "done"]
            if bad:
                failures += [f"peer {r.company.folder}: {r.error[:200]}" for r in bad]
            full = [manual_record(folder[c.pk]) for c in sample]
            full_s = [rec["seconds"] for rec in full]
            full_runs = [run_seconds(r) for r in peer_rows.values()]
            figures.update(
                peer_sample=len(sample),
                peer_cached_mean_s=round(statistics.mean(cached), 2),
                peer_full_mean_s=round(statistics.mean(full_s), 2),
                peer_ratio_cached_vs_full=round(statistics.mean(cached) /
                                                statistics.mean(full_s), 2),
                peer_cached_run_mean_s=round(statistics.mean(cached_runs), 2),
                peer_full_run_mean_s=round(statistics.mean(full_runs), 2),
                peer_full_laid_out_share=round(
                    sum(r["laid_out"] for r in full) / max(1, sum(r["chapters"]
                                                                  for r in full)), 3))

        # the report --------------------------------------------------------------------------
        f = figures
        print()
        print(table([
            ("companies / workers / cores",
             f"{args.companies} / {args.workers} / {os.cpu_count()}"),
            ("set-up (first builds, copies)",
             f"{f['setup_s']} s ({len(seeds)} first builds, p50 {f['first_build_p50_s']} s)"),
            ("publish 2026.3 (whole library check)", f"{f['publish_s']} s"),
            ("library news, every company", f"{f['news_s']} s; {f['affected']} affected"),
            ("takes (revision, row, task)", f"{f['takes_s']} s"),
            ("workers' start-up (in the wall time)", f"{f['workers_start_s']} s"),
            ("first take to last build done", f"{f['wall_s']} s"),
            ("builds done / failed", f"{f['builds_done']} / {f['failures']}"),
            ("builds a minute", f"{f['builds_per_minute']}"),
            ("a build's run p50 / max (row)", f"{f['run_p50_s']} s / {f['run_max_s']} s"),
            ("a build, manual.json seconds p50", f"{f['manual_p50_s']} s"),
            ("chapters laid out again (done builds)",
             f"{laid} of {chapters} ({100 * (f['laid_out_share'] or 0):.1f} %)"),
            ("manuals not on the new version", str(len(stale))),
            *([("peer: cached vs full layout, mean",
                f"{f['peer_cached_mean_s']} s vs {f['peer_full_mean_s']} s: ratio "
                f"{f['peer_ratio_cached_vs_full']} ({len(sample)} companies; the rows' "
                f"runs {f['peer_cached_run_mean_s']} vs {f['peer_full_run_mean_s']} s)")]
              if sample else []),
            ("goal: under 4 minutes, none failed", "MET" if f["goal_met"] else
             f"MISSED ({f['wall_s']} s, {len(failures)} failed)"),
        ]))
        for line in failures[:5]:
            print(f"  failed: {line}")
        print(json.dumps(figures, separators=(",", ":")))
        return 1 if failures or stale else 0
    except KeyboardInterrupt:
        say("interrupted: stopping every process started")
        return 130
    finally:
        workers.close()
        if args.keep:
            say(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
