"""Companies, invitations and memberships: what NSNY and `manualgen portal` do to let a
person in. An invitation's link carries a random token; the database keeps only its
SHA-256, so a copy of the database opens nobody's invitation."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from manualgen.errors import UsageError
from manualgen.portal import audit
from manualgen.portal import models as m
from manualgen.portal.site import folder_slug
from manualgen.web.permissions import Role

INVITATION_DAYS = 14
COMPANY_ROLES = (Role.OWNER, Role.CONSULTANT, Role.MEMBER)
ROLES = (*COMPANY_ROLES, Role.REVIEWER, Role.ADMIN)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def company_named(name: str, *, create: bool = True) -> m.Company:
    """The company called `name` (any case), made with its own folder when new."""
    name = " ".join(name.split())
    if not name:
        raise UsageError("the company needs a name", fix="give the company's legal name")
    with scopes_disabled():
        found = m.Company.objects.filter(name__iexact=name).first()
        if found is not None or not create:
            if found is None:
                raise UsageError(f"there is no company called {name!r}")
            return found
        base = folder_slug(name)
        for n in range(1, 1000):
            folder = base if n == 1 else f"{base}-{n}"
            if not m.Company.objects.filter(folder=folder).exists():
                try:
                    with transaction.atomic():
                        return m.Company.objects.create(name=name, folder=folder)
                except IntegrityError:
                    continue
    raise UsageError(f"too many companies called {name!r}")


def invite(email: str, role: str, *, company: m.Company | None = None,
           by: m.User | None = None, now: dt.datetime | None = None) -> tuple[m.Invitation, str]:
    """A new invitation and its token (the secret part of the link)."""
    email = m.User.objects.normalize_email(email.strip()).lower()
    if "@" not in email:
        raise UsageError(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise UsageError(f"the role {role!r} is unknown", fix="give " + ", ".join(ROLES))
    if role in COMPANY_ROLES and company is None:
        raise UsageError("an owner, consultant or member is invited into a company",
                         fix="name the company")
    if role in (Role.REVIEWER, Role.ADMIN):
        company = None
    token = secrets.token_urlsafe(32)
    now = now or timezone.now()
    with scopes_disabled():
        invitation = m.Invitation.objects.create(
            token=_digest(token), email=email, company=company, role=role, created_by=by,
            created=now, expires=now + dt.timedelta(days=INVITATION_DAYS))
    audit.record(by, audit.What.INVITED, company=company, target=email,
                 note=dict(m.Invitation._meta.get_field("role").choices)[role])
    return invitation, token


def pending_invitation(token: str) -> m.Invitation | None:
    """The open invitation behind a link's token, or None (unknown, used or expired)."""
    if not token:
        return None
    with scopes_disabled():
        return m.Invitation.objects.select_related("company").filter(
            token=_digest(token), accepted__isnull=True, expires__gt=timezone.now()).first()


def accept_invitation(token: str, user: m.User) -> m.Invitation | None:
    """Give `user` what the invitation offers: a membership, or an NSNY role."""
    invitation = pending_invitation(token)
    if invitation is None:
        return None
    with transaction.atomic(), scopes_disabled():
        if invitation.role in (Role.REVIEWER, Role.ADMIN):
            user.nsny_role = invitation.role
            user.is_staff = user.is_superuser = invitation.role == Role.ADMIN
            user.save(update_fields=["nsny_role", "is_staff", "is_superuser"])
        else:
            membership, made = m.Membership.objects.get_or_create(
                user=user, company=invitation.company, defaults={"role": invitation.role})
            if not made and invitation.role == Role.OWNER and membership.role != Role.OWNER:
                membership.role = Role.OWNER
                membership.save(update_fields=["role"])
        audit.record(user, audit.What.JOINED, company=invitation.company, target=user.email,
                     note=dict(m.Invitation._meta.get_field("role").choices)[invitation.role])
        invitation.accepted = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted", "accepted_by"])
        verify_invited_address(user, invitation.email)
    return invitation


def verify_invited_address(user: m.User, email: str) -> None:
    """The invitation's link went to `email`: whoever followed it reads that mailbox, so
    the account's address, when it is that one, is verified (and primary, when the
    account has no other). An account being made has no address yet: the sign-up makes
    it verified (`adapter.InvitationOnly.save_user`)."""
    from allauth.account.models import EmailAddress

    if user.email.lower() != email.lower():
        return
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        return
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if not address.primary and not EmailAddress.objects.filter(user=user,
                                                               primary=True).exists():
        address.set_as_primary()


def _owners_left(membership: m.Membership) -> int:
    with scopes_disabled():
        return m.Membership.objects.filter(company_id=membership.company_id, role=Role.OWNER,
                                           user__is_active=True) \
            .exclude(pk=membership.pk).count()


def change_role(membership: m.Membership, role: str, *, by: m.User | None) -> None:
    """Give a member another company role; a company keeps at least one owner (someone
    must be able to send its work and let people in)."""
    if role not in COMPANY_ROLES:
        raise UsageError(f"the role {role!r} is unknown", fix="choose one from the list")
    if role == membership.role:
        return
    if membership.role == Role.OWNER and not _owners_left(membership):
        raise UsageError("the company would have no owner left",
                         fix="make someone else an owner first")
    before = membership.get_role_display()
    with transaction.atomic(), scopes_disabled():
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(by, audit.What.ROLE_CHANGED, company=membership.company,
                     target=membership.user.email,
                     note=f"{before} to {membership.get_role_display()}")


def remove_member(membership: m.Membership, *, by: m.User | None) -> None:
    """Take a person out of a company (their account stays); never its last owner."""
    if membership.role == Role.OWNER and not _owners_left(membership):
        raise UsageError("the company would have no owner left",
                         fix="make someone else an owner first")
    with transaction.atomic(), scopes_disabled():
        audit.record(by, audit.What.MEMBER_REMOVED, company=membership.company,
                     target=membership.user.email, note=membership.get_role_display())
        membership.delete()


def make_admin(email: str, password: str) -> m.User:
    """The first NSNY admin (or a new password for an existing one)."""
    email = m.User.objects.normalize_email(email.strip()).lower()
    if "@" not in email:
        raise UsageError(f"{email!r} is not an e-mail address")
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = m.User.objects.filter(email=email).first()
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UsageError("that password is too weak: " + " ".join(exc.messages),
                         fix="choose a longer one, not made of common words") from None
    if user is None:
        return m.User.objects.create_superuser(email, password)
    user.set_password(password)
    user.nsny_role, user.is_staff, user.is_superuser = Role.ADMIN, True, True
    user.save()
    return user
