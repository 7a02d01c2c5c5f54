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
    job = portal.site.jobs.start(ws.root, "manual", "B's build", "/manual/",
                                 lambda job: "done")
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
    confirm = client.get(activate)                    # allauth: the password once more
    assert "/accounts/reauthenticate/" in confirm["Location"]
    assert client.post(confirm["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get(activate)
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
