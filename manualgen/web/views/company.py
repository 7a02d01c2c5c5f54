"""The Company pages: the profile in sections, a review, saving with history, the logo."""

from __future__ import annotations

import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from PIL import Image

from manualgen import api
from manualgen.errors import Severity
from manualgen.web import profile_form as pf
from manualgen.web.middleware import error_page
from manualgen.web.permissions import Action, requires

PICTURE_TYPES = {"JPEG": (".jpg", "image/jpeg"), "PNG": (".png", "image/png"),
                 "GIF": (".gif", "image/gif"), "BMP": (".bmp", "image/bmp")}


def _picture_type(data: bytes) -> tuple[str, str]:
    """(extension, media type) of a logo that `check_logo` accepted."""
    with Image.open(io.BytesIO(data)) as img:
        return PICTURE_TYPES[img.format or "PNG"]


def _groups(request: HttpRequest) -> dict[str, api.workspace.Group]:
    library = request.site.library
    return {g.key: g for g in api.workspace.questions(library, on=request.site.today())}


def _draft(request: HttpRequest) -> dict:
    ws = request.workspace
    draft = ws.read_draft()
    if draft is None or "data" not in draft:
        draft = pf.start_draft(ws, request.site.library, request.site.today())
    return draft


def _draft_logo(request: HttpRequest, draft: dict) -> bytes | None:
    name = draft.get("logo")
    return request.workspace.read_draft_file(name) if name else None


def _check(request: HttpRequest, draft: dict) -> api.ProfileCheck:
    return api.check_profile(pf.profile_for_check(draft), request.site.library,
                             logo=_draft_logo(request, draft), folder=request.workspace.root)


def _nav(draft: dict, check: api.ProfileCheck, current: str | None) -> list[dict]:
    errors = pf.problems_by_key(check)
    out = []
    for n, key in enumerate(pf.SECTIONS, 1):
        count = sum(1 for p in errors if p.key and p.key[0] == key)
        out.append({"key": key, "title": pf.SECTION_TITLES[key], "number": n,
                    "problems": count if key in draft["visited"] or not draft.get("new")
                    else 0,
                    "visited": key in draft["visited"], "current": key == current})
    return out


@requires(Action.VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    return redirect("company-section", section=pf.SECTIONS[0])


@requires(Action.VIEW, write=Action.EDIT_PROFILE)
def section(request: HttpRequest, section: str) -> HttpResponse:
    if section not in pf.SECTIONS:
        raise Http404(section)
    groups = _groups(request)
    draft = _draft(request)
    library = request.site.library
    notice = None
    if request.method == "POST":
        pf.read_section(section, groups, request.POST, draft)
        upload = request.FILES.get("company.logo")
        if section == "company" and upload is not None:
            notice = _take_logo(request, draft, upload)
        action = request.POST.get("action", "stay")
        if action.startswith(("add:", "remove:", "logo-remove")):
            pf.apply_action(action, draft)
        request.workspace.write_draft(draft)
        if notice is None:
            index = pf.SECTIONS.index(section)
            if action == "next" and index + 1 < len(pf.SECTIONS):
                return redirect("company-section", section=pf.SECTIONS[index + 1])
            if action in ("next", "review"):
                return redirect("company-review")
            anchor = ""
            if action.startswith("add:"):
                anchor = "#end-" + action[4:].replace(".", "-")
            return redirect(reverse("company-section", args=[section]) + anchor)
    check = _check(request, draft)
    trades = (draft["data"].get("company") or {}).get("trades") or []
    shown = pf.build_section(section, groups, draft, pf.problems_by_key(check)
                             if section in draft["visited"] else [],
                             library.hazard_choices(),
                             library.usual_hazards([t for t in trades if isinstance(t, str)]))
    index = pf.SECTIONS.index(section)
    return render(request, "web/company_section.html", {
        "section": shown, "steps": _nav(draft, check, section), "draft": draft,
        "is_last": index + 1 == len(pf.SECTIONS), "number": index + 1,
        "total": len(pf.SECTIONS), "notice": notice,
        "has_logo": bool(draft.get("logo") or (draft["data"].get("company") or {}).get("logo")),
        "saved": request.GET.get("saved"), "changed": request.workspace.read_draft() is not None,
        "courses": [(key, course.title) for key, course in library.rules.courses.items()]
        if section == "people" else [],
    })


def _take_logo(request: HttpRequest, draft: dict, upload) -> str | None:
    """Keep an uploaded logo beside the draft; its problem in words, or None."""
    data = upload.read(request.site.limits.file_bytes + 1)
    name = upload.name or "logo"
    why = api.workspace.check_logo(data, name) if len(data) <= request.site.limits.file_bytes else \
        f"{name!r} is larger than {request.site.limits.file_bytes // 1048576} MB"
    if why:
        return why
    ext, _mime = _picture_type(data)
    draft["logo"] = request.workspace.write_draft_file("logo" + ext, data)
    draft["data"].setdefault("company", {})["logo"] = "logo" + ext
    return None


@requires(Action.VIEW)
def logo(request: HttpRequest) -> HttpResponse:
    """The logo being edited (or saved), as a picture for the preview."""
    draft = request.workspace.read_draft() or {}
    data = _draft_logo(request, draft) if draft else None
    if data is None and request.workspace.has_profile:
        check = api.check_profile(request.workspace.profile_path, request.site.library)
        if check.profile is not None and check.profile.logo is not None:
            data = check.profile.logo.data
    if data is None or api.workspace.check_logo(data, "logo"):
        raise Http404("logo")
    return HttpResponse(data, content_type=_picture_type(data)[1])


@requires(Action.VIEW)
def review(request: HttpRequest) -> HttpResponse:
    groups = _groups(request)
    draft = _draft(request)
    draft["visited"] = list(pf.SECTIONS)
    check = _check(request, draft)
    library = request.site.library
    hazards = library.hazard_choices()
    errors = pf.problems_by_key(check)
    sections = []
    for key in pf.SECTIONS:
        sections.append({
            "key": key, "title": pf.SECTION_TITLES[key],
            "rows": pf.review_rows(key, groups, pf.profile_for_check(draft), hazards),
            "problems": [p for p in errors if p.key and p.key[0] == key],
        })
    other = [p for p in errors if not p.key or p.key[0] not in pf.SECTIONS]
    warnings = [p for p in check.problems if p.severity is not Severity.ERROR]
    return render(request, "web/company_review.html", {
        "sections": sections, "other": other, "ok": check.ok, "warnings": warnings,
        "policies": check.policies, "steps": _nav(draft, check, None), "draft": draft,
        "changed": request.workspace.read_draft() is not None,
    })


@require_POST
@requires(Action.EDIT_PROFILE)
def save(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    check = _check(request, draft)
    if not check.ok:
        return redirect("company-review")
    logo_data = _draft_logo(request, draft)
    logo = api.Logo(check.profile.profile.company.logo or "logo", logo_data) \
        if logo_data is not None else None
    api.workspace.save_profile(request.workspace, check.profile, request.site.library,
                               on=request.site.today(), logo=logo)
    request.workspace.drop_draft()
    return redirect(reverse("company-review") + "?saved=1")


@require_POST
@requires(Action.EDIT_PROFILE)
def discard(request: HttpRequest) -> HttpResponse:
    request.workspace.drop_draft()
    return redirect("company-review")


@requires(Action.VIEW, write=Action.EDIT_PROFILE)
def history(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    if request.method == "POST":
        version_id = request.POST.get("version", "")
        ws.restore(version_id)
        ws.drop_draft()
        return redirect(reverse("company-history") + "?restored=1")
    return render(request, "web/company_history.html", {
        "versions": ws.history(), "restored": request.GET.get("restored")})


@requires(Action.VIEW)
def version(request: HttpRequest, version: str) -> HttpResponse:
    try:
        data = request.workspace.version(version)
    except api.ManualgenError:
        return error_page(request, "There is no such saved version",
                          "It may have been removed.", status=404)
    return render(request, "web/company_version.html", {
        "version": version, "text": data.decode("utf-8", errors="replace")})
