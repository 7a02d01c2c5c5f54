"""The Manual and forms page: build with progress, downloads, first pages, what changed."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from manualgen import api
from manualgen.web.permissions import Action, requires
from manualgen.web.views.common import start_job

DOWNLOADS = {"manual.docx": "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document",
             "manual.pdf": "application/pdf", "forms.zip": "application/zip"}


@requires(Action.VIEW)
def page(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    library = request.site.library
    check = api.check_profile(ws.profile_path, library) if ws.has_profile else None
    record = api.builds.read_manual_record(ws)
    pending = None
    if check is not None and check.ok and record is not None:
        pending = api.manual.policy_changes(record.policies, check.policies)
    files = [{"name": n, "size": (ws.output / n).stat().st_size}
             for n in DOWNLOADS if (ws.output / n).is_file()]
    pictures = [n for n in range(1, api.builds.PICTURES + 1)
                if (ws.output / f"manual-page-{n}.png").is_file()]
    running = request.site.jobs.running(request,
                                        api.builds.BuildSpec(api.builds.BuildKind.MANUAL).key)
    return render(request, "web/manual.html", {
        "check": check, "record": record, "pending": pending, "files": files,
        "pictures": pictures, "running": running,
        "office": request.site.office.available,
        "stamp": int((ws.output / "manual.pdf").stat().st_mtime)
        if (ws.output / "manual.pdf").is_file() else 0,
    })


@require_POST
@requires(Action.BUILD)
def build(request: HttpRequest) -> HttpResponse:
    kind = api.builds.BuildKind.FORMS if request.POST.get("what") == "forms" else \
        api.builds.BuildKind.MANUAL
    if not request.workspace.has_profile:
        raise api.UsageError("there is no company profile yet",
                             fix="fill in the Company pages first")
    return start_job(request, api.builds.BuildSpec(kind), reverse("manual"))


@requires(Action.VIEW)
def download(request: HttpRequest, name: str) -> HttpResponse:
    if name not in DOWNLOADS:
        raise Http404(name)
    path = request.workspace.output / name
    if not path.is_file():
        raise Http404(name)
    stem = request.workspace.root.name
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{stem}-{name}",
                        content_type=DOWNLOADS[name])


@requires(Action.VIEW)
def picture(request: HttpRequest, number: int) -> HttpResponse:
    path = request.workspace.output / f"manual-page-{number}.png"
    if not 1 <= number <= api.builds.PICTURES or not path.is_file():
        raise Http404(str(number))
    return FileResponse(path.open("rb"), content_type="image/png")
