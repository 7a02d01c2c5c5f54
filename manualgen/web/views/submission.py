"""The Submission pages: the year's folder, samples per category, records, build.

Every change (an upload, a rename, a table saved) is written into the submission folder
through the workspace and then judged again by `check_submission`, so the checklist on
the page is the one the reviewer will see.
"""

from __future__ import annotations

import io
import json
from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from manualgen import api
from manualgen.web import viewmodels
from manualgen.web.permissions import Action, requires
from manualgen.web.views.common import start_job


def _profile(request: HttpRequest) -> api.CompanyProfile:
    ws = request.workspace
    if not ws.has_profile:
        raise api.UsageError("there is no company profile yet",
                             fix="fill in the Company pages first")
    return api.load_profile(ws.profile_path, request.site.library)


def _open(request: HttpRequest, name: str) -> api.submission.Submission:
    folder = request.workspace.submission(name)
    return api.submission.load(folder, request.site.library, company=_profile(request),
                               on=request.site.today())


@requires(Action.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    suggested = None
    if ws.has_profile:
        check = api.check_profile(ws.profile_path, request.site.library)
        if check.ok:
            suggested = api.submission.folder_name(check.profile, request.site.library,
                                                   on=request.site.today())
    names = ws.submissions()
    if len(names) == 1 and not request.GET.get("all"):
        return redirect("submission", name=names[0])
    return render(request, "web/submissions.html", {
        "names": names, "suggested": suggested if suggested not in names else None,
        "has_profile": ws.has_profile})


@require_POST
@requires(Action.UPLOAD)
def start(request: HttpRequest) -> HttpResponse:
    profile = _profile(request)
    library = request.site.library
    name = api.submission.folder_name(profile, library, on=request.site.today())
    files = api.submission.new_files(library, profile=profile, on=request.site.today())
    request.workspace.new_tree(name, files)
    return redirect("submission", name=name)


@requires(Action.VIEW)
def page(request: HttpRequest, name: str) -> HttpResponse:
    sub = _open(request, name)
    report = api.submission.check(sub, on=request.site.today())
    ws = request.workspace
    tables = api.submission.record_tables(request.site.library)
    record_files = [{"stem": t.stem, "title": t.title,
                     "problems": len(_of_table(report.findings, t))} for t in tables]
    built = ws.output / f"{name}.pdf"
    index_path = ws.output / f"{name}.json"
    info = None
    if index_path.is_file():
        try:
            info = json.loads(index_path.read_text(encoding="utf-8"))
        except ValueError:
            info = None
    placed = {str(s.path) for c in report.categories for s in c.samples}
    placed |= {str(sub.folder / c.category.folder) for c in report.categories
               if c.category.folder}
    other = [p for p in report.findings if p.cell is None and p.path not in placed]
    return render(request, "web/submission.html", {
        "name": name, "sub": sub, "report": report,
        "categories": viewmodels.categories(report, sub), "tables": record_files,
        "other": other, "built": built.is_file(), "pages": info.get("pages") if info else None,
        "running": request.site.jobs.running(
            request, api.builds.BuildSpec(api.builds.BuildKind.SUBMISSION, name).key),
        "limits": request.site.limits, "notice": request.GET.get("notice"),
        "error": request.GET.get("error"),
        "deadline": report.deadline_text(),
    })


def _category_folder(sub: api.submission.Submission, key: str) -> str:
    folders = [c.folder for c in api.submission.categories(sub.library) if c.folder]
    if key not in folders:
        raise api.UsageError(f"there is no category folder {key!r}",
                             fix="choose a category on the submission page")
    return key


def _back(name: str, **params: str) -> HttpResponse:
    from urllib.parse import urlencode

    query = f"?{urlencode(params)}" if params else ""
    return redirect(reverse("submission", args=[name]) + query)


def _refuse_unsafe_names(request: HttpRequest) -> None:
    """Refuse the request when an upload's name, as the browser sent it, leaves its
    folder (`../../company.yaml`); Django itself would keep only its last part."""
    _ = request.FILES                                  # the names are noted while parsing
    for raw in getattr(request, "upload_names", []):
        api.workspace.refuse_unsafe(raw)


@require_POST
@requires(Action.UPLOAD)
def upload(request: HttpRequest, name: str) -> HttpResponse:
    limits = request.site.limits
    _refuse_unsafe_names(request)
    sub = _open(request, name)
    category = _category_folder(sub, request.POST.get("category", ""))
    files = request.FILES.getlist("files") + request.FILES.getlist("camera")
    if not files:
        return _back(name, error="Choose one or more files first.")
    if len(files) > limits.files:
        return _back(name, error=f"At most {limits.files} files at once; nothing was saved.")
    ws = request.workspace
    accepted: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for f in files:
        if f.size > limits.file_bytes:
            problems.append(f"{f.name}: larger than {limits.file_bytes // 1048576} MB")
            continue
        data = f.read()
        clean = api.workspace.safe_name(f.name or "upload", fallback="upload")
        try:
            kind = api.uploads.check(clean, data)
        except api.InputError as exc:
            problems += [f"{f.name}: {p.message}" + (f" - {p.fix}" if p.fix else "")
                         for p in exc.problems]
            continue
        if kind == "image":
            clean = api.uploads.dated_name(clean, api.uploads.photo_date(data))
        accepted.append((clean, data))
    if problems:
        return _back(name, error="Nothing was saved. " + "; ".join(problems))
    saved = []
    for clean, data in accepted:
        target = ws.free_name(f"{name}/{category}", clean)
        ws.write(f"{name}/{category}/{target}", data)
        saved.append(target)
    return _back(name, notice=f"Saved {len(saved)} file(s) in {category}: "
                              + ", ".join(saved))


def _sample_rel(request: HttpRequest, sub: api.submission.Submission, rel: str) -> str:
    api.workspace.refuse_unsafe(rel)
    parts = PurePosixPath(rel).parts
    if len(parts) < 2:
        raise api.UsageError("that is not a sample of this submission", fix="reload the page")
    _category_folder(sub, parts[0])
    return rel


@require_POST
@requires(Action.UPLOAD)
def sample(request: HttpRequest, name: str) -> HttpResponse:
    """Rename, date, rotate or remove one sample."""
    sub = _open(request, name)
    rel = _sample_rel(request, sub, request.POST.get("rel", ""))
    ws = request.workspace
    full = f"{name}/{rel}"
    action = request.POST.get("action", "")
    current = PurePosixPath(rel).name
    if action == "delete":
        ws.remove(full)
        return _back(name, notice=f"Took {current} out of the submission (a copy is kept "
                                  "in the company folder's history).")
    if action == "rotate":
        data = ws.path(full).read_bytes()
        if api.uploads.check(current, data) != "image":
            raise api.UsageError("only photos can be turned")
        ws.write(full, api.uploads.rotate_photo(data, 1))
        return _back(name, notice=f"Turned {current} a quarter turn.")
    if action in ("rename", "date"):
        day = request.POST.get("date", "").strip()
        title = request.POST.get("title", "").strip()
        suffix = PurePosixPath(current).suffix
        if action == "date":
            import datetime as dt

            try:
                when = dt.date.fromisoformat(day)
            except ValueError:
                return _back(name, error=f"{day or 'An empty date'} is not a date: pick the "
                                         "day the record was made.")
            new = api.uploads.dated_name(current, when)
        else:
            if not title:
                return _back(name, error="Give the new name.")
            new = (f"{day} " if day else "") + title
            if not new.lower().endswith(suffix.lower()):
                new += suffix
        new = api.workspace.safe_name(new)
        if PurePosixPath(new).suffix.lower() != suffix.lower():
            return _back(name, error="The file type cannot change with its name.")
        ws.rename(full, new)
        return _back(name, notice=f"Renamed {current} to {new}.")
    raise api.UsageError("unknown action", fix="reload the page")


@requires(Action.VIEW)
def thumbnail(request: HttpRequest, name: str) -> HttpResponse:
    sub = _open(request, name)
    rel = _sample_rel(request, sub, request.GET.get("rel", ""))
    path = request.workspace.path(f"{name}/{rel}")
    if not path.is_file():
        raise Http404(rel)
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            small = ImageOps.exif_transpose(img)
            small.thumbnail((240, 240))
            out = io.BytesIO()
            small.convert("RGB").save(out, format="JPEG", quality=80)
    except (UnidentifiedImageError, OSError):
        raise Http404(rel) from None
    return HttpResponse(out.getvalue(), content_type="image/jpeg")


# --------------------------------------------------------------------------- records

def _rows_from_post(table: api.submission.RecordTable, post) -> list[dict[str, str]]:
    try:
        count = max(0, min(int(post.get("rows", "0")), 2000))
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        if post.get(f"r{i}.delete"):
            continue
        rows.append({c.name: post.get(f"r{i}.{c.name}", "").strip() for c in table.columns})
    return rows


@requires(Action.VIEW, write=Action.EDIT_RECORDS)
def records(request: HttpRequest, name: str, table: str) -> HttpResponse:
    library = request.site.library
    spec = api.submission.record_table(library, table)
    sub = _open(request, name)
    folder = sub.folder
    rows, source = api.submission.read_records(folder, spec)
    ws = request.workspace
    if request.method == "POST":
        action = request.POST.get("action", "save")
        rows = _rows_from_post(spec, request.POST)
        if action == "add":
            rows.append(spec.blank_row())
        elif action == "import":
            upload = request.FILES.get("sheet")
            if upload is None:
                return redirect(reverse("submission-records", args=[name, table]) +
                                "?error=Choose+a+file+to+import.")
            _refuse_unsafe_names(request)
            if upload.size > request.site.limits.file_bytes:
                return redirect(reverse("submission-records", args=[name, table]) +
                                "?error=That+file+is+too+large.")
            sheet = api.workspace.safe_name(upload.name or "sheet.csv")
            rows += api.submission.import_records(spec, sheet, upload.read())
        elif action.startswith("suggest"):
            picked = set(request.POST.getlist("suggestion"))
            for s in api.submission.suggested_activities(sub, rows):
                if action == "suggest-all" or f"{s['date']}|{s['description']}" in picked:
                    rows.append(s)
            rows.sort(key=lambda r: r.get("date", ""))
        if action != "add":
            rel, data = api.submission.records_file(spec, rows, existing=(
                source.read_bytes() if source is not None and source.suffix != ".xlsx"
                else None))
            if source is not None and source.suffix == ".xlsx":
                ws.remove(ws.relative(source))        # kept in the history, now CSV
            ws.write(f"{name}/{rel}", data)
            return redirect(reverse("submission-records", args=[name, table]) + "?saved=1")
    problems = _table_problems(request, name, spec)
    cells: dict[tuple[int, str], list[str]] = {}
    general = []
    for p in problems:
        column = p.cell.column if p.cell is not None else None
        if p.line is not None and p.line >= 2 and column in {c.name for c in spec.columns}:
            cells.setdefault((p.line - 2, column), []).append(
                p.message + (f" - {p.fix}" if p.fix else ""))
        else:
            general.append(p)
    grid = []
    for i, row in enumerate(rows):
        grid.append({"index": i, "cells": [
            {"control": _cell_control(c, row.get(c.name, ""), f"r{i}.{c.name}", i + 1),
             "errors": cells.get((i, c.name), []) if request.method != "POST" else []}
            for c in spec.columns]})
    suggestions = api.submission.suggested_activities(sub,
                                                      rows) if spec.stem == "activity-log" else []
    return render(request, "web/records.html", {
        "name": name, "table": spec, "grid": grid, "rows": len(rows), "general": general,
        "suggestions": suggestions, "saved": request.GET.get("saved"),
        "error": request.GET.get("error"),
        "tables": api.submission.record_tables(library), "source": source,
    })


# The input of one cell by the column's kind. Made here rather than by template tags: a
# year's activity log is hundreds of cells with a list of choices each, too many for the
# template engine (bench/NOTES.md).
_INPUTS = {"date": '<input type="date"{}>', "month": '<input type="month"{} placeholder="YYYY-MM">',
           "number": '<input type="text" inputmode="decimal"{} size="6">'}
_TEXT_INPUT = '<input type="text"{}>'


def _cell_control(column, value: str, name: str, row: int) -> SafeString:
    """The cell's select or input, every value escaped."""
    value = "" if value is None else str(value)
    label = escape(f"{column.label}, row {row}")
    if column.kind in ("choice", "yesno"):
        options = "".join(f'<option value="{escape(v)}"{" selected" if v == value else ""}>'
                          f"{escape(text)}</option>" for v, text in column.choices)
        return mark_safe(f'<select name="{escape(name)}" aria-label="{label}">'
                         f'<option value="">-</option>{options}</select>')
    attrs = f' name="{escape(name)}" value="{escape(value)}" aria-label="{label}"'
    return mark_safe(_INPUTS.get(column.kind, _TEXT_INPUT).format(attrs))


def _table_problems(request: HttpRequest, name: str, spec: api.submission.RecordTable) -> list:
    sub = _open(request, name)
    report = api.submission.check(sub, on=request.site.today())
    return _of_table(report.findings, spec)


def _of_table(problems: list[api.Problem], spec: api.submission.RecordTable) -> list[api.Problem]:
    """The problems in one records table's file (goals.yaml serves two tables)."""
    want = PurePosixPath(spec.file).stem
    return [p for p in problems if p.cell is not None and p.cell.table == want]


# --------------------------------------------------------------------------- build

@require_POST
@requires(Action.BUILD)
def build(request: HttpRequest, name: str) -> HttpResponse:
    _open(request, name)
    spec = api.builds.BuildSpec(api.builds.BuildKind.SUBMISSION, name,
                                skip_unreadable=bool(request.POST.get("skip_unreadable")))
    return start_job(request, spec,
                     reverse("submission", args=[name]) + "?notice=The+PDF+is+ready.")


@requires(Action.VIEW)
def download(request: HttpRequest, name: str, kind: str) -> HttpResponse:
    request.workspace.submission(name)
    if kind not in ("pdf", "json"):
        raise Http404(kind)
    path = request.workspace.output / f"{name}.{kind}"
    if not path.is_file():
        raise Http404(kind)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type="application/pdf" if kind == "pdf" else
                        "application/json")
