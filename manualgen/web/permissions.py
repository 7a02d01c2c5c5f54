"""Who may do what in the portal: one table of roles and their rights, asked by every page.

A person holds at most one company role in the company they chose (owner, member or
consultant, from their `Membership`) and at most one NSNY role (reviewer or admin, from
`User.nsny_role`); a phone opened by a company's crew link (no account) holds the crew
role alone, which fills in forms and nothing else. `RIGHTS` says what each role may do;
`can` answers for a request, a membership or a user; `@requires(Action.X)` puts the
question in front of a view. Every
view of the portal's URL patterns carries `@requires` or `@open_to_all` (the security
tests check it), and the gate (`middleware.PortalGate`) asks `can` before NSNY's pages and
the Django admin.

This module decides by role; which company's rows a request can reach at all stays with
django-scopes beneath it (another company's id finds nothing: 404, whatever the role).

A refusal says why in plain words: to a person without any role of the right side (an
employer on an NSNY page, anyone on a company page of a company they are not in) it is
404, as if the page were not there; to a person whose role falls short it is a 403 page
naming who may ("Only the company's owner can send its work to NSNY").

In the local app (`manualgen serve`: one person, their own folder, no accounts; no
`request.membership`) everything is allowed.

It lives with the web app's views, which the portal mounts: the portal builds on the web
app, never the other way round. Nothing here imports the portal's models, so the local
app runs without the portal's apps installed.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PORTAL_MARK = "PORTAL_ORIGIN"           # a setting only the portal's settings have


class Role(StrEnum):
    """The portal's roles; the values are those stored in `Membership.role` and
    `User.nsny_role`."""

    OWNER = "owner"
    CONSULTANT = "consultant"
    MEMBER = "member"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    CREW = "crew"        # a phone opened by the company's crew link: fills forms, no more


COMPANY_ROLES = (Role.OWNER, Role.CONSULTANT, Role.MEMBER)
NSNY_ROLES = (Role.REVIEWER, Role.ADMIN)


class Action(StrEnum):
    """What a page does. The values are the keys of `perms_portal` in the templates."""

    # A company's side (the chosen company only).
    VIEW = "view"                           # its pages, files, reviews, letters, people
    EDIT_PROFILE = "edit_profile"           # company.yaml, the logo, earlier versions
    UPLOAD = "upload"                       # samples: add, rename, date, take out; folders
    EDIT_RECORDS = "edit_records"           # the records tables of a submission
    BUILD = "build"                         # the manual, the forms, the submission PDF
    MARK_DONE = "mark_done"                 # tick off NSNY's comments
    SEND = "send"                           # send the manual or the submission to NSNY
    MANAGE_MEMBERS = "manage_members"       # invite people, change roles, remove them
    FILL_FORMS = "fill_forms"               # the phone app: its forms, send completed ones
    # NSNY's side (across companies).
    NSNY_VIEW = "nsny_view"                 # every company, review and sent file
    AUDIT = "audit"                         # the audit trail
    INVITE = "invite"                       # invite companies' people and reviewers
    REVIEW = "review"                       # start a review, comment, return it
    APPROVE = "approve"                     # approve, which issues the Letter
    INVITE_ADMIN = "invite_admin"           # invite another NSNY admin
    EDIT_LETTER_TEMPLATE = "edit_letter_template"
    EDIT_LIBRARY = "edit_library"           # draft a change to a policy or a form
    REVIEW_LIBRARY = "review_library"       # approve or return another person's draft
    PUBLISH_LIBRARY = "publish_library"     # publish approved drafts as a library version
    ADMIN = "admin"                         # the Django admin (people, companies, roles)


_MEMBER = frozenset({Action.VIEW, Action.UPLOAD, Action.EDIT_RECORDS, Action.BUILD,
                     Action.MARK_DONE, Action.FILL_FORMS})
_CONSULTANT = _MEMBER | {Action.EDIT_PROFILE}
_OWNER = _CONSULTANT | {Action.SEND, Action.MANAGE_MEMBERS}
_REVIEWER = frozenset({Action.NSNY_VIEW, Action.AUDIT, Action.INVITE, Action.REVIEW,
                       Action.APPROVE, Action.EDIT_LIBRARY, Action.REVIEW_LIBRARY})
_ADMIN = _REVIEWER | {Action.INVITE_ADMIN, Action.EDIT_LETTER_TEMPLATE,
                      Action.PUBLISH_LIBRARY, Action.ADMIN}

RIGHTS: dict[Role, frozenset[Action]] = {
    Role.OWNER: _OWNER,
    Role.CONSULTANT: _CONSULTANT,
    Role.MEMBER: _MEMBER,
    Role.REVIEWER: _REVIEWER,
    Role.ADMIN: _ADMIN,
    Role.CREW: frozenset({Action.FILL_FORMS}),
}
COMPANY_ACTIONS = frozenset().union(*(RIGHTS[r] for r in COMPANY_ROLES))
NSNY_ACTIONS = frozenset().union(*(RIGHTS[r] for r in NSNY_ROLES))

LABELS: dict[Role, str] = {Role.OWNER: "Owner", Role.CONSULTANT: "Consultant",
                           Role.MEMBER: "Member", Role.REVIEWER: "NSNY reviewer",
                           Role.ADMIN: "NSNY admin", Role.CREW: "Crew link"}
WHO: dict[Role, str] = {Role.OWNER: "the company's owner",
                        Role.CONSULTANT: "its safety consultant",
                        Role.MEMBER: "its members", Role.REVIEWER: "NSNY's reviewers",
                        Role.ADMIN: "an NSNY admin", Role.CREW: "a crew phone"}
DOES: dict[Action, str] = {
    Action.VIEW: "open the company's pages",
    Action.EDIT_PROFILE: "change the company profile",
    Action.UPLOAD: "add or change the submission's samples",
    Action.EDIT_RECORDS: "change the submission's records",
    Action.BUILD: "build the manual, the forms or the submission PDF",
    Action.MARK_DONE: "tick off NSNY's comments",
    Action.SEND: "send the company's work to NSNY",
    Action.MANAGE_MEMBERS: "invite people to the company or change their roles",
    Action.FILL_FORMS: "fill in the company's forms on a phone and send them",
    Action.NSNY_VIEW: "open NSNY's pages (every company, its reviews and sent files)",
    Action.AUDIT: "read the audit trail",
    Action.INVITE: "invite people to the portal",
    Action.REVIEW: "review a submission",
    Action.APPROVE: "approve a submission",
    Action.INVITE_ADMIN: "invite NSNY admins",
    Action.EDIT_LETTER_TEMPLATE: "change the letter's wording",
    Action.EDIT_LIBRARY: "draft changes to the library's policies and forms",
    Action.REVIEW_LIBRARY: "approve or return a draft of the library",
    Action.PUBLISH_LIBRARY: "publish a new version of the library",
    Action.ADMIN: "open the Django admin (people, companies, roles)",
}
# Refused as if not there even to a person of the right side: the admin's very address.
HIDDEN = frozenset({Action.ADMIN})


def _role(value: str | None) -> Role | None:
    try:
        return Role(value) if value else None
    except ValueError:
        return None


def _user_roles(user: Any) -> set[Role]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    found = _role(getattr(user, "nsny_role", ""))
    return {found} if found in NSNY_ROLES else set()


def is_local(request: HttpRequest) -> bool:
    """The local single-user app: no accounts, no gate, so no membership on its requests.
    Asked of the settings too, so that a portal request the gate somehow missed is
    refused rather than let through."""
    from django.conf import settings

    return not hasattr(request, "membership") and not hasattr(settings, PORTAL_MARK)


def roles_of(subject: Any) -> frozenset[Role]:
    """The roles a request's person holds in the chosen company and at NSNY; a membership's
    company role; a user's NSNY role."""
    if isinstance(subject, HttpRequest):
        roles = _user_roles(getattr(subject, "user", None))
        membership = getattr(subject, "membership", None)
        if membership is not None and (found := _role(membership.role)) in COMPANY_ROLES:
            roles.add(found)
        if getattr(subject, "crew_link", None) is not None:      # set by the portal's gate
            roles.add(Role.CREW)
        return frozenset(roles)
    if hasattr(subject, "company_id") and hasattr(subject, "role"):       # a Membership
        found = _role(subject.role)
        return frozenset({found} if found in COMPANY_ROLES else ())
    return frozenset(_user_roles(subject))


def _user(subject: Any) -> Any:
    return getattr(subject, "user", None) if isinstance(subject, HttpRequest) else subject


def can(subject: Any, action: Action) -> bool:
    """May the person behind `subject` (a request, a `Membership` or a `User`) do `action`?

    Always yes in the local app; the Django admin also needs `is_staff` ("may open the
    admin"), which an NSNY admin's account can have switched off."""
    if isinstance(subject, HttpRequest) and is_local(subject):
        return True
    if action is Action.ADMIN and not getattr(_user(subject), "is_staff", False):
        return False
    return any(action in RIGHTS[role] for role in roles_of(subject))


def allowed(subject: Any) -> dict[str, bool]:
    """Every action's answer, keyed by its value: `perms_portal` in the templates."""
    return {action.value: can(subject, action) for action in Action}


def who_may(action: Action) -> list[Role]:
    return [role for role in Role if action in RIGHTS[role]]


def refusal_text(action: Action) -> tuple[str, str]:
    """(what happened, what to do) in plain words, for a role that falls short."""
    roles = who_may(action)
    names = [WHO[r] for r in roles]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    message = f"Only {who} can {DOES[action]}."
    if action in COMPANY_ACTIONS:
        fix = "Ask the company's owner: they can do it, or give you a role that can."
        if roles == [Role.OWNER]:
            fix = "Ask the owner to do it."
    else:
        fix = "Ask an NSNY admin."
    return message, fix


def refuse(request: HttpRequest, action: Action) -> HttpResponse:
    """404 to a person with no role on the action's side; a plain 403 page otherwise."""
    side = COMPANY_ROLES if action in COMPANY_ACTIONS else NSNY_ROLES
    if action in HIDDEN or not roles_of(request) & set(side):
        raise Http404(action.value)
    from manualgen.web.middleware import error_page

    message, fix = refusal_text(action)
    return error_page(request, "Not allowed", message, fix=fix, status=403)


View = Callable[..., HttpResponse]


def requires(action: Action, *, write: Action | None = None) -> Callable[[View], View]:
    """Let the view run only for a person who `can(action)`; a form sent to it (any method
    but GET, HEAD, OPTIONS) needs `write` instead when given (a page anyone of the company
    reads, but only some change)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wanted = action if write is None or request.method in SAFE_METHODS else write
            if not can(request, wanted):
                return refuse(request, wanted)
            return view(request, *args, **kwargs)

        checked.requires = (action, write or action)          # type: ignore[attr-defined]
        return checked

    return decorate


def open_to_all(view: View) -> View:
    """Mark a view that needs no right (static files, an invitation's link, choosing a
    company): the gate alone decides who reaches it."""
    view.requires = ()                                        # type: ignore[attr-defined]
    return view


def rights_of(view: Callable[..., Any]) -> tuple[Action, ...] | None:
    """What a view was marked with: its actions, () when open to all, None when unmarked
    (a view the security tests refuse)."""
    return getattr(view, "requires", None)


def table() -> list[tuple[str, dict[Role, bool]]]:
    """The rights table for the README and the tests: each action and who holds it."""
    return [(DOES[a], {r: a in RIGHTS[r] for r in Role}) for a in Action]
