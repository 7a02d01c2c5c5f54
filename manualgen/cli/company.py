"""The company's commands: check, manual, absorb, batch, forms, status, init, and its
own policies (`policy list|copy|accept`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from manualgen.cli.base import (
    DATE,
    EXISTING_DIR,
    EXISTING_FILE,
    LAYOUT_CACHE,
    OUT_DIR,
    OUT_FILE,
    SOFFICE_ENV,
    UNO_PYTHON_ENV,
    emit,
    find_office,
    library_at,
    library_option,
    main,
    reports_errors,
    user_cache,
    warn,
    write_file,
)
from manualgen.errors import ExitCode, Severity


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@library_option
@reports_errors
def check(profile: Path, as_json: bool, library_dir: Path | None) -> None:
    """Validate a company profile: every problem at once, with file, line and field."""
    from manualgen import api

    library = library_at(library_dir)
    result = api.check_profile(profile, library, on=dt.date.today())
    if as_json:
        click.echo(json.dumps({"profile": str(profile), "ok": result.ok,
                               "problems": [p.as_dict() for p in result.problems],
                               "policies": result.policies}, indent=2, ensure_ascii=False))
        if not result.ok:
            sys.exit(ExitCode.BAD_INPUT)
        return
    if not result.ok:
        raise api.InputError([p for p in result.problems if p.severity is Severity.ERROR])
    p = result.profile.profile
    warn(result.problems)
    click.echo(f"{profile}: " + click.style("OK", fg="green") +
               f" - {p.company.name}, {len(p.people)} people, "
               f"{len(p.worksites)} worksites, {len(p.hazards)} hazards, "
               f"{len(result.policies)} policies apply.")


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The .docx to write.")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it (needs LibreOffice).")
@click.option("--layout", type=click.Choice(["libreoffice", "word-updates-on-open"]),
              default="libreoffice", show_default=True,
              help="How the contents get their page numbers: laid out now by LibreOffice, "
                   "or filled in by Word when the file is opened.")
@click.option("--redline", "redline", type=click.IntRange(0), default=None, metavar="REV",
              help="Also write the changes since revision REV as a Word document with "
                   "tracked changes, beside the output (and its PDF with --pdf).")
@click.option("--record/--no-record", default=True, show_default=True,
              help="Keep this revision's record in revisions/ beside the profile, so the "
                   "next revision's history and redline can say what changed.")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Keep each chapter's page count in .manualgen/ beside the profile and "
                   "lay out only the chapters that changed.")
@library_option
@reports_errors
def manual(profile: Path, output: Path, pdf: bool, layout: str, redline: int | None,
           record: bool, cache: bool, library_dir: Path | None) -> None:
    """Build the draft health and safety manual in Word."""
    # LibreOffice first: it starts (seconds, on its own core) while the API is imported,
    # the library loaded and the document composed.
    with find_office(warm=layout == "libreoffice", side_by_side=True) as office:
        from manualgen import api

        library = library_at(library_dir)
        layouts = api.manual.LayoutCache(profile.parent / LAYOUT_CACHE) if cache else None
        options = api.manual.ManualOptions(layout=layout, pdf=pdf, office=office, cache=layouts)
        result = api.manual.build(profile, library, options)
        marked = None
        if redline is not None:
            marked = api.manual.redline(profile, library, redline,
                                        api.manual.RedlineOptions(current=result, pdf=pdf,
                                                                  office=office))
    api.save(output, result.docx)
    pages = f", {result.pages} pages" if result.pages else ""
    click.echo(f"wrote {output} ({len(result.policies)} policies{pages})")
    if result.pdf is not None:
        write_file(output.with_suffix(".pdf"), result.pdf)
    if marked is not None:
        path = output.with_name(f"{output.stem}-changes-since-{redline}.docx")
        api.save(path, marked.docx)
        click.echo(f"wrote {path} ({marked.describe()})")
        if marked.pdf is not None:
            write_file(path.with_suffix(".pdf"), marked.pdf)
    if record:
        _keep_record(profile, result)
    warn(result.warnings)
    for update in result.updates:
        lines = update.explain()
        warn(lines[:1])
        click.echo("\n".join(lines[1:]), err=True)
    if result.updates:
        click.echo("Nothing was merged: your versions are in the manual as they are. Review "
                   "the changes, then run `manualgen policy accept` for each.", err=True)


def _keep_record(profile: Path, result) -> None:
    """The build's revision record into the company folder, atomically; a folder that
    cannot be written is said, not fatal (the manual is written already)."""
    from manualgen import api

    kept = api.manual.record_file(profile.parent, result)
    if kept.path is None:
        warn([f"no revision record kept: {kept.skipped}"])
        return
    try:
        api.save(kept.path, kept.data)
    except OSError as exc:
        warn([f"{kept.path}: the revision record could not be kept ({exc.strerror}); "
               "the next revision's history will not list this one's changes"])


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.argument("edited", type=EXISTING_FILE)
@click.option("--replace", is_flag=True,
              help="Let an edit replace a company policy that changed since the manual was "
                   "built (the replaced file is kept in policies/.history/).")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="The review date written into the saved policies (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@library_option
@reports_errors
def absorb(profile: Path, edited: Path, replace: bool, on, as_json: bool,
           library_dir: Path | None) -> None:
    """Keep the edits made to a manual in Word as the company's own policies.

    Compares EDITED (a manual built by manualgen and edited in Word or LibreOffice) with
    what was generated for its revision, and saves each changed policy in policies/
    beside PROFILE, so every rebuild keeps it. Edits outside the policies are listed with
    the profile field that holds that text.
    """
    from manualgen import api

    result = api.manual.absorb(profile, library_at(library_dir), edited,
                               on=on or dt.date.today(), replace=replace)
    for rel, data in sorted(result.files.items()):
        api.save(profile.parent / rel, data)
    emit(result, as_json)


@main.command()
@click.argument("directory", type=EXISTING_DIR)
@click.option("-o", "--output", type=OUT_DIR, required=True,
              help="The folder to write <company folder>.docx into (created if missing).")
@click.option("--pdf", is_flag=True, help="Also write each manual's PDF.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Manuals built at once, each with its own LibreOffice (default: the cores).")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Keep each chapter's page count in .manualgen/ in each company's folder.")
@library_option
@reports_errors
def batch(directory: Path, output: Path, pdf: bool, workers: int | None, cache: bool,
          library_dir: Path | None) -> None:
    """For NSNY staff: build the manual of every company folder under DIRECTORY.

    A company folder is one holding company.yaml. A broken company is reported in the
    summary and the others are built; exit code 1 when any failed.
    """
    import time

    from tqdm import tqdm

    from manualgen import api
    from manualgen.errors import fail

    library_at(library_dir)                  # a broken library is said once, before starting
    profiles = api.manual.find_companies(directory)
    if not profiles:
        raise fail(directory, "holds no company folders",
                   fix="give the folder whose subfolders each hold a company.yaml")
    config = api.manual.FleetConfig(library=library_dir, soffice=os.environ.get(SOFFICE_ENV),
                                    uno_python=os.environ.get(UNO_PYTHON_ENV), pdf=pdf,
                                    cache=cache, profiles=user_cache() / "office")
    failed, pages = [], 0
    start = time.perf_counter()
    with tqdm(total=len(profiles), file=sys.stderr, unit="manual", disable=None) as bar:
        for result in api.manual.build_fleet(profiles, config, workers=workers):
            if result.ok:
                api.save(output / f"{result.name}.docx", result.docx)
                if result.pdf is not None:
                    api.save(output / f"{result.name}.pdf", result.pdf)
                pages += result.pages or 0
            else:
                failed.append(result)
            bar.set_postfix(failed=len(failed), refresh=False)
            bar.update(1)
    wall = time.perf_counter() - start
    built = len(profiles) - len(failed)
    click.echo(f"built {built} of {len(profiles)} manuals ({pages} pages) into {output} in "
               f"{wall:.1f} s ({wall / len(profiles):.2f} s a manual)")
    if failed:
        width = max(len("company"), *(len(r.name) for r in failed))
        click.secho(f"{len(failed)} failed:", fg="red", err=True)
        click.echo(f"  {'company':{width}}  why", err=True)
        for r in sorted(failed, key=lambda r: r.name):
            click.echo(f"  {r.name:{width}}  {r.error}", err=True)
        sys.exit(ExitCode.FINDINGS)


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("-o", "--output", type=OUT_DIR, required=True,
              help="The folder to write the forms into (created if missing).")
@click.option("--pdf", is_flag=True, help="Also write a PDF of each form (needs LibreOffice).")
@click.option("--zip", "as_zip", is_flag=True, help="Also write all the forms as forms.zip.")
@library_option
@reports_errors
def forms(profile: Path, output: Path, pdf: bool, as_zip: bool,
          library_dir: Path | None) -> None:
    """Build the company's personalised blank forms, one Word file each."""
    from manualgen import api

    library = library_at(library_dir)
    loaded = api.load_profile(profile, library)
    with find_office(warm=pdf, side_by_side=True) as office:    # 14 PDFs: two at once
        result = api.forms.build(loaded, library, api.forms.FormsOptions(pdf=pdf, office=office))
    files = dict(result.files)
    if as_zip:
        files["forms.zip"] = result.zip_bytes(loaded.profile.manual.issued)
    for name, data in files.items():
        api.save(output / name, data)
    text = f"Wrote {len(result.docx)} forms for {result.company} to {output}"
    if result.pdfs:
        text += f" (with {len(result.pdfs)} PDFs)"
    click.echo(text + ".")


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="The day to judge (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--ics", type=OUT_FILE, default=None,
              help="Also write the due dates and course expiries as a calendar (.ics).")
@library_option
@reports_errors
def status(profile: Path, on, as_json: bool, ics: Path | None,
           library_dir: Path | None) -> None:
    """Where the company stands in its SECOR cycle: what is due, training, LSE ratio."""
    from manualgen import api

    report = api.status.report(profile, library_at(library_dir), on=on or dt.date.today())
    if ics is not None:
        data = api.status.calendar(report)
        api.save(ics, data)
        click.echo(f"wrote {ics} ({data.count(b'BEGIN:VEVENT')} calendar events)", err=as_json)
    emit(report, as_json)


@main.command()
@click.argument("directory", type=OUT_DIR, default=".", required=False)
@click.option("--defaults", is_flag=True,
              help="Write the example company's profile without asking questions.")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="The date offered as the manual's issue date (default: today).")
@library_option
@reports_errors
def init(directory: Path, defaults: bool, on, library_dir: Path | None) -> None:
    """Write a commented company.yaml by asking the questions in plain words."""
    from manualgen.cli.interview import run_init

    path = run_init(directory, defaults=defaults, on=on or dt.date.today(),
                    library=library_at(library_dir))
    if path is not None:
        click.echo(f"wrote {path} - check it with: manualgen check {path}")


@main.group()
def policy() -> None:
    """The company's own policies: list them, start one from the library, accept a
    library change after review."""


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    from manualgen import api

    for rel, data in sorted(files.items()):
        api.save(folder / rel, data)
        click.echo(f"wrote {folder / rel}")


@policy.command("list")
@click.argument("profile", type=EXISTING_FILE)
@click.option("--diff", is_flag=True, help="Show what the library changed under each "
                                           "version of yours, word by word.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@library_option
@reports_errors
def policy_list(profile: Path, diff: bool, as_json: bool, library_dir: Path | None) -> None:
    """The company's versions, additions and omissions; exit 1 while a library change
    under one of its versions waits for review."""
    from manualgen import api

    emit(api.manual.own_policies(profile, library_at(library_dir), diff=diff), as_json)


@policy.command("copy")
@click.argument("profile", type=EXISTING_FILE)
@click.argument("policy_id", metavar="ID")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="The review date of the new version (default: today).")
@library_option
@reports_errors
def policy_copy(profile: Path, policy_id: str, on, library_dir: Path | None) -> None:
    """Start the company's own version of library policy ID in policies/, from the
    library's text (its {{ }} values kept, so it still follows company.yaml)."""
    from manualgen import api

    files = api.manual.copy_policy(profile, library_at(library_dir), policy_id,
                                   on=on or dt.date.today())
    _write_files(profile.parent, files)
    click.echo(f"edit {profile.parent / 'policies' / (policy_id + '.md')}, then run: "
               f"manualgen check {profile}")


@policy.command("accept")
@click.argument("profile", type=EXISTING_FILE)
@click.argument("policy_id", metavar="ID")
@library_option
@reports_errors
def policy_accept(profile: Path, policy_id: str, library_dir: Path | None) -> None:
    """You reviewed the library's change under your version ID: base it on the library's
    current revision. Your text is not changed."""
    from manualgen import api

    _write_files(profile.parent, api.manual.accept_library_change(profile, library_at(library_dir),
                                                                  policy_id))
