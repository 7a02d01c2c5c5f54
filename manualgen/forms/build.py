"""Render NSNY's template forms for one company: its personalised blank forms in Word.

The stages read in order: load the profile and library once, check every template
(tags Word damaged, names the profile does not provide) before anything is rendered,
render each form in memory, then write them all into a staging folder (PDFs too, in one
LibreOffice call) and move them into place together. A failed run leaves nothing behind.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from docx.shared import Inches
from docxtpl import DocxTemplate, InlineImage
from lxml import etree
from PIL import Image

from manualgen.errors import Collector, InputError, Problem, ToolError
from manualgen.forms.check import check_template, form_variables
from manualgen.inputs.library.model import FormInfo, Policy
from manualgen.inputs.pipeline import Inputs, load_inputs
from manualgen.io import inside
from manualgen.render.docx_io import normalise_zip, set_properties
from manualgen.render.jinja import form_environment
from manualgen.services.storage import atomic_write_bytes, publish_files, staging_dir

# The logo sits in the right-hand cell of the page header (1.9 in wide, see
# tools/make_form_templates.py): at most this tall and this wide.
LOGO_MAX_HEIGHT_IN = 0.6
LOGO_MAX_WIDTH_IN = 1.7


@dataclass
class FormsResult:
    out_dir: Path
    company: str
    docx: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Wrote {len(self.docx)} forms for {self.company} to {self.out_dir}"
        if self.pdfs:
            text += f" (with {len(self.pdfs)} PDFs)"
        return text + "."


# --------------------------------------------------------------------------- context


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def hazard_items(inputs: Inputs) -> list[dict[str, Any]]:
    """Each of the company's hazards with the titles of the applying policies it switches on."""
    items = []
    for key in inputs.profile.profile.hazards:
        titles = [p.title for p in inputs.policies if _switched_on_by(p, key)]
        items.append({"key": key, "label": inputs.library.hazard_label(key),
                      "policies": titles})
    return items


def _switched_on_by(policy: Policy, key: str) -> bool:
    applies = policy.header.applies
    return applies != "always" and key in applies.hazards


def training_rows(inputs: Inputs) -> list[dict[str, str]]:
    """One row per person and course; a person without training still gets a row."""
    rows = []
    for person in inputs.profile.profile.people:
        base = {"name": person.name, "position": person.position}
        if not person.training:
            rows.append({**base, "course": "", "completed": "", "expires": ""})
        for t in person.training:
            rows.append({**base, "course": t.course, "completed": _iso(t.completed),
                         "expires": _iso(t.expires)})
    return rows


def first_aid_attendants(inputs: Inputs) -> list[dict[str, str]]:
    """People with the first_aid role and their latest first aid certificate, if listed."""
    rows = []
    for person in inputs.profile.profile.with_role("first_aid"):
        certs = sorted((t for t in person.training if "first aid" in t.course.lower()),
                       key=lambda t: t.completed)
        cert = certs[-1] if certs else None
        rows.append({"name": person.name, "position": person.position,
                     "certificate": cert.course if cert else "",
                     "expires": _iso(cert.expires) if cert else ""})
    return rows


def form_context(inputs: Inputs, form: FormInfo, logo: Any = "") -> dict[str, Any]:
    """The profile context plus what forms add; its names are `form_variables()`."""
    return {
        **inputs.context,
        "form": {"id": form.id, "title": form.title, "revision": form.revision,
                 "element": form.element, "category": form.category,
                 "description": form.description},
        "logo": logo,
        "policies": [{"id": p.id, "title": p.title, "element": p.header.element}
                     for p in inputs.policies],
        "hazard_items": hazard_items(inputs),
        "training_rows": training_rows(inputs),
        "first_aid_attendants": first_aid_attendants(inputs),
    }


# --------------------------------------------------------------------------- checks


def template_path(inputs: Inputs, form: FormInfo) -> Path:
    return inputs.library.forms_dir / form.template


def check_forms(inputs: Inputs) -> None:
    """Every problem of every form template at once, before anything is rendered."""
    found = Collector()
    known = form_variables()
    index = inputs.library.forms_dir / "forms.yaml"
    if not inputs.library.forms:
        found.add(index, "no forms are listed", fix="list the forms in form_templates/forms.yaml")
    for form in inputs.library.forms:
        path = template_path(inputs, form)
        if not inside(inputs.library.forms_dir, path):
            found.add(index, f"template {form.template!r} is outside form_templates/",
                      field=f"{form.id}.template", fix="keep the template beside forms.yaml")
            continue
        found.extend(check_template(path, known))
    found.raise_if_errors(title="The form templates have problems:")


# --------------------------------------------------------------------------- rendering


def _logo(tpl: DocxTemplate, logo_path: Path | None) -> Any:
    if logo_path is None:
        return ""
    with Image.open(logo_path) as img:
        width, height = img.size
    h = min(LOGO_MAX_HEIGHT_IN, LOGO_MAX_WIDTH_IN * height / width)
    return InlineImage(tpl, str(logo_path), height=Inches(h))


def render_form(inputs: Inputs, form: FormInfo) -> bytes:
    """One form as deterministic .docx bytes; a template error is an InputError by name."""
    path = template_path(inputs, form)
    profile = inputs.profile.profile
    tpl = DocxTemplate(str(path))
    context = form_context(inputs, form, _logo(tpl, inputs.profile.logo_path))
    try:
        tpl.render(context, jinja_env=form_environment(), autoescape=True)
    except jinja2.UndefinedError as exc:
        raise _problem(path, f"asks for a value the profile does not have ({exc.message})",
                       "use a variable of policy_library/README.md") from None
    except jinja2.exceptions.SecurityError as exc:
        raise _problem(path, f"not allowed in a template ({exc})",
                       "templates may only read the company's values") from None
    except jinja2.TemplateError as exc:
        raise _problem(path, f"template error ({exc})",
                       "run `manualgen library check` for details") from None
    except etree.XMLSyntaxError as exc:
        raise _problem(path, f"renders to broken Word XML ({exc})",
                       "a {%tr %}/{%tc %}/{%p %} tag is probably in the wrong place") from None
    set_properties(tpl.docx, title=form.title, author=profile.company.legal_name,
                   when=profile.manual.issued, subject=form.description,
                   revision=form.revision, keywords=f"SECOR form {form.id}")
    buf = io.BytesIO()
    tpl.save(buf)
    return normalise_zip(buf.getvalue(), profile.manual.issued)


def _problem(path: Path, message: str, fix: str) -> InputError:
    return InputError(Problem(str(path), None, None, message, fix),
                      title="A form template could not be rendered:")


def build_forms(profile_path: Path, out_dir: Path, pdf: bool = False) -> FormsResult:
    """Write one .docx per form (and a PDF of each with `pdf`) into `out_dir`."""
    inputs = load_inputs(Path(profile_path))
    check_forms(inputs)
    rendered = {form.id: render_form(inputs, form) for form in inputs.library.forms}
    out_dir = Path(out_dir)
    result = FormsResult(out_dir, inputs.profile.profile.company.name)
    with staging_dir(out_dir) as stage:
        staged = []
        for form_id, data in rendered.items():
            target = stage / f"{form_id}.docx"
            atomic_write_bytes(target, data)
            staged.append(target)
        if pdf:
            from manualgen.services.office import convert_to_pdf

            failed = [f"{c.source.name}: {c.error}"
                      for c in convert_to_pdf(staged, stage) if c.pdf is None]
            if failed:
                raise ToolError("LibreOffice could not convert these forms: "
                                + "; ".join(failed), fix="nothing was written; try again")
        written = publish_files(stage, out_dir)
    result.docx = [p for p in written if p.suffix == ".docx"]
    result.pdfs = [p for p in written if p.suffix == ".pdf"]
    return result
