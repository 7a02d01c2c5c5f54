"""The command line: click commands that parse, call the API, write and print.

Everything the environment decides is read here, once: the library (`--library`, then
`MANUALGEN_LIBRARY`, then the bundled one), LibreOffice (`MANUALGEN_SOFFICE`, then PATH),
the Python with its UNO bridge (`MANUALGEN_UNO_PYTHON`, "" for none: cold runs only) and
the socket of the shared warm LibreOffice (`MANUALGEN_OFFICE_SOCKET`, else one per user in
`XDG_RUNTIME_DIR` or the temporary folder). Errors are caught once, by their base class:
a `ManualgenError` becomes its message and its exit code (2 bad input); anything else is a
bug in manualgen: one plain line, the traceback in a log file (or on screen with --debug),
exit code 3.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from manualgen import __version__
from manualgen.cli.params import DateParam, SizeParam
from manualgen.errors import ExitCode, ManualgenError, Problem, Severity, UsageError

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
OUT_DIR = click.Path(file_okay=False, path_type=Path)
DATE = DateParam()
LIBRARY_ENV = "MANUALGEN_LIBRARY"
SOFFICE_ENV = "MANUALGEN_SOFFICE"
UNO_PYTHON_ENV = "MANUALGEN_UNO_PYTHON"
OFFICE_SOCKET_ENV = "MANUALGEN_OFFICE_SOCKET"
LAYOUT_CACHE = Path(".manualgen") / "layout"     # in the company's folder


# --------------------------------------------------------------------------- the edge


def _crash_log(exc: BaseException) -> Path | None:
    """Write the traceback of a bug where the user can send it to us."""
    text = "".join(traceback.format_exception(exc))
    try:
        fd, name = tempfile.mkstemp(prefix="manualgen-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"manualgen {__version__}: {' '.join(sys.argv)}\n\n{text}")
        return Path(name)
    except OSError:
        return None


def reports_errors(func):
    """Turn user-facing errors into a message and an exit code, once for every command."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ManualgenError as exc:
            text = str(exc)
            click.secho(text if "\n" in text else f"error: {text}", err=True, fg="red")
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException,
                KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug: said plainly, never a bare traceback
            ctx = click.get_current_context(silent=True)
            debug = bool(ctx and ctx.find_root().params.get("debug"))
            if debug:
                traceback.print_exception(exc, file=sys.stderr)
            else:
                log = _crash_log(exc)
                where = f"the details are in {log}" if log else "run again with --debug"
                click.secho(f"manualgen failed with an internal error "
                            f"({type(exc).__name__}); this is a bug in manualgen, not in "
                            f"your files - {where}", err=True, fg="red")
            sys.exit(ExitCode.BUG)

    return wrapper


def library_option(func):
    """`--library DIR` on every command that reads the library."""
    return click.option(
        "--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
        envvar=LIBRARY_ENV, show_envvar=True, default=None,
        help="The policy library to use (a folder holding policy_library/, or a policy "
             "library folder). Default: the library that came with manualgen.")(func)


def _library(library_dir: Path | None):
    from manualgen import api

    return api.load_library(library_dir, compiled=user_cache() / "templates")


def user_cache() -> Path:
    """This user's cache folder for manualgen (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base and Path(base).is_absolute()
            else Path.home() / ".cache") / "manualgen"


def _office_socket() -> Path:
    """Where the shared warm LibreOffice (`manualgen office start`) listens."""
    explicit = os.environ.get(OFFICE_SOCKET_ENV)
    if explicit:
        return Path(explicit)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) if runtime and Path(runtime).is_dir() else \
        Path(tempfile.gettempdir()) / f"manualgen-{os.getuid()}"
    return folder / "manualgen-office.sock"


def _office(*, warm: bool = False, side_by_side: bool = False):
    """The shared warm LibreOffice when one runs; else, with `warm`, one of this command's
    own, started now so it comes up while the document is composed (with `side_by_side`,
    one a core, laying out parts of a manual at once); else cold runs."""
    from manualgen.services.office import Office

    office = Office.find(os.environ.get(SOFFICE_ENV), socket=_office_socket())
    if warm and not office.is_warm:
        office = _warm_office(side_by_side=side_by_side).start()
    return office


def _warm_office(*, side_by_side: bool = True):
    """Warm LibreOffices of this process's own: one a core with `side_by_side` (a manual
    laid out in parts at once), else one (the command's own work fills the other cores, and
    a second starting LibreOffice slows it: bench/NOTES.md)."""
    from manualgen.services.office import Office, lanes_for_machine

    return Office.warm(os.environ.get(SOFFICE_ENV), python=os.environ.get(UNO_PYTHON_ENV),
                       instances=lanes_for_machine() if side_by_side else 1,
                       profiles=user_cache() / "office")


def _write(path: Path, data: bytes | str) -> None:
    from manualgen import api

    api.save(path, data)
    click.echo(f"wrote {path}")


def emit(report, as_json: bool) -> None:
    """Print a findings report as text or JSON and exit 1 when it has findings."""
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(report.as_text())
    if report.has_findings:
        sys.exit(ExitCode.FINDINGS)


def _warn(lines) -> None:
    for line in lines:
        if isinstance(line, Problem):       # says "warning:" itself, after its place
            click.secho(str(line), err=True, fg="yellow")
        else:
            click.secho(f"warning: {line}", err=True, fg="yellow")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="manualgen")
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
def main(debug: bool) -> None:
    """Yukon SECOR health and safety manuals, forms and annual submissions."""


# --------------------------------------------------------------------------- company


@main.command()
@click.argument("profile", type=EXISTING_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@library_option
@reports_errors
def check(profile: Path, as_json: bool, library_dir: Path | None) -> None:
    """Validate a company profile: every problem at once, with file, line and field."""
    from manualgen import api

    library = _library(library_dir)
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
    _warn(result.problems)
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
    with _office(warm=layout == "libreoffice", side_by_side=True) as office:
        from manualgen import api

        library = _library(library_dir)
        layouts = api.LayoutCache(profile.parent / LAYOUT_CACHE) if cache else None
        result = api.build_manual(profile, library, layout=layout, pdf=pdf, office=office,
                                  cache=layouts)
        marked = None
        if redline is not None:
            marked = api.build_redline(profile, library, redline, current=result, pdf=pdf,
                                       office=office)
    api.save(output, result.docx)
    pages = f", {result.pages} pages" if result.pages else ""
    click.echo(f"wrote {output} ({len(result.policies)} policies{pages})")
    if result.pdf is not None:
        _write(output.with_suffix(".pdf"), result.pdf)
    if marked is not None:
        path = output.with_name(f"{output.stem}-changes-since-{redline}.docx")
        api.save(path, marked.docx)
        click.echo(f"wrote {path} ({marked.describe()})")
        if marked.pdf is not None:
            _write(path.with_suffix(".pdf"), marked.pdf)
    if record:
        _keep_record(profile, result)
    _warn(result.warnings)
    for update in result.updates:
        lines = update.explain()
        _warn(lines[:1])
        click.echo("\n".join(lines[1:]), err=True)
    if result.updates:
        click.echo("Nothing was merged: your versions are in the manual as they are. Review "
                   "the changes, then run `manualgen policy accept` for each.", err=True)


def _keep_record(profile: Path, result) -> None:
    """The build's revision record into the company folder, atomically; a folder that
    cannot be written is said, not fatal (the manual is written already)."""
    from manualgen import api

    kept = api.revision_record_file(profile.parent, result)
    if kept.path is None:
        _warn([f"no revision record kept: {kept.skipped}"])
        return
    try:
        api.save(kept.path, kept.data)
    except OSError as exc:
        _warn([f"{kept.path}: the revision record could not be kept ({exc.strerror}); "
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

    result = api.absorb_manual(profile, _library(library_dir), edited,
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

    _library(library_dir)                  # a broken library is said once, before starting
    profiles = api.find_companies(directory)
    if not profiles:
        raise fail(directory, "holds no company folders",
                   fix="give the folder whose subfolders each hold a company.yaml")
    config = api.FleetConfig(library=library_dir, soffice=os.environ.get(SOFFICE_ENV),
                             uno_python=os.environ.get(UNO_PYTHON_ENV), pdf=pdf,
                             cache=cache, profiles=user_cache() / "office")
    failed, pages = [], 0
    start = time.perf_counter()
    with tqdm(total=len(profiles), file=sys.stderr, unit="manual", disable=None) as bar:
        for result in api.build_fleet(profiles, config, workers=workers):
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

    library = _library(library_dir)
    loaded = api.load_profile(profile, library)
    with _office(warm=pdf, side_by_side=True) as office:    # 14 PDFs: two at once
        result = api.build_forms(loaded, library, pdf=pdf, office=office)
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

    report = api.company_status(profile, _library(library_dir), on=on or dt.date.today())
    if ics is not None:
        data = api.status_calendar(report)
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
                    library=_library(library_dir))
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

    emit(api.company_policies(profile, _library(library_dir), diff=diff), as_json)


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

    files = api.copy_policy(profile, _library(library_dir), policy_id,
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

    _write_files(profile.parent, api.accept_library_change(profile, _library(library_dir),
                                                           policy_id))


# --------------------------------------------------------------------------- submission

_COMPANY = click.option(
    "--company", type=EXISTING_FILE, default=None,
    help="The company profile (default: company.yaml in the folder or the one above it).")


def _submission(folder: Path, company: Path | None, library, on=None, quiet=False):
    from manualgen import api

    path = api.find_company(folder, company)
    if not quiet:
        click.echo(f"company profile: {path}", err=True)
    return api.open_submission(folder, library, company=path, on=on)


@main.command()
@click.argument("folder", type=EXISTING_DIR)
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The PDF to write.")
@click.option("--docx", "docx_out", type=OUT_FILE, help="Also write the editable Word version.")
@click.option("--json", "json_out", type=OUT_FILE, help="Also write the figures as JSON.")
@_COMPANY
@click.option("--on", "on", type=DATE,
              help="Count the figures to this day (default: the last date in the records).")
@library_option
@reports_errors
def summary(folder: Path, output: Path, docx_out: Path | None, json_out: Path | None,
            company: Path | None, on, library_dir: Path | None) -> None:
    """The Year End Safety Activity Summary Report from a submission folder's records."""
    from manualgen import api

    result = api.build_summary(_submission(folder, company, _library(library_dir), on), on=on)
    outputs: list[tuple[Path, bytes | str]] = [(output, result.pdf_bytes())]
    if docx_out is not None:
        outputs.append((docx_out, result.docx_bytes()))
    if json_out is not None:
        outputs.append((json_out, result.json_text()))
    for path, data in outputs:       # every form rendered before any is written
        api.save(path, data)
    click.echo(result.summary())
    for path, _ in outputs:
        click.echo(f"wrote {path}")


@main.group()
def package() -> None:
    """The Annual Documentation Review Submission: scaffold, check and build it."""


@package.command("init")
@click.argument("directory", type=OUT_DIR)
@_COMPANY
@library_option
@reports_errors
def package_init(directory: Path, company: Path | None, library_dir: Path | None) -> None:
    """Make an empty submission folder: category folders, record files and a README."""
    from manualgen import api
    from manualgen.errors import fail
    from manualgen.package.scaffold import README

    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise fail(directory, "already exists and is not empty",
                   fix="choose a new folder name; init never writes over your files")
    library = _library(library_dir)
    if company is None:
        candidate = directory.absolute().parent / "company.yaml"
        company = candidate if candidate.is_file() else None
    files = api.new_submission_files(library, profile=company)
    api.save_tree(directory, files)
    if company is not None:
        click.echo(f"company profile: {company}", err=True)
    click.echo(f"{directory}: submission folder ready ({len(files)} files and folders). "
               f"Read {README} in it first.")


@package.command("check")
@click.argument("directory", type=EXISTING_DIR)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Judge as of this day (default: today).")
@_COMPANY
@library_option
@reports_errors
def package_check(directory: Path, as_json: bool, on, company: Path | None,
                  library_dir: Path | None) -> None:
    """Say what is missing, late, out of period or unreadable; builds nothing."""
    from manualgen import api

    on = on or dt.date.today()
    sub = _submission(directory, company, _library(library_dir), on, quiet=as_json)
    emit(api.check_submission(sub, on=on), as_json)


@package.command("build")
@click.argument("directory", type=EXISTING_DIR)
@click.option("-o", "--output", type=OUT_FILE, required=True,
              help="The PDF to write; its JSON index is written beside it.")
@click.option("--skip-unreadable", is_flag=True,
              help="Leave out files that cannot be read and list them on the checklist.")
@click.option("--keep-resolution", is_flag=True,
              help="Keep pictures at full resolution (default: at most 200 dpi).")
@click.option("--max-size", type=SizeParam(), default=None, metavar="SIZE",
              help="Store pictures smaller, step by step down to 150 dpi, until the PDF "
                   "fits in SIZE (like 20MB, for email); says so when it cannot.")
@click.option("--on", "on", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Only to choose the anniversary when submission.yaml gives none.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@_COMPANY
@library_option
@reports_errors
def package_build(directory: Path, output: Path, skip_unreadable: bool,
                  keep_resolution: bool, max_size: int | None, on, as_json: bool,
                  company: Path | None, library_dir: Path | None) -> None:
    """Build the submission PDF (cover, checklist, contents, samples, summary report)."""
    # Word samples need LibreOffice: started first, it comes up while the rest loads.
    from manualgen.package.intake import has_word_files

    with _office(warm=has_word_files(directory)) as office:
        from tqdm import tqdm

        from manualgen import api
        from manualgen.package.build import refuse_output_inside

        refuse_output_inside(directory, output)
        sub = _submission(directory, company, _library(library_dir), on, quiet=as_json)
        options = api.BuildOptions(skip_unreadable=skip_unreadable,
                                   keep_resolution=keep_resolution, max_size=max_size,
                                   pdf_name=output.name)
        with tqdm(total=1, file=sys.stderr, unit="step", leave=False, disable=None) as bar:
            def progress(stage: str, done: int, total: int) -> None:
                if bar.total != total:
                    bar.total = total
                bar.set_description(stage, refresh=False)
                bar.update(done)

            result = api.build_submission(sub, options, office=office, progress=progress)
    result.write(output)
    if as_json:
        click.echo(json.dumps(result.report.as_dict(), indent=2, ensure_ascii=False,
                              default=str))
    else:
        click.echo(result.summary(str(output)))
    if result.report.has_findings:
        sys.exit(ExitCode.FINDINGS)


# --------------------------------------------------------------------------- library


@main.group()
def library() -> None:
    """For NSNY staff: check, list, review and import the policy library."""


@library.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--on", "on", type=DATE, default=None,
              metavar="YYYY-MM-DD", help="The day reviews are judged against (default: today).")
@library_option
@reports_errors
def library_check(as_json: bool, on, library_dir: Path | None) -> None:
    """Find every problem in the library at once: exit 0 clean, 1 with findings."""
    from manualgen import api

    emit(api.check_library(library_dir, on=on or dt.date.today()), as_json)


@library.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@library_option
@reports_errors
def library_list(as_json: bool, library_dir: Path | None) -> None:
    """Policies, forms and hazard keys, with the library's version."""
    from manualgen import api

    listing = api.library_listing(_library(library_dir))
    click.echo(json.dumps(listing.as_dict(), indent=2, ensure_ascii=False) if as_json
               else listing.as_text())


@library.command("coverage")
@click.option("-o", "--output", type=OUT_FILE, default=None,
              help="Also write the table as a Word (.docx) or HTML (.html) page.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@library_option
@reports_errors
def library_coverage(output: Path | None, as_json: bool, library_dir: Path | None) -> None:
    """Which policies and forms cover each audit element, and the gaps."""
    from manualgen import api

    report = api.library_coverage(_library(library_dir))
    click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) if as_json
               else report.as_text())
    if output is not None:
        api.save(output, api.coverage_document(report, output))
        click.echo(f"wrote {output}", err=as_json)


@library.command("book")
@click.option("-o", "--output", type=OUT_FILE, required=True, help="The .docx to write.")
@library_option
@reports_errors
def library_book(output: Path, library_dir: Path | None) -> None:
    """The whole library in one Word document for proofreading."""
    from manualgen import api

    result = api.library_book(_library(library_dir))
    api.save(output, result.docx)
    click.echo(result.summary(str(output)))


@library.command("diff")
@click.argument("old", type=EXISTING_DIR)
@click.argument("new", type=EXISTING_DIR)
@click.option("--companies", type=EXISTING_DIR, default=None,
              help="A folder of company folders (each with company.yaml): say which "
                   "manuals each change reaches.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@reports_errors
def library_diff(old: Path, new: Path, companies: Path | None, as_json: bool) -> None:
    """What changed from library OLD to library NEW: policies added, removed, changed.

    OLD and NEW are library folders (holding policy_library/, or policy library folders),
    for example two checkouts of NSNY's library repository.
    """
    from manualgen import api

    emit(api.library_diff(api.load_library(old), api.load_library(new),
                          companies=companies), as_json)


@library.command("import")
@click.argument("policy", type=EXISTING_FILE)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="The .md file to write, or a folder to write <id>.md into "
                   "(default: print it).")
@library_option
@reports_errors
def library_import(policy: Path, output: Path | None, library_dir: Path | None) -> None:
    """Turn a Word policy (.docx) into a library Markdown file with a header to complete."""
    import contextlib

    from manualgen import api
    from manualgen.errors import fail

    library = None
    with contextlib.suppress(api.InputError):  # a broken library: import without its names
        library = _library(library_dir)
    into_folder = output is not None and (output.is_dir() or str(output).endswith(os.sep))
    wanted = output.stem if output is not None and not into_folder else None
    result = api.import_policy(policy, library, policy_id=wanted)
    if into_folder:
        output = output / f"{result.policy_id}.md"
    if output is not None and output.exists():
        raise fail(output, "already exists; import does not overwrite a file",
                   fix="choose another name with -o, or delete the file first")
    if output is None:
        click.echo(result.text, nl=False)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if output is not None:
        api.save(output, result.text)
        click.echo(f"wrote {output} - complete its header, then run: manualgen library check")


# --------------------------------------------------------------------------- serve


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".",
                required=False)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port to listen on (0: a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but this computer's own address "
                   "lets other machines reach the app.")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@library_option
@reports_errors
def serve(folder: Path, port: int, host: str, no_browser: bool,
          library_dir: Path | None) -> None:
    """The web app on one company folder: profile, manual, status, submission."""
    import webbrowser

    from manualgen.web.server import serve as run
    from manualgen.web.site import Site

    folder.mkdir(parents=True, exist_ok=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.secho(f"warning: listening on {host}: other machines on the network can reach "
                    "the app (they still need the token)", err=True, fg="yellow")
    hosts = ("127.0.0.1", "localhost", "[::1]") + ((host,) if host not in
                                                   ("127.0.0.1", "localhost", "::1") else ())
    # Warm LibreOffices for the server's life where this manualgen has the UNO bridge,
    # else cold runs; stopped with the server.
    site = Site(folder, library=_library(library_dir), office=_warm_office(), hosts=hosts,
                log=lambda text: click.echo(text, err=True))

    def ready(address: str) -> None:
        click.echo(f"manualgen serve: {site.folder} - open this address (Ctrl+C stops it):",
                   err=True)
        click.echo(address)
        sys.stdout.flush()
        if not no_browser:
            webbrowser.open(address)

    try:
        run(site, host, port, ready=ready)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                         fix="choose another --port") from None


# --------------------------------------------------------------------------- office


@main.group()
def office() -> None:
    """A warm LibreOffice for this machine: commands use it while it runs (faster)."""


@office.command("start")
@click.option("--max-docs", type=click.IntRange(1), default=200, show_default=True,
              help="Renew LibreOffice after this many documents.")
@reports_errors
def office_start(max_docs: int) -> None:
    """Start the warm LibreOffice (it runs until `manualgen office stop`)."""
    from manualgen.errors import ToolError
    from manualgen.services.office import find_soffice, find_uno_python, start_shared

    soffice = find_soffice(os.environ.get(SOFFICE_ENV))
    python = find_uno_python(os.environ.get(UNO_PYTHON_ENV))
    if soffice is None or python is None:
        raise ToolError("a warm LibreOffice needs LibreOffice and its Python bridge",
                        fix="apt-get install libreoffice-writer-nogui python3-uno")
    state = start_shared(soffice, python, _office_socket(), max_docs=max_docs)
    click.echo(f"warm LibreOffice running (process {state['pid']}) at {_office_socket()}")


@office.command("stop")
@reports_errors
def office_stop() -> None:
    """Stop the warm LibreOffice."""
    from manualgen.services.office import stop_shared

    stopped = stop_shared(_office_socket())
    click.echo("warm LibreOffice stopped" if stopped else "no warm LibreOffice was running")


@office.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
@reports_errors
def office_status(as_json: bool) -> None:
    """Say whether the warm LibreOffice runs: exit 0 when it does, 1 when not."""
    from manualgen.services.office import shared_status

    state = shared_status(_office_socket())
    if as_json:
        click.echo(json.dumps({"socket": str(_office_socket()), "running": state is not None,
                               **(state or {})}, indent=2))
    elif state is None:
        click.echo(f"no warm LibreOffice at {_office_socket()}")
    else:
        click.echo(f"warm LibreOffice running (process {state['pid']}, up {state['uptime']} s, "
                   f"{state['docs']} documents since its last start, "
                   f"{state['starts']} starts) at {_office_socket()}")
    if state is None:
        sys.exit(ExitCode.FINDINGS)


# --------------------------------------------------------------------------- demo


@main.command()
@click.option("-o", "--output", type=OUT_DIR, default=Path("demo-output"), show_default=True,
              help="The folder to write everything into.")
@library_option
@reports_errors
def demo(output: Path, library_dir: Path | None) -> None:
    """Run every job on the bundled example company."""
    from manualgen.cli.demo import run_demo

    with _office(warm=True, side_by_side=True) as office:   # a manual, 14 forms, Word samples
        files = run_demo(output, _library(library_dir), office, say=click.echo)
    click.echo(f"done: {len(files)} files in {output}/")


# --------------------------------------------------------------------------- portal


PORTAL_DATA = click.Path(file_okay=False, path_type=Path)


def _portal(data_dir: Path, *, site: bool = False, library_dir: Path | None = None,
            worker: bool = False):
    """Configure Django for the portal on `data_dir` (settings from the environment);
    with `site`, this process's PortalSite (a worker's with its warm LibreOffice)."""
    from manualgen.portal import ops
    from manualgen.portal.server import configure, library_location, office_for
    from manualgen.portal.site import PortalSite

    environ = ops.environ_for(os.environ, data_dir)
    portal_site = None
    if site:         # DATA/library (where NSNY publishes) when there, else --library
        portal_site = PortalSite(data_dir, library=_library(library_location(data_dir,
                                                                             library_dir)),
                                 office=office_for(os.environ.get(SOFFICE_ENV), warm=worker,
                                                   root=data_dir))
    return configure(environ, portal_site), portal_site


@main.group()
def portal() -> None:
    """The NSNY portal: the web app hosted for many companies (docs/deploy/README.md)."""


@portal.command("init")
@click.argument("data_dir", type=PORTAL_DATA)
@click.option("--admin-email", required=True, help="The first NSNY admin's e-mail address.")
@library_option
@reports_errors
def portal_init(data_dir: Path, admin_email: str, library_dir: Path | None) -> None:
    """Make the data folder, its database, its library and the first NSNY admin.

    The admin's password comes from MANUALGEN_ADMIN_PASSWORD, or is asked for. The
    library (--library, else the one that came with manualgen) is copied into
    DATA/library, a git repository, unless the folder has one already."""
    from manualgen.portal import ops

    password = os.environ.get("MANUALGEN_ADMIN_PASSWORD") or click.prompt(
        f"Password for {admin_email}", hide_input=True, confirmation_prompt=True)
    root = ops.make_root(data_dir, os.environ)
    if ops.make_library(root, library_dir, email=admin_email) is not None:
        click.echo(f"library copied into {root / 'library'} (a git repository)")
    _portal(data_dir)
    ops.init(admin_email, password)
    click.echo(f"portal ready in {data_dir.resolve()}: start `manualgen portal serve "
               f"{data_dir}` (the pages) and `manualgen portal worker {data_dir}` (the "
               f"builds), then sign in as {admin_email}")


@portal.command("invite")
@click.argument("data_dir", type=EXISTING_DIR)
@click.option("--company", default=None, help="The company's name (made when new).")
@click.option("--email", required=True, help="Who is invited.")
@click.option("--role", type=click.Choice(["owner", "member", "consultant", "reviewer",
                                           "admin"]),
              default="owner", show_default=True)
@reports_errors
def portal_invite(data_dir: Path, company: str | None, email: str, role: str) -> None:
    """Invite a person into a company (or as NSNY staff); prints the invitation link."""
    from manualgen.portal import ops

    values, _site = _portal(data_dir)
    click.echo(ops.invite_link(values["PORTAL_ORIGIN"], company, email, role))


@portal.command("serve")
@click.argument("data_dir", type=EXISTING_DIR)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on: the reverse proxy's side of this machine.")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@library_option
@reports_errors
def portal_serve(data_dir: Path, port: int, host: str, threads: int,
                 library_dir: Path | None) -> None:
    """Serve the portal (behind an HTTPS reverse proxy; see docs/deploy/README.md)."""
    from manualgen.portal.server import prepare, start_up
    from manualgen.portal.server import serve as run

    values, portal_site = _portal(data_dir, site=True, library_dir=library_dir)
    prepare()
    start_up(portal_site, lambda text: click.echo(text, err=True))

    def ready(address: str) -> None:
        from manualgen.portal.ops import where_served

        click.echo(f"manualgen portal: {data_dir.resolve()} at "
                   f"{where_served(values, address)} (Ctrl+C stops it)", err=True)
        sys.stderr.flush()

    try:
        run(portal_site, host, port, ready=ready, threads=threads)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                         fix="choose another --port") from None


@portal.command("worker")
@click.argument("data_dir", type=EXISTING_DIR)
@click.option("--batch", is_flag=True,
              help="Run the builds waiting now, then stop (for tests and one-off runs).")
@library_option
@reports_errors
def portal_worker(data_dir: Path, batch: bool, library_dir: Path | None) -> None:
    """Run the portal's builds (manuals, forms, submission PDFs) as they are queued.

    Run one a core, beside the web processes (docs/deploy/README.md); SIGTERM lets the
    running build finish first. A build whose worker was killed is run again by another."""
    _values, portal_site = _portal(data_dir, site=True, library_dir=library_dir, worker=True)
    from manualgen.portal.jobs import run_worker  # noqa: I001 - once Django is configured
    from manualgen.portal.server import start_up

    start_up(portal_site, lambda text: click.echo(text, err=True))
    click.echo(f"manualgen portal worker: {data_dir.resolve()} (Ctrl+C stops it)", err=True)
    try:
        run_worker(portal_site, batch=batch)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        stop = getattr(portal_site.office, "close", None)
        if callable(stop):
            stop()


@portal.command("remind")
@click.argument("data_dir", type=EXISTING_DIR)
@library_option
@reports_errors
def portal_remind(data_dir: Path, library_dir: Path | None) -> None:
    """Send the reminders that are due (each once); for cron or a systemd timer."""
    from manualgen.portal.mail import send_reminders

    _values, portal_site = _portal(data_dir, site=True, library_dir=library_dir)
    sent = send_reminders(portal_site)
    click.echo(f"{len(sent)} reminder(s) sent")


@portal.command("backup")
@click.argument("data_dir", type=EXISTING_DIR)
@click.argument("out", type=OUT_FILE)
@reports_errors
def portal_backup(data_dir: Path, out: Path) -> None:
    """Copy the database and the files, consistently, into one .tar.gz."""
    from manualgen.portal import ops

    _portal(data_dir)
    counts = ops.backup(data_dir.resolve(), out)
    click.echo(f"wrote {out}: {counts['rows']} rows, {counts['files']} files")


@portal.command("restore")
@click.argument("backup", type=EXISTING_FILE)
@click.argument("data_dir", type=PORTAL_DATA)
@reports_errors
def portal_restore(backup: Path, data_dir: Path) -> None:
    """Make a new portal data folder (and database) from a backup."""
    from manualgen.portal import ops

    dump = ops.unpack(backup, data_dir)
    ops.make_root(data_dir, os.environ)       # a new secret key if the backup had none
    _portal(data_dir)
    rows = ops.load(dump, data_dir.resolve())
    click.echo(f"restored {rows} rows and the files into {data_dir}")
