"""What every page shares: the navigation, the error pages, static files, job progress."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from manualgen.web.middleware import error_page

STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
                ".txt": "text/plain"}
NAV = (("company", "Company"), ("manual", "Manual and forms"), ("status", "Status"),
       ("submissions", "Submission"))


def page_context(request: HttpRequest) -> dict:
    """The navigation and the company's name, for every template."""
    workspace = getattr(request, "workspace", None)
    name = None
    if workspace is not None and workspace.has_profile:
        name = workspace.root.name
    current = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    section = current.split("-")[0]
    if section == "submission":
        section = "submissions"
    return {"nav": [(url, label, url == section) for url, label in NAV],
            "folder_name": name}


def home(request: HttpRequest) -> HttpResponse:
    """A new, empty folder starts with the guided profile; otherwise the status."""
    if not request.workspace.has_profile:
        return redirect("company-section", section="company")
    return redirect("status")


def static(request: HttpRequest, name: str) -> HttpResponse:
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file() or \
            path.suffix not in STATIC_TYPES:
        raise Http404(name)
    response = HttpResponse(path.read_bytes(), content_type=STATIC_TYPES[path.suffix])
    response["Cache-Control"] = "max-age=3600"
    return response


def job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A build's progress: polled by htmx, or refreshed by the page itself without it."""
    found = request.site.jobs.get(job_id)
    if found is None or found.folder != request.workspace.root:
        raise Http404(job_id)
    if not found.running and found.error is None:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = found.done_url
            return response
        return redirect(found.done_url)
    template = "web/job_fragment.html" if request.htmx else "web/job.html"
    return render(request, template, {"job": found, "back": found.done_url})


def start_job(request: HttpRequest, kind: str, title: str, done_url: str, work) -> HttpResponse:
    found = request.site.jobs.start(request.workspace.root, kind, title, done_url, work)
    return redirect(reverse("job", args=[found.id]))


# --------------------------------------------------------------------------- errors

def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    from django.core.exceptions import RequestDataTooBig, TooManyFilesSent

    if isinstance(exception, TooManyFilesSent):
        return error_page(request, "Too many files at once",
                          "That was more files than one upload may carry.",
                          fix="Send them in smaller groups.", status=400)
    if isinstance(exception, RequestDataTooBig):
        return error_page(request, "Too much at once", "That form carried too much data.",
                          fix="Send less at once.", status=400)
    return error_page(request, "That request was not understood",
                      "The browser sent something the app cannot use.",
                      fix="Go back, reload the page and try again.", status=400)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, "Not allowed", "This page is not open to this request.",
                      fix="Open the app from the address manualgen printed.", status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, "There is no such page",
                      "The address does not lead to a page of the app, or the file it "
                      "names is gone.", fix="Use the menu at the top.", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, "Something went wrong inside manualgen",
                      "This is a bug in manualgen, not in your files; nothing was changed.",
                      fix="The details are in the terminal running the app.", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, "This form has expired or came from elsewhere",
                      "For your safety, the app only accepts forms sent from its own pages.",
                      fix="Go back, reload the page and send the form again.", status=403)
