"""`manualgen library list|coverage|book|import` on small libraries laid out in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import jinja2
import pytest
import yaml
from click.testing import CliRunner
from docx.enum.text import WD_COLOR_INDEX
from markdown_it import MarkdownIt

from manualgen import api
from manualgen.cli import main
from manualgen.library.book import mark_conditions, place_markers, split_ternary
from manualgen.library.coverage import coverage

from test_library_lint import ALPHA, ELEMENTS, FORMS, make_library

ELEMENTS_3 = ELEMENTS + "- number: 3\n  title: Rules\n  must_show: [Written rules]\n"
FORMS_2 = FORMS + """\
- id: spare
  title: Spare Form
  template: daily-log.docx
  element: 2
  description: Nobody uses it.
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = make_library(tmp_path / "home")
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(path))
    return path


def load_library():
    """The library the test's CLI would use (MANUALGEN_LIBRARY)."""
    import os

    return api.load_library(os.environ["MANUALGEN_LIBRARY"])


def build_book(path: Path) -> None:
    api.save(path, api.library.book(load_library()).docx)


def import_policy(source: Path, output: Path | None = None):
    import contextlib

    library = None
    with contextlib.suppress(api.InputError):
        library = load_library()
    result = api.library.import_policy(source, library, policy_id=output.stem if output else None)
    if output is not None:
        api.save(output, result.text)
    return result


def run(*args: str):
    return CliRunner().invoke(main, ["library", *args])


# --------------------------------------------------------------------------- list


def test_list_shows_version_policies_forms_and_hazards(home):
    result = run("list")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Test Library, version 1.2 (released 2026-11-26, Test Publisher)")
    assert "2 policies, 1 forms, 2 hazard keys, 0 trades, 0 safe job procedures, " \
        "2 audit elements" in out
    alpha = next(line for line in out.splitlines() if " alpha " in line)
    assert alpha.split() == ["1", "alpha", "Alpha", "Policy", "always", "2", "2026-06-01"]
    beta = next(line for line in out.splitlines() if " beta " in line)
    assert "hazard working_alone or ladders" in beta and "2026-10-01" in beta
    assert any(line.split()[:2] == ["1", "daily-log"] and line.endswith("alpha")
               for line in out.splitlines())
    assert any(line.startswith("ladders") and line.endswith("beta") for line in out.splitlines())


def test_list_json(home):
    data = json.loads(run("list", "--json").output)
    assert data["library"]["version"] == "1.2"
    assert [p["id"] for p in data["policies"]] == ["alpha", "beta"]
    assert data["forms"][0]["used_by"] == ["alpha"]
    assert data["hazards"][0] == {"key": "working_alone", "label": "Working alone",
                                  "policies": ["beta"]}


def test_list_of_a_broken_library_says_to_run_check(tmp_path, monkeypatch):
    home = make_library(tmp_path, {"alpha.md": ALPHA.replace("revision: 2", "revision: x")})
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(home))
    result = run("list")
    assert result.exit_code == 2
    assert "manualgen library check" in result.output
    assert "alpha.md:9: revision:" in result.output


# --------------------------------------------------------------------------- coverage


@pytest.fixture
def gappy(tmp_path, monkeypatch):
    path = make_library(tmp_path / "gappy", **{"elements.yaml": ELEMENTS_3,
                                                "forms.yaml": FORMS_2})
    monkeypatch.setenv("MANUALGEN_LIBRARY", str(path))
    return path


def test_coverage_table_and_gaps(gappy):
    report = coverage(load_library())
    rows = {r.element.number: r for r in report.rows}
    assert [p.id for p in rows[1].policies] == ["alpha"]
    assert [f.id for f in rows[1].forms] == ["daily-log"]
    assert rows[1].gaps == []
    assert rows[2].gaps == ["no policy applies always: a company without these conditions "
                            "gets an empty chapter", "no policy names the form Spare Form"]
    assert rows[3].gaps == ["no policy covers this element"]
    result = run("coverage")
    assert result.exit_code == 0, result.output
    assert "3. Rules\n    must show: Written rules\n    policies:  none" in result.output
    assert "    gaps:      no policy covers this element" in result.output
    assert result.output.rstrip().endswith("3 elements, 2 policies, 2 forms: 2 elements "
                                           "with gaps.")


def test_coverage_as_word_and_html(gappy, tmp_path):
    assert run("coverage", "-o", str(tmp_path / "c.docx")).exit_code == 0
    document = docx.Document(str(tmp_path / "c.docx"))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Element", "Must show", "Policies",
                                                      "Forms", "Gaps"]
    assert [c.text for c in table.rows[2].cells] == [
        "2. Hazards", "Hazard assessment\nWorker involvement",
        "Beta Practice (lists the hazard working_alone or ladders)", "Spare Form",
        "no policy applies always: a company without these conditions gets an empty "
        "chapter\nno policy names the form Spare Form"]
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    assert document.paragraphs[0].style.name == "Heading 1"

    assert run("coverage", "-o", str(tmp_path / "c.html")).exit_code == 0
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert '<td class="gap">no policy covers this element</td>' in page
    assert "<li>Hazard assessment</li><li>Worker involvement</li>" in page

    data = json.loads(run("coverage", "--json").output)
    assert data["elements"][2]["gaps"] == ["no policy covers this element"]

    result = run("coverage", "-o", str(tmp_path / "c.pdf"))
    assert result.exit_code == 2 and "name the output .docx (Word) or .html" in result.output


# --------------------------------------------------------------------------- book


def test_book_prints_every_branch_with_its_condition():
    source = ("Start\n{% if supervisors %}\n- A {{ x }}\n{% else %}\n- B\n{% endif %}\n"
              "{% for s in worksites %}\n- {{ s.name }}\n{% endfor %}\n"
              "Inline {% if a %}yes{% endif %} and {{ 'c' if b else 'd' }}.\n")
    marked = place_markers(
        jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
        .from_string(mark_conditions(source))
        .render(x="⟦x⟧", worksites=[{"name": "⟦s name⟧"}], _proof_items=lambda i, n: i))
    assert marked.splitlines() == [
        "Start", "- ⟦if: supervisors⟧ A ⟦x⟧", "- ⟦else⟧ B ⟦end if⟧",
        "- ⟦for each s in worksites⟧ ⟦s name⟧ ⟦end for⟧",
        "Inline ⟦if: a⟧yes⟦end if⟧ and ⟦if: b⟧c⟦else⟧d⟦end if⟧."]


@pytest.mark.parametrize(("expression", "parts"), [
    ("'a' if x else 'b'", ("'a'", "x", "'b'")),
    ("('a if' ~ y) if x > 1 else ''", ("('a if' ~ y)", "x > 1", "''")),
    ("('a' if x else 'b')", ("'a'", "x", "'b'")),
    ("name", None),
    ("a if b", None),
])
def test_split_ternary(expression, parts):
    assert split_ternary(expression) == parts


def test_book_has_every_policy_with_placeholders_and_details(home, tmp_path):
    result = run("book", "-o", str(tmp_path / "book.docx"))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "(2 policies in 2 chapters)" in result.output
    document = docx.Document(str(tmp_path / "book.docx"))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings[:4] == [("Heading 1", "Element 1: Policy"), ("Heading 2", "Alpha Policy"),
                            ("Heading 3", "Purpose"), ("Heading 3", "Scope")]
    assert ("Heading 2", "Beta Practice") in headings and ("Heading 1", "Forms") in headings
    highlighted = [r.text for p in document.paragraphs for r in p.runs
                   if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    for text in ("⟦company name⟧", "⟦owner name⟧", "⟦if: supervisors⟧",
                 "⟦names of supervisors⟧", "⟦end if⟧", "⟦for each site in worksites⟧",
                 "⟦site name⟧", "⟦manual issued, as a date⟧", "⟦else⟧",
                 "⟦company legal name⟧", "⟦rules wscb report working days⟧"):
        assert text in highlighted, text
    details = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert details["Id"] == "alpha" and details["Applies"].startswith("Always")
    beta = {r.cells[0].text: r.cells[1].text for r in document.tables[2].rows}
    assert beta["Applies"] == ("Only when the company lists the hazard Working alone "
                               "(working_alone) or Ladders (ladders).")
    assert beta["Targets"] == "Site inspections: 1/month"
    from ooxml import order_problems

    assert order_problems(tmp_path / "book.docx") == []


def test_book_is_deterministic(home, tmp_path):
    build_book(tmp_path / "a.docx")
    build_book(tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def _structure(markdown: str) -> list[tuple[str, str]]:
    """Headings and list items (with nesting) of a policy body, in order."""
    body = markdown.split("\n---\n", 1)[1]
    out, depth = [], 0
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "heading_open":
            out.append((tok.tag, tokens[i + 1].content))
        elif tok.type == "list_item_open":
            out.append((f"{tok.markup} {depth}", tokens[i + 2].content))
    return out


def test_import_of_a_book_chapter_gives_back_the_policy(home, tmp_path):
    build_book(tmp_path / "book.docx")
    result = import_policy(tmp_path / "book.docx", tmp_path / "alpha.md")
    text = (tmp_path / "alpha.md").read_text(encoding="utf-8")
    assert text == result.text
    assert _structure(text) == _structure(ALPHA)
    def header(policy: str) -> dict:
        return yaml.safe_load(policy.split("\n---\n")[0].removeprefix("---\n"))

    assert header(text) == header(ALPHA)
    body = text.split("\n---\n", 1)[1]
    assert "{% for site in worksites %}\n- {{ site.name }}{% if site.address %}, " \
        "{{ site.address }}{% endif %}\n{% endfor %}\n" in body
    assert "| {{ owner.name }} | daily |" in body
    assert "3. Sign it on {{ manual.issued | long_date }}." in body
    assert "{{ company.name }} keeps **everyone** safe, as *{{ owner.name }}* says." in body
    assert any("only the first policy" in n for n in result.notes)

    # and the imported file is a valid policy: the library still checks clean
    (home / "policy_library/policies/alpha.md").write_text(text, encoding="utf-8")
    assert run("check", "--on", "2026-11-26").exit_code == 0


# --------------------------------------------------------------------------- import


def word_policy(path: Path) -> Path:
    """A policy as NSNY writes them in Word: title, numbered headings, lists, a table."""
    document = docx.Document()
    document.add_paragraph("NSNY sample - do not edit")
    document.add_paragraph("Working Alone Policy", style="Title")
    document.add_paragraph("1. Purpose", style="Heading 1")
    para = document.add_paragraph("We keep lone workers ")
    para.add_run("safe").bold = True
    para.add_run(" and ")
    para.add_run("in touch ").italic = True
    para.add_run("with {{ braces }} and a * star.")
    document.add_paragraph("2. Scope", style="Heading 1")
    document.add_paragraph("Everyone who works alone:")
    document.add_paragraph("owners", style="List Bullet")
    document.add_paragraph("workers", style="List Bullet")
    document.add_paragraph("at night", style="List Bullet 2")
    document.add_paragraph("Responsibilities", style="Heading 1")
    document.add_paragraph("Supervisors", style="Heading 2")
    document.add_paragraph("Plan the work.")
    document.add_paragraph("Procedure", style="Heading 1")
    document.add_paragraph("Call in.", style="List Number")
    document.add_paragraph("Wait.", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["When", "What | how", "At once", "Call"],
                          strict=True):
        cell.text = text
    document.add_paragraph("Records", style="Heading 1")
    document.add_paragraph("Each call is written in the Daily Log.")
    document.save(str(path))
    return path


EXPECTED_BODY = """\
## Purpose

We keep lone workers **safe** and *in touch* with {{ '{{' }} braces }} and a \\* star.

## Scope

Everyone who works alone:

- owners
- workers
    - at night

## Responsibilities

### Supervisors

Plan the work.

## Procedure

1. Call in.
2. Wait.

| When | What \\| how |
| --- | --- |
| At once | Call |

## Records

Each call is written in the Daily Log.
"""


def test_import_word_policy(home, tmp_path):
    source = word_policy(tmp_path / "Working Alone.docx")
    result = import_policy(source)
    header, body = result.text.split("\n---\n\n", 1)
    assert body == EXPECTED_BODY
    assert "\ntitle: Working Alone Policy\n" in header
    assert "\nid: working-alone-policy\n" in header
    assert "\nforms: [daily-log]\n" in header
    assert "\nelement: fill in " in header
    assert result.notes == ["1 paragraph(s) before the title 'Working Alone Policy' left out"]


def test_imported_skeleton_is_checked_field_by_field(home, tmp_path):
    source = word_policy(tmp_path / "w.docx")
    target = home / "policy_library/policies/working-alone.md"
    result = run("import", str(source), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "complete its header" in result.output
    check = run("check", "--on", "2026-11-26")
    assert check.exit_code == 1
    problems = [line for line in check.output.splitlines() if "working-alone.md" in line]
    assert any(":6: element: 'fill in' is not a whole number" in line
               for line in problems), check.output
    assert any(":12: reviewed: 'fill in YYYY-MM-DD' is not a date" in line
               for line in problems), check.output
    assert len(problems) == 2, check.output


def test_import_turns_bold_paragraphs_into_sections(home, tmp_path):
    document = docx.Document()
    for name in ("Purpose", "Scope", "Responsibilities", "Procedure", "Records"):
        document.add_paragraph().add_run(name + ":").bold = True
        document.add_paragraph(f"About {name.lower()}.")
    document.save(str(tmp_path / "plain.docx"))
    body = import_policy(tmp_path / "plain.docx").text.split("\n---\n\n", 1)[1]
    assert [line for line in body.splitlines() if line.startswith("#")] == [
        "## Purpose", "## Scope", "## Responsibilities", "## Procedure", "## Records"]


def test_import_cli_prints_and_refuses_to_overwrite(home, tmp_path):
    source = word_policy(tmp_path / "w.docx")
    result = CliRunner().invoke(main, ["library", "import", str(source)])
    assert result.exit_code == 0
    assert result.stdout.startswith("---\n# Imported from w.docx")
    assert "note: 1 paragraph(s) before the title" in result.stderr
    (tmp_path / "taken.md").write_text("mine", encoding="utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "taken.md"))
    assert result.exit_code == 2 and "does not overwrite" in result.output
    assert (tmp_path / "taken.md").read_text(encoding="utf-8") == "mine"


def test_import_refuses_what_is_not_a_word_file(home, tmp_path):
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 not a docx")
    result = run("import", str(tmp_path / "old.doc"))
    assert result.exit_code == 2 and "save it as .docx" in result.output
    (tmp_path / "fake.docx").write_text("hello", encoding="utf-8")
    result = run("import", str(tmp_path / "fake.docx"))
    assert result.exit_code == 2 and "cannot be read as a Word .docx file" in result.output


def test_import_into_a_folder_names_the_file_by_its_id(home, tmp_path):
    source = word_policy(tmp_path / "Working Alone.docx")
    folder = tmp_path / "drafts"
    folder.mkdir()
    result = run("import", str(source), "-o", str(folder))
    assert result.exit_code == 0, result.output
    written = folder / "working-alone-policy.md"
    assert written.is_file() and "\nid: working-alone-policy\n" in written.read_text()
    again = run("import", str(source), "-o", str(folder) + "/")
    assert again.exit_code == 2 and "already exists" in again.output
