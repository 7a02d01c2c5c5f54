"""Tables of the company's own data, placed in the chapters `elements.yaml` names.

Each block is a small function from the loaded inputs to rows; the manual builder looks
blocks up by the key NSNY writes in `company_data:`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from manualgen.inputs.facts import InventoryLine
from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.profile import EMPLOYMENT_LABELS, ROLE_LABELS
from manualgen.inputs.program import supervisors as program_supervisors
from manualgen.render.jinja import join_names, long_date


@dataclass
class Block:
    heading: str
    intro: str
    header: list[str]
    rows: list[list[str]]
    empty: str = "None recorded."
    widths: list[float] | None = None     # inches; None: equal columns


def _overview(inputs: Inputs) -> Block:
    c = inputs.profile.profile.company
    p = inputs.profile.profile
    rows = [
        ["Legal name", c.legal_name],
        ["Operating name", c.operating_name or c.legal_name],
        ["Address", c.address],
        ["Phone", c.phone],
        ["E-mail", c.email or "-"],
        ["WSCB employer account", c.wscb_account],
        ["Industry", c.industry],
        ["Scope of work", c.scope_of_work],
        ["Employees at peak", str(c.peak_employees)],
        ["Uses subcontractors", "Yes" if c.uses_subcontractors else "No"],
    ]
    if p.secor:
        rows.append(["SECOR certificate", f"{p.secor.certificate_number}, issued "
                     f"{long_date(p.secor.certificate_date)}"])
    return Block("Company profile", "The company this manual belongs to.", ["Item", "Detail"],
                 rows)


def _people(inputs: Inputs) -> Block:
    rows = [[p.name, p.position, ", ".join(ROLE_LABELS[r] for r in p.roles),
             EMPLOYMENT_LABELS[p.employment]] for p in inputs.profile.profile.people]
    return Block("People and roles",
                 "Everyone who works for the company and the health and safety roles they "
                 "hold. The responsibilities of each role are set out in this chapter.",
                 ["Name", "Position", "Roles", "Employment"], rows)


def _worksites(inputs: Inputs) -> Block:
    rows = [[w.name, w.address or "Varies by job; recorded on each site's emergency plan",
             "Fixed site" if w.kind == "fixed" else "Mobile (client sites)"]
            for w in inputs.profile.profile.worksites]
    return Block("Worksites", "Where the company works.", ["Site", "Address", "Kind"], rows)


def _hazards(inputs: Inputs) -> Block:
    rows = []
    for key in inputs.hazards:
        practices = [p.title for p in inputs.policies
                     if p.header.applies != "always" and key in p.header.applies.hazards]
        rows.append([inputs.library.hazard_label(key), ", ".join(practices) or "-"])
    for key, reason in inputs.facts.dismissed:
        rows.append([inputs.library.hazard_label(key), f"Does not apply to us: {reason}"])
    return Block("The company's principal hazards",
                 "The hazards of the company's work, and the written practices that control "
                 "them (chapter 3). A hazard usual in our trade that does not apply to us is "
                 "listed with the reason.", ["Hazard", "Safe work practices"], rows,
                 "No principal hazards are listed in the company profile.")


def hazard_inventory(inputs: Inputs) -> list[InventoryLine]:
    """The company's inventory (its own tasks, its trades' and its hazards'), highest
    risk without controls first: worked out once in `inputs.facts`."""
    return list(inputs.facts.inventory)


def _hazard_words(inputs: Inputs, key: str) -> str:
    """A hazard's label inside a sentence: its first word lower-cased, an acronym such as
    WHMIS kept as written, the words in brackets left out."""
    label = inputs.library.hazard_label(key).split(" (")[0]
    first, _, rest = label.partition(" ")
    if not (len(first) > 1 and first.isupper()):
        first = first[:1].lower() + first[1:]
    return f"{first} {rest}".strip()


def _inventory(inputs: Inputs) -> Block:
    matrix = inputs.library.rules.risk_matrix
    lines = hazard_inventory(inputs)
    if matrix is None:
        return Block("Hazard inventory", "", [], [])
    rows = [[str(n), f"{x.task} ({_hazard_words(inputs, x.hazard)})" if x.hazard else x.task,
             matrix.describe(x.severity, x.likelihood), x.controls,
             matrix.describe(x.severity_after, x.likelihood_after)]
            for n, x in enumerate(lines, 1)]
    return Block("Hazard inventory",
                 "The tasks of our work and their hazards, rated on the risk matrix of the "
                 "hazard assessment procedure without and with our controls, highest risk "
                 "first. It is reviewed with the workers every year and whenever the work "
                 "changes.",
                 ["#", "Task (hazard)", "Risk without controls", "Controls",
                  "Risk with controls"], rows,
                 "No tasks are listed yet: the hazards of each job are assessed on the "
                 "Hazard Assessment form before work starts.", widths=[0.3, 1.6, 1.1, 2.4, 1.1])


def _equipment(inputs: Inputs) -> Block:
    rows = [[e.id, e.description, e.interval] for e in inputs.profile.profile.equipment]
    return Block("Equipment inventory",
                 "Every unit on the preventative maintenance schedule, with its service "
                 "interval. Units are also checked before each use.",
                 ["Unit", "Description", "Service interval"], rows,
                 "The company has no equipment or vehicles that need scheduled maintenance; "
                 "tools and appliances are checked before each use.")




def _validity(rules, key: str) -> str:
    course = rules.courses.get(key)
    if course is None or course.validity_years is None:
        return "does not expire"
    text = f"valid {course.validity_years} years"
    if course.renewed_by:
        text += f", renewed with the {rules.course_title(course.renewed_by)}"
    if course.grace_months:
        text += f" (a {course.grace_months}-month grace period)"
    return text


def _training(inputs: Inputs) -> Block:
    """The training each role needs: the standing rule, not who holds what today (the
    training records and the status report keep that)."""
    rules = inputs.library.rules
    p = inputs.profile.profile
    leads = [x.name for x in p.people if any(r in rules.course_holder_roles for r in x.roles)]
    supervisors = [x.name for x in program_supervisors(p, rules)]
    rows = []
    if leads:
        who = "at least one of them holds" if len(leads) > 1 else "holds"
        rows.append([join_names(leads), f"The owner or senior manager {who} each SECOR "
                     "course: " + "; ".join(
            f"{rules.course_title(c)} ({c}), {_validity(rules, c)}"
            for c in rules.required_courses)])
    if supervisors:
        c = rules.supervisor_course
        rows.append([join_names(supervisors) + " (supervising)",
                     f"{rules.course_title(c)} ({c}), {_validity(rules, c)}; at least "
                     f"{round(rules.supervisor_lse_ratio * 100)}% of supervisors hold it"])
    attendants = [x.name for x in p.with_role("first_aid")]
    if attendants:
        rows.append([join_names(attendants) + " (first aid)",
                     "A first aid certificate from an agency WSCB recognises, at the level "
                     "the first aid policy sets, renewed before it expires"])
    rows.append(["Every worker", "An orientation before starting work, and the training "
                 "each safe work practice and safe job procedure of this manual names, "
                 "before doing that work"])
    return Block("Training each role needs",
                 "Who holds which course, and until when, is kept in the training records "
                 "(Training Record form), not in this manual.",
                 ["Who", "Training"], rows)


def _first_aid(inputs: Inputs) -> Block:
    """Part 18 worked out for each worksite: what we have, so what we need, who meets it."""
    from manualgen.inputs.first_aid import first_aid_plan

    rules = inputs.library.first_aid
    p = inputs.profile.profile
    if rules is None:
        return Block("First aid needs by worksite", "", [], [], "Worked out in the First Aid "
                     "policy above.")
    plan = first_aid_plan(p, rules, p.manual.issued, inputs.hazards)
    rows = []
    for site in plan.sites:
        if site.needed == 0 or site.requirement is None:
            who = "-"
        elif site.met:
            who = join_names(list(site.qualified))
        else:
            who = (join_names(list(site.qualified)) + " - " if site.qualified else "") + \
                f"{site.needed - len(site.qualified)} more to be trained"
        rows.append([site.site, site.summary(), who])
    rating = plan.sites[0].rating if plan.sites else None
    why = ""
    if rating is not None:
        by = [_hazard_words(inputs, h) for h in plan.sites[0].rated_by]
        why = (f"Our work is rated {rating.label.lower()}"
               + (f" because of {join_names(by)}" if by else "") + ". ")
    if plan.sourced:
        basis = "and so what Part 18 (Minimum First Aid Regulations) requires."
    else:
        basis = ("and the first aid we provide for it. Part 18 (Minimum First Aid "
                 "Regulations) sets first aid from these three things; the levels and numbers "
                 "here are our own assessment of them, to be confirmed with WSCB.")
    return Block("First aid needs by worksite",
                 why + "For each worksite: how many of us work a shift there, the hazard "
                 "rating and the travel time to medical aid, " + basis,
                 ["Worksite", "What we have, so what we provide", "Attendants who meet it"],
                 rows, widths=[1.4, 3.7, 1.4])


def _attendants(inputs: Inputs) -> str:
    """The attendants whose certificate is valid on the issue date; the others named with
    what is still to be done, never as attendants."""
    facts = inputs.facts
    certified = [f.person.name for f in facts.certified_first_aiders]
    pending = [f.person.name for f in facts.first_aiders_to_certify]
    text = ", ".join(certified) or "None certified yet"
    if pending:
        text += f" ({join_names(pending)}: certificate to be " + \
            ("renewed" if all(f.expired_on for f in facts.first_aiders_to_certify)
             else "obtained") + ")"
    return text


def _emergency(inputs: Inputs) -> Block:
    e = inputs.profile.profile.emergency
    p = inputs.profile.profile
    rows = [
        ["Emergency services", e.emergency_number],
        ["Nearest medical facility", e.nearest_medical],
        ["Muster point", e.muster_point],
    ]
    if e.remote_communication:
        rows.append(["Communication at remote sites", e.remote_communication])
    rows.append(["Company office", f"{p.company.phone} ({p.company.address})"])
    rows.append(["First aid attendants", _attendants(inputs)])
    rows.append(["WSCB: serious injury or incident (at once)",
                 inputs.library.rules.wscb_serious_incident_phone])
    rows.append(["WSCB: to report an injury", inputs.library.rules.wscb_phone])
    return Block("Emergency contacts", "Post this table at every worksite and in every vehicle.",
                 ["Contact", "Details"], rows)


BLOCKS: dict[str, Callable[[Inputs], Block]] = {
    "company_overview": _overview,
    "people": _people,
    "worksites": _worksites,
    "hazards": _hazards,
    "hazard_inventory": _inventory,
    "equipment": _equipment,
    "training": _training,
    "first_aid": _first_aid,
    "emergency_contacts": _emergency,
}
