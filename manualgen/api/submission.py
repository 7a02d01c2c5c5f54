"""The Annual Documentation Review Submission: the year's folder of samples and records,
what it still misses, and the one PDF a reviewer navigates.

    sub = api.submission.load("2026-submission", library)
    print(api.submission.check(sub).as_text())
    result = api.submission.build(sub, api.submission.BuildOptions(max_size=20_000_000))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from manualgen.api._common import default_package, load_profile
from manualgen.inputs.record_forms import RecordTable
from manualgen.inputs.submission import Submission, find_company
from manualgen.submission.build import BuildOptions, BuildResult
from manualgen.submission.check import Report
from manualgen.submission.readiness import Readiness
from manualgen.submission.scaffold import README
from manualgen.submission.spec import DEFAULT_PACKAGE

if TYPE_CHECKING:
    from manualgen.api._common import ProfileSource
    from manualgen.inputs.library.load import Library
    from manualgen.services.office import Office
    from manualgen.services.workspace import Workspace

__all__ = [
    "Submission", "Report", "BuildOptions", "BuildResult", "Readiness", "RecordTable",
    "DEFAULT_PACKAGE", "README", "load", "find_company", "check", "build", "new_files",
    "folder_name", "current", "categories", "category_labels", "readiness",
    "suggested_activities", "refuse_output_inside", "record_tables",
    "record_table", "read_records", "records_file", "import_records",
]


def load(folder: Path | str | Mapping[str, bytes], library: Library, *,
         company: ProfileSource | None = None, on: dt.date | None = None) -> Submission:
    """A submission folder (or its files as {relative path: bytes}) with its company:
    `company` given, or company.yaml in the folder or the one above it."""
    from manualgen.inputs.submission import load_submission

    if company is not None and not isinstance(company, str | Path):
        company = load_profile(company, library)
    source = folder if isinstance(folder, Mapping) else Path(folder)
    return load_submission(source, library=library,
                           company=Path(company) if isinstance(company, str) else company,
                           on=on)


def check(sub: Submission, *, on: dt.date | None = None,
          package: str | Path | None = None) -> Report:
    """What is missing, late, out of period or unreadable; builds nothing."""
    from manualgen.submission.check import check_package

    return check_package(sub, on=on, package=default_package(package))


def build(sub: Submission, options: BuildOptions | None = None, *,
          office: Office | None = None,
          progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """The submission as one PDF, with its JSON index. `office` converts Word samples;
    `progress(stage, done, total)` hears each step."""
    from manualgen.submission.build import build_package

    return build_package(sub, options, office=office, progress=progress)


def refuse_output_inside(folder: Path, output: Path) -> None:
    """UsageError when `output` is inside the submission folder (a build never changes
    the folder it reads)."""
    from manualgen.submission.build import refuse_output_inside as _refuse

    _refuse(folder, output)


def new_files(library: Library, *, profile: ProfileSource | None = None,
              on: dt.date | None = None, package: str | Path | None = None
              ) -> dict[str, bytes]:
    """The files of an empty submission folder ("x/" entries are folders)."""
    from manualgen.inputs.program import next_anniversary
    from manualgen.submission.scaffold import scaffold_files

    anniversary = None
    if profile is not None:
        secor = load_profile(profile, library).profile.secor
        if secor is not None:
            anniversary = next_anniversary(secor.certificate_date, on or dt.date.today())
    return scaffold_files(library, anniversary=anniversary, package=default_package(package))


def folder_name(profile: ProfileSource, library: Library, *, on: dt.date) -> str:
    """The name of the year's submission folder: `<year of the anniversary>-submission`."""
    from manualgen.inputs.program import next_anniversary

    secor = load_profile(profile, library).profile.secor
    year = next_anniversary(secor.certificate_date, on).year if secor else on.year
    return f"{year}-submission"


def current(workspace: Workspace, library: Library, *, on: dt.date,
            make: bool = True) -> str | None:
    """The submission folder new samples go into: the newest; with `make`, a new one made
    as the Submission page's "Start" makes it when the company has none yet."""
    names = workspace.submissions()
    if names or not make:
        return names[0] if names else None
    profile = load_profile(workspace.profile_path, library)
    name = folder_name(profile, library, on=on)
    workspace.new_tree(name, new_files(library, profile=profile, on=on))
    return name


def categories(library: Library, *, package: str | Path | None = None) -> list:
    """The categories of a package, in the reviewer's order."""
    from manualgen.submission.spec import load_package

    return list(load_package(default_package(package), library).categories)


def category_labels() -> dict[str, str]:
    """The one wording of each submission category state (complete, missing, ...)."""
    from manualgen.submission.check import CATEGORY_LABELS

    return {str(k): v for k, v in CATEGORY_LABELS.items()}


def readiness(report: Report) -> list[Readiness]:
    """Each category's state and the date of its latest sample, for a readiness view."""
    from manualgen.submission.readiness import readiness as _readiness

    return _readiness(report)


def suggested_activities(sub: Submission, rows: list[dict[str, str]], *,
                         package: str | Path | None = None) -> list[dict[str, str]]:
    """Activity-log rows the samples already record (a dated inspection in
    site-inspections/) that `rows` do not hold yet."""
    from manualgen.submission.intake import suggested_activities as _suggest
    from manualgen.submission.spec import load_package

    return _suggest(sub, load_package(default_package(package), sub.library), rows)


# --------------------------------------------------------------------------- records/


def record_tables(library: Library) -> list[RecordTable]:
    """The record tables of a submission (columns, labels, allowed values)."""
    from manualgen.inputs.record_forms import record_tables as _tables

    return _tables(library)


def record_table(library: Library, stem: str) -> RecordTable:
    """One record table by its file's stem (`activity-log`)."""
    from manualgen.inputs.record_forms import record_table as _table

    return _table(library, stem)


def read_records(folder: Path, table: RecordTable) -> tuple[list[dict[str, str]],
                                                            Path | None]:
    """One record table's rows as text cells, and the file they came from."""
    from manualgen.inputs.record_forms import read_rows

    return read_rows(Path(folder), table)


def records_file(table: RecordTable, rows: list[dict[str, str]], *,
                 existing: bytes | None = None) -> tuple[str, bytes]:
    """(path inside the submission folder, bytes) of a record table holding `rows`."""
    from manualgen.inputs.record_forms import goals_yaml, rows_csv

    if table.file.endswith(".yaml"):
        return f"records/{table.file}", goals_yaml(existing, table, rows)
    return f"records/{table.file}", rows_csv(table, rows, existing)


def import_records(table: RecordTable, name: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or Excel sheet with the table's columns."""
    from manualgen.inputs.record_forms import import_rows

    return import_rows(table, name, data)
