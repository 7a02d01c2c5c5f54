"""The company profile: every problem at once, each with file, line, field and a fix."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from manualgen import api
from manualgen.api import load_library
from manualgen.cli import main
from manualgen.errors import InputError
from manualgen.inputs.pipeline import vocabulary
from manualgen.inputs.profile import load_profile

from conftest import EXAMPLE, MINIMAL_PROFILE


@pytest.fixture(scope="module")
def library():
    return load_library()


def load(library, path: Path):
    return load_profile(path, vocabulary(library))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "company.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_profile_loads_with_unicode_untouched(library):
    profile = load(library, EXAMPLE).profile
    names = [p.name for p in profile.people]
    assert "Éloïse Tremblay" in names and "Daniel Tāgé Smith" in names
    assert "Mary-Anne O'Brien" in names and "Jesse <JJ> Lindqvist" in names
    assert profile.company.legal_name == "Kluane Ridge Roofing & Sons Ltd."
    assert profile.company.wscb_account == "1234567"


def test_every_problem_reported_at_once_with_lines(example_company, library):
    text = example_company.read_text(encoding="utf-8")
    text = text.replace("peak_employees: 7 ", "peak_employees: 12 ")
    text = text.replace("hazards: [working_at_heights,", "hazards: [working_at_height,")
    text = text.replace("{course: PHSM, completed: 2024-02-12}",
                        "{course: PHSM, completed: 2024-02-31}", 1)
    text = text.replace("  industry: Residential roofing and siding\n", "")
    example_company.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(library, example_company)
    messages = [str(p) for p in info.value.problems]
    joined = "\n".join(messages)
    assert re.search(r"company\.yaml:\d+: company\.peak_employees: 12 - SECOR is for fewer "
                     r"than 10 employees - larger companies apply for COR", joined)
    assert re.search(r"company\.yaml:\d+: hazard 1 \(working_at_height\): unknown hazard key "
                     r"'working_at_height' - did you mean working_at_heights", joined)
    assert re.search(r"Éloïse Tremblay, course 1 \(PHSM\), completed: '2024-02-31' is not a "
                     r"date", joined)
    assert re.search(r"company\.yaml:\d+: company\.industry: this field is required", joined)
    assert len(info.value.problems) == 4
    assert [p.line for p in info.value.problems] == sorted(p.line for p in info.value.problems)


def test_line_numbers_point_at_the_field(tmp_path, library):
    bad = dict(MINIMAL_PROFILE, hazards=["ladders", "bears"])
    path = write(tmp_path, yaml.safe_dump(bad, sort_keys=False))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "- bears" in t)
    with pytest.raises(InputError,
                       match=rf"company\.yaml:{line}: hazard 2 \(bears\): unknown hazard"):
        load(library, path)


@pytest.mark.parametrize(("text", "message"), [
    ("company: [unclosed\n", r"company\.yaml:\d+: this is not valid YAML"),
    ("", r"company\.yaml(:\d+)?: the profile is empty"),
])
def test_malformed_yaml(tmp_path, library, text, message):
    with pytest.raises(InputError, match=message):
        load(library, write(tmp_path, text))


def test_unknown_field_and_wrong_type(tmp_path, library):
    bad = yaml.safe_load(yaml.safe_dump(MINIMAL_PROFILE))
    bad["company"]["legal_nme"] = "x"
    bad["company"]["peak_employees"] = "seven"
    bad["people"][0]["roles"] = ["boss"]
    with pytest.raises(InputError) as info:
        load(library, write(tmp_path, yaml.safe_dump(bad)))
    text = str(info.value)
    assert "company.legal_nme: unknown field - check the spelling" in text
    assert "company.peak_employees: 'seven' is not a whole number" in text
    assert "Sam Solo, role 1 (boss): 'boss' is not allowed - use one of 'owner'" in text


def test_logo_that_is_not_an_image(tmp_path, library):
    (tmp_path / "logo.png").write_text("not an image")
    bad = yaml.safe_load(yaml.safe_dump(MINIMAL_PROFILE))
    bad["company"]["logo"] = "logo.png"
    with pytest.raises(InputError, match=r"company\.logo: 'logo.png' is not a PNG or JPEG"):
        load(library, write(tmp_path, yaml.safe_dump(bad)))


def test_logo_outside_the_profile_folder_is_refused(tmp_path, library):
    bad = yaml.safe_load(yaml.safe_dump(MINIMAL_PROFILE))
    bad["company"]["logo"] = "../../etc/passwd"
    with pytest.raises(InputError, match=r"company\.logo: .* is outside the profile's folder"):
        load(library, write(tmp_path, yaml.safe_dump(bad)))


def test_no_is_text_not_false(tmp_path, library):
    bad = yaml.safe_load(yaml.safe_dump(MINIMAL_PROFILE))
    path = write(tmp_path, yaml.safe_dump(bad).replace("wscb_account: '7654321'",
                                                       "wscb_account: NO"))
    assert load(library, path).profile.company.wscb_account == "NO"


def test_check_command(tmp_path, library):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(EXAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "OK - Kluane Ridge Roofing" in ok.output
    bad = write(tmp_path, "company:\n  legal_name: x\n")
    result = runner.invoke(main, ["check", str(bad)])
    assert result.exit_code == 2
    assert "company.address: this field is required" in result.output


def _with_check_ins(text: str) -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["emergency"]["remote_communication"] = text
    data["company"].pop("logo", None)     # a dict has no folder for it
    return data


def test_check_in_times_longer_apart_than_the_policies_allow_are_a_warning(library):
    """Issue 12, point 10: the company's own check-in times contradicted the working alone
    policy's longest gap (program.yaml lone_worker_check_in_hours) without a word."""
    from manualgen import api

    hours = library.rules.lone_worker_check_in_hours
    assert hours == 2
    check = api.check_profile(_with_check_ins(
        "Inreach in every truck; check-in with the office at 10:00, 14:00 and at the end "
        "of the day"), library)
    assert check.ok                     # a warning, not an error
    (warning,) = [p for p in check.problems if p.key == ("emergency", "remote_communication")]
    assert warning.severity == "warning"
    assert "10:00 and 14:00 are 4 hours apart" in warning.message
    assert "at least every 2 hours" in warning.message
    fine = api.check_profile(_with_check_ins("Check-ins at 8:00, 10:00, 12:00 and 13:30"),
                             library)
    assert not [p for p in fine.problems if p.key == ("emergency", "remote_communication")]
    import io

    from docx import Document

    manual = api.manual.build(_with_check_ins("Check-ins at 9:00 and 17:00"), library,
                              api.manual.ManualOptions(layout="word-updates-on-open"))
    text = "\n".join(p.text for p in Document(io.BytesIO(manual.docx)).paragraphs)
    assert f"At least every {hours} hours during the work" in text


def test_an_empty_line_of_text_is_said_in_words(tmp_path, library):
    """An empty required line (a length checked after the text validator) once read
    'Value should have at least 1 item after validation, not 0'."""
    bad = yaml.safe_load(yaml.safe_dump(MINIMAL_PROFILE))
    bad["company"]["legal_name"] = ""
    with pytest.raises(InputError) as info:
        load(library, write(tmp_path, yaml.safe_dump(bad)))
    text = str(info.value)
    assert "company.legal_name: must not be empty - fill it in" in text
    assert "after validation" not in text


TEST_COMPANIES = sorted((Path(__file__).resolve().parent.parent / "policy_library" /
                         "test-companies").glob("*/company.yaml"))


@pytest.mark.parametrize("path", TEST_COMPANIES, ids=lambda p: p.parent.name)
def test_a_profile_written_back_reads_the_same(path, tmp_path):
    """What the web app's company pages and a new revision save (`profile_text`) reads
    back as the same profile: a consultation's `with:` stays `with:` (it was once
    written as the field's Python name, `with_:`, which the next check refused)."""
    library = api.load_library()
    profile = api.load_profile(path, library)
    text = api.workspace.profile_text(profile, library, on=dt.date(2026, 12, 8))
    assert "with_:" not in text
    (tmp_path / "company.yaml").write_text(text, encoding="utf-8")
    again = api.load_profile(tmp_path / "company.yaml", library)
    assert api.workspace.profile_data(again) == api.workspace.profile_data(profile)
