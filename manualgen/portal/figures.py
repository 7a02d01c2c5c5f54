"""What NSNY's dashboard and each company's overview show, from the API's own reports:
the SECOR status (`company_status`) and the readiness of the year's submission
(`check_submission`), never a rule of the portal's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from manualgen import api
from manualgen.portal import models as m
from manualgen.portal.site import PortalSite
from manualgen.web import viewmodels

SOON = (60, 30)          # the dashboard's "due in" filters, as NSNY asked for them


@dataclass
class CompanyFigures:
    company: m.Company
    profile_ok: bool
    name: str
    anniversary: dt.date | None = None
    next_title: str | None = None
    next_date: dt.date | None = None
    days_left: int | None = None
    expiring: list[str] = field(default_factory=list)      # the status report's lines
    expired: list[str] = field(default_factory=list)
    lse_share: float | None = None
    lse_met: bool = True
    awaiting: list[m.Review] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    def due_within(self, days: int) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= days

    @property
    def lse_below(self) -> bool:
        return self.profile_ok and not self.lse_met


def status_of(site: PortalSite, ws: api.workspace.Workspace) -> api.status.StatusReport | None:
    """The company's SECOR status today; kept until its profile or the library changes,
    so the dashboard of many companies does not read every profile on every visit."""
    if not ws.has_profile:
        return None
    library = site.library
    key = (ws.root, ws.profile_path.stat().st_mtime_ns, site.today(), id(library))
    cache = site.status_cache
    if key in cache:
        return cache[key]
    check = api.check_profile(ws.profile_path, library)
    report = api.status.report(check.profile, library, on=site.today()) if check.ok \
        else None
    if len(cache) > 5000:
        cache.clear()
    cache[key] = report
    return report


def figures(site: PortalSite, company: m.Company, reviews: list[m.Review]) -> CompanyFigures:
    ws = api.workspace.open_folder(site.company_folder(company.folder))
    report = status_of(site, ws)
    out = CompanyFigures(company, report is not None, company.name,
                         awaiting=[r for r in reviews if r.company_id == company.pk
                                   and r.state in (m.SUBMITTED, m.RESUBMITTED, m.IN_REVIEW)])
    if report is None:
        return out
    out.name = report.company
    out.findings, out.warnings = list(report.findings), list(report.warnings)
    if report.position is not None:
        pos = report.position
        out.anniversary = pos.anniversary
        out.next_title, out.next_date = pos.next_item.title, pos.next_item.date
        out.days_left = pos.days_left
    for person in viewmodels.people(report):        # as the company's Status page shows
        out.expiring += person.lines(lambda c: c.expiring)
        out.expired += person.lines(lambda c: c.expired)
    out.lse_share, out.lse_met = report.lse.share, report.lse.met
    return out


FILTERS = {
    "": "All companies",
    "due60": "Submission due in 60 days",
    "due30": "Submission due in 30 days",
    "overdue": "Overdue",
    "training": "Training expiring or expired",
    "lse": "Supervisors with LSE below the rule",
    "review": "Awaiting review",
}


def keep(f: CompanyFigures, which: str) -> bool:
    return {"": True, "due60": f.due_within(60), "due30": f.due_within(30),
            "overdue": f.overdue, "training": bool(f.expiring or f.expired),
            "lse": f.lse_below, "review": bool(f.awaiting)}.get(which, True)
