"""NSNY's library in the browser: browse it, draft a change, have it reviewed, publish.

The library's files live in DATA/library/, a git repository the CLI reads like any
library (`manualgen library check --library DATA/library`). Nothing here writes them
but publishing: a change is a `LibraryDraft` row (a policy's whole new text, or a form's
new Word template in DATA/library-drafts/) checked by the library's own checks on every
save; another NSNY person approves or returns it; an admin publishes the approved drafts
as the next version (a commit and a tag). Companies learn what a version changes in their
manual from `api.manual.library_news` on their overview.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from markdown_it import MarkdownIt

from manualgen import api
from manualgen.portal import audit
from manualgen.portal import models as m
from manualgen.portal.site import LIBRARY_DRAFTS
from manualgen.web.permissions import Action, can, refuse, requires

SECTIONS = ("Purpose", "Scope", "Responsibilities", "Procedure", "Records")
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def _library(request: HttpRequest) -> api.Library:
    return request.site.library


def _home(request: HttpRequest) -> Path:
    """The library's git repository: DATA/library (made by `portal init`)."""
    home = request.site.library_home
    if home is None:
        raise api.UsageError("this portal has no library repository of its own yet",
                             fix="run `manualgen portal init DATA` again: it makes "
                                 "DATA/library from the library that came with manualgen")
    return home


def _relpath(request: HttpRequest, path: Path) -> str:
    return str(Path(path).resolve().relative_to(_home(request).resolve()))


def _due(policy: api.library.Policy, lib: api.Library) -> dt.date:
    return api.library.review_due(lib, policy)


@dataclass(frozen=True)
class PolicyRow:
    policy: api.library.Policy
    due: dt.date
    owner: m.User | None
    draft: m.LibraryDraft | None

    def overdue(self, today: dt.date) -> bool:
        return self.due < today


def policy_rows(request: HttpRequest) -> list[PolicyRow]:
    lib = _library(request)
    owners = {o.policy: o.owner for o in m.PolicyOwner.objects.select_related("owner")}
    drafts = {d.target: d for d in m.LibraryDraft.objects.filter(
        kind=m.POLICY, state__in=m.OPEN_DRAFT_STATES)}
    return [PolicyRow(p, _due(p, lib), owners.get(p.id), drafts.get(p.id))
            for p in sorted(lib.policies, key=lambda p: (p.header.element, p.header.order,
                                                          p.title))]


def overdue_policies(request: HttpRequest) -> list[PolicyRow]:
    """Policies past their review date (the dashboard lists them)."""
    today = request.site.today()
    return [r for r in policy_rows(request) if r.overdue(today)]


@requires(Action.NSNY_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    lib = _library(request)
    drafts = m.LibraryDraft.objects.filter(state__in=m.OPEN_DRAFT_STATES) \
        .select_related("author", "reviewer")
    form_drafts = {d.target: d for d in drafts if d.kind == m.FORM}
    return render(request, "portal/library.html", {
        "lib": lib, "rows": policy_rows(request), "today": request.site.today(),
        "forms": [(f, form_drafts.get(f.id)) for f in lib.forms],
        "to_review": [d for d in drafts if d.state == m.LIB_REVIEW],
        "mine": [d for d in drafts if d.author_id == request.user.pk and
                 d.state in (m.EDITING, m.LIB_RETURNED)],
        "approved": [d for d in drafts if d.state == m.LIB_APPROVED],
        "versions": m.LibraryVersion.objects.select_related("published_by")[:10],
        "home": request.site.library_home, "notice": request.GET.get("notice"),
    })


@requires(Action.NSNY_VIEW)
def rules(request: HttpRequest) -> HttpResponse:
    """The program rules and the library's other data files, to read."""
    lib = _library(request)
    files = []
    for name in ("program.yaml", "elements.yaml", "hazards.yaml", "facilities.yaml",
                 "first_aid.yaml", "library.yaml"):
        path = lib.root / name
        if path.is_file():
            files.append((name, path.read_text(encoding="utf-8")))
    return render(request, "portal/library_rules.html", {"files": files, "lib": lib})


# --------------------------------------------------------------------------- one policy


def _open_draft(kind: str, target: str) -> m.LibraryDraft | None:
    return m.LibraryDraft.objects.filter(kind=kind, target=target,
                                         state__in=m.OPEN_DRAFT_STATES).first()


def _published(request: HttpRequest, policy_id: str) -> tuple[api.library.Policy, str]:
    policy = _library(request).policy(policy_id)
    if policy is None:
        raise Http404(policy_id)
    return policy, policy.path.read_text(encoding="utf-8")


def _fields(request: HttpRequest) -> api.library.HeaderFields:
    post = request.POST

    def maybe_bool(name: str) -> bool | None:
        value = post.get(name, "")
        return None if value == "" else value == "yes"

    employees = post.get("min_employees", "").strip()
    return api.library.HeaderFields(
        title=post.get("title", "").strip(),
        hazards=tuple(post.getlist("hazards")) if post.get("applies") == "some" else (),
        min_employees=int(employees) if employees.isdigit() and
        post.get("applies") == "some" else None,
        subcontractors=maybe_bool("subcontractors") if post.get("applies") == "some"
        else None,
        safety_rep=maybe_bool("safety_rep") if post.get("applies") == "some" else None,
        forms=tuple(post.getlist("forms")),
        legislation=post.get("legislation", ""))


def _company_choices() -> list[m.Company]:
    return list(m.Company.objects.order_by("name"))


def _preview(request: HttpRequest, source: api.library.PolicySource, folder: str
             ) -> tuple[str | None, str | None, m.Company | None]:
    """The draft as it reads in the chosen company's manual (HTML), or why not."""
    company = m.Company.objects.filter(folder=folder).first() if folder else None
    if company is None:
        return None, None, None
    ws = api.workspace.open_folder(request.site.company_folder(company.folder))
    if not ws.has_profile:
        return None, f"{company.name} has no company profile yet.", company
    try:
        text = api.library.preview_policy(source, ws.profile_path, _library(request))
    except api.InputError as exc:
        return None, str(exc), company
    return _MD.render(text), None, company


@requires(Action.NSNY_VIEW)
def policy(request: HttpRequest, policy_id: str) -> HttpResponse:
    published_policy, published = _published(request, policy_id)
    draft = _open_draft(m.POLICY, policy_id)
    lib = _library(request)
    path = _relpath(request, published_policy.path)
    text = draft.text if draft else published
    note = draft.note if draft else ""
    if request.method == "POST":
        if not can(request, Action.EDIT_LIBRARY):
            return refuse(request, Action.EDIT_LIBRARY)
        if draft is not None and draft.state not in (m.EDITING, m.LIB_RETURNED):
            messages.error(request, "This draft is with its reviewer: it cannot change "
                                    "until it is returned or withdrawn.")
            return redirect("nsny-library-policy", policy_id)
        base = api.library.PolicySource.parse(text, path)
        source = base.with_header(_fields(request)).with_sections(
            {name: request.POST.get(f"section-{name}", "") for name in base.section_names()
             if f"section-{name}" in request.POST},
            request.POST.get("preamble") if "preamble" in request.POST else None)
        text = source.text()
        note = request.POST.get("note", "").strip()
        findings = api.library.check_draft(source, lib, on=request.site.today())
        errors = sum(1 for f in findings if f.error)
        if text == published and draft is None:
            messages.info(request, "Nothing changed: no draft was made.")
        else:
            draft = _save_draft(request, draft, m.POLICY, policy_id, source.title, path,
                                text=text, note=note, errors=errors)
            if request.POST.get("do") == "send":
                return _send(request, draft, findings)
            messages.success(request, "Draft saved." if not errors else
                             f"Draft saved, with {errors} problem{'s' * (errors != 1)} to "
                             f"fix before it can be reviewed.")
        folder = request.POST.get("company", "")
        return redirect(reverse("nsny-library-policy", args=[policy_id]) +
                        (f"?company={folder}" if folder else ""))
    source = api.library.PolicySource.parse(text, path)
    findings = api.library.check_draft(source, lib, on=request.site.today())
    stale = bool(draft and request.site.library_home and
                 stale_drafts(request.site.library_home, [draft]))
    folder = request.GET.get("company", "")
    preview, preview_error, company = _preview(request, source, folder)
    by_part: dict[str, list] = {}
    for f in findings:
        by_part.setdefault(f.part, []).append(f)
    fields = source.header_fields()
    sections = [(name, source.section(name).shown if source.section(name) else "",
                 by_part.get(name, [])) for name in source.section_names()]
    return render(request, "portal/library_policy.html", {
        "policy": published_policy, "draft": draft, "source": source, "fields": fields,
        "stale": stale,
        "sections": sections, "preamble": source.preamble.strip("\n"),
        "header_findings": by_part.get("header", []) + by_part.get("preamble", []),
        "findings": findings, "errors": sum(1 for f in findings if f.error),
        "hazards": [(h.key, h.label, h.key in fields.hazards) for h in lib.hazards],
        "forms": [(f.id, f.title, f.id in fields.forms) for f in lib.forms],
        "trades": [t.label for t in lib.trades
                   if set(t.hazards) & set(fields.hazards)] if fields.hazards else [],
        "note": note, "companies": _company_choices(), "company": company,
        "preview": preview, "preview_error": preview_error,
        "editable": can(request, Action.EDIT_LIBRARY) and
        (draft is None or draft.state in (m.EDITING, m.LIB_RETURNED)),
        "owner": m.PolicyOwner.objects.filter(policy=policy_id).select_related("owner")
        .first(), "due": _due(published_policy, lib), "path": path,
        "staff": m.User.objects.exclude(nsny_role="").order_by("name", "email"),
    })


def _save_draft(request: HttpRequest, draft: m.LibraryDraft | None, kind: str,
                target: str, title: str, path: str, *, text: str = "", upload: str = "",
                note: str, errors: int) -> m.LibraryDraft:
    now = timezone.now()
    if draft is None:
        try:
            with transaction.atomic():
                draft = m.LibraryDraft.objects.create(
                    kind=kind, target=target, title=title, path=path, text=text,
                    upload=upload, note=note, errors=errors, author=request.user,
                    base=_library(request).info.version, created=now, updated=now)
        except IntegrityError:          # someone else started a draft of it just now
            raise api.UsageError(f"{title} already has a draft by someone else",
                                 fix="reload the page and continue that draft") from None
        audit.record(request, audit.What.LIBRARY_DRAFTED, target=title)
        return draft
    draft.text, draft.note, draft.errors, draft.title = text or draft.text, note, errors, title
    if upload:
        draft.upload = upload
    draft.updated = now
    if draft.state == m.LIB_RETURNED:
        draft.state = m.EDITING
    draft.save()
    return draft


def _send(request: HttpRequest, draft: m.LibraryDraft, findings: list) -> HttpResponse:
    if draft.errors:
        messages.error(request, "Fix the problems shown beside the text first: a draft "
                                "with problems cannot be reviewed or published.")
    elif not draft.note:
        messages.error(request, "Say what changed and why in the change note: the reviewer "
                                "and the companies read it.")
    else:
        draft.state = m.LIB_REVIEW
        draft.updated = timezone.now()
        draft.save(update_fields=["state", "updated"])
        audit.record(request, audit.What.LIBRARY_SENT, target=draft.title, note=draft.note)
        messages.success(request, f"{draft.title} is waiting for another NSNY person's "
                                  f"review.")
        return redirect("nsny-library-draft", draft.pk)
    return redirect(_draft_page(draft))


def _draft_page(draft: m.LibraryDraft) -> str:
    if draft.kind == m.POLICY:
        return reverse("nsny-library-policy", args=[draft.target])
    return reverse("nsny-library-form", args=[draft.target])


@require_POST
@requires(Action.EDIT_LIBRARY)
def owner(request: HttpRequest, policy_id: str) -> HttpResponse:
    """Who keeps a policy: any NSNY person."""
    _published(request, policy_id)
    person = m.User.objects.exclude(nsny_role="").filter(
        pk=request.POST.get("owner") or 0).first()
    if person is None:
        m.PolicyOwner.objects.filter(policy=policy_id).delete()
    else:
        m.PolicyOwner.objects.update_or_create(policy=policy_id,
                                               defaults={"owner": person})
    audit.record(request, audit.What.LIBRARY_OWNER, target=policy_id,
                 note=str(person) if person else "nobody")
    return redirect("nsny-library-policy", policy_id)


# --------------------------------------------------------------------------- a form


@requires(Action.NSNY_VIEW)
def form(request: HttpRequest, form_id: str) -> HttpResponse:
    lib = _library(request)
    info = lib.form(form_id)
    if info is None:
        raise Http404(form_id)
    draft = _open_draft(m.FORM, form_id)
    problems: list[api.Problem] = []
    if request.method == "POST":
        if not can(request, Action.EDIT_LIBRARY):
            return refuse(request, Action.EDIT_LIBRARY)
        if draft is not None and draft.state not in (m.EDITING, m.LIB_RETURNED):
            messages.error(request, "This draft is with its reviewer.")
            return redirect("nsny-library-form", form_id)
        upload = request.FILES.get("template")
        note = request.POST.get("note", "").strip()
        if upload is None and draft is None:
            messages.error(request, "Choose the new Word file (.docx) of the form.")
            return redirect("nsny-library-form", form_id)
        name = draft.upload if draft and upload is None else ""
        layout = _layout_name(info)
        if upload is not None:
            data = b"".join(upload.chunks())
            problems = api.library.check_form_template(data, layout)
            folder = request.site.root / LIBRARY_DRAFTS
            name = f"{uuid.uuid4().hex}.docx"
            api.save(folder / name, data)
        else:
            problems = api.library.check_form_template((request.site.root / LIBRARY_DRAFTS / name)
                                                       .read_bytes(), layout)
        errors = sum(1 for p in problems if p.severity is api.Severity.ERROR)
        path = _relpath(request, lib.forms_dir / layout)
        draft = _save_draft(request, draft, m.FORM, form_id, info.title, path,
                            upload=name, note=note, errors=errors)
        if request.POST.get("do") == "send":
            return _send(request, draft, problems)
        if not problems:
            messages.success(request, "The new template is saved as a draft: it opens, "
                                      "its fields exist and it is valid Word.")
        return render(request, "portal/library_form.html", {
            "info": info, "draft": draft, "problems": problems, "editable": True})
    if draft is not None and draft.upload:
        path = request.site.root / LIBRARY_DRAFTS / draft.upload
        if path.is_file():
            problems = api.library.check_form_template(path.read_bytes(), _layout_name(info))
    return render(request, "portal/library_form.html", {
        "info": info, "draft": draft, "problems": problems,
        "editable": can(request, Action.EDIT_LIBRARY) and
        (draft is None or draft.state in (m.EDITING, m.LIB_RETURNED))})


def _layout_name(info) -> str:
    """The form's Word layout: its own, or the one an upload gives a form that is made
    from its definition (forms.yaml names it when the draft is published)."""
    return info.template or f"{info.id}.docx"


def _name_layouts(home: Path, lib: api.Library, drafts: list[m.LibraryDraft],
                  changes: dict[str, bytes]) -> None:
    """A published Word layout of a form made from its definition: forms.yaml gains the
    form's `template:` line, so that its blank form is filled from the layout from now on."""
    index = Path(_relpath_home(home, lib.forms_dir / "forms.yaml"))
    text: str | None = None
    for d in drafts:
        info = lib.form(d.target) if d.kind == m.FORM else None
        if info is None or info.template is not None:
            continue
        if text is None:
            text = (home / index).read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        at = next((i for i, line in enumerate(lines)
                   if line.strip() in (f"- id: {info.id}", f"- id: '{info.id}'",
                                       f'- id: "{info.id}"')), None)
        if at is None:
            raise api.UsageError(f"the form {info.id!r} is not found in {index}",
                                 fix=f"add template: {_layout_name(info)} to its entry")
        lines.insert(at + 1, f"  template: {_layout_name(info)}\n")
        text = "".join(lines)
    if text is not None:
        changes[str(index)] = text.encode("utf-8")


def _relpath_home(home: Path, path: Path) -> str:
    return str(Path(path).resolve().relative_to(home.resolve()))


# --------------------------------------------------------------------------- review


def _draft_text_diff(request: HttpRequest, draft: m.LibraryDraft) -> list:
    if draft.kind != m.POLICY:
        return []
    policy = _library(request).policy(draft.target)
    old = policy.path.read_text(encoding="utf-8") if policy else ""
    return api.library.redline(old, draft.text)


@requires(Action.NSNY_VIEW)
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.LibraryDraft.objects.select_related("author", "reviewer"),
                              pk=pk)
    findings = []
    if found.kind == m.POLICY and found.open:
        source = api.library.PolicySource.parse(found.text, found.path)
        findings = api.library.check_draft(source, _library(request), on=request.site.today())
    return render(request, "portal/library_draft.html", {
        "draft": found, "lines": _draft_text_diff(request, found), "findings": findings,
        "mine": found.author_id == request.user.pk,
        "may_review": can(request, Action.REVIEW_LIBRARY) and
        found.author_id != request.user.pk and found.state == m.LIB_REVIEW,
    })


@require_POST
@requires(Action.REVIEW_LIBRARY)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(m.LibraryDraft, pk=pk)
    what = request.POST.get("do")
    note = request.POST.get("review_note", "").strip()
    if what == "withdraw":
        if found.author_id != request.user.pk or not found.open:
            raise api.UsageError("only its author can withdraw an open draft")
        found.state = m.WITHDRAWN
        found.save(update_fields=["state"])
        audit.record(request, audit.What.LIBRARY_WITHDRAWN, target=found.title)
        return redirect("nsny-library")
    if found.author_id == request.user.pk:
        raise api.UsageError("you wrote this draft, so another NSNY person reviews it",
                             fix="ask a colleague to open it from the Library page")
    if found.state != m.LIB_REVIEW:
        raise api.UsageError(f"this draft is {found.get_state_display().lower()}, not "
                             "waiting for review")
    if what == "approve":
        if found.errors:
            raise api.UsageError("this draft has problems the library's checks found",
                                 fix="return it to its author to fix them")
        found.state = m.LIB_APPROVED
        event = audit.What.LIBRARY_APPROVED
    elif what == "return":
        if not note:
            messages.error(request, "Say what to change: the author reads it.")
            return redirect("nsny-library-draft", pk)
        found.state = m.LIB_RETURNED
        event = audit.What.LIBRARY_RETURNED
    else:
        raise api.UsageError(f"unknown decision {what!r}")
    found.reviewer, found.reviewed, found.review_note = request.user, timezone.now(), note
    found.save(update_fields=["state", "reviewer", "reviewed", "review_note"])
    audit.record(request, event, target=found.title, note=note)
    return redirect("nsny-library-draft", pk)


# --------------------------------------------------------------------------- publish


@require_POST
@requires(Action.PUBLISH_LIBRARY)
def publish(request: HttpRequest) -> HttpResponse:
    drafts = list(m.LibraryDraft.objects.filter(state=m.LIB_APPROVED).order_by("pk"))
    if not drafts:
        raise api.UsageError("no approved drafts to publish",
                             fix="a draft is published once another NSNY person approved it")
    home = _home(request)
    stale = stale_drafts(home, drafts)
    if stale:
        return render(request, "portal/library_refused.html", {"drafts": drafts, "problems": [
            f"{d.title}: the library's text changed since this draft was started on "
            f"version {d.base}. Return it to its author to make the change again on the "
            f"current text." for d in stale]}, status=400)
    changes: dict[str, bytes] = {}
    for d in drafts:
        if d.kind == m.POLICY:
            changes[d.path] = d.text.encode("utf-8")
        else:
            changes[d.path] = (request.site.root / LIBRARY_DRAFTS / d.upload).read_bytes()
    _name_layouts(home, _library(request), drafts, changes)
    notes = [f"{d.title}: {d.note}" for d in drafts]
    extra = request.POST.get("notes", "").strip()
    if extra:
        notes.append(extra)
    user = request.user
    try:
        tag = api.library.publish(home, changes, notes, author=user.name or user.email,
                                  email=user.email, on=request.site.today())
    except api.InputError as exc:
        return render(request, "portal/library_refused.html",
                      {"problems": exc.problems, "drafts": drafts}, status=400)
    with transaction.atomic():
        m.LibraryVersion.objects.create(version=tag.tag, commit=tag.commit,
                                        notes="\n".join(notes), published_by=user)
        m.LibraryDraft.objects.filter(pk__in=[d.pk for d in drafts]).update(
            state=m.PUBLISHED, version=tag.tag)
    audit.record(request, audit.What.LIBRARY_PUBLISHED, target=tag.tag,
                 note="; ".join(d.title for d in drafts))
    request.site.reload_library()
    return redirect(reverse("nsny-library") + "?notice=" +
                    f"Library {tag.tag} is published. Every company whose manual it "
                    f"changes sees the change on its overview.")


def stale_drafts(home: Path, drafts: list[m.LibraryDraft]) -> list[m.LibraryDraft]:
    """Drafts whose file the library changed after they were started (a version
    published since, or pulled from NSNY's repository): publishing them would undo
    that change."""
    repo = api.library.LibraryRepo(home)
    out = []
    for d in drafts:
        try:
            moved = d.path in repo.changed_files(d.base)
        except api.ToolError:                 # no tag of that version: cannot tell
            moved = False
        if moved:
            out.append(d)
    return out


def versions_in_use(site, companies: list[m.Company]) -> list[tuple[str, int]]:
    """How many companies' manuals are on each library version (from each one's last
    recorded revision); "not built yet" for those without one."""
    counts: dict[str, int] = {}
    for c in companies:
        version = api.manual.library_version(site.company_folder(c.folder)) or \
            "no manual yet"
        counts[version] = counts.get(version, 0) + 1
    return sorted(counts.items(), key=lambda kv: kv[0], reverse=True)

