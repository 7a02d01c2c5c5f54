"""The company's people: who is in it with which role, and, for its owner, inviting more
people (a member, a consultant, another owner), changing a role and taking someone out.

Memberships are scoped by person (each person reaches their own); this page lifts that on
purpose and filters by the chosen company itself.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from manualgen import api
from manualgen.portal import accounts
from manualgen.portal import models as m
from manualgen.web.permissions import Action, Role, requires

NOTICES = {"role": "The role is changed.", "removed": "They are out of the company."}


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
    link = error = None
    if request.method == "POST":
        action = request.POST.get("action", "invite")
        if action in ("role", "remove"):
            return _change(request, action)
        role = request.POST.get("role", Role.MEMBER)
        try:
            if role not in accounts.COMPANY_ROLES:
                raise api.UsageError(f"the role {role!r} is unknown",
                                     fix="choose one from the list")
            invitation, token = accounts.invite(request.POST.get("email", ""), role,
                                                company=request.company, by=request.user)
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
    })
