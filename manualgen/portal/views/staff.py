"""NSNY's pages: every company at a glance, invitations, reviews with the records behind
each category, the audit trail and the Letter of Good Standing's template.

The gate lets only NSNY staff in and lifts the company scope for these pages on purpose:
they look across companies.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from manualgen import api
from manualgen.portal import accounts
from manualgen.portal import models as m
from manualgen.portal import review as flow
from manualgen.portal.figures import FILTERS, figures, keep
from manualgen.portal.views.employer import send_frozen, send_letter
from manualgen.web.middleware import error_page


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
    return render(request, "portal/dashboard.html", {
        "rows": rows, "query": query, "which": which, "filters": FILTERS.items(),
        "waiting": waiting, "today": request.site.today()})


def company(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Company, pk=pk)
    reviews = list(m.Review.objects.filter(company=found))
    return render(request, "portal/staff_company.html", {
        "company": found, "figures": figures(request.site, found, reviews),
        "reviews": reviews,
        "members": m.Membership.objects.filter(company=found).select_related("user"),
        "invitations": m.Invitation.objects.filter(company=found, accepted__isnull=True),
        "letters": m.Letter.objects.filter(company=found).order_by("-issued")})


def invite(request: HttpRequest) -> HttpResponse:
    link = None
    error = None
    if request.method == "POST":
        role = request.POST.get("role", m.OWNER)
        if role == m.ADMIN and request.user.nsny_role != m.ADMIN:
            return error_page(request, "Not allowed", "Only an NSNY admin invites admins.",
                              status=403)
        try:
            target = None
            if role in (m.OWNER, m.MEMBER):
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
        "roles": [(m.OWNER, "Owner of the company"), (m.MEMBER, "Member of the company"),
                  (m.REVIEWER, "NSNY reviewer")] +
                 ([(m.ADMIN, "NSNY admin")] if request.user.nsny_role == m.ADMIN else [])})


def _targets(request: HttpRequest, review: m.Review, rnd: m.Round | None) -> dict:
    """What a comment can be attached to: categories, samples, policies of the round."""
    out: dict[str, list[str]] = {"category": [], "sample": [], "policy": []}
    if rnd is None:
        return out
    out["policy"] = list(rnd.policies)
    if review.kind == m.ANNUAL:
        out["category"] = [c.title for c in api.submission_categories(request.site.library)]
        out["sample"] = [f["name"].split("/", 1)[1] for f in rnd.files
                         if f["name"].startswith(flow.SUBMISSION_DIR + "/") and
                         "/records/" not in f["name"] and f["name"].count("/") >= 2]
    return out


def _records(request: HttpRequest, rnd: m.Round) -> tuple[list[dict], list[dict]]:
    """The frozen submission judged as the employer's page judged it, with its records."""
    site = request.site
    frozen = site.root / "frozen" / rnd.folder
    folder = frozen / flow.SUBMISSION_DIR
    if not folder.is_dir():
        return [], []
    profile = api.load_profile(frozen / "company.yaml", site.library)
    sub = api.open_submission(folder, site.library, company=profile, on=site.today())
    report = api.check_submission(sub, on=site.today())
    categories = [{"number": c.number, "title": c.category.title,
                   "state": str(c.status), "text": c.status_text,
                   "samples": [{"rel": s.rel, "title": s.title, "date": s.date,
                                "file": f"{flow.SUBMISSION_DIR}/{s.rel}"} for s in c.samples]}
                  for c in report.categories]
    tables = []
    for table in api.record_tables(site.library):
        rows, source = api.read_records(folder, table)
        tables.append({"title": table.title, "columns": [c.label for c in table.columns],
                       "rows": [[r.get(c.name, "") for c in table.columns] for r in rows],
                       "source": source.name if source else None})
    return categories, tables


def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Review.objects.select_related("company"), pk=pk)
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
        "staff_view": True})


@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.Review.objects.select_related("company"), pk=pk)
    action = request.POST.get("action", "")
    if action == "start":
        flow.move(found, "start", request.user)
    elif action == "comment":
        kind = request.POST.get("target_kind", "general")
        flow.comment(found, request.user, target_kind=kind,
                     target=request.POST.get(f"target_{kind}", ""),
                     kind=request.POST.get("kind", m.ACTIONABLE),
                     text=request.POST.get("text", ""))
    elif action == "return":
        flow.give_back(found, request.user)
        from manualgen.portal.mail import send_returned

        send_returned(found, f"{settings.PORTAL_ORIGIN}/reviews/{found.pk}/")
    elif action == "approve":
        flow.approve(request.site, found, request.user)
    else:
        raise api.UsageError("unknown action", fix="reload the page")
    return redirect("nsny-review", pk=found.pk)


def round_file(request: HttpRequest, pk: int, number: int, name: str) -> HttpResponse:
    found = get_object_or_404(m.Review, pk=pk)
    rnd = get_object_or_404(m.Round, review=found, number=number)
    return send_frozen(request, rnd, name)


def letter(request: HttpRequest, pk: int) -> HttpResponse:
    return send_letter(request, get_object_or_404(m.Letter, review__pk=pk))


def audit(request: HttpRequest) -> HttpResponse:
    steps = m.Transition.objects.select_related("review", "company", "by").order_by("-at",
                                                                                   "-pk")
    query = request.GET.get("q", "").strip()
    if query:
        steps = steps.filter(Q(company__name__icontains=query) |
                             Q(by__email__icontains=query))
    return render(request, "portal/audit.html", {"steps": steps[:500], "query": query})


def letter_template(request: HttpRequest) -> HttpResponse:
    error = None
    saved = request.GET.get("saved")
    text = flow.current_template()
    if request.method == "POST":
        if request.user.nsny_role != m.ADMIN:
            return error_page(request, "Not allowed",
                              "Only an NSNY admin changes the letter's wording.", status=403)
        text = request.POST.get("text", "").replace("\r\n", "\n")
        try:
            import datetime as dt

            sample = api.LetterValues(
                "LGS-0000-0000", dt.date.today(),
                {"legal_name": "Example Ltd.", "operating_name": "", "address": "Whitehorse",
                 "wscb_account": "0000000"}, {"number": "S-0000", "date": dt.date.today()},
                {"title": "Annual Documentation Review Submission",
                 "period_start": dt.date.today(), "period_end": dt.date.today(),
                 "anniversary": dt.date.today()}, dt.date.today(), "A reviewer")
            api.letter_text(text, sample)
        except api.InputError as exc:
            error = "; ".join(p.message + (f" (line {p.line})" if p.line else "")
                              for p in exc.problems)
        else:
            m.LetterTemplate.objects.create(text=text, saved_by=request.user)
            return redirect("/nsny/letter/?saved=1")
    return render(request, "portal/letter_template.html", {
        "text": text, "error": error, "saved": saved,
        "history": m.LetterTemplate.objects.select_related("saved_by")[:20]})
