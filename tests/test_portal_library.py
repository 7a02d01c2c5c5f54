"""NSNY keeps its library in the portal (issue 27): edit a policy with the library's checks
beside the text, another person reviews, an admin publishes a version (a commit and a
tag in DATA/library); each company sees what the version changes in its manual and
takes it on the workers, or gets the three-way notice for its own version."""

from __future__ import annotations

import re
import subprocess

import pytest
from django_scopes import scopes_disabled

from manualgen import api
from manualgen.resources import library_paths

from portal_fixtures import TODAY
from test_web import text

SENTENCE = "A missed check-in is never ignored."
PURPOSE_END = "exactly what happens when a check-in is missed."


@pytest.fixture
def library_portal(portal):
    """The portal with its own library repository in DATA/library, as `portal init`
    makes it, and the site reading the library from there."""
    from manualgen.services.library_repo import LibraryRepo

    home = portal.root / "library"
    LibraryRepo.create(home, library_paths(), author="NSNY", email="nsny@example.org")
    portal.site._library = api.load_library(home)
    portal.home = home
    return portal


def built_record(portal, company) -> None:
    """The company's manual recorded as revision 3 on library 2026.2 (no layout: fast)."""
    ws = portal.workspace(company)
    result = api.manual.build(ws.profile_path, portal.site.library,
                              api.manual.ManualOptions(layout="word-updates-on-open"))
    kept = api.manual.record_file(ws.root, result)
    api.save(kept.path, kept.data)


def policy_form(page_text: str, **changes) -> dict:
    """The editor's fields as the browser would send them, with `changes`."""
    from manualgen.library.editing import PolicySource

    path = library_paths().policies / "policies" / "working-alone.md"
    source = PolicySource.parse(path.read_text(encoding="utf-8"))
    fields = source.header_fields()
    data = {"title": fields.title, "applies": "some", "hazards": list(fields.hazards),
            "forms": list(fields.forms), "legislation": fields.legislation,
            "preamble": source.preamble, "note": "", "do": "save",
            "min_employees": "", "subcontractors": "", "safety_rep": ""}
    for s in source.sections:
        data[f"section-{s.name}"] = s.shown
    data.update(changes)
    return data


def test_a_policy_is_edited_reviewed_published_and_taken_by_a_company(library_portal):
    edit_review_publish_take(library_portal)


def edit_review_publish_take(portal):
    """The journey up to the company's "take it"; the response to that (a build)."""
    from manualgen.portal import models as m

    alice = portal.user("alice@nsny.example", role="admin")
    bob = portal.user("bob@nsny.example", role="reviewer")
    owner = portal.user("owner@kluane.example")
    kluane = portal.company("Kluane Ridge Roofing", owner, example=True)
    built_record(portal, kluane)
    a, b = portal.client(alice), portal.client(bob)

    index = a.get("/nsny/library/")
    assert index.status_code == 200 and "Working Alone" in text(index)
    purpose = policy_form("")["section-Purpose"]

    # a misspelt variable: saved as a draft, named beside the Purpose, cannot be sent
    saved = a.post("/nsny/library/policies/working-alone/", policy_form(
        "", **{"section-Purpose": purpose.replace(PURPOSE_END, PURPOSE_END +
                                                 " Call {{ company.nmae }} at once.")}))
    assert saved.status_code == 302
    page = a.get("/nsny/library/policies/working-alone/")
    body = text(page)
    assert "1 problem to fix" in body
    section = re.search(r'id="section-purpose".*?</div>', page.content.decode(), re.S)
    assert "company.nmae" in section.group(0) and "did you mean company.name" in \
        section.group(0)
    refused = a.post("/nsny/library/policies/working-alone/", policy_form(
        "", do="send", note="Say that a missed check-in is never ignored",
        **{"section-Purpose": purpose.replace(PURPOSE_END, PURPOSE_END +
                                              " Call {{ company.nmae }} at once.")}))
    assert refused.status_code == 302
    with scopes_disabled():
        draft = m.LibraryDraft.objects.get(target="working-alone")
    assert draft.state == m.EDITING and draft.errors == 1

    # fixed and sent; the preview reads as the company's manual would
    a.post("/nsny/library/policies/working-alone/", policy_form(
        "", do="send", note="Say that a missed check-in is never ignored",
        **{"section-Purpose": purpose.replace(PURPOSE_END, PURPOSE_END + " " + SENTENCE)}))
    draft.refresh_from_db()
    assert draft.state == m.LIB_REVIEW and draft.errors == 0
    preview = text(a.get(f"/nsny/library/policies/working-alone/?company={kluane.folder}"))
    assert SENTENCE in preview and "how Kluane Ridge Roofing decides" in preview

    # the author cannot approve; another person can
    own = a.post(f"/nsny/library/drafts/{draft.pk}/decide/", {"do": "approve"})
    assert own.status_code == 400 and "another NSNY person reviews it" in text(own)
    review = b.get(f"/nsny/library/drafts/{draft.pk}/")
    assert "<ins>" in review.content.decode() and SENTENCE.split()[0] in text(review)
    b.post(f"/nsny/library/drafts/{draft.pk}/decide/", {"do": "approve"})
    draft.refresh_from_db()
    assert draft.state == m.LIB_APPROVED and draft.reviewer == bob

    # only an admin publishes: a new commit and tag, the file revised
    assert b.post("/nsny/library/publish/").status_code == 403
    done = a.post("/nsny/library/publish/", {"notes": ""})
    assert done.status_code == 302 and "2026.3" in done["Location"]
    tags = subprocess.run(["git", "-C", str(portal.home), "tag"], capture_output=True,
                          text=True, check=True).stdout.split()
    assert tags == ["2026.2", "2026.3"]
    policy = (portal.home / "policy_library/policies/working-alone.md").read_text()
    assert SENTENCE in policy and "revision: 4" in policy and "reviewed: " in policy
    assert portal.site.library.info.version == "2026.3"
    draft.refresh_from_db()
    assert draft.state == m.PUBLISHED and draft.version == "2026.3"
    assert m.LibraryVersion.objects.get(version="2026.3").published_by == alice
    dashboard = text(a.get("/nsny/"))
    assert "Library versions in use" in dashboard and "2026.2" in dashboard

    # the company sees its own section as a redline, with a to-do to take it
    c = portal.client(owner)
    overview = c.get("/overview/")
    news = re.search(r'id="library-news".*?</section>', overview.content.decode(), re.S)
    assert news and f"<ins>{SENTENCE}</ins>" in news.group(0)
    assert "Working Alone (revision 3 to 4)" in text(overview)
    assert "start revision 4" in text(overview)
    taken = c.post("/library/take/")
    assert taken.status_code == 302 and "/jobs/" in taken["Location"]
    assert api.load_profile(portal.workspace(kluane).profile_path,
                            portal.site.library).profile.manual.revision == 4
    return taken


@pytest.mark.libreoffice
def test_taking_a_version_rebuilds_on_a_worker_and_the_history_says_why(library_portal):
    from manualgen.portal import jobs
    from manualgen.portal import models as m

    portal = library_portal
    taken = edit_review_publish_take(portal)
    jobs.db_worker("test-worker", batch=True, interval=0).run()
    with scopes_disabled():
        build = m.Build.objects.get(pk=taken["Location"].rstrip("/").rsplit("/", 1)[1])
    assert build.state == m.DONE, build.error
    with scopes_disabled():
        kluane = m.Company.objects.get()
    ws = portal.workspace(kluane)
    assert api.manual.library_version(ws.root) == "2026.3"
    import docx

    words = "\n".join(p.text for p in docx.Document(str(ws.output / "manual.docx"))
                      .paragraphs)
    assert SENTENCE in words
    history = "\n".join(c.text for t in docx.Document(str(ws.output / "manual.docx")).tables
                        for row in t.rows for c in row.cells)
    assert "Library 2026.3: Working Alone revised" in history
    owner = m.User.objects.get(email="owner@kluane.example")
    assert "library-news" not in portal.client(owner).get("/overview/").content.decode()


def test_a_company_with_its_own_version_gets_the_three_way_notice(library_portal):
    from manualgen.library.editing import PolicySource

    portal = library_portal
    owner = portal.user("owner@own.example")
    company = portal.company("Own Words Roofing", owner, example=True)
    ws = portal.workspace(company)
    for rel, data in api.manual.copy_policy(ws.profile_path, portal.site.library, "working-alone",
                                            on=TODAY).items():
        ws.write(rel, data)
    built_record(portal, company)
    path = "policy_library/policies/working-alone.md"
    source = PolicySource.parse((portal.home / path).read_text(), path)
    changed = source.with_sections({"Purpose": source.section("Purpose").shown + "\n\n" +
                                    SENTENCE})
    api.library.publish(portal.home, {path: changed.text().encode()}, ["Working Alone: "
                        "a missed check-in"], on=TODAY, author="NSNY",
                        email="nsny@example.org", check=lambda staged: [])
    portal.site.reload_library()
    page = portal.client(owner).get("/overview/").content.decode()
    assert 'id="news-own-working-alone"' in page and 'id="take-library"' not in page
    assert "never ignored" in page
    kept = portal.client(owner).post("/library/own/working-alone/", {"do": "keep"})
    assert kept.status_code == 302
    assert 'id="library-news"' not in portal.client(owner).get("/overview/") \
        .content.decode()


def test_a_form_template_is_checked_before_it_can_be_published(library_portal):
    from manualgen.portal import models as m

    portal = library_portal
    alice = portal.user("alice@nsny.example", role="admin")
    a = portal.client(alice)
    # the toolbox meeting is made from its definition: an upload gives it a Word layout
    good = (library_paths().forms / "emergency-response-plan.docx").read_bytes()
    broken = good.replace(b"PK", b"PK", 1)[:len(good) // 2]
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = a.post("/nsny/library/forms/toolbox-meeting/", {
        "template": SimpleUploadedFile("toolbox.docx", broken), "note": "new layout"})
    assert page.status_code == 200 and "cannot be opened as a Word document" in text(page)
    with scopes_disabled():
        draft = m.LibraryDraft.objects.get(target="toolbox-meeting")
    assert draft.errors == 1
    page = a.post("/nsny/library/forms/toolbox-meeting/", {
        "template": SimpleUploadedFile("toolbox.docx", good), "note": "new layout",
        "do": "send"})
    draft.refresh_from_db()
    assert draft.errors == 0 and draft.state == m.LIB_REVIEW
    assert draft.path == "form_templates/toolbox-meeting.docx"


def test_employers_and_reviewers_have_the_rights_they_should(library_portal):
    portal = library_portal
    owner = portal.user("owner@x.example")
    portal.company("X Roofing", owner, example=True)
    bob = portal.user("bob@nsny.example", role="reviewer")
    assert portal.client(owner).get("/nsny/library/").status_code == 404
    b = portal.client(bob)
    assert b.get("/nsny/library/policies/working-alone/").status_code == 200
    assert b.post("/nsny/library/publish/").status_code == 403


def test_a_draft_of_a_policy_changed_since_is_not_published_over_the_change(
        library_portal):
    """Working Alone changed in the library (a version pulled from NSNY's repository)
    after a draft of it was started: publishing the draft would undo that change."""
    from manualgen.library.editing import PolicySource
    from manualgen.portal import models as m

    portal = library_portal
    alice = portal.user("alice@nsny.example", role="admin")
    path = "policy_library/policies/working-alone.md"
    published = (portal.home / path).read_text()
    with scopes_disabled():
        draft = m.LibraryDraft.objects.create(
            kind=m.POLICY, target="working-alone", title="Working Alone", base="2026.2",
            path=path, author=alice, text=published.replace(PURPOSE_END, PURPOSE_END +
                                                             " " + SENTENCE),
            note="a sentence", state=m.LIB_APPROVED)
    source = PolicySource.parse(published, path)
    elsewhere = source.with_sections({"Scope": source.section("Scope").shown +
                                      "\n\nAlso on the winter road."})
    api.library.publish(portal.home, {path: elsewhere.text().encode()}, ["elsewhere"],
                        on=TODAY, author="NSNY", email="n@example.org",
                        check=lambda staged: [])
    portal.site.reload_library()
    a = portal.client(alice)
    assert 'id="stale"' in a.get("/nsny/library/policies/working-alone/").content.decode()
    refused = a.post("/nsny/library/publish/")
    assert refused.status_code == 400 and "changed since this draft was started" in \
        text(refused)
    assert "Also on the winter road." in (portal.home / path).read_text()
    draft.refresh_from_db()
    assert draft.state == m.LIB_APPROVED
