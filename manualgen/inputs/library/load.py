"""Load the whole library once, checking shapes; every file's problems reported together.

A long-running process (the web app, a fleet build) keeps one `Library` and asks
`reload_if_changed()` before each job: the files' sizes and times are compared, so NSNY's
edits are picked up without re-reading an unchanged library on every request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from manualgen import resources
from manualgen.errors import Collector, InputError, Severity
from manualgen.inputs.first_aid import FirstAidRules
from manualgen.inputs.library.form_fields import FormFields, check_definition, validate_definition
from manualgen.inputs.library.model import (
    Element,
    Facilities,
    Facility,
    FormInfo,
    HazardTerm,
    LibraryInfo,
    Policy,
    PolicyHeader,
    Procedure,
    ProcedureHeader,
    Trade,
    TradeTask,
)
from manualgen.inputs.models import problems_from
from manualgen.inputs.profile import Profile, Vocabulary
from manualgen.inputs.program import ProgramRules, load_rules
from manualgen.io import YamlDoc, inside, load_yaml, read_text, split_front_matter
from manualgen.resources import LibraryPaths

FORMS_INDEX = "forms.yaml"
FIRST_AID_FILE = "first_aid.yaml"
FACILITIES_FILE = "facilities.yaml"
SCENARIOS_FILE = "scenarios.yaml"
TEST_COMPANIES = "test-companies"


Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(paths: LibraryPaths) -> Fingerprint:
    """(file, size, modification time) of every file of the library, in a fixed order."""
    out = []
    for folder in (paths.policies, paths.forms, paths.packages):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except OSError:
                    continue
                out.append((os.path.join(dirpath, name), st.st_size, st.st_mtime_ns))
    return tuple(out)


@dataclass
class Library:
    """NSNY's library: program rules, elements, hazards, policies, forms and packages."""

    root: Path
    info: LibraryInfo
    rules: ProgramRules
    elements: list[Element]
    hazards: list[HazardTerm]
    policies: list[Policy]
    forms: list[FormInfo]
    forms_dir: Path
    paths: LibraryPaths | None = None
    stamp: Fingerprint = ()
    first_aid: FirstAidRules | None = None   # first_aid.yaml: Part 18 as data
    warnings: list = field(default_factory=list)
    # Where the policies' compiled templates are kept between processes (None: nowhere).
    compiled: Path | None = field(default=None, compare=False)
    # What jobs derive from this library and keep while it is loaded (the policies'
    # compiled templates): a warm process compiles them once, a reload starts afresh.
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    trades: list[Trade] = field(default_factory=list)          # trades/*.yaml
    trade_paths: dict[str, Path] = field(default_factory=dict)  # trade key -> its file
    procedures: list[Procedure] = field(default_factory=list)  # procedures/*.md
    facilities: list[Facility] = field(default_factory=list)   # facilities.yaml
    scenarios: dict[str, str] = field(default_factory=dict)    # scenarios.yaml: key -> label
    # Each form's definition (form_templates/fields/*.yaml) by form id; a form without one
    # is absent (`library check` says so).
    form_fields: dict[str, FormFields] = field(default_factory=dict)

    @property
    def packages_dir(self) -> Path:
        return self.paths.packages if self.paths else self.root.parent / "packages"

    def changed(self) -> bool:
        """True when a file of the library was added, removed or edited since loading."""
        return self.paths is not None and fingerprint(self.paths) != self.stamp

    def reload_if_changed(self) -> Library:
        """This library, or a fresh load of it when its files changed."""
        return load_library(self.paths, compiled=self.compiled) if self.changed() else self

    @property
    def hazard_keys(self) -> list[str]:
        return [h.key for h in self.hazards]

    def element(self, number: int) -> Element | None:
        return next((e for e in self.elements if e.number == number), None)

    def form(self, form_id: str) -> FormInfo | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def form_definition(self, form_id: str) -> FormFields | None:
        """The form's fields and the records it feeds, or None when it has none."""
        return self.form_fields.get(form_id)

    def policy(self, policy_id: str) -> Policy | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def hazard_label(self, key: str) -> str:
        return next((h.label for h in self.hazards if h.key == key), key)

    def hazard(self, key: str) -> HazardTerm | None:
        return next((h for h in self.hazards if h.key == key), None)

    def trade(self, key: str) -> Trade | None:
        return next((t for t in self.trades if t.key == key), None)

    def procedure(self, procedure_id: str) -> Procedure | None:
        return next((p for p in self.procedures if p.id == procedure_id), None)

    def facility(self, key: str) -> Facility | None:
        return next((f for f in self.facilities if f.key == key), None)

    def trade_tasks(self, trade: Trade) -> list[TradeTask]:
        """A trade's tasks, with those it takes from another trade's file looked up."""
        defined = {t.id: t for tr in self.trades for t in tr.tasks if isinstance(t, TradeTask)}
        return [t if isinstance(t, TradeTask) else defined[t.use] for t in trade.tasks
                if isinstance(t, TradeTask) or t.use in defined]

    def usual_hazards(self, trades: list[str]) -> dict[str, str]:
        """Hazard key -> the label of the first of these trades that usually has it: what
        the manual covers unless the company dismisses it with a reason."""
        out: dict[str, str] = {}
        for key in trades:
            trade = self.trade(key)
            for hazard in trade.hazards if trade else ():
                out.setdefault(hazard, trade.label)
        return out

    def hazard_choices(self) -> list[tuple[str, str, list[str]]]:
        """Each hazard as (key, label, titles of the policies it switches on)."""
        return [(term.key, term.label,
                 [p.title for p in self.policies
                  if p.header.applies != "always" and term.key in p.header.applies.hazards])
                for term in self.hazards]

    def vocabulary(self) -> Vocabulary:
        """What the library decides about a profile: handed to its validation, and to the
        facts worked out from it. Made once per loaded library."""
        memo = self.memo.get("vocabulary")
        if memo is not None:
            return memo
        rules = self.rules
        matrix = rules.risk_matrix
        scale = {"severity": matrix.severity, "likelihood": matrix.likelihood} \
            if matrix else None
        trade_tasks = {t.key: tuple(self.trade_tasks(t)) for t in self.trades}
        vocab = Vocabulary(
            rules.employee_limit, tuple(self.hazard_keys), self.first_aid, scale,
            rules.lone_worker_check_in_hours,
            trades={t.key: t for t in self.trades}, trade_tasks=trade_tasks,
            tasks={t.id: t for tasks in trade_tasks.values() for t in tasks},
            hazard_terms={h.key: h for h in self.hazards},
            facilities={f.key: f for f in self.facilities},
            procedure_ids=frozenset(p.id for p in self.procedures),
            scenarios_always=tuple(rules.scenarios_always),
            parts_always=tuple(rules.parts_always),
            first_aid_validity_years=rules.first_aid_validity_years,
            young_worker_age=rules.young_worker_age,
            procedure_from_score=rules.procedure_from_score)
        self.memo["vocabulary"] = vocab
        return vocab

    def company_hazards(self, profile: Profile) -> tuple[str, ...]:
        """A profile's hazards as its manual treats them: ticked, from its trades, derived."""
        from manualgen.inputs.facts import company_facts
        return company_facts(profile, self.vocabulary()).hazards

    @property
    def test_companies(self) -> list[Path]:
        """The library's test companies (test-companies/<name>/company.yaml): every
        manual `library check` builds and reads for another trade's words."""
        return sorted((self.root / TEST_COMPANIES).glob("*/company.yaml"))


def _validate_list(model, doc: YamlDoc, found: Collector) -> list:
    if not isinstance(doc.data, list):
        found.extend([doc.problem((), "a list of entries is expected",
                                  "start each entry with '- '")])
        return []
    try:
        return TypeAdapter(list[model]).validate_python(doc.data)
    except ValidationError as exc:
        found.extend(problems_from(exc, doc))
        return []


def _validate_one(model, doc: YamlDoc, found: Collector):
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        found.extend(problems_from(exc, doc))
        return None


def load_policy(path: Path, found: Collector, header_model=PolicyHeader, kind=Policy):
    """One policy file (or, with `kind`, a procedure); its header problems go to `found`
    with file lines. A company's own policy has a header model of its own
    (`CompanyPolicyHeader`)."""
    try:
        fm = split_front_matter(read_text(path), path)
    except InputError as exc:
        found.extend(exc.problems)
        return None
    header = _validate_one(header_model, fm.header, found)
    if header is None:
        return None
    return kind(header, fm.body, path, fm.body_line, fm.header)


def policy_files(root: Path) -> list[Path]:
    return sorted((root / "policies").glob("*.md"))


def trade_files(root: Path) -> list[Path]:
    return sorted((root / "trades").glob("*.yaml"))


def procedure_files(root: Path) -> list[Path]:
    return sorted((root / "procedures").glob("*.md"))


def load_procedure(path: Path, found: Collector) -> Procedure | None:
    return load_policy(path, found, ProcedureHeader, Procedure)


def _load_optional(path: Path, load, found: Collector):
    """A library data file that older libraries may not have: None when absent."""
    if not path.is_file():
        return None
    try:
        return load(load_yaml(path))
    except InputError as exc:
        found.extend(exc.problems)
        return None


def _scenarios(doc: YamlDoc, found: Collector) -> dict[str, str]:
    if not isinstance(doc.data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in doc.data.items()):
        found.extend([doc.problem((), "a list of 'key: label' lines is expected",
                                  "write each scenario as fire_evacuation: Fire and evacuation")])
        return {}
    return dict(doc.data)


def load_library(location: Path | str | LibraryPaths | None = None,
                 *, collect: Collector | None = None,
                 compiled: Path | None = None) -> Library:
    """Read every library file. Problems raise together unless `collect` is given (lint).
    `compiled`: where to keep the policies' compiled templates between processes."""
    paths = location if isinstance(location, LibraryPaths) else \
        resources.library_paths(location)
    stamp = fingerprint(paths)
    root, forms_dir = paths.policies, paths.forms
    found = collect if collect is not None else Collector()

    info = rules = None
    for name in ("library.yaml", "program.yaml"):
        try:
            if name == "library.yaml":
                info = _validate_one(LibraryInfo, load_yaml(root / name), found)
            else:
                rules = load_rules(root)
        except InputError as exc:
            found.extend(exc.problems)
    elements, hazards, forms = [], [], []
    for name, model, target in (("elements.yaml", Element, elements),
                                ("hazards.yaml", HazardTerm, hazards)):
        try:
            target.extend(_validate_list(model, load_yaml(root / name), found))
        except InputError as exc:
            found.extend(exc.problems)
    forms_doc = None
    try:
        forms_doc = load_yaml(forms_dir / FORMS_INDEX)
        forms.extend(_validate_list(FormInfo, forms_doc, found))
    except InputError as exc:
        found.extend(exc.problems)

    first_aid = None
    if (root / FIRST_AID_FILE).is_file():
        try:
            first_aid = _validate_one(FirstAidRules, load_yaml(root / FIRST_AID_FILE), found)
        except InputError as exc:
            found.extend(exc.problems)
    trades: list[Trade] = []
    trade_paths: dict[str, Path] = {}
    for path in trade_files(root):
        trade = _load_optional(path, lambda d: _validate_one(Trade, d, found), found)
        if trade is not None:
            trades.append(trade)
            trade_paths[trade.key] = path
    procedures = [p for path in procedure_files(root) if (p := load_procedure(path, found))]
    facilities = _load_optional(root / FACILITIES_FILE,
                                lambda d: _validate_one(Facilities, d, found), found)
    scenarios = _load_optional(root / SCENARIOS_FILE, lambda d: _scenarios(d, found), found)
    policies = [p for path in policy_files(root) if (p := load_policy(path, found))]
    if not policies and (root / "library.yaml").is_file():
        found.add(root / "policies", "no policy files (*.md) found",
                  fix="put the policies in a folder named policies beside library.yaml")
    policies.sort(key=lambda p: (p.header.element, p.header.order, p.id))
    library = Library(root, info, rules, elements, hazards, policies, forms, forms_dir,  # type: ignore[arg-type]
                      paths, stamp, first_aid, compiled=compiled, trades=trades,
                      trade_paths=trade_paths,
                      procedures=procedures,
                      facilities=facilities.facilities if facilities else [],
                      scenarios=scenarios or {})
    library.form_fields = load_form_fields(library, forms_doc, found)
    if collect is None:
        found.raise_if_errors(title="The policy library has problems "
                                    "(run `manualgen library check` for the full list):")
    return library


def form_fields_path(library: Library, form: FormInfo) -> Path:
    return library.forms_dir / (form.fields or "")


def load_form_fields(library: Library, forms_doc: YamlDoc | None,
                     found: Collector) -> dict[str, FormFields]:
    """Every form's definition file, checked against the record tables (when the
    program rules loaded); problems go to `found` with their file and line."""
    out: dict[str, FormFields] = {}
    tables = choices = None
    if library.rules is not None:
        from manualgen.inputs.record_forms import record_tables  # it reads a Library

        tables = record_tables(library)
        choices = {"activities": list(library.rules.activities),
                   "incident_classes": list(library.rules.incident_classes),
                   "elements": [str(e.number) for e in library.elements]}
    for i, form in enumerate(library.forms):
        if form.fields is None:
            continue
        path = form_fields_path(library, form)
        where = forms_doc.line((i, "fields")) if forms_doc else None
        if not inside(library.forms_dir, path) or path.suffix.lower() not in (".yaml", ".yml"):
            found.add(library.forms_dir / FORMS_INDEX, f"{form.fields!r} is not a YAML file "
                      "in form_templates", line=where, field=f"{form.id}.fields",
                      fix=f"write fields: fields/{form.id}.yaml")
            continue
        if not path.is_file():
            found.add(library.forms_dir / FORMS_INDEX, f"the definition {form.fields!r} is "
                      "not found", line=where, field=f"{form.id}.fields",
                      fix=f"add the file form_templates/{form.fields}, or fix the name")
            continue
        try:
            doc = load_yaml(path)
        except InputError as exc:
            found.extend(exc.problems)
            continue
        definition, problems = validate_definition(doc)
        found.extend(problems)
        if definition is None:
            continue
        if tables is not None and choices is not None:
            problems = check_definition(definition, doc, tables, choices)
            found.extend(problems)
            if any(p.severity is Severity.ERROR for p in problems):
                continue
        out[form.id] = definition
    return out
