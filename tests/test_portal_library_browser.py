"""NSNY's library in a real headless Chromium (issue 27): an admin edits Working Alone and
reads it in a company's preview; a misspelt variable is named beside the text and keeps
the draft from review; a reviewer approves the fixed draft; the admin publishes version
2026.3 (a commit and a tag in DATA/library); the company's owner sees the change as a
redline of its own manual's section, takes it, and the rebuilt manual carries it with a
revision history that says so; a company with its own Working Alone gets the three-way
notice instead. Staff sign in as production requires, with an authenticator app."""

from __future__ import annotations

import subprocess

import docx
import pytest
from django_scopes import scopes_disabled
from test_portal_browser import pytestmark as browser_marks  # noqa: F401
from test_portal_browser import served_staff_mfa, set_up_totp  # noqa: F401
from test_portal_library import PURPOSE_END, SENTENCE, built_record

from manualgen import api
from manualgen.resources import library_paths

from portal_fixtures import TODAY
from test_web_browser import PHONE

pytestmark = browser_marks


@pytest.fixture
def library_served(served_staff_mfa):  # noqa: F811 - the fixture, used by name
    from manualgen.services.library_repo import LibraryRepo

    portal, tab = served_staff_mfa
    home = portal.root / "library"
    LibraryRepo.create(home, library_paths(), author="NSNY", email="nsny@example.org")
    portal.site._library = api.load_library(home)
    portal.home = home
    return portal, tab


def purpose_box(t):
    return t.page.locator("#s-purpose")


def test_edit_review_publish_and_a_company_takes_the_new_version(library_served):
    from manualgen.portal import models as m

    portal, tab = library_served
    portal.user("alice@nsny.example", role="admin")
    portal.user("bob@nsny.example", role="reviewer")
    owner = portal.user("owner@kluane.example")
    other = portal.user("owner@own.example")
    kluane = portal.company("Kluane Ridge Roofing", owner, example=True)
    own = portal.company("Own Words Roofing", other, example=True)
    built_record(portal, kluane)
    ws = portal.workspace(own)
    for rel, data in api.manual.copy_policy(ws.profile_path, portal.site.library, "working-alone",
                                            on=TODAY).items():
        ws.write(rel, data)
    built_record(portal, own)

    # Alice edits Working Alone: a misspelt variable is named beside the Purpose.
    alice = tab("alice")
    alice.sign_in("alice@nsny.example")
    set_up_totp(alice)
    alice.go("/nsny/library/")
    alice.page.get_by_role("link", name="Working Alone", exact=True).click()
    alice.settled()
    text = purpose_box(alice).input_value()
    purpose_box(alice).fill(text.replace(PURPOSE_END, PURPOSE_END + " " + SENTENCE +
                                         " Call {{ company.nmae }} at once."))
    alice.page.fill("#note", "Say that a missed check-in is never ignored")
    alice.press("Save and send for review")
    alice.see("1 problem to fix")
    problem = alice.page.locator("#section-purpose .error")
    assert "company.nmae" in problem.inner_text() and "company.name" in problem.inner_text()
    assert purpose_box(alice).get_attribute("aria-invalid") == "true"
    alice.see("Fix the problems shown beside the text first")
    alice.shot("library-problem")
    with scopes_disabled():
        assert m.LibraryDraft.objects.get().state == m.EDITING      # not sent for review

    # Fixed; the preview reads as Kluane's manual will.
    purpose_box(alice).fill(purpose_box(alice).input_value().replace(
        " Call {{ company.nmae }} at once.", ""))
    alice.press("Save the draft")
    alice.page.select_option("#company", label="Kluane Ridge Roofing")
    alice.press("Show")
    preview = alice.page.locator("#preview-text").inner_text()
    assert SENTENCE in preview and "how Kluane Ridge Roofing decides" in preview
    alice.shot("library-preview")
    alice.press("Save and send for review")
    alice.see("Waiting for review")

    # Bob reviews the redline and approves.
    bob = tab("bob")
    bob.sign_in("bob@nsny.example")
    set_up_totp(bob)
    bob.go("/nsny/library/")
    bob.page.locator("#drafts").get_by_role("link", name="Working Alone").click()
    bob.settled()
    assert SENTENCE.split()[0] in bob.page.locator("#changes ins").first.inner_text()
    bob.shot("library-review")
    bob.press("Approve")
    bob.see("Approved")

    # Alice publishes: the whole library is checked, then committed and tagged.
    alice.go("/nsny/library/")
    alice.press("Publish as the next version")
    alice.see("Library 2026.3 is published", timeout=120_000)
    alice.shot("library-published")
    tags = subprocess.run(["git", "-C", str(portal.home), "tag"], capture_output=True,
                          text=True, check=True).stdout.split()
    assert tags == ["2026.2", "2026.3"]

    # Kluane's owner, on a phone: the change as a redline of its own section; takes it.
    kluane_tab = tab("kluane", PHONE)
    kluane_tab.sign_in("owner@kluane.example")
    kluane_tab.go("/overview/")
    news = kluane_tab.page.locator("#library-news")
    assert SENTENCE in news.locator("ins").first.inner_text()
    assert "Kluane Ridge Roofing" in news.inner_text()         # its own words, filled in
    kluane_tab.shot("library-news-phone")
    width = kluane_tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    kluane_tab.press("Take it: start revision 4 and rebuild the manual")
    kluane_tab.see("The last build", timeout=240_000)
    folder = portal.workspace(kluane)
    document = docx.Document(str(folder.output / "manual.docx"))
    assert SENTENCE in "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Library 2026.3: Working Alone revised" in cells
    kluane_tab.go("/overview/")
    assert kluane_tab.page.locator("#library-news").count() == 0

    # The company with its own Working Alone: the three-way notice, no rebuild offered.
    own_tab = tab("own")
    own_tab.sign_in("owner@own.example")
    own_tab.go("/overview/")
    notice = own_tab.page.locator("#news-own-working-alone")
    assert "you keep your own version" in notice.inner_text()
    assert "never ignored" in notice.inner_text()
    assert own_tab.page.locator("#take-library").count() == 0
    own_tab.shot("library-own-notice")
    own_tab.press("Keep my version (I have read the change)")
    own_tab.see("Your version stays as it is")
    assert own_tab.page.locator("#library-news").count() == 0

    # NSNY's dashboard: who is on which version.
    alice.go("/nsny/")
    versions = alice.page.locator("#library-versions").inner_text()
    assert "2026.3 (current)\t1" in versions and "2026.2\t1" in versions, versions
