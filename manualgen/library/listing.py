"""`manualgen library list`: the library at a glance, for NSNY staff.

Policies with their element, when they apply, revision and review date; forms with the
policies that rely on them; hazard keys with the policies they switch on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manualgen.inputs.library.load import Library


def text_table(header: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A plain-text table with columns padded to their widest cell."""
    right = right or set()
    widths = [max(len(str(r[c])) for r in [header, *rows]) for c in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [str(cell).rjust(w) if c in right else str(cell).ljust(w)
                 for c, (cell, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def users_of_forms(lib: Library) -> dict[str, list[str]]:
    """Form id -> ids of the policies that list it under `forms:`."""
    used: dict[str, list[str]] = {f.id: [] for f in lib.forms}
    for policy in lib.policies:
        for form_id in policy.header.forms:
            used.setdefault(form_id, []).append(policy.id)
    return used


def switched_on(lib: Library) -> dict[str, list[str]]:
    """Hazard key -> ids of the policies it switches on."""
    out: dict[str, list[str]] = {h.key: [] for h in lib.hazards}
    for policy in lib.policies:
        applies = policy.header.applies
        if applies != "always":
            for key in applies.hazards:
                out.setdefault(key, []).append(policy.id)
    return out


@dataclass
class Listing:
    lib: Library

    def as_dict(self) -> dict[str, Any]:
        lib = self.lib
        used = users_of_forms(lib)
        return {
            "library": {"name": lib.info.name, "version": lib.info.version,
                        "released": lib.info.released.isoformat(),
                        "publisher": lib.info.publisher},
            "policies": [{
                "id": p.id, "title": p.title, "element": p.header.element,
                "applies": p.describe_applies(), "forms": list(p.header.forms),
                "revision": p.header.revision, "reviewed": p.header.reviewed.isoformat(),
                "file": p.path.name,
            } for p in lib.policies],
            "forms": [{"id": f.id, "title": f.title, "element": f.element,
                       "template": f.template, "used_by": used.get(f.id, [])}
                      for f in lib.forms],
            "hazards": [{"key": h.key, "label": h.label, "policies": ids}
                        for h in lib.hazards for ids in [switched_on(lib).get(h.key, [])]],
            "trades": [{"key": t.key, "label": t.label, "hazards": list(t.hazards),
                        "tasks": [x.id for x in lib.trade_tasks(t)],
                        "scenarios": list(t.scenarios), "parts": list(t.parts)}
                       for t in lib.trades],
            "facilities": [{"key": f.key, "name": f.name, "phone": f.phone}
                           for f in lib.facilities],
        }

    def as_text(self) -> str:
        lib = self.lib
        info = lib.info
        out = [
            f"{info.name}, version {info.version} (released {info.released.isoformat()}, "
            f"{info.publisher})",
            f"{len(lib.policies)} policies, {len(lib.forms)} forms, "
            f"{len(lib.hazards)} hazard keys, {len(lib.trades)} trades, "
            f"{len(lib.procedures)} safe job procedures, {len(lib.elements)} audit elements",
            "",
            "Policies",
            text_table(["el", "id", "title", "applies", "rev", "reviewed"], [
                [str(p.header.element), p.id, p.title, p.describe_applies(),
                 str(p.header.revision), p.header.reviewed.isoformat()]
                for p in lib.policies], right={0, 4}),
            "",
            "Forms",
        ]
        used = users_of_forms(lib)
        out.append(text_table(["el", "id", "title", "used by"], [
            [str(f.element), f.id, f.title, ", ".join(used.get(f.id, [])) or "(no policy)"]
            for f in sorted(lib.forms, key=lambda f: (f.element, f.id))], right={0}))
        out += ["", "Hazard keys"]
        switches = switched_on(lib)
        out.append(text_table(["key", "label", "switches on"], [
            [h.key, h.label, ", ".join(switches.get(h.key, [])) or "(no policy)"]
            for h in lib.hazards]))
        out += ["", "Trades (company.trades; their usual hazards come into the manual)"]
        out.append(text_table(["key", "label", "usual hazards"], [
            [t.key, t.label, ", ".join(t.hazards)] for t in lib.trades]))
        out += ["", "Medical facilities (worksites' facility)"]
        out.append(text_table(["key", "name", "phone"], [
            [f.key, f.name, f.phone or "(not known)"] for f in lib.facilities]))
        return "\n".join(out)


def list_library(lib: Library) -> Listing:
    return Listing(lib)
