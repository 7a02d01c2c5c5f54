"""The portal's refusals: another company's pages, files and downloads by URL, the
signed-out visitor, CSRF, cookies and throttling in the production settings, upload names,
the admin, and NSNY staff's second factor."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django_scopes import scopes_disabled

from portal_fixtures import PASSWORD, portal_environ, switch_off, switch_on
from test_web import pdf, upload
from web_fixtures import multipart


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def two(portal):
    """Companies A and B, each with an owner, and B with a sent, returned review, a
    letter and a finished build."""
    from manualgen.portal import models as m

    a_owner, b_owner = portal.user("a@alpha.example"), portal.user("b@beta.example")
    alpha = portal.company("Alpha Roofing", a_owner)
    beta = portal.company("Beta Builders", b_owner, example=True)
    ws = portal.workspace(beta)
    ws.write_output("manual.docx", b"PK beta's manual")
    with scopes_disabled():
        review = m.Review.objects.create(company=beta, kind="annual", name="2026-submission",
                                         title="2026 Annual", state=m.RETURNED)
        folder = portal.site.frozen_folder(beta.folder) / str(review.pk) / "1"
        folder.mkdir(parents=True)
        (folder / "secret.pdf").write_bytes(pdf("beta only"))
        rnd = m.Round.objects.create(company=beta, review=review, number=1,
                                     folder=f"{beta.folder}/{review.pk}/1",
                                     files=[{"name": "secret.pdf", "size": 9}])
        comment = m.Comment.objects.create(company=beta, review=review, round=rnd,
                                           text="Fix it", kind="actionable")
        (folder.parent / "letter.pdf").write_bytes(pdf("letter"))
        m.Letter.objects.create(company=beta, review=review, number="LGS-2026-0009",
                                year=2026, sequence=9, issued="2026-12-01",
                                file=f"{beta.folder}/{review.pk}/letter.pdf")
    with scopes_disabled():
        job = m.Build.objects.create(id="b" * 32, company=beta, kind="manual",
                                     title="B's build", done_url="/manual/", state=m.DONE,
                                     result="done")
    return portal, portal.client(a_owner), portal.client(b_owner), alpha, beta, review, \
        rnd, comment, job


def test_a_member_of_a_gets_404_for_everything_of_b(two):
    portal, a, b, alpha, beta, review, rnd, comment, job = two
    for url in (f"/reviews/{review.pk}/", f"/reviews/{review.pk}/files/1/secret.pdf",
                f"/reviews/{review.pk}/letter.pdf", f"/jobs/{job.id}/",
                "/submission/2026-submission/", "/submission/2026-submission/download/pdf",
                f"/nsny/reviews/{review.pk}/", f"/nsny/companies/{beta.pk}/",
                f"/reviews/{review.pk + 1}/", f"/reviews/{review.pk}/files/1/../1/secret.pdf",
                f"/reviews/{review.pk}/files/1/..%2F..%2F{beta.folder}%2Fcompany.yaml",
                f"/reviews/{review.pk}/files/1/%2Fetc%2Fpasswd",
                "/manual/download/..%2F..%2Fbeta-builders%2Foutput%2Fmanual.docx",
                "/submission/..%2Fbeta-builders/"):
        response = a.get(url)
        assert response.status_code == 404, url
        assert "beta" not in text(response).lower(), url
    assert a.post(f"/tasks/{comment.pk}/done/").status_code == 404
    assert a.post("/companies/", {"company": beta.pk}).status_code == 404
    assert a.post("/reviews/send/", {"kind": "annual",
                                     "name": "2026-submission"}).status_code == 404
    # B itself reaches them.
    assert b.get(f"/reviews/{review.pk}/").status_code == 200
    response = b.get(f"/reviews/{review.pk}/files/1/secret.pdf")
    assert response.status_code == 200
    response.close()
    with scopes_disabled():
        comment.refresh_from_db()
    assert comment.done is None


def test_signed_out_visitors_get_the_sign_in_page(two):
    portal, *_rest = two
    client = portal.client()
    for url in ("/", "/overview/", "/company/company/", "/manual/download/manual.docx",
                "/status/", "/submission/", "/nsny/", "/nsny/audit/", "/admin/",
                "/reviews/1/files/1/secret.pdf"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and 'name="password"' in text(page)


def test_every_change_needs_the_csrf_token(two):
    portal, _a, _b, alpha, beta, review, rnd, comment, job = two
    from manualgen.portal import models as m

    user = m.User.objects.get(email="a@alpha.example")
    client = portal.client(user, enforce_csrf_checks=True)
    staff = portal.client(portal.user("rev@nsny.example", role="admin"),
                          enforce_csrf_checks=True)
    anonymous = portal.client(enforce_csrf_checks=True)
    for who, url in ((client, "/companies/"), (client, "/reviews/send/"),
                     (client, "/tasks/1/done/"), (client, "/company/save/"),
                     (client, "/company/company/"), (client, "/manual/build/"),
                     (client, "/accounts/logout/"), (client, "/invite/x/"),
                     (staff, "/nsny/invite/"), (staff, f"/nsny/reviews/{review.pk}/act/"),
                     (staff, "/nsny/letter/"), (staff, "/accounts/2fa/totp/activate/"),
                     (anonymous, "/accounts/login/"), (anonymous, "/accounts/signup/"),
                     (anonymous, "/accounts/password/reset/")):
        response = who.post(url, {"x": "1"})
        assert response.status_code == 403, url
        assert "only accepts forms sent from its own pages" in text(response), url


def test_production_settings_secure_cookies_and_throttled_sign_in(portal, tmp_path):
    switch_off()
    p = switch_on(tmp_path / "db-unused", portal.root, MANUALGEN_PORTAL_HTTPS="1",
                  MANUALGEN_PORTAL_LOGIN_FAILURES="3")
    p.user("owner@alpha.example")
    client = p.client()
    assert client.get("/accounts/login/").status_code == 301          # to https
    client.get("/accounts/login/", secure=True)
    response = client.post("/accounts/login/", {"login": "owner@alpha.example",
                                                "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["__Host-portal_session"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies["__Host-portal_csrf"]["secure"]
    page = client.get("/", secure=True, follow=True)
    assert "max-age=31536000" in page["Strict-Transport-Security"]

    other = p.client()
    for _ in range(3):
        wrong = other.post("/accounts/login/", {"login": "owner@alpha.example",
                                                "password": "not-the-password"}, secure=True)
        assert wrong.status_code == 200
    blocked = other.post("/accounts/login/", {"login": "owner@alpha.example",
                                              "password": PASSWORD}, secure=True)
    assert blocked.status_code in (200, 429)
    assert "Too many failed login attempts" in text(blocked)
    assert "_auth_user_id" not in other.session


def test_check_deploy_has_no_warnings_in_the_production_settings(tmp_path):
    env = {**os.environ, **portal_environ(tmp_path),
           "MANUALGEN_PORTAL_HTTPS": "1", "MANUALGEN_PORTAL_HOSTS": "secor.example.ca",
           "MANUALGEN_PORTAL_SECRET_KEY": "k3y-" + "x9Q" * 20,
           "MANUALGEN_PORTAL_STAFF_MFA": "required",
           "DJANGO_SETTINGS_MODULE": "manualgen.portal.settings"}
    env.pop("MANUALGEN_PORTAL_DATABASE", None)
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy",
                           "--fail-level", "WARNING"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_uploaded_file_names_never_reach_a_path(portal):
    owner = portal.user("owner@alpha.example")
    company = portal.company("Alpha Roofing", owner, example=True)
    client = portal.client(owner)
    ws = portal.workspace(company)
    before = ws.profile_path.read_bytes()
    url = "/submission/2026-submission/upload/"
    for name in ("../../company.yaml", "..\\..\\company.yaml", "/etc/passwd.pdf",
                 "C:\\evil.pdf", "site-inspections/../../x.pdf"):
        data, kind = multipart({"category": "site-inspections"}, [("files", name, b"x: 1")],
                               content_type="application/pdf")
        response = client.post(url, data, content_type=kind)
        assert response.status_code == 400, name
        assert "points outside the folder" in text(response), name
    assert ws.profile_path.read_bytes() == before
    response = client.post(url, {"category": "site-inspections",
                                 "files": upload("2026-05-01 <b>inspection;.pdf", pdf())})
    assert response.status_code == 302
    saved = sorted(p.name for p in (ws.root / "2026-submission/site-inspections").iterdir())
    assert "2026-05-01 _b_inspection_.pdf" in saved
    outside = [p for p in portal.root.rglob("*") if "inspection" in p.name
               and not p.is_relative_to(ws.root)]
    assert outside == []


def test_the_admin_is_for_nsny_admins_only(portal):
    owner = portal.user("owner@alpha.example")
    portal.company("Alpha Roofing", owner)
    reviewer = portal.user("rev@nsny.example", role="reviewer")
    admin = portal.user("admin@nsny.example", role="admin")
    assert portal.client(owner).get("/admin/").status_code == 404
    assert portal.client(reviewer).get("/admin/").status_code == 404
    assert portal.client(owner).get("/nsny/").status_code == 404
    assert portal.client(reviewer).get("/nsny/").status_code == 200
    page = portal.client(admin).get("/admin/portal/company/")
    assert page.status_code == 200 and "Alpha Roofing" in text(page)


def test_nsny_staff_set_up_an_authenticator_before_anything_else(portal):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    switch_off()
    p = switch_on(portal.root.parent / "unused", portal.root,
                  MANUALGEN_PORTAL_STAFF_MFA="required")
    reviewer = p.user("rev@nsny.example", role="reviewer")
    owner = p.user("owner@alpha.example")
    p.company("Alpha Roofing", owner)
    assert p.client(owner).get("/overview/").status_code == 200      # employers: optional
    client = p.client()                 # signed in with the password: a fresh sign-in
    assert client.post("/accounts/login/", {"login": reviewer.email,
                                            "password": PASSWORD}).status_code == 302
    response = client.get("/nsny/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate" in response["Location"]
    activate = response["Location"]
    page = client.get(activate)           # a fresh sign-in: not the password once more
    assert page.status_code == 200, page.get("Location")
    import re
    import time

    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', text(page)) or \
        re.search(r'value="([A-Z2-7]{32})"', text(page))
    assert secret, text(page)
    secret = secret.group(1)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    done = client.post(activate, {"code": code})
    assert done.status_code == 302, text(done)
    assert client.get("/nsny/").status_code == 200


# --------------------------------------------------------------------------- every route


B_MARKS = ("beta builders", "beta-builders", "beta only", "lgs-2026-0009", "b's build")


def portal_routes() -> dict[str, tuple[str, object]]:
    """Every named route of the portal, by name: (its pattern, its view); allauth's pages
    and the Django admin are theirs, tested by the gate's tests above."""
    from django.urls import URLPattern, URLResolver

    from manualgen.portal import urls

    found: dict[str, tuple[str, object]] = {}

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                module = getattr(p.urlconf_module, "__name__", "")
                if p.app_name == "admin" or module.startswith("allauth"):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                assert p.name, f"the route {prefix}{p.pattern} has no name"
                found[p.name] = (prefix + str(p.pattern), p.callback)

    walk(urls.urlpatterns, "")
    return found


def b_objects(two) -> dict[str, dict]:
    """Each route's path parameters, filled with company B's objects where the route takes
    one ("b": must answer 404 to A's owner), or with A's own ("own": anything but an error,
    nothing of B), or an NSNY page ("nsny": 404 to any employer)."""
    from manualgen import api

    portal, _a, _b, alpha, beta, review, rnd, comment, job = two
    ws = portal.workspace(beta)
    ws.write("company.yaml", ws.profile_path.read_bytes())        # B: a kept version
    version = ws.history()[0].id
    table = api.submission.record_tables(portal.site.library)[0].stem
    folder = "2026-submission"
    own, b, nsny = "own", "b", "nsny"
    return {
        "home": (own, {}), "portal-companies": (own, {}),
        "portal-accept": (b, {"token": "not-a-token-of-anybody"}),
        "portal-overview": (own, {}), "portal-send": (own, {}), "members": (own, {}),
        "portal-review": (b, {"pk": review.pk}),
        "portal-round-file": (b, {"pk": review.pk, "number": rnd.number,
                                  "name": "secret.pdf"}),
        "portal-letter": (b, {"pk": review.pk}),
        "portal-task-done": (b, {"pk": comment.pk}),
        "nsny-dashboard": (nsny, {}), "nsny-invite": (nsny, {}), "nsny-audit": (nsny, {}),
        "nsny-letter": (nsny, {}), "nsny-profile": (nsny, {}), "nsny-builds": (nsny, {}),
        "nsny-company": (nsny, {"pk": beta.pk}),
        "nsny-review": (nsny, {"pk": review.pk}), "nsny-act": (nsny, {"pk": review.pk}),
        "nsny-round-file": (nsny, {"pk": review.pk, "number": rnd.number,
                                   "name": "secret.pdf"}),
        "nsny-letter-pdf": (nsny, {"pk": review.pk}),
        "nsny-library": (nsny, {}), "nsny-library-rules": (nsny, {}),
        "nsny-library-policy": (nsny, {"policy_id": "working-alone"}),
        "nsny-library-owner": (nsny, {"policy_id": "working-alone"}),
        "nsny-library-form": (nsny, {"form_id": "toolbox-meeting"}),
        "nsny-library-draft": (nsny, {"pk": 1}), "nsny-library-decide": (nsny, {"pk": 1}),
        "nsny-library-publish": (nsny, {}),
        "portal-library-take": (own, {}),
        "portal-library-own": (own, {"policy_id": "working-alone"}),
        "static": (own, {"name": "app.css"}),
        "job": (b, {"job_id": job.pk}),
        "company": (own, {}), "company-review": (own, {}), "company-save": (own, {}),
        "company-discard": (own, {}), "company-history": (own, {}),
        "company-version": (b, {"version": version}),
        "company-logo": (own, {}), "company-section": (own, {"section": "company"}),
        "manual": (own, {}), "manual-build": (own, {}),
        "manual-download": (b, {"name": "manual.docx"}),        # B has one, A has none
        "manual-page": (own, {"number": 1}),
        "status": (own, {}), "status-ics": (own, {}),
        "submissions": (own, {}), "submission-start": (own, {}),
        "submission": (b, {"name": folder}),
        "submission-upload": (b, {"name": folder}),
        "submission-sample": (b, {"name": folder}),
        "submission-thumb": (b, {"name": folder}),
        "submission-records": (b, {"name": folder, "table": table}),
        "submission-build": (b, {"name": folder}),
        "submission-download": (b, {"name": folder, "kind": "pdf"}),
        # the phone app (issue 26): A's own forms; a crew link A does not hold
        "phone": (own, {}), "phone-sw": (own, {}), "phone-manifest": (own, {}),
        "phone-app-json": (own, {}), "phone-submit": (own, {}), "phone-sent": (own, {}),
        "phone-paper": (own, {}),
        "portal-crew": (b, {"token": "not-a-token-of-anybody"}),
    }


def test_every_route_answers_404_to_another_company_s_owner(two):
    """Each route of the URL patterns, its parameters naming B's objects, asked by A's
    owner with GET and POST: 404 (or 405 to a GET of a form's address), never B's data,
    never an error. A route added without a line here fails the test."""
    from django.urls import reverse

    from manualgen.portal import models as m
    from manualgen.web.permissions import rights_of

    portal, a, *_rest = two
    routes = portal_routes()
    cases = b_objects(two)
    assert set(cases) == set(routes), "routes without a case (add them to b_objects): " + \
        ", ".join(sorted(set(routes) ^ set(cases)))
    unmarked = [name for name, (_p, view) in routes.items() if rights_of(view) is None]
    assert not unmarked, f"views without @requires or @open_to_all: {unmarked}"
    with scopes_disabled():
        before = (m.Comment.objects.get(pk=two[7].pk).done, m.Review.objects.count(),
                  m.Membership.objects.count())
    for name, (kind, kwargs) in sorted(cases.items()):
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(a, method)(url)
            status = response.status_code
            content = b"".join(response.streaming_content) if response.streaming else \
                response.content
            page = content.decode("utf-8", "replace").lower()
            where = f"{method.upper()} {url} ({name})"
            assert status < 500, where
            assert not any(mark in page for mark in B_MARKS), where
            if kind in ("b", "nsny"):
                assert status == 404 or (status == 405 and method == "get"), \
                    f"{where}: {status}"
    with scopes_disabled():
        after = (m.Comment.objects.get(pk=two[7].pk).done, m.Review.objects.count(),
                 m.Membership.objects.count())
    assert after == before


# --------------------------------------------------------------------------- the rights


@pytest.fixture
def crew(portal):
    """Alpha Roofing (the example company) with an owner, a member and a consultant; NSNY
    with a reviewer and an admin."""
    people = {role: portal.user(f"{role}@alpha.example")
              for role in ("owner", "member", "consultant")}
    alpha = portal.company("Alpha Roofing", people["owner"], example=True)
    from manualgen.portal import models as m

    with scopes_disabled():
        for role in ("member", "consultant"):
            m.Membership.objects.create(user=people[role], company=alpha, role=role)
    people["reviewer"] = portal.user("rev@nsny.example", role="reviewer")
    people["admin"] = portal.user("admin@nsny.example", role="admin")
    clients = {role: portal.client(user) for role, user in people.items()}
    return portal, alpha, people, clients


def refused(response, words: str) -> bool:
    """A plain 403 page that names who may."""
    import html

    page = html.unescape(text(response))
    return response.status_code == 403 and "Not allowed" in page and words in page


def test_the_rights_table_is_the_one_the_readme_states():
    from pathlib import Path

    from manualgen.portal import models as m
    from manualgen.web import permissions as p
    from manualgen.web.permissions import Action, Role

    assert {r.value for r in p.COMPANY_ROLES} == {k for k, _l in m.MEMBER_ROLES}
    assert {r.value for r in p.NSNY_ROLES} == {k for k, _l in m.STAFF_ROLES if k}
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "| may ... | " + " | ".join(p.LABELS[r] for r in Role) + " |" in readme
    for does, holders in p.table():
        marks = " | ".join("yes" if holders[r] else "-" for r in Role)
        assert f"| {does} | {marks} |" in readme, does
    assert Action.SEND in p.RIGHTS[Role.OWNER] and Action.SEND not in p.RIGHTS[Role.CONSULTANT]
    assert Action.MANAGE_MEMBERS not in p.RIGHTS[Role.MEMBER] | p.RIGHTS[Role.CONSULTANT]
    assert Action.EDIT_PROFILE not in p.RIGHTS[Role.MEMBER]
    assert Action.ADMIN not in p.RIGHTS[Role.REVIEWER]


def test_a_member_cannot_send_invite_or_change_the_profile(crew):
    portal, alpha, people, clients = crew
    member = clients["member"]
    overview = text(member.get("/overview/"))
    assert "Send the manual" not in overview and "Only the company's owner sends" in overview
    assert refused(member.post("/reviews/send/", {"kind": "manual"}),
                   "Only the company's owner can send the company's work to NSNY")
    people_page = member.get("/people/")
    assert people_page.status_code == 200 and "owner@alpha.example" in text(people_page)
    assert 'name="email"' not in text(people_page)
    assert refused(member.post("/people/", {"email": "x@alpha.example", "role": "owner"}),
                   "Only the company's owner can invite people")
    assert refused(member.post("/company/save/"), "owner or its safety consultant")
    assert refused(member.post("/company/company/", {"action": "stay"}),
                   "change the company profile")
    section = text(member.get("/company/company/"))
    assert '<fieldset disabled class="read-only">' in section
    # ...but adds samples, keeps records, builds and ticks off comments.
    folder = "2026-submission"
    kept = member.post(f"/submission/{folder}/upload/", {
        "category": "site-inspections", "files": upload("2026-05-01 inspection.pdf", pdf())})
    assert kept.status_code == 302
    assert member.post("/manual/build/", {"what": "forms"}).status_code == 302
    ws = portal.workspace(alpha)
    assert (ws.root / folder / "site-inspections" / "2026-05-01 inspection.pdf").is_file()


def test_a_consultant_does_all_but_send_and_manage_people(crew):
    portal, alpha, people, clients = crew
    consultant = clients["consultant"]
    assert refused(consultant.post("/reviews/send/", {"kind": "manual"}),
                   "Only the company's owner can send")
    assert refused(consultant.post("/people/", {"email": "x@alpha.example"}),
                   "Only the company's owner can invite")
    assert "Send the manual" not in text(consultant.get("/overview/"))
    assert consultant.post("/company/company/", {"action": "stay"}).status_code == 302
    assert '<fieldset disabled' not in text(consultant.get("/company/company/"))


def test_nsny_rights_reviewer_and_admin(crew):
    portal, alpha, people, clients = crew
    reviewer, admin = clients["reviewer"], clients["admin"]
    assert reviewer.get("/admin/").status_code == 404
    assert admin.get("/admin/").status_code == 200
    assert refused(reviewer.post("/nsny/letter/", {"text": "# x"}),
                   "Only an NSNY admin can change the letter's wording")
    assert refused(reviewer.post("/nsny/invite/", {"email": "a2@nsny.example",
                                                   "role": "admin"}),
                   "Only an NSNY admin can invite NSNY admins")
    assert 'value="admin"' not in text(reviewer.get("/nsny/invite/"))
    assert 'value="admin"' in text(admin.get("/nsny/invite/"))
    assert 'value="consultant"' in text(reviewer.get("/nsny/invite/"))
    # Employers' people never reach NSNY's pages, nor NSNY staff a company's.
    for role in ("owner", "member", "consultant"):
        assert clients[role].get("/nsny/").status_code == 404, role
        assert clients[role].get("/admin/").status_code == 404, role
    assert reviewer.get("/overview/").status_code == 404


def test_the_decorator_lets_everything_through_in_the_local_app(tmp_path):
    from django.http import HttpRequest

    from manualgen.web import permissions as p

    from portal_fixtures import _local_base

    _local_base(tmp_path)
    request = HttpRequest()
    assert p.is_local(request) and all(p.can(request, a) for a in p.Action)
    assert all(p.allowed(request).values())
    request.membership = None                    # the portal's gate was here: nobody
    assert not any(p.can(request, a) for a in p.Action)


# --------------------------------------------------------------------------- audit trail


def events(**filters) -> list[tuple[str, str, str]]:
    from manualgen.portal import models as m

    return [(e.action, e.by.email if e.by else "", e.target)
            for e in m.Event.objects.filter(**filters).select_related("by")]


def test_an_owner_invites_changes_roles_and_all_is_in_the_audit_trail(crew):
    import re

    from django.core import mail

    from manualgen.portal import models as m

    portal, alpha, people, clients = crew
    owner = clients["owner"]
    page = owner.post("/people/", {"action": "invite", "email": "Helper@Safety.example",
                                   "role": "consultant"})
    link = re.search(r'id="invitation-link">([^<]+)<', text(page)).group(1)
    assert "owner@alpha.example, of Alpha Roofing, invites you" in mail.outbox[-1].body
    assert "as consultant" in mail.outbox[-1].body
    helper = portal.user("helper@safety.example")
    joined = portal.client(helper)
    assert joined.post(link.replace("http://testserver", "")).status_code == 302
    with scopes_disabled():
        membership = m.Membership.objects.get(user=helper)
        member = m.Membership.objects.get(user=people["member"])
        own = m.Membership.objects.get(user=people["owner"])
    assert membership.role == "consultant"
    assert owner.post("/people/", {"action": "role", "member": member.pk,
                                   "role": "owner"}).status_code == 302
    assert owner.post("/people/", {"action": "remove",
                                   "member": membership.pk}).status_code == 302
    # the last owner stays: after the member's promotion there are two, so one may go
    assert owner.post("/people/", {"action": "role", "member": own.pk,
                                   "role": "member"}).status_code == 302
    last = clients["member"].post("/people/", {"action": "role", "member": member.pk,
                                               "role": "member"})
    assert last.status_code == 400 and "no owner left" in text(last)
    with scopes_disabled():
        assert m.Membership.objects.filter(company=alpha, role="owner").count() == 1
    got = events(company=alpha)
    assert ("invitation sent", "owner@alpha.example", "helper@safety.example") in got
    assert ("invitation accepted", "helper@safety.example", "helper@safety.example") in got
    assert ("role changed", "owner@alpha.example", "member@alpha.example") in got
    assert ("member removed", "owner@alpha.example", "helper@safety.example") in got
    assert ("role changed", "owner@alpha.example", "owner@alpha.example") in got


def test_staff_reads_comments_letters_and_the_template_are_in_the_audit_trail(two,
                                                                             monkeypatch):
    from manualgen.portal import models as m

    portal, a, b, alpha, beta, review, rnd, comment, job = two
    admin = portal.client(portal.user("admin@nsny.example", role="admin"))
    assert admin.get(f"/nsny/companies/{beta.pk}/").status_code == 200
    assert admin.get(f"/nsny/reviews/{review.pk}/").status_code == 200
    response = admin.get(f"/nsny/reviews/{review.pk}/files/1/secret.pdf")
    assert response.status_code == 200
    response.close()
    response = admin.get(f"/nsny/reviews/{review.pk}/letter.pdf")
    assert response.status_code == 200
    response.close()
    with scopes_disabled():
        m.Review.objects.filter(pk=review.pk).update(state=m.IN_REVIEW)
    assert admin.post(f"/nsny/reviews/{review.pk}/act/", {
        "action": "comment", "target_kind": "general", "kind": "actionable",
        "text": "Add the June inspection"}).status_code == 302
    assert admin.post("/nsny/letter/", {"text": "# Letter\n\n{{ company.legal_name }}\n"}) \
        .status_code == 302
    assert admin.post("/nsny/invite/", {"email": "o2@beta.example", "role": "member",
                                        "company": "Beta Builders"}).status_code == 200
    whats = [w for w, _by, _t in events(by__email="admin@nsny.example")]
    assert whats[::-1] == ["company opened", "review opened", "sent file read",
                           "letter read", "comment added", "letter template saved",
                           "invitation sent"]
    assert ("sent file read", "admin@nsny.example",
            f"{review.title}, round 1: secret.pdf") in events(company=beta)

    # A letter number issued by an approval goes in too (the letter's text and PDF aside).
    import datetime as dt

    from manualgen.portal import review as flow

    monkeypatch.setattr(flow, "_letter_values", lambda *args: None)
    monkeypatch.setattr(flow.api.letters, "pdf", lambda template, values: pdf("letter"))
    with scopes_disabled():
        later = m.Review.objects.create(company=beta, kind="annual", name="2027-submission",
                                        title="2027 Annual", state=m.APPROVED)
        issued = flow._letter(portal.site, later, m.User.objects.get(
            email="admin@nsny.example"), dt.date(2027, 1, 5))
    assert issued.number == "LGS-2027-0001"
    assert ("letter number issued", "admin@nsny.example", "LGS-2027-0001") in \
        events(company=beta)
    # NSNY's page: newest first, both kinds of rows, by company.
    page = text(admin.get(f"/nsny/audit/?company={beta.pk}"))
    rows = page.split("<tbody>")[1]
    assert rows.index("Issued a letter number") < rows.index("Sent an invitation") < \
        rows.index("Opened the company")
    assert "Read a sent file: 2026 Annual, round 1: secret.pdf" in rows
    assert "Alpha Roofing" not in rows
    other = text(admin.get(f"/nsny/audit/?company={alpha.pk}")).split("<tbody>")[1]
    assert "Nothing yet." in other
