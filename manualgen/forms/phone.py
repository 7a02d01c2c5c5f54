"""The company's forms as the phone app reads them (`GET /forms/app.json`): each form's
definition with every choice resolved from the company's data, so the app can fill any
form offline once it has fetched this.

A definition says where a choice comes from (`from: people`, `kind: site`, `rows_from:
hazards`); the phone knows nothing of the company, so the choices are written out here:
people by name, sites by name, equipment by unit id, hazards by key, tasks by name, and a
group's fixed rows expanded (its written rows, then one per item of `rows_from`). The
`version` is a hash of all of it: the app fetches again and keeps the new copy when it
changes (a new hire, a new revision of a form).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from manualgen.inputs.facts import company_facts
from manualgen.inputs.library.form_fields import (
    Choice,
    FormField,
    FormFields,
    Heading,
)
from manualgen.inputs.library.load import Library
from manualgen.inputs.profile import CompanyProfile

ROLE_OF_SOURCE = {"supervisors": ("supervisor", "senior_manager", "owner"),
                  "first_aiders": ("first_aid",), "safety_reps": ("safety_rep",)}


def source_choices(source: str, profile: CompanyProfile, library: Library, *,
                   on: dt.date) -> list[dict[str, str]]:
    """A list's choices as `{"value", "label"}`: the company's data or the library's."""
    p = profile.profile
    if source == "people" or source in ROLE_OF_SOURCE:
        people = p.people
        if source in ROLE_OF_SOURCE:
            wanted = ROLE_OF_SOURCE[source]
            people = [x for x in p.people if any(x.has(r) for r in wanted)] or p.people
        return [{"value": x.name, "label": f"{x.name} ({x.position})"} for x in people]
    if source == "worksites":
        return [{"value": s.name, "label": s.name} for s in p.worksites]
    if source == "equipment":
        return [{"value": e.id, "label": f"{e.id} {e.description}"} for e in p.equipment]
    if source in ("hazards", "tasks"):
        facts = company_facts(p, library.vocabulary(), on)
        if source == "hazards":
            return [{"value": h, "label": library.hazard_label(h)} for h in facts.hazards]
        seen: dict[str, None] = {}
        for line in facts.inventory:
            seen.setdefault(line.task, None)
        return [{"value": t, "label": t} for t in seen]
    if source == "activities" and library.rules is not None:
        return [{"value": k, "label": v} for k, v in library.rules.activities.items()]
    if source == "incident_classes" and library.rules is not None:
        return [{"value": k, "label": v} for k, v in library.rules.incident_classes.items()]
    if source == "elements":
        return [{"value": str(e.number), "label": f"{e.number}. {e.title}"}
                for e in library.elements]
    return []


def group_rows(f: FormField, profile: CompanyProfile, library: Library, *,
               on: dt.date) -> list[dict[str, str]] | None:
    """A group's fixed rows in order: `{"heading": ...}` between `{"row": label}`; None
    for a group whose rows are added freely."""
    if f.rows is None and f.rows_from is None:
        return None
    out: list[dict[str, str]] = []
    for r in f.rows or []:
        out.append({"heading": r.heading} if isinstance(r, Heading) else {"row": r})
    if f.rows_from is not None:
        out += [{"row": c["label"] if f.rows_from in ("hazards", "equipment") else c["value"]}
                for c in source_choices(f.rows_from, profile, library, on=on)]
    return out


def field_json(f: FormField, profile: CompanyProfile, library: Library, *,
               on: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {"id": f.id, "label": f.label, "kind": f.kind,
                           "required": f.required}
    if f.help:
        out["help"] = f.help
    if f.when is not None:
        out["when"] = f.when.model_dump(exclude_none=True)
    if f.choices is not None:
        out["choices"] = [{"value": c.value, "label": c.label} if isinstance(c, Choice)
                          else {"value": c, "label": c} for c in f.choices]
    elif f.data_source is not None:
        out["from"] = f.data_source
        out["choices"] = source_choices(f.data_source, profile, library, on=on)
    elif f.kind == "yes_no":
        out["choices"] = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]
    elif f.kind == "rating":
        out["choices"] = [{"value": v, "label": v} for v in ("A", "B", "C")]
    if f.kind == "group":
        out["fields"] = [field_json(sub, profile, library, on=on) for sub in f.fields or []]
        rows = group_rows(f, profile, library, on=on)
        if rows is not None:
            out["rows"] = rows
    return out


def form_json(form_id: str, title: str, revision: int, category: str | None,
              definition: FormFields, profile: CompanyProfile, library: Library, *,
              on: dt.date) -> dict[str, Any]:
    return {"id": form_id, "title": title, "revision": revision, "category": category,
            "sections": [{"title": s.title, **({"help": s.help} if s.help else {}),
                          **({"when": s.when.model_dump(exclude_none=True)} if s.when
                             else {}),
                          "fields": [field_json(f, profile, library, on=on)
                                     for f in s.fields]}
                         for s in definition.sections]}


def app_data(profile: CompanyProfile, library: Library, *, submission: str | None,
             on: dt.date) -> dict[str, Any]:
    """What `GET /forms/app.json` answers (see the module docstring)."""
    forms = []
    for info in library.forms:
        definition = library.form_definition(info.id)
        if definition is None:
            continue
        forms.append(form_json(info.id, info.title, info.revision, info.category,
                               definition, profile, library, on=on))
    body = {"company": profile.profile.company.name, "forms": forms,
            "submission": submission}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False)
                            .encode("utf-8")).hexdigest()[:16]
    return {"company": body["company"], "version": digest, "forms": forms,
            "submission": submission}
