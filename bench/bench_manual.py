"""Benchmark: the example manual, whole processes and a warm process, against peers, in one run.

1. Cold, whole process: `manualgen manual` (no layout cached, no shared LibreOffice running;
   the policies' compiled templates kept in the user's cache by an earlier command)
   against the peer that also learns its page numbers: pandoc writing the same rendered
   Markdown to .docx with a contents field, then one cold LibreOffice layout of it
   (docx -> PDF, a fresh profile, like ours). Runs alternate ours/peer; medians; the ratio
   is taken pair by pair. Also: ours with every chapter's layout cached (no LibreOffice),
   and ours with plain cold `soffice --convert-to` (no warm instance started early).
2. A warm process (the web app's server, a fleet worker): the library loaded and warm
   LibreOffices kept (as many as the web app's server keeps, one a core up to two, laying
   out side by side; then one, as a fleet worker has), a rebuild from nothing (empty
   layout cache) and a rebuild with one chapter changed (the equipment list, a new value
   each run), each reading the company file as the web app does.
Usage: python bench/bench_manual.py [--runs N]   (needs pandoc: scripts/setup.sh --bench)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from manualgen import api  # noqa: E402
from manualgen.inputs.pipeline import load_inputs  # noqa: E402
from manualgen.manual.build import MASTER_TEMPLATE, render_policies  # noqa: E402
from manualgen.services.office import (  # noqa: E402
    Office,
    find_soffice,
    lanes_for_machine,
    program,
)

EXAMPLE = ROOT / "examples" / "company.yaml"


def wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def med(values: list[float]) -> float:
    return statistics.median(values)


def cold(tmp: Path, runs: int) -> float:
    company = tmp / "company"
    company.mkdir()
    shutil.copy(EXAMPLE, company / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", company / "logo.png")
    # The user's cache (the policies' compiled templates) is filled by the warm-up run, as
    # by any earlier command; one line also times a first command ever, without it.
    env = dict(os.environ, MANUALGEN_OFFICE_SOCKET=str(tmp / "no-shared-office.sock"),
               XDG_CACHE_HOME=str(tmp / "user-cache"))
    manualgen = [sys.executable, "-m", "manualgen", "manual", str(company / "company.yaml"),
                 "-o", str(tmp / "ours.docx")]

    inputs = load_inputs(EXAMPLE)
    rendered = render_policies(inputs)
    markdown = "\n\n".join(f"# {r.policy.title}\n\n{r.markdown}" for r in rendered)
    md_path = tmp / "manual.md"
    md_path.write_text(markdown, encoding="utf-8")
    master = inputs.library.forms_dir / MASTER_TEMPLATE
    soffice = program(find_soffice() or "soffice")

    def peer(n: int) -> list[list[str]]:
        profile = tmp / f"peer-profile-{n}"
        return [["pandoc", str(md_path), "-o", str(tmp / "pandoc.docx"), "--toc",
                 f"--reference-doc={master}"],
                [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                 "--norestore", "--convert-to", "pdf", "--outdir", str(tmp / "peer"),
                 str(tmp / "pandoc.docx")]]

    def peer_run(n: int) -> float:
        start = time.perf_counter()
        for cmd in peer(n):
            proc = subprocess.run(cmd, capture_output=True, env=dict(os.environ,
                                                                     SAL_USE_VCLPLUGIN="svp"))
            if proc.returncode == 81:          # a new profile: LibreOffice starts again
                subprocess.run(cmd, check=True, capture_output=True)
        return time.perf_counter() - start

    no_cache = [*manualgen, "--no-cache"]
    plain_env = dict(env, MANUALGEN_UNO_PYTHON="")
    wall(no_cache, env)                                      # warm-up: the disk cache
    peer_run(-1)
    ours, theirs, plain, pandoc_only, first = [], [], [], [], []
    for n in range(runs):
        ours.append(wall(no_cache, env))
        theirs.append(peer_run(n))
        plain.append(wall(no_cache, plain_env))
        pandoc_only.append(wall(peer(n)[0]))
        first.append(wall(no_cache, dict(env, XDG_CACHE_HOME=str(tmp / f"first-{n}"))))
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    wall(manualgen, env)                                     # fills the layout cache
    cached = [wall(manualgen, env) for _ in range(runs)]
    built = api.manual.build(company / "company.yaml", api.load_library(),
                             api.manual.ManualOptions(office=Office.find(),
                                                      cache=api.manual.LayoutCache(company / "c")))
    print(f"example manual: {built.pages} pages, {len(rendered)} policies, "
          f"{len(markdown.split())} words of policy text")
    print("\n1. cold, whole process (medians of "
          f"{runs}; ours and the peer alternate)")
    print(f"  manualgen manual, nothing cached (warm LibreOffice started at once):"
          f" {med(ours):6.2f} s")
    print(f"  the same, a first command ever (no compiled templates kept either):"
          f"  {med(first):6.2f} s")
    print(f"  manualgen manual, nothing cached, plain cold soffice --convert-to:  "
          f" {med(plain):6.2f} s")
    print(f"  manualgen manual, every chapter's layout cached (no LibreOffice):   "
          f" {med(cached):6.2f} s")
    print(f"  peer: pandoc --toc + cold LibreOffice docx -> PDF:                  "
          f" {med(theirs):6.2f} s   (pandoc alone {med(pandoc_only):.2f} s)")
    print(f"  ratio ours / peer (pairwise median): {med(ratios):.2f}x (goal <= 1.0x); "
          f"first command ever / peer {med(first) / med(theirs):.2f}x; "
          f"plain cold / peer {med(plain) / med(theirs):.2f}x; "
          f"cached / peer {med(cached) / med(theirs):.2f}x")
    return med(theirs)


def warm(tmp: Path, runs: int, peer: float, lanes: int) -> None:
    library = api.load_library()
    base = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))

    folder = tmp / f"warm-{lanes}"
    folder.mkdir()
    shutil.copy(EXAMPLE.parent / "logo.png", folder / "logo.png")

    def profile(counter: int | None) -> Path:
        """The company file as the web app finds it (read and checked inside the timing,
        as the web app does for each build; written before it)."""
        data = yaml.safe_load(yaml.safe_dump(base))
        if counter is not None:
            data["equipment"][3]["description"] = f"Two 32 ft extension ladders, set {counter}"
        path = folder / "company.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    with Office.warm(instances=lanes) as office:
        office.start()
        api.manual.build(profile(None), library,
                         api.manual.ManualOptions(office=office))          # warm-up
        fresh, changed, whole = [], [], []
        cache = api.manual.LayoutCache()
        api.manual.build(profile(None), library, api.manual.ManualOptions(office=office,
                                                                          cache=cache))
        for n in range(runs):
            path = profile(None)
            start = time.perf_counter()
            api.manual.build(path, library, api.manual.ManualOptions(office=office,
                                                                     cache=api.manual.LayoutCache()))
            fresh.append(time.perf_counter() - start)
            before = cache.misses
            path = profile(n)
            start = time.perf_counter()
            api.manual.build(path, library, api.manual.ManualOptions(office=office, cache=cache))
            changed.append(time.perf_counter() - start)
            laid_out = cache.misses - before
            start = time.perf_counter()
            api.manual.build(path, library, api.manual.ManualOptions(office=office))
            whole.append(time.perf_counter() - start)
        warm_kind = "warm LibreOffice(s)" if office.is_warm else "COLD (no UNO bridge)"
    print(f"\n2. a warm process ({lanes} {warm_kind}, library loaded; medians of {runs})")
    print(f"  rebuild from nothing (empty layout cache):      {med(fresh):5.2f} s   "
          f"(goal < 1.5 s; {med(fresh) / peer:.2f}x the cold peer)")
    print(f"  rebuild with one chapter changed ({laid_out} of the "
          f"chapters laid out): {med(changed):5.2f} s   (goal < 1.0 s; "
          f"{med(changed) / peer:.2f}x the cold peer)")
    print(f"  rebuild, whole layout, no cache:                {med(whole):5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        sys.exit("pandoc is not installed: run scripts/setup.sh --bench")
    tmp = Path(tempfile.mkdtemp(prefix="bench-manual-"))
    try:
        peer = cold(tmp, args.runs)
        for lanes in sorted({1, lanes_for_machine()}, reverse=True):
            warm(tmp, args.runs, peer, lanes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
