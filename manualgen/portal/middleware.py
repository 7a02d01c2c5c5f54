"""The portal's gate: who may see a page, and on which company's data it works.

- the sign-in pages, an invitation's link and static files are open to all;
- anybody else not signed in is sent to the sign-in page;
- NSNY's pages (/nsny/) and the Django admin lift the company scope on purpose (they look
  across companies); who may open them is `permissions`' answer (NSNY staff, NSNY admins),
  anybody else gets 404;
- NSNY staff set up an authenticator app before anything else (MANUALGEN_PORTAL_STAFF_MFA);
- every other page runs inside `scope(company=...)` of the company the person chose,
  from their own memberships; a page of a company needs one chosen;
- a phone opened by a company's crew link (`/crew/<token>/`, no account) reaches the
  phone app's addresses (/forms/) of that company and nothing else (404), as long as the
  link is not turned off: it is looked up on every request.
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

OPEN = ("/accounts/", "/invite/", "/static/", "/crew/")
CREW_PATHS = ("/forms/",)                    # all a crew link's phone may open
STAFF = ("/nsny/",)
ADMIN = ("/admin/",)
NO_COMPANY = ("/", "/companies/")            # pages of a signed-in person without one
SESSION_COMPANY = "portal_company"
SESSION_CREW = "portal_crew_link"


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
        if isinstance(exc, api.workspace.NoSuchFolder):
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
        if not user.is_authenticated and request.session.get(SESSION_CREW) is not None:
            return self._crew(request, path)
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

    def _crew(self, request: HttpRequest, path: str) -> HttpResponse:
        """A phone of the crew: its link still on, the phone app's addresses only."""
        with scopes_disabled():
            link = m.CrewLink.objects.select_related("company").filter(
                pk=request.session.get(SESSION_CREW), revoked__isnull=True).first()
        if link is None:
            request.session.pop(SESSION_CREW, None)
            from manualgen.web.middleware import error_page

            return error_page(request, "This crew link is turned off",
                              "The company's owner turned off the link this phone was "
                              "opened with; forms not sent yet stay on the phone.",
                              fix="Ask the owner for the new link or QR code.", status=403)
        if not path.startswith(CREW_PATHS):
            raise Http404(path)
        request.crew_link = link
        request.company = link.company
        with scope(company=link.company_id):
            return self.get_response(request)
