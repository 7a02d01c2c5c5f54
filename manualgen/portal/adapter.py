"""Sign-up by invitation only: the invitation's link puts its token in the session, and
only then does the sign-up form open, with the e-mail address the invitation went to.

Following the link proves the address is the person's (the link went only there), so the
address signs up verified: NSNY staff go straight on to set up their authenticator app,
which allauth refuses to an unverified address. And a sign-in (or the sign-up) of the
last few minutes counts as the "confirm your password" allauth asks before a change to
the account's security: nobody is asked for the password they have just typed."""

from __future__ import annotations

import time

from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from manualgen.portal import accounts

SESSION_KEY = "portal_invitation"
SIGNED_IN_AT = "portal_signed_in_at"
FRESH_SIGN_IN = 15 * 60       # seconds: time to install an authenticator app, too


class InvitationOnly(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return accounts.pending_invitation(request.session.get(SESSION_KEY, "")) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = self.request
        invitation = accounts.pending_invitation(request.session.get(SESSION_KEY, "")) \
            if request is not None else None
        if invitation is not None and email.lower() != invitation.email.lower():
            raise forms.ValidationError(
                f"This invitation is for {invitation.email}: sign up with that address.")
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        token = request.session.pop(SESSION_KEY, "")
        invitation = accounts.accept_invitation(token, user)
        if invitation is not None and invitation.email.lower() == user.email.lower():
            # allauth makes the account's address next, verified when stashed so.
            self.stash_verified_email(request, invitation.email)
        return user

    def login(self, request, user) -> None:
        super().login(request, user)
        request.session[SIGNED_IN_AT] = time.time()

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request
        at = request.session.get(SIGNED_IN_AT) if request is not None else None
        return not (isinstance(at, (int, float)) and 0 <= time.time() - at < FRESH_SIGN_IN)
