"""The portal at the HTTP level (Django's test client): invitations and sign-up, the
review workflow to a Letter of Good Standing, NSNY's dashboard, reminders."""

from __future__ import annotations

import re

import pytest
from django_scopes import ScopeError, scope, scopes_disabled
from pypdf import PdfReader

from portal_fixtures import PASSWORD
from test_web import body, text


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


# --------------------------------------------------------------------------- accounts


def test_an_invitation_opens_sign_up_for_its_address_only(portal):
    from django.core import mail

    from manualgen.portal import ops

    admin = portal.user("admin@nsny.example", role="admin")
    staff = portal.client(admin)
    page = staff.post("/nsny/invite/", {"email": "Owner@Alpha.example", "role": "owner",
                                        "company": "Alpha Roofing Ltd."})
    link = re.search(r'id="invitation-link">([^<]+)<', text(page)).group(1)
    assert link.startswith("http://testserver/invite/")
    assert mail.outbox[-1].to == ["owner@alpha.example"] and link in mail.outbox[-1].body

    visitor = portal.client()
    closed = visitor.get("/accounts/signup/")
    assert "Sign Up Closed" in text(closed) or "closed" in text(closed).lower()
    start = visitor.get(link.replace("http://testserver", ""))
    assert start.status_code == 302 and "email=owner%40alpha.example" in start["Location"] \
        or "email=owner@alpha.example" in start["Location"]
    wrong = visitor.post("/accounts/signup/", {"email": "someone@else.example",
                                                "password1": PASSWORD, "password2": PASSWORD})
    assert "This invitation is for owner@alpha.example" in text(wrong)
    done = visitor.post("/accounts/signup/", {"email": "owner@alpha.example",
                                               "password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    overview = visitor.get("/", follow=True)
    assert "Alpha Roofing Ltd." in text(overview)
    assert visitor.get(link.replace("http://testserver", "")).status_code == 404  # used up

    # The same from the command line's function: a link for a reviewer, no company.
    reviewer_link = ops.invite_link("https://secor.example", None, "rev@nsny.example",
                                    "reviewer")
    assert reviewer_link.startswith("https://secor.example/invite/")


def test_one_person_in_two_companies_switches_between_them(portal):
    advisor = portal.user("advisor@consult.example")
    alpha = portal.company("Alpha Roofing", advisor)
    beta = portal.company("Beta Builders", advisor, role="member")
    client = portal.client(advisor)
    assert client.get("/overview/").status_code == 302          # choose one first
    assert client.post("/companies/", {"company": alpha.pk}).status_code == 302
    assert "Alpha Roofing" in text(client.get("/overview/"))
    client.post("/companies/", {"company": beta.pk})
    page = client.get("/overview/")
    assert "Beta Builders" in text(page) and 'id="switch-company"' in text(page)
    # A member (not owner) does not send work to NSNY.
    assert "Send the manual" not in text(page)


# --------------------------------------------------------------------------- the review


def built(ws, *names: str, policies=("Health and Safety Policy", "Working Alone")) -> None:
    """What a build leaves in output/ (the browser test builds for real, with LibreOffice;
    here the workflow is what is tested, on SQLite and PostgreSQL alike)."""
    import json
    import time

    time.sleep(0.01)                           # a build comes after the edits before it
    for name in names:
        if name.endswith(".json"):
            ws.write_output(name, json.dumps({"policies": list(policies), "pages": 3}))
        else:
            ws.write_output(name, pdf_bytes(name) if name.endswith(".pdf") else
                            b"PK docx of " + name.encode())


def pdf_bytes(title: str) -> bytes:
    from test_web import pdf

    return pdf(title)


def test_manual_and_annual_submission_through_review_to_a_letter(portal):
    from manualgen.portal import models as m

    owner = portal.user("owner@kluane.example")
    company = portal.company("Kluane Ridge Roofing", owner, example=True)
    reviewer = portal.user("rev@nsny.example", role="reviewer")
    employer, nsny = portal.client(owner), portal.client(reviewer)

    # The manual: built, sent (a frozen copy), returned with a comment on a policy.
    refused = employer.post("/reviews/send/", {"kind": "manual"})
    assert refused.status_code == 400 and "has not been built yet" in text(refused)
    ws = portal.workspace(company)
    built(ws, "manual.docx", "manual.pdf", "manual.json")
    sent = employer.post("/reviews/send/", {"kind": "manual"})
    review_url = sent["Location"]
    pk = int(review_url.strip("/").split("/")[-1])
    assert "Submitted" in text(employer.get(review_url))
    again = employer.post("/reviews/send/", {"kind": "manual"})
    assert again.status_code == 400 and "with NSNY already" in text(again)

    dashboard = text(nsny.get("/nsny/?f=review"))
    assert "Kluane Ridge Roofing" in dashboard and "Health and safety manual" in dashboard
    nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "start"})
    page = text(nsny.get(f"/nsny/reviews/{pk}/"))
    policy = re.search(r'<select id="target_policy" name="target_policy"><option>([^<]+)<',
                       page).group(1)
    refused = nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "return"})
    assert refused.status_code == 400 and "at least one actionable comment" in text(refused)
    nsny.post(f"/nsny/reviews/{pk}/act/", {
        "action": "comment", "target_kind": "policy", "target_policy": policy,
        "kind": "actionable", "text": "Name who checks on the worker alone."})
    nsny.post(f"/nsny/reviews/{pk}/act/", {
        "action": "comment", "target_kind": "general", "kind": "informational",
        "text": "Well laid out."})
    nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "return"})

    overview = text(employer.get("/overview/"))
    assert "Name who checks on the worker alone." in overview and policy in overview
    task = m.Comment.objects.with_scopes_disabled().get(kind="actionable")
    # The frozen copy is what was sent, whatever the company changes afterwards.
    frozen = body(employer.get(f"/reviews/{pk}/files/1/manual.docx"))
    assert frozen == (ws.output / "manual.docx").read_bytes()
    ws.write("company.yaml", ws.profile_path.read_text().replace(
        "Kluane Ridge Roofing & Sons Ltd.", "Kluane Ridge Roofing and Sons Ltd."))
    stale = employer.post("/reviews/send/", {"kind": "manual"})
    assert "changed after the manual was built" in text(stale)
    built(ws, "manual.docx", "manual.pdf", "manual.json")
    assert body(employer.get(f"/reviews/{pk}/files/1/manual.docx")) == frozen
    employer.post(f"/tasks/{task.pk}/done/")
    employer.post("/reviews/send/", {"kind": "manual"})
    nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "start"})
    nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "approve"})
    with scopes_disabled():
        steps = [(t.source, t.target, t.by.email) for t in
                 m.Transition.objects.filter(review_id=pk)]
    assert steps == [
        ("draft", "submitted", "owner@kluane.example"),
        ("submitted", "in_review", "rev@nsny.example"),
        ("in_review", "returned", "rev@nsny.example"),
        ("returned", "resubmitted", "owner@kluane.example"),
        ("resubmitted", "in_review", "rev@nsny.example"),
        ("in_review", "approved", "rev@nsny.example")]
    audit = text(nsny.get("/nsny/audit/?q=kluane"))
    assert audit.count("owner@kluane.example") == 2

    # The annual submission: the records behind each category, then a letter.
    built(ws, "2026-submission.pdf", "2026-submission.json")
    sent = employer.post("/reviews/send/", {"kind": "annual", "name": "2026-submission"})
    pk = int(sent["Location"].strip("/").split("/")[-1])
    nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "start"})
    page = text(nsny.get(f"/nsny/reviews/{pk}/"))
    assert "The records behind each category" in page and "Records: " in page, \
        re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", page))[-1200:]
    sample = re.search(r'href="(/nsny/reviews/\d+/files/1/submission/[^"]+)"', page).group(1)
    assert body(nsny.get(sample)).startswith(b"%PDF")
    nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "approve"})
    letter = body(employer.get(f"/reviews/{pk}/letter.pdf"))
    words = PdfReader(__import__("io").BytesIO(letter)).pages[0].extract_text()
    assert "Letter of Good Standing" in words and "LGS-2026-0001" in words
    assert "Kluane Ridge Roofing" in words and "December 1, 2026" in words


def test_the_letter_template_is_nsny_s_to_edit(portal):
    admin = portal.user("admin@nsny.example", role="admin")
    reviewer = portal.user("rev@nsny.example", role="reviewer")
    client = portal.client(admin)
    bad = client.post("/nsny/letter/", {"text": "# Letter\n\n{{ company.nmae }}\n"})
    assert "The template has a problem" in text(bad) and "nmae" in text(bad)
    good = client.post("/nsny/letter/", {"text": "# Letter\n\n{{ company.legal_name }}\n"})
    assert good.status_code == 302
    from manualgen.portal.review import current_template

    assert current_template() == "# Letter\n\n{{ company.legal_name }}\n"
    assert portal.client(reviewer).post("/nsny/letter/", {"text": "x"}).status_code == 403


# --------------------------------------------------------------------------- NSNY


def test_dashboard_lists_filters_and_searches_companies(portal):
    reviewer = portal.user("rev@nsny.example", role="reviewer")
    portal.company("Kluane Ridge Roofing", example=True)
    portal.company("Empty Co")
    client = portal.client(reviewer)
    page = text(client.get("/nsny/"))
    assert "Kluane Ridge Roofing" in page and "Empty Co" in page
    assert "2026-12-15: 14 days" in page                  # the example is due in 14 days
    due30 = text(client.get("/nsny/?f=due30"))
    assert "Kluane Ridge Roofing" in due30 and "Empty Co" not in due30
    assert "Kluane" not in text(client.get("/nsny/?f=overdue")).split("<tbody>")[1]
    assert "Empty Co" not in text(client.get("/nsny/?q=kluane"))


def test_reminders_are_sent_once_each(portal):
    from django.core import mail

    from manualgen.portal.mail import send_reminders

    owner = portal.user("owner@kluane.example")
    portal.company("Kluane Ridge Roofing", owner, example=True)
    first = send_reminders(portal.site)
    assert first and all(r.to == "owner@kluane.example" for r in first)
    assert any("is due by 2026-12-15" in msg.body for msg in mail.outbox)
    assert len(mail.outbox) == len(first)
    assert send_reminders(portal.site) == []
    assert len(mail.outbox) == len(first)


# --------------------------------------------------------------------------- scoping


def test_a_query_outside_a_company_scope_is_refused(portal):
    from manualgen.portal import models as m

    owner = portal.user("owner@a.example")
    alpha = portal.company("Alpha", owner)
    beta = portal.company("Beta")
    with scopes_disabled():
        m.Review.objects.create(company=beta, kind="manual", title="Beta's manual")
    with pytest.raises(ScopeError):
        list(m.Review.objects.all())
    with pytest.raises(ScopeError):
        m.Company.objects.count()
    with scope(company=alpha.pk):
        assert list(m.Review.objects.all()) == []
        assert list(m.Company.objects.all()) == [alpha]


def test_a_forgotten_password_is_reset_by_e_mail(portal):
    from django.core import mail

    portal.user("owner@alpha.example")
    client = portal.client()
    client.get("/accounts/password/reset/")
    response = client.post("/accounts/password/reset/", {"email": "owner@alpha.example"})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)",
                     mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "Lynx-Caribou-Permafrost-8"
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                       {"password1": new, "password2": new})
    assert done.status_code == 302
    assert sign_in(portal.client(), "owner@alpha.example", new).status_code == 302
    assert sign_in(portal.client(), "owner@alpha.example").status_code == 200  # old one


def test_builds_of_all_companies_queue_for_the_slots(tmp_path):
    import threading
    import time

    from manualgen.portal.site import QueuedJobs

    logs: list[str] = []
    jobs = QueuedJobs(logs.append, slots=1)
    running, most = [0], [0]
    lock = threading.Lock()

    def work(job):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return "built"

    started = [jobs.start(tmp_path / f"company-{n}", "manual", "Build", "/manual/", work)
               for n in range(3)]
    deadline = time.monotonic() + 20
    while any(j.running for j in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [j.result for j in started] == ["built"] * 3
    assert most[0] == 1
    assert sorted(jobs.waits)[-1] >= 0.5
    assert len([line for line in logs if line.startswith("build queue wait manual ")]) == 3
