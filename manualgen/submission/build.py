"""`package build`: a submission folder -> one navigable PDF and its JSON index.

The stages, one line each: load the submission and the package; scan the folder; turn
every sample into PDF pages; judge the categories; generate the reports (the Year End
Safety Activity Summary); lay out and draw the cover, checklist, contents and dividers;
merge, link, bookmark and stamp; write the PDF and the index atomically.
Nothing is written into the submission folder.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from manualgen import __version__
from manualgen.errors import InputError, Problem, UsageError, fail
from manualgen.inputs.submission import Submission
from manualgen.services.office import Office
from manualgen.services.storage import Scratch, atomic_copy, atomic_write_text, scratch_dir
from manualgen.submission import intake
from manualgen.submission.assemble import OutlineNode, Part, Properties, assemble
from manualgen.submission.check import CategoryState, CategoryStatus, Report, judge, state_text
from manualgen.submission.index import file_sha256, index_data, index_text
from manualgen.submission.normalise import (
    SMALLER_STEPS,
    Failed,
    Normalised,
    Unreadable,
    normalise_all,
)
from manualgen.submission.pages import (
    GENERATED,
    CategoryEntry,
    DocEntry,
    FrontInfo,
    Rendered,
    checklist,
    contents,
    cover,
    divider,
    doc_label,
)
from manualgen.submission.spec import DEFAULT_PACKAGE, PackageSpec, load_package

Generator = Callable[[Submission], bytes]
Progress = Callable[[str, int, int], None]        # (stage, steps done now, total steps)


def year_end_summary(sub: Submission) -> bytes:
    """The Year End Safety Activity Summary Report as PDF bytes."""
    from manualgen.summary import build_summary

    return build_summary(sub).pdf_bytes()


GENERATORS: dict[str, Generator] = {"year_end_summary": year_end_summary}


@dataclass
class BuildOptions:
    skip_unreadable: bool = False
    keep_resolution: bool = False
    max_size: int | None = None        # bytes: lower picture quality step by step to fit
    package: str | Path = DEFAULT_PACKAGE
    pdf_name: str = "submission.pdf"   # the PDF's file name, as the index records it


@dataclass
class BuildResult:
    """The submission PDF (kept in a private temporary file until written), its index."""

    pdf_name: str
    pages: int
    report: Report
    index: dict
    categories: list[CategoryEntry] = field(default_factory=list)
    scratch: Scratch | None = field(default=None, repr=False)

    @property
    def pdf_path(self) -> Path:
        assert self.scratch is not None
        return Path(self.scratch.name) / self.pdf_name

    def pdf_bytes(self) -> bytes:
        return self.pdf_path.read_bytes()

    def index_text(self) -> str:
        return index_text(self.index)

    def write(self, output: Path | str) -> tuple[Path, Path]:
        """Write the PDF and its JSON index beside it, each atomically."""
        output = Path(output)
        index = output.with_suffix(".json")
        atomic_copy(self.pdf_path, output)
        atomic_write_text(index, self.index_text())
        return output, index

    def summary(self, shown: str | None = None) -> str:
        docs = sum(len(c.docs) for c in self.categories)
        text = f"{shown or self.pdf_name}: {self.pages} pages, {docs} documents in " \
               f"{len(self.categories)} categories; index " \
               f"{Path(self.pdf_name).with_suffix('.json').name}"
        if self.report.findings:
            text += f"\n{len(self.report.errors)} finding(s), " \
                    f"{len(self.report.findings) - len(self.report.errors)} warning(s):"
            text += "".join(f"\n  {p}" for p in self.report.findings)
        return text


def build_package(sub: Submission, options: BuildOptions | None = None, *,
                  generators: dict[str, Generator] | None = None,
                  office: Office | None = None, convert: Callable | None = None,
                  progress: Progress | None = None) -> BuildResult:
    """Build the submission PDF and its index; see the module docstring for the stages."""
    options = options or BuildOptions()
    if options.max_size is not None and options.keep_resolution:
        raise UsageError("a size limit and full-resolution pictures do not go together",
                         fix="leave out --keep-resolution or --max-size")
    generators = {**GENERATORS, **(generators or {})}
    tick = progress or (lambda stage, n, total: None)
    if convert is None:
        convert = (office or Office.find()).convert
    spec = load_package(options.package, sub.library)
    found = intake.scan(sub, spec)
    generated = [c for c in spec.categories if c.generated]
    total = len(found.samples) + len(generated) + 2
    tick("reading samples", 0, total)         # each stage ticks 0 when it starts

    # The reports read only the company's records: they are drawn (Python, holding the
    # GIL) while the samples are read (Pillow and LibreOffice, which do not hold it).
    with ThreadPoolExecutor(max_workers=1) as drawing, \
            scratch_dir("manualgen-package-") as tmp:
        drawn = {cat.key: drawing.submit(generators[cat.generated], sub) for cat in generated}
        work = Path(tmp)
        results = normalise_all(found.samples, work, keep_resolution=options.keep_resolution,
                                convert=convert,
                                progress=lambda n: tick("reading samples", n, total))
        by_rel = {r.sample.rel: r for r in results}
        report = judge(sub, spec, found, reader=lambda s: _read(by_rel[s.rel]))
        tick("generating reports", 0, total)
        reports, failures = _generate(sub, generated, drawn, report, work)
        tick("generating reports", len(generated), total)
        _stop_on_unreadable(report, failures, options)

        tick("laying out", 0, total)
        entries = _entries(sub, spec, report, by_rel, reports)
        info = _front_info(sub, spec, report)
        plan = _layout(info, entries)
        tick("laying out", 1, total)
        parts = _parts(plan, entries, by_rel, reports)
        stamp_label = ("DRAFT - " if info.draft else "") + \
            f"{sub.company_name} - {spec.short_title} {sub.year}"
        tick("assembling", 0, total)
        scratch = Scratch(prefix="manualgen-built-")
        try:
            pdf_path = Path(scratch.name) / options.pdf_name
            pages = assemble(parts, _outline(plan, entries), plan.targets,
                             lambda x, y: f"{stamp_label} - page {x} of {y}",
                             _properties(sub, spec, report), pdf_path)
            if pages != plan.total:
                raise AssertionError(f"assembled {pages} pages, planned {plan.total}")
            if options.max_size is not None and pdf_path.stat().st_size > options.max_size:
                tick("fitting to size", 0, total)
                report.findings.append(_fit(
                    sub, options.max_size, found.samples, by_rel, work, pdf_path,
                    lambda: assemble(_parts(plan, entries, by_rel, reports),
                                     _outline(plan, entries), plan.targets,
                                     lambda x, y: f"{stamp_label} - page {x} of {y}",
                                     _properties(sub, spec, report), pdf_path),
                    convert))
            tick("writing", 1, total)
            hashes = {s.rel: file_sha256(s.path) for s in found.samples}
            index = index_data(options.pdf_name, info, plan.sections, entries, report, hashes)
        except BaseException:
            scratch.cleanup()
            raise
        tick("done", 0, total)
    return BuildResult(options.pdf_name, pages, report, index, entries, scratch)


def _mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def _fit(sub: Submission, limit: int, samples: list, by_rel: dict, work: Path, pdf_path: Path,
         reassemble: Callable[[], int], convert: Callable) -> Problem:
    """Store the pictures smaller, one step at a time, until the PDF fits in `limit` bytes;
    re-assemble only when the pictures' sizes say it may fit. Says what was done, or why
    it cannot fit and what would."""
    pictures = [s for s in samples if s.kind == "image" and isinstance(by_rel[s.rel],
                                                                        Normalised)]
    size = pdf_path.stat().st_size
    step = None
    for i, step in enumerate(SMALLER_STEPS):
        if not pictures:
            break
        before = sum(by_rel[s.rel].pdf.stat().st_size for s in pictures)
        smaller = normalise_all(pictures, work / f"smaller-{i}", quality=step, convert=convert)
        for result in smaller:
            if isinstance(result, Normalised):
                by_rel[result.sample.rel] = result
        after = sum(by_rel[s.rel].pdf.stat().st_size for s in pictures)
        if size - before + after > limit:
            size = size - before + after         # an estimate: not assembled
            continue
        reassemble()
        size = pdf_path.stat().st_size
        if size <= limit:
            return Problem(str(sub.folder), None, None,
                           f"pictures stored at {step} so the PDF fits in {_mb(limit)} "
                           f"({_mb(size)})", None, "warning")
    if pictures and step is not None:
        reassemble()                             # the smallest pictures we allow, at least
        size = pdf_path.stat().st_size
    largest = sorted(((by_rel[s.rel].pdf.stat().st_size, s.rel) for s in samples
                      if isinstance(by_rel.get(s.rel), Normalised)), reverse=True)[:3]
    pictures_size = sum(by_rel[s.rel].pdf.stat().st_size for s in pictures)
    what = f"even with pictures at {SMALLER_STEPS[-1]} (less would blur text)" if pictures \
        else "and it has no pictures to store smaller"
    return Problem(str(sub.folder), None, None,
                   f"the PDF is {_mb(size)}, over the {_mb(limit)} asked for, {what}",
                   f"it would fit without {_mb(size - limit)} of samples; the largest: "
                   + ", ".join(f"{rel} ({_mb(n)})" for n, rel in largest)
                   + (f"; the pictures take {_mb(pictures_size)}" if pictures else "")
                   + f"; or send it in parts, or allow --max-size {math.ceil(size / 1e6)}MB",
                   "error")


def refuse_output_inside(folder: Path, output: Path) -> None:
    """The build never writes into the submission folder it reads."""
    try:
        output.resolve().relative_to(folder.resolve())
    except ValueError:
        return
    raise fail(output, "the output would be written inside the submission folder, which "
               "the build never changes", fix="write it beside the folder, like "
               f"-o {folder.name}.pdf")


def _read(result: Normalised | Failed) -> tuple[int, list[str]]:
    if isinstance(result, Failed):
        raise Unreadable(result.problem.message, result.problem.fix or "")
    return result.pages, [n.message for n in result.notes]


def _generate(sub: Submission, generated, drawn: dict[str, Future[bytes]],
              report: Report, work: Path) -> tuple[dict[str, tuple[Path, int]], list[Problem]]:
    """Each generated category's report, drawn; a failure is a finding like a bad file."""
    out: dict[str, tuple[Path, int]] = {}
    failures: list[Problem] = []
    for cat in generated:
        status = next(s for s in report.categories if s.category.key == cat.key)
        try:
            data = drawn[cat.key].result()
            with pikepdf.open(io.BytesIO(data)) as pdf:
                pages = len(pdf.pages)
            if pages == 0:
                raise InputError(Problem(str(sub.folder), None, None,
                                         f"{cat.title}: the report has no pages"))
        except InputError as exc:
            status.status = CategoryState.MISSING
            status.status_text = state_text(status.status, "could not be generated")
            failures.extend(exc.problems or [Problem(str(sub.folder), None, None,
                                                     f"{cat.title} could not be generated")])
            report.findings.extend(p for p in exc.problems if p not in report.findings)
            continue
        path = work / f"generated-{cat.key}.pdf"
        path.write_bytes(data)
        out[cat.key] = (path, pages)
        status.status = CategoryState.GENERATED
        status.status_text = state_text(status.status)
        status.counted = 1
    return out, failures


def _stop_on_unreadable(report: Report, failures: list[Problem],
                        options: BuildOptions) -> None:
    """Files that cannot go in stop the build, all named at once, unless skipped on purpose."""
    problems = [r.problem for r in report.refused] + failures
    if options.skip_unreadable or not problems:
        return
    raise InputError(problems, title=f"{len(problems)} problem(s) keep files out of the "
                     "submission; fix them, or build with --skip-unreadable to list them "
                     "on the checklist instead:")


def _entries(sub: Submission, spec: PackageSpec, report: Report,
             by_rel: dict[str, Normalised | Failed],
             reports: dict[str, tuple[Path, int]]) -> list[CategoryEntry]:
    out = []
    for status in report.categories:
        cat = status.category
        docs = []
        for sample in status.samples:
            result = by_rel[sample.rel]
            assert isinstance(result, Normalised)
            docs.append(DocEntry(f"doc:{sample.rel}", sample.title, sample.date, sample.rel,
                                 result.pages, [n.message for n in result.notes]))
        if cat.generated and cat.key in reports:
            docs.insert(0, DocEntry(f"doc:generated:{cat.key}", cat.title, None, GENERATED,
                                    reports[cat.key][1]))
        element = None
        if cat.element is not None:
            el = sub.library.element(cat.element)
            element = f"Audit element {cat.element}" + (f": {el.title}" if el else "")
        out.append(CategoryEntry(
            status.number, cat.key, cat.title, cat.evidence, element, status.needed,
            status.status, status.status_text, docs,
            [(r.rel, r.problem.message) for r in status.refused]))
    return out


def _rel(path: str, folder: Path) -> str:
    try:
        return Path(path).relative_to(folder).as_posix()
    except ValueError:
        return path


def _front_info(sub: Submission, spec: PackageSpec, report: Report) -> FrontInfo:
    profile = sub.inputs.profile.profile
    company = profile.company
    position = next((p.position for p in profile.people if p.name == sub.prepared_by), None)
    period_text = f"{sub.period.start:%B} {sub.period.start.day}, {sub.period.start.year} " \
                  f"to {sub.period.end:%B} {sub.period.end.day}, {sub.period.end.year}"
    shown = {r.problem for r in report.refused}          # on the "not included" table
    shown |= {p for c in report.categories for p in c.problems}   # in the status column
    notes = [_note(p, report.folder) for p in report.findings if p not in shown]
    titles = {c.category.key: c.category.title for c in report.categories}
    not_included = [(titles.get(r.category or "", "-"), r.rel, r.problem.message)
                    for r in report.refused]
    return FrontInfo(
        package_title=spec.title, submitted_to=spec.submitted_to, year=sub.year,
        company=company.name, legal_name=company.legal_name, address=company.address,
        wscb_account=company.wscb_account,
        certificate=profile.secor.certificate_number if profile.secor else None,
        period=(sub.period.start, sub.period.end), anniversary=sub.anniversary,
        prepared_by=sub.prepared_by, position=position,
        declaration=" ".join(spec.declaration.format(company=company.legal_name,
                                                     period=period_text).split()),
        logo=sub.inputs.profile.logo, notes=notes, not_included=not_included,
        generator=f"Assembled by manualgen {__version__} with the "
                  f"{sub.library.info.name} {sub.library.info.version}",
        draft=(f"not complete: {len(report.errors)} finding(s) to fix before sending"
               if report.errors else None))


def _note(problem: Problem, folder: Path) -> str:
    where = _rel(problem.path, folder)
    return f"{where}: {problem.message}" if where and where != "." else problem.message


def _properties(sub: Submission, spec: PackageSpec, report: Report) -> Properties:
    legal = sub.inputs.profile.profile.company.legal_name
    return Properties(
        title=f"{spec.title} {sub.year} - {legal}", author=sub.prepared_by,
        subject=f"{spec.title}, review period {sub.period.start.isoformat()} to "
                f"{sub.period.end.isoformat()}",
        keywords=f"SECOR, {spec.short_title}, {sub.year}, {sub.company_name}",
        creator=f"manualgen {__version__}", date=_as_of(sub, report))


def _as_of(sub: Submission, report: Report) -> dt.date:
    """The document's date: its latest sample inside the period, else the period's end."""
    dates = [s.date for c in report.categories for s in c.samples
             if s.date and sub.period.start <= s.date <= sub.period.end]
    return max(dates) if dates else sub.period.end


# --- layout ------------------------------------------------------------------------------

@dataclass
class Plan:
    cover: Rendered
    checklist: Rendered
    contents: Rendered
    dividers: list[Rendered]
    targets: dict[str, int]             # key -> 0-based page
    sections: list[tuple[str, int, int]]   # front sections: (title, first page, count)
    total: int


def _number(info: FrontInfo, entries: list[CategoryEntry], counts: tuple[int, int, int],
            divider_counts: list[int]) -> tuple[dict[str, int], list, int]:
    n_cover, n_check, n_contents = counts
    page = 1
    sections = [("Cover", page, n_cover)]
    page += n_cover
    sections.append(("Submission checklist", page, n_check))
    page += n_check
    sections.append(("Contents", page, n_contents))
    page += n_contents
    targets = {"front:cover": 0, "front:checklist": sections[1][1] - 1,
               "front:contents": sections[2][1] - 1}
    for cat, n_div in zip(entries, divider_counts, strict=True):
        cat.divider_page, cat.divider_pages = page, n_div
        targets[cat.target] = page - 1
        page += n_div
        for doc in cat.docs:
            doc.first_page = page
            targets[doc.key] = page - 1
            page += doc.pages
    info.total_pages = page - 1
    return targets, sections, page - 1


def _layout(info: FrontInfo, entries: list[CategoryEntry]) -> Plan:
    """Draw the generated pages until their page counts stop changing (twice, normally)."""
    counts, div_counts = (1, 1, 1), [1] * len(entries)
    for _ in range(4):
        targets, sections, total = _number(info, entries, counts, div_counts)
        front = [(title, first, f"front:{key}") for (title, first, _), key in
                 zip(sections[1:], ("checklist", "contents"), strict=True)]
        rendered = (cover(info, entries), checklist(info, entries),
                    contents(info, entries, front))
        dividers = [divider(info, cat) for cat in entries]
        new_counts = tuple(r.pages for r in rendered)
        new_div = [d.pages for d in dividers]
        if new_counts == counts and new_div == div_counts:
            return Plan(*rendered, dividers, targets, sections, total)
        counts, div_counts = new_counts, new_div
    raise AssertionError("the generated pages did not settle")


def _parts(plan: Plan, entries: list[CategoryEntry], by_rel: dict,
           reports: dict[str, tuple[Path, int]]) -> list[Part]:
    parts = [Part(r.pdf, r.pages, framed=True, links=r.links)
             for r in (plan.cover, plan.checklist, plan.contents)]
    for cat, div in zip(entries, plan.dividers, strict=True):
        parts.append(Part(div.pdf, div.pages, framed=True, links=div.links))
        for doc in cat.docs:
            if doc.source == GENERATED:
                path, pages = reports[cat.key]
                parts.append(Part(path, pages))
            else:
                result = by_rel[doc.source]
                parts.append(Part(result.pdf, result.pages, framed=result.framed))
    return parts


def _outline(plan: Plan, entries: list[CategoryEntry]) -> list[OutlineNode]:
    nodes = [OutlineNode("Cover", "front:cover"),
             OutlineNode("Submission checklist", "front:checklist"),
             OutlineNode("Contents", "front:contents")]
    for cat in entries:
        title = f"{cat.number}. {cat.title}"
        if not cat.docs:
            title += f" ({cat.status_text.split(':')[0].lower()})"
        node = OutlineNode(title, cat.target)
        for doc in cat.docs:
            node.children.append(OutlineNode(" ".join(doc_label(doc).split("   ")), doc.key))
        nodes.append(node)
    return nodes


__all__ = ["BuildOptions", "BuildResult", "build_package", "GENERATORS", "CategoryStatus"]
