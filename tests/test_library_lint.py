"""`manualgen library check`: every mistake in a library found in one run, with file and line.

A small library is laid out in tmp_path (clean), then broken in every way issue 4 lists;
one check must report each problem at its file and line.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from manualgen import resources
from manualgen.cli import main
from manualgen.library.lint import check_library

from conftest import make_tree

ON = dt.date(2026, 11, 26)

LIBRARY_YAML = """\
name: Test Library
version: "1.2"
released: 2026-11-26
publisher: Test Publisher
"""

ELEMENTS = """\
- number: 1
  title: Policy
  must_show: [A signed statement]
- number: 2
  title: Hazards
  must_show: [Hazard assessment, Worker involvement]
"""

HAZARDS = """\
- key: working_alone
  label: Working alone
- key: ladders
  label: Ladders
"""

FORMS = """\
- id: daily-log
  title: Daily Log
  template: daily-log.docx
  fields: fields/daily-log.yaml
  element: 1
  description: A log kept every day.
"""

# The daily log's definition: its fields and the records row it makes.
DAILY_LOG_FIELDS = """\
sections:
  - title: The day
    fields:
      - {id: date, label: Date, kind: date, required: true}
      - {id: notes, label: What was done, kind: long_text}
records:
  - table: activity-log
    columns: {date: date, activity: {value: safety_meeting}, description: notes}
"""

CHANGELOG = "# Changes\n\n## 1.2 - 2026-11-26\n\n- First.\n"

ALPHA = """\
---
id: alpha
title: Alpha Policy
element: 1
order: 10
applies: always
forms: [daily-log]
legislation: [Workplace Health and Safety Regulations]
revision: 2
reviewed: 2026-06-01
---

## Purpose

{{ company.name }} keeps **everyone** safe, as *{{ owner.name }}* says.

## Scope

Every site:

{% for site in worksites %}
- {{ site.name }}{% if site.address %}, {{ site.address }}{% endif %}
{% endfor %}

## Responsibilities

- The owner, {{ owner.name }}, leads.
{% if supervisors %}
- Supervisors ({{ supervisors | join_names }}) check the work.
{% endif %}
- Workers follow the rules.

## Procedure

### Steps

1. Look at the job.
2. Write it down.
    - in ink
    - on paper
3. Sign it on {{ manual.issued | long_date }}.

| who | when |
| --- | --- |
| {{ owner.name }} | daily |

{% if secor %}
Certificate {{ secor.certificate_number }}.
{% else %}
No certificate yet.
{% endif %}

## Records

The *Daily Log* is kept for 3 years.
"""

BETA = """\
---
id: beta
title: Beta Practice
element: 2
applies: {hazards: [working_alone, ladders]}
targets: {inspection: 1/month}
revision: 1
reviewed: 2026-10-01
---

## Purpose

Safe work for {{ company.legal_name }}.

## Scope

All work.

## Responsibilities

Everyone.

## Procedure

Check in every {{ rules.wscb_report_working_days }} hours.

## Records

None.
"""


def form_docx(path: Path, *paragraphs: str | tuple[str, ...]) -> None:
    """A form template; a tuple puts each piece in its own run, as Word splits a tag."""
    doc = Document()
    for para in paragraphs:
        p = doc.add_paragraph()
        for piece in (para if isinstance(para, tuple) else (para,)):
            p.add_run(piece)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def make_library(home: Path, policies: dict[str, str] | None = None, **files: str) -> Path:
    """A library home with a small, clean library; `files` replace data files by name."""
    lib = {
        "library.yaml": LIBRARY_YAML, "elements.yaml": ELEMENTS, "hazards.yaml": HAZARDS,
        # the real rules, with this small library's practice chapter (element 2)
        "program.yaml": (resources.library_paths().policies / "program.yaml").read_text(
            encoding="utf-8").replace("practice_elements: [3, 4]", "practice_elements: [2]"),
        "CHANGELOG.md": CHANGELOG,
        "policies": policies if policies is not None else {"alpha.md": ALPHA, "beta.md": BETA},
    }
    for name, text in files.items():
        if name in lib:
            lib[name] = text
    make_tree(home, {"policy_library": lib, "form_templates": {"forms.yaml": files.get(
        "forms.yaml", FORMS), "fields": {"daily-log.yaml": DAILY_LOG_FIELDS}}})
    shutil.copy(resources.library_paths().forms / "master.docx", home / "form_templates")
    form_docx(home / "form_templates" / "daily-log.docx", "Daily Log of {{ company.name }}",
              "{% for p in people %}{{ p.name }} {% endfor %}")
    return home


def check(home: Path, on: dt.date = ON):
    return check_library(home, on=on)


def test_clean_library_has_no_findings(tmp_path):
    report = check(make_library(tmp_path))
    assert report.problems == [], report.as_text()
    assert not report.has_findings
    assert "2 policies and 1 forms checked: no problems found." in report.as_text()


def test_shipped_library_checks_clean():
    """CI gate: a broken policy in policy_library/ cannot land."""
    report = check_library(on=ON)
    assert report.errors == [], report.as_text()


# --------------------------------------------------------------------------- broken


BROKEN_HEADER = """\
---
id: gamma
element: 7
applies: {hazards: [working_alon]}
forms: [daily-log, no-such-form]
revision: first
colour: red
targets: {inspections: 2/month}
reviewed: 2025-01-10
---

## Scope

{{ company.legal_nme }} and {{ compny }}.
{% for site in worksites %}{{ site.adress }}{% endfor %}
{% if 'working_alon' in hazards %}x{% endif %}

## Purpose

Text.

## Procedure

{{ supervisors | join_names('nmae') }}
"""

BROKEN_SYNTAX = """\
---
id: syntax-error
title: Syntax
element: 1
revision: 1
reviewed: 2026-10-01
---

Stray text before the sections.

## Purpose

Fine.

## Scope

{% if company.name %}
unclosed

## Responsibilities

## Procedure

## Records

## Appendix
"""

SPARSE_FAILS = """\
---
id: sparse
title: Sparse
element: 1
revision: 1
reviewed: 2026-10-01
---

## Purpose

Certificate {{ secor.certificate_number }}.

## Scope

<b>bold</b> and ⟦company name⟧

## Responsibilities

![logo](logo.png)

## Procedure

## Recrods
"""

DUPLICATE = ALPHA.replace("title: Alpha Policy", "title: Alpha Copy")

HAZARDS_EXTRA = HAZARDS + "- key: cold\n  label: Cold\n"
ELEMENTS_EXTRA = ELEMENTS + "- number: 3\n  title: Rules\n  must_show: [Rules]\n"
FORMS_BROKEN = FORMS + """\
- id: curly
  title: Curly Form
  template: curly.docx
  element: 5
  description: Broken tags.
- id: missing
  title: Missing Form
  template: missing.docx
  element: 1
  description: No file.
"""

G = "policies/gamma-policy.md"
# (file, line, text the finding must contain); the file is matched by its ending.
EXPECTED = [
    (G, 2, "id 'gamma' does not match the file name gamma-policy.md"),
    (G, 2, "title: this field is required"),
    (G, 3, "there is no audit element 7"),
    (G, 4, "applies.hazards.0: unknown hazard key 'working_alon' - did you "
                             "mean working_alone"),
    (G, 5, "forms.1: there is no form 'no-such-form'"),
    (G, 5, "forms.0: the Records section does not name the form 'Daily Log'"),
    (G, 6, "revision: 'first' is not a whole number"),
    (G, 7, "colour: unknown field"),
    (G, 8, "targets.inspections: unknown activity 'inspections' - did you "
                             "mean inspection"),
    (G, 9, "reviewed: warning: last reviewed 2025-01-10, more than 12 months"),
    (G, 14, "unknown variable 'company.legal_nme' - did you mean "
                              "company.legal_name"),
    (G, 14, "unknown variable 'compny' - did you mean company"),
    (G, 15, "unknown variable 'site.adress' - did you mean site.address"),
    (G, 16, "unknown hazard key 'working_alon'"),
    (G, 18, "section 'Purpose' is out of order: it must come before 'Scope'"),
    (G, 24, "the items of supervisors have no field 'nmae' (in the "
                              "join_names filter) - did you mean 'name'"),
    (G, 22, "section 'Responsibilities' is missing"),
    (G, 24, "section 'Records' is missing"),
    ("policies/syntax-error.md", 9, "text before the first section"),
    ("policies/syntax-error.md", 17, "this {% if %} is never closed - add {% endif %}"),
    ("policies/syntax-error.md", 26, "'## Appendix' is not one of the five sections"),
    ("policies/zeta.md", 2, "id 'alpha' does not match the file name zeta.md"),
    ("policies/zeta.md", 2, "id 'alpha' is also used by alpha.md"),
    ("policies/sparse.md", 11, "(for a company with only the required details"),
    ("policies/sparse.md", 15, "HTML is not allowed"),
    ("policies/sparse.md", 15, "a placeholder from the proofreading book is left in"),
    ("policies/sparse.md", 19, "pictures are not allowed"),
    ("policies/sparse.md", 23, "section heading 'Recrods' should be 'Records'"),
    ("policy_library/elements.yaml", 7, "no policy covers element 3 (Rules)"),
    ("policy_library/hazards.yaml", 5, "hazard 'cold' switches on no policy"),
    ("policy_library/library.yaml", 2, "CHANGELOG.md has no entry for version 1.2"),
    ("form_templates/forms.yaml", 10, "there is no audit element 5"),
    ("form_templates/forms.yaml", 14, "template 'missing.docx' not found"),
    ("form_templates/forms.yaml", 7, "the form 'curly' has no definition of its fields"),
    ("form_templates/curly.docx", None, "curly quotes"),
    ("form_templates/curly.docx", None, "split across Word runs"),
    ("form_templates/curly.docx", None, "asks for 'compny'"),
]


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    home = make_library(
        tmp_path_factory.mktemp("broken"),
        {"alpha.md": ALPHA, "beta.md": BETA, "gamma-policy.md": BROKEN_HEADER,
         "syntax-error.md": BROKEN_SYNTAX, "sparse.md": SPARSE_FAILS, "zeta.md": DUPLICATE},
        **{"hazards.yaml": HAZARDS_EXTRA, "elements.yaml": ELEMENTS_EXTRA,
           "forms.yaml": FORMS_BROKEN, "CHANGELOG.md": "# Changes\n\n## 1.1\n"})
    form_docx(home / "form_templates" / "curly.docx",
              "{{ company.name if x else \u201cnone\u201d }}", ("{{ company.", "name }}"),
              "{{ compny.name }}")
    return home, check(home)


@pytest.mark.parametrize(("file", "line", "text"), EXPECTED,
                         ids=[f"{f}:{n}:{t[:30]}" for f, n, t in EXPECTED])
def test_every_finding_is_reported_with_file_and_line(broken, file, line, text):
    _, report = broken
    hits = [p for p in report.problems if p.path.endswith(file) and p.line == line
            and text in str(p)]
    assert hits, f"not reported: {file}:{line}: {text}\n" + report.as_text()


def test_every_finding_has_a_fix(broken):
    _, report = broken
    assert all(p.fix for p in report.problems), report.as_text()


def test_broken_policy_is_one_finding_per_mistake(broken):
    """A misspelt section is one finding, not also 'missing'; no finding is repeated."""
    _, report = broken
    sparse = [str(p) for p in report.problems if p.path.endswith("sparse.md")]
    assert not any("section 'Records' is missing" in s for s in sparse)
    texts = [str(p) for p in report.problems]
    assert len(texts) == len(set(texts))


def test_check_command_exit_codes_and_json(broken, tmp_path, monkeypatch):
    home, _ = broken
    runner = CliRunner()
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(home))
    result = runner.invoke(main, ["library", "check", "--on", "2026-11-26", "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["version"] == "1.2"
    assert data["errors"] == len([p for p in data["problems"] if p["severity"] == "error"])
    assert any(p["line"] == 14 and "legal_nme" in p["message"] for p in data["problems"])

    monkeypatch.setenv("MANUALGEN_LIBRARY", str(make_library(tmp_path / "clean")))
    result = runner.invoke(main, ["library", "check", "--on", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_warnings_alone_exit_zero_but_are_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(make_library(tmp_path)))
    result = CliRunner().invoke(main, ["library", "check", "--on", "2027-09-01"])
    assert result.exit_code == 0, result.output
    assert "alpha.md:10: reviewed: warning: last reviewed 2026-06-01" in result.output
    assert "1 warning" in result.output


def test_review_is_judged_on_the_given_day(tmp_path):
    home = make_library(tmp_path)
    assert check(home, dt.date(2027, 6, 1)).warnings == []   # reviewed 2026-06-01
    late = check(home, dt.date(2027, 6, 2)).warnings
    assert len(late) == 1 and late[0].path.endswith("alpha.md") and late[0].line == 10


def test_broken_data_file_is_reported_not_a_crash(tmp_path):
    home = make_library(tmp_path, **{"elements.yaml": "- number: one\n  title: X\n"})
    report = check(home)
    assert any(p.path.endswith("elements.yaml") and p.line == 1 and "whole number" in str(p)
               for p in report.problems), report.as_text()


def test_broken_yaml_header_still_gets_its_body_checked(tmp_path):
    bad = ALPHA.replace("revision: 2", "revision: [2").replace(
        "{{ company.name }} keeps", "{{ company.nme }} keeps")
    report = check(make_library(tmp_path, {"alpha.md": bad, "beta.md": BETA}))
    assert [(Path(p.path).name, p.line) for p in report.problems] == [
        ("alpha.md", 10), ("alpha.md", 15)], report.as_text()
    assert "not valid YAML" in str(report.problems[0])
    assert "company.nme" in str(report.problems[1])


# --------------------------------------------------------------------------- issue 12 lints

HAZARDS_WITH_TERMS = """\
- key: working_alone
  label: Working alone
- key: ladders
  label: Ladders
  terms: [ladder, "Part 10 (Construction and Building Safety)"]
"""


def _alpha_with(extra: str) -> str:
    return ALPHA.replace("## Records", extra + "\n\n## Records")


@pytest.mark.parametrize(("extra", "message"), [
    ("Check the ladder before use.",
     "a word of the hazard ladders, in text a company with no hazards gets"),
    ("{% if 'working_alone' in hazards %}Carry the ladders in pairs.{% endif %}",
     "in text a company whose only hazard is working_alone gets"),
])
def test_a_shared_policy_says_a_hazards_word_only_under_that_hazard(tmp_path, extra, message):
    home = make_library(tmp_path, {"alpha.md": _alpha_with(extra), "beta.md": BETA},
                        **{"hazards.yaml": HAZARDS_WITH_TERMS})
    problems = [str(p) for p in check(home).problems]
    line = next(i for i, t in enumerate(_alpha_with(extra).splitlines(), 1) if extra in t)
    assert any(f"alpha.md:{line}: says 'ladder'" in p and message in p for p in problems), \
        problems


def test_a_hazards_word_inside_its_own_condition_is_fine(tmp_path):
    extra = "{% if 'ladders' in hazards %}Check the ladder before use (Part 10 (Construction " \
            "and Building Safety)).{% endif %}"
    home = make_library(tmp_path, {"alpha.md": _alpha_with(extra), "beta.md": BETA},
                        **{"hazards.yaml": HAZARDS_WITH_TERMS})
    assert check(home).problems == []


def test_part_titles_are_the_regulations_own(tmp_path):
    extra = "See Part 10 (Construction) and Part 23 (Space Travel)."
    home = make_library(tmp_path, {"alpha.md": _alpha_with(extra), "beta.md": BETA})
    problems = [str(p) for p in check(home).problems]
    assert any("'Part 10 (Construction)': the Regulations call it Part 10 (Construction and "
               "Building Safety) - write Part 10 (Construction and Building Safety)" in p
               for p in problems), problems
    assert any("'Part 23' is not a Part of the Workplace Health and Safety Regulations" in p
               for p in problems)


def test_every_hazard_switches_on_a_safe_work_practice(tmp_path):
    hazards = HAZARDS + "- key: noise\n  label: Noise\n"
    policy_only = BETA.replace("id: beta", "id: gamma").replace("element: 2", "element: 1") \
        .replace("hazards: [working_alone, ladders]", "hazards: [noise]")
    home = make_library(tmp_path, {"alpha.md": ALPHA, "beta.md": BETA, "gamma.md": policy_only},
                        **{"hazards.yaml": hazards})
    problems = [str(p) for p in check(home).problems]
    assert any("hazard 'noise' switches on no safe work practice (element 2)" in p
               for p in problems), problems


def test_a_law_cited_only_for_some_hazards_names_real_keys(tmp_path):
    beta = BETA.replace("revision: 1\n", "legislation:\n  - {text: Part X, hazards: [ladders]}\n"
                        "  - {text: Part Y, unless: [ladderz]}\nrevision: 1\n")
    home = make_library(tmp_path, {"alpha.md": ALPHA, "beta.md": beta})
    problems = [str(p) for p in check(home).problems]
    assert any("beta.md:9: legislation.1.unless.0: unknown hazard key 'ladderz'" in p
               for p in problems), problems
