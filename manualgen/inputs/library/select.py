"""Which policies apply to one company: the only place `applies` conditions are judged."""

from __future__ import annotations

from manualgen.inputs.library.model import Policy
from manualgen.inputs.profile import Profile
from manualgen.inputs.program import ProgramRules


def applies(policy: Policy, profile: Profile, rules: ProgramRules,
            hazards: tuple[str, ...] | list[str] | None = None) -> bool:
    """`hazards`: the company's hazards as the manual treats them (with those its trades
    bring in); the profile's own list when not given."""
    cond = policy.header.applies
    if cond == "always":
        return True
    have = set(profile.hazards if hazards is None else hazards)
    if cond.hazards and not set(cond.hazards) & have:
        return False
    if cond.min_employees is not None and profile.company.peak_employees < cond.min_employees:
        return False
    if (cond.safety_rep is not None
            and cond.safety_rep != rules.needs_safety_rep(profile.company.peak_employees)):
        return False
    return not (cond.subcontractors is not None
                and cond.subcontractors != profile.company.uses_subcontractors)


def select_policies(policies: list[Policy], profile: Profile, rules: ProgramRules,
                    hazards: tuple[str, ...] | list[str] | None = None) -> list[Policy]:
    return [p for p in policies if applies(p, profile, rules, hazards)]
