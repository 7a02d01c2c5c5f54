"""The portal's e-mails: invitations, a returned submission, and the reminders the
scheduled job sends (`manualgen portal remind`, or `django-admin portal_remind`).

A reminder is sent once: its key (what it is about, and which of the program's reminder
days it is for) is recorded in `Reminder` first, and the mail goes out only when that
row is new; a failed send removes the row, so the next run tries again. The reminders'
words are the status report's own lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from manualgen import api
from manualgen.portal import models as m
from manualgen.portal.figures import status_of
from manualgen.portal.site import PortalSite
from manualgen.web.permissions import Role


def send_invitation(invitation: m.Invitation, link: str) -> None:
    where = f"the SECOR portal for {invitation.company.name}, as " \
        f"{invitation.get_role_display().lower()}" if invitation.company_id \
        else "the SECOR portal as NSNY staff"
    by = invitation.created_by                  # an owner invites, or NSNY
    who = "Northern Safety Network Yukon" if by is None or by.is_nsny else \
        f"{by.name or by.email}, of {invitation.company.name},"
    send_mail("You are invited to the SECOR portal",
              f"{who} invites you to {where}.\n\n"
              f"Open this link to make your account (it works once, for "
              f"{invitation.email}):\n{link}\n", None, [invitation.email])


def owners(company: m.Company) -> list[str]:
    with scopes_disabled():
        return sorted(ms.user.email for ms in m.Membership.objects.select_related("user")
                      .filter(company=company, role=Role.OWNER, user__is_active=True))


def send_returned(review: m.Review, link: str) -> None:
    to = owners(review.company)
    if to:
        send_mail(f"NSNY returned your {review.title}",
                  f"NSNY's reviewer returned the {review.title} with comments to act on.\n"
                  f"They are on your to-do list:\n{link}\n", None, to)


@dataclass(frozen=True)
class Due:
    key: str
    line: str


def _bucket(days_left: int, days: list[int]) -> str | None:
    """Which reminder a date is for: the smallest reminder day it is within, or overdue."""
    if days_left < 0:
        return "overdue"
    inside = [d for d in sorted(days) if days_left <= d]
    return str(inside[0]) if inside else None


def reminders_for(site: PortalSite, company: m.Company) -> list[Due]:
    ws = api.workspace.open_folder(site.company_folder(company.folder))
    report = status_of(site, ws)
    out: list[Due] = []
    if report is not None:
        days = list(report.rules.reminder_days)
        pos = report.position
        if pos is not None:
            bucket = _bucket(pos.days_left, days)
            line = next((w for w in report.findings + report.warnings
                         if pos.next_item.title in w), None)
            if bucket and line:
                out.append(Due(f"due:{pos.next_item.due}:{pos.next_item.date}:{bucket}", line))
        for person in report.people:
            for c in person.courses:
                if c.status not in (api.status.CourseState.EXPIRING,
                                    api.status.CourseState.IN_GRACE,
                                    api.status.CourseState.EXPIRED) or not c.expires:
                    continue
                line = next((w for w in report.findings + report.warnings
                             if w.startswith(f"{person.name}: {c.course} ")), None)
                if line:
                    out.append(Due(f"course:{person.name}:{c.course}:{c.expires}:{c.status}",
                                   line))
    with scope(company=company.pk):
        for rnd_review in m.Review.objects.filter(state=m.RETURNED):
            last = rnd_review.rounds.order_by("-number").first()
            out.append(Due(f"returned:{rnd_review.pk}:{last.number if last else 0}",
                           f"{rnd_review.title}: returned by NSNY with comments to act on"))
    return out


def send_reminders(site: PortalSite) -> list[m.Reminder]:
    """Send every reminder that is due and not sent yet; the ones sent."""
    sent = []
    origin = settings.PORTAL_ORIGIN
    with scopes_disabled():
        companies = list(m.Company.objects.all())
    for company in companies:
        to = owners(company)
        if not to:
            continue
        for due in reminders_for(site, company):
            subject = f"SECOR reminder for {company.name}"
            body = f"{due.line}.\n\nOpen the SECOR portal: {origin}/\n"
            try:
                with transaction.atomic(), scope(company=company.pk):
                    row = m.Reminder.objects.create(company=company, key=due.key[:255],
                                                    to=", ".join(to), subject=subject,
                                                    body=body)
            except IntegrityError:
                continue                                  # sent before
            try:
                send_mail(subject, body, None, to)
            except Exception:
                with scope(company=company.pk):
                    m.Reminder.objects.filter(pk=row.pk).delete()
                raise
            sent.append(row)
    return sent
