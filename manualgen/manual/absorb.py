"""`manualgen absorb`: a manual the employer edited in Word, back into company policies.

The employer edits the .docx (a sentence reworded, a step added, a paragraph deleted);
the next rebuild would throw that away. Absorb finds each part of the edited copy by the
bookmark its heading got from the generator (then by its title, then by its place
between the parts found), compares each policy with what the generator produced for
that revision (the revision's record, or the manual composed again now), and turns each
changed policy into a company policy (`policies/<id>.md`) through the same Word-to-
Markdown reading `library import` uses. Edits outside the policies cannot be kept as
text: they are reported with the profile field that holds that text.

Nothing is overwritten silently: a company policy that changed since the edited manual
was built is left alone unless the caller says `replace`; when the company's own version
is the one the manual was built from, the edit becomes its next revision and the
previous file is kept in `policies/.history/`. Results are files as bytes; writing them
is the caller's step.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import yaml
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from manualgen.errors import InputError, Problem, Severity, fail
from manualgen.inputs.company_policies import BASE_DIR, HISTORY_DIR, POLICIES_DIR
from manualgen.inputs.pipeline import Inputs
from manualgen.inputs.revisions import RecordEntry, RevisionRecord
from manualgen.library.importer import (
    REQUIRED_SECTIONS,
    Block,
    item_block,
    slug,
    structure,
)
from manualgen.manual.build import MASTER_TEMPLATE, render_policies
from manualgen.manual.compose import compose, open_master
from manualgen.manual.revisions import make_record
from manualgen.render import wordxml
from manualgen.render.jinja import policy_environment, render_text
from manualgen.render.markdown_docx import add_markdown

LEGISLATION = "Legislation: "
MIN_FOUND = 0.5          # below this share of its policies found, it is not this manual

# Where the text of each part outside the policies comes from, in the user's words.
PROFILE_FIELDS: dict[str, str] = {
    "cover": "company.legal_name, company.operating_name, company.address and "
             "manual.revision / manual.issued in company.yaml",
    "document-control": "manual (revision, issued, approved_by, history, distribution, "
                        "leave_out) in company.yaml",
    "data:company_overview": "company in company.yaml",
    "data:people": "people in company.yaml",
    "data:worksites": "worksites in company.yaml",
    "data:hazards": "hazards in company.yaml",
    "data:hazard_inventory": "tasks in company.yaml",
    "data:equipment": "equipment in company.yaml",
    "data:training": "people (each person's training) in company.yaml",
    "data:first_aid": "worksites (travel_minutes, workers_per_shift) and people (the "
                      "first_aid role and training) in company.yaml",
    "data:emergency_contacts": "emergency in company.yaml",
    "appendix:forms": "the forms the policies name (their forms: header field)",
}


# --------------------------------------------------------------------------- reading


@dataclass
class Segment:
    """A heading of the manual and what follows it up to the next chapter or policy."""

    level: int                      # 0 the cover, 1 a chapter, 2 a policy or a table
    title: str
    bookmarks: list[str]
    blocks: list[Block] = field(default_factory=list)


def segments(document: Document) -> list[Segment]:
    """The body cut at every Heading 1 and 2 (the contents' own lines left out)."""
    out = [Segment(0, "", [])]
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            if wordxml.style_name(item).startswith("TOC"):
                continue
            level = wordxml.heading_level(item)
            if level in (1, 2):
                out.append(Segment(level, " ".join(item.text.split()),
                                   wordxml.bookmark_names(item)))
                continue
        block = item_block(item) if isinstance(item, Paragraph | Table) else None
        if block is not None:
            out[-1].blocks.append(block)
    return out


def open_manual(data: bytes, name: str) -> Document:
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds
        raise fail(name, f"cannot be read as a Word .docx file ({exc})",
                   fix="open it in Word or LibreOffice and save it as .docx "
                       "(Word Document)") from None


MAX_MANUAL_BYTES = 100 * 1024 * 1024


def read_manual_file(path: Path) -> bytes:
    """An edited manual's bytes, with the reasons it cannot be read in plain words."""
    if path.suffix.lower() != ".docx":
        raise fail(path, "only a Word .docx file can be absorbed",
                   fix="open it in Word or LibreOffice and save it as .docx (Word Document)")
    try:
        if path.stat().st_size > MAX_MANUAL_BYTES:
            raise fail(path, f"is larger than {MAX_MANUAL_BYTES // (1024 * 1024)} MB, more "
                       "than a manual", fix="check that this is the manual")
        return path.read_bytes()
    except FileNotFoundError:
        raise fail(path, "file not found", fix="check the path and the spelling") from None
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror})") from None


_REVISION = re.compile(r"^Revision (\d+) - issued\b")


def revision_of(parts: list[Segment]) -> int | None:
    """The revision printed on the cover ("Revision 3 - issued ...")."""
    for block in parts[0].blocks if parts else []:
        match = _REVISION.match(re.sub(r"[*_]", "", block.text))
        if match:
            return int(match.group(1))
    return None


def _policy_text(part: Segment) -> tuple[str, list[str]]:
    """A policy part as library Markdown (the importer's reading), and its laws line."""
    blocks = list(part.blocks)
    laws: list[str] = []
    if blocks and blocks[0].kind == "para" and blocks[0].text.startswith(LEGISLATION):
        laws = [x.strip() for x in blocks.pop(0).text[len(LEGISLATION):].split("; ")
                if x.strip()]
    imported = structure([Block("heading", part.title, 2), *blocks], part.title)
    return imported.markdown, laws


_EMPHASIS = re.compile(r"(?<!\\)[*]+")


def _same_text(a: str, b: str) -> bool:
    """Two policy texts say the same words. Bold and italic do not count: LibreOffice
    writes a table style's bold header row out as bold runs when it saves a .docx."""
    return " ".join(_EMPHASIS.sub("", a).split()) == " ".join(_EMPHASIS.sub("", b).split())


def _plain(part: Segment) -> list[tuple[Any, ...]]:
    def words(text: str) -> str:
        return " ".join(_EMPHASIS.sub("", text).split())

    return [(b.kind, words(b.text), tuple(tuple(words(c) for c in r) for r in b.rows))
            for b in part.blocks]


# --------------------------------------------------------------------------- matching


def match(parts: list[Segment], entries: list[RecordEntry]) -> dict[int, int]:
    """Edited part index -> contents entry index (the cover, part 0, maps to -1): by
    bookmark, then by the same title at the same level, then by being the only part and
    the only entry left between the same two neighbours found."""
    found: dict[int, int] = {0: -1}
    used: set[int] = set()
    index = {e.bookmark: i for i, e in enumerate(entries)}
    titles = {(part.level, part.title) for part in parts[1:]}
    for p, part in enumerate(parts[1:], 1):
        i = next((index[b] for b in part.bookmarks if b in index and index[b] not in used
                  and entries[index[b]].level == part.level), None)
        # A renamed heading keeps its bookmark; but when another heading carries the
        # entry's own title, the bookmark is a coincidence (another manual, a copy).
        if i is not None and (part.title == entries[i].title or
                              (part.level, entries[i].title) not in titles):
            found[p] = i
            used.add(i)
    for p, part in enumerate(parts[1:], 1):
        if p in found:
            continue
        i = next((i for i, e in enumerate(entries) if i not in used and e.level == part.level
                  and e.title == part.title), None)
        if i is not None:
            found[p] = i
            used.add(i)

    def gap(p: int) -> tuple[int, int]:
        before = [found[q] for q in found if q < p]
        after = [found[q] for q in found if q > p]
        return max(before, default=-1), min(after, default=len(entries))

    for p, part in enumerate(parts[1:], 1):
        if p in found:
            continue
        low, high = gap(p)
        entries_left = [i for i in range(low + 1, high) if i not in used and
                        entries[i].level == part.level]
        parts_left = [q for q in range(1, len(parts)) if q not in found and
                      parts[q].level == part.level and gap(q) == (low, high)]
        if len(entries_left) == 1 and parts_left == [p]:
            found[p] = entries_left[0]
            used.add(entries_left[0])
    return found


# --------------------------------------------------------------------------- results


@dataclass
class Kept:
    """A policy saved from the edited manual."""

    id: str
    title: str
    path: str                  # relative to the company folder
    what: str                  # in words: "the company's version of the library's ..."


@dataclass
class NotKept:
    where: str                 # the part of the manual, as its heading says
    why: str
    fix: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.why}" + (f" - {self.fix}" if self.fix else "")


@dataclass
class AbsorbResult:
    name: str                  # the edited file, as given
    revision: int              # the revision the edited manual is
    compared_with: str         # what its policies were compared with
    kept: list[Kept] = field(default_factory=list)
    not_kept: list[NotKept] = field(default_factory=list)
    unchanged: int = 0
    files: dict[str, bytes] = field(default_factory=dict)   # company-folder path: bytes
    problems: list[Problem] = field(default_factory=list)   # of the policies saved

    @property
    def has_findings(self) -> bool:
        return bool(self.not_kept or self.problems)

    def headline(self) -> str:
        if not self.kept:
            return f"No policy changed in {self.name} (compared with {self.compared_with})."
        n = len(self.kept)
        titles = ", ".join(k.title for k in self.kept)
        return (f"{n} polic{'y' if n == 1 else 'ies'} changed: {titles}, saved in "
                f"{POLICIES_DIR}/")

    def as_text(self) -> str:
        lines = [self.headline()]
        lines += [f"  {k.title}: {k.path} ({k.what})" for k in self.kept]
        if self.kept:
            lines.append(f"  {self.unchanged} other policies unchanged; compared with "
                         f"{self.compared_with}.")
        if self.not_kept:
            lines.append("Not kept:")
            lines += [f"  {x}" for x in self.not_kept]
        if self.problems:
            lines.append("The saved policies have problems to fix before the next build:")
            lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.name, "revision": self.revision,
                "compared_with": self.compared_with,
                "kept": [k.__dict__ for k in self.kept],
                "not_kept": [x.__dict__ for x in self.not_kept],
                "unchanged": self.unchanged, "files": sorted(self.files),
                "problems": [p.as_dict() for p in self.problems]}


# --------------------------------------------------------------------------- the job


def _record_parts(inputs: Inputs, record: RevisionRecord,
                  regenerated: dict[str, Segment], fresh: RevisionRecord | None
                  ) -> dict[str, Segment]:
    """The policies of a recorded revision as Word parts, read back like the edited one:
    those the manual composed now says word for word are taken from it, the others laid
    out from the record's text."""
    now = {p.id: p.hash for p in fresh.policies} if fresh is not None else {}
    out = {f"policy:{p.id}": regenerated[f"policy:{p.id}"] for p in record.policies
           if now.get(p.id) == p.hash and f"policy:{p.id}" in regenerated}
    rest = [p for p in record.policies if f"policy:{p.id}" not in out]
    if not rest:
        return out
    document = open_master(inputs.library.forms_dir / MASTER_TEMPLATE)
    for policy in rest:
        wordxml.add_paragraph(document, policy.title, style="Heading 2")
        if policy.legislation:
            wordxml.add_paragraph(document, LEGISLATION + "; ".join(policy.legislation),
                                  style="Small Print")
        add_markdown(document, policy.text, heading_offset=2)
    parts = [p for p in segments(document) if p.level == 2]
    out.update({f"policy:{r.id}": part for r, part in zip(rest, parts, strict=True)})
    return out


def _flow(value: Any) -> str:
    """One YAML value on one line, as the library's headers write them."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6,
                          sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...")


def _yaml_header(data: dict[str, Any], comment: list[str]) -> str:
    """A policy header in the library's own style: one line a field, laws as a list."""
    lines = ["---", *[f"# {c}" for c in comment]]
    for key, value in data.items():
        if key == "legislation" and value:
            lines.append("legislation:")
            lines += [f"  - {_flow(item)}" for item in value]
        else:
            lines.append(f"{key}: {_flow(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


_LIBRARY_KEYS = ("id", "title", "element", "order", "applies", "forms", "legislation",
                 "targets")


def _company_file(header: dict[str, Any], body: str, comment: list[str]) -> bytes:
    return (_yaml_header(header, comment) + "\n" + body).encode("utf-8")


def _rendered_now(inputs: Inputs, pid: str) -> str | None:
    own = inputs.own.get(pid)
    if own is None:
        return None
    try:
        return render_text(policy_environment(), own.policy.body, inputs.context,
                           own.policy.path, own.policy.body_line - 1)
    except InputError:
        return None


def _names_company(document: Document, cover: Segment, company) -> bool:
    """The cover or a page header carries the company's name (the generator puts it in
    both; a user rarely edits both)."""
    texts = [b.text for b in cover.blocks]
    for section in document.sections:
        for part in (section.header, section.first_page_header):
            if not part.is_linked_to_previous or part is section.header:
                texts += [p.text for p in part.paragraphs]
    names = {company.name, company.legal_name}
    return any(n in t for t in texts for n in names)


def absorb(inputs: Inputs, data: bytes, *, name: str, on: dt.date,
           replace: bool = False) -> AbsorbResult:
    """Compare an edited manual with what was generated and plan the company policies
    that keep its edits (`files`); see the module docstring."""
    document = open_manual(data, name)
    parts = segments(document)
    profile = inputs.profile.profile
    if not _names_company(document, parts[0], profile.company):
        raise fail(name, f"this is not a manual of {profile.company.name}: neither its cover "
                   "nor its page header names the company",
                   fix="absorb the manual manualgen built from this company.yaml")
    current = profile.manual.revision
    revision = revision_of(parts)
    if revision is None:
        revision = current
    record = inputs.records.get(revision)
    regenerated: dict[str, Segment] = {}
    fresh: RevisionRecord | None = None
    if revision == current:
        rendered = render_policies(inputs)
        composed = compose(inputs.library.forms_dir / MASTER_TEMPLATE, inputs, rendered)
        fresh = make_record(inputs, rendered, composed.toc)
        mine = segments(composed.document)
        regenerated = {e.key: part for e, part in zip(composed.toc, mine[1:], strict=True)}
        regenerated["cover"] = mine[0]
    elif revision > current or record is None:
        raise fail(name, f"this manual is revision {revision}, company.yaml is at revision "
                   f"{current}" + ("" if revision > current else
                                   f", and revisions/ has no record of revision {revision}"),
                   fix=f"absorb an edited copy of revision {current}, or set manual.revision "
                       f"back to {revision} while you absorb it")
    source = record if record is not None and record.contents else fresh
    assert source is not None
    baseline = regenerated if source is fresh else _record_parts(inputs, source, regenerated,
                                                                 fresh)
    how = f"the record of revision {revision}" if source is record else \
        f"revision {revision} composed again from company.yaml and the library"
    result = AbsorbResult(name, revision, how)
    entries = source.contents
    found = match(parts, entries)
    policies = [e for e in entries if e.key.startswith("policy:")]
    same = sum(1 for p, i in found.items() if p and entries[i].key.startswith("policy:")
               and parts[p].title == entries[i].title)
    if policies and same < MIN_FOUND * len(policies):
        raise fail(name, f"this does not look like revision {revision} of the manual of "
                   f"{profile.company.name}: only {same} of its {len(policies)} policies "
                   "were found in it by their titles",
                   fix="absorb the manual manualgen built from this company.yaml")
    # Compare what is outside the policies only when the profile is the one it was built
    # from; otherwise a new hire would look like an edit of the people table.
    same_facts = fresh is not None and (record is None or record.facts == fresh.facts)
    edited = {entries[i].key: parts[p] for p, i in found.items() if i >= 0}
    edited["cover"] = parts[0]
    for entry in entries:
        key = entry.key
        part = edited.get(key)
        if key.startswith("policy:"):
            if part is None:
                pid = key.split(":", 1)[1]
                result.not_kept.append(NotKept(
                    entry.title, "was deleted from the manual; a rebuild puts it back",
                    f"to leave it out, add to company.yaml under manual: leave_out: - {{id: "
                    f"{pid}, reason: ...}}"))
                continue
            _policy(inputs, result, entry, part, baseline[key], source, replace, on)
        elif same_facts and key in regenerated:
            _outside(result, entry, part, regenerated[key])
    if same_facts:
        _outside(result, RecordEntry(bookmark="", level=0, title="The cover", key="cover"),
                 parts[0], regenerated["cover"])
    _new_parts(inputs, result, parts, found, entries, on)
    _lint(inputs, result, on)
    return result


def _outside(result: AbsorbResult, entry: RecordEntry, part: Segment | None,
             generated: Segment) -> None:
    where = entry.title
    if entry.key.startswith("element:"):
        holds = "the library (elements.yaml): chapter headings and what a chapter holds"
    else:
        holds = PROFILE_FIELDS.get(entry.key, "company.yaml")
    if part is None:
        result.not_kept.append(NotKept(where, "was deleted from the manual; a rebuild puts "
                                       "it back", f"its text comes from {holds}"))
    elif _plain(part) != _plain(generated) or part.title != generated.title:
        result.not_kept.append(NotKept(where, "was edited, but this text is built from the "
                                       "profile, so the edit is not kept",
                                       f"change {holds}"))


def _policy(inputs: Inputs, result: AbsorbResult, entry: RecordEntry, part: Segment,
            base: Segment, source: RevisionRecord, replace: bool, on: dt.date) -> None:
    pid = entry.key.split(":", 1)[1]
    new_md, new_laws = _policy_text(part)
    old_md, old_laws = _policy_text(base)
    title = part.title or entry.title
    if _same_text(new_md, old_md) and new_laws == old_laws and title == entry.title:
        result.unchanged += 1
        return
    was = source.policy(pid)
    own = inputs.own.get(pid)
    lib = inputs.library.policy(pid)
    rel = f"{POLICIES_DIR}/{pid}.md"
    comment = [f"The company's own text for {title!r}, kept by `manualgen absorb` from an "
               f"edited manual", f"(revision {result.revision}). Edit it here; run "
               "`manualgen check` after editing."]
    if own is not None:
        now = _rendered_now(inputs, pid)
        built_from_it = was is not None and was.source == "company" and now == was.text
        if not built_from_it and not replace:
            result.not_kept.append(NotKept(
                title, f"{rel} has changed since this manual was built, so the Word edits "
                "were not saved over it", "run absorb again with --replace to replace it "
                "(the current file is kept in policies/.history/), or copy the edits into "
                f"{rel} by hand"))
            return
        header = dict(own.policy.doc.data)
        old_revision = own.header.revision
        header["revision"] = old_revision + 1
        history = f"{POLICIES_DIR}/{HISTORY_DIR}/{pid}.r{old_revision}.md"
        result.files[history] = own.policy.path.read_bytes()
        what = (f"revision {old_revision + 1} of the company's version; revision "
                f"{old_revision} kept in {history}")
    elif lib is not None:
        header = {k: lib.doc.data[k] for k in _LIBRARY_KEYS if k in lib.doc.data}
        library_revision = was.library_revision if was is not None and \
            was.library_revision is not None else lib.header.revision
        header["revision"] = 1
        header["based_on"] = {"library": source.library.version, "revision": library_revision}
        what = (f"the company's version of the library's revision {library_revision}, "
                f"library {source.library.version}")
        base = f"{POLICIES_DIR}/{BASE_DIR}/{pid}.md"
        if library_revision == lib.header.revision and not (
                inputs.own.folder and (inputs.own.folder / BASE_DIR / f"{pid}.md").exists()):
            result.files[base] = lib.path.read_bytes()
    else:
        element = was.element if was is not None else 1
        header = {"id": pid, "title": title, "element": element, "applies": "always",
                  "forms": [], "legislation": old_laws, "revision": 1}
        what = "a policy of the company's own"
    header["title"] = title
    if new_laws != old_laws:
        header["legislation"] = new_laws
    header["reviewed"] = on
    header.setdefault("reason", f"Edited in the manual (revision {result.revision})")
    header = _ordered(header)
    result.files[rel] = _company_file(header, new_md, comment)
    result.kept.append(Kept(pid, title, rel, what))


_ORDER = ("id", "title", "element", "order", "applies", "forms", "legislation", "targets",
          "revision", "reviewed", "based_on", "reason")


def _ordered(header: dict[str, Any]) -> dict[str, Any]:
    return {k: header[k] for k in (*_ORDER, *[k for k in header if k not in _ORDER])
            if k in header}


def _new_parts(inputs: Inputs, result: AbsorbResult, parts: list[Segment],
               found: dict[int, int], entries: list[RecordEntry], on: dt.date) -> None:
    """Headings the generator did not write: a new policy when it has the five sections."""
    taken = {p.id for p in inputs.library.policies} | {o.id for o in inputs.own.own}
    chapter: int | None = None
    order = 50
    for p, part in enumerate(parts):
        if p in found:
            key = entries[found[p]].key if found[p] >= 0 else ""
            if key.startswith("element:"):
                chapter, order = int(key.split(":")[1]), 50
            elif key.startswith("policy:"):
                policy = inputs.library.policy(key[7:]) or \
                    (own.policy if (own := inputs.own.get(key[7:])) else None)
                order = policy.header.order if policy else order
            continue
        if part.level == 1 or chapter is None:
            result.not_kept.append(NotKept(part.title, "is a new chapter; the manual has one "
                                           "chapter for each audit element",
                                           "put the text in a policy of one of the "
                                           "element chapters"))
            continue
        markdown, laws = _policy_text(part)
        imported = structure([Block("heading", part.title, 2), *part.blocks], part.title)
        missing = [s for s in REQUIRED_SECTIONS if s not in imported.sections]
        if missing:
            result.not_kept.append(NotKept(part.title, "is new, but is not a policy with the "
                                           "sections " + ", ".join(REQUIRED_SECTIONS),
                                           "give it the headings " + ", ".join(missing) +
                                           " (Heading 3) and absorb again, or write it as "
                                           f"{POLICIES_DIR}/<id>.md"))
            continue
        pid = slug(part.title)
        while pid in taken:
            pid += "-company"
        taken.add(pid)
        order += 1
        header = {"id": pid, "title": part.title, "element": chapter, "order": order,
                  "applies": "always", "forms": [], "legislation": laws, "revision": 1,
                  "reviewed": on,
                  "reason": f"Added in the manual (revision {result.revision})"}
        rel = f"{POLICIES_DIR}/{pid}.md"
        result.files[rel] = _company_file(header, markdown, [
            f"A policy of the company's own, kept by `manualgen absorb` from an edited "
            f"manual (revision {result.revision}).", "Edit it here; run `manualgen check` "
            "after editing."])
        result.kept.append(Kept(pid, part.title, rel, f"a new policy in element {chapter}"))


def _lint(inputs: Inputs, result: AbsorbResult, on: dt.date) -> None:
    """The library's rules on the policies about to be saved, at their future paths."""
    from manualgen.library.lint import check_policy_files
    from manualgen.services.storage import Scratch

    saved = [rel for rel in result.files if rel.count("/") == 1]
    if not saved:
        return
    scratch = Scratch(prefix="manualgen-absorb-")
    try:
        paths = []
        for rel in saved:
            target = scratch.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(result.files[rel])
            paths.append(target)
        folder = inputs.profile.folder
        for problem in check_policy_files(paths, inputs.library, on=on,
                                          context=inputs.context):
            rel = str(Path(problem.path).relative_to(scratch.path))
            shown = str(folder / rel) if folder is not None else rel
            if problem.severity is Severity.ERROR:
                result.problems.append(Problem(shown, problem.line, problem.field,
                                               problem.message, problem.fix, problem.severity))
    finally:
        scratch.cleanup()
