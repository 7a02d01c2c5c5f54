"""The status report as an iCalendar file an employer imports into Outlook or Google Calendar.

One all-day event per coming due date of the SECOR cycle and per course expiry (and end of
its grace period), each with reminders at program.yaml's `reminder_days`. Same inputs, same
bytes: UIDs are built from the company, the item and its date, and DTSTAMP is the report's
date, never the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

from icalendar import Alarm, Calendar, Event

from manualgen.status.report import StatusReport

PRODID = "-//Northern Safety Network Yukon//manualgen SECOR status//EN"
DOMAIN = "manualgen.secor"


def slug(text: str, *, unique: bool = False) -> str:
    """ASCII, lower case, hyphens; with `unique`, a short hash keeps names that fold alike
    (Éloïse, Eloise) apart."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"
    if not unique:
        return words
    return f"{words}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:6]}"


def _event(report: StatusReport, uid: str, day: dt.date, summary: str, description: str
           ) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{DOMAIN}")
    event.add("dtstamp", dt.datetime.combine(report.on, dt.time(0, 0), tzinfo=dt.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    for days in sorted(set(report.rules.reminder_days), reverse=True):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{summary} in {days} days")
        alarm.add("trigger", dt.timedelta(days=-days))
        event.add_component(alarm)
    return event


def events(report: StatusReport) -> list[Event]:
    """The coming cycle items (and an overdue one), then course expiries not yet past."""
    account = slug(report.wscb_account)
    out = []
    pos = report.position
    if pos is not None:
        for item in report.items:
            if item.date < pos.next_item.date:
                continue
            out.append(_event(
                report, f"secor-{account}-{slug(pos.certificate_number)}-{slug(item.due)}-"
                f"{item.date:%Y%m%d}",
                item.date, f"SECOR: {item.title} due ({report.company})",
                f"{item.title}: due by {item.date} (cycle year {item.cycle_year}, "
                f"certificate {pos.certificate_number}).\n"
                f"Review period: {item.period_start} to {item.period_end}."))
    for person in report.people:
        for c in person.courses:
            if c.expires is None or (c.grace_end or c.expires) < report.on:
                continue
            key = f"course-{account}-{slug(person.name, unique=True)}-{slug(c.course)}"
            if c.expires >= report.on:
                out.append(_event(
                    report, f"{key}-expires-{c.expires:%Y%m%d}", c.expires,
                    f"{c.course} expires: {person.name}",
                    f"{person.name}'s {c.title} (completed {c.completed}) expires on "
                    f"{c.expires}." + (f" Grace period until {c.grace_end}." if c.grace_end
                                       else "")))
            if c.grace_end is not None:
                out.append(_event(
                    report, f"{key}-grace-{c.grace_end:%Y%m%d}", c.grace_end,
                    f"{c.course} grace period ends: {person.name}",
                    f"Last day of the grace period for {person.name}'s {c.title} "
                    f"(expired {c.expires})."))
    return out


def calendar_bytes(report: StatusReport) -> bytes:
    """The calendar as .ics bytes; `event_count` tells how many events it holds."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"SECOR - {report.company}")
    for event in events(report):
        cal.add_component(event)
    return cal.to_ical()


def event_count(data: bytes) -> int:
    return data.count(b"BEGIN:VEVENT")
