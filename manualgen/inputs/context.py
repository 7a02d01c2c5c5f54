"""The variables policies and forms may use: built from a profile in this one place.

The library check compares templates against these names, so what is listed here is
exactly what NSNY staff can write between `{{ }}`.
"""

from __future__ import annotations

from typing import Any, TypedDict, get_args

from manualgen.inputs.facts import CompanyFacts, FirstAider
from manualgen.inputs.library.load import Library
from manualgen.inputs.profile import ConsultationTopic, Person, Profile, Worksite
from manualgen.inputs.program import supervisors


def _person(p: Person) -> dict[str, Any]:
    return {
        "name": p.name,
        "position": p.position,
        "roles": list(p.roles),
        "employment": p.employment,
        "training": [t.model_dump() for t in p.training],
    }


def _site(site: Worksite, library: Library) -> dict[str, Any]:
    out = site.model_dump()
    out["access"] = list(site.access)
    out["road"] = site.road
    facility = library.facility(site.facility) if site.facility else None
    out["facility"] = None if facility is None else {
        "name": facility.name, "phone": facility.phone, "community": facility.community,
        "kind": facility.kind, "address": facility.address}
    return out


def _first_aider(f: FirstAider) -> dict[str, Any]:
    return {**_person(f.person), "course": f.course, "valid_until": f.valid_until,
            "expired_on": f.expired_on}


Record = dict[str, Any]       # one person, site, unit...: its fields, as policies name them


class TemplateContext(TypedDict):
    """The variables a policy, procedure or form template sees, by name and type. Jinja
    takes a mapping, so this is one; the jobs read the typed profile and facts instead, and
    only the templates read this (`library check` holds them to these names)."""

    company: Record
    owner: Record
    people: list[Record]
    supervisors: list[Record]
    first_aiders: list[Record]
    safety_reps: list[Record]
    worksites: list[Record]
    fixed_sites: list[Record]
    mobile_sites: list[Record]
    road_sites: list[Record]
    no_road_sites: list[Record]
    hazards: list[str]
    hazard_labels: list[str]
    dismissed: list[Record]
    trades: list[str]
    trade_labels: list[str]
    scenarios: list[str]
    parts: list[int]
    young_workers: list[Record]
    certified_first_aiders: list[Record]
    first_aiders_to_certify: list[Record]
    listed_people: int
    seasonal_people: int
    consultations: dict[str, Record | None]
    procedures: list[Record]
    vehicles: bool
    equipment: list[Record]
    emergency: Record
    secor: Record | None
    manual: Record
    needs_safety_rep: bool
    rules: Record
    library: Record


def build_context(profile: Profile, library: Library, facts: CompanyFacts) -> TemplateContext:
    rules = library.rules
    company = profile.company.model_dump()
    company["name"] = profile.company.name
    sites = [_site(w, library) for w in profile.worksites]
    hazards = list(facts.hazards)
    return TemplateContext({
        "company": company,
        "owner": _person(profile.owner),
        "people": [_person(p) for p in profile.people],
        "supervisors": [_person(p) for p in supervisors(profile, rules)],
        "first_aiders": [_person(p) for p in profile.with_role("first_aid")],
        "safety_reps": [_person(p) for p in profile.with_role("safety_rep")],
        "worksites": sites,
        "fixed_sites": [w for w in sites if w["kind"] == "fixed"],
        "mobile_sites": [w for w in sites if w["kind"] == "mobile"],
        "road_sites": [w for w in sites if w["road"]],
        "no_road_sites": [w for w in sites if not w["road"]],
        "hazards": hazards,
        "hazard_labels": [library.hazard_label(h) for h in hazards],
        "dismissed": [{"hazard": h, "label": library.hazard_label(h), "reason": why}
                      for h, why in facts.dismissed],
        "trades": list(facts.trades),
        "trade_labels": [t.label if (t := library.trade(k)) else
                         (profile.company.trade_other or k) for k in facts.trades],
        "scenarios": list(facts.scenarios),
        "parts": list(facts.parts),
        "young_workers": [{**_person(y.person), "age": y.age} for y in facts.young],
        "certified_first_aiders": [_first_aider(f) for f in facts.certified_first_aiders],
        "first_aiders_to_certify": [_first_aider(f) for f in facts.first_aiders_to_certify],
        "listed_people": len(profile.people),
        "seasonal_people": sum(p.employment == "seasonal" for p in profile.people),
        # Every topic is present (None when no consultation is recorded), so a policy can
        # ask `{% if consultations.violence_harassment %}`.
        "consultations": {topic: None for topic in get_args(ConsultationTopic)} | {
            c.about: {"date": c.date, "with": c.with_} for c in profile.manual.consultations},
        # The safe job procedures of the company's inventory, each {title, text}: filled
        # when the policies are rendered (manual.build.render_policies).
        "procedures": [],
        "vehicles": bool({"vehicles", "commercial_trucking", "snow_plowing"} & set(hazards)),
        "equipment": [e.model_dump() for e in profile.equipment],
        "emergency": profile.emergency.model_dump(),
        "secor": profile.secor.model_dump() if profile.secor else None,
        "manual": profile.manual.model_dump(),
        "needs_safety_rep": rules.needs_safety_rep(profile.company.peak_employees),
        "rules": {
            "employee_limit": rules.employee_limit,
            "supervisor_lse_percent": round(rules.supervisor_lse_ratio * 100),
            "safety_rep_min_workers": rules.safety_rep_min_workers,
            "joint_committee_min_workers": rules.joint_committee_min_workers,
            "wscb_report_working_days": rules.wscb_report_working_days,
            "wscb_phone": rules.wscb_phone,
            "wscb_serious_incident_phone": rules.wscb_serious_incident_phone,
            "lone_worker_check_in_hours": rules.lone_worker_check_in_hours,
            "reminder_days": list(rules.reminder_days),
        },
        "library": {"name": library.info.name, "version": library.info.version},
    })
