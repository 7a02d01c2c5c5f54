"""Property tests (issue 13): profiles, records rows and submission.yaml files made from the
models' own field types, mixed with hostile strings, through the commands a user runs.

Whatever the input, a command exits 0, 1 or 2 - never 3 (a bug), never a traceback; on 2
its message names the file it is about; a build's output is either complete and valid or
absent. Values come from walking the pydantic models (text within and past its length,
numbers within and past their bounds, dates real and not, the allowed words and others),
so a field added to a model is generated without touching this file.

CI runs a bounded number of examples (the "ci" profile, about a minute). A longer run:

    MANUALGEN_HYPOTHESIS=long .venv/bin/python -m pytest -q tests/test_properties.py

(or `--hypothesis-profile=long`); `long` tries 40 times as many examples.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import os
import tempfile
import types
import typing
import zipfile
from pathlib import Path
from typing import Any, Literal

import annotated_types
import pikepdf
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from pydantic import BaseModel

from manualgen.cli import main
from manualgen.inputs.profile import Profile
from manualgen.inputs.records import Goals, PreviousYear
from manualgen.inputs.submission import SubmissionSettings

from conftest import EXAMPLE, MINIMAL_PROFILE

EXAMPLE_RECORDS = EXAMPLE.parent / "2026-submission" / "records"

# Hypothesis keeps caches in ./.hypothesis; the tests write nothing into the repository.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "manualgen-hypothesis"))
settings.register_profile("ci", max_examples=12, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=480)
settings.load_profile(os.environ.get("MANUALGEN_HYPOTHESIS", "ci"))

# --- values ----------------------------------------------------------------------------------

HOSTILE = [
    "", " ", "\x00", "Acme \x01 Ltd", "esc\x1b[31m", "\x7f", "\ufffe", "\uffff", "\u202eevil",
    "{{ 7 * 7 }}", "{% for x in range(10**9) %}x{% endfor %}", "{{ ''.__class__ }}",
    "<w:t>broken</w:t>", "&amp; &lt; ]]> <![CDATA[", "../../../etc/passwd", "/etc/passwd",
    "A" * 300, "9" * 5000, "NO", "on", "~", "null", "2024-02-31", "1e999", "nan", "-inf",
    "-1", "0x1F", "1_000", "1:20:30", "*alias", "&anchor", "!!python/object:os.system",
    "key: value", "# comment", "- item", "'quoted'", '"dq"', "tab\there", "line\nbreak",
    "Éloïse Tāgé ✓ 𝄞", "\u00a0nbsp", "a" * 2001,
]


class Digits(str):
    """A number too long for Python to print as an int (over 4,300 digits), written into
    the YAML as a bare number."""


yaml.SafeDumper.add_representer(
    Digits, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:int", value))


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                     st.text(st.characters(codec="utf-8"), min_size=1, max_size=400))


def _constraints(metadata: list) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in metadata:
        for name in ("max_length", "min_length", "ge", "le", "gt", "lt"):
            value = getattr(item, name, None)
            if value is not None:
                out[name] = value
        if isinstance(item, annotated_types.Len):
            out["min_length"], out["max_length"] = item.min_length, item.max_length
        for inner in getattr(item, "metadata", []):      # a FieldInfo's own constraints
            out.update(_constraints([inner]))
    return out


def for_type(annotation: Any, metadata: list | None = None) -> st.SearchStrategy:
    """Values for a field: mostly what its type allows, sometimes what it does not."""
    metadata = list(metadata or [])
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return for_type(base, metadata + extra)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(for_type(a, metadata) for a in typing.get_args(annotation)))
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.one_of(st.sampled_from(typing.get_args(annotation)), hostile_text())
    if origin is list:
        (item,) = typing.get_args(annotation)
        limit = _constraints(metadata).get("max_length") or 4
        return st.lists(for_type(item), max_size=min(limit + 1, 4))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return st.dictionaries(for_type(key), for_type(value), max_size=3)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_values(annotation)
    limits = _constraints(metadata)
    if annotation is bool:
        return st.one_of(st.booleans(), st.sampled_from(["yes", "no", "maybe", 1]))
    if annotation is int:
        lo, hi = limits.get("ge", -5), limits.get("le", 10**6)
        return st.one_of(st.integers(lo, hi), st.integers(hi, hi + 2), st.integers(lo - 2, lo),
                         st.just(Digits("9" * 5000)), hostile_text())
    if annotation is float:
        return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 500),
                         hostile_text())
    if annotation is dt.date:
        return st.one_of(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)).map(str),
                         st.sampled_from(["2025-02-29", "2026-13-01", "tomorrow", "20260101"]))
    if annotation is str:
        longest = limits.get("max_length", 60)
        fits = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1,
                       max_size=min(longest, 60))
        return st.one_of(fits, fits, st.text(min_size=longest, max_size=longest + 5)
                         if longest < 3000 else st.just("x" * (longest + 1)), hostile_text())
    return hostile_text()


def model_values(model: type[BaseModel]) -> st.SearchStrategy[dict]:
    """A dict for `model`: every field from its type; now and then one left out or an
    unknown one added."""
    fields = {name: for_type(f.annotation, f.metadata) for name, f in model.model_fields.items()}
    return st.fixed_dictionaries({}, optional={**fields, "unknown_field": hostile_text()})


def _field_paths(model: type[BaseModel], prefix: tuple = ()) -> list[tuple[tuple, Any, list]]:
    """(path, annotation, metadata) for every field, nested models walked."""
    out = []
    for name, f in model.model_fields.items():
        path = prefix + (name,)
        out.append((path, f.annotation, f.metadata))
        inner = f.annotation
        for arg in (typing.get_args(inner) or (inner,)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                out += _field_paths(arg, path)
    return out


def changed(base: dict, model: type[BaseModel]) -> st.SearchStrategy[dict]:
    """`base` with up to three of its fields (anywhere in the model) given generated
    values: most examples stay close to valid, so the builds behind check run too."""
    paths = _field_paths(model)

    @st.composite
    def build(draw) -> dict:
        data = copy.deepcopy(base)
        for _ in range(draw(st.integers(0, 3))):
            path, annotation, metadata = draw(st.sampled_from(paths))
            value = draw(for_type(annotation, metadata))
            node = data
            for key in path[:-1]:
                if isinstance(node.get(key), list) and node[key]:
                    node = node[key][0]
                elif isinstance(node.get(key), dict):
                    node = node[key]
                else:
                    node[key] = {}
                    node = node[key]
            node[path[-1]] = value
        return data

    return build()


# --- running a command -----------------------------------------------------------------------

def run(args: list[str]) -> Result:
    from hypothesis import event

    result = CliRunner().invoke(main, args)
    event(f"{args[0]}: exit {result.exit_code}")
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code in (0, 1, 2), f"exit {result.exit_code}: {result.output}"
    return result


def names_a_file(result: Result, *names: str) -> None:
    if result.exit_code == 2:
        assert any(name in result.output for name in names), result.output


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)


def valid_docx(path: Path) -> None:
    import docx

    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    docx.Document(str(path))


def valid_pdf(path: Path) -> None:
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) > 0


def scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="manualgen-property-")


# --- profiles --------------------------------------------------------------------------------

def _with_hazard(data: dict) -> dict:
    return {**data, "hazards": ["ladders"]}


PROFILE_BASE = _with_hazard(copy.deepcopy(MINIMAL_PROFILE))


@given(changed(PROFILE_BASE, Profile))
def test_any_profile_checks_and_builds_forms_or_says_what_is_wrong(data):
    with scratch() as tmp:
        root = Path(tmp)
        profile = root / "company.yaml"
        profile.write_text(dump(data), encoding="utf-8")
        checked = run(["check", str(profile)])
        assert checked.exit_code in (0, 2)
        names_a_file(checked, "company.yaml")
        out = root / "forms"
        built = run(["forms", str(profile), "-o", str(out)])
        assert built.exit_code == checked.exit_code, built.output
        if built.exit_code == 0:
            files = sorted(out.glob("*.docx"))
            assert len(files) == 14
            for path in files:
                valid_docx(path)
        else:
            assert not out.exists() or not any(out.iterdir())


@settings(max_examples=max(3, settings.default.max_examples // 3))
@given(changed(PROFILE_BASE, Profile))
def test_any_profile_builds_the_manual_or_leaves_nothing(data):
    with scratch() as tmp:
        root = Path(tmp)
        profile = root / "company.yaml"
        profile.write_text(dump(data), encoding="utf-8")
        out = root / "out" / "manual.docx"
        result = run(["manual", str(profile), "-o", str(out), "--layout",
                      "word-updates-on-open"])
        names_a_file(result, "company.yaml")
        if result.exit_code == 0:
            valid_docx(out)
        else:
            assert not out.exists()


@given(st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["a: &a [1, *a]", "[" * 200, "a: " + "[" * 60 + "]" * 60, "\t- x", "---\n---\n",
     "company: !!binary aGk=", "? [a, b]\n: c", "company:\n  legal_name: *nothing"]))
def test_any_text_as_a_profile_is_judged(text):
    with scratch() as tmp:
        profile = Path(tmp) / "company.yaml"
        profile.write_text(text, encoding="utf-8")
        result = run(["check", str(profile)])
        assert result.exit_code == 2
        names_a_file(result, "company.yaml")


# --- records rows ---------------------------------------------------------------------------

ACTIVITIES = ["inspection", "toolbox_meeting", "drill", "Site inspections", "orientation"]
CLASSES = ["near_miss", "first_aid", "lost_time", "Medical aid", "fatality"]


def cell(kind: str) -> st.SearchStrategy:
    """A value for a records column of `kind`: mostly right, sometimes not."""
    good = {
        "date": st.dates(dt.date(2025, 12, 16), dt.date(2026, 12, 15)).map(str),
        "month": st.dates(dt.date(2025, 12, 16), dt.date(2026, 12, 15)).map(
            lambda d: f"{d:%Y-%m}"),
        "activity": st.sampled_from(ACTIVITIES),
        "class": st.sampled_from(CLASSES),
        "number": st.integers(0, 400).map(str) | st.sampled_from(["1,280.5", "0", ""]),
        "yes_no": st.sampled_from(["yes", "no", "Y", "n", "x", ""]),
        "status": st.sampled_from(["open", "closed", "in progress", "done"]),
        "text": st.text(max_size=30),
    }[kind]
    return st.one_of(good, good, good, hostile_text())


TABLES: dict[str, list[tuple[str, str]]] = {
    "activity-log.csv": [("date", "date"), ("activity", "activity"), ("site", "text"),
                         ("description", "text"), ("people", "text")],
    "incidents.csv": [("date", "date"), ("class", "class"), ("description", "text"),
                      ("days_lost", "number"), ("modified_days", "number"),
                      ("investigated", "yes_no"), ("reported_to_wscb", "yes_no")],
    "hours.csv": [("month", "month"), ("hours", "number"), ("employees", "number")],
    "action-plan.csv": [("item", "text"), ("element", "number"), ("finding", "text"),
                        ("action", "text"), ("responsible", "text"), ("due", "date"),
                        ("status", "status"), ("completed", "date")],
}


@st.composite
def records_file(draw) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(TABLES)))
    columns = TABLES[name]
    rows = draw(st.lists(st.tuples(*(cell(kind) for _, kind in columns)), max_size=12))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    header = [c for c, _ in columns]
    if draw(st.integers(0, 9)) == 0:                     # a typo in the header, now and then
        header[draw(st.integers(0, len(header) - 1))] += "s"
    writer.writerow(header)
    writer.writerows(rows)
    return name, buf.getvalue()


def submission(root: Path, settings_text: str, files: dict[str, str]) -> Path:
    import shutil

    (root / "company.yaml").write_text(dump(PROFILE_BASE), encoding="utf-8")
    folder = root / "sub"
    folder.mkdir()
    (folder / "submission.yaml").write_text(settings_text, encoding="utf-8")
    shutil.copytree(EXAMPLE_RECORDS, folder / "records")
    for rel, text in files.items():
        (folder / "records" / rel).write_text(text, encoding="utf-8")
    return folder


def summary_outputs_complete_or_absent(folder: Path, root: Path, *names: str) -> None:
    pdf, docx_path, json_path = root / "o" / "s.pdf", root / "o" / "s.docx", root / "o" / "s.json"
    result = run(["summary", str(folder), "-o", str(pdf), "--docx", str(docx_path),
                  "--json", str(json_path)])
    assert result.exit_code in (0, 2)
    names_a_file(result, *names)
    if result.exit_code == 0:
        valid_pdf(pdf)
        valid_docx(docx_path)
        assert json_path.read_text(encoding="utf-8").startswith("{")
    else:
        assert not any(p.exists() for p in (pdf, docx_path, json_path))


@given(st.lists(records_file(), min_size=1, max_size=2))
def test_any_records_rows_give_the_summary_or_name_the_file(files):
    with scratch() as tmp:
        root = Path(tmp)
        folder = submission(root, "anniversary: 2026-12-15\n", dict(files))
        summary_outputs_complete_or_absent(folder, root, *[f"records/{n}" for n, _ in files])


@given(changed({"last_year": [{"goal": "No injuries", "outcome": "Met", "met": "yes"}],
                "next_year": [{"goal": "Weekly toolbox meetings"}]}, Goals),
       changed({"hours": 11000, "incidents": {"first_aid": 2}}, PreviousYear))
def test_any_goals_and_last_years_figures(goals, previous):
    with scratch() as tmp:
        root = Path(tmp)
        folder = submission(root, "anniversary: 2026-12-15\n",
                            {"goals.yaml": dump(goals), "previous-year.yaml": dump(previous)})
        summary_outputs_complete_or_absent(folder, root, "goals.yaml", "previous-year.yaml")


# --- submission.yaml -------------------------------------------------------------------------

SETTINGS_BASE = {"anniversary": "2026-12-15", "prepared_by": "Mary-Anne O'Brien",
                 "targets": {"inspection": 1},
                 "samples": {"site-inspections/scan0042.pdf": {"date": "2026-08-12"}}}


@given(changed(SETTINGS_BASE, SubmissionSettings))
def test_any_submission_yaml_is_checked_or_named(data):
    with scratch() as tmp:
        root = Path(tmp)
        folder = submission(root, dump(data), {})
        result = run(["package", "check", str(folder)])
        names_a_file(result, "submission.yaml", "records/")
        summary_outputs_complete_or_absent(folder, root, "submission.yaml", "records/")


def test_the_generators_reach_every_model_field():
    """A new field in a model is generated too (the walk follows the models)."""
    paths = {p for p, _, _ in _field_paths(Profile)}
    assert ("company", "legal_name") in paths and ("people", "training", "completed") in paths
    assert ("manual", "history", "changes") in paths
    assert {p for p, _, _ in _field_paths(SubmissionSettings)} >= {("prepared_by",),
                                                                   ("samples",)}
