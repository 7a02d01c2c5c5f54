"""`manualgen status`: the report, its exit code, JSON and the calendar file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import pytest
import yaml
from click.testing import CliRunner

from manualgen.cli import main
from manualgen.status.calendar import calendar_bytes
from manualgen.status.report import CHECK, DONE, OPEN

from conftest import status_of


def run(*args: str):
    return CliRunner().invoke(main, ["status", *map(str, args)])


def edit(path: Path, change) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_example_company_in_good_standing(example_company):
    result = run(example_company, "--on", "2026-11-26")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Cycle year 3 of 4; anniversary date 2026-12-15" in out
    assert "Next due: Annual Documentation Review Submission by 2026-12-15 (19 days left)" in out
    assert "Review period: 2025-12-16 to 2026-12-15" in out
    assert "Supervisors with a valid LSE: 2 of 2 (100%)" in out and "- met" in out
    # Daniel's LSE (2023-09-18) is inside its grace period: counted, flagged
    assert "Daniel Tāgé Smith: counted, but in the grace period" in out
    assert "In grace period until 2027-03-18" in out
    assert "Eligibility: 7 employees at peak - eligible" in out
    assert "To fix" not in out


def test_json_report(example_company):
    result = run(example_company, "--on", "2026-11-26", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["on"] == "2026-11-26" and data["certified"] is True
    assert data["cycle"]["next_item"]["due"] == "annual_submission"
    assert data["cycle"]["days_left"] == 19 and data["cycle"]["overdue"] is False
    assert data["supervisors"]["in_grace"] == ["Daniel Tāgé Smith"]
    assert {c["course"]: c["met"] for c in data["required_courses"]} == \
        {"PHSM": True, "LSE": True, "RTW": True}
    assert data["findings"] == []
    owner = data["people"][0]
    assert owner["name"] == "Éloïse Tremblay"
    lse = owner["courses"][1]
    assert (lse["course"], lse["status"], lse["completed"], lse["expires"]) == \
        ("LSE", "valid", "2024-03-05", "2027-03-05")


def test_recertification_overdue_exits_1(example_company):
    on_deadline = run(example_company, "--on", "2027-12-15")
    assert "Re-certifying external audit by 2027-12-15 (due today)" in on_deadline.output
    late = run(example_company, "--on", "2027-12-16")
    assert late.exit_code == 1
    assert "(1 day LATE)" in late.output
    assert "Re-certifying external audit was due by 2027-12-15: 1 day late" in late.output
    assert "expired 2027-12-15" in late.output


def test_expired_course_and_unmet_ratio_exit_1(example_company):
    # by 2027-10-01 the owner's LSE (2024-03-05) is past its grace too
    result = run(example_company, "--on", "2027-10-01", "--json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert any("Éloïse Tremblay: LSE expired" in f for f in findings)
    assert any("required course LSE is not held validly" in f for f in findings)
    assert any("0 of 2 supervisors hold a valid LSE; at least 1 (50%) must" in f
               for f in findings)


def test_course_completed_in_the_future_is_a_warning(example_company):
    # Owen's fall protection is dated 2026-04-20
    report = status_of(example_company, dt.date(2026, 1, 10))
    assert any("Owen Kuster: Fall Protection completion date 2026-04-20 is in the future" in w
               for w in report.warnings)
    assert "Booked (2026-04-20)" in report.as_text()


def test_before_certification_shows_the_steps(minimal_company):
    result = run(minimal_company, "--on", "2026-12-01")
    assert result.exit_code == 1      # no courses: required courses unmet
    out = result.output
    assert "Not certified yet" in out and "Register with NSNY" in out
    report = status_of(minimal_company, dt.date(2026, 12, 1))
    states = {s.key: s.state for s in report.steps}
    assert states == {"register": CHECK, "courses": OPEN, "manual": OPEN, "implement": OPEN,
                      "audit": OPEN, "certificate": OPEN}
    assert "still needed: PHSM, LSE, RTW" in next(s.note for s in report.steps
                                                  if s.key == "courses")
    assert report.position is None and report.items == ()


def test_steps_progress_with_the_profile(minimal_company):
    def trained(data):
        data["people"][0]["training"] = [
            {"course": "PHSM", "completed": "2026-01-10"},
            {"course": "LSE", "completed": "2026-02-10"},
            {"course": "RTW", "completed": "2026-03-10"}]
        data["people"][0]["roles"] = ["owner", "supervisor"]
        data["manual"] = {"revision": 1, "issued": "2026-04-01", "approved_by": "Sam Solo"}
    edit(minimal_company, trained)
    result = run(minimal_company, "--on", "2026-07-01")
    assert result.exit_code == 0, result.output
    report = status_of(minimal_company, dt.date(2026, 7, 1))
    states = {s.key: s.state for s in report.steps}
    assert states["courses"] == DONE and states["manual"] == CHECK
    assert states["implement"] == DONE            # 3 months after 2026-04-01
    assert status_of(minimal_company, dt.date(2026, 6, 30)).steps[3].state == OPEN


def test_february_29_certificate(minimal_company):
    edit(minimal_company, lambda d: d.update(
        secor={"certificate_number": "S-29", "certificate_date": "2024-02-29"}))
    report = status_of(minimal_company, dt.date(2026, 2, 28))
    assert report.position.anniversary == dt.date(2026, 2, 28)
    assert report.position.next_item.period_start == dt.date(2025, 3, 1)
    assert report.position.days_left == 0


def test_bad_date_option_is_usage_error(example_company):
    result = run(example_company, "--on", "2026-02-30")
    assert result.exit_code == 2


def test_bad_profile_reports_the_line(example_company):
    text = example_company.read_text(encoding="utf-8").replace(
        "certificate_date: 2024-12-15", "certificate_date: someday")
    example_company.write_text(text, encoding="utf-8")
    result = run(example_company)
    assert result.exit_code == 2
    assert "secor.certificate_date: 'someday' is not a date" in result.output


# ------------------------------------------------------------------ calendar


def test_ics_holds_the_due_dates_and_expiries(example_company, tmp_path):
    out = tmp_path / "secor.ics"
    result = run(example_company, "--on", "2026-11-26", "--ics", out)
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    by_summary = {str(e["SUMMARY"]): e for e in events}
    due = by_summary["SECOR: Annual Documentation Review Submission due (Kluane Ridge Roofing)"]
    assert due.decoded("DTSTART") == dt.date(2026, 12, 15)
    assert due.decoded("DTEND") == dt.date(2026, 12, 16)
    assert "Review period: 2025-12-16 to 2026-12-15" in str(due["DESCRIPTION"])
    recert = by_summary["SECOR: Re-certifying external audit due (Kluane Ridge Roofing)"]
    assert recert.decoded("DTSTART") == dt.date(2027, 12, 15)
    assert by_summary["LSE expires: Éloïse Tremblay"].decoded("DTSTART") == dt.date(2027, 3, 5)
    assert by_summary["LSE grace period ends: Daniel Tāgé Smith"].decoded("DTSTART") == \
        dt.date(2027, 3, 18)
    # Daniel's LSE expiry (2026-09-18) is already past: no event for it
    assert "LSE expires: Daniel Tāgé Smith" not in by_summary
    # past cycle items are left out
    assert not any(e.decoded("DTSTART") < dt.date(2026, 11, 26) for e in events)
    # every event has the program's reminders and a unique, stable id
    for e in events:
        triggers = sorted(a.decoded("TRIGGER") for a in e.walk("VALARM"))
        assert triggers == [dt.timedelta(days=-60), dt.timedelta(days=-30)]
        assert e.decoded("DTSTAMP") == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert "secor-1234567-s-0423-annual-submission-20261215@manualgen.secor" in uids


def test_ics_is_deterministic(example_company):
    on = dt.date(2026, 11, 26)
    first = calendar_bytes(status_of(example_company, on))
    assert first == calendar_bytes(status_of(example_company, on))
    assert b"DTSTAMP:20261126T000000Z" in first


def test_ics_written_even_when_findings_exit_1(example_company, tmp_path):
    out = tmp_path / "late.ics"
    result = run(example_company, "--on", "2027-12-20", "--ics", out, "--json")
    assert result.exit_code == 1
    json.loads(result.stdout)                      # the message went to stderr
    assert f"wrote {out}" in result.stderr
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    overdue = [e for e in cal.walk("VEVENT") if "Re-certifying" in str(e["SUMMARY"])]
    assert overdue and overdue[0].decoded("DTSTART") == dt.date(2027, 12, 15)


@pytest.mark.parametrize("on", ["2026-11-26", "2027-12-20"])
def test_text_report_lines_are_readable(example_company, on):
    out = run(example_company, "--on", on).output
    assert all(len(line) <= 120 for line in out.splitlines())
