"""YAML with line numbers, front matter, and writes that never leave half a file."""

from __future__ import annotations

import os

import pytest

from manualgen.errors import InputError
from manualgen.io import parse_yaml, split_front_matter
from manualgen.services.storage import atomic_write_bytes


def test_lines_of_nested_keys_and_items():
    doc = parse_yaml("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")
    assert doc.line(("a", "b")) == 2
    assert doc.line(("a", "c", 1)) == 5
    assert doc.line(("a", "missing")) == 1  # falls back to the nearest parent


def test_yaml_1_1_traps_are_text():
    doc = parse_yaml("a: NO\nb: on\nc: 2024-02-31\nd: true\n", "f.yaml")
    assert doc.data == {"a": "NO", "b": "on", "c": "2024-02-31", "d": True}


def test_syntax_error_keeps_pyyaml_line():
    with pytest.raises(InputError, match=r"^f\.yaml:3: this is not valid YAML"):
        parse_yaml("a: 1\nb: 2\nc: [x\n", "f.yaml")


def test_front_matter_lines_are_file_lines():
    with pytest.raises(InputError, match=r"^p\.md:\d+: this is not valid YAML"):
        split_front_matter("---\nid: x\ntitle: [broken\n---\nbody\n", "p.md")
    ok = split_front_matter("---\nid: x\nrevision: 1\n---\n## Purpose\n", "p.md")
    assert ok.header.line(("revision",)) == 3
    assert ok.body_line == 5 and ok.body.startswith("## Purpose")


def test_missing_front_matter():
    with pytest.raises(InputError, match=r"^p\.md:1: no YAML header found"):
        split_front_matter("## Purpose\n", "p.md")


def test_atomic_write_replaces_only_when_complete(tmp_path, monkeypatch):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]  # no temp file left
    monkeypatch.undo()
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
