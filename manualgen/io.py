"""Reading YAML with line numbers kept, and front matter.

Values come from a loader that follows YAML 1.2 habits where 1.1 surprises people
(`NO` stays the string "NO"); line numbers come from the node tree, so every validation
error can point at the line the user has to change.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from manualgen.errors import InputError, Problem, fail

Key = tuple[str | int, ...]


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader with only true/false as booleans (YAML 1.2), so `NO`, `on`, `y` stay text,
    and dates left as text: the models parse them on purpose, so 2024-02-31 is a clear
    error at its line instead of a crash inside PyYAML."""


    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | str:
        # Python refuses to turn more than 4,300 digits into an int (a guard against slow
        # conversions); such a "number" stays text, and the model says what is wrong.
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return str(self.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)

_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in _DROPPED]
    for k, v in _Base.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class YamlDoc:
    """A YAML document's values plus the line of every key and item in it."""

    path: str
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)
    line_offset: int = 0

    def line(self, key: Key) -> int | None:
        """The line of `key`, or of the nearest parent that has one."""
        key = tuple(key)
        while key:
            if key in self.lines:
                return self.lines[key] + self.line_offset
            key = key[:-1]
        return self.lines.get((), 0) + self.line_offset if self.lines else None

    def problem(self, key: Key, message: str, fix: str | None = None,
                severity: str = "error", *, words=None) -> Problem:
        """A problem at `key`; `words(key, data)` names the field for the user."""
        label = words(tuple(key), self.data) if words else dotted(key)
        return Problem(self.path, self.line(key), label or None, message, fix, severity,
                       key=tuple(key))


def dotted(key: Key) -> str:
    return ".".join(str(k) for k in key)


# What one YAML file may hold. Aliases (`*name`) repeat what an anchor (`&name`) holds
# without copying it; nested, they multiply ("a billion laughs" in a few lines), so the
# document is measured as if every alias were written out before anything walks it.
MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_YAML_VALUES = 200_000
MAX_YAML_DEPTH = 50


def _measure(root: yaml.Node, path: str, line_offset: int) -> None:
    """Refuse a document that would be too large or too deep once its aliases are expanded,
    or that holds itself; counts each node once (sizes are memoised), so it is linear."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def refuse(node: yaml.Node, message: str, fix: str) -> InputError:
        return InputError(Problem(path, node.start_mark.line + 1 + line_offset, None,
                                  message, fix))

    def size(node: yaml.Node, depth: int) -> int:
        ident = id(node)
        if ident in sizes:
            return sizes[ident]
        if ident in open_nodes:
            raise refuse(node, "an alias (*name) here refers to a value that contains it",
                         "write the value out instead of using the alias")
        if depth > MAX_YAML_DEPTH:
            raise refuse(node, f"the values are nested more than {MAX_YAML_DEPTH} levels deep",
                         "check the indentation; no field of manualgen nests this deep")
        open_nodes.add(ident)
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_YAML_VALUES:
                raise refuse(node, f"this file holds more than {MAX_YAML_VALUES:,} values "
                             "once its aliases (*name) are written out",
                             "write the values out and keep the file to what the tool asks "
                             "for; aliases that repeat aliases multiply")
        open_nodes.discard(ident)
        sizes[ident] = total
        return total

    size(root, 0)


def _walk(node: yaml.Node, key: Key, out: dict[Key, int]) -> None:
    out.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k_node, v_node in node.value:
            k = k_node.value
            out[key + (k,)] = k_node.start_mark.line + 1
            _walk(v_node, key + (k,), out)
            out[key + (k,)] = k_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, key + (i,), out)


def parse_yaml(text: str, path: str | Path, *, line_offset: int = 0) -> YamlDoc:
    """Parse YAML text; a syntax error becomes an InputError with PyYAML's own line."""
    path = str(path)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at_end = exc.problem_mark is not None and exc.problem_mark.index >= len(text.rstrip())
        if exc.context_mark and at_end:
            mark = exc.context_mark  # an unclosed bracket or quote: point where it opened
        line = mark.line + 1 + line_offset if mark else None
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}, {what}"
        raise InputError(Problem(
            path, line, None, f"this is not valid YAML ({what})",
            "check the indentation and quoting on this line and the one above; "
            "put text containing ':' or '#' in quotes")) from exc
    except yaml.YAMLError as exc:
        raise fail(path, f"this is not valid YAML ({exc})") from exc
    lines: dict[Key, int] = {}
    if node is not None:
        _measure(node, path, line_offset)
        _walk(node, (), lines)
    return YamlDoc(path, data, lines, line_offset)


MAX_TEXT_BYTES = 20 * 1024 * 1024     # a records CSV; YAML files have their own limit


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def read_text(path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file of at most `limit` bytes, turning OS and encoding errors,
    files too large and things that are not files (a pipe would never end) into user
    errors."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise fail(path, "this is not a regular file (a device, pipe or socket)",
                       fix="give the path of the file itself")
        if info.st_size > limit:
            raise fail(path, f"the file is {_megabytes(info.st_size)}; the tool reads files "
                       f"of this kind up to {_megabytes(limit)}",
                       fix="check that this is the right file; keep it to what the tool "
                           "asks for")
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:      # it grew while we looked
            raise fail(path, f"the file is larger than {_megabytes(limit)}",
                       fix="check that this is the right file")
        text = data.decode("utf-8-sig")
        return text.replace("\r\n", "\n").replace("\r", "\n")   # as text mode reads it
    except FileNotFoundError as exc:
        raise fail(path, "file not found", fix="check the path and the spelling") from exc
    except IsADirectoryError as exc:
        raise fail(path, "this is a folder, not a file") from exc
    except UnicodeDecodeError as exc:
        raise fail(path, f"not UTF-8 text (byte {exc.start})",
                   fix="save the file as UTF-8 in your editor") from exc
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror})") from exc


def load_yaml(path: Path) -> YamlDoc:
    return parse_yaml(read_text(path, limit=MAX_YAML_BYTES), path)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass
class FrontMatter:
    header: YamlDoc
    body: str
    body_line: int  # line number of the body's first line in the file


def split_front_matter(text: str, path: str | Path) -> FrontMatter:
    """Split a `---` YAML header from a Markdown body; a missing or broken header is an error."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise fail(path, "no YAML header found", line=1,
                   fix="start the file with a line '---', the header fields, and another '---'")
    header_text = match.group(1) or ""
    header = parse_yaml(header_text, path, line_offset=1)
    body_line = text[: match.end()].count("\n") + 1
    return FrontMatter(header, text[match.end():], body_line)


def inside(root: Path, candidate: Path) -> bool:
    """True when `candidate` (resolved, links followed) stays inside `root`."""
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
