"""The company profile written as commented YAML, in the order and words of the example.

`manualgen init` and the web app both save a profile through `render_profile`, so the
file a company keeps reads the same whichever front end wrote it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, get_args

from manualgen.errors import InputError
from manualgen.inputs.library.load import Library
from manualgen.inputs.profile import Employment, Role
from manualgen.io import parse_yaml

ROLES: tuple[str, ...] = get_args(Role)
EMPLOYMENT: tuple[str, ...] = get_args(Employment)
COMMENT_COLUMN = 50



def scalar(value: Any, *, flow: bool = False) -> str:
    """One YAML value, plain where it reads back the same, double-quoted otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | dt.date):
        return str(value)
    text = str(value)
    if text and text == text.strip() and "\n" not in text:
        probe = "{k: " + text + "}" if flow else "k: " + text
        try:
            if parse_yaml(probe, "<probe>").data == {"k": text}:
                return text
        except InputError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _line(text: str, comment: str | None = None) -> str:
    if not comment:
        return text
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}" if len(text) < COMMENT_COLUMN - 1 \
        else f"{text}  # {comment}"


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_flow_list(v) if isinstance(v, list) else scalar(v, flow=True)}"
                           for k, v in mapping.items() if v is not None) + "}"


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(scalar(i, flow=True) for i in items) + "]"


def render_profile(data: dict[str, Any], library: Library, on: dt.date, *,
                   writer: str = "manualgen init") -> str:
    """The profile as commented YAML, in the order and words of the example; `writer`
    names the front end in the first line."""
    c = data["company"]
    limit = library.rules.employee_limit
    out = [
        f"# Company profile for manualgen, written by `{writer}` on {on}.",
        "# Edit it in any text editor, then check it with:  manualgen check company.yaml",
        "# Dates are written YYYY-MM-DD. Put text containing ': ' or ' #' in quotes.",
        "",
        "company:",
        _line(f"  legal_name: {scalar(c['legal_name'])}"),
    ]

    def optional(key: str, comment: str, example: str) -> None:
        if c.get(key):
            out.append(_line(f"  {key}: {scalar(c[key])}", comment))
        else:
            out.append(_line(f"  # {key}: {example}", comment))

    optional("operating_name", "optional; used on covers and headers", "Your Trade Name")
    out.append(_line(f"  address: {scalar(c['address'])}"))
    out.append(_line(f"  phone: {scalar(c['phone'])}"))
    optional("email", "optional", "office@example.ca")
    out += [
        _line(f"  wscb_account: {json.dumps(str(c['wscb_account']))}",
              "WSCB employer account number, in quotes"),
        _line(f"  industry: {scalar(c['industry'])}"),
        _line(f"  scope_of_work: {scalar(c['scope_of_work'])}"),
        _line(f"  peak_employees: {c['peak_employees']}", f"SECOR needs fewer than {limit}"),
        _line(f"  uses_subcontractors: {scalar(c['uses_subcontractors'])}"),
        _line(f"  trades: {_flow_list(c.get('trades') or [])}",
              "keys: `manualgen library list`; other with trade_other"),
    ]
    optional("trade_other", "with trades: [other], your trade in a few words",
             "Dog-sled tours")
    optional("logo", "optional; path relative to this file", "logo.png")

    out += ["", "people:"]
    for person in data["people"]:
        out += [
            f"  - name: {scalar(person['name'])}",
            f"    position: {scalar(person['position'])}",
            _line(f"    roles: {_flow_list(person['roles'])}", ", ".join(ROLES)),
            _line(f"    employment: {person['employment']}", ", ".join(EMPLOYMENT)),
        ]
        if person.get("birth_date"):
            out.append(_line(f"    birth_date: {person['birth_date']}",
                             "only for a worker under 18"))
        if person.get("young_worker"):
            out.append(_line("    young_worker: true", "under 18"))
        if person["training"]:
            out.append(_line("    training:", "course keys: " + ", ".join(
                library.rules.courses) + "; any other name is free text"))
            out += [f"      - {_flow(t)}" for t in person["training"]]
        else:
            out.append(_line("    training: []", "add {course: PHSM, completed: YYYY-MM-DD}"))

    out += ["", "worksites:"]
    out += [_line(f"  - {_flow(site)}") for site in data["worksites"]]

    out += ["", _line(f"hazards: {_flow_list(data['hazards'])}",
                      "keys from the library: `manualgen library list`")]
    for term in library.hazards:
        out.append(f"#   {term.key}: {term.label}")
    dismissed = data.get("dismissed_hazards") or []
    if dismissed:
        out += ["", _line("dismissed_hazards:",
                          "usual for your trade, but not for you: the hazard and why")]
        out += [f"  - {_flow(d)}" for d in dismissed]
    dropped = data.get("dismissed_tasks") or []
    if dropped:
        out += ["", _line("dismissed_tasks:", "usual tasks of your trade you do not do, and why")]
        out += [f"  - {_flow(d)}" for d in dropped]

    out.append("")
    if data["equipment"]:
        out.append(_line("equipment:", "each unit's id, what it is, how often it is serviced"))
        out += [f"  - {_flow(unit)}" for unit in data["equipment"]]
    else:
        out.append(_line("equipment: []",
                         "add {id: TRK-01, description: Crew truck, interval: 3 months}"))

    tasks = data.get("tasks") or []
    if tasks:
        out += ["", _line("tasks:", "your hazard inventory: severity and likelihood 1 to 4")]
        for task in tasks:
            first = True
            for key in ("task", "id", "hazard", "severity", "likelihood", "controls",
                        "likelihood_after", "severity_after", "procedure"):
                if task.get(key) in (None, ""):
                    continue
                out.append(f"  {'- ' if first else '  '}{key}: {scalar(task[key])}")
                first = False
            if task.get("steps"):
                out.append("    steps:")
                out += [f"      - {scalar(step)}" for step in task["steps"]]

    e = data["emergency"]
    out += ["", "emergency:",
            f"  nearest_medical: {scalar(e['nearest_medical'])}",
            f"  emergency_number: {json.dumps(str(e['emergency_number']))}",
            f"  muster_point: {scalar(e['muster_point'])}"]
    if e.get("remote_communication"):
        out.append(f"  remote_communication: {scalar(e['remote_communication'])}")
    else:
        out.append(_line("  # remote_communication: Satellite messenger in every truck",
                         "optional"))

    out.append("")
    s = data.get("secor")
    if s:
        out += [_line("secor:", "absent until certified"),
                f"  certificate_number: {scalar(s['certificate_number'])}",
                _line(f"  certificate_date: {s['certificate_date']}",
                      "date of issue = anniversary date")]
    else:
        out += ["# secor:                         # add when the certificate arrives",
                "#   certificate_number: S-0000",
                "#   certificate_date: YYYY-MM-DD   # date of issue = anniversary date"]

    m = data["manual"]
    out += ["", "manual:",
            f"  revision: {m['revision']}",
            f"  issued: {m['issued']}",
            f"  approved_by: {scalar(m['approved_by'])}"]
    if m.get("history"):
        out.append(_line("  history:", "revision, date and what changed in each"))
        out += [f"    - {_flow(h)}" for h in m["history"]]
    if m.get("distribution"):
        out.append(_line("  distribution:", "where the copies of the manual are kept"))
        out += [f"    - {scalar(d)}" for d in m["distribution"]]
    if m.get("leave_out"):
        out.append(_line("  leave_out:", "library policies left out, and why"))
        out += [f"    - {_flow(x)}" for x in m["leave_out"]]
    if m.get("consultations"):
        out.append(_line("  consultations:", "consultations held: about, date, with whom"))
        out += [f"    - {_flow(x)}" for x in m["consultations"]]
    out.append("")
    return "\n".join(out)
