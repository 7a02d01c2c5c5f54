"""The Status page: the SECOR cycle as a dashboard, and its calendar file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from manualgen import api
from manualgen.web import viewmodels
from manualgen.web.permissions import Action, requires


def _report(request: HttpRequest) -> tuple[api.status.StatusReport | None, api.ProfileCheck | None]:
    ws = request.workspace
    if not ws.has_profile:
        return None, None
    library = request.site.library
    check = api.check_profile(ws.profile_path, library)
    if not check.ok:
        return None, check
    return api.status.report(check.profile, library, on=request.site.today()), check


@requires(Action.VIEW)
def page(request: HttpRequest) -> HttpResponse:
    report, check = _report(request)
    people = viewmodels.people(report) if report is not None else []
    return render(request, "web/status.html", {"report": report, "check": check,
                                               "people": people,
                                               "today": request.site.today(),
                                               **open_actions(request)})


def open_actions(request: HttpRequest) -> dict:
    """The action plan's open items for the page's "Open actions" list (overview, status)."""
    ws = request.workspace
    names = ws.submissions()
    if not names:
        return {}
    return {"open_actions": api.forms.open_actions(ws, request.site.library),
            "open_actions_submission": names[0],
            "today_iso": request.site.today().isoformat()}


@requires(Action.VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    report, _check = _report(request)
    if report is None:
        raise api.UsageError("the company profile is missing or has problems",
                             fix="fix it on the Company pages first")
    response = HttpResponse(api.status.calendar(report), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="secor-dates.ics"'
    return response
