"""The variables policies and forms may use: built from a profile in this one place.

The library check compares templates against these names, so what is listed here is
exactly what NSNY staff can write between `{{ }}`.
"""

from __future__ import annotations

from typing import Any

from manualgen.inputs.library.load import Library
from manualgen.inputs.profile import Person, Profile
from manualgen.inputs.program import supervisors


def _person(p: Person) -> dict[str, Any]:
    return {
        "name": p.name,
        "position": p.position,
        "roles": list(p.roles),
        "employment": p.employment,
        "training": [t.model_dump() for t in p.training],
    }


def build_context(profile: Profile, library: Library) -> dict[str, Any]:
    rules = library.rules
    company = profile.company.model_dump()
    company["name"] = profile.company.name
    owners = profile.with_role("owner") or profile.with_role("senior_manager")
    return {
        "company": company,
        "owner": _person(owners[0]),
        "people": [_person(p) for p in profile.people],
        "supervisors": [_person(p) for p in supervisors(profile, rules)],
        "first_aiders": [_person(p) for p in profile.with_role("first_aid")],
        "safety_reps": [_person(p) for p in profile.with_role("safety_rep")],
        "worksites": [w.model_dump() for w in profile.worksites],
        "fixed_sites": [w.model_dump() for w in profile.worksites if w.kind == "fixed"],
        "mobile_sites": [w.model_dump() for w in profile.worksites if w.kind == "mobile"],
        "hazards": list(profile.hazards),
        "hazard_labels": [library.hazard_label(h) for h in profile.hazards],
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
    }
