"""The web app in a real headless Chromium (Debian's, driven by Playwright): the three
journeys of issue 11 and the refusals, with screenshots of each main page.

Screenshots go to the test's scratch folder; with MANUALGEN_SCREENSHOTS=docs/screenshots
they are written there too, which is how the README's pictures are made.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from manualgen import resources

from conftest import needs_libreoffice
from test_web import jpeg, pdf
from web_fixtures import example_folder, make_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
in_ci = os.environ.get("CI", "").lower() in ("1", "true")

pytestmark = [
    pytest.mark.browser,
    needs_libreoffice(),
    pytest.mark.skipif(not Path(CHROMIUM).is_file() and not in_ci,
                       reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class App:
    """One served company folder and a browser tab on it."""

    def __init__(self, site, address: str, server, page, shots: Path):
        self.site, self.address, self.server, self.page = site, address, server, page
        self.base = address.split("/?")[0]
        self.shots = shots
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        """The whole page into the scratch folder; what the screen shows into
        MANUALGEN_SCREENSHOTS when it is set (the README's pictures)."""
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        folder = os.environ.get("MANUALGEN_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / path.name))
        return path

    def settled(self) -> None:
        """Wait until htmx has sent, swapped and settled every boosted request."""
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
        self.page.wait_for_load_state()

    def press(self, name: str, *, last: bool = False, within=None) -> None:
        """Click a button (or link) by its words, then wait for the page it brings."""
        root = within or self.page
        target = root.get_by_role("button", name=name)
        (target.last if last else target.first).click()
        self.settled()

    def follow(self, name: str) -> None:
        self.page.get_by_role("link", name=name).first.click()
        self.settled()

    def wait_for_build(self, done_text: str, timeout: float = 120_000) -> None:
        self.page.get_by_text(done_text).first.wait_for(timeout=timeout)


@pytest.fixture
def serve(browser, tmp_path):
    from manualgen.web.server import serve_in_thread

    apps: list[App] = []

    def start(folder: Path, viewport=DESKTOP) -> App:
        site = make_site(folder)
        address, server = serve_in_thread(site)
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        app = App(site, address, server, page, tmp_path)
        apps.append(app)
        page.goto(address)
        return app

    yield start
    for app in apps:
        app.page.context.close()
        app.server.close()
        assert not app.errors, app.errors


def _fill_course(page, person: int, course: int, name: str, completed: str) -> None:
    page.fill(f"#f-people-{person}-training-{course}-course", name)
    page.fill(f"#f-people-{person}-training-{course}-completed", completed)


# --------------------------------------------------------------------------- journeys


def test_journey_new_company_to_a_manual_that_names_it(serve, tmp_path):
    """An empty folder -> the guided profile with two people, one a supervisor with LSE
    -> review -> save -> build -> the downloaded .docx names the company."""
    folder = tmp_path / "yukon-sparks"
    folder.mkdir()
    app = serve(folder)
    page = app.page
    assert page.url.endswith("/company/company/")
    page.get_by_text("New company profile - step 1 of 10").wait_for()
    for field, value in {
            "legal_name": "Yukon Sparks Electric Ltd.",
            "address": "3 Main Street, Whitehorse, YT Y1A 2B3", "phone": "867-555-0199",
            "wscb_account": "0012345", "industry": "Electrical contracting",
            "scope_of_work": "Wiring of homes and small shops in Whitehorse.",
            "peak_employees": "4"}.items():
        page.fill(f"#f-company-{field}", value)
    page.check("#f-company-trades-electrical_contracting")
    page.set_input_files("#f-company-logo", files=[
        {"name": "sparks.png", "mimeType": "image/png",
         "buffer": (resources.examples_dir() / "logo.png").read_bytes()}])
    app.press("Check this page", last=True)
    page.get_by_alt_text("The company logo").wait_for()
    app.shot("company")
    app.press("Save and go on")

    page.get_by_role("heading", name="People and training").wait_for()
    page.fill("#f-people-0-name", "Maria Lopez")
    page.fill("#f-people-0-position", "Owner and master electrician")
    app.press("Add a course for Person 1")
    _fill_course(page, 0, 0, "LSE", "2026-02-03")
    app.press("Add a person")
    page.fill("#f-people-1-name", "Dave Kowalski")
    page.fill("#f-people-1-position", "Journeyman electrician")
    page.select_option("#f-people-1-employment", "part_time")
    app.press("Add a person")     # and take it out again
    app.press("Remove Person 3")
    expect(page.locator("#f-people-2-name")).to_have_count(0)
    app.press("Save and go on")

    page.get_by_role("heading", name="Worksites").wait_for()
    page.fill("#f-worksites-0-name", "Client homes and shops")
    page.select_option("#f-worksites-0-kind", "mobile")
    app.press("Save and go on")
    page.get_by_role("heading", name="Hazards").wait_for()
    usual = page.locator("label[for=f-hazard-confined_spaces] .usual")
    assert usual.inner_text() == "Usual for Electrical contracting"
    page.check("#f-hazard-ladders")
    page.check("#f-hazard-vehicles")
    app.press("Save and go on")
    page.get_by_role("heading", name="Hazards that do not apply").wait_for()
    app.press("Add a dismissed hazard")
    page.select_option("#f-dismissed_hazards-0-hazard", "confined_spaces")
    page.fill("#f-dismissed_hazards-0-reason", "We never enter vaults, tanks or crawlspaces.")
    app.shot("dismissed-hazards")
    app.press("Save and go on")
    page.get_by_role("heading", name="Equipment").wait_for()
    app.press("Save and go on")              # no equipment
    page.get_by_role("heading", name="Hazard inventory").wait_for()
    app.press("Save and go on")              # the library's usual tasks
    page.get_by_role("heading", name="Emergencies").wait_for()
    page.fill("#f-emergency-nearest_medical", "Whitehorse General Hospital")
    page.fill("#f-emergency-muster_point", "Beside the van")
    app.press("Save and go on")
    page.get_by_role("heading", name="SECOR certificate").wait_for()
    app.press("Save and go on")              # not certified
    page.get_by_role("heading", name="The manual").wait_for()
    page.fill("#f-manual-approved_by", "Maria Lopez")
    app.press("Review and save")

    page.get_by_role("heading", name="Review and save").wait_for()
    # Dave is a worker: tick him as a supervisor with his LSE, from the review's link.
    page.get_by_role("link", name="Change").nth(1).click()
    app.settled()
    page.check("#f-people-1-roles-supervisor")
    app.press("Add a course for Dave Kowalski")
    page.fill("#f-people-1-training-0-course", "LSE")             # the date forgotten
    app.press("Check this page", last=True)
    error = page.locator("#f-people-1-training-0-completed-error")
    assert "this field is required" in error.inner_text()
    _fill_course(page, 1, 0, "LSE", "2026-03-10")
    app.press("Review and save")
    page.get_by_role("heading", name="Review and save").wait_for()
    app.press("Save company.yaml")
    page.get_by_text("Saved.").wait_for()
    app.shot("review")
    saved = (folder / "company.yaml").read_text()
    assert "Yukon Sparks Electric Ltd." in saved and "trades: [electrical_contracting]" in saved
    assert '- {hazard: confined_spaces, reason: "We never enter vaults, tanks or crawlspaces."}' \
        in saved
    assert (folder / "logo.png").is_file()

    app.follow("Manual and forms")
    app.press("Build the manual")
    app.wait_for_build("The last build")
    page.get_by_alt_text("Page 1 of the manual").wait_for()
    app.shot("manual")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the manual (Word)").click()
    import docx

    document = docx.Document(download.value.path())
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Yukon Sparks Electric Ltd." in text
    assert "Maria Lopez" in text
    tables = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Does not apply to us: We never enter vaults, tanks or crawlspaces." in tables

    page.set_viewport_size(PHONE)
    app.go("/company/people/")
    app.shot("phone-company")


def test_journey_example_company_hire_course_status_rebuild(serve, tmp_path):
    """The example company: add a hire and a course, see the status change, rebuild."""
    folder = example_folder(tmp_path / "kluane", submission=False)
    app = serve(folder)
    page = app.page
    page.get_by_role("heading", name="Kluane Ridge Roofing: SECOR status").wait_for()
    before = page.locator("#training").inner_text()
    assert "Alex Hire" not in before

    app.go("/company/people/")
    app.press("Add a person")
    page.fill("#f-people-6-name", "Alex Hire")
    page.fill("#f-people-6-position", "Apprentice roofer")
    app.press("Add a course for Person 7")
    _fill_course(page, 6, 0, "Fall Protection", "2025-12-20")
    page.fill("#f-people-6-training-0-expires", "2026-12-20")
    app.press("Review and save")
    app.press("Save company.yaml")
    page.get_by_text("Saved.").wait_for()

    app.follow("Status")
    training = page.locator("#training").inner_text()
    assert "Alex Hire" in training and "Expiring soon" in training
    assert page.get_by_text("Alex Hire: Fall Protection expires 2026-12-20").count() == 1
    app.shot("status")

    app.follow("Manual and forms")
    app.press("Build the manual")
    app.wait_for_build("The last build")
    assert "First build" in page.locator("#last-build").inner_text()
    app.press("Rebuild the manual")
    app.wait_for_build("The same")
    assert "Kluane" in (folder / "company.yaml").read_text()


def _drop_file(page, selector: str, name: str, data: bytes, mime: str) -> None:
    """Drag a file from the desktop onto an upload box (a real drop event)."""
    handle = page.evaluate_handle(
        """([name, bytes, mime]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(bytes)], name, {type: mime}));
            return dt;
        }""", [name, list(data), mime])
    page.dispatch_event(selector, "drop", {"dataTransfer": handle})


def test_journey_submission_upload_date_incident_checklist_build(serve, tmp_path):
    """Upload two PDFs and a JPEG into categories, date the undated one, add an incident,
    see the checklist, build, and download a PDF whose outline lists the three samples."""
    folder = example_folder(tmp_path / "kluane", submission=False)
    app = serve(folder)
    page = app.page
    app.follow("Submission")
    app.press("Start the 2026-submission folder")
    page.get_by_role("heading", name="Annual Documentation Review Submission: "
                                     "2026-submission").wait_for()

    inspections = page.locator("#cat-site-inspections form.upload")
    inspections.locator("input[name=files]").set_input_files(files=[
        {"name": "2026-03-03 monthly shop inspection.pdf", "mimeType": "application/pdf",
         "buffer": pdf("inspection")},
        {"name": "scan0099.pdf", "mimeType": "application/pdf", "buffer": pdf("scan")}])
    app.press("Add to Site Inspections", within=inspections)
    page.get_by_text("Saved 2 file(s) in site-inspections").wait_for()
    _drop_file(page, "#cat-toolbox-meetings form.upload", "2026-05-05 toolbox ladders.jpg",
               jpeg(), "image/jpeg")
    page.get_by_text("Saved 1 file(s) in toolbox-meetings").wait_for()

    undated = page.locator("li.sample.undated")
    assert undated.count() == 1 and "scan0099.pdf" in undated.inner_text()
    undated.locator("input[type=date]").first.fill("2026-08-12")
    app.press("Set the date", within=undated)
    page.get_by_text("Renamed scan0099.pdf to 2026-08-12 scan0099.pdf.").wait_for()
    expect(page.locator("li.sample.undated")).to_have_count(0)

    app.follow("Incidents")
    app.press("Add a row")
    page.fill("input[name='r0.date']", "2026-06-18")
    page.select_option("select[name='r0.class']", "near_miss")
    page.fill("input[name='r0.description']", "Ladder base slipped on a wet deck")
    page.select_option("select[name='r0.investigated']", "yes")
    app.press("Save the table")
    page.get_by_text("Saved to records/incidents.csv.").wait_for()
    app.shot("records")
    assert "2026-06-18,near_miss" in (folder / "2026-submission/records/incidents.csv"
                                      ).read_text()

    app.follow("Back to the submission 2026-submission")
    checklist = page.locator("#checklist").inner_text()
    assert "Site Inspections" in checklist and "Complete: 2 samples" in checklist
    assert "Too few: 1 of 2" in checklist                 # toolbox meetings
    app.shot("submission")
    app.press("Build the submission PDF")
    app.wait_for_build("The PDF is ready.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    reader = PdfReader(download.value.path())

    def titles(items) -> list[str]:
        out = []
        for item in items:
            out += titles(item) if isinstance(item, list) else [item.title]
        return out

    outline = titles(reader.outline)
    for sample in ("Monthly shop inspection", "Scan0099", "Toolbox ladders"):
        assert any(sample in t for t in outline), (sample, outline)

    page.set_viewport_size(PHONE)
    page.reload()
    app.shot("phone-submission")


# --------------------------------------------------------------------------- refusals


def test_refusals_in_the_browser(serve, tmp_path, browser):
    folder = example_folder(tmp_path / "kluane")
    app = serve(folder)
    # Another browser (no cookie) at the bare address: refused in plain words.
    stranger = browser.new_context()
    other = stranger.new_page()
    response = other.goto(app.base + "/status/")
    assert response.status == 403
    assert "Open the app from its address" in other.content()
    stranger.close()
    # A page of another site posting a form to the app, in the user's own browser.
    page = app.page
    page.goto("about:blank")
    page.set_content(f"""<form method="post" action="{app.base}/company/discard/">
        <button>Win a prize</button></form>""")
    with page.expect_navigation():
        page.get_by_role("button", name="Win a prize").click()
    assert "Not allowed" in page.content() or "Open the app" in page.content() or \
        "came from elsewhere" in page.content()
    # An upload over the limit: a message, and nothing written.
    app.site.limits = type(app.site.limits)(file_bytes=10_000, request_bytes=30_000, files=5)
    app.go("/submission/2026-submission/")
    target = folder / "2026-submission" / "site-inspections"
    before = sorted(p.name for p in target.iterdir())
    form = page.locator("#cat-site-inspections form.upload")
    form.locator("input[name=files]").set_input_files(files=[
        {"name": "2026-09-01 big.pdf", "mimeType": "application/pdf",
         "buffer": pdf() + b"%" + b"0" * 40_000}])
    app.press("Add to Site Inspections", within=form)
    page.get_by_text("Those files are too large").wait_for()
    assert sorted(p.name for p in target.iterdir()) == before
    app.errors.clear()                # the browser logs the 403 and 413 it was shown
