"""`manualgen init`: the interview, the commented profile it writes, and never overwriting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from manualgen import resources
from manualgen.cli import main
from manualgen.inputs.library.load import load_library
from manualgen.inputs.pipeline import vocabulary
from manualgen.inputs.profile import load_profile
from manualgen.inputs.profile_yaml import scalar
from manualgen.io import parse_yaml

# One full interview, with a wrong answer at each checked question (re-asked).
ANSWERS = [
    "Yukon Widgets Ltd.",                 # legal name
    "",                                   # operating name: skipped
    "1 Main St, Whitehorse, YT Y1A 1A1",
    "867-555-0000",
    "",                                   # e-mail: skipped
    "0012345",                            # WSCB account: leading zeros must survive
    "Widget repair",
    "Repairs: small engines #1 in town",  # ': ' and ' #' need quotes in YAML
    "widget_making", "other",             # trades: an unknown key refused, then other
    "Small engine repair",                # what the other trade is
    "12", "4",                            # peak employees: 12 refused, 4 taken
    "y",                                  # subcontractors
    "missing.png", "",                    # logo: a file that is not there, then none
    "Ann O'Neil",                         # first person
    "",                                   # position: default Owner
    "worker", "owner, bos", "owner, supervisor",   # roles: lead role needed; typo refused
    "",                                   # employment: default full_time
    "",                                   # date of birth: skipped
    "PHSM", "2024-13-01", "2024-01-10", "",         # bad date re-asked; no expiry
    "LSE", "2024-02-01", "2023-01-01", "2027-02-01",  # expiry before completion re-asked
    "",                                   # no more courses
    "y",                                  # another person
    "Ann O'Neil", "Bob Crew",             # duplicate name refused
    "Crew lead", "supervisor", "part_time",
    "2009-03-01",                         # date of birth: a young worker
    "First Aid Level 1", "2025-05-01", "2028-05-01", "",
    "n",                                  # no more people
    "Shop", "", "", "ten", "10", "",      # worksite, fixed, no address, travel time
    "", "whitehorse-general-hospital", "y",  # reached by road; its facility; another
    "Client sites", "mobile", "", "", "", "floatplane", "air", "", "n",  # 'floatplane' refused
    "1, ladders, laders", "1, ladders, 3",  # hazards: typo refused, then numbers and keys
    "y", "TRK-01", "Crew truck", "3 months", "y",
    "TRK-01", "TRK-02", "Old truck", "6 months", "n",
    "Whitehorse General Hospital", "", "Front gate", "",
    "y", "S-29", "2024-02-29",            # certified on a leap day
    "", "", "",                           # manual: revision 0, date default, approver default
]


def interview(directory: Path, answers=ANSWERS, *args: str):
    return CliRunner().invoke(main, ["init", str(directory), "--on", "2026-01-05", *args],
                              input="\n".join(answers) + "\n")


def test_interview_writes_a_profile_check_accepts(tmp_path):
    result = interview(tmp_path / "co")
    assert result.exit_code == 0, result.output
    path = tmp_path / "co" / "company.yaml"
    out = result.output
    # each wrong answer was refused with a reason and asked again
    assert "SECOR is for fewer than 10 employees" in out
    assert "no file 'missing.png'" in out
    assert "the first person must be owner or senior_manager" in out
    assert "'bos' is not one of the choices" in out
    assert "'2024-13-01' is not a date: write it as YYYY-MM-DD" in out
    assert "expires before it was completed - check the two dates" in out
    assert "\"Ann O'Neil\" is already listed" in out
    assert "'laders' is not one of the choices - did you mean ladders?" in out
    assert "'TRK-01' is already listed" in out
    assert "working_at_heights" in out and "Wildlife encounters" in out   # vocabulary shown

    checked = CliRunner().invoke(main, ["check", str(path)])
    assert checked.exit_code == 0, checked.output

    library = load_library()
    p = load_profile(path, vocabulary(library)).profile
    assert p.company.wscb_account == "0012345"
    assert p.company.scope_of_work == "Repairs: small engines #1 in town"
    assert p.company.peak_employees == 4 and p.company.uses_subcontractors
    assert p.company.operating_name is None and p.company.logo is None
    assert [x.name for x in p.people] == ["Ann O'Neil", "Bob Crew"]
    assert p.people[0].roles == ["owner", "supervisor"] and p.people[0].position == "Owner"
    assert [(t.course, t.completed, t.expires) for t in p.people[0].training] == [
        ("PHSM", dt.date(2024, 1, 10), None),
        ("LSE", dt.date(2024, 2, 1), dt.date(2027, 2, 1))]
    assert p.people[1].employment == "part_time"
    assert p.people[1].birth_date == dt.date(2009, 3, 1) and p.people[0].birth_date is None
    assert "'widget_making' is not one of the choices" in out
    assert "'floatplane' is not one of the choices" in out
    assert (p.company.trades, p.company.trade_other) == (["other"], "Small engine repair")
    assert [(w.name, w.kind, w.travel_minutes, w.access, w.facility) for w in p.worksites] == [
        ("Shop", "fixed", 10, ["road"], "whitehorse-general-hospital"),
        ("Client sites", "mobile", None, ["air"], None)]
    assert p.hazards == ["working_at_heights", "ladders", "power_tools"]
    assert [e.id for e in p.equipment] == ["TRK-01", "TRK-02"]
    assert p.emergency.emergency_number == "911"
    assert p.secor.certificate_date == dt.date(2024, 2, 29)
    assert (p.manual.revision, p.manual.issued, p.manual.approved_by) == \
        (0, dt.date(2026, 1, 5), "Ann O'Neil")

    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Company profile for manualgen")
    assert "# SECOR needs fewer than 10" in text
    assert "#   wildlife: Wildlife encounters" in text      # the vocabulary, commented
    assert "# email: office@example.ca" in text            # skipped optional field as a hint

    status = CliRunner().invoke(main, ["status", str(path), "--on", "2026-01-05"])
    assert "anniversary date 2026-02-28" in status.output


def test_defaults_writes_the_example(tmp_path):
    target = tmp_path / "new"
    result = CliRunner().invoke(main, ["init", str(target), "--defaults"])
    assert result.exit_code == 0, result.output
    example = resources.examples_dir() / "company.yaml"
    assert (target / "company.yaml").read_text(encoding="utf-8") == \
        example.read_text(encoding="utf-8")
    assert (target / "logo.png").read_bytes() == (example.parent / "logo.png").read_bytes()
    assert CliRunner().invoke(main, ["check", str(target / "company.yaml")]).exit_code == 0


def test_never_overwrites_without_asking(tmp_path):
    path = tmp_path / "company.yaml"
    path.write_text("# my own profile\n", encoding="utf-8")
    declined = CliRunner().invoke(main, ["init", str(tmp_path), "--defaults"], input="\n")
    assert declined.exit_code == 0
    assert "already exists. Replace it?" in declined.output
    assert path.read_text(encoding="utf-8") == "# my own profile\n"
    no_answer = CliRunner().invoke(main, ["init", str(tmp_path), "--defaults"])  # no input
    assert no_answer.exit_code != 0
    assert path.read_text(encoding="utf-8") == "# my own profile\n"
    accepted = CliRunner().invoke(main, ["init", str(tmp_path), "--defaults"], input="y\n")
    assert accepted.exit_code == 0
    assert path.read_text(encoding="utf-8").startswith("# Company profile for manualgen")


def test_existing_logo_is_kept(tmp_path):
    (tmp_path / "logo.png").write_bytes((resources.examples_dir() / "logo.png").read_bytes())
    before = (tmp_path / "logo.png").stat().st_mtime_ns
    assert CliRunner().invoke(main, ["init", str(tmp_path), "--defaults"]).exit_code == 0
    assert (tmp_path / "logo.png").stat().st_mtime_ns == before


@pytest.mark.parametrize("value", [
    "plain text", "a: b", "#hash", "a #b", "1234567", "0012345", "1.10", "2024-01-01", "NO",
    "yes", "true", "null", "~", "Jesse <JJ> Lindqvist", "a, b", "{x}", "[x]", "it's",
    'say "hi"', "", " padded ", "Éloïse & Sons", "- dash", "*star", "@at", "%pct", "`tick`",
    "x\ny",
])
def test_scalar_reads_back_the_same(value):
    assert parse_yaml(f"k: {scalar(value)}\n", "t").data == {"k": value}
    assert parse_yaml(f"k: {{v: {scalar(value, flow=True)}}}\n", "t").data == {"k": {"v": value}}


def test_a_logo_from_elsewhere_is_copied_into_the_folder(tmp_path):
    """The logo prompt takes a picture from anywhere (~ expanded) and copies it in."""
    pictures = tmp_path / "Pictures"
    pictures.mkdir()
    (pictures / "our logo.png").write_bytes((resources.examples_dir() / "logo.png").read_bytes())
    answers = list(ANSWERS)
    at = answers.index("missing.png")
    answers[at:at + 2] = [str(pictures / "our logo.png")]
    result = interview(tmp_path / "co", answers)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "co" / "logo.png").read_bytes() == (pictures / "our logo.png").read_bytes()
    assert "logo: logo.png" in (tmp_path / "co" / "company.yaml").read_text(encoding="utf-8")
    assert CliRunner().invoke(main, ["check", str(tmp_path / "co" / "company.yaml")]).exit_code == 0
