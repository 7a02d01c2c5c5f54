"""The shared first stage of every company job: load and validate once, then select.

Manual, forms and status all start from `Inputs`, so a profile is judged the same way
everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manualgen.errors import InputError
from manualgen.inputs.company_policies import CompanyPolicies, load_company_policies
from manualgen.inputs.context import TemplateContext, build_context
from manualgen.inputs.facts import CompanyFacts, company_facts
from manualgen.inputs.library.load import Library, load_library
from manualgen.inputs.library.model import Policy
from manualgen.inputs.library.select import select_policies
from manualgen.inputs.profile import CompanyProfile, Vocabulary, load_profile
from manualgen.inputs.revisions import RevisionRecords, load_records


@dataclass
class Inputs:
    library: Library
    profile: CompanyProfile
    policies: list[Policy]       # the policies that apply to this company, in manual order
    context: TemplateContext     # the variables the templates see (Jinja's mapping)
    # What follows from the company's data and trades on the issue date (its hazards,
    # first aiders, inventory...): the manual states nothing about the company beyond it.
    facts: CompanyFacts
    # The company's own policies and omissions (already applied to `policies`).
    own: CompanyPolicies = field(default_factory=CompanyPolicies)
    # The records of the manual's earlier revisions, kept in the company's folder.
    records: RevisionRecords = field(default_factory=RevisionRecords)

    @property
    def hazards(self) -> tuple[str, ...]:
        """The company's hazards as the manual treats them (ticked, from its trades, and
        derived): what selects policies, legislation and text."""
        return self.facts.hazards


def vocabulary(library: Library) -> Vocabulary:
    """What the library decides about a profile (the employee limit, the hazard keys...)."""
    return library.vocabulary()


def prepare(profile: CompanyProfile, library: Library, *,
            own: CompanyPolicies | None = None) -> Inputs:
    """A validated profile with the library: its applicable policies (with the company's
    own versions, additions and omissions from its folder) and template context."""
    own = own if own is not None else load_company_policies(profile, library)
    if own.errors:
        raise InputError(own.errors, title="The company's own policies have problems "
                                           "(run `manualgen check` for the full list):")
    facts = company_facts(profile.profile, vocabulary(library))
    policies = own.apply(select_policies(library.policies, profile.profile, library.rules,
                                         facts.hazards), profile, library)
    return Inputs(library, profile, policies, build_context(profile.profile, library, facts),
                  facts, own, load_records(profile.folder))


def load_inputs(source: Path | str | Mapping[str, Any] | CompanyProfile,
                library: Library | None = None, **profile_options: Any) -> Inputs:
    """Load (or take) a profile and prepare it against `library` (the bundled one if None)."""
    library = library or load_library()
    if not isinstance(source, CompanyProfile):
        source = load_profile(source, vocabulary(library), **profile_options)
    return prepare(source, library)
