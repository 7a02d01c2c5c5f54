"""Build a company's draft health and safety manual: the staged pipeline.

inputs (profile and library, validated) -> render each policy's Jinja -> compose the Word
document -> lay it out with LibreOffice for the contents' page numbers -> bytes. Writing
is the caller's step; nothing here touches the user's files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from manualgen.errors import Collector, InputError, ToolError, UsageError
from manualgen.inputs.library.model import LibraryText
from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.revisions import RevisionRecord
from manualgen.manual.compose import DOCUMENT_TITLE, RenderedPolicy, compose
from manualgen.manual.revisions import make_record
from manualgen.render import wordxml
from manualgen.render.docx_io import docx_bytes, set_properties
from manualgen.render.jinja import policy_environment, render_text, tidy_periods
from manualgen.render.paginate import LayoutCache, paginate, paginate_incremental
from manualgen.services.office import Office

MASTER_TEMPLATE = "master.docx"
MAX_LAYOUT_PASSES = 3


class Layout(StrEnum):
    """How the contents get their page numbers."""

    LIBREOFFICE = "libreoffice"                    # laid out now; numbers in the file
    WORD_UPDATES_ON_OPEN = "word-updates-on-open"  # no numbers; Word fills them on opening


@dataclass
class ManualResult:
    docx: bytes
    pdf: bytes | None
    pages: int | None              # None when nothing was laid out
    policies: list[str]            # the titles of the policies in it, in order
    company: str
    warnings: list[str] = field(default_factory=list)
    # What the company folder's revisions/ keeps of this build (`api.manual.record_file`).
    record: RevisionRecord | None = None
    # Library changes under the company's own versions (`manual.updates`), never merged.
    updates: list = field(default_factory=list)


def _render(item: LibraryText, inputs: Inputs, env, compiled: dict,
            found: Collector) -> str | None:
    """One policy's or procedure's Markdown with the company's values, or None (its
    problems added to `found`)."""
    try:
        return render_text(env, item.body, inputs.context, item.path, item.body_line - 1,
                           compiled)
    except InputError as exc:
        found.extend(exc.problems)
        return None


def render_procedures(inputs: Inputs, env, compiled: dict, found: Collector
                      ) -> list[dict[str, str]]:
    """The safe job procedure of every task of the company's inventory that has one,
    highest risk first, then those its policies refer to, each once: {id, title, text}
    for the Safe Job Procedures policy."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    named = [p for policy in inputs.policies for p in policy.header.procedures]
    for line in [*inputs.facts.inventory, *named]:
        if isinstance(line, str):
            procedure = inputs.library.procedure(line)
        elif line.steps:
            out.append({"id": "", "title": line.task,
                        "text": "\n".join(f"{n}. {step}" for n, step in
                                          enumerate(line.steps, 1))})
            continue
        else:
            procedure = inputs.library.procedure(line.procedure) if line.procedure else None
        if procedure is None or procedure.id in seen:
            continue
        seen.add(procedure.id)
        text = _render(procedure, inputs, env, compiled, found)
        if text is not None:
            out.append({"id": procedure.id, "title": procedure.title, "text": text.strip()})
    return out


def render_policies(inputs: Inputs) -> list[RenderedPolicy]:
    """Every applicable policy's Markdown with the company's values; all errors at once."""
    env, compiled = inputs.library.memo.setdefault(
        "policy-templates", (policy_environment(inputs.library.compiled), {}))
    found = Collector()
    rendered = []
    company = inputs.profile.profile.company
    if not inputs.context.get("procedures"):
        inputs.context["procedures"] = render_procedures(inputs, env, compiled, found)
    for policy in inputs.policies:
        for i, form_id in enumerate(policy.header.forms):
            if inputs.library.form(form_id) is None:
                found.extend([policy.doc.problem(
                    ("forms", i), f"form {form_id!r} does not exist",
                    "use an id from form_templates/forms.yaml")])
        text = _render(policy, inputs, env, compiled, found)
        if text is None:
            continue
        text = tidy_periods(text, [company.name, company.legal_name])
        rendered.append(RenderedPolicy(policy, text))
    found.raise_if_errors(title="The policy library has problems for this company:")
    return rendered


def build_manual(inputs: Inputs, *, layout: Layout | str = Layout.LIBREOFFICE,
                 pdf: bool = False, office: Office | None = None,
                 cache: LayoutCache | None = None) -> ManualResult:
    """The manual as .docx bytes (and PDF bytes with `pdf`).

    `cache`: chapter layouts kept from earlier builds; only chapters it does not know are
    laid out, and the bytes are the same as with a layout of the whole document.
    """
    layout = Layout(layout)
    if pdf and layout is not Layout.LIBREOFFICE:
        raise UsageError("a PDF needs the LibreOffice layout",
                         fix="leave out --pdf, or build with --layout libreoffice")
    rendered = render_policies(inputs)
    master = inputs.library.forms_dir / MASTER_TEMPLATE
    profile = inputs.profile.profile
    when = profile.manual.issued
    warnings: list[str] = []
    office = office or Office.find()
    if layout is Layout.LIBREOFFICE and not office.available:
        raise ToolError("LibreOffice is needed to number the contents and was not found",
                        fix="install libreoffice-writer-nogui, or build with "
                            "--layout word-updates-on-open (and without --pdf)")

    composed = compose(master, inputs, rendered)
    title = f"{DOCUMENT_TITLE} - {profile.company.legal_name}"
    set_properties(composed.document, title=title,
                   author=profile.manual.approved_by, when=when,
                   subject=inputs.library.rules.program, revision=profile.manual.revision,
                   keywords=f"SECOR; library {inputs.library.info.version}")
    bookmarks = [e.bookmark for e in composed.toc]
    pdf_data = None
    page_count = None
    if layout is Layout.WORD_UPDATES_ON_OPEN:
        composed.clear_pages()
        wordxml.update_fields_on_open(composed.document)
        data = docx_bytes(composed.document, when)
        warnings.append("the contents have no page numbers until Word updates them "
                        "(it asks when the file is opened)")
    else:
        draft = docx_bytes(composed.document, when, compress=False)   # laid out, not kept
        if cache is None and pdf:
            pages, pdf_data = paginate(draft, bookmarks, office)
        else:                     # without a cache: a whole layout, kept by no one
            counted = paginate_incremental(draft, [(e.level, e.bookmark) for e in composed.toc],
                                           office, cache if cache is not None else LayoutCache())
            pages, pdf_data, page_count = counted.pages, counted.pdf, counted.total
        for _ in range(MAX_LAYOUT_PASSES):
            composed.set_pages(pages)
            data = docx_bytes(composed.document, when)
            if not pdf:
                break  # only the numbers changed; the layout is the one measured
            new_pages, pdf_data = paginate(data, bookmarks, office)
            if new_pages == pages:
                break
            pages = new_pages
    final_pdf = None
    if pdf_data is not None:
        import io

        from pypdf import PdfReader  # here: a warm layout reads no PDF

        page_count = len(PdfReader(io.BytesIO(pdf_data)).pages)
    if pdf and pdf_data is not None:
        from manualgen.render.pdfmeta import normalise_pdf  # pikepdf: only for a PDF

        final_pdf = normalise_pdf(pdf_data, when=when, title=title,
                                  author=profile.manual.approved_by,
                                  subject=inputs.library.rules.program)
    return ManualResult(data, final_pdf, page_count, [r.policy.title for r in rendered],
                        profile.company.name, warnings,
                        record=make_record(inputs, rendered, composed.toc))


def build_company_manual(profile, library, *, layout: Layout | str = Layout.LIBREOFFICE,
                         pdf: bool = False, office: Office | None = None,
                         cache: LayoutCache | None = None) -> ManualResult:
    """One company's manual from its profile (a `CompanyProfile`, or a company.yaml path
    or data): `api.manual.build` and `manualgen batch`'s workers both build through this,
    with the library changes under the company's own versions and every warning."""
    from manualgen.inputs.pipeline import prepare, vocabulary
    from manualgen.inputs.profile import CompanyProfile, load_profile
    from manualgen.manual.updates import library_updates

    if not isinstance(profile, CompanyProfile):
        profile = load_profile(profile, vocabulary(library))
    inputs = prepare(profile, library)
    result = build_manual(inputs, layout=layout, pdf=pdf, office=office, cache=cache)
    result.updates = library_updates(inputs)
    result.warnings += [str(p) for p in inputs.own.problems + inputs.records.problems]
    return result
