"""The portal's gate: who may see a page, and on which company's data it works.

- the sign-in pages, an invitation's link and static files are open to all;
- anybody else not signed in is sent to the sign-in page;
- NSNY's pages (/nsny/) and the Django admin lift the company scope on purpose (they look
  across companies); who may open them is `permissions`' answer (NSNY staff, NSNY admins),
  anybody else gets 404;
- NSNY staff set up an authenticator app before anything else (MANUALGEN_PORTAL_STAFF_MFA);
- every other page runs inside `scope(company=...)` of the company the person chose,
  from their own memberships; a page of a company needs one chosen.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from manualgen import api
from manualgen.portal import models as m
from manualgen.web.middleware import CSP
from manualgen.web.permissions import Action, can

OPEN = ("/accounts/", "/invite/", "/static/")
STAFF = ("/nsny/",)
ADMIN = ("/admin/",)
NO_COMPANY = ("/", "/companies/")            # pages of a signed-in person without one
SESSION_COMPANY = "portal_company"


def has_authenticator(user: m.User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class PortalGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._gate(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Cache-Control", "no-store")
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """A submission folder the company does not have: 404, as for an id of another
        company (the local app, with one folder, calls it a bad request)."""
        if isinstance(exc, api.NoSuchFolder):
            from manualgen.web.views.common import not_found

            return not_found(request, exc)
        return None

    def _gate(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        request.company = None
        request.membership = None
        if path.startswith(OPEN):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={path}")
        with scope(user=user.pk):
            request.memberships = list(m.Membership.objects.select_related("company")
                                       .order_by("company__name"))
        if user.is_nsny and settings.PORTAL_STAFF_MFA_REQUIRED and \
                not has_authenticator(user):
            from django.contrib import messages

            if path != reverse("mfa_activate_totp"):
                messages.info(request, "NSNY staff set up an authenticator app before "
                                       "anything else: it keeps every company's files safe. "
                                       "Scan the code below, then type the six digits.")
            return redirect("mfa_activate_totp")
        if path.startswith(STAFF + ADMIN):
            if not can(user, Action.NSNY_VIEW if path.startswith(STAFF) else Action.ADMIN):
                raise Http404(path)
            with scopes_disabled():
                return self.get_response(request)
        chosen = request.session.get(SESSION_COMPANY)
        membership = next((ms for ms in request.memberships if ms.company_id == chosen), None)
        if membership is None and len(request.memberships) == 1:
            membership = request.memberships[0]
        if membership is None:
            if path in NO_COMPANY:
                with scope(user=user.pk):          # company rows stay refused
                    return self.get_response(request)
            if request.memberships:
                return redirect("portal-companies")
            raise Http404(path)
        request.membership = membership
        request.company = membership.company
        with scope(user=user.pk, company=membership.company_id):
            return self.get_response(request)
