"""What follows from a company's data and its trades, on the manual's issue date.

The manual may state only what the profile or sourced library data supports. Everything
it says about the company that is not a field as written is worked out here, once, by pure
functions of the profile and the library's `Vocabulary`: the hazards its trades bring in
(less those it dismissed), its young workers, whose first aid certificate is valid on the
issue date, its emergency scenarios and governing Parts, and its hazard inventory with the
safe job procedure of every High or Critical task. The manual, `check`, the forms and the
web app all read the same `CompanyFacts`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from manualgen.inputs.profile import Person, Profile, Vocabulary

YOUNG_WORKERS = "young_workers"      # the hazard key a person under the age switches on


@dataclass(frozen=True)
class YoungWorker:
    person: Person
    age: int | None                  # None: flagged young without a birth date


@dataclass(frozen=True)
class FirstAider:
    """A person with the first_aid role, and their certificate on the issue date."""

    person: Person
    course: str | None               # the valid certificate, or the latest one held
    valid_until: dt.date | None      # when that certificate runs (or ran) out
    certified: bool                  # it is valid on the issue date

    @property
    def expired_on(self) -> dt.date | None:
        """When the latest certificate ran out (None: valid, or never held one)."""
        return None if self.certified else self.valid_until


@dataclass(frozen=True)
class InventoryLine:
    """A row of the company's hazard inventory."""

    task: str
    hazard: str | None               # a hazard key
    severity: int
    likelihood: int
    controls: str
    severity_after: int
    likelihood_after: int
    procedure: str | None = None     # a library procedure's id
    steps: tuple[str, ...] = ()      # the company's own procedure
    id: str | None = None            # a library task's id
    source: str = "company"          # company, trade or hazard

    @property
    def before(self) -> int:
        return self.severity * self.likelihood

    @property
    def after(self) -> int:
        return self.severity_after * self.likelihood_after

    @property
    def has_procedure(self) -> bool:
        return bool(self.procedure or self.steps)


@dataclass(frozen=True)
class CompanyFacts:
    on: dt.date
    trades: tuple[str, ...]
    hazards: tuple[str, ...]                       # ticked, then from trades, then derived
    from_trades: tuple[tuple[str, str], ...]       # (hazard, trade): usual, not ticked
    dismissed: tuple[tuple[str, str], ...]         # (hazard, reason)
    young: tuple[YoungWorker, ...]
    first_aiders: tuple[FirstAider, ...]
    scenarios: tuple[str, ...]
    parts: tuple[int, ...]
    inventory: tuple[InventoryLine, ...] = field(default=())

    @property
    def certified_first_aiders(self) -> list[FirstAider]:
        return [f for f in self.first_aiders if f.certified]

    @property
    def first_aiders_to_certify(self) -> list[FirstAider]:
        return [f for f in self.first_aiders if not f.certified]

    def missing_procedures(self, from_score: int) -> list[InventoryLine]:
        """High or Critical tasks that have no safe job procedure."""
        return [x for x in self.inventory if x.before >= from_score and not x.has_procedure]


# --------------------------------------------------------------------------- the pieces


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def young_workers(profile: Profile, on: dt.date, under: int) -> list[YoungWorker]:
    out = []
    for p in profile.people:
        age = age_on(p.birth_date, on) if p.birth_date else None
        if (age is not None and age < under) or (age is None and p.young_worker):
            out.append(YoungWorker(p, age))
    return out


def _is_first_aid(course: str, vocab: Vocabulary) -> bool:
    if vocab.first_aid is not None:
        from manualgen.inputs.first_aid import certificate_level
        if certificate_level(course, vocab.first_aid) is not None:
            return True
    return "first aid" in course.lower() or "first-aid" in course.lower()


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:                  # February 29
        return day.replace(year=day.year + years, day=28)


def first_aiders(profile: Profile, vocab: Vocabulary, on: dt.date) -> list[FirstAider]:
    """Each person with the first_aid role and the certificate they hold on `on`: valid
    when completed by then and not yet run out (an entry without an expiry date runs out
    `first_aid_validity_years` after completion)."""
    out = []
    for p in profile.with_role("first_aid"):
        held = []
        for t in p.training:
            if not _is_first_aid(t.course, vocab) or t.completed > on:
                continue
            until = t.expires or add_years(t.completed, vocab.first_aid_validity_years)
            held.append((until >= on, until, t.course))
        if not held:
            out.append(FirstAider(p, None, None, False))
            continue
        valid, until, course = max(held, key=lambda h: (h[0], h[1]))
        out.append(FirstAider(p, course, until, valid))
    return out


def _ordered(items: Iterable) -> tuple:
    return tuple(dict.fromkeys(items))


def effective_hazards(profile: Profile, vocab: Vocabulary, young: list[YoungWorker]
                      ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The company's hazards: those it ticked, its trades' usual ones it did not dismiss,
    and young_workers when someone is under age; and which came from a trade unticked."""
    dismissed = {d.hazard for d in profile.dismissed_hazards}
    ticked = list(profile.hazards)
    from_trades = []
    for key in profile.company.trades:
        trade = vocab.trades.get(key)
        for h in trade.hazards if trade else ():
            if h not in ticked and h not in dismissed and h not in [x for x, _ in from_trades]:
                from_trades.append((h, key))
    hazards = ticked + [h for h, _ in from_trades]
    if young and YOUNG_WORKERS not in hazards and YOUNG_WORKERS not in dismissed \
            and YOUNG_WORKERS in vocab.hazard_terms:
        hazards.append(YOUNG_WORKERS)
    return tuple(hazards), tuple(from_trades)


def inventory(profile: Profile, vocab: Vocabulary, hazards: tuple[str, ...]
              ) -> tuple[InventoryLine, ...]:
    """The company's own tasks, its trades' tasks for the hazards it has, and the
    library's default rows of every hazard no task covers; highest risk first."""
    lines: list[InventoryLine] = []
    own_ids = {t.id for t in profile.tasks if t.id}
    for t in profile.tasks:
        base = vocab.tasks.get(t.id) if t.id else None
        lines.append(InventoryLine(
            t.task, t.hazard or (base.hazard if base else None), t.severity, t.likelihood,
            t.controls, t.severity_after or t.severity, t.likelihood_after,
            t.procedure or (base.procedure if base and not t.steps else None),
            tuple(t.steps), t.id, "company"))
    seen = set(own_ids) | {d.task for d in profile.dismissed_tasks}
    for key in profile.company.trades:
        for task in vocab.trade_tasks.get(key, ()):
            if task.id in seen or task.hazard not in hazards:
                continue
            seen.add(task.id)
            lines.append(InventoryLine(
                task.task, task.hazard, task.severity, task.likelihood, task.controls,
                task.severity_after or task.severity, task.likelihood_after, task.procedure,
                (), task.id, "trade"))
    covered = {x.hazard for x in lines}
    for key in hazards:
        term = vocab.hazard_terms.get(key)
        if term is None or key in covered:
            continue
        lines += [InventoryLine(r.task, key, r.severity, r.likelihood, r.controls,
                                r.severity_after or r.severity, r.likelihood_after,
                                r.procedure, (), None, "hazard") for r in term.inventory]
    return tuple(sorted(lines, key=lambda x: (-x.before, -x.after, x.task)))


def company_facts(profile: Profile, vocab: Vocabulary, on: dt.date | None = None
                  ) -> CompanyFacts:
    """Everything the manual says of the company beyond its fields, on `on` (default:
    the manual's issue date)."""
    on = on or profile.manual.issued
    young = young_workers(profile, on, vocab.young_worker_age)
    hazards, from_trades = effective_hazards(profile, vocab, young)
    trades = [vocab.trades[k] for k in profile.company.trades if k in vocab.trades]
    terms = [vocab.hazard_terms[h] for h in hazards if h in vocab.hazard_terms]
    scenarios = _ordered([*vocab.scenarios_always, *(s for t in trades for s in t.scenarios),
                          *(s for h in terms for s in h.scenarios)])
    parts = tuple(sorted({*vocab.parts_always, *(n for t in trades for n in t.parts),
                          *(n for h in terms for n in h.parts)}))
    return CompanyFacts(
        on, tuple(profile.company.trades), hazards, from_trades,
        tuple((d.hazard, d.reason) for d in profile.dismissed_hazards), tuple(young),
        tuple(first_aiders(profile, vocab, on)), scenarios, parts,
        inventory(profile, vocab, hazards))


# --------------------------------------------------------------------------- suggestions


@functools.lru_cache(maxsize=4096)
def _word(word: str) -> re.Pattern[str]:
    """A word's pattern, compiled once: the library's trades and hazards have more words
    than `re`'s own cache holds (512), so uncached every profile check compiled them all
    again (most of a company page's time)."""
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?:s|es)?(?!\w)", re.IGNORECASE)


def _mentions(text: str, words: Iterable[str]) -> list[str]:
    """The words (as whole words, any case; a plural s allowed) found in the text."""
    return [w for w in words if _word(w).search(text)]


@dataclass(frozen=True)
class Suggestion:
    key: str
    label: str
    because: tuple[str, ...]         # the words of the company's text that suggest it


def suggest_trades(text: str, vocab: Vocabulary, have: Iterable[str] = ()) -> list[Suggestion]:
    """Trades whose words the company's industry and scope of work use."""
    have = set(have)
    return [Suggestion(t.key, t.label, tuple(hits)) for t in vocab.trades.values()
            if t.key not in have and (hits := _mentions(text, t.words))]


def suggest_hazards(text: str, vocab: Vocabulary, have: Iterable[str]) -> list[Suggestion]:
    """Hazards whose words the scope of work uses and the company has not listed or
    dismissed."""
    have = set(have)
    return [Suggestion(h.key, h.label, tuple(hits)) for h in vocab.hazard_terms.values()
            if h.key not in have and (hits := _mentions(text, h.words))]
