"""Make NSNY's forms for one company: its personalised blank forms in Word.

A form is made from its definition (`form_templates/fields/<id>.yaml`, `forms.blank`),
unless forms.yaml gives it a Word layout of NSNY's own (`template:`, docxtpl tags), which
is then filled in. The stages read in order: take the validated inputs, check every
template (tags Word damaged, names the profile does not provide) and that every other
form has its definition, before anything is rendered; render each form in memory; and
(with `pdf`) convert them all in one LibreOffice call. The result is bytes per form;
writing them is the caller's step.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from docx.shared import Inches
from docxtpl import DocxTemplate, InlineImage
from PIL import Image

from manualgen.errors import Collector, InputError, Problem, ToolError
from manualgen.forms.blank import render_blank
from manualgen.forms.check import check_template, form_variables
from manualgen.forms.qr import form_code, place_code
from manualgen.inputs.library.model import FormInfo, Policy
from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.profile import Logo
from manualgen.io import inside
from manualgen.render.docx_io import ZIP_EPOCH, normalise_zip, set_properties
from manualgen.render.jinja import form_environment
from manualgen.render.pdfmeta import normalise_pdf
from manualgen.render.wordxml import XmlSyntaxError, name_picture_xml, prune_styles
from manualgen.services.office import Office
from manualgen.services.storage import scratch_dir

# The logo sits in the right-hand cell of the page header (1.9 in wide, see
# tools/make_form_templates.py): at most this tall and this wide.
LOGO_MAX_HEIGHT_IN = 0.6
LOGO_MAX_WIDTH_IN = 1.7


@dataclass
class FormsResult:
    """Each form as .docx bytes (and PDF bytes when asked), by file name, in library order."""

    company: str
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def docx(self) -> list[str]:
        return [n for n in self.files if n.endswith(".docx")]

    @property
    def pdfs(self) -> list[str]:
        return [n for n in self.files if n.endswith(".pdf")]

    def zip_bytes(self, when) -> bytes:
        """All forms in one zip (for a download), with fixed timestamps."""
        out = io.BytesIO()
        stamp = (max(when.year, ZIP_EPOCH), when.month, when.day, 0, 0, 0)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(self.files):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, self.files[name])
        return out.getvalue()


# --------------------------------------------------------------------------- context


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def hazard_items(inputs: Inputs) -> list[dict[str, Any]]:
    """Each of the company's hazards with the titles of the applying policies it switches on."""
    items = []
    for key in inputs.hazards:
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


def template_path(inputs: Inputs, form: FormInfo) -> Path | None:
    """The form's own Word layout, or None when it is made from its definition."""
    return None if form.template is None else inputs.library.forms_dir / form.template


def check_forms(inputs: Inputs) -> None:
    """Every problem of every form template at once, before anything is rendered."""
    found = Collector()
    known = form_variables()
    index = inputs.library.forms_dir / "forms.yaml"
    if not inputs.library.forms:
        found.add(index, "no forms are listed", fix="list the forms in form_templates/forms.yaml")
    for form in inputs.library.forms:
        path = template_path(inputs, form)
        if path is None:
            if inputs.library.form_definition(form.id) is None:
                found.add(index, f"the form {form.id!r} has neither a template nor a "
                          "definition of its fields", field=f"{form.id}.fields",
                          fix=f"add fields: fields/{form.id}.yaml (or a template:)")
            continue
        if not inside(inputs.library.forms_dir, path):
            found.add(index, f"template {form.template!r} is outside form_templates/",
                      field=f"{form.id}.template", fix="keep the template beside forms.yaml")
            continue
        found.extend(check_template(path, known))
    found.raise_if_errors(title="The form templates have problems:")


# --------------------------------------------------------------------------- rendering


class NamedImage(InlineImage):
    """docxtpl's inline image from bytes, keeping the logo's file name in its properties."""

    def __init__(self, tpl: DocxTemplate, logo: Logo, height) -> None:
        super().__init__(tpl, logo.stream(), height=height)
        self.name = logo.name

    def _insert_image(self) -> str:
        return name_picture_xml(super()._insert_image(), self.name)


def _logo(tpl: DocxTemplate, logo: Logo | None) -> Any:
    if logo is None:
        return ""
    with Image.open(logo.stream()) as img:
        width, height = img.size
    h = min(LOGO_MAX_HEIGHT_IN, LOGO_MAX_WIDTH_IN * height / width)
    return NamedImage(tpl, logo, Inches(h))


def render_form(inputs: Inputs, form: FormInfo) -> bytes:
    """One form as deterministic .docx bytes: from its Word template when it has one (a
    template error is an InputError by name), else from its definition."""
    path = template_path(inputs, form)
    if path is None:
        definition = inputs.library.form_definition(form.id)
        assert definition is not None, "check_forms found it"
        return render_blank(inputs, form, definition)
    profile = inputs.profile.profile
    tpl = DocxTemplate(str(path))
    tpl.init_docx()     # the code goes in before rendering: docxtpl then rebuilds the footer
    place_code(tpl.docx, form_code(form.id, form.revision, profile.company.wscb_account))
    context = form_context(inputs, form, _logo(tpl, inputs.profile.logo))
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
    except XmlSyntaxError as exc:
        raise _problem(path, f"renders to broken Word XML ({exc})",
                       "a {%tr %}/{%tc %}/{%p %} tag is probably in the wrong place") from None
    set_properties(tpl.docx, title=form.title, author=profile.company.legal_name,
                   when=profile.manual.issued, subject=form.description,
                   revision=form.revision, keywords=f"SECOR form {form.id}")
    prune_styles(tpl.docx)
    buf = io.BytesIO()
    tpl.save(buf)
    return normalise_zip(buf.getvalue(), profile.manual.issued)


def _problem(path: Path, message: str, fix: str) -> InputError:
    return InputError(Problem(str(path), None, None, message, fix),
                      title="A form template could not be rendered:")


def build_forms(inputs: Inputs, *, pdf: bool = False, office: Office | None = None
                ) -> FormsResult:
    """Every form as .docx bytes (and a PDF of each with `pdf`), checked first."""
    check_forms(inputs)
    profile = inputs.profile.profile
    result = FormsResult(profile.company.name)
    for form in inputs.library.forms:
        result.files[f"{form.id}.docx"] = render_form(inputs, form)
    if pdf:
        office = office or Office.find()
        for form, data in zip(inputs.library.forms, _pdfs(result, office), strict=True):
            result.files[f"{form.id}.pdf"] = normalise_pdf(
                data, when=profile.manual.issued, title=form.title,
                author=profile.company.legal_name, subject=form.description)
    return result


def _pdfs(result: FormsResult, office: Office) -> list[bytes]:
    """One LibreOffice run for every form; any failure names the forms."""
    with scratch_dir("manualgen-forms-") as tmp:
        sources = []
        for name in result.docx:
            path = Path(tmp) / name
            path.write_bytes(result.files[name])
            sources.append(path)
        conversions = office.convert(sources, Path(tmp) / "pdf")
        failed = [f"{c.source.name}: {c.error}" for c in conversions if c.pdf is None]
        if failed:
            raise ToolError("LibreOffice could not convert these forms: " + "; ".join(failed),
                            fix="nothing was written; try again")
        return [c.pdf.read_bytes() for c in conversions if c.pdf is not None]
