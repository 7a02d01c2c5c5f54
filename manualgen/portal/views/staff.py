"""NSNY's pages: every company at a glance, invitations, reviews with the records behind
each category, the audit trail and the Letter of Good Standing's template.

The gate lets only NSNY staff in and lifts the company scope for these pages on purpose:
they look across companies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from manualgen import api
from manualgen.portal import accounts, audit
from manualgen.portal import models as m
from manualgen.portal import review as flow
from manualgen.portal.figures import FILTERS, figures, keep
from manualgen.portal.views.employer import send_frozen, send_letter
from manualgen.web import viewmodels
from manualgen.web.permissions import Action, Role, can, refuse, requires


@requires(Action.NSNY_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    which = request.GET.get("f", "")
    companies = m.Company.objects.all()
    if query:
        companies = companies.filter(Q(name__icontains=query) | Q(folder__icontains=query))
    reviews = list(m.Review.objects.all())
    rows = [figures(request.site, c, reviews) for c in companies]
    rows = [r for r in rows if keep(r, which)]
    rows.sort(key=lambda r: (r.days_left is None, r.days_left if r.days_left is not None
                             else 0, r.name))
    waiting = m.Review.objects.filter(state__in=flow.WITH_NSNY).select_related("company") \
        .order_by("updated")
    from manualgen.portal.views.library import overdue_policies, versions_in_use

    return render(request, "portal/dashboard.html", {
        "rows": rows, "query": query, "which": which, "filters": FILTERS.items(),
        "waiting": waiting, "today": request.site.today(),
        "library": request.site.library.info,
        "versions": versions_in_use(request.site, list(m.Company.objects.all())),
        "overdue": overdue_policies(request)})


@requires(Action.NSNY_VIEW)
def company(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Company, pk=pk)
    audit.record(request, audit.What.COMPANY_OPENED, company=found, target=found.name)
    reviews = list(m.Review.objects.filter(company=found))
    return render(request, "portal/staff_company.html", {
        "company": found, "figures": figures(request.site, found, reviews),
        "reviews": reviews,
        "members": m.Membership.objects.filter(company=found).select_related("user"),
        "invitations": m.Invitation.objects.filter(company=found, accepted__isnull=True),
        "letters": m.Letter.objects.filter(company=found).order_by("-issued")})


@requires(Action.INVITE)
def invite(request: HttpRequest) -> HttpResponse:
    link = None
    error = None
    if request.method == "POST":
        role = request.POST.get("role", Role.OWNER)
        if role == Role.ADMIN and not can(request, Action.INVITE_ADMIN):
            return refuse(request, Action.INVITE_ADMIN)
        try:
            target = None
            if role in accounts.COMPANY_ROLES:
                target = accounts.company_named(request.POST.get("company", ""))
            invitation, token = accounts.invite(request.POST.get("email", ""), role,
                                                company=target, by=request.user)
            link = f"{settings.PORTAL_ORIGIN}/invite/{token}/"
            from manualgen.portal.mail import send_invitation

            send_invitation(invitation, link)
        except api.UsageError as exc:
            error = str(exc)
    return render(request, "portal/invite.html", {
        "link": link, "error": error,
        "companies": m.Company.objects.order_by("name"),
        "roles": [(Role.OWNER, "Owner of the company"), (Role.MEMBER, "Member of the company"),
                  (Role.CONSULTANT, "Consultant to the company"),
                  (Role.REVIEWER, "NSNY reviewer")] +
                 ([(Role.ADMIN, "NSNY admin")] if can(request, Action.INVITE_ADMIN) else [])})


def _targets(request: HttpRequest, review: m.Review, rnd: m.Round | None) -> dict:
    """What a comment can be attached to: categories, samples, policies of the round."""
    out: dict[str, list[str]] = {"category": [], "sample": [], "policy": []}
    if rnd is None:
        return out
    out["policy"] = list(rnd.policies)
    if review.kind == m.ANNUAL:
        out["category"] = [c.title for c in api.submission.categories(request.site.library)]
        out["sample"] = [f["name"].split("/", 1)[1] for f in rnd.files
                         if f["name"].startswith(flow.SUBMISSION_DIR + "/") and
                         "/records/" not in f["name"] and f["name"].count("/") >= 2]
    return out


def _records(request: HttpRequest, rnd: m.Round) -> tuple[list, list]:
    """The frozen submission judged as the employer's page judged it, with its records."""
    site = request.site
    frozen = site.root / "frozen" / rnd.folder
    folder = frozen / flow.SUBMISSION_DIR
    if not folder.is_dir():
        return [], []
    profile = api.load_profile(frozen / "company.yaml", site.library)
    sub = api.submission.load(folder, site.library, company=profile, on=site.today())
    report = api.submission.check(sub, on=site.today())
    return viewmodels.categories(report, sub), viewmodels.record_tables(folder, site.library)


@requires(Action.NSNY_VIEW)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Review.objects.select_related("company"), pk=pk)
    audit.record(request, audit.What.REVIEW_OPENED, company=found.company, target=found.title)
    rounds = list(m.Round.objects.filter(review=found).order_by("-number"))
    current = rounds[0] if rounds else None
    categories, tables = _records(request, current) if current and \
        found.kind == m.ANNUAL else ([], [])
    return render(request, "portal/staff_review.html", {
        "review": found, "rounds": rounds, "current": current,
        "comments": list(m.Comment.objects.filter(review=found).select_related("round",
                                                                               "by")),
        "transitions": list(m.Transition.objects.filter(review=found).select_related("by")),
        "targets": _targets(request, found, current), "categories": categories,
        "tables": tables, "letter": m.Letter.objects.filter(review=found).first(),
        "staff_view": True, "unsigned": found.kind == m.ANNUAL and
        not flow.signs_letters(request.user)})


@require_POST
@requires(Action.REVIEW)
def act(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Review.objects.select_related("company"), pk=pk)
    action = request.POST.get("action", "")
    if action == "approve" and not can(request, Action.APPROVE):
        return refuse(request, Action.APPROVE)
    if action == "start":
        flow.move(found, "start", request.user)
    elif action == "comment":
        kind = request.POST.get("target_kind", "general")
        made = flow.comment(found, request.user, target_kind=kind,
                            target=request.POST.get(f"target_{kind}", ""),
                            kind=request.POST.get("kind", m.ACTIONABLE),
                            text=request.POST.get("text", ""))
        audit.record(request, audit.What.COMMENTED, company=found.company,
                     target=f"{found.title}, round {made.round.number}",
                     note=made.text[:200])
    elif action == "return":
        flow.give_back(found, request.user)
        from manualgen.portal.mail import send_returned

        send_returned(found, f"{settings.PORTAL_ORIGIN}/reviews/{found.pk}/")
    elif action == "approve":
        if found.kind == m.ANNUAL and not flow.signs_letters(request.user):
            return redirect(reverse("nsny-profile") + "?" + urlencode(
                {"sign": 1, "next": reverse("nsny-review", args=[found.pk])}))
        flow.approve(request.site, found, request.user)
    else:
        raise api.UsageError("unknown action", fix="reload the page")
    return redirect("nsny-review", pk=found.pk)


@requires(Action.NSNY_VIEW)
def round_file(request: HttpRequest, pk: int, number: int, name: str) -> HttpResponse:
    found = get_object_or_404(m.Review.objects.select_related("company"), pk=pk)
    rnd = get_object_or_404(m.Round, review=found, number=number)
    response = send_frozen(request, rnd, name)
    audit.record(request, audit.What.FILE_READ, company=found.company,
                 target=f"{found.title}, round {number}: {name}")
    return response


@requires(Action.NSNY_VIEW)
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Letter.objects.select_related("company"), review__pk=pk)
    response = send_letter(request, found)
    audit.record(request, audit.What.LETTER_READ, company=found.company, target=found.number)
    return response


@dataclass(frozen=True)
class Entry:
    """One line of the audit page: a review's move or an `Event`."""

    at: dt.datetime
    company: str
    what: str                   # a review's title, or what happened
    target: str                 # what it happened to ("" for a review's move)
    review_id: int | None
    source: str                 # a review's move: from which state to which
    to: str
    by: str
    note: str


AUDIT_ROWS = 500


@requires(Action.AUDIT)
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Reviews' moves and the other events, newest first; by company, or by a company's
    or a person's name."""
    steps = m.Transition.objects.select_related("review", "company", "by")
    events = m.Event.objects.select_related("company", "by")
    query = request.GET.get("q", "").strip()
    if query:
        steps = steps.filter(Q(company__name__icontains=query) |
                             Q(by__email__icontains=query))
        events = events.filter(Q(company__name__icontains=query) |
                               Q(by__email__icontains=query) | Q(target__icontains=query))
    try:
        chosen = int(request.GET.get("company", ""))
    except ValueError:
        chosen = None
    if chosen is not None:
        steps, events = steps.filter(company_id=chosen), events.filter(company_id=chosen)
    rows = [Entry(t.at, t.company.name, t.review.title, "", t.review_id,
                  t.get_source_display(), t.get_target_display(), str(t.by or "-"), t.note)
            for t in steps.order_by("-at", "-pk")[:AUDIT_ROWS]]
    rows += [Entry(e.at, e.company.name if e.company else "", audit.label(e.action),
                   e.target, None, "", "", str(e.by or "-"), e.note)
             for e in events.order_by("-at", "-pk")[:AUDIT_ROWS]]
    rows.sort(key=lambda r: r.at, reverse=True)
    return render(request, "portal/audit.html", {
        "rows": rows[:AUDIT_ROWS], "query": query, "chosen": chosen,
        "companies": m.Company.objects.order_by("name")})


@requires(Action.NSNY_VIEW, write=Action.EDIT_LETTER_TEMPLATE)
def letter_template(request: HttpRequest) -> HttpResponse:
    error = None
    saved = request.GET.get("saved")
    text = flow.current_template()
    if request.method == "POST":
        text = request.POST.get("text", "").replace("\r\n", "\n")
        try:
            api.letters.text(text, api.letters.LetterValues.sample(request.site.today()))
        except api.InputError as exc:
            error = "; ".join(p.message + (f" (line {p.line})" if p.line else "")
                              for p in exc.problems)
        else:
            made = m.LetterTemplate.objects.create(text=text, saved_by=request.user)
            audit.record(request, audit.What.TEMPLATE_EDITED, target="Letter of Good Standing",
                         note=f"version {made.pk}, {len(text)} characters")
            return redirect("/nsny/letter/?saved=1")
    return render(request, "portal/letter_template.html", {
        "text": text, "error": error, "saved": saved,
        "history": m.LetterTemplate.objects.select_related("saved_by")[:20]})


@requires(Action.NSNY_VIEW)
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in NSNY person's own name and title: a Letter of Good Standing they
    approve is signed with them."""
    user = request.user
    back = request.GET.get("next", "")
    if not back.startswith("/nsny/") or "//" in back or "\\" in back:
        back = ""
    errors: dict[str, str] = {}
    name, title = user.name, user.title
    if request.method == "POST":
        name = " ".join(request.POST.get("name", "").split())
        title = " ".join(request.POST.get("title", "").split())
        if not name:
            errors["name"] = "Write your name as a letter you approve should be signed."
        for key, value in (("name", name), ("title", title)):
            if len(value) > 150:
                errors[key] = "Shorten it to 150 characters or fewer."
        if not errors:
            user.name, user.title = name, title
            user.save(update_fields=["name", "title"])
            audit.record(request, audit.What.SIGNATURE_CHANGED,
                         note=f"{name}, {title}" if title else name)
            return redirect(back or f"{reverse('nsny-profile')}?saved=1")
    return render(request, "portal/profile.html", {
        "name": name, "title": title, "errors": errors, "back": back,
        "saved": request.GET.get("saved"), "sign": request.GET.get("sign")})


@requires(Action.NSNY_VIEW)
def builds(request: HttpRequest) -> HttpResponse:
    """The builds of the last weeks that failed, and those waiting or running now: what
    NSNY looks at when an owner says a build did not finish (the details of each failure
    are in DATA/logs/portal.log)."""
    from manualgen.portal.jobs import recover

    recover()
    return render(request, "portal/builds.html", {
        "failed": m.Build.objects.filter(state=m.FAILED).select_related(
            "company", "requested_by").order_by("-finished")[:200],
        "open": m.Build.objects.filter(state__in=(m.QUEUED, m.RUNNING)).select_related(
            "company", "requested_by").order_by("created"),
        "log": request.site.root / "logs" / "portal.log"})
