"""First aid under Part 18, worked out for each company from first_aid.yaml (issue 12, 2)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from click.testing import CliRunner

from manualgen import api
from manualgen.cli import main
from manualgen.inputs.first_aid import certificate_level, first_aid_plan

from conftest import EXAMPLE, MINIMAL_PROFILE

ON = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def library():
    return api.load_library()


def cleaners(**site) -> dict:
    data = copy.deepcopy(MINIMAL_PROFILE)
    data["company"].update(legal_name="Spotless Office Cleaning Ltd.", peak_employees=3,
                           industry="Office cleaning")
    data["people"] = [
        {"name": "Ana Ruiz", "position": "Owner", "roles": ["owner", "supervisor"]},
        {"name": "Ben Ko", "position": "Cleaner", "roles": ["worker"]},
        {"name": "Cy Dee", "position": "Cleaner", "roles": ["worker"]}]
    data["worksites"] = [{"name": "Client offices, Whitehorse", "kind": "mobile", **site}]
    data["hazards"] = ["slips_trips_falls", "cleaning_chemicals"]
    return data


def test_example_company_needs_a_standard_first_aid_attendant_and_has_one(library):
    profile = api.load_profile(EXAMPLE, library).profile
    plan = first_aid_plan(profile, library.first_aid, ON)
    shop, sites = plan.sites
    assert shop.rating.key == "high" and "working_at_heights" in shop.rated_by
    assert (shop.band.key, sites.band.key) == ("near", "distant")
    assert shop.level.key == sites.level.key == "intermediate" and shop.needed == 1
    assert shop.qualified == ("Daniel Tāgé Smith",) and shop.met and sites.met
    assert any("stretcher" in e for e in sites.extra)
    assert sites.summary().startswith("7 workers per shift, high hazard, 90 minutes to medical "
                                      "aid: 1 attendant with intermediate (standard) first aid")


def test_a_company_whose_people_do_not_meet_it_is_flagged_by_check_and_status(
        library, tmp_path):
    path = tmp_path / "company.yaml"
    path.write_text(yaml.safe_dump(cleaners(travel_minutes=15)), encoding="utf-8")
    plan = first_aid_plan(api.load_profile(path, library).profile, library.first_aid, ON)
    (site,) = plan.sites
    assert (site.rating.key, site.band.key, site.needed, site.level.key) == \
        ("low", "near", 1, "basic")
    assert site.met is False
    checked = CliRunner().invoke(main, ["check", str(path)])
    assert checked.exit_code == 0, checked.output          # a warning, not bad input
    assert "first aid: 3 workers per shift, low hazard, 15 minutes to medical aid" in \
        checked.output and "qualified now: nobody" in checked.output
    status = CliRunner().invoke(main, ["status", str(path), "--on", "2026-11-26"])
    assert status.exit_code == 1
    assert "first aid at Client offices, Whitehorse:" in status.output


def test_a_site_without_its_travel_time_is_asked_for(library):
    check = api.check_profile(cleaners(), library)
    assert check.ok
    (warning,) = [p for p in check.problems if p.key == ("worksites", 0, "travel_minutes")]
    assert warning.severity == "warning" and "travel time to medical aid" in warning.message
    assert warning.field == "worksite 1 (Client offices, Whitehorse), travel_minutes"


def test_a_placer_mine_far_from_dawson_needs_an_advanced_attendant(library):
    data = cleaners(travel_minutes=150, workers_per_shift=9)
    data["company"].update(peak_employees=9, industry="Placer gold mining")
    data["hazards"] = ["mining", "heavy_equipment", "camps"]
    data["people"][1].update(roles=["worker", "first_aid"], training=[
        {"course": "Wilderness First Responder", "completed": "2025-04-01",
         "expires": "2028-04-01"}])
    profile = api.load_profile(data, library).profile
    (site,) = first_aid_plan(profile, library.first_aid, ON).sites
    assert (site.rating.key, site.band.key, site.level.key) == ("high", "remote", "advanced")
    assert site.qualified == ("Ben Ko",) and site.met


@pytest.mark.parametrize(("course", "level"), [
    ("Standard First Aid", "intermediate"), ("standard first aid CPR-C", "intermediate"),
    ("First Aid Level 1", "basic"), ("Emergency First Aid", "basic"),
    ("Wilderness First Responder", "advanced"), ("WHMIS", None)])
def test_a_course_name_maps_to_its_certificate_level(library, course, level):
    found = certificate_level(course, library.first_aid)
    assert (found.key if found else None) == level


def test_an_expired_certificate_does_not_count(library):
    data = cleaners(travel_minutes=10)
    data["people"][1].update(roles=["worker", "first_aid"], training=[
        {"course": "Emergency First Aid", "completed": "2021-01-01", "expires": "2024-01-01"}])
    profile = api.load_profile(data, library).profile
    (site,) = first_aid_plan(profile, library.first_aid, ON).sites
    assert site.attendants == ("Ben Ko",) and site.qualified == () and site.met is False


def test_every_company_case_is_in_the_table_exactly_once(library):
    rules = library.first_aid
    for rating in rules.hazard_ratings:
        for band in rules.travel_bands:
            for workers in range(1, 101):
                rows = [r for r in rules.requirements if r.hazard_rating == rating.key and
                        r.travel_band == band.key and r.min_workers <= workers <= r.max_workers]
                assert len(rows) == 1, (rating.key, band.key, workers)
