"""The form template check: every Word-made tag problem reported by file and tag."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from manualgen import resources
from manualgen.forms.check import CONTEXT_VARIABLES, check_template, form_variables
from manualgen.inputs.context import build_context
from manualgen.inputs.pipeline import load_inputs
from manualgen.io import load_yaml

FORMS_DIR = resources.library_paths().forms


def _docx(path: Path, *paragraphs: str | tuple[str, ...], header: str | None = None) -> Path:
    """A small .docx; a tuple paragraph puts each piece in its own run (as Word splits)."""
    doc = Document()
    for para in paragraphs:
        p = doc.add_paragraph()
        for piece in (para if isinstance(para, tuple) else (para,)):
            p.add_run(piece)
    if header is not None:
        doc.sections[0].header.paragraphs[0].text = header
    doc.save(str(path))
    return path


def _messages(problems) -> list[str]:
    return [str(p) for p in problems]


def test_clean_template_has_no_problems(tmp_path):
    path = _docx(tmp_path / "ok.docx", "Company: {{ company.name }}",
                 "{% for p in people %}{{ p.name }}, {% endfor %}", header="{{ form.title }}")
    assert check_template(path, form_variables()) == []


def test_split_tag_is_reported_by_file_and_tag(tmp_path):
    path = _docx(tmp_path / "split.docx", ("Name: {{ company.", "name }}"))
    (problem,) = check_template(path)
    assert str(problem).startswith(f"{path}: {{{{ company.name }}}}: tag is split across Word runs")


def test_brace_split_from_brace_is_reported(tmp_path):
    path = _docx(tmp_path / "split.docx", ("{", "{ company.name }}"))
    (problem,) = check_template(path)
    assert "split across Word runs" in problem.message
    assert problem.field == "{{ company.name }}"


def test_curly_quotes_are_reported(tmp_path):
    path = _docx(tmp_path / "curly.docx", "{{ company.email or \u201cnone\u201d }}")
    (problem,) = check_template(path)
    assert problem.field == "{{ company.email or \u201cnone\u201d }}"
    assert "curly quotes" in problem.message and "straight quotes" in problem.fix


def test_unclosed_tag_is_one_problem_not_a_traceback(tmp_path):
    path = _docx(tmp_path / "open.docx", "Site: {{ worksites[0].name ")
    (problem,) = check_template(path)
    assert "not closed with '}}'" in problem.message
    assert problem.path == str(path)


def test_syntax_error_names_the_paragraph_tags(tmp_path):
    path = _docx(tmp_path / "syntax.docx", "{% for p in people %}{{ p.name }}")
    (problem,) = check_template(path)
    assert problem.message.startswith("template syntax error in the body")
    assert problem.field == "{% for p in people %} {{ p.name }}"


def test_unknown_variable_is_reported_with_its_tag_and_part(tmp_path):
    path = _docx(tmp_path / "unknown.docx", "{{ company.name }}", header="WSCB {{ wscb_number }}")
    (problem,) = check_template(path, form_variables())
    assert problem.field == "{{ wscb_number }}"
    assert "'wscb_number'" in problem.message and "page header" in problem.message
    assert check_template(path) == []  # without `known`, names are not judged


def test_loop_variables_are_not_unknown(tmp_path):
    path = _docx(tmp_path / "loop.docx", "{% for e in equipment %}{{ e.id }}{% endfor %}")
    assert check_template(path, form_variables()) == []


def test_not_a_word_file(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_text("not a zip")
    (problem,) = check_template(bad)
    assert "cannot be opened as a Word document" in problem.message
    (missing,) = check_template(tmp_path / "nope.docx")
    assert missing.message == "form template not found"


def test_form_variables_match_the_real_context(example_company):
    """The static list must follow context.py, or templates would be judged wrongly."""
    inputs = load_inputs(example_company)
    context = build_context(inputs.profile.profile, inputs.library, inputs.facts)
    assert set(context) == set(CONTEXT_VARIABLES)


@pytest.mark.parametrize("template", [f["template"] for f in
                                      load_yaml(FORMS_DIR / "forms.yaml").data
                                      if f.get("template")])
def test_shipped_form_templates_are_clean(template):
    assert _messages(check_template(FORMS_DIR / template, form_variables())) == []
