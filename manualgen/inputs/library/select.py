"""Which policies apply to one company: the only place `applies` conditions are judged."""

from __future__ import annotations

from manualgen.inputs.library.model import Policy
from manualgen.inputs.profile import Profile
from manualgen.inputs.program import ProgramRules


def applies(policy: Policy, profile: Profile, rules: ProgramRules) -> bool:
    cond = policy.header.applies
    if cond == "always":
        return True
    if cond.hazards and not set(cond.hazards) & set(profile.hazards):
        return False
    if cond.min_employees is not None and profile.company.peak_employees < cond.min_employees:
        return False
    if (cond.safety_rep is not None
            and cond.safety_rep != rules.needs_safety_rep(profile.company.peak_employees)):
        return False
    return not (cond.subcontractors is not None
                and cond.subcontractors != profile.company.uses_subcontractors)


def select_policies(policies: list[Policy], profile: Profile,
                    rules: ProgramRules) -> list[Policy]:
    return [p for p in policies if applies(p, profile, rules)]
