"""The phone app of issue 26 in a real headless Chromium at 390 x 844 (Debian's, driven
by Playwright), against the real server of `manualgen serve` (the example company): open
/forms/ once, go offline, fill in a toolbox meeting (two people sign) and a site
inspection (a photo), reload while offline, go online, and find each form filed exactly
once, its PDF in its category, its records rows written, the readiness counted. Then the
office lost while a form is being sent (the answer cut after the server had it; the server
stopped and started again): nothing lost, nothing doubled. And every field of every form
has a name a screen reader reads, and a form is filled with the keyboard alone.

Screenshots (what the phone's screen shows) go to the test's scratch folder, and to
MANUALGEN_SCREENSHOTS when it is set: phone-forms-list, phone-forms-form,
phone-forms-signature, phone-forms-outbox.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image

from manualgen import api

from conftest import needs_libreoffice
from test_web_browser import ARGS, CHROMIUM, PHONE, in_ci
from web_fixtures import example_folder, make_site

pytestmark = [
    pytest.mark.browser,
    needs_libreoffice(),
    pytest.mark.skipif(not Path(CHROMIUM).is_file() and not in_ci,
                       reason="Debian's chromium is not installed"),
]

SUBMISSION = "2026-submission"
DAY = "2026-11-20"                    # in the example submission's period


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Phone:
    """The example company served by `manualgen serve`'s server on a thread, and a phone
    (a Chromium context at 390 x 844) on its /forms/ page."""

    def __init__(self, browser, folder: Path, shots: Path):
        from manualgen.web.server import serve_in_thread

        self.folder, self.shots = folder, shots
        self.site = make_site(folder)
        self.address, self.server = serve_in_thread(self.site)
        self.base = self.address.split("/?")[0]
        self.port = int(self.base.rsplit(":", 1)[1])
        self.context = browser.new_context(viewport=PHONE, service_workers="allow")
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self) -> None:
        """The first visit, with a signal: the token's cookie, the app, its service worker
        and the forms kept on the phone."""
        self.page.goto(f"{self.base}/forms/?token={self.site.token}")
        self.page.wait_for_selector("html[data-started=yes]")
        self.page.wait_for_selector("html[data-offline=ready]", state="attached")
        self.page.wait_for_function(
            "async () => (await caches.keys()).some(k => k.includes('precache'))")

    def stop_server(self) -> None:
        """The server gone at once: its listening socket and every open connection
        (the browser's kept-alive ones too), as when its process is killed."""
        self.server.close()
        for channel in list(self.server._map.values()):
            channel.close()

    def restart_server(self) -> None:
        from manualgen.web.server import serve_in_thread

        _, self.server = serve_in_thread(self.site, port=self.port)

    def shot(self, name: str) -> Path:
        """What the phone's screen shows, into the scratch folder (and the README's)."""
        path = self.shots / f"phone-forms-{name}.png"
        self.page.screenshot(path=str(path))
        folder = os.environ.get("MANUALGEN_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / path.name))
        return path

    def start(self, title: str) -> None:
        self.page.get_by_role("link", name=title, exact=True).click()
        self.page.wait_for_selector("#the-form")

    def sign(self, name: str | None = None) -> None:
        """Sign in the open signature dialog (typing the signer's name when asked)."""
        dialog = self.page.locator("#pad")
        dialog.wait_for(state="visible")
        if name is not None:
            dialog.get_by_label("Name of the person signing").fill(name)
        box = self.page.locator("#pad-canvas").bounding_box()
        x, y = box["x"], box["y"] + box["height"] / 2
        self.page.mouse.move(x + 30, y)
        self.page.mouse.down()
        for step in range(1, 12):
            self.page.mouse.move(x + 30 + step * 22, y + (18 if step % 2 else -18), steps=3)
        self.page.mouse.up()

    def done_signing(self) -> None:
        self.page.locator("#pad-done").click()
        self.page.locator("#pad").wait_for(state="hidden")

    def saved(self) -> None:
        """Wait until the draft is kept in IndexedDB."""
        self.page.get_by_text("Kept on this phone").wait_for()

    def outbox_count(self) -> int:
        return self.page.evaluate("""() => new Promise((ok, no) => {
            const r = indexedDB.open('manualgen-forms');
            r.onsuccess = () => {
              const c = r.result.transaction('outbox').objectStore('outbox').count();
              c.onsuccess = () => ok(c.result); c.onerror = no; };
            r.onerror = no; })""")

    def close(self) -> None:
        self.context.close()
        self.server.close()


@pytest.fixture
def phone(browser, tmp_path):
    made: list[Phone] = []

    def start() -> Phone:
        folder = example_folder(tmp_path / "kluane")
        made.append(Phone(browser, folder, tmp_path))
        return made[-1]

    yield start
    for p in made:
        p.close()
        assert not p.errors, p.errors


def photo_jpeg(path: Path) -> Path:
    """A camera-sized photo (4000 x 3000): the app must scale it to 1600 px."""
    image = Image.new("RGB", (4000, 3000), (150, 120, 90))
    for i in range(0, 4000, 400):
        image.paste((30, 90, 160), (i, 0, i + 200, 3000))
    image.save(path, "JPEG", quality=85)
    return path


def journal(folder: Path) -> dict[str, dict]:
    """The forms the office received: id -> its meta.json."""
    home = folder / ".manualgen" / "phone-forms"
    if not home.is_dir():
        return {}
    return {p.name: json.loads((p / "meta.json").read_text()) for p in home.iterdir()
            if (p / "meta.json").is_file()}


def filed(folder: Path, ids, timeout: float = 120) -> None:
    """Wait until every form is filed (its PDF made, its rows written)."""
    deadline = time.monotonic() + timeout
    home = folder / ".manualgen" / "phone-forms"
    while time.monotonic() < deadline:
        if all((home / i / "filed.json").is_file() for i in ids):
            return
        failed = [i for i in ids if (home / i / "failed.json").is_file()]
        assert not failed, [(home / i / "failed.json").read_text() for i in failed]
        time.sleep(0.3)
    raise AssertionError(f"not filed in {timeout} s: {ids}")


def pdfs(folder: Path, category: str) -> set[str]:
    return {p.name for p in (folder / SUBMISSION / category).glob("*.pdf")}


def rows(folder: Path, table: str) -> list[dict]:
    path = folder / SUBMISSION / "records" / f"{table}.csv"
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def counted(folder: Path) -> dict[str, int]:
    """The readiness the Submission page shows: dated samples in the period, a category."""
    library = api.load_library()
    sub = api.submission.load(folder / SUBMISSION, library, on=dt.date(2026, 12, 1))
    report = api.submission.check(sub, on=dt.date(2026, 12, 1))
    return {c.category.folder: c.counted for c in report.categories}


def fill_toolbox_meeting(p: Phone, site: str, presenter: str) -> None:
    page = p.page
    page.get_by_label("Date", exact=True).fill(DAY)
    page.get_by_label("Site", exact=True).fill(site)
    page.get_by_label("Presenter", exact=True).fill(presenter)
    page.get_by_label("Topics discussed").fill("Ladder set-up at 4:1 and tie-off on the "
                                               "Alsek Road job.")
    page.get_by_role("button", name="Add a line to Concerns raised").click()
    page.get_by_label("Concern or suggestion").fill("The long ladder's feet are worn.")
    page.get_by_label("Action to be taken").fill("Replace the ladder feet")
    page.get_by_label("Responsible").fill(presenter)
    page.get_by_label("By when").fill("2026-11-27")
    for name in ("Dave Kowalski", "Priya Raman"):
        page.get_by_role("button", name="Add a signature").or_(
            page.get_by_role("button", name="Add another signature")).click()
        p.sign(name)
        if name == "Priya Raman":
            p.shot("signature")
        p.done_signing()
    page.get_by_role("group", name="Presenter's signature").get_by_role(
        "button", name="Sign").click()
    p.sign()
    p.done_signing()
    p.saved()


def fill_site_inspection(p: Phone, site: str, inspector: str, picture: Path) -> None:
    page = p.page
    page.get_by_label("Site", exact=True).fill(site)
    page.get_by_label("Date", exact=True).fill(DAY)
    page.get_by_role("group", name="Inspector(s)").get_by_label(inspector).check()
    items = page.locator("#w-f-checklist fieldset.row")
    assert items.count() >= 24
    for i in range(items.count()):
        row = items.nth(i)
        row.get_by_role("radio", name="No" if i == 1 else "Yes", exact=True).check()
    bad = items.nth(1)
    bad.get_by_role("radio", name="A: act now").check()
    bad.get_by_label("Deficiency found").fill("Stacked shingle bundles block the side exit.")
    bad.get_by_label("Corrective action").fill("Move the bundles to the yard")
    bad.get_by_label("Responsible").fill(inspector)
    bad.get_by_label("Target date").fill("2026-11-21")
    bad.get_by_label("Photo", exact=True).set_input_files(str(picture))
    bad.get_by_role("img", name="Photo 1: Photo").wait_for()
    page.get_by_role("group", name=re.compile(r"^Inspector( required)?$")).get_by_role(
        "button", name="Sign").click()
    p.sign()
    p.done_signing()
    p.saved()


def choices(p: Phone, form_id: str, field_id: str) -> list[str]:
    data = p.page.evaluate("() => fetch('/forms/app.json').then(r => r.json())")
    form = next(f for f in data["forms"] if f["id"] == form_id)
    field = next(f for s in form["sections"] for f in s["fields"] if f["id"] == field_id)
    return [c["value"] for c in field["choices"]]


# --------------------------------------------------------------------------- the journey


def test_two_forms_filled_offline_arrive_once_after_a_reload(phone, tmp_path):
    p = phone()
    page = p.page
    before_pdfs = {c: pdfs(p.folder, c) for c in ("toolbox-meetings", "site-inspections")}
    before_log = rows(p.folder, "activity-log")
    before_plan = rows(p.folder, "action-plan")
    before_counted = counted(p.folder)
    p.open()
    site = choices(p, "toolbox-meeting", "site")[0]
    presenter = choices(p, "toolbox-meeting", "presenter")[0]
    inspector = choices(p, "site-inspection", "inspectors")[0]
    manifest = page.evaluate("() => fetch('/forms/app.webmanifest').then(r => r.json())")
    assert manifest["start_url"] == "/forms/" and manifest["display"] == "standalone"
    p.shot("list")

    p.context.set_offline(True)
    page.get_by_text("Offline", exact=True).wait_for()
    p.start("Toolbox Meeting Record")
    fill_toolbox_meeting(p, site, presenter)
    page.evaluate("window.scrollTo(0, 0)")
    p.shot("form")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("1 form waiting to be sent").wait_for()

    page.get_by_role("link", name="Forms", exact=True).click()
    p.start("Site Inspection Checklist")
    fill_site_inspection(p, site, inspector, photo_jpeg(tmp_path / "IMG_0042.jpg"))
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("2 forms waiting to be sent").wait_for()

    # A third form left half done: a draft, kept through the reload.
    page.get_by_role("link", name="Forms", exact=True).click()
    p.start("Hazard Report")
    page.get_by_label("The hazard: what it is").fill("Loose flashing on the shop roof")
    p.saved()

    page.reload()                              # offline: the service worker's page
    page.wait_for_selector("html[data-started=yes]")
    assert page.get_by_label("The hazard: what it is").input_value() == \
        "Loose flashing on the shop roof"
    page.get_by_role("link", name="Forms", exact=True).click()
    page.get_by_text("Not finished").wait_for()
    page.get_by_role("link", name="Outbox", exact=False).last.click()
    page.get_by_text("2 forms waiting to be sent").wait_for()
    assert p.outbox_count() == 2
    assert page.get_by_text("Waiting for a signal.").count() == 2
    p.shot("outbox")
    assert journal(p.folder) == {}             # nothing reached the office yet

    p.context.set_offline(False)               # the `online` event sends the outbox
    page.get_by_text("Nothing is waiting").wait_for(timeout=60_000)
    assert p.outbox_count() == 0
    received = journal(p.folder)
    assert sorted(m["form"] for m in received.values()) == ["site-inspection",
                                                          "toolbox-meeting"]
    filed(p.folder, received)

    # Each form once: one PDF in its category, its rows in the records, readiness counted.
    for category in before_pdfs:
        assert len(pdfs(p.folder, category) - before_pdfs[category]) == 1, category
    log = rows(p.folder, "activity-log")
    assert len(log) == len(before_log) + 2
    assert sorted(r["activity"] for r in log[len(before_log):]) == ["inspection",
                                                                    "toolbox_meeting"]
    assert "Dave Kowalski" in log[len(before_log):][0]["people"] + \
        log[len(before_log):][1]["people"]
    plan = rows(p.folder, "action-plan")
    assert {r["action"] for r in plan[len(before_plan):]} == {
        "Replace the ladder feet", "Move the bundles to the yard"}
    after = counted(p.folder)
    assert after["toolbox-meetings"] == before_counted["toolbox-meetings"] + 1
    assert after["site-inspections"] == before_counted["site-inspections"] + 1

    # The photo reached the office as a JPEG of at most 1600 px, and is in the filed PDF
    # as the phone made it (the journal keeps only the answers once a form is filed).
    import pikepdf

    inspection_pdf = next(iter(pdfs(p.folder, "site-inspections") -
                               before_pdfs["site-inspections"]))
    with pikepdf.open(p.folder / SUBMISSION / "site-inspections" / inspection_pdf) as pdf:
        jpegs = [image for page_ in pdf.pages for image in page_.get_images().values()
                 if "/DCTDecode" in [str(f) for f in (
                     image.get("/Filter") if isinstance(image.get("/Filter"), pikepdf.Array)
                     else [image.get("/Filter")])]]
        raw = [image.read_raw_bytes() for image in jpegs]
    assert len(raw) == 1
    with Image.open(io.BytesIO(raw[0])) as im:
        assert im.format == "JPEG" and max(im.size) == 1600

    # The Sent screen reads each form's fate from the office.
    page.get_by_role("link", name="Sent", exact=True).click()
    page.get_by_text("Filed in the year's submission").first.wait_for()
    assert page.get_by_text("Filed in the year's submission").count() == 2
    # The draft is still there, unsent.
    page.get_by_role("link", name="Forms", exact=True).click()
    page.get_by_role("link", name="Hazard Report started").wait_for()


# --------------------------------------------------------------------------- the office lost


def test_the_office_lost_while_sending_nothing_lost_nothing_doubled(phone):
    p = phone()
    page = p.page
    before = pdfs(p.folder, "toolbox-meetings")
    before_log = len(rows(p.folder, "activity-log"))
    p.open()
    site = choices(p, "toolbox-meeting", "site")[0]
    presenter = choices(p, "toolbox-meeting", "presenter")[0]

    # 1. The office gets the form, but the answer never reaches the phone.
    cut: list[str] = []

    def cut_after_delivery(route):
        if cut:
            return route.continue_()
        route.fetch()                          # the server receives and acknowledges it
        cut.append(route.request.url)
        route.abort("connectionreset")

    p.context.route("**/forms/submit/", cut_after_delivery)
    p.start("Toolbox Meeting Record")
    fill_toolbox_meeting(p, site, presenter)
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("the office could not be reached").wait_for()
    assert len(journal(p.folder)) == 1 and p.outbox_count() == 1
    p.context.unroute("**/forms/submit/")

    # 2. The server stopped: the next try fails, the form stays on the phone.
    p.stop_server()
    page.locator("#app").get_by_role("button", name="Send now").click()
    page.wait_for_selector("html[data-sending=no]", state="attached")
    page.get_by_text("the office could not be reached").wait_for()
    assert p.outbox_count() == 1

    # 3. The server back: the same id again, answered 200 and not filed twice.
    p.restart_server()
    page.locator("#app").get_by_role("button", name="Send now").click()
    page.get_by_text("Nothing is waiting").wait_for()
    received = journal(p.folder)
    assert len(received) == 1
    filed(p.folder, received)
    assert len(pdfs(p.folder, "toolbox-meetings") - before) == 1
    assert len(rows(p.folder, "activity-log")) == before_log + 1
    page.get_by_role("link", name="Sent", exact=True).click()
    page.get_by_text("Filed in the year's submission").wait_for()


# --------------------------------------------------------------------------- names and keys


def test_every_field_is_named_and_a_form_is_filled_by_keyboard(phone):
    p = phone()
    page = p.page
    p.open()
    data = page.evaluate("() => fetch('/forms/app.json').then(r => r.json())")
    assert len(data["forms"]) >= 14
    for form in data["forms"]:
        p.start(form["title"])
        for section in form["sections"]:
            for field in section["fields"]:
                if field["kind"] == "group":
                    if not field.get("rows"):
                        page.get_by_role("button", name=f"Add a line to {field['label']}").click()
                    row = page.locator(f"#w-f-{field['id']}-0")
                    for column in field["fields"]:
                        named = row.get_by_label(column["label"], exact=True)
                        assert named.count() == 1, (form["id"], field["id"], column["id"])
                    continue
                named = page.get_by_label(field["label"], exact=True)
                assert named.count() >= 1, (form["id"], field["id"])
        page.get_by_role("button", name="Delete this draft").click()
        page.get_by_role("button", name="Yes, delete this draft and its photos").click()
        page.wait_for_url("**/forms/#/")

    # The hazard report with the keyboard alone: Tab from field to field, arrows for radios.
    p.start("Hazard Report")
    page.get_by_label("Reported by", exact=True).focus()
    page.keyboard.type("Dave Kowalski")
    page.keyboard.press("Tab")
    page.keyboard.type(DAY.replace("-", "")[4:6] + DAY[8:10] + DAY[:4])      # mm dd yyyy
    assert page.get_by_label("Date", exact=True).input_value() == DAY
    page.get_by_label("The hazard: what it is", exact=False).focus()
    page.keyboard.type("Frayed extension cord in the shop")
    page.get_by_role("radiogroup", name="Severity").get_by_role("radio").first.focus()
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name="2 Serious (medical aid, modified work)").is_checked()
    p.saved()
    page.get_by_role("button", name="Send", exact=True).focus()
    page.keyboard.press("Enter")
    # What is missing is said in words beside each field, and the first one has the focus.
    page.get_by_text("answers are missing").wait_for()
    assert page.locator(".error:not([hidden])").filter(has_text="Answer this.").count() >= 1
    focused = page.evaluate("document.activeElement.closest('[data-path]')?.dataset.path")
    assert focused is not None


def test_a_photo_of_a_paper_form_taken_in_the_app_is_filed_by_its_code(phone, tmp_path):
    """A crew member photographs a filled-in paper inspection in the app: the photo goes
    through the outbox and is filed in Site Inspections by the code printed on the form,
    with no question asked of the crew."""
    from test_paper_forms import blank_form_code, photo_of_page

    p = phone()
    code = blank_form_code(p.folder, "site-inspection")
    picture = tmp_path / "IMG_2042.jpg"
    picture.write_bytes(photo_of_page(code, exif_date="2026:11:19 10:12:00"))
    folder = p.folder / SUBMISSION / "site-inspections"
    before = {f.name for f in folder.iterdir()}
    p.open()
    p.page.get_by_label("Take a photo of a paper form").set_input_files(str(picture))
    p.page.get_by_text("It is filed by the code printed on the form").wait_for()
    deadline = time.time() + 30
    while time.time() < deadline and not ({f.name for f in folder.iterdir()} - before):
        time.sleep(0.2)
    new = {f.name for f in folder.iterdir()} - before
    assert len(new) == 1, new
    page_ = p.page
    page_.wait_for_function(
        "async () => (await new Promise(ok => { const r = indexedDB.open('manualgen-forms');"
        " r.onsuccess = () => { const c = r.result.transaction('outbox')"
        ".objectStore('outbox').count(); c.onsuccess = () => ok(c.result); }; })) === 0")
