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

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import needs_libreoffice
from portal_fixtures import PASSWORD
from test_web import pdf
from test_web_browser import ARGS, CHROMIUM, DESKTOP, in_ci
from web_fixtures import example_folder

pytestmark = [
    pytest.mark.browser,
    needs_libreoffice(),
    pytest.mark.skipif(not Path(CHROMIUM).is_file() and not in_ci,
                       reason="Debian's chromium is not installed"),
]


class Tab:
    """One person's browser window on the portal."""

    def __init__(self, browser, base: str, shots: Path, name: str):
        self.context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
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
            self.page.screenshot(path=str(Path(folder) / path.name))

    def sign_in(self, email: str) -> None:
        self.go("/accounts/login/")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.press("Sign In")


@pytest.fixture
def served(portal, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own database
    # calls are still plain synchronous ones (Django's documented switch for this case).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from manualgen.portal.server import serve_in_thread

    address, server = serve_in_thread(portal.site)
    tabs: list[Tab] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def tab(name: str) -> Tab:
            made = Tab(browser, address.rstrip("/"), tmp_path, name)
            tabs.append(made)
            return made

        try:
            yield portal, tab
        finally:
            for t in tabs:
                t.context.close()
            browser.close()
            server.close()
    for t in tabs:
        assert not t.errors, (t.name, t.errors)


def test_invitation_to_approved_manual_and_letter_of_good_standing(served):
    portal, tab = served
    portal.user("admin@nsny.example", role="admin")
    portal.user("rev@nsny.example", role="reviewer")

    # NSNY invites the company's owner.
    nsny = tab("admin")
    nsny.sign_in("admin@nsny.example")
    nsny.see("SECOR companies")
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
    owner.go("/manual/")
    owner.press("Build the manual")
    owner.see("The last build", timeout=180_000)
    owner.go("/overview/")
    owner.press("Send the manual for review")
    owner.see("Submitted")

    # The reviewer returns it with a comment on one policy.
    reviewer = tab("reviewer")
    reviewer.sign_in("rev@nsny.example")
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
    reviewer.press("Approve")
    reviewer.see("Letter of Good Standing LGS-2026-0001")

    owner.go("/overview/")
    owner.page.get_by_role("link", name="2026 Annual Documentation Review Submission"
                           ).first.click()
    owner.settled()
    with owner.page.expect_download() as download:
        owner.page.get_by_role("link", name="download the letter (PDF)").click()
    words = PdfReader(download.value.path()).pages[0].extract_text()
    assert "Letter of Good Standing" in words and "LGS-2026-0001" in words
    assert "Kluane Ridge Roofing" in words
    owner.shot("letter")

    nsny.go("/nsny/audit/")
    audit = nsny.page.locator("#audit").inner_text()
    assert audit.count("In review\tApproved") == 2
    assert audit.count("In review\tReturned") == 2
    nsny.shot("audit")
