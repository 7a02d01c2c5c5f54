"""The audit trail besides a review's moves (`Transition`): who read or changed what.

NSNY staff read companies' files across the company scope, so each read is written down
(a company's page, a review with its records, a sent file, a letter); so are invitations,
reviewers' comments, letter numbers, the letter template and every change of who belongs
to a company or to NSNY. NSNY's audit page lists these rows with the transitions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.http import HttpRequest

from manualgen.portal import models as m


class What(StrEnum):
    """An event's kind, stored in `Event.action` (at most 40 characters)."""

    COMPANY_OPENED = "company opened"
    REVIEW_OPENED = "review opened"
    FILE_READ = "sent file read"
    LETTER_READ = "letter read"
    INVITED = "invitation sent"
    JOINED = "invitation accepted"
    ROLE_CHANGED = "role changed"
    MEMBER_REMOVED = "member removed"
    COMMENTED = "comment added"
    LETTER_ISSUED = "letter number issued"
    TEMPLATE_EDITED = "letter template saved"
    SIGNATURE_CHANGED = "name or title changed"
    LIBRARY_DRAFTED = "library draft started"
    LIBRARY_SENT = "library draft sent for review"
    LIBRARY_APPROVED = "library draft approved"
    LIBRARY_RETURNED = "library draft returned"
    LIBRARY_WITHDRAWN = "library draft withdrawn"
    LIBRARY_PUBLISHED = "library version published"
    LIBRARY_OWNER = "policy owner changed"
    LIBRARY_TAKEN = "library version taken"
    LIBRARY_KEPT = "own policy kept"
    CREW_LINK_MADE = "crew link made"
    CREW_LINK_REVOKED = "crew link turned off"


LABELS: dict[What, str] = {
    What.COMPANY_OPENED: "Opened the company's page",
    What.REVIEW_OPENED: "Opened a review",
    What.FILE_READ: "Read a sent file",
    What.LETTER_READ: "Read a letter",
    What.INVITED: "Sent an invitation",
    What.JOINED: "Accepted an invitation",
    What.ROLE_CHANGED: "Changed a role",
    What.MEMBER_REMOVED: "Removed a member",
    What.COMMENTED: "Added a comment",
    What.LETTER_ISSUED: "Issued a letter number",
    What.TEMPLATE_EDITED: "Saved the letter template",
    What.SIGNATURE_CHANGED: "Changed the name or title letters are signed with",
    What.LIBRARY_DRAFTED: "Started a draft of a library policy or form",
    What.LIBRARY_SENT: "Sent a library draft for review",
    What.LIBRARY_APPROVED: "Approved a library draft",
    What.LIBRARY_RETURNED: "Returned a library draft to its author",
    What.LIBRARY_WITHDRAWN: "Withdrew a library draft",
    What.LIBRARY_PUBLISHED: "Published a library version",
    What.LIBRARY_OWNER: "Changed who keeps a policy",
    What.LIBRARY_TAKEN: "Took a new library version into the manual",
    What.LIBRARY_KEPT: "Kept the company's own policy after a library change",
    What.CREW_LINK_MADE: "Made a crew link for filling in forms on phones",
    What.CREW_LINK_REVOKED: "Turned off a crew link",
}


def record(who: HttpRequest | m.User | None, action: What, *,
           company: m.Company | None = None, target: str = "", note: str = "") -> m.Event:
    """Write one event: by the request's person (and its chosen company unless `company`
    is given), or by a user, or by nobody (the command line)."""
    user: Any = who
    if isinstance(who, HttpRequest):
        user = getattr(who, "user", None)
        company = company if company is not None else getattr(who, "company", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return m.Event.objects.create(by=user, company=company, action=str(action),
                                  target=target[:300], note=note[:300])


def label(action: str) -> str:
    try:
        return LABELS[What(action)]
    except ValueError:
        return action
