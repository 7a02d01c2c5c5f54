"""The company's hazard inventory: tasks rated without and with controls, ranked (issue 12, 6)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from manualgen import api
from manualgen.inputs.pipeline import prepare
from manualgen.inputs.profile_yaml import render_profile
from manualgen.manual.company_tables import BLOCKS, hazard_inventory

from conftest import EXAMPLE, MINIMAL_PROFILE

HAZARD_POLICY = Path(__file__).resolve().parents[1] / "policy_library" / "policies" / \
    "hazard-assessment.md"


@pytest.fixture(scope="module")
def library():
    return api.load_library()


def inputs_for(data: dict, library):
    return prepare(api.load_profile(data, library), library)


def test_the_inventory_is_the_trades_tasks_then_the_hazards_defaults_ranked(library):
    """The roofer lists no tasks: its trade's tasks for the hazards it has, and the
    library's default rows for each hazard no trade task covers, highest risk first."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["company"].pop("logo")
    inputs = inputs_for(data, library)
    lines = hazard_inventory(inputs)
    roofing = library.trade("roofing")
    trade_tasks = [t for t in library.trade_tasks(roofing) if t.hazard in inputs.hazards]
    assert sorted(x.id for x in lines if x.source == "trade") == \
        sorted(t.id for t in trade_tasks)
    covered = {t.hazard for t in trade_tasks}
    hazards = {h.key: h for h in library.hazards}
    defaults = [x for x in lines if x.source == "hazard"]
    assert len(defaults) == sum(len(hazards[k].inventory) for k in inputs.hazards
                                if k not in covered)
    assert "hot_work" not in {x.hazard for x in lines}          # dismissed by the roofer
    scores = [x.before for x in lines]
    assert scores == sorted(scores, reverse=True) and scores[0] == 12
    block = BLOCKS["hazard_inventory"](inputs)
    assert block.rows[0][2] == "12 Critical (Critical x Likely)"


OWN_TASKS = [
    {"task": "Plowing driveways at night", "hazard": "vehicles", "severity": 4,
     "likelihood": 2, "controls": "Lights and a beacon; slow near walkers; breaks",
     "likelihood_after": 1,
     "steps": ["Walk the driveway in daylight first", "Beacon and lights on",
               "Stop if anyone is on foot nearby"]},
    {"task": "Shovelling steps", "hazard": "cold_weather", "severity": 2,
     "likelihood": 4, "controls": "Rotate tasks; warm-up breaks", "likelihood_after": 2,
     "procedure": "lifting-and-carrying"}]


def test_the_companys_own_tasks_stand_for_their_hazards(library):
    """A hazard the company's own tasks cover takes no library default row."""
    data = copy.deepcopy(MINIMAL_PROFILE)
    data["hazards"] = ["vehicles", "cold_weather", "ladders"]
    data["tasks"] = copy.deepcopy(OWN_TASKS)
    lines = hazard_inventory(inputs_for(data, library))
    assert [x.task for x in lines if x.source == "company"] == \
        ["Plowing driveways at night", "Shovelling steps"]
    assert [x.hazard for x in lines if x.source == "hazard"] == ["ladders"]
    assert [x.after for x in lines if x.source == "company"] == [4, 4]


def test_the_safe_job_procedures_follow_the_inventory(library):
    """Every High or Critical task's procedure is printed: the company's own steps, a
    library procedure it names, and the default rows' procedures."""
    from manualgen.manual.text import manual_text

    data = copy.deepcopy(MINIMAL_PROFILE)
    data["hazards"] = ["vehicles", "cold_weather", "ladders"]
    data["tasks"] = copy.deepcopy(OWN_TASKS)
    inputs = inputs_for(data, library)
    text = manual_text(inputs).policies["safe-job-procedures"]
    assert "### Plowing driveways at night" in text
    assert "1. Walk the driveway in daylight first\n2. Beacon and lights on" in text
    ladder = library.procedure("extension-ladder")
    assert f"### {ladder.title}" in text
    assert f"### {library.procedure('lifting-and-carrying').title}" in text
    high = [x for x in inputs.facts.inventory if x.before >= 8]
    assert high and all(x.has_procedure for x in high)


def test_a_high_task_without_a_procedure_is_refused(library):
    data = copy.deepcopy(MINIMAL_PROFILE)
    data["hazards"] = ["vehicles"]
    data["tasks"] = [{**OWN_TASKS[0], "steps": []}]
    check = api.check_profile(data, library)
    (problem,) = check.for_field(("tasks", 0))
    assert str(problem).endswith(
        "task 1 (Plowing driveways at night): 'Plowing driveways at night' is rated 8 before "
        "controls (High or Critical), and the manual's rule is that every such task has a "
        "written safe job procedure - write its steps under steps:, name a library "
        "procedure under procedure:, or check the rating")


def test_a_rating_off_the_matrix_is_refused_in_plain_words(library):
    data = copy.deepcopy(MINIMAL_PROFILE)
    data["tasks"] = [{"task": "Plowing", "severity": 5, "likelihood": 2, "controls": "Care",
                      "likelihood_after": 1}]
    check = api.check_profile(data, library)
    (problem,) = check.for_field(("tasks", 0, "severity"))
    assert problem.field == "task 1 (Plowing), severity"
    assert "5 is not on the severity scale - use one of 1 Minor, 2 Serious, 3 Major, " \
           "4 Critical" in str(problem)


def test_saved_tasks_read_back_the_same(library):
    data = copy.deepcopy(MINIMAL_PROFILE)
    data["manual"]["issued"] = "2026-11-26"
    data.setdefault("equipment", [])
    data["company"]["uses_subcontractors"] = False
    data["tasks"] = [{"task": "Plowing: driveways #2", "hazard": "vehicles", "severity": 4,
                      "likelihood": 2, "controls": "Lights, beacon", "likelihood_after": 1,
                      "steps": ["Beacon on: always", "Check #2 mirror"]}]
    for person in data["people"]:
        person.setdefault("employment", "full_time")
        person.setdefault("training", [])
    data["hazards"] = ["vehicles"]
    text = render_profile(data, library, __import__("datetime").date(2026, 11, 26))
    again = yaml.safe_load(text)
    assert again["tasks"] == data["tasks"]


def test_the_policys_matrix_and_the_program_data_agree(library):
    """The hazard assessment policy prints the matrix the inventory is rated on."""
    matrix = library.rules.risk_matrix
    text = HAZARD_POLICY.read_text(encoding="utf-8")
    for score_range in re.findall(r"^\| (\w+) \| (\d+) to (\d+) \|", text, re.MULTILINE):
        label, low, _high = score_range
        assert matrix.band(int(low)) == label
    for value, label in matrix.severity.items():
        assert f"| {value} {label} |" in text
    for value, label in matrix.likelihood.items():
        assert f"| {value} {label} |" in text
