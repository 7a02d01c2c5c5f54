"""The portal in a real headless Chromium (Debian's, driven by Playwright): NSNY invites
a company; its owner signs up, works on the profile, builds and sends the manual; a
reviewer returns it with a comment on one policy; the owner sees the comment as a task,
fixes, sends again; the reviewer approves; the annual submission goes the same way and
ends with a Letter of Good Standing.

The company's folder starts as the example company's (as when a company that used
`manualgen` on its own computer moves its files to the portal); what the owner changes,
builds and sends is done in the browser. Screenshots go to the test's scratch folder, and
to MANUALGEN_SCREENSHOTS when set.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from manualgen.web.permissions import Role

from conftest import needs_libreoffice
from portal_fixtures import PASSWORD, switch_off, switch_on, worker_thread
from test_web import pdf
from test_web_browser import ARGS, CHROMIUM, DESKTOP, PHONE, in_ci
from web_fixtures import example_folder

pytestmark = [
    pytest.mark.browser,
    needs_libreoffice(),
    pytest.mark.skipif(not Path(CHROMIUM).is_file() and not in_ci,
                       reason="Debian's chromium is not installed"),
]


class Tab:
    """One person's browser window on the portal."""

    def __init__(self, browser, base: str, shots: Path, name: str, viewport=DESKTOP):
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.base, self.shots, self.name = base, shots, name
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.settled()

    def settled(self) -> None:
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
        self.page.wait_for_load_state()

    def press(self, name: str, *, within=None) -> None:
        (within or self.page).get_by_role("button", name=name).first.click()
        self.settled()

    def see(self, words: str, timeout: float = 30_000) -> None:
        self.page.get_by_text(words).first.wait_for(timeout=timeout)

    def shot(self, name: str) -> None:
        path = self.shots / f"portal-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        folder = os.environ.get("MANUALGEN_SCREENSHOTS")
        if folder:
            self.page.screenshot(path=str(Path(folder) / path.name), full_page=True)

    def sign_in(self, email: str) -> None:
        self.go("/accounts/login/")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.press("Sign In")


@contextlib.contextmanager
def serving(portal, tmp_path):
    """The portal on a thread and a Chromium: yields `tab(name, viewport=DESKTOP)`."""
    from playwright.sync_api import sync_playwright

    from manualgen.portal.server import serve_in_thread

    address, server = serve_in_thread(portal.site)
    tabs: list[Tab] = []
    with sync_playwright() as playwright, worker_thread(portal.site):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def tab(name: str, viewport=DESKTOP) -> Tab:
            made = Tab(browser, address.rstrip("/"), tmp_path, name, viewport)
            tabs.append(made)
            return made

        try:
            yield tab
        finally:
            for t in tabs:
                t.context.close()
            browser.close()
            server.close()
    for t in tabs:
        assert not t.errors, (t.name, t.errors)


@pytest.fixture
def served(portal, tmp_path, monkeypatch):
    # Playwright's sync API keeps an event loop on this thread; the test's own database
    # calls are still plain synchronous ones (Django's documented switch for this case).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with serving(portal, tmp_path) as tab:
        yield portal, tab


@pytest.fixture
def served_staff_mfa(portal, tmp_path, monkeypatch):
    """The same with the production requirement: NSNY staff set up an authenticator app
    (TOTP) before anything else."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    switch_off()
    strict = switch_on(portal.root.parent / "unused", portal.root,
                       MANUALGEN_PORTAL_STAFF_MFA="required")
    with serving(strict, tmp_path) as tab:
        yield strict, tab


def test_invitation_to_approved_manual_and_letter_of_good_standing(served_staff_mfa):
    """The whole journey as NSNY runs it: staff must set up an authenticator app; the
    admin is the one `manualgen portal init` made, the reviewer is invited."""
    from allauth.account.models import EmailAddress

    from manualgen.portal import accounts

    portal, tab = served_staff_mfa
    accounts.make_admin("admin@nsny.example", PASSWORD)

    # The admin signs in: sent straight to the authenticator set-up (no password again).
    nsny = tab("admin")
    nsny.sign_in("admin@nsny.example")
    assert "/accounts/2fa/totp/activate/" in nsny.page.url, nsny.page.url
    set_up_totp(nsny)

    # The admin invites a reviewer, who verifies the address by the link and sets up the
    # authenticator in one pass.
    nsny.go("/nsny/invite/")
    nsny.page.fill("#email", "rev@nsny.example")
    nsny.page.select_option("#role", "reviewer")
    nsny.press("Send the invitation")
    staff_link = nsny.page.locator("#invitation-link").inner_text().strip()
    reviewer = tab("reviewer")
    reviewer.go("/" + staff_link.split("/", 3)[3])
    assert reviewer.page.input_value("input[name=email]") == "rev@nsny.example"
    assert not EmailAddress.objects.filter(email="rev@nsny.example").exists()
    reviewer.page.fill("input[name=password1]", PASSWORD)
    reviewer.page.fill("input[name=password2]", PASSWORD)
    reviewer.press("Sign Up")
    assert "/accounts/2fa/totp/activate/" in reviewer.page.url, reviewer.page.url
    assert "verified your email" not in reviewer.page.content()
    assert EmailAddress.objects.get(email="rev@nsny.example").verified
    reviewer.shot("staff-totp")
    set_up_totp(reviewer)
    assert "verified your email" not in reviewer.page.content()
    reviewer.page.get_by_role("link", name="Companies").click()
    reviewer.settled()
    reviewer.see("SECOR companies")
    assert reviewer.page.url.endswith("/nsny/")
    reviewer.shot("staff-dashboard")

    # NSNY invites the company's owner.
    nsny.go("/nsny/invite/")
    nsny.page.fill("#email", "owner@kluane.example")
    nsny.page.select_option("#role", "owner")
    nsny.page.fill("#company", "Kluane Ridge Roofing")
    nsny.press("Send the invitation")
    link = nsny.page.locator("#invitation-link").inner_text().strip()
    nsny.shot("invite")
    from django_scopes import scopes_disabled

    from manualgen.portal import models as m

    with scopes_disabled():
        company = m.Company.objects.get(name="Kluane Ridge Roofing")
    folder = portal.site.company_folder(company.folder)
    example_folder(folder)

    # The owner signs up from the link and works on the profile.
    owner = tab("owner")
    assert link.startswith("http://testserver/invite/")     # MANUALGEN_PORTAL_ORIGIN's
    owner.go("/" + link.split("/", 3)[3])
    assert owner.page.input_value("input[name=email]") == "owner@kluane.example"
    owner.page.fill("input[name=password1]", PASSWORD)
    owner.page.fill("input[name=password2]", PASSWORD)
    owner.shot("sign-up")
    owner.press("Sign Up")
    owner.see("To do from NSNY's review")
    owner.go("/company/company/")
    owner.page.fill("#f-company-phone", "867-555-0177")
    owner.press("Review and save")
    owner.press("Save company.yaml")
    owner.see("Saved.")
    assert "867-555-0177" in (folder / "company.yaml").read_text()
    owner.go("/overview/")
    assert owner.page.locator("#manual-not-built").is_visible()     # nothing to send yet
    owner.go("/manual/")
    owner.press("Build the manual")
    if "/jobs/" in owner.page.url:         # its progress page: the menu and a title
        assert owner.page.locator("nav[aria-label=Main] a").count() >= 4
        assert owner.page.title().endswith(" - manualgen"), owner.page.title()
        owner.shot("build-progress")
    owner.see("The last build", timeout=180_000)
    owner.go("/overview/")
    owner.press("Send the manual for review")
    owner.see("Submitted")

    # The reviewer returns it with a comment on one policy.
    reviewer.go("/nsny/?f=review")
    reviewer.shot("dashboard")
    reviewer.page.get_by_role("link", name="Health and safety manual").first.click()
    reviewer.settled()
    reviewer.press("Start the review")
    reviewer.page.select_option("#target_kind", "policy")
    policy = reviewer.page.locator("#target_policy option").nth(2).inner_text()
    reviewer.page.select_option("#target_policy", label=policy)
    reviewer.page.fill("#text", "Say who checks on a roofer working alone, and how often.")
    reviewer.press("Add the comment")
    reviewer.shot("review")
    reviewer.press("Return with the comments")
    reviewer.see("Returned")

    # The owner sees it as a task, fixes the profile, rebuilds and sends again.
    owner.go("/overview/")
    tasks = owner.page.locator("#tasks")
    assert "Say who checks on a roofer working alone" in tasks.inner_text()
    assert policy in tasks.inner_text()
    owner.shot("tasks")
    owner.press("Mark as done", within=tasks)
    owner.go("/company/emergency/")
    owner.page.fill("#f-emergency-remote_communication",
                    "Satellite phone in every crew truck; check-in call every 2 hours")
    owner.press("Review and save")
    owner.press("Save company.yaml")
    owner.go("/manual/")
    owner.press("Rebuild the manual")
    owner.see("The last build", timeout=180_000)
    owner.go("/overview/")
    owner.press("Send the manual again")
    owner.see("Resubmitted")

    reviewer.go("/nsny/?f=review")
    reviewer.page.get_by_role("link", name="Health and safety manual").first.click()
    reviewer.settled()
    reviewer.press("Start the review")
    reviewer.press("Approve")
    reviewer.see("Approved")

    # The annual submission: built, sent, returned on a category, fixed, approved.
    owner.go("/submission/2026-submission/")
    owner.press("Build the submission PDF")
    owner.see("The PDF is ready.", timeout=240_000)
    owner.go("/overview/")
    owner.shot("overview")
    owner.press("Send the annual submission")
    owner.see("Submitted")

    reviewer.go("/nsny/?f=review")
    reviewer.page.get_by_role("link", name="2026 Annual Documentation Review Submission"
                              ).first.click()
    reviewer.settled()
    reviewer.press("Start the review")
    reviewer.see("The records behind each category")
    reviewer.page.select_option("#target_kind", "category")
    reviewer.page.select_option("#target_category", label="Tailgate/Toolbox Meetings")
    reviewer.page.fill("#text", "Add the October toolbox meeting record.")
    reviewer.press("Add the comment")
    reviewer.press("Return with the comments")
    reviewer.see("Returned")

    owner.go("/overview/")
    assert "Add the October toolbox meeting record." in \
        owner.page.locator("#tasks").inner_text()
    owner.go("/submission/2026-submission/")
    box = owner.page.locator("#cat-toolbox-meetings form.upload")
    box.locator("input[name=files]").set_input_files(files=[
        {"name": "2026-10-14 toolbox meeting.pdf", "mimeType": "application/pdf",
         "buffer": pdf("toolbox meeting, October")}])
    owner.press("Add to Tailgate/Toolbox Meetings", within=box)
    owner.see("Saved 1 file(s) in toolbox-meetings")
    owner.press("Build the submission PDF")
    owner.see("The PDF is ready.", timeout=240_000)
    owner.go("/overview/")
    owner.press("Mark as done", within=owner.page.locator("#tasks"))
    owner.press("Send the submission again")
    owner.see("Resubmitted")

    reviewer.go("/nsny/?f=review")
    reviewer.page.get_by_role("link", name="2026 Annual Documentation Review Submission"
                              ).first.click()
    reviewer.settled()
    reviewer.press("Start the review")
    assert "2026-10-14 toolbox meeting.pdf" in reviewer.page.locator("#records").text_content()
    reviewer.press("Approve")          # the letter is signed with a name: asked for first
    reviewer.see("First, your name.")
    reviewer.page.fill("#name", "Rita Moosehide")
    reviewer.page.fill("#title", "SECOR Advisor")
    reviewer.shot("profile")
    reviewer.press("Save and go back")
    reviewer.press("Approve")
    reviewer.see("Letter of Good Standing LGS-2026-0001")

    owner.go("/overview/")
    owner.page.get_by_role("link", name="2026 Annual Documentation Review Submission"
                           ).first.click()
    owner.settled()
    link = owner.page.get_by_role("link", name="download the letter (PDF)")
    for _ in range(60):            # numbered at approval, its PDF made by the worker
        if link.count():
            break
        owner.page.wait_for_timeout(1000)
        owner.page.reload()
        owner.settled()
    with owner.page.expect_download() as download:
        link.click()
    words = PdfReader(download.value.path()).pages[0].extract_text()
    assert "Letter of Good Standing" in words and "LGS-2026-0001" in words
    assert "Kluane Ridge Roofing" in words
    assert "Rita Moosehide, SECOR Advisor" in words and "rev@nsny.example" not in words
    owner.shot("letter")

    nsny.go("/nsny/audit/")
    audit = nsny.page.locator("#audit").inner_text()
    assert audit.count("In review\tApproved") == 2
    assert audit.count("In review\tReturned") == 2
    nsny.shot("audit")


# --------------------------------------------------------------------------- NSNY staff


def set_up_totp(t: Tab) -> None:
    """What a person does with an authenticator app: read the secret, type its code."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret = t.page.input_value("#authenticator_secret")
    import shutil
    import subprocess

    if shutil.which("zbarimg"):          # the QR code a phone scans carries that secret
        picture = t.shots / f"{t.name}-totp-qr.png"
        t.page.locator("img[src^='data:']").first.screenshot(path=str(picture))
        read = subprocess.run(["zbarimg", "--raw", "-q", str(picture)], capture_output=True,
                              text=True, timeout=60)
        assert read.stdout.startswith("otpauth://totp/") and f"secret={secret}" in \
            read.stdout, read.stdout + read.stderr
    t.page.fill("input[name=code]",
                format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    t.press("Activate")


# --------------------------------------------------------------------------- phones

# Routes that are not pages to look at: downloads, form targets, redirects, Django's own
# admin; and the build's progress page (tests/test_portal.py renders it).
NOT_PAGES = {"home", "static", "job", "portal-send", "portal-task-done", "portal-round-file",
             "portal-letter", "nsny-act", "nsny-round-file", "nsny-letter-pdf",
             "company-save", "company-discard", "company-logo", "manual-build",
             "manual-download", "manual-page", "status-ics", "submission-start",
             "submission-upload", "submission-sample", "submission-thumb",
             "submission-build", "submission-download", "nsny-library-owner",
             "nsny-library-decide", "nsny-library-publish", "portal-library-take",
             "portal-library-own", "phone-sw", "phone-manifest", "phone-app-json",
             "phone-submit", "phone-sent", "phone-paper", "portal-crew"}


def _page_names() -> set[str]:
    from django.urls import URLPattern, get_resolver

    return {p.name for p in get_resolver().url_patterns
            if isinstance(p, URLPattern) and p.name} - NOT_PAGES


class Widths:
    """The pages visited at phone width: each one's scrollWidth, the routes seen."""

    def __init__(self):
        self.widths: dict[str, int] = {}
        self.names: set[str] = set()

    def visit(self, t: Tab, path: str) -> None:
        from django.urls import resolve

        t.go(path)
        self.widths[path] = t.page.evaluate("document.documentElement.scrollWidth")
        t.shot("phone-" + (path.strip("/").replace("/", "-").replace("?", "-")
                           or "home")[:70])
        self.names.add(resolve(path.split("?")[0]).url_name)


def test_every_page_fits_a_phone(served):
    """Every page of an employer and of NSNY's staff at 390 px: no sideways scrolling."""
    from django_scopes import scopes_disabled
    from test_portal import built

    from manualgen.portal import accounts
    from manualgen.portal import models as m
    from manualgen.portal import review as flow
    from manualgen.web.profile_form import SECTIONS

    portal, tab = served
    reviewer = portal.user("rev@nsny.example", role="reviewer")
    reviewer.name, reviewer.title = "Rita Moosehide", "SECOR Advisor"
    reviewer.save()
    owner = portal.user("owner@kluane.example")
    company = portal.company("Kluane Ridge Roofing", owner, example=True)
    portal.company("Beta Builders and General Contracting of the Yukon", owner,
                   role="member")
    ws = portal.workspace(company)
    ws.write("company.yaml", ws.profile_path.read_text().replace("867-555-0142",
                                                                 "867-555-0143"))
    long_text = ("Say who checks on a roofer working alone on the Alaska Highway jobs, "
                 "how often, and what happens when a check-in is missed: "
                 "https://www.example.ca/a-very-long-address-without-any-spaces-in-it")
    with scopes_disabled():
        built(ws, "manual.docx", "manual.pdf", "manual.json")
        manual = flow.send(portal.site, ws, company, owner, m.MANUAL)
        flow.move(manual, "start", reviewer)
        flow.comment(manual, reviewer, target_kind="policy", target="Working Alone",
                     kind=m.ACTIONABLE, text=long_text)
        flow.give_back(manual, reviewer)
        built(ws, "manual.docx", "manual.pdf", "manual.json")
        manual = flow.send(portal.site, ws, company, owner, m.MANUAL)
        flow.move(manual, "start", reviewer)
        built(ws, "2026-submission.pdf", "2026-submission.json")
        annual = flow.send(portal.site, ws, company, owner, m.ANNUAL, "2026-submission")
        flow.move(annual, "start", reviewer)
        flow.approve(portal.site, annual, reviewer)
        source = portal.site.library.policy("working-alone").path.read_text()
        draft = m.LibraryDraft.objects.create(
            kind=m.POLICY, target="working-alone", title="Working Alone", base="2026.2",
            path="policy_library/policies/working-alone.md", author=reviewer,
            text=source.replace("## Purpose\n", "## Purpose\n\n" + long_text + "\n"),
            note=long_text, state=m.LIB_REVIEW)
    _inv, token = accounts.invite("new@kluane.example", Role.MEMBER, company=company)
    seen = Widths()

    employer = tab("owner", PHONE)
    employer.sign_in("owner@kluane.example")
    seen.visit(employer, "/companies/")
    employer.press("Kluane Ridge Roofing")
    pages = ["/overview/", "/people/", "/company/",
             *[f"/company/{s}/" for s in SECTIONS], "/company/review/",
             "/company/history/", "/manual/", "/status/", "/submission/", "/forms/",
             "/submission/2026-submission/", f"/reviews/{manual.pk}/",
             f"/reviews/{annual.pk}/", "/reviews/999999/", "/accounts/2fa/",
             "/accounts/password/change/"]
    for path in pages:
        seen.visit(employer, path)
    employer.go("/company/history/")
    versions = employer.page.locator("a[href^='/company/history/']").first
    if versions.count():
        seen.visit(employer, versions.get_attribute("href"))
    employer.go("/submission/2026-submission/")
    tables = employer.page.locator("a[href*='/records/']")
    for n in range(tables.count()):
        seen.visit(employer, tables.nth(n).get_attribute("href"))

    staff = tab("reviewer", PHONE)
    staff.sign_in("rev@nsny.example")
    for path in ("/nsny/", "/nsny/?f=review", "/nsny/invite/", "/nsny/audit/",
                 "/nsny/letter/", "/nsny/profile/", "/nsny/builds/",
                 f"/nsny/companies/{company.pk}/", f"/nsny/reviews/{manual.pk}/",
                 f"/nsny/reviews/{annual.pk}/", "/nsny/library/", "/nsny/library/rules/",
                 f"/nsny/library/policies/working-alone/?company={company.folder}",
                 "/nsny/library/forms/toolbox-meeting/", f"/nsny/library/drafts/{draft.pk}/"):
        seen.visit(staff, path)

    visitor = tab("visitor", PHONE)
    for path in ("/accounts/login/", "/accounts/password/reset/", f"/invite/{token}/",
                 "/invite/not-a-token/"):
        seen.visit(visitor, path)

    assert not _page_names() - seen.names, ("not visited", _page_names() - seen.names)
    wide = {path: width for path, width in seen.widths.items() if width > PHONE["width"]}
    assert not wide, sorted(wide.items())
