"""The Manual and forms page: build with progress, downloads, first pages, what changed."""

from __future__ import annotations

import json
import time

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from manualgen import api
from manualgen.web.site import Job
from manualgen.web.views.common import start_job

RECORD = "manual.json"
DOWNLOADS = {"manual.docx": "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document",
             "manual.pdf": "application/pdf", "forms.zip": "application/zip"}
PICTURES = 3


def _record(ws: api.Workspace) -> dict | None:
    path = ws.output / RECORD
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None


def page(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    library = request.site.library
    check = api.check_profile(ws.profile_path, library) if ws.has_profile else None
    record = _record(ws)
    pending = None
    if check is not None and check.ok and record is not None:
        pending = api.policy_changes(record.get("policies"), check.policies)
    files = [{"name": n, "size": (ws.output / n).stat().st_size}
             for n in DOWNLOADS if (ws.output / n).is_file()]
    pictures = [n for n in range(1, PICTURES + 1)
                if (ws.output / f"manual-page-{n}.png").is_file()]
    running = request.site.jobs.running(ws.root, "manual")
    return render(request, "web/manual.html", {
        "check": check, "record": record, "pending": pending, "files": files,
        "pictures": pictures, "running": running,
        "office": request.site.office.available,
        "stamp": int((ws.output / "manual.pdf").stat().st_mtime)
        if (ws.output / "manual.pdf").is_file() else 0,
    })


def _build(request: HttpRequest, what: str):
    ws = request.workspace
    library = request.site.library
    office = request.site.office
    today = request.site.today()

    def work(job: Job) -> str:
        started = time.monotonic()
        job.tick("Reading the company profile", total=4)
        profile = api.load_profile(ws.profile_path, library)
        before = _record(ws)
        if what == "forms":
            job.tick("Filling in the forms", 1)
            forms = api.build_forms(profile, library)
            ws.write_output("forms.zip", forms.zip_bytes(profile.profile.manual.issued))
            job.tick("Done", 3)
            return f"{len(forms.docx)} forms in forms.zip"
        job.tick("Laying out the manual with LibreOffice (a few seconds)", 1)
        # the chapters' page counts kept where `manualgen manual` keeps them, so a rebuild
        # lays out again only what changed
        layouts = api.LayoutCache(ws.state / "layout")
        result = api.build_manual(profile, library, pdf=True, office=office, cache=layouts)
        job.tick("Saving and drawing the first pages", 1)
        ws.write_output("manual.docx", result.docx)
        if result.pdf is not None:
            ws.write_output("manual.pdf", result.pdf)
            for n, png in enumerate(api.page_pictures(result.pdf, pages=PICTURES), 1):
                ws.write_output(f"manual-page-{n}.png", png)
        change = api.policy_changes(before.get("policies") if before else None,
                                    result.policies)
        seconds = time.monotonic() - started
        ws.write_output(RECORD, json.dumps({
            "policies": result.policies, "pages": result.pages, "company": result.company,
            "built": today.isoformat(), "built_at": time.strftime("%Y-%m-%d %H:%M"),
            "seconds": round(seconds, 2), "changes": change,
            "warnings": result.warnings}, indent=1, ensure_ascii=False))
        job.tick("Done", 1)
        return f"{result.pages} pages, {len(result.policies)} policies. {change}"

    return work


@require_POST
def build(request: HttpRequest) -> HttpResponse:
    what = "forms" if request.POST.get("what") == "forms" else "manual"
    title = "Building the forms" if what == "forms" else "Building the manual"
    if not request.workspace.has_profile:
        raise api.UsageError("there is no company profile yet",
                             fix="fill in the Company pages first")
    return start_job(request, what if what == "forms" else "manual", title,
                     reverse("manual"), _build(request, what))


def download(request: HttpRequest, name: str) -> HttpResponse:
    if name not in DOWNLOADS:
        raise Http404(name)
    path = request.workspace.output / name
    if not path.is_file():
        raise Http404(name)
    stem = request.workspace.root.name
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{stem}-{name}",
                        content_type=DOWNLOADS[name])


def picture(request: HttpRequest, number: int) -> HttpResponse:
    path = request.workspace.output / f"manual-page-{number}.png"
    if not 1 <= number <= PICTURES or not path.is_file():
        raise Http404(str(number))
    return FileResponse(path.open("rb"), content_type="image/png")
