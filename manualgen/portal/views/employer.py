"""The employer's side of the review: the overview (readiness, to-do list, what was sent),
sending the manual or the annual submission, each review's history and its files.

Every query here runs inside the chosen company's scope (see `middleware.PortalGate`):
an id of another company's review finds nothing and answers 404.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from manualgen import api
from manualgen.portal import audit
from manualgen.portal import models as m
from manualgen.portal import review as flow
from manualgen.portal.figures import status_of
from manualgen.web.middleware import error_page
from manualgen.web.permissions import Action, requires
from manualgen.web.views.common import start_job
from manualgen.web.views.status import open_actions


def _signature(folder: Path) -> tuple:
    """What a submission folder holds, cheaply: each file's path, size and time."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            out.append((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def _readiness(request: HttpRequest) -> tuple[str | None, list[api.submission.Readiness],
                                              str | None]:
    """The year's submission judged as its page judges it; kept until a file changes."""
    ws, site = request.workspace, request.site
    names = ws.submissions()
    if not names or not ws.has_profile:
        return None, [], None
    folder = ws.submission(names[0])
    key = ("readiness", folder, ws.profile_path.stat().st_mtime_ns, _signature(folder),
           site.today(), id(site.library))
    if key in site.status_cache:
        return site.status_cache[key]
    check = api.check_profile(ws.profile_path, site.library)
    if not check.ok:
        return names[0], [], None
    sub = api.submission.load(folder, site.library, company=check.profile, on=site.today())
    report = api.submission.check(sub, on=site.today())
    found = (names[0], api.submission.readiness(report), report.deadline_text())
    if len(site.status_cache) > 5000:
        site.status_cache.clear()
    site.status_cache[key] = found
    return found


def _news(request: HttpRequest) -> api.manual.LibraryNews | None:
    """What the library now changes in the company's manual; kept until the profile, its
    revision records, its own policies or the library change."""
    ws, site = request.workspace, request.site
    if not ws.has_profile:
        return None
    key = ("news", str(ws.root), ws.profile_path.stat().st_mtime_ns,
           _signature(ws.root / "revisions"), _signature(ws.root / "policies"),
           id(site.library))
    if key not in site.status_cache:
        if len(site.status_cache) > 5000:
            site.status_cache.clear()
        site.status_cache[key] = api.manual.library_news(ws, site.library)
    return site.status_cache[key]


@require_POST
@requires(Action.EDIT_PROFILE)
def take_library(request: HttpRequest) -> HttpResponse:
    """Take the library's new version into the manual: the next revision, rebuilt by a
    worker; its revision history says what the library changed."""
    ws, site = request.workspace, request.site
    news = api.manual.library_news(ws, site.library)
    spec = api.builds.BuildSpec(api.builds.BuildKind.MANUAL)
    running = site.jobs.running(request, spec.key)
    if running is not None:
        return redirect("job", running.id)
    if not news.rebuild:
        return redirect(reverse("portal-overview") + "?notice=" + quote(
            f"Your manual already has what library {news.version} says."))
    revision = api.manual.new_revision(ws, site.library, on=site.today())
    audit.record(request, audit.What.LIBRARY_TAKEN, target=news.version,
                 note=f"revision {revision}: {news.headline()}")
    return start_job(request, spec, reverse("manual"))


@require_POST
@requires(Action.EDIT_PROFILE)
def own_policy(request: HttpRequest, policy_id: str) -> HttpResponse:
    """A company version the library's change reached: keep it (the change was read),
    or use the library's text from now on (the company's file goes to the history)."""
    ws, site = request.workspace, request.site
    if request.POST.get("do") == "library":
        ws.remove(f"policies/{policy_id}.md")
        base = ws.root / "policies" / ".base" / f"{policy_id}.md"
        if base.is_file():
            ws.remove(f"policies/.base/{policy_id}.md")
        note = ("Your own version is put aside (kept in the folder's history): the next "
                "build uses the library's text. Rebuild the manual on the Manual and "
                "forms page.")
    else:
        for rel, data in api.manual.accept_library_change(ws.profile_path, site.library,
                                                          policy_id).items():
            ws.write(rel, data)
        note = "Your version stays as it is; the library's change is marked as read."
    audit.record(request, audit.What.LIBRARY_KEPT, target=policy_id,
                 note=request.POST.get("do", "keep"))
    return redirect(reverse("portal-overview") + "?notice=" + quote(note))


@requires(Action.VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    reviews = list(m.Review.objects.prefetch_related("rounds").order_by("-updated"))
    tasks = list(m.Comment.objects.select_related("review", "round")
                 .filter(kind=m.ACTIONABLE, review__state=m.RETURNED).order_by("at"))
    name, ready, deadline = _readiness(request)
    ws = request.workspace
    status = status_of(request.site, ws)
    return render(request, "portal/overview.html", {
        "reviews": reviews, "tasks": tasks, "submission_name": name, "readiness": ready,
        "deadline": deadline, "status": status,
        "check": api.check_profile(ws.profile_path, request.site.library)
        if status is None and ws.has_profile else None,
        "manual_built": (ws.output / "manual.docx").is_file(),
        "submission_built": bool(name) and (ws.output / f"{name}.pdf").is_file(),
        "manual_review": flow.latest_review(m.MANUAL),
        "annual_review": flow.latest_review(m.ANNUAL, name) if name else None,
        "notice": request.GET.get("notice"),
        "news": _news(request),
        **open_actions(request),
    })


@require_POST
@requires(Action.SEND)
def send(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    name = request.POST.get("name", "")
    if kind == m.ANNUAL and name not in request.workspace.submissions():
        raise Http404(name)
    review = flow.send(request.site, request.workspace, request.company, request.user,
                       kind, name)
    return redirect("portal-review", pk=review.pk)


@requires(Action.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(m.Review, pk=pk)
    rounds = list(m.Round.objects.filter(review=review).order_by("-number"))
    return render(request, "portal/review.html", {
        "review": review, "rounds": rounds,
        "comments": list(m.Comment.objects.filter(review=review).select_related("round")),
        "transitions": list(m.Transition.objects.filter(review=review)
                            .select_related("by")),
        "letter": m.Letter.objects.filter(review=review).first(),
        "staff_view": False,
    })


@requires(Action.VIEW)
def round_file(request: HttpRequest, pk: int, number: int, name: str) -> HttpResponse:
    review = get_object_or_404(m.Review, pk=pk)
    rnd = get_object_or_404(m.Round, review=review, number=number)
    return send_frozen(request, rnd, name)


def send_frozen(request: HttpRequest, rnd: m.Round, name: str) -> HttpResponse:
    try:
        path = flow.frozen_file(request.site, rnd, name)
    except api.UsageError:
        path = None
    if path is None:
        raise Http404(name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@requires(Action.VIEW)
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Letter, review__pk=pk)
    return send_letter(request, found)


def send_letter(request: HttpRequest, found: m.Letter) -> HttpResponse:
    if not found.file:                  # numbered at approval; a worker is writing it
        return error_page(request, "The letter is being made",
                          f"Letter of Good Standing {found.number} was issued; its PDF is "
                          "being written and is ready within a minute.",
                          fix="Reload this page in a moment.", status=202)
    path = (request.site.root / "frozen" / found.file).resolve()
    if not path.is_relative_to(request.site.root / "frozen") or not path.is_file():
        raise Http404(found.number)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type="application/pdf")


@require_POST
@requires(Action.MARK_DONE)
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(m.Comment, pk=pk)
    flow.mark_done(item, request.user)
    return redirect("portal-overview")
