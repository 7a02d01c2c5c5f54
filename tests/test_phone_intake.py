"""A completed form from a phone (issue 26), the server's side: checked, acknowledged in
the journal, filed by a build as a dated PDF in its category and records rows; a retry
never doubles anything, a crash in the middle of filing is finished by the next run, and
the crew link of the portal fills in forms and does nothing else."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django_scopes import scopes_disabled
from PIL import Image

from manualgen import api

from web_fixtures import TODAY, client_for, example_folder, make_site

SUB = "2026-submission"


def png(colour=(20, 20, 20)) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", (300, 90), "white")
    for x in range(20, 280):
        img.putpixel((x, 45 + (x % 17) - 8), colour)
    img.save(out, format="PNG")
    return out.getvalue()


def jpeg(size=(1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 160)).save(out, format="JPEG", quality=80)
    return out.getvalue()


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def toolbox(form_id: str | None = None, **changes) -> dict:
    answers = {
        "date": "2026-06-03", "time": "07:30", "site": "Shop and office",
        "presenter": "Éloïse Tremblay", "topics": "Ladder safety: three points of contact",
        "concerns": [{"concern": "Ladder feet worn on LAD-02", "action": "Replace the feet",
                      "responsible": "Daniel Tāgé Smith", "due": "2026-06-10"},
                     {"concern": "Nothing to add"}],
        "attendees": [{"name": "Priya Raman", "signature": "sig-1"},
                      {"name": "Owen Kuster", "signature": "sig-2"}],
        "presenter_signature": "sig-3"}
    answers.update(changes)
    return {"id": form_id or str(uuid.uuid4()), "form": "toolbox-meeting", "revision": 1,
            "made": "2026-06-03T07:45:00-07:00", "answers": answers}


def hazard_report(form_id: str | None = None) -> dict:
    return {"id": form_id or str(uuid.uuid4()), "form": "hazard-report", "revision": 1,
            "made": "2026-06-04T10:00:00-07:00", "answers": {
                "reported_by": "Owen Kuster", "date": "2026-06-04", "site": "Client job sites",
                "hazard": "Loose flashing at the ridge, could fall on the walkway",
                "photos": ["photo-1"], "severity": "2", "likelihood": "3",
                "rating": "moderate",
                "actions": [{"action": "Refasten the flashing", "responsible": "Priya Raman",
                             "target": "2026-06-06"}],
                "supervisor_signature": "sig-1"}}


def post(client, meta: dict, files: dict[str, bytes], **extra):
    data = {"meta": json.dumps(meta)}
    data.update({part: upload(f"{part}.bin", blob) for part, blob in files.items()})
    return client.post("/forms/submit/", data, **extra)


SIGS = {"sig-1": png(), "sig-2": png((200, 0, 0)), "sig-3": png((0, 0, 200))}


def wait_filed(client, form_id: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get("/forms/sent/", {"ids": form_id}).json()[form_id]
        if state != "received":
            return state
        time.sleep(0.1)
    raise AssertionError(f"{form_id} was not filed in {timeout} s")


def rows(folder: Path, stem: str) -> list[dict[str, str]]:
    with (folder / SUB / "records" / f"{stem}.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if not (r.get(next(iter(r))) or "")
                .startswith("#")]


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def local(tmp_path: Path):
    folder = example_folder(tmp_path / "kluane")
    site = make_site(folder)
    return site, client_for(site), folder


def test_app_json_gives_every_form_with_the_company_s_choices(local):
    site, client, _folder = local
    response = client.get("/forms/app.json")
    assert response.status_code == 200
    data = response.json()
    assert data["company"] == "Kluane Ridge Roofing" and data["submission"] == SUB
    assert re.fullmatch(r"[0-9a-f]{16}", data["version"])
    assert data["csrf_cookie"] in response.cookies          # the app sends it back
    forms = {f["id"]: f for f in data["forms"]}
    assert set(forms) == {f.id for f in site.library.forms}
    meeting = forms["toolbox-meeting"]
    assert meeting["category"] == "toolbox-meetings" and meeting["revision"] == 1
    fields = {f["id"]: f for s in meeting["sections"] for f in s["fields"]}
    assert {"value": "Shop and office", "label": "Shop and office"} in fields["site"]["choices"]
    assert "Priya Raman" in [c["value"] for c in fields["presenter"]["choices"]]
    supervisors = [c["value"] for c in fields["supervisor_signature"]["choices"]]
    assert "Daniel Tāgé Smith" in supervisors and "Owen Kuster" not in supervisors
    checklist = next(f for s in forms["site-inspection"]["sections"] for f in s["fields"]
                     if f["id"] == "checklist")
    assert {"heading": "Housekeeping and access"} in checklist["rows"]
    assert {"row": "Wildlife encounters (bears, moose)"} in checklist["rows"]  # rows_from
    again = client.get("/forms/app.json").json()
    assert again["version"] == data["version"]


def test_a_form_is_filed_once_as_a_pdf_and_records_rows_and_counts(local):
    site, client, folder = local
    before = {s: len(rows(folder, s)) for s in ("activity-log", "action-plan")}
    sub = api.submission.load(folder / SUB, site.library, on=TODAY)
    count = {c.category.key: len(c.samples) for c in api.submission.check(sub).categories}
    meta = toolbox()
    first = post(client, meta, SIGS)
    assert first.status_code == 200, first.content
    assert first.json()["id"] == meta["id"] and first.json()["status"] in ("received",
                                                                          "filed")
    assert wait_filed(client, meta["id"]) == "filed"
    again = post(client, meta, SIGS)                       # the answer was lost: a retry
    assert again.status_code == 200
    name = f"2026-06-03 Toolbox Meeting Record {meta['id'][:8]}.pdf"
    assert again.json() == {"id": meta["id"], "status": "filed", "file": name}
    pdfs = list((folder / SUB / "toolbox-meetings").glob("*Toolbox Meeting Record*"))
    assert [p.name for p in pdfs] == [name]
    check = subprocess.run(["qpdf", "--check", str(pdfs[0])], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    words = pdftotext(pdfs[0])
    for expected in ("Kluane Ridge Roofing", "Toolbox Meeting Record", "Revision 1",
                     "Ladder safety: three points of contact", "Priya Raman", "Owen Kuster",
                     "Ladder feet worn on LAD-02", "Replace the feet", "Éloïse Tremblay"):
        assert expected in words, expected
    log = rows(folder, "activity-log")
    plan = rows(folder, "action-plan")
    assert len(log) == before["activity-log"] + 1 and len(plan) == before["action-plan"] + 1
    assert log[-1]["activity"] == "toolbox_meeting" and log[-1]["date"] == "2026-06-03"
    assert log[-1]["people"] == "Priya Raman; Owen Kuster"
    assert plan[-1]["finding"] == "Ladder feet worn on LAD-02" and plan[-1]["status"] == "open"
    assert plan[-1]["responsible"] == "Daniel Tāgé Smith" and plan[-1]["due"] == "2026-06-10"
    sub = api.submission.load(folder / SUB, site.library, on=TODAY)
    after = {c.category.key: len(c.samples) for c in api.submission.check(sub).categories}
    assert after["toolbox-meetings"] == count["toolbox-meetings"] + 1
    ready = {r.title: r for r in api.submission.readiness(api.submission.check(sub))}
    assert any(r.latest is not None for r in ready.values())
    # the status page lists the new open action until it is closed
    page = client.get("/status/").content.decode()
    assert "Open actions" in page and "Ladder feet worn on LAD-02" in page


def test_filing_interrupted_anywhere_finishes_without_doubles(local, monkeypatch):
    site, _client, folder = local
    ws = api.workspace.open_folder(folder)
    meta = hazard_report()
    files = {"photo-1": jpeg(), "sig-1": png()}
    api.forms.receive(ws, site.library, meta, files, now=ws.now())
    plan_before = len(rows(folder, "action-plan"))
    # killed after the PDF was written and the rows noted, before the records file
    from manualgen.forms import intake

    real = intake.Workspace.write

    def crash(self, rel, data, **kw):
        if str(rel).endswith("records/action-plan.csv"):
            raise KeyboardInterrupt("killed")
        return real(self, rel, data, **kw)

    monkeypatch.setattr(intake.Workspace, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        api.forms.file_phone_form(ws, site.library, meta["id"], today=TODAY)
    monkeypatch.undo()
    assert api.forms.states(ws, [meta["id"]])[meta["id"]] == "received"
    assert api.forms.unfiled(ws) == [meta["id"]]
    # killed after everything but the last note: the next run adds nothing
    real_note = intake.atomic_write_bytes

    def crash_at_the_end(path, data, **kw):
        if Path(path).name == "filed.json":
            raise KeyboardInterrupt("killed")
        return real_note(path, data, **kw)

    monkeypatch.setattr(intake, "atomic_write_bytes", crash_at_the_end)
    with pytest.raises(KeyboardInterrupt):
        api.forms.file_phone_form(ws, site.library, meta["id"], today=TODAY)
    monkeypatch.undo()
    assert len(rows(folder, "action-plan")) == plan_before + 1
    filed = api.forms.file_phone_form(ws, site.library, meta["id"], today=TODAY)
    pdf = ws.path(filed.file).read_bytes()
    assert len(rows(folder, "action-plan")) == plan_before + 1
    assert api.forms.file_phone_form(ws, site.library, meta["id"], today=TODAY) == filed
    assert ws.path(filed.file).read_bytes() == pdf                 # the same bytes
    assert api.forms.unfiled(ws) == []
    # the photos are in the PDF now; the entry keeps only the answers
    entry = ws.state / "phone-forms" / meta["id"]
    assert (entry / "meta.json").is_file() and not (entry / "files").exists()
    # a form without a category: kept with the company's records, not in a category
    assert filed.file.startswith("completed-forms/hazard-report/2026-06-04 Hazard Report")
    assert jpeg() in pdf                                  # the phone's JPEG, not re-encoded
    check = subprocess.run(["qpdf", "--check", str(ws.path(filed.file))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_forms_that_cannot_be_accepted_say_why_and_name_the_field(local):
    _site, client, folder = local
    heic = hazard_report()
    response = post(client, heic, {"photo-1": HEIC, "sig-1": png()})
    assert response.status_code == 400
    assert response.json()["field"] == "photos" and "HEIC" in response.json()["error"]
    missing = toolbox(topics="")
    response = post(client, missing, SIGS)
    assert response.status_code == 400 and response.json()["field"] == "topics"
    assert "Topics discussed is required" in response.json()["error"]
    big = hazard_report()
    response = post(client, big, {"photo-1": b"\xff\xd8\xff" + b"0" * (9 * 1024 * 1024),
                                  "sig-1": png()})
    assert response.status_code == 400 and "larger than 8 MB" in response.json()["error"]
    unknown = toolbox()
    unknown["form"] = "no-such-form"
    assert post(client, unknown, SIGS).status_code == 400
    nothing = client.get("/forms/sent/", {"ids": f"{heic['id']},{missing['id']},junk"}).json()
    assert set(nothing.values()) == {"unknown"}
    assert not (folder / ".manualgen" / "phone-forms").exists() or \
        not any(p.is_dir() for p in (folder / ".manualgen" / "phone-forms").iterdir())


def test_csrf_is_on_and_the_app_s_header_passes(local):
    site, _client, _folder = local
    client = client_for(site, csrf=True)
    meta = toolbox()
    assert post(client, meta, SIGS).status_code == 403
    cookie_name = client.get("/forms/app.json").json()["csrf_cookie"]
    token = client.cookies[cookie_name].value
    response = post(client, meta, SIGS, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    wait_filed(client, meta["id"])


def test_forms_received_before_a_stop_are_filed_at_the_next_start(local):
    site, client, folder = local
    ws = api.workspace.open_folder(folder)
    meta = toolbox()
    api.forms.receive(ws, site.library, meta, SIGS, now=ws.now())   # then killed
    assert client.get("/forms/sent/", {"ids": meta["id"]}).json()[meta["id"]] == "received"
    assert site.jobs.refile() == 1
    assert wait_filed(client, meta["id"]) == "filed"
    assert site.jobs.refile() == 0


def test_the_pdf_is_the_same_bytes_for_the_same_form(local):
    site, _client, folder = local
    from manualgen.forms.completed import render_completed
    from manualgen.forms.intake import check_form

    profile = api.load_profile(folder / "company.yaml", site.library)
    info, definition, meta = check_form(toolbox("6f1c1a5e-2b7d-4c3e-9a10-0d2e5f6a7b8c"),
                                        SIGS, site.library)
    one = render_completed(info, definition, meta, SIGS, profile, day=TODAY)
    two = render_completed(info, definition, meta, SIGS, profile, day=TODAY)
    assert one == two and one.startswith(b"%PDF-")


# --------------------------------------------------------------------------- the portal


@pytest.fixture
def alpha(portal):
    owner = portal.user("owner@alpha.example")
    company = portal.company("Alpha Roofing", owner, example=True)
    return portal, owner, company


def crew_link(portal, owner) -> str:
    page = portal.client(owner).post("/people/", {"action": "crew",
                                                   "label": "Crew phones 2026"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text                                          # the QR code, inline
    return re.search(r"https?://[^\s<\"]+/crew/[A-Za-z0-9_-]+/", text).group(0)


def test_a_crew_link_fills_forms_and_opens_nothing_else(alpha):
    from manualgen.portal import jobs
    from manualgen.portal import models as m

    portal, owner, company = alpha
    url = crew_link(portal, owner)
    path = url.split("://", 1)[1].split("/", 1)[1]
    with scopes_disabled():
        link = m.CrewLink.objects.get()
    assert link.label == "Crew phones 2026" and path.split("/")[1] not in link.token_hash
    phone = portal.client()
    opened = phone.get("/" + path)
    assert opened.status_code == 302 and opened["Location"] == "/forms/"
    assert phone.get("/forms/app.json").json()["company"] == "Kluane Ridge Roofing"
    meta = toolbox()
    response = post(phone, meta, SIGS)
    assert response.status_code == 200, response.content
    for other in ("/company/", "/manual/", "/overview/", "/people/", "/status/",
                  f"/submission/{SUB}/", "/nsny/", "/companies/", "/"):
        assert phone.get(other).status_code == 404, other
    assert phone.post(f"/submission/{SUB}/upload/").status_code == 404
    jobs.db_worker("t", batch=True, interval=0).run()
    states = phone.get("/forms/sent/", {"ids": meta["id"]}).json()
    assert states == {meta["id"]: "filed"}
    folder = portal.site.company_folder(company.folder)
    assert list((folder / SUB / "toolbox-meetings").glob("*Toolbox Meeting Record*"))
    with scopes_disabled():
        build = m.Build.objects.get(kind="phone_form")
    assert build.requested_by is None and build.state == m.DONE
    # the overview lists the open action the form made
    overview = portal.client(owner).get("/overview/").content.decode()
    assert "Open actions" in overview and "Ladder feet worn on LAD-02" in overview
    # turned off: the phone is refused at its next request
    portal.client(owner).post("/people/", {"action": "crew-off", "link": link.pk})
    refused = phone.get("/forms/app.json")
    assert refused.status_code == 403 and "turned off" in refused.content.decode()
    assert phone.get("/forms/app.json").status_code in (302, 403)
    assert portal.client().get("/" + path).status_code == 404


def test_only_the_owner_makes_crew_links_and_members_fill_forms(alpha):
    from manualgen.portal import models as m

    portal, _owner, company = alpha
    member = portal.user("member@alpha.example")
    with scopes_disabled():
        m.Membership.objects.create(user=member, company=company, role="member")
    client = portal.client(member)
    assert client.post("/people/", {"action": "crew", "label": "x"}).status_code == 403
    assert client.get("/forms/app.json").status_code == 200


def test_a_worker_files_the_forms_received_but_never_filed(alpha):
    from manualgen.portal import jobs

    portal, _owner, company = alpha
    ws = portal.workspace(company)
    meta = toolbox()
    api.forms.receive(ws, portal.site.library, meta, SIGS, now=ws.now())
    assert jobs.refile(portal.site) == 1
    assert jobs.refile(portal.site) == 0                     # queued once
    jobs.db_worker("t", batch=True, interval=0).run()
    assert api.forms.states(ws, [meta["id"]]) == {meta["id"]: "filed"}
