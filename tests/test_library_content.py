"""The library's text follows the company: what a company's hazards need is in its
manual, and what belongs to hazards it lacks is not (issue 12).

Each test company is a profile dict; `render` turns it into the text of its policies.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE

# --------------------------------------------------------------------------- the helper


def render(profile: dict, tmp_path: Path) -> dict[str, str]:
    """Policy id -> its text (legislation line and body) for one company profile.

    The only place that knows how the package renders policies: when the package is
    restructured, only this function changes.
    """
    from manualgen.inputs.pipeline import load_inputs
    from manualgen.manual.build import render_policies

    path = tmp_path / "company.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    inputs = load_inputs(path)
    out = {}
    for r in render_policies(inputs):
        header = r.policy.header
        laws = header.legislation_for(inputs.profile.profile.hazards)
        out[header.id] = "Legislation: " + "; ".join(laws) + "\n" + r.markdown
    return out


LIBRARY = Path(__file__).resolve().parents[1] / "policy_library"


def library_hazard_keys() -> list[str]:
    data = yaml.safe_load((LIBRARY / "hazards.yaml").read_text(encoding="utf-8"))
    return [h["key"] for h in data]


def policy_headers() -> list[dict]:
    """The YAML headers of the library's policies, read from the files themselves."""
    headers = []
    for path in sorted((LIBRARY / "policies").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        headers.append(yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---")))
    return headers


def always_ids() -> set[str]:
    return {h["id"] for h in policy_headers() if h["applies"] == "always"}


# --------------------------------------------------------------------------- companies


def _person(name, position, roles, employment="full_time", training=()):
    return {"name": name, "position": position, "roles": list(roles),
            "employment": employment, "training": list(training)}


def _company(legal_name, address, industry, scope, peak, hazards, people, worksites,
             emergency, equipment=(), subcontractors=False):
    return {
        "company": {
            "legal_name": legal_name, "address": address, "phone": "867-555-0199",
            "wscb_account": "2345678", "industry": industry, "scope_of_work": scope,
            "peak_employees": peak, "uses_subcontractors": subcontractors,
        },
        "people": people,
        "worksites": worksites,
        "hazards": list(hazards),
        "equipment": list(equipment),
        "emergency": emergency,
        "manual": {"revision": 1, "issued": "2026-12-01", "approved_by": people[0]["name"]},
    }


FIRST_AID = {"course": "Standard First Aid with CPR C and AED", "completed": "2025-04-01",
             "expires": "2028-04-01"}

CLEANER = _company(
    "Northern Shine Cleaning Ltd.", "204 Main Street, Whitehorse, YT Y1A 2B4",
    "Commercial office cleaning",
    "Evening and weekend cleaning of offices, clinics and retail stores in Whitehorse.", 3,
    ["slips_trips_falls", "cleaning_chemicals", "sharps_bloodborne", "ergonomics",
     "after_hours_work", "working_alone", "hazardous_products"],
    [_person("Amara Okafor", "Owner", ["owner", "supervisor"], training=[FIRST_AID]),
     _person("Lee Chen", "Cleaner", ["worker", "first_aid"], "part_time", [FIRST_AID]),
     _person("Sofia Reyes", "Cleaner", ["worker"], "part_time")],
    [{"name": "Office and supply room", "address": "204 Main Street, Whitehorse",
      "kind": "fixed"},
     {"name": "Client buildings in Whitehorse", "kind": "mobile"}],
    {"nearest_medical": "Whitehorse General Hospital, 5 Hospital Road, 867-393-8700",
     "emergency_number": "911", "muster_point": "Sidewalk in front of each building"},
    equipment=[{"id": "FS-01", "description": "Walk-behind floor scrubber",
                "interval": "3 months"}],
)

PLACER_MINE = _company(
    "Bonanza Bench Placer Ltd.", "Box 412, Dawson City, YT Y0B 1G0", "Placer gold mining",
    "Seasonal placer gold mining on claims on Hunker Creek, 90 km from Dawson City by "
    "road, with a wash plant, settling ponds and a 12-person camp.", 9,
    ["mining", "heavy_equipment", "excavations", "water_drowning", "noise", "camps",
     "bulk_fuel", "fatigue", "vehicles", "wildlife", "remote_travel", "working_alone",
     "hazardous_products", "lockout", "heat_smoke"],
    [_person("Gord Halvorsen", "Owner and Mine Manager", ["owner", "supervisor"],
             training=[FIRST_AID]),
     _person("Renee Halvorsen", "Camp Manager and Bookkeeper", ["senior_manager"]),
     _person("Marc Tremblay", "Pit Foreman", ["supervisor", "first_aid"],
             training=[FIRST_AID]),
     _person("Kai Jim", "Equipment Operator", ["worker", "safety_rep"]),
     _person("Beth Sullivan", "Equipment Operator", ["worker"], "seasonal"),
     _person("Tom Ng", "Wash Plant Operator", ["worker"], "seasonal"),
     _person("Ana Costa", "Camp Cook", ["worker"], "seasonal"),
     _person("Jon Pike", "Labourer", ["worker"], "seasonal"),
     _person("Sam Reid", "Labourer", ["worker"], "seasonal")],
    [{"name": "Hunker Creek claims and camp", "address": "Km 40 Hunker Creek Road",
      "kind": "fixed"}],
    {"nearest_medical": "Dawson City Community Hospital, 501 Sixth Avenue (about 90 "
     "minutes by road)", "emergency_number": "911",
     "muster_point": "Cook shack at the camp",
     "remote_communication": "Satellite phone in the cook shack and in each pickup; "
     "radio check with the pit every 2 hours"},
    equipment=[{"id": "EX-01", "description": "Caterpillar 336 excavator",
                "interval": "250 hours"},
               {"id": "LD-01", "description": "Komatsu WA380 loader",
                "interval": "250 hours"},
               {"id": "WP-01", "description": "Trommel wash plant", "interval": "1 month"}],
)

ELECTRICIAN = _company(
    "Midnight Sun Electric Inc.", "17 Industrial Road, Whitehorse, YT Y1A 2V3",
    "Electrical contracting",
    "Residential and light commercial wiring, service upgrades and troubleshooting in "
    "Whitehorse and nearby communities.", 4,
    ["electrical", "lockout", "ladders", "power_tools", "vehicles", "working_alone",
     "confined_spaces", "cold_weather"],
    [_person("Dana Morgan", "Owner and Master Electrician", ["owner", "supervisor"]),
     _person("Eli Fraser", "Journeyperson Electrician", ["supervisor", "first_aid"],
             training=[FIRST_AID]),
     _person("Rita Sam", "Apprentice Electrician", ["worker"]),
     _person("Noah Bell", "Apprentice Electrician", ["worker"])],
    [{"name": "Shop", "address": "17 Industrial Road, Whitehorse", "kind": "fixed"},
     {"name": "Client job sites", "kind": "mobile"}],
    {"nearest_medical": "Whitehorse General Hospital, 5 Hospital Road",
     "emergency_number": "911", "muster_point": "Front of the shop"},
    equipment=[{"id": "VAN-01", "description": "2021 Ford Transit service van",
                "interval": "6 months"}],
)

CAFE = _company(
    "Raven's Roost Cafe Ltd.", "902 Front Street, Dawson City, YT Y0B 1G0",
    "Cafe and bakery", "Breakfast and lunch service, baking and catering in Dawson City.",
    6, ["kitchen", "slips_trips_falls", "public_violence", "cash_handling", "ergonomics",
        "cleaning_chemicals", "hazardous_products"],
    [_person("Marie Dubois", "Owner and Head Baker", ["owner", "supervisor"]),
     _person("Ollie Park", "Cook", ["worker", "first_aid"], training=[FIRST_AID]),
     _person("Jess Lam", "Barista", ["worker", "safety_rep"], "part_time"),
     _person("Ty Roberts", "Server", ["worker"], "seasonal"),
     _person("Ivy Chu", "Dishwasher", ["worker"], "seasonal")],
    [{"name": "Cafe", "address": "902 Front Street, Dawson City", "kind": "fixed"}],
    {"nearest_medical": "Dawson City Community Hospital, 501 Sixth Avenue",
     "emergency_number": "911", "muster_point": "Boardwalk across Front Street"},
)

GUIDES = _company(
    "Tatshenshini Wild Guiding Ltd.", "Box 88, Haines Junction, YT Y0B 1L0",
    "Guiding and outfitting",
    "Guided river trips on the Tatshenshini and Alsek rivers and fly-in fishing and "
    "hunting trips from a base camp in the Kluane region.", 8,
    ["guiding_clients", "wildlife", "water_drowning", "remote_travel", "aircraft", "camps",
     "cold_weather", "working_alone", "vehicles", "firearms"],
    [_person("Wren Adams", "Owner and Head Guide", ["owner", "supervisor", "first_aid"],
             training=[FIRST_AID]),
     _person("Caleb Joe", "River Guide", ["supervisor", "first_aid"], "seasonal",
             [FIRST_AID]),
     _person("Mia Stone", "River Guide", ["worker", "safety_rep"], "seasonal"),
     _person("Finn Kerr", "Assistant Guide", ["worker"], "seasonal"),
     _person("Nina Frost", "Camp Cook", ["worker"], "seasonal")],
    [{"name": "Base and warehouse", "address": "Km 1635 Alaska Highway, Haines Junction",
      "kind": "fixed"},
     {"name": "River and backcountry trips", "kind": "mobile"}],
    {"nearest_medical": "Haines Junction Health Centre, 131 Lucania Street",
     "emergency_number": "911", "muster_point": "Warehouse loading door",
     "remote_communication": "Satellite phone and inReach messenger with every trip; "
     "evening check-in with the base at 20:00"},
    equipment=[{"id": "TRK-01", "description": "Crew truck", "interval": "3 months"},
               {"id": "RFT-01", "description": "Three 18 ft river rafts and frames",
                "interval": "before each trip"}],
    subcontractors=True,
)

NO_HAZARDS = _company(
    "Quiet Desk Bookkeeping", "3 Lewes Boulevard, Whitehorse, YT Y1A 3J4",
    "Bookkeeping", "Bookkeeping and payroll services from one office.", 2, [],
    [_person("Pat Kim", "Owner", ["owner"]), _person("Jo Lee", "Bookkeeper", ["worker"])],
    [{"name": "Office", "address": "3 Lewes Boulevard, Whitehorse", "kind": "fixed"}],
    {"nearest_medical": "Whitehorse General Hospital", "emergency_number": "911",
     "muster_point": "Parking lot"},
)


def roofer() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


COMPANIES = {
    "cleaner": CLEANER, "placer_mine": PLACER_MINE, "electrician": ELECTRICIAN,
    "cafe": CAFE, "guides": GUIDES, "no_hazards": NO_HAZARDS,
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict[str, str]]:
    out = {}
    every_hazard = {**roofer(), "hazards": library_hazard_keys(), "dismissed_hazards": []}
    for name, profile in {**COMPANIES, "roofer": roofer(), "every_hazard": every_hazard}.items():
        folder = tmp_path_factory.mktemp(name)
        if name in ("roofer", "every_hazard"):
            (folder / "logo.png").write_bytes((EXAMPLE.parent / "logo.png").read_bytes())
        out[name] = render(copy.deepcopy(profile), folder)
    return out


def text_of(policies: dict[str, str]) -> str:
    return "\n".join(policies.values())


def shared_text(policies: dict[str, str]) -> str:
    """The text of the policies every company gets (`applies: always`)."""
    ids = always_ids()
    return "\n".join(t for pid, t in policies.items() if pid in ids)


def words(text: str) -> str:
    return " ".join(text.split())


def assert_absent(text: str, terms) -> None:
    """None of the terms, as words (so "roof" does not match "proof"), in the text."""
    for term in terms:
        match = re.search(r"\b" + re.escape(term), text, flags=re.IGNORECASE)
        if match:
            around = words(text[max(0, match.start() - 80):match.end() + 80])
            raise AssertionError(f"{term!r}: ...{around}...")


# --------------------------------------------------------------------------- the rules

# Terms that belong to hazards: a term may appear in a company's shared policies only if
# the company has one of the keys listed with it.
def _hazard_terms() -> dict[str, set[str]]:
    """Each term of hazards.yaml (as a whole-word pattern) -> the hazard keys that list it:
    the same vocabulary `library check` holds shared policies to."""
    out: dict[str, set[str]] = {}
    for hazard in yaml.safe_load((LIBRARY / "hazards.yaml").read_text(encoding="utf-8")):
        for term in hazard.get("terms", []):
            out.setdefault(r"\b" + re.escape(term) + r"(?:s|es)?(?!\w)", set()).add(hazard["key"])
    return out


HAZARD_TERMS = _hazard_terms()


def test_test_companies_use_real_hazard_keys():
    keys = set(library_hazard_keys())
    for name, profile in COMPANIES.items():
        assert set(profile["hazards"]) <= keys, name
    assert len(keys) >= 25


@pytest.mark.parametrize("name", [*COMPANIES, "roofer"])
def test_shared_policies_name_no_hazard_the_company_lacks(rendered, name):
    hazards = set(roofer()["hazards"] if name == "roofer" else COMPANIES[name]["hazards"])
    text = shared_text(rendered[name])
    found = []
    for term, keys in HAZARD_TERMS.items():
        if not hazards & keys:
            for match in re.finditer(term, text, flags=re.IGNORECASE):
                start = max(0, match.start() - 60)
                found.append(f"{term!r}: ...{words(text[start:match.end() + 60])}...")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", [*COMPANIES, "roofer", "every_hazard"])
def test_no_template_text_or_placeholders(rendered, name):
    text = text_of(rendered[name])
    for bad in ("{{", "{%", "}}", "TODO", "lorem", "ipsum", "placeholder", "()", " ,",
                "..", "  hold first aid"):
        assert bad not in text, f"{bad!r} in {name}"
    # a list item run into the line before it (a condition ate the line break)
    joined = re.search(r"[a-z.;:)]- [A-Z*]|[a-z]\.[1-9]\. [A-Z]|[a-z.]## ", text)
    assert joined is None, words(text[max(0, joined.start() - 80):joined.end() + 40])


@pytest.mark.parametrize("name", [*COMPANIES, "roofer", "every_hazard"])
def test_every_policy_is_complete(rendered, name):
    for pid, text in rendered[name].items():
        sections = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
        assert sections == ["Purpose", "Scope", "Responsibilities", "Procedure", "Records"], pid
        for block in re.split(r"^## .+$", text, flags=re.MULTILINE)[1:]:
            assert block.strip(), f"an empty section in {pid} for {name}"


def test_every_hazard_key_switches_on_a_practice_or_procedure():
    headers = policy_headers()
    for key in library_hazard_keys():
        switched = [h for h in headers if isinstance(h["applies"], dict)
                    and key in h["applies"].get("hazards", [])]
        assert any(h["element"] in (3, 4) for h in switched), key


# --------------------------------------------------------------------------- companies


def test_cleaner(rendered):
    policies = rendered["cleaner"]
    text = text_of(policies)
    assert_absent(text, ("harness", "chainsaw", "torch", "Part 10", "roof", "trailer",
                         "hard hat", "fall arrest", "Part 15", "Part 9", "Part 3 (Lockout)",
                         "excavat"))
    for present in ("sharps-and-bloodborne-pathogens", "cleaning-chemicals",
                    "slips-trips-falls", "after-hours-work", "manual-handling-and-ergonomics"):
        assert present in policies
    assert "wet floor" in text.lower() and "never mix" in text.lower()
    assert "slip-resistant" in policies["personal-protective-equipment"]
    # three workers: no representative; the owner consults the workers directly
    assert "safety-representative" not in policies
    consult = words(policies["responsibilities"])
    assert "consult" in consult and "regularly employed" in consult
    assert "Part 19 (Violence and Harassment Prevention)" in policies["legislation"]
    # one first aid attendant: the singular verb
    assert "Lee Chen holds" in words(text)


def test_placer_mine(rendered):
    policies = rendered["placer_mine"]
    text = words(text_of(policies))
    legislation = words(policies["legislation"])
    assert "Part 15 (Surface and Underground Mines or Projects)" in legislation
    assert "Part 6 (Mobile Equipment)" in legislation
    assert "Part 3 (Lockout)" in legislation
    for pid in ("placer-mining-operations", "heavy-equipment", "excavations-and-trenching",
                "work-on-or-near-water", "work-camps", "bulk-fuel-handling",
                "fatigue-management", "noise-and-hearing-conservation"):
        assert pid in policies
    assert "heavy equipment" in text.lower() and "highwall" in text.lower()
    assert "safety-representative" in policies
    assert "Kai Jim" in policies["violence-harassment-prevention"]
    # nine workers, five of them seasonal: the count is of regular workers, not the peak
    assert "seasonal peak" in words(policies["responsibilities"])
    assert_absent(text, ("chainsaw", "fryer", "needle", "Part 9 (", "torch"))
    assert "Part 10 (" not in legislation   # its pits and highwalls are Part 15's


def test_electrician(rendered):
    policies = rendered["electrician"]
    text = words(text_of(policies))
    legislation = words(policies["legislation"])
    assert "Part 9 (Electrical Safety)" in legislation
    assert "Part 3 (Lockout)" in legislation
    assert "Part 2 (Confined Spaces)" in legislation
    assert "electrical-safety" in policies and "confined-spaces" in policies
    assert "de-energize" in text.lower()
    assert_absent(text, ("Part 15", "chainsaw", "fall arrest"))


def test_cafe(rendered):
    policies = rendered["cafe"]
    text = words(text_of(policies))
    assert_absent(text, ("fall arrest", "harness", "Part 10", "chainsaw", "trailer", "roof",
                         "hard hat", "Part 15", "Part 9 ("))
    assert "kitchen-safety" in policies and "public-contact-and-cash-handling" in policies
    assert "hot oil" in text.lower() and "robbery" in text.lower()
    assert "Part 7 (Machinery and Machinery Guarding)" in words(policies["legislation"])


def test_guides(rendered):
    policies = rendered["guides"]
    text = words(text_of(policies))
    for pid in ("backcountry-guiding", "work-on-or-near-water", "aircraft-and-helicopter-travel",
                "firearms-safety", "wildlife", "work-camps"):
        assert pid in policies
    assert "lifejacket" in text.lower() and "helicopter" in text.lower()
    assert_absent(text, ("Part 15", "Part 9 (", "fryer", "needle", "Part 10 ("))


def test_roofer(rendered):
    policies = rendered["roofer"]
    text = words(text_of(policies))
    legislation = words(policies["legislation"])
    assert "Part 10 (Construction and Building Safety)" in legislation
    assert "Part 4 (Hand Tools and Power Driven Portable Tools)" in legislation
    assert "harness" in words(policies["personal-protective-equipment"]).lower()
    assert "Part 3 (" not in legislation
    assert_absent(text, ("Part 15", "chainsaw"))


def test_company_without_hazards_reads_complete(rendered):
    policies = rendered["no_hazards"]
    legislation = words(policies["legislation"])
    assert "Part 1 (General)" in legislation and "Part 18 (Minimum First Aid Regulations)" \
        in legislation
    for part in ("Part 3 (", "Part 6 (", "Part 9 (", "Part 10 (", "Part 15 ("):
        assert part not in legislation


# --------------------------------------------------------------------------- Part 19


@pytest.mark.parametrize("name", [*COMPANIES, "roofer"])
def test_violence_and_harassment_meets_part_19(rendered, name):
    text = words(rendered[name]["violence-harassment-prevention"])
    assert "Part 19 (Violence and Harassment Prevention)" in text
    assert "Violence and Harassment Prevention Regulation" not in text
    assert "prohibited" in text
    assert "eliminat" in text and "not practicable" in text and "control" in text
    assert "19.01(2)" in text and "19.02" in text
    assert "at least every 3 years" in text
    profile = roofer() if name == "roofer" else COMPANIES[name]
    reps = [p["name"] for p in profile["people"] if "safety_rep" in p["roles"]]
    if reps:
        assert all(rep in text for rep in reps)
    else:
        assert "consulted the workers" in text or "consultation with the workers" in text


@pytest.mark.parametrize("name", [*COMPANIES, "roofer"])
def test_emergency_plan_covers_a_violent_person(rendered, name):
    text = words(rendered[name]["emergency-response"]).lower()
    assert "violent, threatening or suspicious person" in text


@pytest.mark.parametrize("name", [*COMPANIES, "roofer"])
def test_policy_statement_has_goals_and_signature_lines(rendered, name):
    text = words(rendered[name]["health-safety-policy-statement"])
    assert "Goals and objectives" in text
    assert "Signature:" in text and "Date:" in text


@pytest.mark.parametrize("name", [*COMPANIES, "roofer"])
def test_wscb_serious_incident_line_in_first_aid_and_emergency(rendered, name):
    for pid in ("first-aid", "emergency-response"):
        assert "serious incident" in words(rendered[name][pid]).lower(), pid


# --------------------------------------------------------------------------- first aid data


def test_first_aid_table_covers_every_case_once():
    """first_aid.yaml: every hazard key has one rating; one row per rating, band and size."""
    data = yaml.safe_load((LIBRARY / "first_aid.yaml").read_text(encoding="utf-8"))
    rated = [key for rating in data["hazard_ratings"] for key in rating["hazards"]]
    assert sorted(rated) == sorted(library_hazard_keys())
    ratings = [r["key"] for r in data["hazard_ratings"]]
    bands = [b["key"] for b in data["travel_bands"]]
    levels = {c["key"] for c in data["certificate_levels"]}
    kits = {k["key"] for k in data["kit_types"]}
    for rating in ratings:
        for band in bands:
            rows = [r for r in data["requirements"]
                    if r["hazard_rating"] == rating and r["travel_band"] == band]
            covered = [n for r in rows for n in range(r["min_workers"], r["max_workers"] + 1)]
            assert covered == list(range(1, 101)), (rating, band)
    for row in data["requirements"]:
        assert row["kit"] in kits
        assert set(row["extra"]) <= set(data["equipment"])
        assert row["attendants"]["count"] == 0 or row["attendants"]["level"] in levels
        assert row["mark"] in ("yukon", "elsewhere", "assumed")


@pytest.mark.parametrize("name", [*COMPANIES, "roofer", "every_hazard"])
def test_practices_referred_to_are_in_the_manual(rendered, name):
    """'our Lockout practice' only where the company's manual has the Lockout practice."""
    titles = [re.search(r"^title: (.+)$", (LIBRARY / "policies" / f"{pid}.md")
                        .read_text(encoding="utf-8"), flags=re.MULTILINE).group(1)
              for pid in rendered[name]]
    text = words(text_of(rendered[name]))
    for match in re.finditer(r"\bour ((?:[A-Z][\w-]*,? (?:and |of )?)+)practice", text):
        named = match.group(1).strip()
        assert any(t.startswith(named) for t in titles), f"{name}: our {named} practice"


def test_a_practice_cites_the_part_that_governs_the_company(tmp_path):
    """The excavations practice cites Part 15 for a mine and Part 10 for a builder."""
    from manualgen import api

    library = api.load_library()
    header = library.policy("excavations-and-trenching").header
    assert any("Part 15" in law for law in header.legislation_for(["excavations", "mining"]))
    assert not any("Part 10" in law for law in header.legislation_for(["excavations", "mining"]))
    assert any("Part 10" in law for law in header.legislation_for(["excavations"]))
