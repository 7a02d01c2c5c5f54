"""The company's trade, places and people drive its manual (issue 24).

The library's test companies (policy_library/test-companies/) each carry what their
reviewer expects: every one is built and read here as `library check` reads it, and the
rules behind it (facts on the issue date, trades' usual hazards, dismissals, facilities,
young workers) are tested on their own.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest

from manualgen import api
from manualgen.inputs.facts import company_facts
from manualgen.library.trades import foreign_words, review_company

from conftest import MINIMAL_PROFILE


@pytest.fixture(scope="module")
def library():
    return api.load_library()


def profile(**changes) -> dict:
    """The one-person snow removal company, with changes by dotted top-level key."""
    data = copy.deepcopy(MINIMAL_PROFILE)
    for key, value in changes.items():
        head, _, tail = key.partition("__")
        if tail:
            data[head][tail] = value
        else:
            data[key] = value
    return data


def facts_of(data: dict, library):
    return company_facts(api.load_profile(data, library).profile, library.vocabulary())


def messages(data: dict, library, key: tuple) -> list[str]:
    return [p.message + " - " + (p.fix or "") for p in
            api.check_profile(data, library).for_field(key)]


# --------------------------------------------------------------------------- the library


def test_the_library_has_the_trades_and_test_companies(library):
    assert len(library.trades) >= 25
    assert len(library.test_companies) >= 20
    keys = {t.key for t in library.trades}
    for trade in ("child_care", "trucking_hauling", "snow_removal", "auto_repair", "bakery",
                  "food_service", "placer_mining", "guiding_outfitting", "retail",
                  "cleaning_janitorial", "office_professional", "general_contracting"):
        assert trade in keys


def _names(library):
    return [p.parent.name for p in library.test_companies]


@pytest.mark.parametrize("name", _names(api.load_library()))
def test_each_test_companys_manual_reads_as_its_own(library, name):
    """Built as text and read as its reviewer would: no other trade's words, no
    certificate the data does not give, and what its review.yaml asks for."""
    path = next(p for p in library.test_companies if p.parent.name == name)
    review = review_company(path, library)
    assert not review.problems, "\n".join(str(p) for p in review.problems)
    assert review.words > 3000


def test_another_trades_word_is_found(library):
    """The per-trade words catch a bakery's text in an auto shop's manual, unless the
    word is the company's own (its trades, its hazards, its own profile)."""
    bakery = library.trade("bakery")
    word = bakery.terms[0]
    text = f"Clean the {word} every day."
    assert foreign_words(text, "", ["auto_repair"], [], library) == {word.lower(): "bakery"}
    assert foreign_words(text, "", ["bakery"], [], library) == {}
    assert foreign_words(text, f"We also run a small {word}.", ["auto_repair"], [],
                         library) == {}


# --------------------------------------------------------------------------- facts


def test_a_trades_usual_hazards_are_in_unless_dismissed(library):
    trade = library.trade("child_care")
    data = profile(company__trades=["child_care"],
                   dismissed_hazards=[{"hazard": trade.hazards[0],
                                       "reason": "Only school-age children, no lifting."}])
    facts = facts_of(data, library)
    assert trade.hazards[0] not in facts.hazards
    assert set(trade.hazards[1:]) <= set(facts.hazards)
    assert [h for h, _ in facts.from_trades] == trade.hazards[1:]
    warnings = messages(data, library, ("hazards",))
    assert any(m.startswith(f"{trade.hazards[1]} (") and "is usual for" in m and
               "dismiss it under dismissed_hazards" in m for m in warnings), warnings
    # the inventory lists the trade's tasks for the hazards it has, not the dismissed one
    tasks = {t.id: t for t in library.trade_tasks(trade)}
    listed = {x.id for x in facts.inventory if x.source == "trade"}
    assert listed == {i for i, t in tasks.items() if t.hazard in facts.hazards}


def test_a_usual_task_the_company_does_not_do_leaves_the_inventory(library):
    data = profile(company__trades=["bar_pub"], hazards=["kitchen"])
    assert "fryer-oil-change" in {x.id for x in facts_of(data, library).inventory}
    data["dismissed_tasks"] = [{"task": "fryer-oil-change", "reason": "No deep fryer."}]
    assert "fryer-oil-change" not in {x.id for x in facts_of(data, library).inventory}
    data["dismissed_tasks"] = [{"task": "fryer-oil-chnage", "reason": "No deep fryer."}]
    (said,) = messages(data, library, ("dismissed_tasks", 0, "task"))
    assert said.startswith("no library task has the id 'fryer-oil-chnage' - did you mean "
                           "fryer-oil-change")


def test_a_young_worker_from_the_birth_date_on_the_issue_date(library):
    people = [{"name": "Sam Solo", "position": "Owner", "roles": ["owner"]},
              {"name": "Ava Lee", "position": "Helper", "roles": ["worker"],
               "birth_date": "2009-11-27"},
              {"name": "Ben Ng", "position": "Helper", "roles": ["worker"],
               "birth_date": "2008-11-26"},
              {"name": "Cy Roy", "position": "Helper", "roles": ["worker"],
               "young_worker": True}]
    facts = facts_of(profile(people=people), library)    # issued 2026-11-26
    assert [(y.person.name, y.age) for y in facts.young] == [("Ava Lee", 16), ("Cy Roy", None)]
    assert "young_workers" in facts.hazards
    from manualgen.inputs.pipeline import load_inputs
    from manualgen.manual.text import manual_text
    policies = manual_text(load_inputs(profile(people=people), library)).policies
    assert "Ava Lee" in policies["young-workers"] and "Ben Ng" not in policies["young-workers"]


def test_first_aid_certificates_are_judged_on_the_issue_date(library):
    fa = "Standard First Aid with CPR C and AED"
    people = [
        {"name": "Sam Solo", "position": "Owner", "roles": ["owner", "first_aid"],
         "training": [{"course": fa, "completed": "2025-01-10", "expires": "2028-01-10"}]},
        {"name": "Sarah Lindgren", "position": "Driver", "roles": ["worker", "first_aid"],
         "training": [{"course": fa, "completed": "2023-04-15", "expires": "2026-04-15"}]},
        {"name": "Shelley Kormendy", "position": "Driver", "roles": ["worker", "first_aid"]},
        {"name": "Old Cert", "position": "Driver", "roles": ["worker", "first_aid"],
         "training": [{"course": fa, "completed": "2022-06-01"}]},    # no expiry: 3 years
    ]
    data = profile(people=people, company__peak_employees=4)
    facts = facts_of(data, library)
    assert [f.person.name for f in facts.certified_first_aiders] == ["Sam Solo"]
    assert [(f.person.name, f.expired_on) for f in facts.first_aiders_to_certify] == [
        ("Sarah Lindgren", dt.date(2026, 4, 15)), ("Shelley Kormendy", None),
        ("Old Cert", dt.date(2025, 6, 1))]
    said = messages(data, library, ("people", 1, "training"))
    assert said == ["Sarah Lindgren's first aid certificate ran out on 2026-04-15, so the "
                    "manual cannot call them a certified attendant on its issue date "
                    "(2026-11-26); it says the course will be taken within 30 days - add the "
                    "course (with completed and expires dates) to their training, or take the "
                    "first_aid role off"]
    assert messages(data, library, ("people", 2, "training"))[0].startswith(
        "Shelley Kormendy has the first_aid role but no first aid course is recorded")
    from manualgen.inputs.pipeline import load_inputs
    from manualgen.manual.text import manual_text
    text = " ".join(manual_text(load_inputs(data, library)).all.split())
    for name in ("Sarah Lindgren", "Shelley Kormendy", "Old Cert"):
        assert not re.search(re.escape(name) + r"[^.]{0,60}\bholds? (?:a )?current", text)
    assert "to be confirmed with WSCB" in text
    assert not re.search(r"Part 18 (?:\([^)]*\) )?(?:asks for|requires)", text)


def test_a_site_without_a_road_gets_a_medevac_plan(library):
    data = profile(worksites=[{"name": "Old Crow job sites", "kind": "mobile",
                               "access": ["air"], "travel_minutes": 10,
                               "facility": "old-crow-health-centre"}],
                   company__trades=["general_contracting"])
    from manualgen.inputs.pipeline import load_inputs
    from manualgen.manual.text import manual_text
    inputs = load_inputs(data, library)
    assert inputs.context["no_road_sites"] and not inputs.context["road_sites"]
    text = " ".join(manual_text(inputs).all.split()).lower()
    assert "medevac" in text
    for road in ("at the road", "511 yukon", "to the facility in a company vehicle",
                 "meet the ambulance part-way", "highway"):
        assert road not in text, road


# --------------------------------------------------------------------------- the profile


@pytest.mark.parametrize("changes, key, expected", [
    ({"company__trades": ["bakey"]}, ("company", "trades", 0),
     "unknown trade 'bakey' - did you mean bakery?"),
    ({"company__trades": ["other"]}, ("company", "trades"),
     "other is named without saying which trade - write it in a few words under "
     "company.trade_other"),
    ({"worksites": [{"name": "Camp", "facility": "old-crow-hospital"}]},
     ("worksites", 0, "facility"), "unknown medical facility 'old-crow-hospital' - did you "
                                   "mean old-crow-health-centre"),
    ({"hazards": ["vehicles"], "dismissed_hazards": [{"hazard": "vehicles", "reason": "x"}]},
     ("dismissed_hazards", 0, "hazard"), "'vehicles' is both listed under hazards and "
                                         "dismissed - keep it in one of the two lists"),
    ({"worksites": [{"name": "Camp", "access": ["boat"]}]}, ("worksites", 0, "access", 0),
     "'boat' is not allowed - use one of 'road', 'air', 'water' or 'winter_road'"),
])
def test_bad_trade_data_is_named_with_its_fix(library, changes, key, expected):
    said = messages(profile(**changes), library, key)
    assert any(m.startswith(expected) for m in said), said


def test_a_profile_without_a_trade_is_told_which_fit(library):
    said = messages(profile(), library, ("company", "industry"))
    assert said and "no trade is named" in said[0] and "snow_removal" in said[0], said


def test_a_facility_without_a_known_number_is_reported(library):
    missing = [f for f in library.facilities if not f.phone]
    if not missing:
        pytest.skip("every facility has its number")
    data = profile(worksites=[{"name": "Camp", "facility": missing[0].key}])
    (said,) = messages(data, library, ("worksites", 0, "facility"))
    assert said.startswith(f"no phone number is known for {missing[0].name}")


# --------------------------------------------------------------------------- library check


@pytest.fixture()
def library_copy(tmp_path):
    """A copy of the bundled library (with its forms) to break on purpose."""
    import shutil

    from manualgen import resources

    paths = resources.library_paths()
    home = tmp_path / "lib"
    shutil.copytree(paths.policies, home / "policy_library")
    shutil.copytree(paths.forms, home / "form_templates")
    shutil.copytree(paths.packages, home / "packages")
    return home


def _findings(home) -> list[str]:
    report = api.library.check(home, on=dt.date(2026, 12, 7))
    return [f"{p.path.split('/')[-1]}:{p.line}: {p.message}" for p in report.problems]


def test_library_check_refuses_a_high_task_without_a_procedure(library_copy):
    path = library_copy / "policy_library" / "trades" / "bakery.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    procedure: dough-sheeter\n" in text
    path.write_text(text.replace("    procedure: dough-sheeter\n", "", 1), encoding="utf-8")
    found = _findings(library_copy)
    assert any(f.startswith("bakery.yaml:") and "names no safe job procedure" in f
               for f in found), found


def test_library_check_names_a_procedure_a_policy_refers_to_that_is_missing(library_copy):
    path = library_copy / "policy_library" / "policies" / "young-workers.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("starting-a-young-worker-on-a-new-task]",
                                 "starting-a-young-worker]", 1), encoding="utf-8")
    found = _findings(library_copy)
    assert any(f.startswith("young-workers.md:") and
               "unknown safe job procedure 'starting-a-young-worker'" in f for f in found), found


def test_library_check_reads_a_test_company_for_another_trades_words(library_copy):
    """A kitchen word put in text every company gets is caught in the test companies'
    manuals that are not kitchens (the library is otherwise clean, so they are built)."""
    path = library_copy / "policy_library" / "policies" / "company-rules.md"
    text = path.read_text(encoding="utf-8")
    word = api.load_library().trade("bakery").terms[0]
    path.write_text(text.replace("## Scope\n", f"## Scope\n\nClean the {word} daily.\n", 1),
                    encoding="utf-8")
    found = _findings(library_copy)
    assert any("company.yaml" in f and "a word of the trade bakery" in f for f in found), \
        found[:5]
