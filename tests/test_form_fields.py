"""One definition per form (form_templates/fields/*.yaml): the bundled ones load and feed
real record tables; each broken rule is reported with its file, line and field; the QR
code on every blank form says the company, the form and its revision."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from manualgen import api
from manualgen.errors import Collector
from manualgen.inputs.library.form_fields import (
    FormCode,
    company_key,
    read_form_code,
)
from manualgen.inputs.library.load import load_library
from manualgen.inputs.record_forms import record_tables
from manualgen.io import load_yaml

from conftest import EXAMPLE, LIBRARY, needs_libreoffice
from conftest import forms_files as build_forms

FORM_IDS = [f["id"] for f in load_yaml(LIBRARY.forms / "forms.yaml").data]


@pytest.fixture(scope="module")
def library() -> api.Library:
    return api.load_library()


# --------------------------------------------------------------------------- the bundled ones


def test_every_form_of_the_library_has_a_definition(library):
    assert sorted(library.form_fields) == sorted(FORM_IDS) == sorted(f.id for f in library.forms)
    for form in library.forms:
        definition = library.form_definition(form.id)
        assert definition.sections and definition.all_fields(), form.id


def test_definitions_feed_real_columns(library):
    tables = {t.stem: {c.name for c in t.columns} for t in record_tables(library)}
    fed = set()
    for form_id, definition in library.form_fields.items():
        for mapping in definition.records:
            assert set(mapping.columns) <= tables[mapping.table], form_id
            fed.add(mapping.table)
    assert {"activity-log", "incidents", "action-plan"} <= fed


def test_what_the_key_forms_feed(library):
    toolbox = library.form_definition("toolbox-meeting")
    log = next(m for m in toolbox.records if m.table == "activity-log")
    assert log.columns["activity"].value == "toolbox_meeting"
    assert toolbox.field(log.columns["people"]).kind == "signatures"
    inspection = library.form_definition("site-inspection")
    plan = [m for m in inspection.records if m.table == "action-plan"]
    assert plan and all(m.each for m in plan)
    assert {"responsible", "due", "action"} <= set(plan[0].columns)
    checklist = inspection.field("checklist")
    assert checklist.rows_from == "hazards" and inspection.field("rank").kind == "rating"
    investigation = library.form_definition("incident-investigation")
    assert any(m.table == "incidents" for m in investigation.records)
    assert investigation.field("class").source == "incident_classes"


# --------------------------------------------------------------------------- broken ones


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "policy_library").symlink_to(LIBRARY.policies)
    (home / "packages").symlink_to(LIBRARY.packages)
    shutil.copytree(LIBRARY.forms, home / "form_templates")
    return home


def _edit(home: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    path = home / "form_templates" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, (name, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _line_of(path: Path, snippet: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if snippet in line:
            return number
    raise AssertionError(snippet)


def _problems(home: Path) -> list[str]:
    found = Collector()
    load_library(home, collect=found)
    return [str(p) for p in found.problems]


def _one(problems: list[str], path: Path, line: int, field: str, words: str) -> str:
    where = f"{path}:{line}: {field}: "
    hits = [p for p in problems if p.startswith(where) and words in p]
    assert hits, f"nothing at {where} saying {words!r} in {problems}"
    assert " - " in hits[0], "every message says how to fix it"
    return hits[0]


TOOLBOX = "fields/toolbox-meeting.yaml"


@pytest.mark.parametrize(("old", "new", "at", "field", "words"), [
    # a field id used twice
    ("{id: time, label: Time, kind: time}", "{id: date, label: Time, kind: time}",
     "{id: date, label: Time", "date.id", "used twice"),
    # a kind nobody knows
    ("{id: time, label: Time, kind: time}", "{id: time, label: Time, kind: clock}",
     "kind: clock", "time.kind", "'clock' is not allowed"),
    # a source nobody knows
    ("kind: signature,\n         from: supervisors}", "kind: signature,\n         from: bosses}",
     "from: bosses", "supervisor_signature.from", "'bosses' is not allowed"),
    # a source that does not fit the kind
    ("kind: signature,\n         from: supervisors}", "kind: signature,\n         from: equipment}",
     "from: equipment", "supervisor_signature.from", "cannot be picked from equipment"),
    # a choice without its choices
    ("{id: length, label: Length of the meeting, kind: text,",
     "{id: length, label: Length of the meeting, kind: choice,",
     "id: length", "length.kind", "needs its choices"),
    # choices on a field that has none
    ("{id: time, label: Time, kind: time}",
     "{id: time, label: Time, kind: time, choices: [am, pm]}",
     "choices: [am, pm]", "time.choices", "has no choices"),
    # an unknown key in a field
    ("{id: time, label: Time, kind: time}", "{id: time, label: Time, kind: time, requird: true}",
     "requird", "time.requird", "unknown field"),
    # a condition on a field that is not there
    ("when: {field: action}", "when: {field: acton}",
     "when: {field: acton}", "records[1].when.field", "did you mean 'action'"),
    # a records table that does not exist
    ("  - table: activity-log", "  - table: activity-logs",
     "table: activity-logs", "records[0].table", "no records table 'activity-logs'"),
    # a column the table does not have
    ("      description: topics", "      summary: topics",
     "summary: topics", "records[0].columns.summary", "has no column 'summary'"),
    # a field that does not exist
    ("      description: topics", "      description: topic",
     "description: topic", "records[0].columns.description", "did you mean 'topics'"),
    # a group's field outside `each`
    ("      description: topics", "      description: concern",
     "description: concern", "records[0].columns.description", "add each: concerns"),
    # a column of one kind filled from a field of another
    ("      date: date\n", "      date: topics\n",
     "date: topics", "records[0].columns.date", "cannot hold a long_text"),
    # a fixed value the column does not take
    ("activity: {value: toolbox_meeting}", "activity: {value: tailgate}",
     "activity: {value: tailgate}", "records[0].columns.activity.value",
     "'tailgate' is not a value"),
    # a required column left out
    ("      activity: {value: toolbox_meeting}\n", "",
     "    columns:", "records[0].columns", "needs the column 'activity'"),
    # a required column fed by a field that may be empty
    ("{id: date, label: Date, kind: date, required: true}", "{id: date, label: Date, kind: date}",
     "      date: date", "records[0].columns.date", "make 'date' required: true"),
    # `each` over something that is not a group
    ("    each: concerns", "    each: topics",
     "each: topics", "records[1].each", "not a group"),
])
def test_each_broken_rule_names_file_line_and_field(tmp_path, old, new, at, field, words):
    home = _home(tmp_path)
    path = _edit(home, TOOLBOX, old, new)
    _one(_problems(home), path, _line_of(path, at), field, words)


def test_condition_value_must_be_a_value_of_the_field(tmp_path):
    home = _home(tmp_path)
    path = _edit(home, "fields/site-inspection.yaml", 'equals: "no"}}', "equals: nope}}")
    _one(_problems(home), path, _line_of(path, "equals: nope"), "checklist.rank.when.equals",
         "'nope' is not a value of 'result'")


def test_choice_column_takes_only_its_values(tmp_path):
    home = _home(tmp_path)
    path = _edit(home, "fields/incident-investigation.yaml",
                 "{id: class, label: Class, kind: choice, from: incident_classes,",
                 "{id: class, label: Class, kind: choice, choices: [bad, worse],")
    _one(_problems(home), path, _line_of(path, "      class: class"),
         "records[0].columns.class", "'bad', 'worse' of 'class' are not values")


def test_a_missing_definition_file_is_named_in_forms_yaml(tmp_path):
    home = _home(tmp_path)
    index = _edit(home, "forms.yaml", "fields: fields/hazard-report.yaml",
                  "fields: fields/hazard-reprot.yaml")
    _one(_problems(home), index, _line_of(index, "hazard-reprot"), "hazard-report.fields",
         "not found")


def test_a_broken_definition_stops_the_library_loading(tmp_path):
    home = _home(tmp_path)
    _edit(home, TOOLBOX, "kind: time}", "kind: clock}")
    with pytest.raises(api.InputError) as exc:
        api.load_library(home)
    assert "toolbox-meeting.yaml" in str(exc.value) and "clock" in str(exc.value)


def test_library_check_reports_a_form_without_definition(tmp_path):
    from manualgen.library.lint import check_library

    home = _home(tmp_path)
    index = _edit(home, "forms.yaml", "  fields: fields/working-alone-log.yaml\n", "")
    path = _edit(home, TOOLBOX, "{id: time, label: Time, kind: time}",
                 "{id: date, label: Time, kind: time}")
    import datetime as dt

    report = check_library(home, on=dt.date(2026, 12, 1))
    messages = [str(p) for p in report.errors]
    line = _line_of(index, "id: working-alone-log")
    assert any(m.startswith(f"form_templates/forms.yaml:{line}: ") and
               "'working-alone-log' has no definition" in m for m in messages), messages
    assert any(m.startswith(f"form_templates/{TOOLBOX}:{_line_of(path, 'label: Time')}: "
                            "date.id: ") for m in messages), messages


# --------------------------------------------------------------------------- the paper form's code


def test_form_code_round_trip():
    code = FormCode("site-inspection", 3, company_key("12-34 567"))
    assert code.text() == "SECOR:FORM:SITE-INSPECTION:3:1234567"
    assert read_form_code(code.text()) == code
    assert read_form_code("QR-Code:" + code.text().lower() + "\n") == code
    assert read_form_code("SECOR:FORM:site-inspection:x:1") is None
    assert read_form_code("https://example.ca") is None
    assert read_form_code("") is None and read_form_code(None) is None


def test_company_key_needs_letters_or_digits():
    assert company_key(" ab-12 ") == "AB12"
    with pytest.raises(ValueError):
        company_key("--")


@pytest.fixture(scope="module")
def example_forms(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("forms")
    shutil.copy(EXAMPLE, root / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", root / "logo.png")
    return build_forms(root / "company.yaml", root / "forms").out_dir


def _footer_code(path: Path) -> str:
    footer = Document(str(path)).sections[0].footer._element
    descr = [d.get("descr") for d in footer.iter() if d.tag.endswith("}docPr")]
    assert len(descr) == 1, path.name
    return descr[0].removeprefix("QR code: ")


def test_every_blank_form_carries_its_code_in_the_footer(example_forms):
    for form_id in FORM_IDS:
        path = example_forms / f"{form_id}.docx"
        code = read_form_code(_footer_code(path))
        assert code == FormCode(form_id, 1, "1234567"), form_id
        with zipfile.ZipFile(path) as z:
            rels = z.read("word/_rels/footer1.xml.rels").decode()
            target = re.search(r'Target="([^"]+\.png)"', rels).group(1)
            assert z.read("word/" + target).startswith(b"\x89PNG")


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) not installed")
def test_the_code_image_reads_back(example_forms, tmp_path):
    with zipfile.ZipFile(example_forms / "toolbox-meeting.docx") as z:
        rels = z.read("word/_rels/footer1.xml.rels").decode()
        png = z.read("word/" + re.search(r'Target="([^"]+\.png)"', rels).group(1))
    (tmp_path / "code.png").write_bytes(png)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "code.png")],
                         capture_output=True, text=True, check=True).stdout
    assert read_form_code(out) == FormCode("toolbox-meeting", 1, "1234567")


@needs_libreoffice()
def test_the_code_reads_back_from_the_printed_pdf(example_company, tmp_path):
    if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
        pytest.fail("zbarimg and pdftoppm are needed (scripts/setup.sh installs them)")
    built = build_forms(example_company, tmp_path / "out", pdf=True)
    for pdf in built.pdfs:
        if pdf.stem not in ("toolbox-meeting", "maintenance-record"):  # portrait, landscape
            continue
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / pdf.stem)],
                       check=True)
        pages = sorted(tmp_path.glob(f"{pdf.stem}*.png"))
        assert pages
        for page in pages:         # every page carries the code
            out = subprocess.run(["zbarimg", "-q", "--raw", str(page)],
                                 capture_output=True, text=True).stdout
            assert read_form_code(out) == FormCode(pdf.stem, 1, "1234567"), page.name
