"""The portal's shared pages: the start page, choosing a company, an invitation's link,
and what every page's header shows about the signed-in person."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from manualgen.portal import accounts
from manualgen.portal.adapter import SESSION_KEY
from manualgen.portal.middleware import SESSION_COMPANY
from manualgen.web.middleware import error_page
from manualgen.web.permissions import Action, can, open_to_all

MEMBER_NAV = (("portal-overview", "Overview"), ("company", "Company"),
              ("manual", "Manual and forms"), ("status", "Status"),
              ("submissions", "Submission"), ("members", "People"))
STAFF_NAV = (("nsny-dashboard", "Companies"), ("nsny-library", "Library"),
             ("nsny-invite", "Invite"),
             ("nsny-audit", "Audit trail"), ("nsny-builds", "Builds"),
             ("nsny-letter", "Letter template"),
             ("nsny-profile", "My profile"))


def portal_context(request: HttpRequest) -> dict:
    """The header of every portal page: who is signed in, in which company, the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal": {"user": None}, "nav": []}
    current = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    section = current.split("-")[0]
    if section == "submission":
        section = "submissions"
    company = getattr(request, "company", None)
    nav = []
    if company is not None and not request.path.startswith("/nsny/"):
        nav += [(url, label, url.split("-")[0] == section or url == current)
                for url, label in MEMBER_NAV]
    if can(user, Action.NSNY_VIEW):
        nav += [(url, label, url == current or current.startswith(url + "-"))
                for url, label in STAFF_NAV]
    return {"portal": {"user": user, "company": company,
                       "memberships": getattr(request, "memberships", []),
                       "membership": getattr(request, "membership", None)},
            "nav": nav, "folder_name": company.name if company else None}


@open_to_all
def home(request: HttpRequest) -> HttpResponse:
    if request.company is not None and not request.GET.get("staff"):
        return redirect("portal-overview")
    if can(request.user, Action.NSNY_VIEW):
        return redirect("nsny-dashboard")
    if request.memberships:
        return redirect("portal-companies")
    return error_page(request, "You are not in a company yet",
                      "Your account is ready, but no company has added you.",
                      fix="Ask NSNY or your company's owner for an invitation.", status=200)


@open_to_all
def companies(request: HttpRequest) -> HttpResponse:
    """The companies this person belongs to; choosing one opens its pages."""
    if request.method == "POST":
        return switch(request)
    return render(request, "portal/companies.html", {})


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    try:
        wanted = int(request.POST.get("company", ""))
    except ValueError:
        wanted = -1
    if not any(ms.company_id == wanted for ms in request.memberships):
        return error_page(request, "There is no such company",
                          "You are not a member of that company.", status=404)
    request.session[SESSION_COMPANY] = wanted
    return redirect("portal-overview")


@open_to_all
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: sign up with it, or add it to the account signed in."""
    invitation = accounts.pending_invitation(token)
    if invitation is None:
        return error_page(request, "This invitation cannot be used",
                          "It was used already, has expired (invitations last "
                          f"{accounts.INVITATION_DAYS} days) or the link is incomplete.",
                          fix="Ask NSNY for a new invitation.", status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            accounts.accept_invitation(token, request.user)
            if invitation.company_id:
                request.session[SESSION_COMPANY] = invitation.company_id
            return redirect("/")
        return render(request, "portal/accept.html", {"invitation": invitation})
    request.session[SESSION_KEY] = token
    from allauth.account.models import EmailAddress
    from django_scopes import scopes_disabled

    from manualgen.portal.models import User

    with scopes_disabled():
        known = User.objects.filter(email__iexact=invitation.email).exists() or \
            EmailAddress.objects.filter(email__iexact=invitation.email).exists()
    if known:
        return redirect(f"/accounts/login/?next=/invite/{token}/")
    return redirect("/accounts/signup/?" + urlencode({"email": invitation.email}))


def too_many(request: HttpRequest, exception=None) -> HttpResponse:
    """allauth's answer to too many sign-ins or resets from one place (its handler429)."""
    return error_page(request, "Too many tries",
                      "There were too many attempts from here in a short time; for your "
                      "account's safety the portal waits before it takes more.",
                      fix="Wait a few minutes, then try again. Forgot the password? Use "
                          "'Forgot your password?' on the sign-in page.", status=429)
