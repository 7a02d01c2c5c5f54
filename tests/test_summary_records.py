"""The summary report's records and figures: reading, checking, counting, rates."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from manualgen.errors import InputError
from manualgen.inputs.records import load_records
from manualgen.inputs.submission import Period, load_submission
from manualgen.summary import build_summary
from manualgen.summary.figures import period_length_months, rate, report_months

from conftest import make_tree

ACTIVITY_HEADER = "date,activity,site,description,people\n"
INCIDENT_HEADER = "date,class,description,days_lost,modified_days,investigated,reported_to_wscb\n"
ACTION_HEADER = "item,element,finding,action,responsible,due,status,completed\n"

# A small year, counted by hand: review period 2025-03-01 to 2026-02-28.
FIXTURE_ACTIVITIES = ACTIVITY_HEADER + """\
2025-03-03,inspection,Yard,Monthly inspection,Sam Solo
2025-03-20,inspection,Yard,Extra inspection,Sam Solo
2025-03-21,toolbox_meeting,Yard,Start of season,Sam Solo
2025-04-02,inspection,Yard,Monthly inspection,Sam Solo
2025-06-30,inspection,Yard,Monthly inspection,Sam Solo
2025-06-30,drill,Yard,Fire drill,Sam Solo
2025-07-01,Site inspections,Yard,Label instead of key,Sam Solo
2025-12-31,field_hazard_assessment,Client driveway,Snow clearing,Sam Solo
2026-01-01,field_hazard_assessment,Client driveway,Snow clearing,Sam Solo
2026-02-28,inspection,Yard,Last day of the period,Sam Solo
"""
FIXTURE_HOURS = "month,hours,employees\n2025-03,160,1\n2025-04,\"1,280.5\",1\n"
WORKED_EXAMPLE_INCIDENTS = INCIDENT_HEADER + """\
2025-05-01,lost_time,Sprain,6,0,yes,yes
2025-06-01,medical_aid,Cut needing stitches,0,0,yes,yes
2025-07-01,medical_aid,Splinter removed at clinic,0,0,yes,yes
2025-08-01,near_miss,Ladder slipped,0,0,no,
2025-09-01,first_aid,Scratch,0,0,Y,n
"""


def make_submission(root: Path, company: Path, records: dict, settings: str = "") -> Path:
    """A submission folder beside the company profile (found in the folder above)."""
    folder = root / "sub"
    make_tree(folder, {
        "submission.yaml": "anniversary: 2026-02-28\n" + settings,
        "records": records,
    })
    assert (folder.parent / "company.yaml").is_file() or company.parent == folder.parent
    return folder


def default_records(**changes: str) -> dict:
    records = {
        "activity-log.csv": FIXTURE_ACTIVITIES,
        "incidents.csv": WORKED_EXAMPLE_INCIDENTS,
        "hours.csv": FIXTURE_HOURS,
        "action-plan.csv": ACTION_HEADER,
    }
    records.update(changes)
    return records


@pytest.fixture
def folder(minimal_company: Path) -> Path:
    return make_submission(minimal_company.parent, minimal_company, default_records(),
                           "targets: {inspection: 1}\n")


def problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --- the worked example of domain.md section 5 ---------------------------------------------

def test_rate_formula_gives_the_worked_example():
    assert rate(1, 15200, 200000) == 13.16
    assert rate(3, 15200, 200000) == 39.47
    assert rate(6, 15200, 200000) == 78.95
    assert rate(1, 0, 200000) is None


def test_worked_example_through_the_records(minimal_company: Path):
    hours = "month,hours\n" + "".join(f"2025-{m:02d},1520\n" for m in range(3, 13))
    folder = make_submission(minimal_company.parent, minimal_company,
                             default_records(**{"hours.csv": hours}))
    fig = build_summary(load_submission(folder)).figures
    r = fig.rates
    assert (r.hours, r.lost_time_injuries, r.days_lost, r.recordable_injuries) == \
        (15200, 1, 6, 3)
    assert (r.lost_time_frequency, r.total_recordable_frequency, r.severity) == \
        (13.16, 39.47, 78.95)
    assert r.small_workforce            # 15,200 < 80,000: the caution is due


# --- hand-counted figures on the fixture year ------------------------------------------------

def test_monthly_activity_counts_by_hand(folder: Path):
    fig = build_summary(load_submission(folder), on=dt.date(2026, 2, 28)).figures
    assert [m.key for m in fig.months] == [f"2025-{m:02d}" for m in range(3, 13)] + \
        ["2026-01", "2026-02"]
    acts = {a.key: a for a in fig.activities}
    #                                   Mar Apr May Jun Jul Aug Sep Oct Nov Dec Jan Feb
    assert acts["inspection"].by_month == (2, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1)
    assert acts["toolbox_meeting"].by_month == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert acts["drill"].by_month == (0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    assert acts["field_hazard_assessment"].by_month == (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0)
    assert fig.activities_total == 10
    assert fig.activities_by_month == (3, 1, 0, 2, 1, 0, 0, 0, 0, 1, 1, 1)
    insp = acts["inspection"]
    assert insp.total == 6
    assert insp.target.source == "submission.yaml" and insp.target.per_month == 1
    assert (insp.target_period, insp.target_to_date, insp.status) == (12, 12, "below")
    assert insp.months_below == ("May 2025", "Aug 2025", "Sep 2025", "Oct 2025", "Nov 2025",
                                 "Dec 2025", "Jan 2026")
    assert acts["safety_meeting"].status == "no target"


def test_targets_to_date_count_only_the_months_gone(folder: Path):
    fig = build_summary(load_submission(folder), on=dt.date(2025, 6, 30)).figures
    insp = next(a for a in fig.activities if a.key == "inspection")
    assert insp.target_to_date == 4            # March to June
    assert insp.months_below == ("May 2025",)  # July onwards has not happened yet


def test_hours_by_month_and_missing_months(folder: Path):
    fig = build_summary(load_submission(folder), on=dt.date(2025, 5, 10)).figures
    w = fig.workforce
    assert w.hours == 1440.5 and not w.estimated
    assert w.average_employees == 1
    assert w.months_not_recorded == ("May 2025",)   # June onwards is after the as-of day
    assert [m.hours for m in w.months[:3]] == [160, 1280.5, None]


@pytest.mark.parametrize("hours_file", [None, "month,hours,employees\n"])
def test_hours_estimated_from_headcount_without_hours(minimal_company: Path, hours_file):
    records = default_records()
    del records["hours.csv"]
    if hours_file:
        records["hours.csv"] = hours_file        # the header `package init` writes, no rows
    folder = make_submission(minimal_company.parent, minimal_company, records)
    fig = build_summary(load_submission(folder)).figures
    w = fig.workforce
    assert w.estimated and w.hours == 2000     # 1 employee x 2,000 h x 12/12
    assert w.estimate_basis == "1 employee (peak) x 2,000 hours a year x 12 months / 12"
    assert fig.rates.lost_time_frequency == 100.0   # 1 x 200,000 / 2,000


def test_incidents_by_class(folder: Path):
    fig = build_summary(load_submission(folder)).figures
    classes = {c.key: c for c in fig.incidents}
    assert (classes["medical_aid"].count, classes["medical_aid"].investigated) == (2, 2)
    assert (classes["near_miss"].count, classes["near_miss"].investigated) == (1, 0)
    assert classes["first_aid"].reported_to_wscb == 0
    assert fig.incidents_total == 5
    assert [i.date for i in fig.incident_list] == sorted(i.date for i in fig.incident_list)


def test_action_plan_counts_overdue_on_the_day(minimal_company: Path):
    plan = ACTION_HEADER + """\
1,9,No inspections in winter,Add to calendar,Sam,2025-05-01,closed,2025-04-20
2,2,No FLHA form,Adopt the form,Sam,2025-09-30,in progress,
3,11,No drill,Hold a drill,Sam,2026-01-31,open,
4,,Spare,Order a spare kit,Sam,,Done,2025-06-01
"""
    folder = make_submission(minimal_company.parent, minimal_company,
                             default_records(**{"action-plan.csv": plan}))
    sub = load_submission(folder)
    ap = build_summary(sub, on=dt.date(2025, 12, 1)).figures.action_plan
    assert (ap.total, ap.closed, ap.open, ap.in_progress, ap.overdue) == (4, 2, 2, 1, 1)
    ap = build_summary(sub, on=dt.date(2026, 2, 28)).figures.action_plan
    assert ap.overdue == 2


def test_as_of_defaults_to_the_last_record(folder: Path):
    assert build_summary(load_submission(folder)).figures.header.as_of == dt.date(2026, 2, 28)


def test_period_arithmetic():
    period = Period(start=dt.date(2025, 12, 16), end=dt.date(2026, 12, 15))
    months = report_months(period)
    assert len(months) == 13
    assert (months[0].days, months[-1].days, months[1].days) == (16, 15, 31)
    assert period_length_months(period) == 12
    half = Period(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 16))
    assert period_length_months(half) == 0.52


def test_targets_default_to_the_policies(minimal_company: Path):
    folder = make_submission(minimal_company.parent, minimal_company, default_records())
    fig = build_summary(load_submission(folder)).figures
    targets = {a.key: a.target for a in fig.activities if a.target}
    assert targets, "the library's policies state no targets"
    for target in targets.values():
        assert target.source.endswith(" policy")


# --- every bad record reported, with file, row and column ------------------------------------

def test_every_bad_row_is_reported_at_once(minimal_company: Path):
    records = default_records(**{
        "activity-log.csv": ACTIVITY_HEADER + """\
2025-03-03,inspection,Yard,ok,Sam
2025-03-04,inspecton,Yard,typo,Sam
03/05/2025,toolbox_meeting,Yard,bad date,Sam
2024-12-01,inspection,Yard,last year,Sam

2025-04-01,,Yard,no activity,Sam
""",
        "incidents.csv": INCIDENT_HEADER + """\
2025-05-01,lost time,Sprain,six,0,yes,yes
2025-06-01,injury,Cut,0,-1,maybe,yes
""",
        "hours.csv": "month,hours\n2025-03,160\n2025-03,170\n2024-11,100\nMarch,x\n",
        "action-plan.csv": ACTION_HEADER + "1,99,Finding,Action,Sam,2025-05-01,closed,\n",
    })
    folder = make_submission(minimal_company.parent, minimal_company, records)
    with pytest.raises(InputError) as exc:
        load_records(load_submission(folder))
    found = problems(exc)
    log = str(folder / "records" / "activity-log.csv")
    inc = str(folder / "records" / "incidents.csv")
    hrs = str(folder / "records" / "hours.csv")
    plan = str(folder / "records" / "action-plan.csv")
    expected = [
        rf"^{re.escape(log)}:3: activity: unknown activity 'inspecton' - did you mean "
        r"'inspection'\? use one of: hazard_assessment, ",
        rf"^{re.escape(log)}:4: date: '03/05/2025' is not a date - write it as YYYY-MM-DD",
        rf"^{re.escape(log)}:5: date: 2024-12-01 is outside the review period 2025-03-01 to "
        r"2026-02-28",
        rf"^{re.escape(log)}:7: activity: the activity is missing",   # blank row 6 skipped
        rf"^{re.escape(inc)}:2: days_lost: 'six' is not a number",
        rf"^{re.escape(inc)}:3: class: unknown incident class 'injury' - use one of: near_miss",
        rf"^{re.escape(inc)}:3: modified_days: -1 is negative",
        rf"^{re.escape(inc)}:3: investigated: 'maybe' is not yes or no",
        rf"^{re.escape(hrs)}:3: month: 2025-03 is already given in row 2",
        rf"^{re.escape(hrs)}:4: month: 2024-11 is outside the review period",
        rf"^{re.escape(hrs)}:5: month: 'March' is not a month - write it as YYYY-MM",
        rf"^{re.escape(hrs)}:5: hours: 'x' is not a number",
        rf"^{re.escape(plan)}:2: element: there is no audit element 99",
        rf"^{re.escape(plan)}:2: completed: the item is closed but has no completion date",
    ]
    for pattern in expected:
        assert any(re.match(pattern, line) for line in found), (pattern, found)
    assert len(found) == len(expected), found


def test_missing_and_unknown_columns(minimal_company: Path):
    records = default_records(**{
        "activity-log.csv": "date,activty,site\n2025-03-03,inspection,Yard\n",
        "incidents.csv": "date,class,description,investigated,notes\n",
    })
    del records["action-plan.csv"]
    folder = make_submission(minimal_company.parent, minimal_company, records)
    with pytest.raises(InputError) as exc:
        load_records(load_submission(folder))
    text = "\n".join(problems(exc))
    assert "activity-log.csv:1: no column 'activity'" in text
    assert "activity-log.csv:1: unknown column 'activty' - did you mean 'activity'?" in text
    assert "incidents.csv" not in text          # 'notes' is a free column
    assert "action-plan.csv: the file is missing" in text


def test_records_folder_missing(minimal_company: Path):
    folder = minimal_company.parent / "sub"
    make_tree(folder, {"submission.yaml": "anniversary: 2026-02-28\n"})
    with pytest.raises(InputError, match="the records folder is missing"):
        load_records(load_submission(folder))


def test_goals_yaml_errors_carry_their_line(minimal_company: Path):
    goals = "last_year:\n  - goal: Fewer injuries\n    outcome: Done\n    met: sometimes\n" \
            "next_year:\n  - goal: More drills\n    due: soon\n    owner: Sam\n"
    folder = make_submission(minimal_company.parent, minimal_company,
                             default_records(**{"goals.yaml": goals}))
    with pytest.raises(InputError) as exc:
        load_records(load_submission(folder))
    found = problems(exc)
    assert any(re.search(r"goals\.yaml:4: last_year\.0\.met", p) for p in found), found
    assert any(re.search(r"goals\.yaml:7: next_year\.0\.due: 'soon' is not a date", p)
               for p in found), found
    assert any(re.search(r"goals\.yaml:8: next_year\.0\.owner: unknown field", p)
               for p in found), found


def test_previous_year_keys_are_checked(minimal_company: Path):
    prev = "hours: 1000\nactivities: {inspections: 3}\nincidents: {first_aid: 1}\n"
    folder = make_submission(minimal_company.parent, minimal_company,
                             default_records(**{"previous-year.yaml": prev}))
    with pytest.raises(InputError, match=r"previous-year\.yaml:2: activities\.inspections: "
                                         r"unknown key 'inspections'"):
        load_records(load_submission(folder))


def test_both_csv_and_xlsx_is_an_error(minimal_company: Path):
    folder = make_submission(minimal_company.parent, minimal_company, default_records())
    _write_xlsx(folder / "records" / "hours.xlsx", [["month", "hours"], ["2025-03", 160]])
    with pytest.raises(InputError, match="both hours.csv and hours.xlsx exist"):
        load_records(load_submission(folder))


# --- Excel records -----------------------------------------------------------------------

def _write_xlsx(path: Path, rows: list[list]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_excel_records_give_the_same_figures(minimal_company: Path, tmp_path: Path):
    csv_folder = make_submission(minimal_company.parent, minimal_company, default_records())
    xlsx_root = tmp_path / "x"
    xlsx_root.mkdir()
    (xlsx_root / "company.yaml").write_text(minimal_company.read_text(encoding="utf-8"),
                                            encoding="utf-8")
    records = default_records()
    del records["activity-log.csv"], records["hours.csv"]
    xfolder = make_submission(xlsx_root, xlsx_root / "company.yaml", records)
    rows = [line.split(",") for line in FIXTURE_ACTIVITIES.strip().splitlines()]
    # Excel keeps dates as dates; the header in another case and spacing.
    excel = [["Date", "Activity", "Site", "Description", "People"]] + \
        [[dt.datetime.fromisoformat(r[0]), *r[1:]] for r in rows[1:]]
    _write_xlsx(xfolder / "records" / "activity-log.xlsx", excel)
    _write_xlsx(xfolder / "records" / "hours.xlsx",
                [["month", "hours", "employees"], [dt.datetime(2025, 3, 1), 160, 1],
                 ["2025-04", 1280.5, 1]])
    a = build_summary(load_submission(csv_folder)).figures
    b = build_summary(load_submission(xfolder)).figures
    assert a.activities == b.activities
    assert a.workforce == b.workforce


def test_excel_errors_name_the_column_letter(minimal_company: Path):
    records = default_records()
    del records["activity-log.csv"]
    folder = make_submission(minimal_company.parent, minimal_company, records)
    _write_xlsx(folder / "records" / "activity-log.xlsx",
                [["date", "activity"], [dt.datetime(2025, 3, 3), "inspection"],
                 ["yesterday", "drill"]])
    with pytest.raises(InputError) as exc:
        load_records(load_submission(folder))
    assert problems(exc) == [
        f"{folder / 'records' / 'activity-log.xlsx'}:3: date (column A): 'yesterday' is not "
        "a date - write it as YYYY-MM-DD, for example 2026-03-14"]


def test_a_broken_workbook_is_reported(minimal_company: Path):
    records = default_records()
    del records["hours.csv"]
    folder = make_submission(minimal_company.parent, minimal_company, records)
    (folder / "records" / "hours.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"hours\.xlsx: cannot be read as an Excel workbook"):
        load_records(load_submission(folder))
