"""Build a company's draft health and safety manual: the staged pipeline.

load and validate (profile, library) -> render each policy's Jinja -> compose the Word
document -> lay it out once with LibreOffice for the contents' page numbers -> write
atomically. Nothing is written unless every stage succeeded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from manualgen.errors import Collector, InputError, ToolError
from manualgen.inputs.pipeline import Inputs, load_inputs
from manualgen.manual.compose import DOCUMENT_TITLE, RenderedPolicy, compose
from manualgen.render import wordxml
from manualgen.render.docx_io import docx_bytes, set_properties
from manualgen.render.jinja import policy_environment, render_text, tidy_periods
from manualgen.render.paginate import paginate
from manualgen.render.pdfmeta import normalise_pdf
from manualgen.services.office import find_soffice
from manualgen.services.storage import atomic_write_bytes

MASTER_TEMPLATE = "master.docx"
MAX_LAYOUT_PASSES = 3


@dataclass
class ManualResult:
    output: Path
    pdf: Path | None
    policies: int
    pages: int | None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"wrote {self.output} ({self.policies} policies"
        text += f", {self.pages} pages)" if self.pages else ")"
        if self.pdf:
            text += f"\nwrote {self.pdf}"
        return "\n".join([text, *(f"warning: {w}" for w in self.warnings)])


def render_policies(inputs: Inputs) -> list[RenderedPolicy]:
    """Every applicable policy's Markdown with the company's values; all errors at once."""
    env = policy_environment()
    found = Collector()
    rendered = []
    for policy in inputs.policies:
        for i, form_id in enumerate(policy.header.forms):
            if inputs.library.form(form_id) is None:
                found.extend([policy.doc.problem(
                    ("forms", i), f"form {form_id!r} does not exist",
                    "use an id from form_templates/forms.yaml")])
        try:
            text = render_text(env, policy.body, inputs.context, policy.path,
                               policy.body_line - 1)
        except InputError as exc:
            found.extend(exc.problems)
            continue
        company = inputs.context["company"]
        text = tidy_periods(text, [company["name"], company["legal_name"]])
        rendered.append(RenderedPolicy(policy, text))
    found.raise_if_errors(title="The policy library has problems for this company:")
    return rendered


def build_manual(profile_path: Path, output: Path, *, pdf: bool = False) -> ManualResult:
    inputs = load_inputs(Path(profile_path))
    rendered = render_policies(inputs)
    master = inputs.library.forms_dir / MASTER_TEMPLATE
    profile = inputs.profile.profile
    when = profile.manual.issued
    warnings: list[str] = []

    composed = compose(master, inputs, rendered)
    set_properties(composed.document,
                   title=f"{DOCUMENT_TITLE} - {profile.company.legal_name}",
                   author=profile.manual.approved_by, when=when,
                   subject=inputs.library.rules.program, revision=profile.manual.revision,
                   keywords=f"SECOR; library {inputs.library.info.version}")
    entries = [e.bookmark for e in composed.toc]
    pdf_data = None
    page_count = None
    if find_soffice() is None:
        if pdf:
            raise ToolError("LibreOffice is needed for --pdf and was not found",
                            fix="install libreoffice-writer-nogui, or leave out --pdf")
        composed.clear_pages()
        wordxml.update_fields_on_open(composed.document)
        data = docx_bytes(composed.document, when)
        warnings.append("LibreOffice was not found, so the contents have no page numbers "
                        "until Word updates them (it asks when the file is opened)")
    else:
        pages, pdf_data = paginate(docx_bytes(composed.document, when), entries)
        for _ in range(MAX_LAYOUT_PASSES):
            composed.set_pages(pages)
            data = docx_bytes(composed.document, when)
            if not pdf:
                break  # only the numbers changed; the layout is the one measured
            new_pages, pdf_data = paginate(data, entries)
            if new_pages == pages:
                break
            pages = new_pages
        page_count = len(PdfReader(io.BytesIO(pdf_data)).pages)

    output = Path(output)
    pdf_path = output.with_suffix(".pdf") if pdf else None
    final_pdf = None
    if pdf_path and pdf_data is not None:
        final_pdf = normalise_pdf(pdf_data, when=when,
                                  title=f"{DOCUMENT_TITLE} - {profile.company.legal_name}",
                                  author=profile.manual.approved_by,
                                  subject=inputs.library.rules.program)
    atomic_write_bytes(output, data)
    if pdf_path and final_pdf is not None:
        atomic_write_bytes(pdf_path, final_pdf)
    return ManualResult(output, pdf_path, len(rendered), page_count, warnings)
