"""Publishing a library version: the next version number and the files it rewrites.

Pure text in, text out (no files read or written here), so the portal's staff pages, the
CLI and the tests make a release the same way and `services.library_repo` only stores it.
Every rewrite keeps the rest of the file byte for byte: NSNY reviews a release as a git
diff, and a diff that reflows comments or re-quotes YAML hides the change that matters.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from manualgen.errors import InputError, Problem, UsageError

LIBRARY_YAML = "policy_library/library.yaml"
CHANGELOG = "policy_library/CHANGELOG.md"
# The folders of a library home a release may write into (resources.LibraryPaths).
FOLDERS = ("policy_library", "form_templates", "packages")
# Documents with a `revision:` and `reviewed:` header that a release revises.
REVISED = ("policy_library/policies", "policy_library/procedures")
HEADINGS = ("Added", "Changed", "Removed", "Reviewed", "Fixed")  # CHANGELOG.md's kinds
WIDTH = 92                                                        # CHANGELOG.md's lines

_VERSION = re.compile(r"^(?P<year>\d{4})\.(?P<n>[1-9]\d*)$")
_HEADER = re.compile(r"\A---[ \t]*\n(?P<header>.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_NOTE_KIND = re.compile(r"^(?P<kind>" + "|".join(HEADINGS) + r")\s*:\s*(?P<text>.+)$",
                        re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Release:
    """One library version ready to store: each file's new bytes, by its path relative to
    the library home ("policy_library/policies/working-alone.md")."""

    version: str
    released: dt.date
    files: dict[str, bytes]
    notes: tuple[str, ...] = ()
    base: str | None = None        # the version it was made from: a newer one refuses it


# --------------------------------------------------------------------------- versions


def next_version(current: str, on: dt.date) -> str:
    """The version after `current` published on `on`: the year's next number, or the new
    year's first ("2026.2" -> "2026.3" in 2026, "2027.1" in 2027)."""
    match = _VERSION.match(str(current).strip())
    if match is None:
        raise InputError(Problem(
            LIBRARY_YAML, field="version",
            message=f"version {current!r} is not a year and a release number",
            fix='write it as the year, a dot and that year\'s release number, in quotes: '
                'version: "2026.2"'))
    year, number = int(match["year"]), int(match["n"])
    return f"{on.year}.1" if on.year > year else f"{year}.{number + 1}"


def version_of(library_yaml: str) -> str:
    """The `version:` of a library.yaml's text."""
    try:
        data = yaml.safe_load(library_yaml)
    except yaml.YAMLError as exc:
        raise InputError(Problem(LIBRARY_YAML, message=f"not valid YAML ({exc})",
                                 fix="run `manualgen library check` and fix it")) from None
    version = data.get("version") if isinstance(data, dict) else None
    if version is None:
        raise InputError(Problem(LIBRARY_YAML, field="version", message="no version",
                                 fix='add version: "2026.1"'))
    return str(version)


# --------------------------------------------------------------------------- YAML lines


def _set_line(text: str, key: str, value: str, *, start: int = 0, end: int | None = None,
              after: str | None = None, keep_quotes: bool = False,
              quote: bool = False) -> str:
    """`text` with the top-level `key:` line between `start` and `end` given `value`; its
    comment and every other byte kept. `keep_quotes`: quoted as the old value was;
    `quote`: in double quotes when it was not. A missing key is added after the `after`
    key's line (or at `end`)."""
    end = len(text) if end is None else end
    line = re.compile(rf"^{re.escape(key)}[ \t]*:(?P<gap>[ \t]*)(?P<value>[^\n#]*?)"
                      rf"(?P<tail>[ \t]+#[^\n]*)?[ \t]*$", re.MULTILINE)
    match = line.search(text, start, end)
    if match is None:
        value = f'"{value}"' if quote else value
        where = end
        if after is not None:
            other = re.compile(rf"^{re.escape(after)}[ \t]*:[^\n]*\n", re.MULTILINE)
            found = other.search(text, start, end)
            if found is not None:
                where = found.end()
        if where > 0 and text[where - 1] != "\n":
            return text[:where] + f"\n{key}: {value}\n" + text[where:]
        return text[:where] + f"{key}: {value}\n" + text[where:]
    old = match["value"]
    if keep_quotes and len(old) >= 2 and old[0] == old[-1] and old[0] in "'\"":
        value = f"{old[0]}{value}{old[0]}"
    elif quote:
        value = f'"{value}"'
    gap = match["gap"] or " "
    return (text[:match.start()] + f"{key}:{gap}{value}{match['tail'] or ''}"
            + text[match.end():])


def released_library_yaml(text: str, version: str, on: dt.date) -> str:
    """library.yaml with `version` and `released` set; comments and all else kept. The
    version is always quoted: unquoted, YAML reads 2026.10 as the number 2026.1."""
    text = _set_line(text, "version", version, keep_quotes=True, quote=True)
    return _set_line(text, "released", on.isoformat(), after="version", keep_quotes=True)


# --------------------------------------------------------------------------- policies


def _header_span(text: str, path: str) -> tuple[int, int]:
    match = _HEADER.match(text)
    if match is None:
        raise InputError(Problem(path, line=1, message="no YAML header found",
                                 fix="start the file with '---', the header fields, '---'"))
    start = match.start("header") if match["header"] is not None else match.end() - 3
    end = match.end("header") if match["header"] is not None else start
    return start, end


def _header_field(text: str, key: str, path: str) -> str | None:
    start, end = _header_span(text, path)
    match = re.compile(rf"^{re.escape(key)}[ \t]*:[ \t]*([^\n#]*?)[ \t]*(?:#[^\n]*)?$",
                       re.MULTILINE).search(text, start, end)
    return match[1].strip("'\"") if match else None


def _revision(text: str, path: str) -> int:
    value = _header_field(text, "revision", path)
    if value is None:
        return 1
    try:
        return int(value)
    except ValueError:
        raise InputError(Problem(path, field="revision",
                                 message=f"revision {value!r} is not a whole number",
                                 fix="write revision: 1, raised by one at each change")
                         ) from None


def _with_header(text: str, key: str, value: str, path: str, after: str | None) -> str:
    start, end = _header_span(text, path)
    return _set_line(text, key, value, start=start, end=end, after=after)


def revised_policy(text: str, *, on: dt.date, changed: bool, path: str = "policy") -> str:
    """A policy (or procedure) file reviewed on `on`: `reviewed:` set to that day and,
    when its text `changed` in substance, `revision:` raised by one; all else kept."""
    text = _with_header(text, "reviewed", on.isoformat(), path, after="revision")
    if changed:
        text = _with_header(text, "revision", str(_revision(text, path) + 1), path,
                            after=None)
    return text


def _substance(text: str, path: str) -> str:
    """The file less its `revision:` and `reviewed:` lines: what a review may not change
    without raising the revision."""
    start, end = _header_span(text, path)
    header = re.sub(r"^(?:revision|reviewed)[ \t]*:[^\n]*\n", "", text[start:end],
                    flags=re.MULTILINE)
    return text[:start] + header + text[end:]


def _title(text: str, path: str) -> str:
    return _header_field(text, "title", path) or PurePosixPath(path).stem


# --------------------------------------------------------------------------- changelog


def _heading_line(line: str) -> bool:
    return line.startswith("## ") or line.startswith("# ")


def _date_style(lines: list[str]) -> str:
    """How this changelog dates its releases ("## 2026.2 - 2026-12-01", or
    "## 2026.2 (2026-12-01)"): a new section follows the file's own habit."""
    for line in lines:
        if re.match(r"^## \S+ - \d{4}-\d{2}-\d{2}\s*$", line):
            return "## {version} - {date}\n"
        if re.match(r"^## \S+ \(\d{4}-\d{2}-\d{2}\)\s*$", line):
            break
    return "## {version} ({date})\n"


def _grouped(notes: list[str]) -> dict[str, list[str]]:
    """The notes by the heading they belong to ("Added: ..." under Added; else Changed)."""
    groups: dict[str, list[str]] = {}
    for note in notes:
        note = " ".join(note.split())
        if not note:
            continue
        match = _NOTE_KIND.match(note)
        kind, words = (match["kind"].capitalize(), match["text"]) if match else \
            ("Changed", note)
        groups.setdefault(kind, []).append(words)
    return groups


def _bullet(note: str) -> list[str]:
    return [line + "\n" for line in textwrap.wrap(
        note, WIDTH, initial_indent="- ", subsequent_indent="  ",
        break_long_words=False, break_on_hyphens=False)]


def _last_text(lines: list[str], start: int, end: int) -> int:
    """The index after the last non-blank line in lines[start:end] (start if none)."""
    at = end
    while at > start and not lines[at - 1].strip():
        at -= 1
    return at


def changelog_with_release(text: str, version: str, on: dt.date, notes: list[str]) -> str:
    """CHANGELOG.md with the section of `version`: the "## Unreleased ..." section renamed
    (its content kept), or a new section above the newest; the notes added under their
    headings. `library check` finds the version in its heading."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    heading = _date_style(lines).format(version=version, date=on.isoformat())
    start = next((i for i, line in enumerate(lines)
                  if re.match(r"^##\s+unreleased\b", line, re.IGNORECASE)), None)
    if start is not None:
        lines[start] = heading
    else:
        start = next((i for i, line in enumerate(lines) if line.startswith("## ")), None)
        if start is None:
            if lines and lines[-1].strip():
                lines.append("\n")
            start = len(lines)
            lines += [heading]
        else:
            lines[start:start] = [heading, "\n"]
    for kind, items in _grouped(notes).items():
        end = next((i for i in range(start + 1, len(lines)) if _heading_line(lines[i])),
                   len(lines))
        bullets = [line for item in items for line in _bullet(item)]
        sub = next((i for i in range(start + 1, end)
                    if lines[i].rstrip("\n").strip().lower() == f"### {kind}".lower()), None)
        if sub is not None:
            sub_end = next((i for i in range(sub + 1, end) if lines[i].startswith("### ")),
                           end)
            at = _last_text(lines, sub + 1, sub_end)
            lines[at:at] = bullets if at > sub + 1 else ["\n", *bullets]
        else:
            at = _last_text(lines, start + 1, end)
            lines[at:at] = ["\n", f"### {kind}\n", "\n", *bullets]
        end = next((i for i in range(start + 1, len(lines)) if _heading_line(lines[i])),
                   len(lines))
        if end < len(lines) and lines[end - 1].strip():
            lines.insert(end, "\n")
    return "".join(lines)


# --------------------------------------------------------------------------- a release


def check_path(path: str) -> str:
    """A release's file name: relative, inside one of the library's three folders."""
    pure = PurePosixPath(path)
    if (pure.is_absolute() or not pure.parts or pure.parts[0] not in FOLDERS
            or any(part in ("..", ".", ".git", "") for part in pure.parts) or "\\" in path
            or len(pure.parts) < 2):
        raise UsageError(f"{path!r} is not a file of the library",
                         fix="name it by its path under " + ", ".join(f"{f}/" for f in FOLDERS))
    return pure.as_posix()


def _revised(path: str) -> bool:
    return path.endswith(".md") and str(PurePosixPath(path).parent) in REVISED


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(path, message="the file is not UTF-8 text",
                                 fix="save it as UTF-8")) from None


def make_release(current: Callable[[str], bytes], changes: Mapping[str, bytes],
                 notes: list[str], on: dt.date) -> Release:
    """The next version from the library `current` reads (by path; FileNotFoundError for a
    new file) and the `changes` (new bytes by path): each changed policy reviewed on `on`,
    its revision raised when its text changed; library.yaml and CHANGELOG.md bumped. With
    no notes, they are made from what changed ("Working Alone revised (revision 4)")."""
    if not changes:
        raise UsageError("nothing to publish", fix="change a policy or a form first")
    base_yaml = _decode(current(LIBRARY_YAML), LIBRARY_YAML)
    base = version_of(base_yaml)
    version = next_version(base, on)
    files: dict[str, bytes] = {}
    made: list[str] = []
    for raw_path, data in sorted(changes.items()):
        path = check_path(raw_path)
        if path in (LIBRARY_YAML, CHANGELOG):
            raise UsageError(f"{path} is written by publishing",
                             fix="give the release notes instead")
        try:
            old: bytes | None = current(path)
        except FileNotFoundError:
            old = None
        if not _revised(path):
            if old != data:
                files[path] = data
                made.append(("Changed: " if old is not None else "Added: ") +
                            f"`{path.split('/', 1)[1]}`" +
                            (" replaced" if old is not None else ""))
            continue
        # as the library's files are kept: UTF-8 without a BOM, lines ending in LF (a
        # browser's text box sends CRLF)
        text = _decode(data, path).removeprefix("\ufeff").replace("\r\n", "\n")
        if old is None:
            files[path] = revised_policy(text, on=on, changed=False, path=path).encode()
            made.append(f"Added: {_title(text, path)}")
            continue
        old_text = _decode(old, path)
        changed = _substance(old_text, path) != _substance(text, path)
        text = _with_header(text, "revision", str(_revision(old_text, path)), path,
                            after=None)
        new = revised_policy(text, on=on, changed=changed, path=path)
        files[path] = new.encode()
        made.append(f"{_title(new, path)} revised (revision {_revision(new, path)})"
                    if changed else f"Reviewed: {_title(new, path)}, without change")
    notes = [n for n in (notes or made) if n.strip()]
    files[CHANGELOG] = changelog_with_release(_decode(current(CHANGELOG), CHANGELOG),
                                              version, on, notes).encode()
    files[LIBRARY_YAML] = released_library_yaml(base_yaml, version, on).encode()
    return Release(version, on, files, tuple(notes), base)
