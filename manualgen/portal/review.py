"""The review workflow: Draft -> Submitted -> In review -> Returned -> Resubmitted ->
In review -> Approved, every move a `Transition` row (who, when).

Sending (a submission or a resubmission) freezes a copy of exactly what was sent under
DATA/frozen/<company>/<review>/<round>/, written into a scratch folder first and moved
into place whole; the employer's later edits never touch it. Approving an annual
submission makes its Letter of Good Standing, numbered LGS-<year>-<nnnn> and dated.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from pathlib import Path, PurePosixPath

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from manualgen import api
from manualgen.portal import audit
from manualgen.portal import models as m
from manualgen.portal.site import PortalSite

MOVES = {
    "submit": ((m.DRAFT,), m.SUBMITTED),
    "resubmit": ((m.RETURNED,), m.RESUBMITTED),
    "start": ((m.SUBMITTED, m.RESUBMITTED), m.IN_REVIEW),
    "return": ((m.IN_REVIEW,), m.RETURNED),
    "approve": ((m.IN_REVIEW,), m.APPROVED),
}
OPEN_STATES = (m.DRAFT, m.SUBMITTED, m.IN_REVIEW, m.RETURNED, m.RESUBMITTED)
WITH_NSNY = (m.SUBMITTED, m.IN_REVIEW, m.RESUBMITTED)
MANUAL_FILES = ("manual.docx", "manual.pdf", "manual.json")
SUBMISSION_DIR = "submission"


class NotNow(api.UsageError):
    """A move the review's state does not allow (a double click, an old page)."""


def move(review: m.Review, action: str, user: m.User, note: str = "") -> m.Transition:
    sources, target = MOVES[action]
    if review.state not in sources:
        raise NotNow(f"this {review.get_kind_display().lower()} is "
                     f"{review.get_state_display().lower()}: it cannot be "
                     f"{dict(m.STATES)[target].lower()} now", fix="reload the page")
    step = m.Transition.objects.create(company=review.company, review=review,
                                       source=review.state, target=target, by=user, note=note)
    review.state = target
    review.updated = timezone.now()
    if action == "start":
        review.reviewer = user
    review.save(update_fields=["state", "updated", "reviewer"])
    return step


# --------------------------------------------------------------------------- sending


def _newer_than(folder: Path, stamp: float) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and p.stat().st_mtime > stamp + 1e-3)


def _profile_files(ws: api.workspace.Workspace, library: api.Library) -> list[tuple[str, Path]]:
    """company.yaml and the logo it names: the company's side of a frozen round (read
    through the API: a profile with problems is not sent)."""
    profile = api.load_profile(ws.profile_path, library)
    files = [("company.yaml", ws.profile_path)]
    logo = profile.profile.company.logo
    if logo:
        path = ws.path(str(logo))
        if path.is_file():
            files.append((ws.relative(path), path))
    return files


SENT_EXTRA = (".csv", ".xlsx", ".yaml", ".yml")   # records and the submission's own file


def sent_file(rel: str) -> bool:
    """Whether a submission folder's file goes to NSNY: a sample (PDF, Word, picture), a
    records table or submission.yaml; never a hidden file (a write a crash cut short,
    the app's own state) nor anything else left in the folder."""
    parts = PurePosixPath(rel).parts
    if any(part.startswith(".") for part in parts):
        return False
    return api.uploads.sample_kind(rel) is not None or rel.lower().endswith(SENT_EXTRA)


def _manual_files(ws: api.workspace.Workspace, library: api.Library) -> list[tuple[str, Path]]:
    missing = [n for n in ("manual.docx", "manual.json") if not (ws.output / n).is_file()]
    if missing or not ws.has_profile:
        raise api.UsageError("the manual has not been built yet",
                             fix="build it on the Manual and forms page, then send it")
    built = (ws.output / "manual.docx").stat().st_mtime
    if ws.profile_path.stat().st_mtime > built + 1e-3:
        raise api.UsageError("the company profile changed after the manual was built",
                             fix="build the manual again, so NSNY sees what the profile says")
    files = [(n, ws.output / n) for n in MANUAL_FILES if (ws.output / n).is_file()]
    return files + _profile_files(ws, library)


def _annual_files(ws: api.workspace.Workspace, library: api.Library,
                  name: str) -> list[tuple[str, Path]]:
    folder = ws.submission(name)
    pdf, index = ws.output / f"{name}.pdf", ws.output / f"{name}.json"
    if not pdf.is_file() or not index.is_file():
        raise api.UsageError(f"the {name} PDF has not been built yet",
                             fix="build it on the Submission page, then send it")
    changed = _newer_than(folder, pdf.stat().st_mtime)
    if changed or ws.profile_path.stat().st_mtime > pdf.stat().st_mtime + 1e-3:
        raise api.UsageError("files changed after the submission PDF was built "
                             f"({', '.join(changed[:3]) or 'company.yaml'})",
                             fix="build the PDF again, so NSNY sees what the folder holds")
    files = [(f"{name}.pdf", pdf), (f"{name}.json", index), *_profile_files(ws, library)]
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not path.is_symlink() and sent_file(rel):
            files.append((f"{SUBMISSION_DIR}/{rel}", path))
    return files


def _freeze(site: PortalSite, review: m.Review, number: int,
            files: list[tuple[str, Path]]) -> tuple[str, list[dict]]:
    """Copy `files` into the round's frozen folder, whole or not at all."""
    base = site.frozen_folder(review.company.folder) / str(review.pk)
    base.mkdir(parents=True, exist_ok=True)
    final = base / str(number)
    scratch = Path(tempfile.mkdtemp(prefix=f".round-{number}-", dir=base))
    listed = []
    try:
        for rel, source in files:
            api.workspace.refuse_unsafe(rel)
            target = scratch / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            listed.append({"name": rel, "size": target.stat().st_size})
        with open(scratch / ".complete", "w", encoding="utf-8") as fh:
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        if final.exists():                       # a round left by a crash before its row
            shutil.rmtree(final)
        os.replace(scratch, final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return final.relative_to(site.root / "frozen").as_posix(), listed


def open_review(company: m.Company, kind: str, name: str = "") -> m.Review | None:
    return m.Review.objects.filter(kind=kind, name=name, state__in=OPEN_STATES) \
        .order_by("-created").first()


def latest_review(kind: str, name: str = "") -> m.Review | None:
    return m.Review.objects.filter(kind=kind, name=name).order_by("-created").first()


def send(site: PortalSite, ws: api.workspace.Workspace, company: m.Company, user: m.User, kind: str,
         name: str = "") -> m.Review:
    """Submit (or resubmit) the manual or the annual submission `name`."""
    if kind == m.MANUAL:
        files, title = _manual_files(ws, site.library), "Health and safety manual"
        name = ""
    elif kind == m.ANNUAL:
        files = _annual_files(ws, site.library, name)
        title = f"{name.split('-')[0]} Annual Documentation Review Submission"
    else:
        raise api.UsageError(f"{kind!r} cannot be sent to NSNY")
    with transaction.atomic():
        if kind == m.ANNUAL and m.Review.objects.filter(kind=kind, name=name,
                                                         state=m.APPROVED).exists():
            raise NotNow(f"the {title} was approved already", fix="nothing more to send")
        review = open_review(company, kind, name)
        if review is not None and review.state in WITH_NSNY:
            raise NotNow(f"the {title} is with NSNY already ({review.get_state_display()})",
                         fix="wait for the reviewer's answer")
        if review is None:
            review = m.Review.objects.create(company=company, kind=kind, name=name,
                                             title=title)
        action = "resubmit" if review.state == m.RETURNED else "submit"
        number = review.rounds.count() + 1
        folder, listed = _freeze(site, review, number, files)
        policies = []
        if kind == m.MANUAL:
            record = api.builds.read_manual_record(ws)
            policies = list(record.policies) if record else []
        m.Round.objects.create(company=company, review=review, number=number, sent_by=user,
                               folder=folder, files=listed, policies=policies)
        move(review, action, user, note=f"round {number}: {len(listed)} files")
    return review


# --------------------------------------------------------------------------- reviewing


def comment(review: m.Review, user: m.User, *, target_kind: str, target: str, kind: str,
            text: str) -> m.Comment:
    if review.state != m.IN_REVIEW:
        raise NotNow("comments are added while the review is in progress",
                     fix="start the review first")
    text = text.strip()
    if not text:
        raise api.UsageError("the comment is empty", fix="write what the employer should do")
    if target_kind not in dict(m.TARGETS) or kind not in (m.ACTIONABLE, m.INFORMATIONAL):
        raise api.UsageError("choose what the comment is about", fix="reload the page")
    current = review.rounds.order_by("-number").first()
    return m.Comment.objects.create(company=review.company, review=review, round=current,
                                    target_kind=target_kind, target=target.strip()[:255],
                                    kind=kind, text=text, by=user)


def give_back(review: m.Review, user: m.User) -> m.Transition:
    current = review.rounds.order_by("-number").first()
    if not review.comments.filter(round=current, kind=m.ACTIONABLE).exists():
        raise api.UsageError("a returned submission needs at least one actionable comment",
                             fix="say what the employer must change, then return it")
    return move(review, "return", user)


def mark_done(item: m.Comment, user: m.User) -> None:
    if item.kind != m.ACTIONABLE or item.done is not None:
        return
    item.done, item.done_by = timezone.now(), user
    item.save(update_fields=["done", "done_by"])


def signs_letters(user: m.User) -> bool:
    """Whether `user` has the name a Letter of Good Standing is signed with."""
    return bool(user.name.strip())


def approve(site: PortalSite, review: m.Review, user: m.User,
            on: dt.date | None = None) -> m.Letter | None:
    if review.kind == m.ANNUAL and not signs_letters(user):
        raise api.UsageError("the Letter of Good Standing is signed with the reviewer's "
                             "name, and yours is not on your profile yet",
                             fix="add your name and title under My profile, then approve "
                                 "again")
    with transaction.atomic():
        # the review's row locked: two reviewers approving at once, one wins, the other
        # is told it is approved already (and no second letter is numbered)
        locked = m.Review.objects.select_for_update().get(pk=review.pk)
        review.state = locked.state
        move(review, "approve", user)
        if review.kind != m.ANNUAL:
            return None
        return _letter(site, review, user, on or site.today())


def _letter_values(site: PortalSite, review: m.Review, user: m.User, number: str,
                   on: dt.date) -> api.letters.LetterValues:
    current = review.rounds.order_by("-number").first()
    frozen = site.root / "frozen" / current.folder
    profile = api.load_profile(frozen / "company.yaml", site.library)
    sub = api.submission.load(frozen / SUBMISSION_DIR, site.library, company=profile, on=on)
    status = api.status.report(profile, site.library, on=on)
    company = profile.profile.company
    secor = profile.profile.secor
    nxt = status.position.next_item.date if status.position else None
    if nxt is not None and nxt <= sub.anniversary:
        later = [i.date for i in status.items if i.date > sub.anniversary]
        nxt = min(later) if later else None
    return api.letters.LetterValues(
        number=number, date=on,
        company=api.letters.LetterCompany(company.legal_name, company.operating_name or "",
                                          company.address, company.wscb_account),
        certificate=api.letters.LetterCertificate(secor.certificate_number if secor else "",
                                                  secor.certificate_date if secor else None),
        submission=api.letters.LetterSubmission(review.title, sub.period.start, sub.period.end,
                                                sub.anniversary),
        next_due=nxt, reviewer=user.name.strip(), reviewer_title=user.title.strip())


def current_template() -> str:
    found = m.LetterTemplate.objects.first()
    return found.text if found is not None else api.letters.default_template()


LETTER = "letter"            # the kind of the Build that makes a letter's PDF


def _letter(site: PortalSite, review: m.Review, user: m.User, on: dt.date) -> m.Letter:
    """The letter's number, taken now (inside the approval's transaction); its PDF is made
    by a worker (`make_letter`), queued when the approval is committed."""
    for _attempt in range(50):
        with scopes_disabled():
            taken = m.Letter.objects.filter(year=on.year).order_by("-sequence").first()
        sequence = (taken.sequence if taken else 0) + 1
        number = f"LGS-{on.year}-{sequence:04d}"
        try:
            with transaction.atomic():
                letter = m.Letter.objects.create(company=review.company, review=review,
                                                 number=number, year=on.year,
                                                 sequence=sequence, issued=on, file="")
            break
        except IntegrityError:     # another company's approval took the number: the next
            if m.Letter.objects.filter(review=review).exists():
                raise NotNow("this submission has its letter already",
                             fix="reload the page") from None
    else:
        raise NotNow("no letter number could be taken (many approvals at once)",
                     fix="approve again in a moment")
    audit.record(user, audit.What.LETTER_ISSUED, company=review.company, target=number)
    from manualgen.portal.jobs import enqueue

    build = m.Build.objects.create(
        id=uuid.uuid4().hex, company=review.company, kind=LETTER, name=str(letter.pk),
        title=f"Making the Letter of Good Standing {number}",
        done_url=f"/nsny/reviews/{review.pk}/", requested_by=user,
        options={"letter": letter.pk, "signer": user.pk})
    transaction.on_commit(lambda: enqueue(build.pk))
    return letter


def make_letter(site: PortalSite, options: dict, progress: api.builds.Progress) -> str:
    """A worker's part of the approval: the letter's PDF, saved beside the review's
    rounds, and its path on the letter's row (a letter made already is left as it is)."""
    with scopes_disabled():
        letter = m.Letter.objects.select_related("review", "review__company", "company") \
            .get(pk=options["letter"])
        signer = m.User.objects.get(pk=options["signer"])
        if letter.file:
            return f"{letter.number} was made already"
        progress("Writing the letter", total=2)
        values = _letter_values(site, letter.review, signer, letter.number, letter.issued)
        pdf = api.letters.pdf(current_template(), values)
        base = site.frozen_folder(letter.company.folder) / str(letter.review_id)
        name = f"letter-of-good-standing-{letter.number}.pdf"
        api.save(base / name, pdf)
        m.Letter.objects.filter(pk=letter.pk, file="").update(
            file=(base / name).relative_to(site.root / "frozen").as_posix())
        progress("Done", 2)
    return f"{letter.number}: {name}"


def frozen_file(site: PortalSite, rnd: m.Round, name: str) -> Path | None:
    """The path of one file of a round, when the round lists it; None otherwise."""
    api.workspace.refuse_unsafe(name)
    if name not in {f["name"] for f in rnd.files}:
        return None
    base = (site.root / "frozen" / rnd.folder).resolve()
    path = (base / PurePosixPath(name)).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None
