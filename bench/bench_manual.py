"""Benchmark: the example manual against pandoc on the same content, in one run.

Prints the median wall time of the whole `manualgen manual` process (with its LibreOffice
layout pass that numbers the contents), of the Word-building stage alone, and of pandoc
converting the same rendered Markdown to .docx (the baseline); then the ratios.
Usage: python bench/bench_manual.py [--runs N]   (needs pandoc: scripts/setup.sh --bench)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from manualgen.inputs.pipeline import load_inputs  # noqa: E402
from manualgen.manual.build import render_policies  # noqa: E402
from manualgen.manual.compose import compose  # noqa: E402
from manualgen.render.docx_io import docx_bytes  # noqa: E402

EXAMPLE = ROOT / "examples" / "company.yaml"


def timed(func, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        sys.exit("pandoc is not installed: run scripts/setup.sh --bench")
    tmp = Path(tempfile.mkdtemp(prefix="bench-manual-"))
    out = tmp / "manual.docx"
    cli = [sys.executable, "-m", "manualgen", "manual", str(EXAMPLE), "-o", str(out)]

    inputs = load_inputs(EXAMPLE)
    rendered = render_policies(inputs)
    markdown = "\n\n".join(f"# {r.policy.title}\n\n{r.markdown}" for r in rendered)
    md_path = tmp / "manual.md"
    md_path.write_text(markdown, encoding="utf-8")
    master = inputs.library.forms_dir / "master.docx"
    pandoc = ["pandoc", str(md_path), "-o", str(tmp / "pandoc.docx"),
              f"--reference-doc={master}"]

    def whole() -> None:
        subprocess.run(cli, check=True, capture_output=True)

    def docx_stage() -> None:
        docx_bytes(compose(master, inputs, rendered).document,
                   inputs.profile.profile.manual.issued)

    def baseline() -> None:
        subprocess.run(pandoc, check=True, capture_output=True)

    ours = statistics.median(timed(whole, args.runs))
    stage = statistics.median(timed(docx_stage, args.runs))
    base = statistics.median(timed(baseline, args.runs))
    subprocess.run(cli + ["--pdf"], check=True, capture_output=True)
    pages = len(PdfReader(out.with_suffix(".pdf")).pages)
    words = len(markdown.split())
    print(f"example manual: {pages} pages, {len(rendered)} policies, {words} words of policy text")
    print(f"manualgen manual (whole process, incl. LibreOffice layout pass): {ours:.2f} s")
    print(f"  Word-building stage alone (in process):                       {stage:.2f} s")
    print(f"pandoc, same Markdown -> docx (baseline):                         {base:.2f} s")
    print(f"ratio whole/pandoc: {ours / base:.2f}x   ratio Word stage/pandoc: {stage / base:.2f}x")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
