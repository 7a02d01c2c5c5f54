"""The web app at the HTTP level (Django's test client): every route, the refusals, and
that what it writes is what the CLI reads."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from manualgen import api

from conftest import MINIMAL_PROFILE, needs_libreoffice
from web_fixtures import (
    client_for,
    example_folder,
    make_site,
    multipart,
    pdf,
    profile_of,
    wait_for_job,
)


def png(size=(40, 20), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def jpeg(*, exif_date: str | None = None, size=(60, 40)) -> bytes:
    img = Image.new("RGB", size, (30, 90, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_date:
        exif.get_ifd(0x8769)[0x9003] = exif_date
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(name: str, data: bytes, kind: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=kind)


@pytest.fixture
def example(tmp_path: Path):
    folder = example_folder(tmp_path / "kluane")
    site = make_site(folder)
    return site, client_for(site)


@pytest.fixture
def empty(tmp_path: Path):
    folder = tmp_path / "new-company"
    folder.mkdir()
    site = make_site(folder)
    return site, client_for(site)


def text(response) -> str:
    return response.content.decode()


def body(response) -> bytes:
    """A streamed download's bytes, its file closed."""
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


# --------------------------------------------------------------------------- the gates


def test_no_token_is_refused_in_plain_words(tmp_path):
    site = make_site(example_folder(tmp_path / "c", submission=False))
    client = client_for(site, token=False)
    for url in ("/", "/status/", "/static/htmx.min.js", "/manual/download/manual.docx"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "?token=" in text(response)
        assert "Traceback" not in text(response)
    assert client.get("/", {"token": "wrong"}).status_code == 403


def test_token_becomes_an_httponly_strict_cookie_and_leaves_the_address(tmp_path):
    site = make_site(example_folder(tmp_path / "c", submission=False))
    client = client_for(site, token=False)
    response = client.get("/status/", {"token": site.token, "x": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/status/?x=1"
    cookie = next(iter(response.cookies.values()))
    assert cookie.value == site.token
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    page = client.get("/status/")
    assert page.status_code == 200
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_a_foreign_host_header_is_refused(example):
    site, client = example
    assert client.get("/status/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/status/", HTTP_HOST="localhost:8000").status_code == 200


def test_a_post_without_the_csrf_token_is_refused(tmp_path):
    site = make_site(example_folder(tmp_path / "c", submission=False))
    client = client_for(site, csrf=True)
    response = client.post("/company/discard/")
    assert response.status_code == 403
    assert "only accepts forms sent from its own pages" in text(response)
    # A page of another site posting here: the Origin gives it away too.
    response = client.post("/company/discard/", HTTP_ORIGIN="http://evil.example")
    assert response.status_code == 403


def test_static_files_and_unknown_pages(example):
    _site, client = example
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200 and js["Content-Type"].startswith("text/javascript")
    assert b"htmx" in js.content
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/..%2Fsite.py").status_code == 404
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and "There is no such page" in text(missing)


def test_an_internal_error_is_a_plain_page_and_the_traceback_goes_to_the_log(example,
                                                                            monkeypatch):
    site, client = example

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.status, "report", broken)
    response = client.get("/status/")
    assert response.status_code == 500
    page = text(response)
    assert "bug in manualgen" in page and "RuntimeError" in page
    assert "Traceback" not in page and "boom" not in page
    assert any("RuntimeError: boom" in line for line in site.logs)


# --------------------------------------------------------------------------- company


def test_a_new_folder_starts_with_the_guided_profile(empty):
    _site, client = empty
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/company/company/"
    page = text(client.get("/company/company/"))
    assert "New company profile - step 1 of 10" in page
    assert "Legal name of the business, as registered" in page


def test_every_profile_section_shows_its_fields(example):
    _site, client = example
    for section in ("company", "people", "worksites", "hazards", "equipment", "tasks",
                    "emergency", "secor", "manual"):
        response = client.get(f"/company/{section}/")
        assert response.status_code == 200, section
    people = text(client.get("/company/people/"))
    assert 'name="people.0.training.0.completed"' in people
    assert '<option value="full_time" selected>Full-time</option>' in people
    hazards = text(client.get("/company/hazards/"))
    assert "Working at heights" in hazards and "Adds: Working at Heights" in hazards
    assert client.get("/company/nothing/").status_code == 404


def _post_section(client, section: str, values: dict, action: str = "stay"):
    return client.post(f"/company/{section}/", {**values, "action": action})


COMPANY = {
    "company.legal_name": "Yukon Sparks Electric Ltd.",
    "company.address": "3 Main Street, Whitehorse, YT Y1A 2B3",
    "company.phone": "867-555-0199",
    "company.wscb_account": "0012345",
    "company.industry": "Electrical contracting",
    "company.scope_of_work": "Wiring of homes and small shops.",
    "company.peak_employees": "4",
}


def test_problems_are_shown_beside_their_field_in_plain_words(empty):
    _site, client = empty
    response = _post_section(client, "company", {**COMPANY, "company.phone": "call me",
                                                 "company.peak_employees": "twelve"})
    assert response.status_code == 302
    page = text(client.get("/company/company/"))
    assert "&#x27;call me&#x27; is not a phone number" in page
    assert "&#x27;twelve&#x27; is not a whole number" in page
    assert 'id="f-company-phone-error"' in page
    # A course dated after it expires: named as the person and the course.
    _post_section(client, "people", {
        "people.count": "1", "people.0.name": "Maria Lopez", "people.0.position": "Owner",
        "people.0.roles": ["owner", "supervisor"], "people.0.employment": "full_time",
        "people.0.training.count": "1", "people.0.training.0.course": "PHSM",
        "people.0.training.0.completed": "2026-05-01",
        "people.0.training.0.expires": "2025-05-01"})
    review = text(client.get("/company/review/"))
    assert "Maria Lopez, course 1 (PHSM): expires before it was completed" in review
    assert "people.0" not in review


def test_people_and_courses_are_added_and_removed(empty):
    _site, client = empty
    base = {"people.count": "1", "people.0.name": "Maria Lopez",
            "people.0.position": "Owner", "people.0.roles": ["owner"],
            "people.0.employment": "full_time", "people.0.training.count": "0"}
    response = _post_section(client, "people", base, "add:people")
    assert response["Location"].endswith("#end-people")
    page = text(client.get("/company/people/"))
    assert 'name="people.1.name"' in page
    _post_section(client, "people", {**base, "people.count": "2", "people.1.name": "Sam"},
                  "add:people.1.training")
    page = text(client.get("/company/people/"))
    assert 'name="people.1.training.0.course"' in page
    _post_section(client, "people", {**base, "people.count": "2", "people.1.name": "Sam",
                                     "people.1.training.count": "1"}, "remove:people.0")
    page = text(client.get("/company/people/"))
    assert 'value="Sam"' in page and "Maria Lopez" not in page
    # A stale page removing what is gone changes nothing and breaks nothing.
    assert _post_section(client, "people", {"people.count": "0"},
                         "remove:people.7").status_code == 302


def test_the_logo_is_uploaded_with_a_preview_and_checked_by_content(empty):
    site, client = empty
    response = client.post("/company/company/", {**COMPANY, "action": "stay",
                                                 "company.logo": upload("x.png", b"not")})
    assert response.status_code == 200
    assert "is not a PNG or JPEG image" in text(response)
    client.post("/company/company/", {**COMPANY, "action": "stay",
                                      "company.logo": upload("brand.png", png())})
    preview = client.get("/company/logo/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert 'alt="The company logo"' in text(client.get("/company/company/"))
    assert not (site.folder / "logo.png").exists()        # only a draft until saved


def _guided_profile(client) -> None:
    """The whole profile of a 4-person electrical contractor, section by section."""
    _post_section(client, "company", COMPANY, "next")
    _post_section(client, "people", {
        "people.count": "2",
        "people.0.name": "Maria Lopez", "people.0.position": "Owner",
        "people.0.roles": ["owner", "supervisor"], "people.0.employment": "full_time",
        "people.0.training.count": "2",
        "people.0.training.0.course": "LSE", "people.0.training.0.completed": "2026-02-03",
        "people.0.training.1.course": "PHSM", "people.0.training.1.completed": "2026-03-03",
        "people.1.name": "Dave Kowalski", "people.1.position": "Electrician",
        "people.1.roles": ["worker"], "people.1.employment": "part_time",
        "people.1.training.count": "0"}, "next")
    _post_section(client, "worksites", {"worksites.count": "1",
                                        "worksites.0.name": "Client homes",
                                        "worksites.0.kind": "mobile"}, "next")
    _post_section(client, "hazards", {"hazards": ["lockout", "ladders", "vehicles"]}, "next")
    _post_section(client, "dismissed_hazards", {"dismissed_hazards.count": "0"}, "next")
    _post_section(client, "equipment", {"equipment.count": "0"}, "next")
    _post_section(client, "tasks", {"tasks.count": "0"}, "next")
    _post_section(client, "emergency", {
        "emergency.nearest_medical": "Whitehorse General Hospital",
        "emergency.emergency_number": "911",
        "emergency.muster_point": "The van"}, "next")
    _post_section(client, "secor", {}, "next")
    _post_section(client, "manual", {"manual.revision": "0", "manual.issued": "2026-12-01",
                                     "manual.approved_by": "Maria Lopez"}, "review")


def test_review_then_save_writes_the_commented_yaml_init_writes(empty):
    site, client = empty
    _guided_profile(client)
    review = text(client.get("/company/review/"))
    assert "Save company.yaml" in review, review
    assert "Part-time" in review and "Dave Kowalski" in review
    response = client.post("/company/save/")
    assert response.status_code == 302
    written = (site.folder / "company.yaml").read_text(encoding="utf-8")
    assert written.startswith("# Company profile for manualgen, written by `manualgen serve`")
    assert "wscb_account: \"0012345\"" in written
    profile = profile_of(site.folder)                     # the CLI reads it back
    assert [p.name for p in profile.profile.people] == ["Maria Lopez", "Dave Kowalski"]
    assert profile.profile.people[1].employment == "part_time"
    assert profile.profile.secor is None
    assert site.folder.joinpath(".manualgen", "draft.json").exists() is False
    assert "Saved." in text(client.get(response["Location"]))


def test_saving_keeps_the_previous_version_and_restores_it(example):
    site, client = example
    original = (site.folder / "company.yaml").read_bytes()
    _post_section(client, "emergency", {
        "emergency.nearest_medical": "Whitehorse General Hospital",
        "emergency.emergency_number": "911", "emergency.muster_point": "The gate"}, "review")
    assert client.post("/company/save/").status_code == 302
    assert b"The gate" in (site.folder / "company.yaml").read_bytes()
    history = text(client.get("/company/history/"))
    versions = site.workspace_for(None).history()
    assert len(versions) == 1 and versions[0].id in history
    shown = text(client.get(f"/company/history/{versions[0].id}/"))
    assert "Kluane Ridge Roofing" in shown
    assert client.get("/company/history/nope__company.yaml/").status_code == 404
    client.post("/company/history/", {"version": versions[0].id})
    assert (site.folder / "company.yaml").read_bytes() == original
    assert len(site.workspace_for(None).history()) == 2
    refused = client.post("/company/history/", {"version": "../company.yaml"})
    assert refused.status_code == 400


def test_the_example_round_trips_through_the_forms_unchanged(example):
    """Every field is on a form: posting each section as shown changes nothing."""
    site, client = example
    before = api.workspace.profile_data(profile_of(site.folder))
    _post_section(client, "emergency", {
        "emergency.nearest_medical": before["emergency"]["nearest_medical"],
        "emergency.emergency_number": "911",
        "emergency.muster_point": before["emergency"]["muster_point"],
        "emergency.remote_communication": before["emergency"]["remote_communication"]},
        "review")
    client.post("/company/save/")
    assert api.workspace.profile_data(profile_of(site.folder)) == before


def test_discarding_the_draft(example):
    site, client = example
    _post_section(client, "company", {**COMPANY}, "stay")
    assert "changes not saved yet" in text(client.get("/company/company/"))
    client.post("/company/discard/")
    assert "changes not saved yet" not in text(client.get("/company/company/"))
    assert profile_of(site.folder).profile.company.legal_name.startswith("Kluane")


# --------------------------------------------------------------------------- status


def test_status_page_and_calendar(example):
    _site, client = example
    page = text(client.get("/status/"))
    assert "Kluane Ridge Roofing: SECOR status" in page
    assert "In grace period" in page and "Not taken" in page
    assert "2 of 2" in page                                # supervisors with LSE
    assert "Annual Documentation Review Submission is due by 2026-12-15" in page
    ics = client.get("/status/calendar.ics")
    assert ics.status_code == 200 and ics.content.startswith(b"BEGIN:VCALENDAR")


def test_status_of_a_broken_profile_says_what_to_fix(example):
    site, client = example
    path = site.folder / "company.yaml"
    path.write_text(path.read_text().replace("peak_employees: 7", "peak_employees: 70"))
    page = text(client.get("/status/"))
    assert "has problems to fix first" in page and "SECOR is for fewer than 10" in page
    assert client.get("/status/calendar.ics").status_code == 400


# --------------------------------------------------------------------------- manual


@needs_libreoffice()
def test_build_the_manual_and_forms_then_download_them(example):
    site, client = example
    page = text(client.get("/manual/"))
    assert "Build the manual" in page
    done = wait_for_job(client, client.post("/manual/build/", {"what": "manual"}))
    assert done == "/manual/"
    page = text(client.get("/manual/"))
    assert "First build:" in page and "Rebuild the manual" in page
    # the revision record `manualgen manual` keeps, so history and --redline see it
    import json

    record = json.loads((site.folder / "revisions" / "revision-3.json").read_text())
    assert record["revision"] == 3 and record["policies"]
    docx = client.get("/manual/download/manual.docx")
    assert docx.status_code == 200
    import docx as python_docx

    document = python_docx.Document(io.BytesIO(body(docx)))
    assert any("Kluane Ridge Roofing" in p.text for p in document.paragraphs)
    assert body(client.get("/manual/download/manual.pdf")).startswith(b"%PDF")
    assert body(client.get("/manual/page/1.png")).startswith(b"\x89PNG")
    assert client.get("/manual/page/9.png").status_code == 404
    wait_for_job(client, client.post("/manual/build/", {"what": "forms"}))
    forms = client.get("/manual/download/forms.zip")
    assert zipfile.ZipFile(io.BytesIO(body(forms))).namelist()
    assert client.get("/manual/download/company.yaml").status_code == 404
    # Drop a hazard: the page says which policies the next build leaves out.
    path = site.folder / "company.yaml"
    path.write_text(path.read_text().replace("wildlife, ", ""), encoding="utf-8")
    assert "Since the last build: dropped Wildlife" in text(client.get("/manual/"))


def test_manual_page_without_a_profile(empty):
    _site, client = empty
    assert "Start the company profile" in text(client.get("/manual/"))
    assert client.post("/manual/build/").status_code == 400


# --------------------------------------------------------------------------- submission


def test_submission_index_and_start(tmp_path):
    folder = example_folder(tmp_path / "c", submission=False)
    site = make_site(folder)
    client = client_for(site)
    page = text(client.get("/submission/"))
    assert "Start the 2026-submission folder" in page
    response = client.post("/submission/start/")
    assert response["Location"] == "/submission/2026-submission/"
    assert (folder / "2026-submission" / "records" / "incidents.csv").is_file()
    assert client.get("/submission/").status_code == 302        # one folder: opened
    assert client.post("/submission/start/").status_code == 400  # never over a folder
    page = text(client.get("/submission/2026-submission/"))
    assert "Missing: no samples from the review period" in page
    assert client.get("/submission/nowhere/").status_code == 400


def test_the_example_submission_page(example):
    _site, client = example
    page = text(client.get("/submission/2026-submission/"))
    assert "No findings: ready to build." in page
    assert "Complete: 3 samples" in page
    assert "from submission.yaml" in page                     # scan0042.pdf's date
    thumb = client.get("/submission/2026-submission/thumb/",
                       {"rel": "hazard-assessments/2026-05-14 FLHA Duncan residence "
                               "tear-off.jpg"})
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert client.get("/submission/2026-submission/thumb/",
                      {"rel": "../company.yaml"}).status_code == 400


def test_uploads_are_checked_sanitised_and_dated(example):
    site, client = example
    url = "/submission/2026-submission/upload/"
    folder = site.folder / "2026-submission" / "site-inspections"
    response = client.post(url, {"category": "site-inspections", "files": [
        upload("2026-09-01 roof check.pdf", pdf()),
        upload("IMG_0042.jpg", jpeg(exif_date="2026:10:05 09:12:00")),
        upload("notes<script>.pdf", pdf())]})
    assert response.status_code == 302 and "notice=Saved+3" in response["Location"]
    names = sorted(p.name for p in folder.iterdir())
    assert "2026-09-01 roof check.pdf" in names
    assert "2026-10-05 IMG_0042.jpg" in names                  # the photo's own date
    assert "notes_script_.pdf" in names
    # Not what the name says: nothing of the batch is written.
    before = sorted(p.name for p in folder.iterdir())
    response = client.post(url, {"category": "site-inspections", "files": [
        upload("2026-09-02 good.pdf", pdf()), upload("fake.pdf", b"MZ\x90\x00 not a pdf")]})
    assert "is+not+a+PDF" in response["Location"]
    assert sorted(p.name for p in folder.iterdir()) == before
    assert "Nothing was saved" in text(client.get(response["Location"]))
    response = client.post(url, {"category": "../", "files": [upload("a.pdf", pdf())]})
    assert response.status_code == 400


def test_an_upload_name_with_dots_and_slashes_is_refused(example):
    site, client = example
    data, kind = multipart({"category": "site-inspections"},
                           [("files", "../../company.yaml", b"x: 1")],
                           content_type="application/pdf")
    response = client.post("/submission/2026-submission/upload/", data, content_type=kind)
    assert response.status_code == 400
    assert "points outside the folder" in text(response)
    assert "x: 1" not in (site.folder / "company.yaml").read_text()


def test_an_upload_over_the_limit_is_refused_and_nothing_is_written(tmp_path):
    from manualgen.web.site import Limits

    folder = example_folder(tmp_path / "c")
    site = make_site(folder, limits=Limits(file_bytes=50_000, request_bytes=200_000, files=3))
    client = client_for(site)
    target = folder / "2026-submission" / "site-inspections"
    before = sorted(p.name for p in target.iterdir())
    url = "/submission/2026-submission/upload/"
    big = pdf() + b"%" + b"0" * 60_000
    response = client.post(url, {"category": "site-inspections",
                                 "files": [upload("2026-09-01 big.pdf", big)]})
    assert "larger+than" in response["Location"]
    huge = client.post(url, {"category": "site-inspections",
                             "files": [upload("2026-09-01 huge.pdf", big * 4)]})
    # over the whole upload's limit: back on the submission page with the app's message
    assert huge.status_code == 302 and huge["Location"].startswith("../?error=Those+files")
    assert "Those files are too large" in text(client.get(
        "/submission/2026-submission/?" + huge["Location"].split("?", 1)[1]))
    many = client.post(url, {"category": "site-inspections",
                             "files": [upload(f"2026-09-0{i} x.pdf", pdf()) for i in range(4)]})
    assert "At+most+3+files" in many["Location"]
    assert sorted(p.name for p in target.iterdir()) == before


def test_samples_are_dated_renamed_turned_and_taken_out(example):
    site, client = example
    sub = site.folder / "2026-submission"
    url = "/submission/2026-submission/sample/"
    client.post("/submission/2026-submission/upload/", {
        "category": "toolbox-meetings", "files": [upload("whiteboard.png", png((40, 20)))]})
    assert "No date yet" in text(client.get("/submission/2026-submission/"))
    bad = client.post(url, {"rel": "toolbox-meetings/whiteboard.png", "action": "date",
                            "date": "soon"})
    assert "is+not+a+date" in bad["Location"]
    client.post(url, {"rel": "toolbox-meetings/whiteboard.png", "action": "date",
                      "date": "2026-10-20"})
    photo = sub / "toolbox-meetings" / "2026-10-20 whiteboard.png"
    assert photo.is_file()
    client.post(url, {"rel": "toolbox-meetings/2026-10-20 whiteboard.png",
                      "action": "rotate"})
    with Image.open(photo) as img:
        assert img.size == (20, 40)
    client.post(url, {"rel": "toolbox-meetings/2026-10-20 whiteboard.png",
                      "action": "rename", "date": "2026-10-21", "title": "Ladder talk"})
    renamed = sub / "toolbox-meetings" / "2026-10-21 Ladder talk.png"
    assert renamed.is_file()
    client.post(url, {"rel": "toolbox-meetings/2026-10-21 Ladder talk.png",
                      "action": "delete"})
    assert not renamed.exists()
    kept = list((site.folder / ".manualgen" / "history").glob("*Ladder talk.png"))
    assert kept, "a removed sample is kept in the history"
    assert client.post(url, {"rel": "../company.yaml", "action": "delete"}).status_code == 400
    assert client.post(url, {"rel": "records/hours.csv",
                             "action": "delete"}).status_code == 400


def test_record_tables_edit_import_and_problems_beside_cells(example):
    site, client = example
    url = "/submission/2026-submission/records/incidents/"
    page = text(client.get(url))
    assert '<option value="near_miss" selected>Near miss</option>' in page
    table = api.submission.record_table(api.load_library(), "incidents")
    rows = api.submission.read_records(site.folder / "2026-submission", table)[0]
    form = {"rows": str(len(rows) + 1), "action": "save"}
    for i, row in enumerate(rows):
        form.update({f"r{i}.{k}": v for k, v in row.items()})
    n = len(rows)
    form.update({f"r{n}.date": "2026-11-02", f"r{n}.class": "first_aid",
                 f"r{n}.description": "Splinter", f"r{n}.days_lost": "0",
                 f"r{n}.modified_days": "0", f"r{n}.investigated": "",
                 f"r{n}.reported_to_wscb": "no"})
    assert client.post(url, form)["Location"] == url + "?saved=1"
    written = (site.folder / "2026-submission/records/incidents.csv").read_text()
    assert "2026-11-02,first_aid,Splinter,0,0,,no" in written
    page = text(client.get(url))
    assert "yes or no is missing - write yes or no" in page      # beside its cell
    cell = re.search(r'<td class="has-error">(?:(?!</td>).)*name="r(\d+)\.(\w+)"', page, re.S)
    assert cell and cell.groups() == (str(n), "investigated"), page[-3000:]
    added = text(client.post(url, {**form, "action": "add"}))
    assert f'name="r{n + 1}.date"' in added
    sheet = "date,class,description,investigated\n2026-11-03,Near miss,Ice,yes\n"
    client.post(url, {**form, f"r{n}.investigated": "yes", "action": "import",
                      "sheet": upload("more.csv", sheet.encode())})
    assert "2026-11-03,near_miss,Ice,,,yes," in \
        (site.folder / "2026-submission/records/incidents.csv").read_text()
    bad = client.post(url, {**form, "action": "import",
                            "sheet": upload("x.csv", b"when,what\n1,2\n")})
    assert bad.status_code == 400 and "unknown column" in text(bad)
    assert client.get("/submission/2026-submission/records/nothing/").status_code == 400


def test_saving_a_record_table_keeps_its_notes(example):
    """`#` lines in a records file (the employer's notes, package init's examples) are
    skipped by the reader; a save from the editor used to drop them."""
    site, client = example
    path = site.folder / "2026-submission/records/hours.csv"
    lines = path.read_text().splitlines()
    note = "# July: crew on the Carmacks job, hours from the foreman's book"
    path.write_text("\n".join([lines[0], note, *lines[1:]]) + "\n")
    url = "/submission/2026-submission/records/hours/"
    table = api.submission.record_table(api.load_library(), "hours")
    rows = api.submission.read_records(site.folder / "2026-submission", table)[0]
    form = {"rows": str(len(rows)), "action": "save"}
    for i, row in enumerate(rows):
        form.update({f"r{i}.{k}": v for k, v in row.items()})
    form["r0.hours"] = "421"
    assert client.post(url, form)["Location"] == url + "?saved=1"
    written = path.read_text().splitlines()
    assert written[:2] == [lines[0], note]
    assert written[2].split(",")[1] == "421"
    assert len(written) == len(lines) + 1


def test_record_cells_are_escaped(example):
    """The cells' inputs are made in Python (the template engine was too slow for a year's
    log): every value still reaches the page escaped."""
    site, client = example
    path = site.folder / "2026-submission/records/activity-log.csv"
    path.write_text(path.read_text() + '2026-11-20,inspection,"Yard ""A""",'
                    '"<script>alert(1)</script> & more",Daniel\n', encoding="utf-8")
    page = text(client.get("/submission/2026-submission/records/activity-log/"))
    assert "<script>alert(1)" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"' in page
    assert 'value="Yard &quot;A&quot;"' in page
    assert '<option value="inspection" selected>' in page


def test_excel_import_and_goals(example):
    import openpyxl

    site, client = example
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Month", "Hours", "Employees"])
    sheet.append(["2026-11", 500, 3])
    out = io.BytesIO()
    book.save(out)
    url = "/submission/2026-submission/records/hours/"
    client.post(url, {"rows": "0", "action": "import", "sheet": upload("h.xlsx",
                                                                        out.getvalue())})
    assert (site.folder / "2026-submission/records/hours.csv").read_text() == \
        "month,hours,employees\n2026-11,500,3\n"
    goals = "/submission/2026-submission/records/goals-next-year/"
    page = text(client.get(goals))
    assert "Next year&#x27;s goals" in page
    client.post(goals, {"rows": "1", "r0.goal": "Monthly inspections all winter",
                        "r0.due": "2027-03-31", "action": "save"})
    text_ = (site.folder / "2026-submission/records/goals.yaml").read_text()
    assert "Monthly inspections all winter" in text_ and "last_year:" in text_
    assert "No findings" in text(client.get("/submission/2026-submission/"))


def test_the_activity_log_offers_what_the_samples_record(tmp_path):
    folder = example_folder(tmp_path / "c", submission=False)
    site = make_site(folder)
    client = client_for(site)
    client.post("/submission/start/")
    client.post("/submission/2026-submission/upload/", {
        "category": "site-inspections", "files": [upload("2026-03-03 inspection.pdf",
                                                         pdf())]})
    url = "/submission/2026-submission/records/activity-log/"
    page = text(client.get(url))
    assert "Already in your samples (1)" in page and "2026-03-03 - Inspection" in page
    client.post(url, {"rows": "0", "action": "suggest",
                      "suggestion": ["2026-03-03|Inspection"]})
    log = (folder / "2026-submission/records/activity-log.csv").read_text()
    assert "2026-03-03,inspection,,Inspection," in log
    assert "Already in your samples" not in text(client.get(url))


@needs_libreoffice()
def test_build_the_submission_and_download_it(example):
    site, client = example
    done = wait_for_job(client, client.post("/submission/2026-submission/build/"))
    assert done.startswith("/submission/2026-submission/")
    page = text(client.get(done))
    assert "The PDF is ready." in page and "Download the PDF" in page
    response = client.get("/submission/2026-submission/download/pdf")
    assert body(response).startswith(b"%PDF")
    index = json.loads(body(client.get("/submission/2026-submission/download/json")))
    assert index["pages"] > 10
    assert client.get("/submission/2026-submission/download/exe").status_code == 404
    assert not list((site.folder / "2026-submission").glob("*.pdf"))   # never inside


def test_the_cli_reads_what_the_web_wrote(tmp_path):
    """Same folder, both front ends: the profile saved from the web passes `check`."""
    from click.testing import CliRunner

    from manualgen.cli import main

    folder = tmp_path / "solo"
    folder.mkdir()
    site = make_site(folder)
    client = client_for(site)
    _guided_profile(client)
    client.post("/company/save/")
    result = CliRunner().invoke(main, ["check", str(folder / "company.yaml")])
    assert result.exit_code == 0, result.output
    assert "Yukon Sparks Electric Ltd." in result.output
    assert MINIMAL_PROFILE                                # the shared fixture is unchanged


def test_revision_history_and_distribution_are_on_the_manual_form(example):
    site, client = example
    page = text(client.get("/company/manual/"))
    assert 'name="manual.history.2.changes"' in page
    assert "Master copy in the shop office" in page
    before = profile_of(site.folder).profile.manual
    form = {"manual.revision": "4", "manual.issued": "2026-12-01",
            "manual.approved_by": before.approved_by, "manual.history.count": "4",
            "manual.distribution": "Master copy in the office\n\nOne in each truck\n"}
    for i, h in enumerate(before.history):
        form.update({f"manual.history.{i}.revision": str(h.revision),
                     f"manual.history.{i}.date": h.date.isoformat(),
                     f"manual.history.{i}.changes": h.changes})
    form.update({"manual.history.3.revision": "4", "manual.history.3.date": "2026-12-01",
                 "manual.history.3.changes": "Added the new hire"})
    _post_section(client, "manual", form, "review")
    assert client.post("/company/save/").status_code == 302
    manual = profile_of(site.folder).profile.manual
    assert manual.revision == 4 and manual.history[-1].changes == "Added the new hire"
    assert manual.distribution == ["Master copy in the office", "One in each truck"]


def test_serve_prints_its_address_and_answers_only_with_the_token(tmp_path):
    """`manualgen serve` as a script finds it: the address on a line of its own."""
    import http.client
    import http.cookiejar
    import re
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    folder = tmp_path / "new"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from manualgen.cli import main; main()", "serve",
         str(folder), "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{20,}", line), line
        base = line.split("/?")[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/")
        assert refused.value.code == 403
        refused.value.close()
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(line) as page:
            assert page.url.endswith("/company/company/")
            assert "Legal name of the business" in page.read().decode()
        port = int(base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/", headers={"Host": "attacker.example"})
        assert conn.getresponse().status == 400             # DNS rebinding
        conn.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert folder.is_dir() and not (folder / "company.yaml").exists()


def test_a_new_empty_item_is_not_scolded_until_it_is_answered(example):
    _site, client = example
    _post_section(client, "tasks", {"tasks.count": "0"}, "add:tasks")
    page = text(client.get("/company/tasks/"))
    assert 'name="tasks.0.task"' in page and "this field is required" not in page
    _post_section(client, "tasks", {"tasks.count": "1", "tasks.0.task": "Tear-off",
                                    "tasks.0.severity": "9"})
    page = text(client.get("/company/tasks/"))
    assert "this field is required" in page                 # the controls, the likelihood
    assert 'id="f-tasks-0-severity-error"' in page


def test_the_server_polls_its_sockets(tmp_path):
    """poll(), not select(): with select() a connection closed at the wrong moment stopped
    the server's main loop with EBADF (waitress issue #374), once in CI."""
    from manualgen.web.server import make_server

    server = make_server(make_site(example_folder(tmp_path / "kluane")), "127.0.0.1", 0)
    try:
        assert server.adj.asyncore_use_poll is True
    finally:
        server.close()
