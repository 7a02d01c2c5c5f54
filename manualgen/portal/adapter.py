"""Sign-up by invitation only: the invitation's link puts its token in the session, and
only then does the sign-up form open, with the e-mail address the invitation went to."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from manualgen.portal import accounts

SESSION_KEY = "portal_invitation"


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
        accounts.accept_invitation(token, user)
        return user
