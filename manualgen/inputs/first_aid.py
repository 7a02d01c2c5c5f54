"""First aid under Part 18, worked out for a company: the library's `first_aid.yaml` as a
typed model, and the pure function that applies it to a profile.

Part 18 sets the attendants, their certificate level and the kit from three things: the
workers per shift, the hazard rating of the work and the travel time to medical aid. The
table itself is NSNY's data (every row marked by its source); this module only looks a
company up in it, site by site, and says whether its people meet the result. The manual,
`check` and `status` all ask `first_aid_plan`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field, model_validator

from manualgen.inputs.models import Strict, Text

Mark = Literal["yukon", "elsewhere", "assumed"]


class HazardRating(Strict):
    key: str
    label: Text
    description: Text
    mark: Mark
    source: str | None = None
    hazards: list[str] = []


class TravelBand(Strict):
    key: str
    label: Text
    max_minutes: int | None = Field(None, ge=0)
    mark: Mark
    source: str | None = None


class CertificateLevel(Strict):
    key: str
    label: Text
    csa: Text
    also_called: list[Text] = []
    mark: Mark


class KitType(Strict):
    key: str
    label: Text
    csa: Text
    yukon: Text
    mark: Mark
    source: str | None = None
    for_: Text | None = Field(None, alias="for")


class Attendants(Strict):
    count: int = Field(ge=0)
    level: str | None = None


class Requirement(Strict):
    hazard_rating: str
    travel_band: str
    min_workers: int = Field(ge=1)
    max_workers: int = Field(ge=1)
    attendants: Attendants
    kit: str
    extra: list[str] = []
    mark: Mark


class AlwaysRule(Strict):
    text: Text
    mark: Mark
    source: str | None = None


class FirstAidRules(Strict):
    """`policy_library/first_aid.yaml`."""

    version: int
    status: Literal["draft", "confirmed"]
    method: dict[str, Text]
    hazard_ratings: list[HazardRating] = Field(min_length=1)
    travel_bands: list[TravelBand] = Field(min_length=1)
    certificate_levels: list[CertificateLevel] = Field(min_length=1)
    kit_types: list[KitType] = Field(min_length=1)
    equipment: dict[str, Text] = {}
    requirements: list[Requirement] = Field(min_length=1)
    always: list[AlwaysRule] = []

    @model_validator(mode="after")
    def _names_exist(self) -> FirstAidRules:
        ratings = {r.key for r in self.hazard_ratings}
        bands = {b.key for b in self.travel_bands}
        levels = {c.key for c in self.certificate_levels}
        kits = {k.key for k in self.kit_types}
        for n, row in enumerate(self.requirements, 1):
            for value, known, what in ((row.hazard_rating, ratings, "hazard rating"),
                                       (row.travel_band, bands, "travel band"),
                                       (row.kit, kits, "kit")):
                if value not in known:
                    raise ValueError(f"requirement {n}: unknown {what} {value!r} - use one of "
                                     + ", ".join(sorted(known)))
            if row.attendants.level is not None and row.attendants.level not in levels:
                raise ValueError(f"requirement {n}: unknown certificate level "
                                 f"{row.attendants.level!r} - use one of "
                                 + ", ".join(sorted(levels)))
            for item in row.extra:
                if item not in self.equipment:
                    raise ValueError(f"requirement {n}: unknown equipment {item!r} - add it "
                                     "under equipment:")
        return self

    def rating(self, key: str) -> HazardRating:
        return next(r for r in self.hazard_ratings if r.key == key)

    def level(self, key: str) -> CertificateLevel:
        return next(c for c in self.certificate_levels if c.key == key)

    def kit(self, key: str) -> KitType:
        return next(k for k in self.kit_types if k.key == key)


# --------------------------------------------------------------------------- applying it


@dataclass(frozen=True)
class SiteFirstAid:
    """What Part 18 asks of one worksite, and whether the company's people meet it."""

    site: str
    workers: int
    workers_given: bool                  # the site's own figure, not the company's peak
    rating: HazardRating
    rated_by: tuple[str, ...]            # the company's hazards that set the rating
    travel_minutes: int | None
    band: TravelBand | None              # None: the travel time is not recorded
    requirement: Requirement | None
    level: CertificateLevel | None       # the attendants' minimum certificate
    kit: KitType | None
    extra: tuple[str, ...] = ()          # equipment, in words
    qualified: tuple[str, ...] = ()      # first aid attendants whose certificate meets it
    attendants: tuple[str, ...] = ()     # everyone with the first_aid role

    @property
    def needed(self) -> int:
        return self.requirement.attendants.count if self.requirement else 0

    @property
    def met(self) -> bool | None:
        """None when it cannot be judged (travel time missing, or above the table)."""
        if self.requirement is None:
            return None
        return len(self.qualified) >= self.needed

    def summary(self) -> str:
        """'7 workers per shift, high hazard, 90 minutes to medical aid: 1 attendant with
        intermediate first aid, an intermediate kit, a stretcher...'"""
        workers = f"{self.workers} worker{'s' if self.workers != 1 else ''} per shift"
        if self.band is None:
            return (f"{workers}, {self.rating.label.lower()}; the travel time to medical aid "
                    "is not recorded, so the need cannot be worked out yet")
        head = f"{workers}, {self.rating.label.lower()}, {self.travel_minutes} minutes to " \
               f"medical aid"
        if self.requirement is None:
            return f"{head}: more workers than the table covers; apply Part 18 directly"
        if self.needed == 0:
            need = "no attendant (a worker alone carries a personal kit)"
        else:
            need = (f"{self.needed} attendant{'s' if self.needed != 1 else ''} with "
                    + (first_lower(self.level.label) if self.level else "first aid"))
        parts = [need]
        if self.kit:
            parts.append(f"{_article(self.kit.label)} {first_lower(self.kit.label)} "
                         f"({self.kit.csa})")
        parts += [first_lower(e) for e in self.extra]
        return f"{head}: " + "; ".join(parts)


def first_lower(text: str) -> str:
    """'At least 2 blankets' -> 'at least 2 blankets'; 'CPR' stays as it is."""
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def _article(text: str) -> str:
    return "an" if text[:1].lower() in "aeiou" else "a"


@dataclass(frozen=True)
class FirstAidPlan:
    sites: tuple[SiteFirstAid, ...]
    draft: bool                          # the table is not yet confirmed against Part 18
    always: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unmet(self) -> list[SiteFirstAid]:
        return [s for s in self.sites if s.met is False]

    @property
    def unknown(self) -> list[SiteFirstAid]:
        return [s for s in self.sites if s.band is None]

    @property
    def sourced(self) -> bool:
        """Every row used is marked as stated by a Yukon source: only then may the manual
        call the result what Part 18 requires."""
        rows = [s.requirement for s in self.sites if s.requirement is not None]
        return not self.draft and bool(rows) and all(r.mark == "yukon" for r in rows)


def company_rating(hazards: list[str], rules: FirstAidRules) -> tuple[HazardRating, tuple]:
    """The highest rating of any of the company's hazards (the lowest when it has none)."""
    order = rules.hazard_ratings                      # lowest first
    best, by = order[0], ()
    for rating in order:
        hits = tuple(h for h in hazards if h in rating.hazards)
        if hits:
            best, by = rating, hits
    return best, by


def travel_band(minutes: int, rules: FirstAidRules) -> TravelBand:
    for band in rules.travel_bands:
        if band.max_minutes is None or minutes <= band.max_minutes:
            return band
    return rules.travel_bands[-1]


def certificate_level(course: str, rules: FirstAidRules) -> CertificateLevel | None:
    """The level a course name stands for (its also_called names, case-insensitive)."""
    name = " ".join(course.lower().split())
    found = None
    for level in rules.certificate_levels:                 # lowest first: keep the highest
        if any(alias.lower() in name for alias in level.also_called):
            found = level
    return found


def holds_level(person, level: CertificateLevel, rules: FirstAidRules, on: dt.date) -> bool:
    rank = [c.key for c in rules.certificate_levels]
    for t in person.training:
        held = certificate_level(t.course, rules)
        if held is None or rank.index(held.key) < rank.index(level.key):
            continue
        if t.completed <= on and (t.expires is None or t.expires >= on):
            return True
    return False


def first_aid_plan(profile, rules: FirstAidRules, on: dt.date,
                   hazards: tuple[str, ...] | list[str] | None = None) -> FirstAidPlan:
    """Part 18 looked up for every worksite of the profile on the day `on`; `hazards`: the
    company's hazards with those its trades bring in (default: the profile's list)."""
    rating, by = company_rating(list(profile.hazards if hazards is None else hazards), rules)
    attendants = profile.with_role("first_aid")
    sites = []
    for site in profile.worksites:
        workers = site.workers_per_shift or profile.company.peak_employees
        minutes = site.travel_minutes
        band = travel_band(minutes, rules) if minutes is not None else None
        row = None
        if band is not None:
            row = next((r for r in rules.requirements if r.hazard_rating == rating.key and
                        r.travel_band == band.key and r.min_workers <= workers <= r.max_workers),
                       None)
        level = rules.level(row.attendants.level) if row and row.attendants.level else None
        qualified = tuple(p.name for p in attendants
                          if level is None or holds_level(p, level, rules, on))
        sites.append(SiteFirstAid(
            site.name, workers, site.workers_per_shift is not None, rating, by, minutes, band,
            row, level, rules.kit(row.kit) if row else None,
            tuple(rules.equipment[e] for e in row.extra) if row else (),
            qualified if row and row.attendants.count else (),
            tuple(p.name for p in attendants)))
    return FirstAidPlan(tuple(sites), rules.status != "confirmed",
                        tuple(a.text for a in rules.always))
