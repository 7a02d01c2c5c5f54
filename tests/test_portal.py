"""The portal at the HTTP level (Django's test client): invitations and sign-up, the
review workflow to a Letter of Good Standing, NSNY's dashboard, reminders."""

from __future__ import annotations

import re

import pytest
from django_scopes import ScopeError, scope, scopes_disabled
from pypdf import PdfReader

from manualgen import api
from manualgen.web.permissions import Role

from portal_fixtures import PASSWORD, switch_off, switch_on
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


def totp_code(page_text: str) -> str:
    """The code an authenticator app shows now, for the secret on allauth's setup page."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page_text) or \
        re.search(r'value="([A-Z2-7]{32})"', page_text)
    assert secret, page_text
    return format_hotp_value(hotp_value(secret.group(1), int(time.time()) // 30))


def test_invited_staff_verify_and_set_up_totp_in_one_pass(portal):
    """The production requirement on: the admin `portal init` made signs in and sets up
    the authenticator without being asked for the password again; a reviewer invited by
    the admin (no verified address before) signs up from the link and sets it up too."""
    from allauth.account.models import EmailAddress
    from django.core import mail
    from django_scopes import scopes_disabled

    from manualgen.portal import accounts
    from manualgen.portal import models as m

    switch_off()
    p = switch_on(portal.root.parent / "unused", portal.root,
                  MANUALGEN_PORTAL_STAFF_MFA="required")
    accounts.make_admin("admin@nsny.example", PASSWORD)          # as `portal init` does
    nsny = p.client()
    assert sign_in(nsny, "admin@nsny.example").status_code == 302
    first = nsny.get("/", follow=True)
    assert first.redirect_chain[-1][0].startswith("/accounts/2fa/totp/activate"), \
        first.redirect_chain                   # no "confirm your password" on the way
    done = nsny.post(first.redirect_chain[-1][0], {"code": totp_code(text(first))})
    assert done.status_code == 302, text(done)
    page = nsny.post("/nsny/invite/", {"email": "rev@nsny.example", "role": "reviewer"})
    link = re.search(r'id="invitation-link">([^<]+)<', text(page)).group(1)
    assert link in mail.outbox[-1].body

    reviewer = p.client()
    signup = reviewer.get(link.replace("http://testserver", ""), follow=True)
    assert "/accounts/signup/" in signup.redirect_chain[-1][0]
    with scopes_disabled():
        assert not EmailAddress.objects.filter(email="rev@nsny.example").exists()
    joined = reviewer.post("/accounts/signup/", {"email": "rev@nsny.example",
                                                 "password1": PASSWORD,
                                                 "password2": PASSWORD}, follow=True)
    where = joined.redirect_chain[-1][0]
    assert where.startswith("/accounts/2fa/totp/activate"), joined.redirect_chain
    assert "verified your email" not in text(joined)
    address = EmailAddress.objects.get(email="rev@nsny.example")
    assert address.verified and address.primary
    done = reviewer.post(where, {"code": totp_code(text(joined))})
    assert done.status_code == 302, text(done)
    assert "verified your email" not in text(reviewer.get(done["Location"]))
    dashboard = reviewer.get("/", follow=True)
    assert dashboard.redirect_chain[-1][0] == "/nsny/" and "SECOR companies" in \
        text(dashboard)
    assert m.User.objects.get(email="rev@nsny.example").nsny_role == Role.REVIEWER

    # A sign-in of long ago is asked for the password again before such a change.
    session = reviewer.session
    session["portal_signed_in_at"] = 0
    session.save()
    again = reviewer.get("/accounts/2fa/totp/deactivate/")
    assert again.status_code == 302 and "/accounts/reauthenticate/" in again["Location"]


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
    import time

    time.sleep(0.01)                           # a build comes after the edits before it
    for name in names:
        if name.endswith(".json"):
            ws.write_output(name, api.builds.ManualRecord(
                list(policies), 3, "Test company", "2026-12-01", "2026-12-01 09:00", 1.0,
                "First build.").to_json())
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
    before = text(employer.get("/overview/"))      # nothing to send before a build
    assert 'id="manual-not-built"' in before and "Send the manual for review" not in before
    assert 'id="submission-not-built"' in before and "Send the annual submission" not in before
    refused = employer.post("/reviews/send/", {"kind": "manual"})
    assert refused.status_code == 400 and "has not been built yet" in text(refused)
    ws = portal.workspace(company)
    built(ws, "manual.docx", "manual.pdf", "manual.json")
    after = text(employer.get("/overview/"))
    assert "Send the manual for review" in after and 'id="manual-not-built"' not in after
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
    # The letter is signed with the reviewer's name and title: asked for first.
    assert 'id="unsigned"' in page
    asked = nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "approve"}, follow=True)
    assert asked.redirect_chain[0][0].startswith("/nsny/profile/?")
    assert "First, your name." in text(asked)
    assert m.Review.objects.with_scopes_disabled().get(pk=pk).state == "in_review"
    assert "Write your name" in text(nsny.post(asked.redirect_chain[-1][0],
                                               {"name": "  ", "title": "x"}))
    back = nsny.post(asked.redirect_chain[-1][0], {"name": " Rita  Moosehide ",
                                                   "title": "SECOR Advisor"})
    assert back["Location"] == f"/nsny/reviews/{pk}/"
    assert m.Event.objects.filter(action="name or title changed",
                                  note="Rita Moosehide, SECOR Advisor").exists()
    assert 'id="unsigned"' not in text(nsny.get(back["Location"]))
    nsny.post(f"/nsny/reviews/{pk}/act/", {"action": "approve"})
    # numbered at once; its PDF is made by a worker
    waiting = employer.get(f"/reviews/{pk}/letter.pdf")
    assert waiting.status_code == 202 and "being made" in text(waiting)
    assert "LGS-2026-0001" in text(employer.get(f"/reviews/{pk}/"))
    from manualgen.portal import jobs

    jobs.db_worker("test-worker", batch=True, interval=0).run()
    letter = body(employer.get(f"/reviews/{pk}/letter.pdf"))
    words = PdfReader(__import__("io").BytesIO(letter)).pages[0].extract_text()
    assert "Letter of Good Standing" in words and "LGS-2026-0001" in words
    assert "Kluane Ridge Roofing" in words and "December 1, 2026" in words
    assert "Rita Moosehide, SECOR Advisor" in words and "rev@nsny.example" not in words
    profile = text(nsny.get("/nsny/profile/"))
    assert 'value="Rita Moosehide"' in profile and 'aria-current="page"' in profile


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


def test_profile_problems_are_said_in_the_words_of_the_company_pages(portal):
    """Not company.yaml's paths (emergency.nearest_medical): the question's label."""
    owner = portal.user("owner@kluane.example")
    company = portal.company("Kluane Ridge Roofing", owner, example=True)
    ws = portal.workspace(company)
    yaml_text = re.sub(r"  nearest_medical: .*\n", "", ws.profile_path.read_text())
    ws.write("company.yaml", yaml_text.replace("certificate_date:", "certificate_date: "
                                               "2024-13-45\n  x_certificate_date:"))
    client = portal.client(owner)
    overview = text(client.get("/overview/"))
    assert "Nearest hospital or health centre (Emergencies): this field is required" in \
        overview, overview
    assert "nearest_medical" not in overview and str(ws.root) not in overview
    review = text(client.get("/company/review/"))
    assert "Nearest hospital or health centre: this field is required" in review
    assert "Emergency.nearest_medical" not in review
    assert "Date of issue on the certificate: &#x27;2024-13-45&#x27; is not a date" in review
    assert "X_certificate_date" in review          # a key the form does not know: as written
    manual = text(client.get("/manual/"))
    assert "Nearest hospital or health centre (Emergencies)" in manual


def test_problem_place_names_fields_items_and_sections():
    from manualgen import api
    from manualgen.web.profile_form import problem_place

    groups = {g.key: g for g in api.workspace.questions(api.load_library())}

    def place(key, field, **kw):
        return problem_place(api.Problem("company.yaml", field=field, key=key), groups, **kw)

    assert place(("emergency", "nearest_medical"), "emergency.nearest_medical") == \
        "Nearest hospital or health centre"
    assert place(("people", 0, "training", 1, "completed"),
                 "Dave Kowalski, course 2 (PHSM), completed") == \
        "Dave Kowalski, course 2 (PHSM), " + groups["training"].question("completed").label
    assert place(("emergency",), "emergency") == "Emergencies"
    assert place(("worksites", 1), "worksite 2 (Shop)", section=True) == \
        "Worksite 2 (Shop) (Worksites)"
    assert place(("manual", "distribution"), "manual.distribution") == \
        groups["distribution"].questions[0].label
    assert place(None, None) == ""


def test_the_build_page_has_the_menu_and_its_title_when_boosted(portal):
    """A boosted form's build lands on the whole page; htmx's polling gets the part."""
    owner = portal.user("owner@alpha.example")
    alpha = portal.company("Alpha Roofing", owner, example=True)
    client, build = queue_build(portal, alpha, owner, fields={"what": "manual"})
    pages = {name: text(client.get(f"/jobs/{build.pk}/", **headers)) for name, headers in (
        ("boosted", {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true"}),
        ("polled", {"HTTP_HX_REQUEST": "true"}), ("plain", {}))}
    for name in ("boosted", "plain"):
        assert "<title>Building the manual - " in pages[name]
        assert '<nav aria-label="Main">' in pages[name] and \
            "<h1>Building the manual</h1>" in pages[name] and 'id="job"' in pages[name]
    assert "<title>" not in pages["polled"] and 'id="job"' in pages["polled"]
    assert not any("{#" in page or "comment %}" in page for page in pages.values())
    assert f'hx-get="/jobs/{build.pk}/"' in pages["polled"]


def test_portal_serve_prints_the_address_it_is_opened_at():
    from manualgen.portal.ops import where_served

    behind = where_served({"SECURE_SSL_REDIRECT": True,
                           "PORTAL_ORIGIN": "https://secor.example.ca"},
                          "http://127.0.0.1:8000/")
    assert behind.startswith("https://secor.example.ca/ ") and "reverse proxy" in behind
    plain = where_served({"SECURE_SSL_REDIRECT": False, "PORTAL_ORIGIN": "http://localhost"},
                         "http://127.0.0.1:8000/")
    assert plain.startswith("http://127.0.0.1:8000/ ")


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


# --------------------------------------------------------------------------- builds


def queue_build(portal, company, user, path="/manual/build/", fields=None):
    """An owner asks for a build: the page answers at once with the progress page, and
    the build waits in the database for a worker."""
    from manualgen.portal import models as m

    client = portal.client(user)
    response = client.post(path, fields or {"what": "forms"})
    assert response.status_code == 302 and "/jobs/" in response["Location"], response
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    with scopes_disabled():
        build = m.Build.objects.get(pk=job_id)
    assert build.company == company
    return client, build


def test_a_build_waits_in_the_database_and_a_worker_runs_it(portal):
    from django_tasks_db.models import DBTaskResult

    from manualgen.portal import jobs
    from manualgen.portal import models as m

    owner = portal.user("owner@alpha.example")
    alpha = portal.company("Alpha Roofing", owner, example=True)
    client, build = queue_build(portal, alpha, owner)
    assert build.state == m.QUEUED and build.task_id
    assert DBTaskResult.objects.filter(id=build.task_id, status="READY").exists()
    page = client.get(f"/jobs/{build.pk}/")
    assert page.status_code == 200 and "Building the forms" in text(page)
    # asked again while waiting: the same build, not a second one
    again = client.post("/manual/build/", {"what": "forms"})
    assert again["Location"].endswith(f"/jobs/{build.pk}/")
    assert not (portal.workspace(alpha).output / "forms.zip").is_file()   # no web thread
    jobs.db_worker("test-worker", batch=True, interval=0).run()
    with scopes_disabled():
        build.refresh_from_db()
    assert build.state == m.DONE and build.attempts == 1, build.error
    assert "forms in forms.zip" in build.result
    assert (portal.workspace(alpha).output / "forms.zip").is_file()
    done = client.get(f"/jobs/{build.pk}/")
    assert done.status_code == 302 and done["Location"] == "/manual/"


def test_a_build_whose_worker_died_runs_again_once_then_is_reported(portal):
    import datetime as dt

    from django.utils import timezone

    from manualgen.portal import jobs
    from manualgen.portal import models as m

    owner = portal.user("owner@alpha.example")
    alpha = portal.company("Alpha Roofing", owner, example=True)
    client, build = queue_build(portal, alpha, owner)
    long_ago = timezone.now() - dt.timedelta(seconds=jobs.STALE + 5)
    with scopes_disabled():      # a worker took it, then was killed (no more beats)
        m.Build.objects.filter(pk=build.pk).update(state=m.RUNNING, worker="gone-1",
                                                   attempts=1, heartbeat=long_ago)
    page = client.get(f"/jobs/{build.pk}/")             # any web process sees it lost
    assert "Started again" in text(page)
    with scopes_disabled():
        build.refresh_from_db()
    assert build.state == m.QUEUED and build.task_id
    with scopes_disabled():      # lost a second time
        m.Build.objects.filter(pk=build.pk).update(state=m.RUNNING, worker="gone-2",
                                                   attempts=2, heartbeat=long_ago)
    assert jobs.recover() == 1
    page = client.get(f"/jobs/{build.pk}/")
    assert "stopped twice" in text(page) and "Nothing you saved was lost" in text(page)
    with scopes_disabled():
        assert m.Build.objects.get(pk=build.pk).state == m.FAILED
    # NSNY's list of failed builds has it
    staff = portal.client(portal.user("rev@nsny.example", role=Role.REVIEWER))
    listed = text(staff.get("/nsny/builds/"))
    assert "Alpha Roofing" in listed and "stopped twice" in listed


def test_a_failed_build_says_why_on_its_page(portal):
    from manualgen.portal import jobs

    owner = portal.user("owner@alpha.example")
    alpha = portal.company("Alpha Roofing", owner, example=True)
    ws = portal.workspace(alpha)
    ws.profile_path.write_text("company: [\n", encoding="utf-8")       # broken YAML
    client, build = queue_build(portal, alpha, owner)
    jobs.db_worker("test-worker", batch=True, interval=0).run()
    page = client.get(f"/jobs/{build.pk}/")
    assert page.status_code == 200 and "company.yaml" in text(page)


def test_sending_copies_only_the_samples_records_and_submission_file(portal):
    """A hidden half-written upload (a crash), the app's state or a stray file never
    reaches NSNY's copy of a round."""
    from manualgen.portal import review as flow

    owner = portal.user("owner@alpha.example")
    alpha = portal.company("Alpha Roofing", owner, example=True)
    ws = portal.workspace(alpha)
    name = ws.submissions()[0]
    folder = ws.submission(name)
    (folder / "site-inspections" / ".2026-05-13 burst.pdf.5josy5nm.part").write_bytes(b"%PDF")
    (folder / "site-inspections" / "notes.exe").write_bytes(b"MZ")
    (folder / ".manualgen").mkdir()
    (folder / ".manualgen" / "x.pdf").write_bytes(b"%PDF")
    built(ws, f"{name}.pdf", f"{name}.json")
    sent = [rel for rel, _path in flow._annual_files(ws, portal.site.library, name)]
    inside = [rel for rel in sent if rel.startswith("submission/")]
    assert "submission/submission.yaml" in sent or any("/records/" in r for r in inside)
    assert any(r.startswith("submission/site-inspections/") for r in inside)
    assert not [r for r in sent if ".part" in r or "/." in r or r.endswith(".exe")]
    assert flow.sent_file("site-inspections/2026-05-13 roof.pdf")
    assert not flow.sent_file(".manualgen/tmp/.x.pdf.part")
