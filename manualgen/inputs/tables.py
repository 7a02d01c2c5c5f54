"""Reading one record table - CSV or Excel - into rows with their spreadsheet row numbers.

Employers keep their records in Excel as often as in CSV, so both read into the same
shape: a header of normalised column names and rows of raw cell values, each with the row
number the user sees in the spreadsheet (the header is row 1). Checking the values is the
caller's job; this module only reports what makes the whole file unreadable, and the
columns that are missing or unknown - all at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manualgen.errors import Collector, Problem, RecordCell, fail
from manualgen.inputs.models import Shown
from manualgen.io import read_text

SUFFIXES = (".csv", ".xlsx")
# Columns anyone may add for their own use; they are read and ignored.
FREE_COLUMNS = ("notes", "comments")

# What one record table may hold. A company of fewer than ten people writes a few hundred
# rows a year; the limits leave room for a hundred times that and keep every report
# (10,000 incidents are some 250 pages of the summary) within minutes.
MAX_ROWS = 10_000                   # records (rows with something in them) per file
MAX_SHEET_ROWS = 100_000            # rows of an Excel sheet, blank ones included
MAX_COLUMNS = 40                    # columns read from an Excel sheet
MAX_FILE_BYTES = 20 * 1024 * 1024   # a CSV or Excel file on disk
MAX_XLSX_EXPANDED = 200 * 1024 * 1024   # an Excel file's parts once unzipped
MAX_CELL_CHARS = 2000               # text in one cell
MAX_NUMBER = 1_000_000              # hours in a month, days lost, ...


@dataclass(frozen=True)
class Row:
    number: int                     # the row the user sees (header = 1)
    values: dict[str, Any]          # column -> raw cell value (str from CSV; typed from Excel)


@dataclass(frozen=True)
class Table:
    path: Path
    columns: list[str]
    rows: list[Row]
    letters: dict[str, str]         # column -> spreadsheet letter, for Excel messages

    @property
    def is_excel(self) -> bool:
        return self.path.suffix.lower() == ".xlsx"

    def where(self, column: str) -> str:
        """How a message names a column: `activity`, or `activity (column C)` in Excel."""
        letter = self.letters.get(column)
        return f"{column} (column {letter})" if letter and self.is_excel else column

    def problem(self, row: Row, column: str, message: str, fix: str | None = None) -> Problem:
        return Problem(str(self.path), row.number, self.where(column), message, fix,
                       cell=RecordCell(self.path.stem, column))


def normalise_column(name: Any) -> str:
    """'Days Lost' and 'days-lost' are both `days_lost`."""
    text = "" if name is None else str(name)
    return "_".join(text.strip().lower().replace("-", " ").split())


def find_table(folder: Path, stem: str) -> Path | None:
    """`stem.csv` or `stem.xlsx` in `folder`; both at once is an error (which one is true?)."""
    found = [folder / (stem + s) for s in SUFFIXES if (folder / (stem + s)).is_file()]
    if len(found) > 1:
        raise fail(found[1], f"both {found[0].name} and {found[1].name} exist",
                   fix="keep one of them, so the records are read from one place")
    return found[0] if found else None


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _csv_rows(path: Path) -> list[list[Any]]:
    text = read_text(path, limit=MAX_FILE_BYTES)
    first = text.split("\n", 1)[0]
    # Excel in some locales saves CSV with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise fail(path, f"this CSV file cannot be read ({exc})",
                   fix="open it in a spreadsheet program and save it again as CSV") from None


def _check_workbook(path: Path) -> None:
    """Refuse before openpyxl reads it: an Excel file too large on disk, or one whose
    parts unzip to far more than records need (a zip bomb)."""
    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as zf:
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise fail(path, f"cannot be read as an Excel workbook ({exc.__class__.__name__})",
                   fix="save it from Excel as .xlsx, or as CSV") from None
    if size > MAX_FILE_BYTES or expanded > MAX_XLSX_EXPANDED:
        raise fail(path, f"the workbook is too large to be records (at most "
                   f"{MAX_FILE_BYTES // 2**20} MB, {MAX_XLSX_EXPANDED // 2**20} MB unzipped)",
                   fix="keep one year's records in the first sheet, or save them as CSV")


def _excel_rows(path: Path) -> list[list[Any]]:
    import openpyxl  # only employers with Excel records pay for the import

    _check_workbook(path)
    rows: list[list[Any]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # openpyxl warns about harmless styling
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                # Columns are capped, so a sheet claiming to reach column XFD costs nothing.
                for r in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                    rows.append(list(r))
                    if len(rows) > MAX_SHEET_ROWS:
                        raise fail(path, f"the first sheet runs to more than "
                                   f"{MAX_SHEET_ROWS:,} rows",
                                   fix="delete the empty rows below the records, or save "
                                       "the records as CSV")
            finally:
                book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise fail(path, f"cannot be read as an Excel workbook ({exc.__class__.__name__})",
                   fix="save it from Excel as .xlsx, or as CSV") from None
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_comment(cells: list[Any]) -> bool:
    """A row whose first filled cell starts with '#': a note or example, not a record."""
    first = next((v for v in cells if not _blank(v)), None)
    return isinstance(first, str) and first.lstrip().startswith("#")


def read_table(path: Path, columns: list[str], required: list[str]) -> Table:
    """Read a record table; a missing required column or an unknown one is an error."""
    raw = _excel_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    found = Collector()
    header_at = next((i for i, r in enumerate(raw) if not all(_blank(v) for v in r)), None)
    if header_at is None:
        raise fail(path, "the file is empty", line=1,
                   fix="the first row names the columns: " + ",".join(columns))
    header = [normalise_column(v) for v in raw[header_at]]
    letters = {name: _letter(i) for i, name in enumerate(header) if name}
    for name in required:
        if name not in header:
            found.add(path, f"no column {name!r}", line=header_at + 1,
                      fix="the first row names the columns: " + ",".join(columns))
    for i, name in enumerate(header):
        if not name or name in columns or name in FREE_COLUMNS:
            continue
        close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else \
            "the columns are: " + ",".join(columns)
        found.add(path, f"unknown column {name!r}", line=header_at + 1,
                  field=f"column {_letter(i)}" if path.suffix.lower() == ".xlsx" else None,
                  fix=hint)
        letters.pop(name, None)
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            found.add(path, f"column {name!r} appears twice", line=header_at + 1,
                      fix="keep one of them")
        seen.add(name)
    found.raise_if_errors()
    rows = []
    for i, cells in enumerate(raw[header_at + 1:], start=header_at + 2):
        if all(_blank(v) for v in cells) or is_comment(cells):
            continue
        values = {name: (cells[j] if j < len(cells) else None)
                  for j, name in enumerate(header) if name in columns}
        rows.append(Row(i, values))
        if len(rows) > MAX_ROWS:
            raise fail(path, f"more than {MAX_ROWS:,} records (row {i}); the tool reads "
                       f"up to {MAX_ROWS:,} per file", line=i,
                       fix="keep one review period's records in the file; move older "
                           "years to a file of their own")
    return Table(path, [c for c in header if c in columns], rows, letters)


# --- cell parsers: each returns the value or raises ValueError with (message, fix) ---

class CellError(ValueError):
    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# Characters Word's XML cannot hold; whitespace controls are already spaces (see text()).
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff\ufffe\uffff]")


def free_text(value: Any) -> str:
    """A cell of words (a description, a name) as it goes into the report."""
    raw = text(value)
    bad = _UNPRINTABLE.search(raw)
    if bad:
        raise CellError(f"contains an invisible control character (U+{ord(bad.group()):04X})",
                        "retype the text, or paste it as plain text")
    if len(raw) > MAX_CELL_CHARS:
        raise CellError(f"is longer than {MAX_CELL_CHARS:,} characters ({len(raw):,})",
                        "shorten it; keep the full story in the investigation report")
    return raw


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        raise CellError("the date is missing", "write it as YYYY-MM-DD, for example 2026-03-14")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(raw).date()
    except ValueError:
        raise CellError(f"{Shown(raw)!r} is not a date",
                        "write it as YYYY-MM-DD, for example 2026-03-14") from None


def optional_date(value: Any) -> dt.date | None:
    return None if _blank(value) else date(value)


def month(value: Any) -> dt.date:
    """A month as its first day: '2026-03', or a date Excel made of it."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    raw = text(value)
    try:
        if len(raw) == 7:
            return dt.date.fromisoformat(raw + "-01")
        day = dt.date.fromisoformat(raw)
        return dt.date(day.year, day.month, 1)
    except ValueError:
        raise CellError(f"{Shown(raw)!r} is not a month" if raw else "the month is missing",
                        "write it as YYYY-MM, for example 2026-03") from None


def number(value: Any, *, whole: bool = False, blank: float | None = None) -> float:
    """A non-negative number; '1,280' is 1280 (thousands separators are common)."""
    if _blank(value):
        if blank is not None:
            return blank
        raise CellError("the number is missing", "write a number such as 6")
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number", "write a number such as 6")
    if isinstance(value, int | float):
        result = float(value)
    else:
        raw = text(value).replace(",", "")
        try:
            result = float(raw)
        except ValueError:
            result = math.nan
        if math.isnan(result):
            raise CellError(f"{Shown(text(value))!r} is not a number",
                            "write a number such as 6") from None
    if not math.isfinite(result) or result > MAX_NUMBER:
        raise CellError(f"{Shown(text(value))!r} is far too large a number",
                        f"write a number up to {MAX_NUMBER:,}")
    if result < 0:
        raise CellError(f"{text(value)} is negative", "write 0 or more")
    if whole and not result.is_integer():
        raise CellError(f"{text(value)} is not a whole number", "write a whole number such as 6")
    return result


YES = ("yes", "y", "true", "1", "x")
NO = ("no", "n", "false", "0")


def yes_no(value: Any, *, blank_ok: bool = False) -> bool | None:
    raw = text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    if not raw and blank_ok:
        return None
    if not raw:
        raise CellError("yes or no is missing", "write yes or no")
    raise CellError(f"{Shown(text(value))!r} is not yes or no", "write yes or no")


def choice(value: Any, allowed: dict[str, str], what: str) -> str:
    """A key of `allowed`, given as the key or its label, in any case."""
    raw = text(value)
    if not raw:
        raise CellError(f"the {what} is missing", "use one of: " + ", ".join(allowed))
    key = normalise_column(raw)
    if key in allowed:
        return key
    for k, label in allowed.items():
        if raw.lower() == label.lower():
            return k
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6) \
        if len(key) <= 100 else []
    hint = (f"did you mean {close[0]!r}? " if close else "") + "use one of: " + \
        ", ".join(allowed)
    raise CellError(f"unknown {what} {Shown(raw)!r}", hint)
