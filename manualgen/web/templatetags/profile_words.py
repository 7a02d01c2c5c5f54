"""`{% problem_place p %}`: where a problem of the company profile is, in the words of
the Company pages (the question's label), not company.yaml's path."""

from __future__ import annotations

from django import template

from manualgen import api
from manualgen.web import profile_form as pf

register = template.Library()
_groups: dict[int, dict[str, api.workspace.Group]] = {}


def _groups_of(library: api.Library) -> dict[str, api.workspace.Group]:
    found = _groups.get(id(library))
    if found is None:
        found = {g.key: g for g in api.workspace.questions(library)}
        _groups.clear()                     # one library at a time (a reload replaces it)
        _groups[id(library)] = found
    return found


@register.simple_tag(takes_context=True)
def problem_place(context, problem: api.Problem, section: bool = False) -> str:
    request = context.get("request")
    site = getattr(request, "site", None)
    if site is None:
        return problem.field or ""
    return pf.problem_place(problem, _groups_of(site.library), section=section)
