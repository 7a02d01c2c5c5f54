"""`library check` for what drives a manual's text beyond the policies: the trades, the
safe job procedures, the emergency scenarios, the facilities, and the test companies.

The test companies (`test-companies/<name>/company.yaml`) are the library's proof that a
manual reads as its company's own: each is built (as text) and read for the words of a
trade it is not in, for a certificate stated that the data does not support, and for what
its reviewer wrote in `review.yaml` that the manual must and must not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from manualgen.errors import Collector, InputError, Problem
from manualgen.inputs.library.load import Library
from manualgen.inputs.library.model import TradeTask
from manualgen.io import YamlDoc, load_yaml, read_text

REVIEW_FILE = "review.yaml"


def _doc(path: Path) -> YamlDoc | None:
    try:
        return load_yaml(path)
    except InputError:
        return None                      # reported by load_library


def check_trades(lib: Library, found: Collector) -> None:
    """Every key a trade or hazard names exists; every task id is defined once; every
    task rated High or Critical names a safe job procedure that exists."""
    if lib.rules is None:
        return
    hazards, parts = set(lib.hazard_keys), set(lib.rules.regulation_parts)
    scenarios, procedures = set(lib.scenarios), {p.id for p in lib.procedures}
    need = lib.rules.procedure_from_score
    defined: dict[str, Path] = {}

    def refs(doc: YamlDoc, key: tuple, values: list, known: set, what: str, fix: str) -> None:
        if known is scenarios and not lib.scenarios:
            return                       # a library without scenarios.yaml names none
        for i, value in enumerate(values):
            if value not in known:
                found.extend([doc.problem((*key, i), f"unknown {what} {value!r}", fix)])

    def row(doc: YamlDoc, key: tuple, task, label: str) -> None:
        if task.procedure and task.procedure not in procedures:
            found.extend([doc.problem((*key, "procedure"), f"{label}: no safe job procedure "
                                      f"has the id {task.procedure!r}",
                                      "write procedures/<id>.md, or fix the id")])
        elif not task.procedure and task.severity * task.likelihood >= need:
            found.extend([doc.problem(key, f"{label} is rated "
                                      f"{task.severity * task.likelihood} before controls "
                                      "(High or Critical) but names no safe job procedure",
                                      "name one under procedure: (procedures/<id>.md)")])

    for trade in lib.trades:
        path = lib.trade_paths[trade.key]
        doc = _doc(path)
        if doc is None:
            continue
        if path.stem != trade.key:
            found.extend([doc.problem(("key",), f"the file is {path.name} but its key is "
                                      f"{trade.key!r}", f"name the file {trade.key}.yaml")])
        refs(doc, ("hazards",), trade.hazards, hazards, "hazard key",
             "use a key of hazards.yaml, or add the hazard there")
        refs(doc, ("scenarios",), trade.scenarios, scenarios, "emergency scenario",
             "use a key of scenarios.yaml, or add the scenario there")
        refs(doc, ("parts",), trade.parts, parts, "Part of the Regulations",
             "use a Part number of program.yaml regulation_parts")
        for i, task in enumerate(trade.tasks):
            if not isinstance(task, TradeTask):
                continue
            if task.id in defined:
                found.extend([doc.problem(("tasks", i, "id"), f"task id {task.id!r} is "
                                          f"defined in {defined[task.id].name} too",
                                          f"give it another id, or write '- use: {task.id}'")])
            defined[task.id] = path
            if task.hazard not in hazards:
                found.extend([doc.problem(("tasks", i, "hazard"), f"unknown hazard key "
                                          f"{task.hazard!r}", "use a key of hazards.yaml")])
            row(doc, ("tasks", i), task, f"task {task.id!r}")
    for trade in lib.trades:
        doc = _doc(lib.trade_paths[trade.key])
        for i, task in enumerate(trade.tasks):
            if doc is not None and not isinstance(task, TradeTask) and task.use not in defined:
                found.extend([doc.problem(("tasks", i, "use"), f"no trade defines the task "
                                          f"{task.use!r}", "define it in one trade's tasks")])
    hz = _doc(lib.root / "hazards.yaml")
    if hz is not None:
        for i, h in enumerate(lib.hazards):
            refs(hz, (i, "scenarios"), h.scenarios, scenarios, "emergency scenario",
                 "use a key of scenarios.yaml")
            refs(hz, (i, "parts"), h.parts, parts, "Part of the Regulations",
                 "use a Part number of program.yaml regulation_parts")
            for j, r in enumerate(h.inventory):
                row(hz, (i, "inventory", j), r, f"{h.key}'s inventory row {j + 1}")
    for policy in lib.policies:
        refs(policy.doc, ("procedures",), policy.header.procedures, procedures,
             "safe job procedure", "write procedures/<id>.md, or fix the id")
    prog = _doc(lib.root / "program.yaml")
    if prog is not None:
        refs(prog, ("scenarios_always",), lib.rules.scenarios_always, scenarios,
             "emergency scenario", "use a key of scenarios.yaml")


def check_scenarios(lib: Library, found: Collector) -> None:
    """Every scenario has its procedure in a policy (a block `'key' in scenarios`)."""
    if not lib.scenarios:
        return
    doc = _doc(lib.root / "scenarios.yaml")
    bodies = "\n".join(p.body for p in lib.policies)
    for key in lib.scenarios:
        if not re.search(r"['\"]" + re.escape(key) + r"['\"]\s+in\s+scenarios", bodies) \
                and doc is not None:
            found.extend([doc.problem((key,), f"no policy has a procedure for the scenario "
                                      f"{key!r}", "add {% if '" + key + "' in scenarios %} "
                                      "... {% endif %} to the emergency response plan")])


def check_procedures(lib: Library, context: dict[str, Any], found: Collector) -> None:
    """Procedures are numbered steps under the manual's own heading, and render."""
    from manualgen.render.jinja import policy_environment, template_error

    env = policy_environment()
    for p in lib.procedures:
        if p.path.stem != p.id:
            found.add(p.path, f"the file is {p.path.name} but its id is {p.id!r}",
                      fix=f"name the file {p.id}.md")
        for n, line in enumerate(p.body.splitlines()):
            if line.startswith("#"):
                found.add(p.path, "a heading inside a procedure", line=p.body_line + n,
                          fix="the manual gives the procedure its title as a heading: "
                              "write the steps as a numbered list")
        if not re.search(r"^\s*1\.\s", p.body, flags=re.MULTILINE):
            found.add(p.path, "no numbered steps", line=p.body_line,
                      fix="write the procedure as steps: '1. ...', '2. ...'")
        try:
            env.from_string(p.body).render(context)
        except Exception as exc:  # noqa: BLE001 - any template failure is a finding
            found.extend([template_error(exc, p.path, p.body_line - 1)])


def check_facilities(lib: Library, found: Collector) -> None:
    doc = _doc(lib.root / "facilities.yaml")
    if doc is None:
        return
    seen: set[str] = set()
    for i, f in enumerate(lib.facilities):
        if f.key in seen:
            found.extend([doc.problem(("facilities", i, "key"), f"facility {f.key!r} is "
                                      "listed twice", "list each one once")])
        seen.add(f.key)


# --------------------------------------------------------------------------- test companies


def _pattern(words) -> re.Pattern:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?<!\w)(" + alternatives + r")(?:s|es)?(?!\w)", re.IGNORECASE)


def foreign_words(text: str, company_text: str, trades: list[str], hazards: list[str],
                  lib: Library) -> dict[str, str]:
    """Words of a trade the company is not in, found in its manual: word -> that trade.
    A word also belonging to one of its own trades or hazards, or written in its own
    profile, is its own."""
    own: set[str] = set()
    for key in trades:
        if (t := lib.trade(key)) is not None:
            own.update(w.lower() for w in t.terms)
    for key in hazards:
        if (h := lib.hazard(key)) is not None:
            own.update(w.lower() for w in h.terms)
    owner: dict[str, str] = {}
    for t in lib.trades:
        if t.key in trades:
            continue
        for w in t.terms:
            if w.lower() not in own and not _pattern([w]).search(company_text):
                owner.setdefault(w.lower(), t.key)
    if not owner:
        return {}
    return {m.group(1).lower(): owner[m.group(1).lower()]
            for m in _pattern(owner).finditer(text)}


def _around(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 70):end + 70].split())


@dataclass
class CompanyReview:
    """One test company's manual, read as its reviewer would."""

    name: str
    path: Path
    words: int = 0                   # words in the manual's text
    problems: list[Problem] = field(default_factory=list)


def _expectations(path: Path) -> dict[str, Any]:
    review = path.parent / REVIEW_FILE
    if not review.is_file():
        return {}
    data = yaml.safe_load(read_text(review)) or {}
    return data if isinstance(data, dict) else {}


def _alternatives(item: Any) -> list[str]:
    return [str(x) for x in item] if isinstance(item, list) else [str(item)]


def review_company(path: Path, lib: Library) -> CompanyReview:
    """Build one test company's manual text and read it: another trade's words, a first
    aid certificate the data does not give, and its review.yaml."""
    from manualgen.inputs.pipeline import load_inputs
    from manualgen.manual.text import manual_text

    result = CompanyReview(path.parent.name, path)
    review = path.parent / REVIEW_FILE

    def add(message: str, fix: str, where: Path = path) -> None:
        result.problems.append(Problem(str(where), None, None, message, fix))

    try:
        inputs = load_inputs(path, lib)
        text = manual_text(inputs)
    except InputError as exc:
        result.problems += exc.problems
        return result
    body = text.all
    flat = " ".join(body.split())
    result.words = len(flat.split())
    company_text = read_text(path)
    for word, trade in sorted(foreign_words(body, company_text, list(inputs.facts.trades),
                                            list(inputs.hazards), lib).items()):
        m = _pattern([word]).search(body)
        add(f"the manual says {word!r}, a word of the trade {trade}: "
            f"...{_around(body, m.start(), m.end())}...",
            f"put that text in a block for its trade or hazard ({{% if '{trade}' in trades %}})")
    for f in inputs.facts.first_aiders_to_certify:
        for verb in ("holds", "hold"):
            claim = re.search(re.escape(f.person.name) + r"[^.]{0,60}\b" + verb +
                              r" (?:a )?current", flat)
            if claim:
                add(f"the manual says {f.person.name} holds a current first aid certificate, "
                    "which the profile does not show on the issue date: "
                    f"...{_around(flat, claim.start(), claim.end())}...",
                    "state certificates only from certified_first_aiders")
    if re.search(r"Part 18 (?:\([^)]*\) )?(?:asks for|requires)", flat) and \
            not (lib.first_aid and lib.first_aid.status == "confirmed"):
        add("the manual calls the first aid table's result what Part 18 requires, but the "
            "table is not confirmed against Part 18", "say it is our assessed need, to be "
            "confirmed with WSCB")
    for bad in ("{{", "{%", "}}", "%}"):
        if bad in body:
            i = body.index(bad)
            add(f"template text {bad!r} is left in the manual: ...{_around(body, i, i + 2)}...",
                "close the Jinja block in the policy or procedure it comes from")
    # a list item run into the line before it (a block tag ate the line break)
    joined = re.search(r"[a-z.;:)]- [A-Z*]|[a-z]\.[1-9]\d?\. [A-Z]|[a-z.]##+ ", body)
    if joined:
        add(f"a list item or heading runs into the line before it: "
            f"...{_around(body, joined.start(), joined.end())}...",
            "end the line's block tag with +%} ({% endif +%}) so the line break stays")
    printed = set(re.findall(r"^### (.+)$", text.policies.get("safe-job-procedures", ""),
                             flags=re.MULTILINE))
    for policy in inputs.policies:
        for pid in policy.header.procedures:
            procedure = lib.procedure(pid)
            if procedure is not None and procedure.title not in printed:
                add(f"{policy.title} refers to the safe job procedure {procedure.title!r}, "
                    "which the manual does not print", "check render_procedures")
    for line in inputs.facts.missing_procedures(lib.rules.procedure_from_score):
        add(f"the inventory's task {line.task!r} is rated High or Critical but has no safe "
            "job procedure", "name one in its trade's or hazard's task row")
    expect = _expectations(path)
    lower = flat.lower()
    for pid in expect.get("must_include", []) or []:
        if pid not in text.policies:
            add(f"the manual lacks the policy {pid!r}, which its reviewer expects",
                "check the trade's hazards and the policy's applies", review)
    for pid in expect.get("must_not_include", []) or []:
        if pid in text.policies:
            add(f"the manual has the policy {pid!r}, which its reviewer does not expect",
                "check the company's hazards and the policy's applies", review)
    for item in expect.get("must_say", []) or []:
        options = _alternatives(item)
        if not any(o.lower() in lower for o in options):
            add(f"the manual does not say {' or '.join(repr(o) for o in options)}",
                "the library's text for this trade should cover it", review)
    for item in expect.get("must_not_say", []) or []:
        for o in _alternatives(item):
            m = re.search(r"(?<!\w)" + re.escape(o.lower()), lower)
            if m:
                add(f"the manual says {o!r}: ...{_around(flat, m.start(), m.end())}...",
                    "that text does not belong in this company's manual", review)
    return result


def review_test_companies(lib: Library) -> list[CompanyReview]:
    return [review_company(p, lib) for p in lib.test_companies]


def check_test_companies(lib: Library, found: Collector) -> None:
    for review in review_test_companies(lib):
        found.extend(review.problems)

