"""What every page shares: the navigation, the error pages, static files, job progress."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from manualgen import api
from manualgen.web.middleware import error_page
from manualgen.web.permissions import Action, allowed, open_to_all, requires

STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
                ".txt": "text/plain", ".png": "image/png", ".json": "application/json"}
# Sub-folders of static/ that are served: the phone app's files and its npm packages.
STATIC_FOLDERS = ("phone", "vendor")
NAV = (("company", "Company"), ("manual", "Manual and forms"), ("status", "Status"),
       ("submissions", "Submission"))


def page_context(request: HttpRequest) -> dict:
    """The navigation, the company's name and what the person may do (`perms_portal`:
    everything in the local app), for every template."""
    workspace = getattr(request, "workspace", None)
    name = None
    if workspace is not None and workspace.has_profile:
        name = workspace.root.name
    current = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    section = current.split("-")[0]
    if section == "submission":
        section = "submissions"
    return {"nav": [(url, label, url == section) for url, label in NAV],
            "folder_name": name, "perms_portal": allowed(request)}


@requires(Action.VIEW)
def home(request: HttpRequest) -> HttpResponse:
    """A new, empty folder starts with the guided profile; otherwise the status."""
    if not request.workspace.has_profile:
        return redirect("company-section", section="company")
    return redirect("status")


@open_to_all
def static(request: HttpRequest, name: str) -> HttpResponse:
    """A file of static/, or of one of its `STATIC_FOLDERS` (`vendor/idb.js`)."""
    parts = name.split("/")
    if len(parts) > 2 or (len(parts) == 2 and parts[0] not in STATIC_FOLDERS) or \
            any(not part or part.startswith(".") for part in parts):
        raise Http404(name)
    path = STATIC.joinpath(*parts)
    if not path.is_file() or path.suffix not in STATIC_TYPES:
        raise Http404(name)
    response = HttpResponse(path.read_bytes(), content_type=STATIC_TYPES[path.suffix])
    response["Cache-Control"] = "max-age=3600"
    return response


@requires(Action.VIEW)
def job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A build's progress: polled by htmx, or refreshed by the page itself without it."""
    found = request.site.jobs.get(request, job_id)
    if found is None:
        raise Http404(job_id)
    if not found.running and not found.error:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = found.done_url
            return response
        return redirect(found.done_url)
    # htmx's poll gets the progress part; a boosted link or form, the whole page
    partial = request.htmx and not request.htmx.boosted
    template = "web/job_fragment.html" if partial else "web/job.html"
    return render(request, template, {"job": found, "back": found.done_url})


def start_job(request: HttpRequest, spec: api.builds.BuildSpec, done_url: str) -> HttpResponse:
    """Start the build (on the site's threads, or queued for the portal's workers) and
    show its progress page."""
    found = request.site.jobs.start(request, spec, done_url)
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
