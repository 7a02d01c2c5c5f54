"""Benchmark: every test company's manual, pages, words and build time, against a peer.

For each company in the library's test-companies/ folder, `manualgen manual` builds its
manual as a whole process (LibreOffice lays it out, so the page count is the real one);
the words are counted in the Word file's paragraphs and table cells. The peer, run in
the same process turn by turn, is the same command on the example company (the roofer),
so the ratio of each company's build time to the roofer's is taken on the same machine
state.

`--manualgen CMD` and `--strip` measure an older manualgen on the same companies: strip
removes what an older profile model does not know (trades, dismissals, access, facility,
birth dates, consultations, task ids and steps) and hazard keys the older library lacks,
so "before and after" figures come from one script.

Usage: python bench/bench_trades.py [--only NAME] [--manualgen "python -m manualgen"]
       [--library DIR] [--strip] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPANIES = ROOT / "policy_library" / "test-companies"
EXAMPLE = ROOT / "examples" / "company.yaml"

NEW_COMPANY = ("trades", "trade_other")
NEW_PERSON = ("birth_date", "young_worker")
NEW_SITE = ("access", "facility")
NEW_TOP = ("dismissed_hazards", "dismissed_tasks")
NEW_TASK = ("id", "procedure", "steps")


def strip(data: dict, hazard_keys: set[str]) -> dict:
    """The profile as an older manualgen reads it."""
    for key in NEW_COMPANY:
        data["company"].pop(key, None)
    for person in data.get("people", []):
        for key in NEW_PERSON:
            person.pop(key, None)
    for site in data.get("worksites", []):
        for key in NEW_SITE:
            site.pop(key, None)
    for key in NEW_TOP:
        data.pop(key, None)
    data["tasks"] = [{k: v for k, v in t.items() if k not in NEW_TASK}
                     for t in data.get("tasks", []) if t.get("hazard") in hazard_keys]
    data.get("manual", {}).pop("consultations", None)
    data["hazards"] = [h for h in data.get("hazards", []) if h in hazard_keys]
    return data


def words(path: Path) -> int:
    document = docx.Document(str(path))
    text = [p.text for p in document.paragraphs]
    text += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return len(" ".join(text).split())


def build(command: list[str], profile: Path, out: Path, library: str | None) -> tuple[int, float]:
    args = [*command, "manual", str(profile), "-o", str(out), "--no-cache"]
    if library:
        args += ["--library", library]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{profile}: {done.stdout}{done.stderr}")
    pages = re.search(r"(\d+) pages\)", done.stdout)
    return (int(pages.group(1)) if pages else 0), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--manualgen", default=f"{sys.executable} -m manualgen")
    parser.add_argument("--library", default=None, help="the policy library to build with")
    parser.add_argument("--strip", action="store_true",
                        help="drop what an older profile model does not know")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args()
    command = shlex.split(args.manualgen)
    hazards_file = Path(args.library or ROOT / "policy_library") / "hazards.yaml"
    keys = {h["key"] for h in yaml.safe_load(hazards_file.read_text(encoding="utf-8"))}
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        roofer = tmp / "roofer"
        roofer.mkdir()
        example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
        (roofer / "company.yaml").write_text(yaml.safe_dump(
            strip(example, keys) if args.strip else example), encoding="utf-8")
        (roofer / "logo.png").write_bytes((EXAMPLE.parent / "logo.png").read_bytes())
        print(f"{'company':30} {'pages':>5} {'words':>7} {'seconds':>8} {'vs roofer':>9}")
        for folder in sorted(COMPANIES.iterdir()):
            if args.only and folder.name not in args.only:
                continue
            data = yaml.safe_load((folder / "company.yaml").read_text(encoding="utf-8"))
            target = tmp / folder.name
            target.mkdir()
            (target / "company.yaml").write_text(yaml.safe_dump(
                strip(data, keys) if args.strip else data, allow_unicode=True),
                encoding="utf-8")
            out = target / "manual.docx"
            pages, seconds = build(command, target / "company.yaml", out, args.library)
            _, peer = build(command, roofer / "company.yaml", tmp / "roofer.docx",
                            args.library)
            row = {"company": folder.name, "pages": pages, "words": words(out),
                   "seconds": round(seconds, 2), "roofer_seconds": round(peer, 2)}
            rows.append(row)
            print(f"{folder.name:30} {pages:5} {row['words']:7} {seconds:8.2f} "
                  f"{seconds / peer:9.2f}")
    total = sum(r["pages"] for r in rows)
    print(f"{len(rows)} manuals, {total} pages, median "
          f"{sorted(r['seconds'] for r in rows)[len(rows) // 2]:.2f} s a manual")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
