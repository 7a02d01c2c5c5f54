"""Benchmark: `manualgen batch` over a fleet of company folders, against one at a time.

Generates N company folders (the example company varied: names, people, equipment, hazards,
half of them small companies), then times whole processes:
1. `manualgen batch DIR -o OUT --no-cache` (NSNY after a library change: every chapter
   laid out), with the default workers (the cores), each with a warm LibreOffice;
2. the same again with the layout cache it left (nothing changed);
3. NSNY after a library change: one policy every company has (Hazard Assessment) gets a
   new paragraph, in a copy of the library, and the fleet is built again with its caches:
   the chapter holding that policy is laid out again for every company, the rest is not;
4. the peer: `manualgen manual --no-cache` one process per company, on a sample of K
   companies, extrapolated to N (said so), and each sample's bytes compared with batch's.
Usage: python bench/bench_fleet.py [--companies N] [--sample K] [--workers W]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "company.yaml"
FIRST = ["Ada", "Ben", "Chantal", "Dawson", "Eli", "Fern", "Gus", "Hana", "Ivo", "Jun",
         "Kai", "Lena", "Moe", "Nia", "Otto", "Pia"]
LAST = ["Aklavik", "Bennett", "Carcross", "Destruction", "Elsa", "Faro", "Haines", "Keno",
        "Mayo", "Ross", "Teslin", "Watson"]


CHANGED_POLICY = "hazard-assessment.md"
CHANGE = ("\n\nAfter a near miss, the supervisor and the worker who reported it review the "
          "assessment together within one working day and record what they changed.\n")


def make_fleet(folder: Path, count: int) -> None:
    base = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for i in range(count):
        rnd = random.Random(i)
        data = yaml.safe_load(yaml.safe_dump(base))
        company = data["company"]
        name = f"{rnd.choice(LAST)} {rnd.choice(['Roofing', 'Builders', 'Contracting'])} {i}"
        company["legal_name"] = f"{name} Ltd."
        company["operating_name"] = name
        small = i % 2 == 1
        people = data["people"]
        data["people"] = people[:2] if small else people
        for n, person in enumerate(data["people"][1:]):
            person["name"] = f"{rnd.choice(FIRST)} {LAST[n % len(LAST)]}"
        data["equipment"] = data["equipment"][:rnd.randint(1, len(data["equipment"]))]
        keep = rnd.randint(3, len(data["hazards"]))
        data["hazards"] = rnd.sample(data["hazards"], keep)
        target = folder / f"company-{i:04d}"
        target.mkdir(parents=True)
        (target / "company.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
        shutil.copy(EXAMPLE.parent / "logo.png", target / "logo.png")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=100)
    parser.add_argument("--sample", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    env = dict(os.environ, MANUALGEN_OFFICE_SOCKET=str(tmp / "no-shared-office.sock"))
    manualgen = [sys.executable, "-m", "manualgen"]
    try:
        make_fleet(tmp / "fleet", args.companies)
        workers = ["--workers", str(args.workers)] if args.workers else []
        batch, proc = timed([*manualgen, "batch", str(tmp / "fleet"), "-o", str(tmp / "out"),
                             "--no-cache", *workers], env)
        if proc.returncode != 0:
            sys.exit(proc.stdout + proc.stderr)
        print(proc.stdout.strip())
        timed([*manualgen, "batch", str(tmp / "fleet"), "-o", str(tmp / "warm"), *workers],
              env)                                           # fills each layout cache
        cached, proc = timed([*manualgen, "batch", str(tmp / "fleet"), "-o",
                              str(tmp / "cached"), *workers], env)
        library = tmp / "library"
        for part in ("policy_library", "form_templates"):
            shutil.copytree(ROOT / part, library / part)
        changed = library / "policy_library" / "policies" / CHANGED_POLICY
        text = changed.read_text(encoding="utf-8")
        cut = text.index("\n## ", text.index("\n## ") + 1)     # after the first section
        changed.write_text(text[:cut] + CHANGE + text[cut:], encoding="utf-8")
        after, proc = timed([*manualgen, "batch", str(tmp / "fleet"), "-o", str(tmp / "after"),
                             "--library", str(library), *workers], env)
        if proc.returncode != 0:
            sys.exit(proc.stdout + proc.stderr)
        sample = sorted((tmp / "fleet").iterdir())[:: max(1, args.companies // args.sample)]
        sample = sample[:args.sample]
        serial = []
        identical = identical_after = 0
        for folder in sample:
            out = tmp / "alone" / f"{folder.name}.docx"
            seconds, proc = timed([*manualgen, "manual", str(folder / "company.yaml"), "-o",
                                   str(out), "--no-cache", "--no-record"], env)
            serial.append(seconds)
            identical += out.read_bytes() == (tmp / "out" / f"{folder.name}.docx").read_bytes()
        for folder in sample[:2]:
            out = tmp / "alone-after" / f"{folder.name}.docx"
            timed([*manualgen, "manual", str(folder / "company.yaml"), "-o", str(out),
                   "--no-cache", "--no-record", "--library", str(library)], env)
            identical_after += out.read_bytes() == (tmp / "after" /
                                                    f"{folder.name}.docx").read_bytes()
        per_alone = sum(serial) / len(serial)
        n = args.companies
        print(f"\nfleet of {n} companies, {os.cpu_count()} cores, "
              f"{args.workers or os.cpu_count()} workers")
        print(f"  manualgen batch, nothing cached:  {batch:7.1f} s  ({batch / n:.2f} s a manual; "
              f"500 would take {batch / n * 500:.0f} s, goal < 240 s"
              + ("" if n == 500 else ", extrapolated") + ")")
        print(f"  manualgen batch, all cached:      {cached:7.1f} s  ({cached / n:.2f} s a manual)")
        print(f"  manualgen batch, after a library change (one policy): {after:7.1f} s  "
              f"({after / n:.2f} s a manual; 500 would take {after / n * 500:.0f} s, goal "
              f"< 240 s" + ("" if n == 500 else ", extrapolated") + ")")
        print(f"  peer, manualgen manual one process per company, {len(sample)} of them: "
              f"{per_alone:.2f} s a manual -> {per_alone * n:.0f} s for {n} (extrapolated)")
        print(f"  ratio batch / one at a time: {batch / (per_alone * n):.2f}x")
        print(f"  byte-identical to one-at-a-time builds: {identical} of {len(sample)}; "
              f"after the library change {identical_after} of {min(2, len(sample))}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
