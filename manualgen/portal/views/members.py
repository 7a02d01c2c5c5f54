"""The company's people: who is in it with which role, and, for its owner, inviting more
people (a member, a consultant, another owner), changing a role and taking someone out;
and the crew links: a link (and its QR code) that lets a phone fill in the company's forms
without an account, until the owner turns it off.

Memberships are scoped by person (each person reaches their own); this page lifts that on
purpose and filters by the chosen company itself.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from manualgen import api
from manualgen.portal import accounts, audit
from manualgen.portal import models as m
from manualgen.portal.middleware import SESSION_CREW
from manualgen.web.permissions import Action, Role, open_to_all, requires

NOTICES = {"role": "The role is changed.", "removed": "They are out of the company.",
           "crew-off": "The crew link is turned off: phones opened with it can no longer "
                       "send forms."}
CREW_SESSION_DAYS = 180          # a crew phone stays in until the link is turned off


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _crew_link(request: HttpRequest) -> tuple[str, str]:
    """A new crew link of the chosen company: (its address, its QR code as inline SVG)."""
    import segno

    label = " ".join(request.POST.get("label", "").split())[:100]
    if not label:
        raise api.UsageError("give the link a name", fix="for example: Crew phones 2026")
    token = secrets.token_urlsafe(24)
    m.CrewLink.objects.create(company=request.company, label=label,
                              token_hash=token_hash(token), created_by=request.user)
    audit.record(request, audit.What.CREW_LINK_MADE, target=label)
    url = f"{settings.PORTAL_ORIGIN}/crew/{token}/"
    return url, segno.make(url, error="m").svg_inline(scale=4, title=f"QR code: {label}")


def _revoke(request: HttpRequest) -> HttpResponse:
    try:
        link = m.CrewLink.objects.get(pk=int(request.POST.get("link", "")))
    except (ValueError, m.CrewLink.DoesNotExist):
        raise Http404("link") from None
    if link.revoked is None:
        link.revoked = timezone.now()
        link.save(update_fields=["revoked"])
        audit.record(request, audit.What.CREW_LINK_REVOKED, target=link.label)
    return redirect(reverse("members") + "?done=crew-off")


@open_to_all
def crew_open(request: HttpRequest, token: str) -> HttpResponse:
    """A crew link opened on a phone: its session may fill in the company's forms (the
    gate lets it reach /forms/ only), then the phone app."""
    with scopes_disabled():
        link = m.CrewLink.objects.filter(token_hash=token_hash(token),
                                         revoked__isnull=True).first()
    if link is None:
        raise Http404("crew link")
    if not request.user.is_authenticated:
        request.session.cycle_key()
        request.session[SESSION_CREW] = link.pk
        request.session.set_expiry(CREW_SESSION_DAYS * 24 * 3600)
    return redirect("phone")


def _members(company: m.Company) -> list[m.Membership]:
    with scopes_disabled():
        return list(m.Membership.objects.filter(company=company).select_related("user")
                    .order_by("user__email"))


def _change(request: HttpRequest, action: str) -> HttpResponse:
    try:
        pk = int(request.POST.get("member", ""))
    except ValueError:
        raise Http404("member") from None
    found = next((ms for ms in _members(request.company) if ms.pk == pk), None)
    if found is None:
        raise Http404("member")
    if action == "remove":
        accounts.remove_member(found, by=request.user)
        if found.user_id == request.user.pk:
            return redirect("/")
        return redirect(reverse("members") + "?done=removed")
    accounts.change_role(found, request.POST.get("role", ""), by=request.user)
    return redirect(reverse("members") + "?done=role")


@requires(Action.VIEW, write=Action.MANAGE_MEMBERS)
def members(request: HttpRequest) -> HttpResponse:
    link = error = crew_url = crew_qr = None
    if request.method == "POST":
        action = request.POST.get("action", "invite")
        if action in ("role", "remove"):
            return _change(request, action)
        if action == "crew-off":
            return _revoke(request)
        if action == "crew":
            try:
                crew_url, crew_qr = _crew_link(request)
            except api.UsageError as exc:
                error = str(exc)
        else:
            role = request.POST.get("role", Role.MEMBER)
            try:
                if role not in accounts.COMPANY_ROLES:
                    raise api.UsageError(f"the role {role!r} is unknown",
                                         fix="choose one from the list")
                invitation, token = accounts.invite(request.POST.get("email", ""), role,
                                                    company=request.company,
                                                    by=request.user)
                link = f"{settings.PORTAL_ORIGIN}/invite/{token}/"
                from manualgen.portal.mail import send_invitation

                send_invitation(invitation, link)
            except api.UsageError as exc:
                error = str(exc)
    return render(request, "portal/members.html", {
        "members": _members(request.company),
        "invitations": m.Invitation.objects.filter(accepted__isnull=True,
                                                   expires__gt=timezone.now())
        .order_by("-created"),
        "roles": m.MEMBER_ROLES, "link": link, "error": error,
        "notice": NOTICES.get(request.GET.get("done", "")),
        "crew_links": list(m.CrewLink.objects.filter(company=request.company)),
        "crew_url": crew_url, "crew_qr": crew_qr,
    })
