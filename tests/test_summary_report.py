"""The summary report's three forms: the PDF, the Word file and the JSON agree, and rebuild
byte for byte; the command writes them or reports the bad records."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from click.testing import CliRunner

from manualgen import resources
from manualgen.cli import main
from manualgen.inputs.submission import load_submission
from manualgen.summary import build_summary

from test_summary_records import default_records, make_submission

EXAMPLE = resources.examples_dir() / "2026-submission"


@pytest.fixture(scope="module")
def example():
    return build_summary(load_submission(EXAMPLE))


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return words(" ".join(page.extract_text() for page in reader.pages))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:          # merged cells repeat: keep each once
                if not cells or cell._tc is not cells[-1][0]:
                    cells.append((cell._tc, cell.text))
            parts.append(" ".join(t for _, t in cells))
    return words("\n".join(parts))


def expected_lines(figures: dict) -> list[str]:
    """Rows a reader must find, built from the JSON alone (not from the report's code)."""
    as_of = figures["header"]["as_of"][:7]
    late = [m["key"] > as_of for m in figures["months"]]

    def cells(values: list[int]) -> str:
        return " ".join("–" if x else f"{v:,}" for v, x in zip(values, late, strict=True))

    lines = [f"Hours worked {figures['workforce']['hours']:,}"]
    for a in figures["activities"]:
        lines.append(f"{a['label']} {cells(a['by_month'])} {a['total']:,}")
        if a["target"]:
            lines.append(f"{a['label']} {a['target']['text']}")
    lines.append(f"All activities {cells(figures['activities_by_month'])} "
                 f"{figures['activities_total']:,}")
    for c in figures["incidents"]:
        lines.append(f"{c['label']} {c['count']} {c['days_lost']} {c['modified_days']}")
    r = figures["rates"]
    for key in ("lost_time_frequency", "total_recordable_frequency", "severity"):
        lines.append(f"{r[key]:.2f}")
    lines.append(f"{r['lost_time_injuries']} lost-time injur")
    ap = figures["action_plan"]
    lines.append(f"{ap['closed']} of {ap['total']} ({ap['overdue']} overdue)")
    t = figures["training"]
    lines.append(f"{len(t['supervisors_with_course'])} of {len(t['supervisors'])} supervisors")
    for p in t["people"]:
        lines.append(p["name"])
    h = figures["header"]
    lines += [h["legal_name"], h["wscb_account"], h["prepared_by"], h["certificate_number"]]
    for g in figures["last_year_goals"] + figures["next_year_goals"]:
        lines.append(g["goal"])
    return lines


def test_the_example_is_a_realistic_year(example):
    fig = example.figures
    assert 150 <= fig.activities_total <= 250
    classes = {c.key: c.count for c in fig.incidents}
    assert classes["near_miss"] >= 1 and classes["first_aid"] >= 1
    assert 5 <= fig.action_plan.total <= 8
    assert fig.header.period_start == dt.date(2025, 12, 16)
    assert fig.header.period_end == dt.date(2026, 12, 15)
    assert fig.header.as_of == dt.date(2026, 11, 20)
    assert fig.header.prepared_by == "Mary-Anne O'Brien"
    assert fig.comparison is not None
    # Training comes from the program rules: the crew lead's LSE is in its grace period.
    daniel = next(p for p in fig.training.people if p.name.startswith("Daniel"))
    assert daniel.required[0].status == "in_grace"


def test_pdf_carries_the_json_figures(example):
    figures = json.loads(example.json_text())
    text = pdf_text(example.pdf_bytes())
    for line in expected_lines(figures):
        assert line in text, line
    assert "Caution: 12,460 hours is under 80,000" in text
    assert "Jesse <JJ> Lindqvist" in text and "Kluane Ridge Roofing & Sons Ltd." in text


def test_word_file_carries_the_json_figures(example):
    figures = json.loads(example.json_text())
    data = example.docx_bytes()
    text = docx_text(data)
    for line in expected_lines(figures):
        assert line in text, line
    assert "Jesse <JJ> Lindqvist" in text
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "{{" not in xml and "{%" not in xml


def test_word_xml_in_schema_order(example, tmp_path):
    from ooxml import order_problems

    path = tmp_path / "summary.docx"
    path.write_bytes(example.docx_bytes())
    assert order_problems(path) == []


def test_json_is_the_figures(example):
    data = json.loads(example.json_text())
    assert data["schema"] == "manualgen-summary/1"
    assert data["rates"]["lost_time_frequency"] == example.figures.rates.lost_time_frequency
    assert data["incidents_total"] == example.figures.incidents_total
    assert data["header"]["as_of"] == "2026-11-20"


def test_rebuild_is_byte_identical(example):
    again = build_summary(load_submission(EXAMPLE))
    assert again.pdf_bytes() == example.pdf_bytes()
    assert again.docx_bytes() == example.docx_bytes()
    assert again.json_text() == example.json_text()


def test_pdf_properties_come_from_the_records(example):
    reader = pypdf.PdfReader(io.BytesIO(example.pdf_bytes()))
    meta = reader.metadata
    assert meta["/CreationDate"].startswith("D:20261120")
    assert "Kluane Ridge Roofing" in meta["/Title"]
    last = reader.pages[-1].extract_text()
    assert "9. Sign-off" in pdf_text(example.pdf_bytes()) and "Éloïse Tremblay" in last


def test_estimated_hours_are_marked(minimal_company: Path):
    records = default_records()
    del records["hours.csv"]
    folder = make_submission(minimal_company.parent, minimal_company, records)
    result = build_summary(load_submission(folder))
    text = pdf_text(result.pdf_bytes())
    assert "Hours worked in the period (ESTIMATE) 2,000" in text
    assert "Hours are an ESTIMATE" in text
    assert "(ESTIMATE)" in docx_text(result.docx_bytes())
    # no previous year: no comparison section, and the numbers run on without a gap
    pdf = pdf_text(result.pdf_bytes())
    assert "Comparison with the previous year" not in pdf
    assert "7. Goals" in pdf and "8. Sign-off" in pdf and "9. Sign-off" not in pdf
    word = docx_text(result.docx_bytes())
    assert "8. Sign-off" in word and "9. Sign-off" not in word


def test_word_copy_carries_the_charts(example):
    """The same charts as the PDF, as pictures: one per activity with a monthly target,
    and the incidents by class."""
    with zipfile.ZipFile(io.BytesIO(example.docx_bytes())) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        body = z.read("word/document.xml").decode("utf-8")
    monthly = [a for a in example.figures.activities if a.target and a.target.per_month >= 1]
    assert len(media) == len(monthly) + 1 >= 2
    assert body.count("<pic:pic") == len(media)
    assert "Monthly activity against target" in docx_text(example.docx_bytes())


def test_cli_writes_the_three_forms(tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["summary", str(EXAMPLE), "-o", str(out / "s.pdf"),
                                       "--docx", str(out / "s.docx"),
                                       "--json", str(out / "s.json")])
    assert result.exit_code == 0, result.output
    assert "212 activities, 7 incidents" in result.output
    assert (out / "s.pdf").read_bytes().startswith(b"%PDF")
    assert zipfile.is_zipfile(out / "s.docx")
    assert json.loads((out / "s.json").read_text(encoding="utf-8"))["activities_total"] == 212
    assert sorted(p.name for p in out.iterdir()) == ["s.docx", "s.json", "s.pdf"]


def test_cli_on_date_counts_to_that_day(tmp_path: Path):
    out = tmp_path / "s.json"
    result = CliRunner().invoke(main, ["summary", str(EXAMPLE), "-o", str(tmp_path / "s.pdf"),
                                       "--json", str(out), "--on", "2026-12-15"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["header"]["as_of"] == "2026-12-15"
    assert data["action_plan"]["overdue"] == 1      # item 7 is due on the anniversary itself


def test_cli_bad_records_exit_2_and_write_nothing(minimal_company: Path, tmp_path: Path):
    records = default_records(**{"incidents.csv": "date,class,description,days_lost,"
                                 "modified_days,investigated,reported_to_wscb\n"
                                 "2025-05-01,broken_leg,x,1,0,yes,yes\n"
                                 "2025-05-02,first_aid,x,0,0,perhaps,no\n"})
    folder = make_submission(minimal_company.parent, minimal_company, records)
    pdf = tmp_path / "out.pdf"
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(pdf)])
    assert result.exit_code == 2
    assert re.search(r"incidents\.csv:2: class: unknown incident class 'broken_leg'",
                     result.output)
    assert re.search(r"incidents\.csv:3: investigated: 'perhaps' is not yes or no",
                     result.output)
    assert not pdf.exists()
