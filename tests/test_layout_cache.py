"""Incremental layout: chapters laid out alone, by content hash, give exactly the numbers
(and so the bytes) of a layout of the whole manual, on several manuals after edits."""

from __future__ import annotations

import copy
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from manualgen import api
from manualgen.cli import main
from manualgen.inputs.pipeline import prepare
from manualgen.manual.build import MASTER_TEMPLATE, render_policies
from manualgen.manual.compose import compose
from manualgen.render import paginate
from manualgen.render.docx_io import docx_bytes
from manualgen.render.paginate import LayoutCache, segments
from manualgen.services.office import Office

from conftest import EXAMPLE, MINIMAL_PROFILE, needs_libreoffice

pytestmark = needs_libreoffice()


@pytest.fixture(scope="module")
def office():
    with Office.warm() as warm:       # cold runs where the UNO bridge is missing
        yield warm


@pytest.fixture(scope="module")
def library():
    return api.load_library()


def example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def drop_equipment(data: dict) -> None:
    data["equipment"] = data["equipment"][:-3]


def drop_hazard(data: dict) -> None:
    data["hazards"].remove("wildlife")          # a policy fewer in a middle chapter


def more_people(data: dict) -> None:
    data["people"].extend({"name": f"Worker {i}", "position": "Roofer", "roles": ["worker"]}
                          for i in range(12))


def rename(data: dict) -> None:
    data["company"]["operating_name"] = "Kluane Ridge Roofing and Sheet Metal"  # every header


def add_worksite(data: dict) -> None:
    data["worksites"].append({"name": "Beaver Creek lots", "kind": "mobile"})


CASES: list[tuple[str, Callable[[], dict], Callable[[dict], None], bool]] = [
    # (name, profile, edit, only some chapters change)
    ("example-equipment", example, drop_equipment, True),
    ("example-hazard", example, drop_hazard, True),
    ("example-people", example, more_people, True),
    ("example-renamed", example, rename, False),
    ("minimal-worksite", lambda: copy.deepcopy(MINIMAL_PROFILE), add_worksite, True),
]


def profile(data: dict, library, folder: Path):
    return api.load_profile(data, library, folder=folder)


@pytest.mark.parametrize(("name", "base", "edit", "partial"), CASES, ids=[c[0] for c in CASES])
def test_incremental_numbers_equal_a_full_layout_after_an_edit(name, base, edit, partial,
                                                               office, library, tmp_path):
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    before = base()
    after = copy.deepcopy(before)
    edit(after)
    cache = LayoutCache(tmp_path / "cache")
    first = api.manual.build(profile(before, library, tmp_path), library,
                             api.manual.ManualOptions(office=office, cache=cache))
    assert cache.hits == 0
    chapters = cache.misses
    again = api.manual.build(profile(before, library, tmp_path), library,
                             api.manual.ManualOptions(office=office, cache=cache))
    assert again.docx == first.docx and cache.hits == chapters    # nothing laid out
    edited = api.manual.build(profile(after, library, tmp_path), library,
                              api.manual.ManualOptions(office=office, cache=cache))
    full = api.manual.build(profile(after, library, tmp_path), library,
                            api.manual.ManualOptions(office=office))
    assert edited.docx == full.docx, f"{name}: incremental numbers differ from a full layout"
    assert edited.pages == full.pages
    laid_out = cache.misses - chapters
    if partial:
        assert 0 < laid_out < chapters / 2, f"{name}: {laid_out} of {chapters} laid out"
    else:
        assert laid_out >= chapters - 1                # the header changed every page
    # And a cache read back from its folder in a new process gives the same.
    fresh = LayoutCache(tmp_path / "cache")
    assert api.manual.build(profile(after, library, tmp_path), library,
                            api.manual.ManualOptions(office=office, cache=fresh)).docx == full.docx
    assert fresh.misses == 0


def _edit_body(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, edit(body) if info.filename == "word/document.xml" else body)
    return out.getvalue()


def _renumbered(data: bytes, shift: int) -> bytes:
    """The same document with every bookmark's name and id and every picture id shifted,
    as they are when a chapter before gains a heading or a picture."""
    def bump(match: re.Match) -> bytes:
        return match.group(1) + str(int(match.group(2)) + shift).encode()

    def edit(body: bytes) -> bytes:
        body = re.sub(rb"_Toc(\d+)", lambda m: b"_Toc%08d" % (int(m.group(1)) + shift), body)
        body = re.sub(rb"(<w:bookmark(?:Start|End) w:id=\")(\d+)", bump, body)
        return re.sub(rb"(<wp:docPr id=\")(\d+)", bump, body)

    return _edit_body(data, edit)


@pytest.mark.parametrize("way", ["text", "tree"])
def test_a_chapter_hash_ignores_names_that_shift_with_earlier_chapters(library, tmp_path, way,
                                                                      monkeypatch):
    # "tree": the way for a document under other prefixes than lxml's usual ones.
    if way == "tree":
        monkeypatch.setattr(paginate, "_PREFIXES", {"w": "another namespace"})
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    inputs = prepare(profile(example(), library, tmp_path), library)
    composed = compose(library.forms_dir / MASTER_TEMPLATE, inputs, render_policies(inputs))
    data = docx_bytes(composed.document, inputs.profile.profile.manual.issued)
    toc = [(e.level, e.bookmark) for e in composed.toc]
    shifted = _renumbered(data, 7)
    assert shifted != data
    moved = [(level, f"_Toc{int(b[4:]) + 7:08d}") for level, b in toc]
    original, renamed = segments(data, toc)[0], segments(shifted, moved)[0]
    assert len(original) > 15
    assert [s.key for s in original] == [s.key for s in renamed]
    assert [len(s.bookmarks) for s in original] == [len(s.bookmarks) for s in renamed]
    # While a change of content does change the key of its chapter, and only that one.
    edited = _edit_body(data, lambda b: b.replace(b">Approval</w:t>", b">Approvals</w:t>"))
    assert edited != data
    keys = [s.key for s in segments(edited, toc)[0]]
    assert [i for i, (a, b) in enumerate(zip(keys, original, strict=True))
            if a != b.key] == [1]                        # Document Control
    # And so does a change of the LibreOffice (or fonts) that lays it out.
    assert segments(data, toc, "another LibreOffice")[0][3].key != original[3].key


def test_cli_keeps_the_cache_beside_the_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("MANUALGEN_OFFICE_SOCKET", str(tmp_path / "none.sock"))
    shutil.copy(EXAMPLE, tmp_path / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    runner = CliRunner()
    for name in ("a", "b"):
        result = runner.invoke(main, ["manual", str(tmp_path / "company.yaml"),
                                      "-o", str(tmp_path / f"{name}.docx")])
        assert result.exit_code == 0, result.output
    cached = list((tmp_path / ".manualgen" / "layout").glob("*.json"))
    assert len(cached) > 10
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    result = runner.invoke(main, ["manual", str(tmp_path / "company.yaml"), "-o",
                                  str(tmp_path / "c.docx"), "--no-cache"])
    assert result.exit_code == 0
    assert (tmp_path / "c.docx").read_bytes() == (tmp_path / "a.docx").read_bytes()


def _whole_and_alone(data: bytes, toc: list[tuple[int, str]], office):
    """The pages of a whole layout, and for each chapter those it gets laid out alone
    (every other segment's layout known), as after an edit to that chapter only."""
    from manualgen.render.paginate import paginate_incremental

    whole_cache = LayoutCache()
    whole = paginate_incremental(data, toc, office, whole_cache)
    found, _ = segments(data, toc, office.identity)
    alone = {}
    for seg in found[1:]:
        cache = LayoutCache()
        for other in found:
            if other.key != seg.key:
                cache.put(other.key, whole_cache.memory[other.key])
        alone[seg.bookmarks[0]] = paginate_incremental(data, toc, office, cache)
        assert alone[seg.bookmarks[0]].laid_out == 1
    return whole, alone


def test_every_chapter_laid_out_alone_gets_its_pages_in_the_whole(office, tmp_path):
    """A chapter laid out as the first thing of a document once came out a page shorter
    at a heading LibreOffice had pushed to the next page in the whole manual: found by
    the fleet benchmark, for this company after this paragraph was added to a policy."""
    from manualgen.resources import library_paths

    paths = library_paths()
    shutil.copytree(paths.policies, tmp_path / "library" / "policy_library")
    shutil.copytree(paths.forms, tmp_path / "library" / "form_templates")
    policy = tmp_path / "library" / "policy_library" / "policies" / "hazard-assessment.md"
    text = policy.read_text(encoding="utf-8")
    cut = text.index("\n## ", text.index("\n## ") + 1)
    policy.write_text(text[:cut] + "\n\nAfter a near miss, the supervisor and the worker who "
                      "reported it review the assessment together within one working day and "
                      "record what they changed.\n" + text[cut:], encoding="utf-8")
    library = api.load_library(tmp_path / "library")
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    data = example()
    data["company"].update(legal_name="Haines Builders 0 Ltd.", operating_name="Haines Builders 0")
    data["hazards"] = ["vehicles", "power_tools", "wildlife", "ladders", "working_at_heights"]
    data["equipment"] = data["equipment"][:4]
    for person, name in zip(data["people"][1:], ["Ben Aklavik", "Ivo Bennett", "Pia Carcross",
                                                  "Moe Destruction", "Jun Elsa"], strict=True):
        person["name"] = name
    inputs = prepare(profile(data, library, tmp_path), library)
    composed = compose(library.forms_dir / MASTER_TEMPLATE, inputs, render_policies(inputs))
    draft = docx_bytes(composed.document, inputs.profile.profile.manual.issued)
    toc = [(e.level, e.bookmark) for e in composed.toc]
    whole, alone = _whole_and_alone(draft, toc, office)
    for first, pagination in alone.items():
        assert pagination.pages == whole.pages, f"the chapter at {first} laid out alone"
        assert pagination.total == whole.total


def test_segments_split_into_lanes_of_about_equal_size():
    from manualgen.render.paginate import Segment, groups

    segs = [Segment(str(i), i, i + 1, [f"b{i}"], i == 0, size)
            for i, size in enumerate([50, 400, 100, 300, 90, 60])]
    two = groups(segs, 2)
    assert [[s.first for s in g] for g in two] == [[1, 4], [0, 2, 3, 5]]   # 490 and 510
    assert all(g == sorted(g, key=lambda s: s.first) for g in two)       # document order
    assert groups(segs, 1) == [segs]
    assert groups(segs[:1], 2) == [segs[:1]]                              # never an empty one


@pytest.mark.parametrize("edit", [None, rename, more_people], ids=["example", "renamed",
                                                                  "more-people"])
def test_two_warm_instances_side_by_side_give_the_numbers_of_one(edit, office, library,
                                                                  tmp_path):
    """Laid out in two documents at once, in two LibreOffices, the manual gets the
    contents numbers (so the bytes) of one layout of the whole in one."""
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    data = example()
    if edit is not None:
        edit(data)
    one = api.manual.build(profile(data, library, tmp_path), library,
                           api.manual.ManualOptions(office=office))
    with Office.warm(instances=2) as two:
        if not two.is_warm:
            pytest.skip("python3-uno not installed")
        cache = LayoutCache()
        side_by_side = api.manual.build(profile(data, library, tmp_path), library,
                                        api.manual.ManualOptions(office=two, cache=cache))
        assert [s.ping()["docs"] for s in two.services] == [1, 1]
    assert side_by_side.docx == one.docx
    assert side_by_side.pages == one.pages
    assert cache.misses > 15
