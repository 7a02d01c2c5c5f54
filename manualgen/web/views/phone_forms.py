"""The server side of the phone app (issue 26): the forms it caches, the completed forms
it sends, their fate, and paper forms filed by their QR code.

THE CONTRACT the phone app relies on (`static/phone/app.js`, made by another hand; change
both together):

- `GET /forms/app.json` -> `{"company": "<name>", "version": "<hash of the rest>",
  "forms": [{"id", "title", "revision", "category", "sections": [{"title", "help"?,
  "when"?, "fields": [{"id", "label", "kind", "required", "help"?, "when"?, "from"?,
  "choices"?: [{"value", "label"}], "fields"? (a group's columns), "rows"? (a group's
  fixed rows: [{"row": label} | {"heading": text}])}]}]}], "submission": "<current
  submission folder or null>", "csrf_cookie": "<the CSRF cookie's name>"}`. Choices of
  a field picked from the company's data (people, sites, equipment, hazards, tasks) or the
  library's lists are written out (`forms.phone`). The answer sets the CSRF cookie.
- `POST /forms/submit/`, multipart/form-data, header `X-CSRFToken` (the value of the
  cookie `csrf_cookie` names; it is not called `csrftoken` here, each app has its own):
  part `meta` (a text field, or a file part holding JSON) = `{"id": "<uuid v4 made on
  the phone>", "form": "<form id>", "revision": N, "made": "<ISO 8601>", "answers":
  {"<field id>": value}}`. A signature or photo answer is the name of a file part (a list
  of names for `photos`); a `signatures` answer is `[{"name", "signature": "<part>"}]`; a
  group's answer is a list of rows `{"<column id>": value}`, a fixed row carrying its
  label as `"row"`. The other parts are the files (PNG signatures, JPEG photos, 8 MB at
  most each). Answers: `200 {"id", "status": "received"|"filed", "file": "<pdf name or
  null>"}`, again 200 for an id already received (a retry never makes a duplicate);
  `400 {"error": "<plain words>", "field": "<field id or null>"}` for a form that cannot
  be accepted (unknown form, a required field missing, a HEIC or non-JPEG photo, a file
  too large); 403/404 as `permissions` decides (a request larger than the site's limit is
  refused by `UploadGate` with 413 before it is read).
- `GET /forms/sent/?ids=a,b,c` -> `{"<id>": "received"|"filed"|"failed: <why>"|"unknown"}`.
- `POST /forms/paper/`, multipart `file` (a scan or photo of a completed paper form):
  `200 {"category", "file", "needs_date"}` or `400 {"error"}`. Sent from the submission
  page's "Paper forms" box (with `back`: the page to return to), it answers with that
  page instead.

A form is acknowledged once its journal entry is written (`forms.intake.receive`); filing
it (the PDF, the records rows) is a build on `request.site.jobs`: a thread of `manualgen
serve`, the task queue and workers of the portal. Who may: `Action.FILL_FORMS` (owners,
consultants, members, and a phone opened by the company's crew link in the portal).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from manualgen import api
from manualgen.web.permissions import Action, requires

MAX_IDS = 200
META = "meta"


def _error(message: str, field: str | None = None, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "field": field}, status=status)


def _no_profile() -> JsonResponse:
    return _error("The company's profile is not filled in yet, so it has no forms. Ask the "
                  "owner to fill in the Company pages.", status=409)


@require_GET
@ensure_csrf_cookie
@requires(Action.FILL_FORMS)
def app_json(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    if not ws.has_profile:
        return _no_profile()
    try:
        data = api.forms.app_data(ws, request.site.library, on=request.site.today())
    except api.InputError:
        return _error("The company's profile has mistakes to fix before its forms can be "
                      "filled in. Ask the owner to open the Company pages.", status=409)
    data["csrf_cookie"] = settings.CSRF_COOKIE_NAME
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


def _meta(request: HttpRequest) -> object:
    raw: str | bytes | None = request.POST.get(META)
    if raw is None and META in request.FILES:
        raw = request.FILES[META].read(2 * 1024 * 1024 + 1)
    if raw is None:
        raise api.forms.PhoneFormRefused("The form did not arrive whole. Send it again.")
    if len(raw) > 2 * 1024 * 1024:
        raise api.forms.PhoneFormRefused("The form's answers are too long.")
    try:
        return json.loads(raw)
    except ValueError:
        raise api.forms.PhoneFormRefused("The form did not arrive whole. Send it again.") from None


@require_POST
@requires(Action.FILL_FORMS)
def submit(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    if not ws.has_profile:
        return _no_profile()
    try:
        meta = _meta(request)
        files = {part: upload.read() for part, upload in request.FILES.items()
                 if part != META}
        received = api.forms.receive(ws, request.site.library, meta, files,
                                     now=ws.now())
    except api.forms.PhoneFormRefused as exc:
        return _error(exc.message, exc.field)
    if received.status is not api.forms.FormState.FILED:
        # a first arrival, or a retry of one whose filing was lost: filing is idempotent,
        # and a build of the same id already waiting or running is not started twice
        request.site.jobs.start(request, api.builds.BuildSpec(api.builds.BuildKind.PHONE_FORM,
                                                              received.id), reverse("phone"))
    return JsonResponse({"id": received.id, "status": received.status,
                         "file": received.file.rsplit("/", 1)[-1] if received.file
                         else None})


@require_GET
@requires(Action.FILL_FORMS)
def sent(request: HttpRequest) -> HttpResponse:
    ids = [i.strip() for i in request.GET.get("ids", "").split(",") if i.strip()][:MAX_IDS]
    response = JsonResponse(api.forms.states(request.workspace, ids))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@requires(Action.FILL_FORMS)
def paper(request: HttpRequest) -> HttpResponse:
    """A paper form's scan or photo, filed by its code (see the module docstring)."""
    from manualgen.web.views.submission import _refuse_unsafe_names

    back = request.POST.get("back", "")
    ws = request.workspace

    def answer(status: int, body: dict) -> HttpResponse:
        if back and back in ws.submissions():
            words = body.get("error") or (
                f"Filed {body['file'].rsplit('/', 1)[-1]} in {body['category']}"
                if body.get("category") else f"Filed {body['file']}")
            if not body.get("error") and body.get("needs_date"):
                words += ": give it its date below"
            key = "error" if body.get("error") else "notice"
            return redirect(reverse("submission", args=[back]) + "?" +
                            urlencode({key: words}))
        return JsonResponse(body, status=status)

    _refuse_unsafe_names(request)
    upload = request.FILES.get("file")
    if upload is None:
        return answer(400, {"error": "Choose the scan or photo of the paper form first."})
    limit = request.site.limits.file_bytes
    if upload.size > limit:
        return answer(400, {"error": f"That file is larger than {limit // 1048576} MB. Scan "
                                     "at 200 dpi, or send a photo."})
    if not ws.has_profile:
        return _no_profile()
    name = api.workspace.safe_name(upload.name or "paper form", fallback="paper form")
    try:
        filed = api.forms.file_paper_form(ws, request.site.library, name, upload.read(),
                                          on=request.site.today())
    except api.InputError as exc:
        return answer(400, {"error": "; ".join(p.message + (f" - {p.fix}" if p.fix else "")
                                               for p in exc.problems)})
    except api.ManualgenError as exc:
        return answer(400, {"error": str(exc)})
    return answer(200, {"category": filed.category, "file": filed.file,
                        "needs_date": filed.needs_date})
