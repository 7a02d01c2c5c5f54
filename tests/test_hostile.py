"""Hostile input and faults (issue 13): every reproducer of the issue, one test each.

Each test feeds one input that crashed manualgen or ran away with its time or memory and
asserts the clean outcome: a message naming the file (and line, field or cell), exit 2 on
the command line, or the file left out and listed with --skip-unreadable.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from manualgen import api
from manualgen.cli import main
from manualgen.errors import InputError
from manualgen.io import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_VALUES, parse_yaml

from conftest import EXAMPLE, MINIMAL_PROFILE, needs_libreoffice


@pytest.fixture(scope="module")
def library() -> api.Library:
    return api.load_library()


def company(tmp_path: Path, **changes) -> Path:
    """The minimal profile with `changes` to its company section, as a file."""
    data = {**MINIMAL_PROFILE, "company": {**MINIMAL_PROFILE["company"], **changes}}
    path = tmp_path / "company.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10**9), encoding="utf-8")
    return path


def problems_of(source, library) -> list[str]:
    with pytest.raises(InputError) as err:
        api.load_profile(source, library)
    return [str(p) for p in err.value.problems]


def check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(path)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# --- 1. control characters in company text -------------------------------------------------

@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\ufffe", "\uffff"])
def test_control_character_in_the_legal_name_is_refused_by_check(tmp_path, library, char):
    path = company(tmp_path, legal_name=f"Acme {char} Ltd")
    code, output = check(path)
    assert code == 2
    assert re.search(rf"company\.yaml:\d+: company\.legal_name: contains an invisible "
                     rf"control character \(U\+{ord(char):04X}\)", output)


def test_control_characters_in_every_text_field_are_found_at_once(tmp_path, library):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["company"]["address"] = "1 Main\x01 St"
    data["people"][0]["position"] = "Owner\x1b"
    data["emergency"]["muster_point"] = "Gate\x00"
    found = problems_of(data, library)
    assert any("company.address: contains an invisible control character" in p for p in found)
    assert any("position: contains an invisible control character" in p for p in found)
    assert any("emergency.muster_point: contains an invisible" in p for p in found)


def test_tab_and_line_breaks_are_text_not_controls(library):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["company"]["scope_of_work"] = "Roofing\tand siding.\nAlso gutters."
    del data["company"]["logo"]
    api.load_profile(data, library)


# --- 2. over-long text ---------------------------------------------------------------------

def test_legal_name_over_the_limit_says_characters(tmp_path, library):
    code, output = check(company(tmp_path, legal_name="A" * 230))
    assert code == 2
    assert re.search(r"company\.yaml:\d+: company\.legal_name: is longer than 200 "
                     r"characters - shorten it", output)


def test_longest_names_allowed_still_make_the_documents(tmp_path, library):
    """Every text at its limit: the Word properties (255 characters at most) still fit."""
    path = company(tmp_path, legal_name="L" * 200, operating_name="O" * 200)
    result = api.forms.build(path, library)
    assert len(result.files) == len(library.forms)


# --- 3. huge numbers -------------------------------------------------------------------------

def test_peak_employees_of_5000_digits(tmp_path, library):
    path = tmp_path / "company.yaml"
    text = yaml.safe_dump(MINIMAL_PROFILE, allow_unicode=True)
    path.write_text(text.replace("peak_employees: 1", "peak_employees: " + "9" * 5000),
                    encoding="utf-8")
    code, output = check(path)
    assert code == 2
    assert re.search(r"company\.yaml:\d+: company\.peak_employees: '9{20,}\.\.\. \(5,000 "
                     r"characters\) is far too large a number", output)
    assert len(output) < 400                            # the number is not the message


def test_an_all_digit_phone_of_a_megabyte(tmp_path, library):
    path = tmp_path / "company.yaml"
    text = yaml.safe_dump(MINIMAL_PROFILE, allow_unicode=True)
    path.write_text(text.replace("867-555-0100", "9" * 1_000_000), encoding="utf-8")
    code, output = check(path)
    assert code == 2
    assert re.search(r"company\.yaml:\d+: company\.phone: is longer than 40 characters",
                     output)


def test_a_yaml_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "company.yaml"
    path.write_text("phone: " + "9" * (MAX_YAML_BYTES + 10) + "\n", encoding="utf-8")
    code, output = check(path)
    assert code == 2
    assert "company.yaml: the file is 2 MB; the tool reads files of this kind up to 2 MB" \
        in output


def test_a_pipe_given_as_the_profile_is_refused_not_read(tmp_path):
    fifo = tmp_path / "company.yaml"
    import os

    os.mkfifo(fifo)
    code, output = check(fifo)                          # would block forever if read
    assert code == 2 and "is not a regular file" in output


# --- 7. YAML aliases -------------------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] +
    [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
     for i in range(8)]) + "\n"


def test_billion_laughs_is_refused_quickly_at_its_line(tmp_path):
    path = tmp_path / "company.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    start = time.monotonic()
    code, output = check(path)
    assert time.monotonic() - start < 10
    assert code == 2
    assert re.search(rf"company\.yaml:\d: this file holds more than {MAX_YAML_VALUES:,} "
                     r"values once its aliases \(\*name\) are written out", output)


def test_a_few_aliases_are_fine():
    doc = parse_yaml("base: &b {kind: fixed}\nsites: [*b, *b, *b]\n", "f.yaml")
    assert doc.data["sites"] == [{"kind": "fixed"}] * 3


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(InputError, match=r"^f\.yaml:1: an alias \(\*name\) here refers to a "
                                         r"value that contains it"):
        parse_yaml("a: &x [1, *x]\n", "f.yaml")


def test_nesting_deeper_than_any_field_is_refused():
    text = "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5)
    with pytest.raises(InputError, match=rf"^f\.yaml:1: the values are nested more than "
                                         rf"{MAX_YAML_DEPTH} levels deep"):
        parse_yaml(text, "f.yaml")


# --- the other models that reach Word files and PDF properties -----------------------------

def submission_folder(root: Path, settings: str = "", **records: str) -> Path:
    """A submission beside the minimal company, with the example's records (or `records`)."""
    import shutil

    from test_package_fixtures import EXAMPLE_RECORDS

    root.mkdir(parents=True, exist_ok=True)
    (root / "company.yaml").write_text(yaml.safe_dump(MINIMAL_PROFILE, allow_unicode=True),
                                       encoding="utf-8")
    folder = root / "sub"
    folder.mkdir()
    (folder / "submission.yaml").write_text("anniversary: 2026-12-15\n" + settings,
                                            encoding="utf-8")
    shutil.copytree(EXAMPLE_RECORDS, folder / "records")
    for name, text in records.items():                   # goals_yaml -> goals.yaml
        stem, suffix = name.rsplit("_", 1)
        path = folder / "records" / f"{stem.replace('_', '-')}.{suffix}"
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("settings", "message"), [
    ("prepared_by: " + "B" * 300 + "\n", r"prepared_by: is longer than 120 characters"),
    ('prepared_by: "Mary \\x01"\n', r"prepared_by: contains an invisible control character"),
    ("notes: " + "n" * 2500 + "\n", r"notes: is longer than 2000 characters"),
    ("samples:\n  site-inspections/a.pdf: {title: \"T\\x1b\"}\n",
     r"samples\.site-inspections/a\.pdf\.title: contains an invisible control character"),
    ("targets: {inspection: .inf}\n", r"targets\.inspection: "),
    ("year: " + "2" * 5000 + "\n", r"year: '2{20,}\.\.\. \(5,000 characters\) is far too large"),
])
def test_submission_yaml_values_are_bounded(tmp_path, settings, message):
    folder = submission_folder(tmp_path, settings)
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.pdf")])
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert re.search(r"submission\.yaml:\d+: " + message, result.output), result.output
    assert not (tmp_path / "s.pdf").exists()


@pytest.mark.parametrize(("goals", "message"), [
    ("last_year:\n  - {goal: \"G\\x01\", outcome: O, met: yes}\n",
     r"last_year\.0\.goal: contains an invisible control character"),
    ("next_year:\n  - {goal: " + "g" * 2500 + "}\n", r"next_year\.0\.goal: is longer than 2000"),
])
def test_goals_are_bounded(tmp_path, goals, message):
    folder = submission_folder(tmp_path, goals_yaml=goals)
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.pdf"),
                                       "--docx", str(tmp_path / "s.docx")])
    assert result.exit_code == 2, result.output
    assert re.search(r"goals\.yaml:\d+: " + message, result.output), result.output


def test_previous_year_figures_must_be_finite(tmp_path):
    folder = submission_folder(tmp_path, previous_year_yaml="hours: .inf\ndays_lost: -1\n")
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.pdf")])
    assert result.exit_code == 2, result.output
    assert re.search(r"previous-year\.yaml:1: hours: ", result.output)
    assert re.search(r"previous-year\.yaml:2: days_lost: ", result.output)


def test_word_properties_are_cut_to_what_word_holds():
    import docx

    from manualgen.render.docx_io import CORE_PROPERTY_LIMIT, set_properties

    document = docx.Document()
    set_properties(document, title="T" * 400, author="A" * 300, when=__import__(
        "datetime").date(2026, 1, 1), subject="S" * 256, keywords="K" * 255)
    props = document.core_properties
    assert len(props.title) == len(props.author) == len(props.subject) == CORE_PROPERTY_LIMIT
    assert props.title.endswith("…") and props.keywords == "K" * 255


# --- records: every cell checked, sizes bounded, the summary linear ------------------------

INCIDENTS = "date,class,description,days_lost,modified_days,investigated,reported_to_wscb\n"


def incident_rows(n: int) -> str:
    return INCIDENTS + "".join(f"2026-{i % 10 + 1:02d}-{i % 28 + 1:02d},near_miss,"
                               f"Incident {i} on the roof,0,0,yes,no\n" for i in range(n))


@pytest.mark.parametrize(("row", "message"), [
    ("2026-05-28,first_aid,Cut \x01 hand,0,0,yes,no",
     r"incidents\.csv:\d+: description: contains an invisible control character \(U\+0001\)"),
    ("2026-05-28,first_aid," + "d" * 2500 + ",0,0,yes,no",
     r"incidents\.csv:\d+: description: is longer than 2,000 characters"),
    ("2026-05-28,first_aid,Cut," + "9" * 5000 + ",0,yes,no",
     r"incidents\.csv:\d+: days_lost: '9{20,}\.\.\. \(5,000 characters\) is far too large"),
    ("2026-05-28,first_aid,Cut,nan,0,yes,no", r"incidents\.csv:\d+: days_lost: 'nan' is not a"),
    ("2026-05-28,first_aid,Cut,inf,0,yes,no", r"days_lost: 'inf' is far too large a number"),
])
def test_bad_record_cells_are_named(tmp_path, row, message):
    folder = submission_folder(tmp_path, incidents_csv=INCIDENTS + row + "\n")
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.pdf"),
                                       "--docx", str(tmp_path / "s.docx")])
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert re.search(message, result.output), result.output
    assert not (tmp_path / "s.pdf").exists() and not (tmp_path / "s.docx").exists()


def test_100000_incidents_are_refused_quickly_with_the_limit(tmp_path):
    from manualgen.inputs.tables import MAX_ROWS

    folder = submission_folder(tmp_path, incidents_csv=incident_rows(100_000))
    start = time.monotonic()
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.pdf")])
    assert time.monotonic() - start < 30
    assert result.exit_code == 2, result.output
    assert re.search(rf"incidents\.csv:{MAX_ROWS + 2}: more than {MAX_ROWS:,} records "
                     rf"\(row {MAX_ROWS + 2}\); the tool reads up to {MAX_ROWS:,} per file",
                     result.output)


def test_a_records_file_over_the_size_limit_is_refused_unread(tmp_path):
    from manualgen.inputs.tables import MAX_FILE_BYTES

    big = INCIDENTS + "#" + "x" * MAX_FILE_BYTES + "\n"
    folder = submission_folder(tmp_path, incidents_csv=big)
    result = CliRunner().invoke(main, ["package", "check", str(folder)])
    assert "incidents.csv: the file is 20 MB; the tool reads files of this kind up to 20 MB" \
        in result.output


def test_an_excel_sheet_reaching_the_last_row_and_column_is_refused_quickly(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(INCIDENTS.strip().split(","))
    sheet.cell(row=1_048_576, column=16_384, value="x")
    folder = submission_folder(tmp_path)
    (folder / "records" / "incidents.csv").unlink()
    book.save(folder / "records" / "incidents.xlsx")
    start = time.monotonic()
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.pdf")])
    assert time.monotonic() - start < 30
    assert result.exit_code == 2
    assert "incidents.xlsx: the first sheet runs to more than 100,000 rows" in result.output


def test_summary_pdf_lays_out_each_record_row_once(tmp_path, monkeypatch):
    """reportlab re-made the rest of a long table at every page break (quadratic: 100,000
    incidents ran for minutes); the rows of every table made must stay linear."""
    from reportlab.platypus import tables

    made = [0]
    real = tables.Table.__init__

    def counting(self, data, *args, **kwargs):
        made[0] += len(data)
        real(self, data, *args, **kwargs)

    monkeypatch.setattr(tables.Table, "__init__", counting)
    n = 1500
    folder = submission_folder(tmp_path, incidents_csv=incident_rows(n))
    sub = api.submission.load(folder, api.load_library())
    pdf = api.summary.build(sub).pdf_bytes()
    assert pdf.startswith(b"%PDF")
    assert made[0] < 3 * n, f"{made[0]} table rows made for {n} incidents"


# --- 4, 5. pictures that claim billions of pixels -------------------------------------------

def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header for a width x height picture: 60 bytes that decode to gigabytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b""))


def tiff_claiming(width: int, height: int = 1) -> bytes:
    """An uncompressed greyscale TIFF whose header says width x height."""
    import struct

    entries = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
               (273, 4, 8 + 2 + 12 * 9 + 4), (277, 3, 1), (278, 4, height), (279, 4, 16)]
    out = b"II*\x00" + struct.pack("<IH", 8, len(entries))
    for tag, kind, value in entries:
        out += struct.pack("<HHIHH", tag, kind, 1, value, 0) if kind == 3 else \
            struct.pack("<HHII", tag, kind, 1, value)
    return out + struct.pack("<I", 0) + b"\0" * 16


def test_logo_of_20000_by_20000_pixels(tmp_path):
    path = company(tmp_path, logo="logo.png")
    (tmp_path / "logo.png").write_bytes(png_claiming(20_000, 20_000))
    code, output = check(path)
    assert code == 2
    assert re.search(r"company\.yaml:\d+: company\.logo: 'logo\.png' has hundreds of millions "
                     r"of pixels, more than a logo needs \(at most 40 million pixels\)", output)


def test_logo_over_the_limit_says_its_size(tmp_path):
    path = company(tmp_path, logo="logo.png")
    (tmp_path / "logo.png").write_bytes(png_claiming(7000, 7000))
    code, output = check(path)
    assert code == 2 and "'logo.png' is 7,000 x 7,000 pixels, more than a logo needs" in output


BOMBS = {
    "site-inspections/2026-04-01 wide scan.tif": tiff_claiming(4_000_000_000),
    "site-inspections/2026-04-02 huge photo.png": png_claiming(20_000, 20_000),
    "site-inspections/2026-04-03 big scan.png": png_claiming(9000, 9000),
}


def bomb_folder(root: Path) -> Path:
    from test_package_fixtures import make_folder, reportlab_pdf

    files = {**BOMBS, "site-inspections/2026-05-01 fine.pdf": reportlab_pdf("fine", 1)}
    return make_folder(root, EXAMPLE, files)


def test_picture_bombs_are_named_as_unreadable_by_check(tmp_path):
    folder = bomb_folder(tmp_path)
    result = CliRunner().invoke(main, ["package", "check", str(folder)])
    assert "Traceback" not in result.output and result.exit_code == 1
    assert "2026-04-01 wide scan.tif: the picture has far more pixels than the 80 million " \
           "allowed - scan or photograph it again at 300 dpi" in result.output
    assert "2026-04-02 huge photo.png: the picture has far more pixels" in result.output
    assert "2026-04-03 big scan.png: the picture is 9,000 x 9,000 pixels (81 million); at " \
           "most 80 million are allowed" in result.output


def test_picture_bombs_stop_the_build_or_are_left_out_and_listed(tmp_path):
    import json

    from manualgen.submission.build import BuildOptions

    from conftest import package_build
    from test_package_fixtures import stub_summary

    folder = bomb_folder(tmp_path)
    out = tmp_path / "out" / "submission.pdf"
    with pytest.raises(InputError) as err:
        package_build(folder, out, generators={"year_end_summary": stub_summary()})
    assert all(Path(name).name in str(err.value) for name in BOMBS)
    assert not out.exists()
    package_build(folder, out, BuildOptions(skip_unreadable=True),
                  generators={"year_end_summary": stub_summary()})
    index = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    left_out = {f["file"] for c in index["categories"] for f in c["not_included"]}
    assert set(BOMBS) <= left_out


def test_a_tiff_of_more_pages_than_allowed(tmp_path):
    from PIL import Image

    from manualgen.inputs.images import MAX_FRAMES
    from manualgen.submission.normalise import Unreadable, probe_image

    path = tmp_path / "scan.tif"
    frames = [Image.new("L", (4, 4)) for _ in range(MAX_FRAMES + 1)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with pytest.raises(Unreadable, match=rf"more than {MAX_FRAMES} pages"):
        probe_image(path)


def test_a_sample_file_too_large_is_refused_unread(tmp_path):
    import os

    folder = bomb_folder(tmp_path)
    huge = folder / "site-inspections" / "2026-06-01 huge.pdf"
    with huge.open("wb") as fh:                     # sparse: nothing is written
        fh.truncate(600 * 2**20)
    result = CliRunner().invoke(main, ["package", "check", str(folder)])
    assert "2026-06-01 huge.pdf: the file is 600 MB; a PDF sample may be at most 500 MB" \
        in result.output
    os.unlink(huge)


# --- 6. a bit-flipped PDF whose resources hold a name that is not UTF-8 --------------------

def pdf_with_bad_name(name: str) -> bytes:
    """A one-page PDF whose font dictionary has a key with a byte that is not UTF-8 (a bit
    flip in '/BaseFont'), and a 200-deep array beside it."""
    import io

    import pikepdf

    from test_package_fixtures import reportlab_pdf

    with pikepdf.open(io.BytesIO(reportlab_pdf(name, 1))) as pdf:
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        deep = pikepdf.Array([1])
        for _ in range(200):
            deep = pikepdf.Array([deep])
        font.Deep = deep
        buf = io.BytesIO()
        pdf.save(buf, qdf=True, compress_streams=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = buf.getvalue()
    at = data.index(b"/BaseFont")
    return data[:at + 8] + b"\xf4" + data[at + 9:]        # /BaseFon\xf4


def test_pdf_with_a_name_that_is_not_utf8_is_built(tmp_path):
    import pikepdf

    from manualgen.submission.build import BuildOptions

    from conftest import package_build
    from test_package_fixtures import make_folder, stub_summary

    files = {"site-inspections/2026-04-03 flipped.pdf": pdf_with_bad_name("f1"),
             "site-inspections/2026-04-04 flipped copy.pdf": pdf_with_bad_name("f2"),
             "site-inspections/2026-04-05 truncated.pdf": b"%PDF-1.4\n1 0 obj"}
    folder = make_folder(tmp_path, EXAMPLE, files)
    out = tmp_path / "out" / "submission.pdf"
    package_build(folder, out, BuildOptions(skip_unreadable=True),
                  generators={"year_end_summary": stub_summary()})
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) > 2


# --- a zip-bomb Word sample ----------------------------------------------------------------

def docx_expanding_to(megabytes: int) -> bytes:
    """A .docx whose text part unzips to `megabytes` MB (it zips to a few hundred KB)."""
    import io
    import zipfile

    from test_package_fixtures import docx_bytes

    src = zipfile.ZipFile(io.BytesIO(docx_bytes("bomb")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                run = b"<w:r><w:t>" + b"a" * (megabytes * 2**20) + b"</w:t></w:r>"
                data = data.replace(b"</w:body>", b"<w:p>" + run + b"</w:p></w:body>")
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_zip_bomb_word_sample_never_reaches_libreoffice(tmp_path):
    from manualgen.submission.build import BuildOptions

    from conftest import package_build
    from test_package_fixtures import make_folder, stub_summary

    bomb = docx_expanding_to(30)
    assert len(bomb) < 2**20
    folder = make_folder(tmp_path, EXAMPLE, {"toolbox-meetings/2026-05-02 minutes.docx": bomb})
    result = CliRunner().invoke(main, ["package", "check", str(folder)])
    assert "2026-05-02 minutes.docx: the document is far larger inside than a Word file " \
           "should be: its text (word/document.xml) unzips to 30 MB (at most 200 MB, text " \
           "at most 25 MB)" in result.output
    seen: list = []
    out = tmp_path / "out" / "submission.pdf"
    package_build(folder, out, BuildOptions(skip_unreadable=True),
                  generators={"year_end_summary": stub_summary()},
                  convert=lambda sources, out_dir: seen.extend(sources) or [])
    assert seen == []


def test_word_sample_whose_zip_lies_about_its_sizes_is_damaged(tmp_path):
    import struct

    from manualgen.submission.normalise import Unreadable, sniff_word

    data = bytearray(docx_expanding_to(1))
    # Say word/document.xml unzips to 100 bytes, in the local header and the directory.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            length = struct.unpack_from("<H", data, at + (26 if offset == 22 else 28))[0]
            if bytes(data[name_at:name_at + length]) == b"word/document.xml":
                struct.pack_into("<I", data, at + offset, 100)
            start = at + 4
    path = tmp_path / "liar.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(Unreadable, match="damaged"):
        sniff_word(path)


# --- a bug has its own exit code ------------------------------------------------------------

def boom(*args, **kwargs):
    raise RuntimeError("something inside manualgen broke")


def test_a_bug_exits_3_with_one_line_and_a_crash_log(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(api, "check_profile", boom)
    result = CliRunner().invoke(main, ["check", str(EXAMPLE)])
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    match = re.fullmatch(r"manualgen failed with an internal error \(RuntimeError\); this is "
                         r"a bug in manualgen, not in your files - the details are in "
                         r"(\S+manualgen-crash-\S+\.log)", lines[0])
    assert match, lines[0]
    log = Path(match.group(1)).read_text(encoding="utf-8")
    assert "Traceback" in log and "something inside manualgen broke" in log


def test_a_bug_with_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(api, "check_profile", boom)
    result = CliRunner().invoke(main, ["--debug", "check", str(EXAMPLE)])
    assert result.exit_code == 3
    assert "Traceback" in result.output and "something inside manualgen broke" in result.output


def test_findings_bad_input_bugs_and_missing_tools_have_their_codes(tmp_path, monkeypatch):
    from manualgen.errors import ExitCode

    bad = company(tmp_path, legal_name="")
    assert check(bad)[0] == ExitCode.BAD_INPUT == 2
    assert check(EXAMPLE)[0] == ExitCode.OK == 0
    # LibreOffice missing: not the user's files (2), not a bug (3), but the tool (4)
    no_office = CliRunner().invoke(main, ["manual", str(EXAMPLE), "-o",
                                          str(tmp_path / "m.docx"), "--pdf"],
                                   env={"MANUALGEN_SOFFICE": str(tmp_path / "no-soffice"),
                                        "MANUALGEN_OFFICE_SOCKET": str(tmp_path / "n.sock")})
    assert no_office.exit_code == ExitCode.TOOL == 4, no_office.output
    assert "LibreOffice is needed" in no_office.output and "install" in no_office.output
    assert not (tmp_path / "m.docx").exists()
    monkeypatch.setattr(api, "check_profile", boom)
    assert CliRunner().invoke(main, ["check", str(EXAMPLE)]).exit_code == ExitCode.BUG == 3


# --- kill -9 at random moments ---------------------------------------------------------------

KILL_TRIES = 3


def _marked_processes(mark: str) -> list[tuple[int, str]]:
    """Processes whose environment carries `mark`: the run and everything it started."""
    import os

    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if f"MANUALGEN_TEST_MARK={mark}".encode() not in fh.read():
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                found.append((int(pid), fh.read().replace(b"\0", b" ").decode()[:120]))
        except OSError:
            continue
    return found


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# The last build of each kill test runs here instead: the same bytes must come out.
ELSEWHERE = {"TZ": "Pacific/Chatham", "LANG": "fr_CA.UTF-8", "LC_TIME": "de_DE.UTF-8"}


def kill_at_random_moments(args: list[str], *, cwd: Path, inputs: Path, output: Path,
                           tmp: Path, tries: int = KILL_TRIES) -> None:
    """Build once; then start the same build `tries` times and kill -9 it at a random
    moment: no process may be left, the previous output must stay byte-identical with
    nothing beside it, the inputs untouched. Then build again from another working
    folder, in another time zone and locale: whatever the kills left must not stop it,
    and the output must come out byte-identical (so no clock or locale gets in)."""
    import os
    import random
    import signal
    import subprocess
    import sys
    import uuid

    seed = int(os.environ.get("MANUALGEN_KILL_SEED", time.time_ns() % 10**6))
    rng = random.Random(seed)
    mark = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k != "MANUALGEN_TEST_MARK"}
    env.update(MANUALGEN_TEST_MARK=mark, TMPDIR=str(tmp))
    env = {k: v for k, v in env.items() if not k.startswith(("LC_", "LANG", "TZ"))}
    env.update(TZ="UTC", LANG="C.UTF-8")
    command = [sys.executable, "-m", "manualgen", *args]

    def build(where: Path = cwd, changes: dict[str, str] | None = None) -> float:
        start = time.monotonic()
        done = subprocess.run(command, cwd=where, env={**env, **(changes or {})},
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return time.monotonic() - start

    full = build()
    before = _files(output)
    inputs_before = _files(inputs)
    for attempt in range(tries):
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        started = time.monotonic()
        if attempt == 0:                  # the first kill lands while LibreOffice works
            while len(_marked_processes(mark)) < 2 and time.monotonic() - started < full:
                time.sleep(0.05)
            time.sleep(rng.uniform(0, 0.5))
        else:
            time.sleep(rng.uniform(0.3, 0.85 * full))
        delay = time.monotonic() - started
        running = _marked_processes(mark)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left = _marked_processes(mark)
        deadline = time.monotonic() + 3       # a child dies with its parent, not later
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = _marked_processes(mark)
        where = f"(seed {seed}, try {attempt + 1}, killed after {delay:.1f} s of {full:.1f} s " \
                f"while running {[c for _, c in running]})"
        assert left == [], f"processes outlived the kill {where}: {left}"
        assert _files(output) == before, f"the previous output changed {where}"
        assert _files(inputs) == inputs_before, f"the inputs changed {where}"
    elsewhere = tmp.parent / "elsewhere"
    elsewhere.mkdir()
    build(elsewhere, ELSEWHERE)
    assert _files(output) == before, "another time zone, locale or folder changed the bytes"


def temporary_files_left(tmp: Path) -> None:
    """What a kill -9 cannot clean up itself (its run folder: LibreOffice's profile, the
    work folders) is swept by the next run, which removes its own at exit: none is left."""
    left_over = sorted(p.name for p in tmp.iterdir())
    assert left_over == [], f"left in TMPDIR after the kills and one more run: {left_over}"


def test_a_killed_process_run_folder_is_swept_by_the_next_run(tmp_path):
    """kill -9 leaves a process's scratch folder behind; the next run removes it, and never
    one whose process is alive."""
    import signal
    import subprocess
    import sys

    from manualgen.services.storage import RUN_PREFIX, run_folder

    script = ("import sys, time; from manualgen.services.storage import scratch_dir; "
              "d = scratch_dir('manualgen-x-', sys.argv[1]); open(d.name + '/f', 'w').write('x'); "
              "print(d.name, flush=True); time.sleep(60)")
    killed = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    alive = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        killed_dir = Path(killed.stdout.readline().strip())
        alive_dir = Path(alive.stdout.readline().strip())
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert (killed_dir / "f").is_file()          # kill -9: nothing cleaned up
        mine = run_folder(str(tmp_path))
        assert not killed_dir.parent.exists(), "the killed process's folder stayed"
        assert (alive_dir / "f").is_file(), "a live process's folder was swept"
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(RUN_PREFIX)) \
            == sorted([mine.name, alive_dir.parent.name])
    finally:
        for proc in (killed, alive):
            proc.kill()
            proc.wait()
            proc.stdout.close()


def test_what_a_dead_run_left_running_is_stopped_by_the_next_run(tmp_path):
    """A LibreOffice orphaned by its run's death (its profile in the run's folder) is
    killed when the next run sweeps that folder."""
    import subprocess
    import sys

    from manualgen.services.storage import RUN_PREFIX, sweep_runs

    dead = tmp_path / f"{RUN_PREFIX}deadbeef"
    (dead / "office" / "profile").mkdir(parents=True)
    (dead / "lock").write_text("")                   # nobody holds it: its run is gone
    profile = (dead / "office" / "profile").as_uri()
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)",
                               f"-env:UserInstallation={profile}"])
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)",
                              "-env:UserInstallation=file:///elsewhere/profile"])
    try:
        assert sweep_runs(str(tmp_path)) == [dead]
        assert orphan.wait(timeout=10) == -9
        assert other.poll() is None                  # not of that run: left alone
    finally:
        for proc in (orphan, other):
            proc.kill()
            proc.wait()


@needs_libreoffice()
@pytest.mark.libreoffice
def test_kill_9_of_manual_leaves_no_process_and_the_old_output(tmp_path):
    """Also the rebuild of manual.pdf in another time zone and locale (issue 13: 87 bytes
    of LibreOffice's /DocChecksum differed)."""
    import shutil

    folder = tmp_path / "company"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", folder / "logo.png")
    (tmp_path / "tmp").mkdir()
    kill_at_random_moments(["manual", str(folder / "company.yaml"), "-o",
                            str(tmp_path / "out" / "manual.docx"), "--pdf"],
                           cwd=tmp_path, inputs=folder, output=tmp_path / "out",
                           tmp=tmp_path / "tmp", tries=2)      # a build runs LibreOffice 3 times
    assert b"/DocChecksum" not in (tmp_path / "out" / "manual.pdf").read_bytes()
    temporary_files_left(tmp_path / "tmp")


@needs_libreoffice()
@pytest.mark.libreoffice
def test_kill_9_of_package_build_leaves_no_process_and_the_old_output(tmp_path):
    import shutil

    shutil.copytree(EXAMPLE.parent / "2026-submission", tmp_path / "sub")
    shutil.copy(EXAMPLE, tmp_path / "company.yaml")
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    assert list((tmp_path / "sub").rglob("*.docx"))     # LibreOffice has work to do
    (tmp_path / "tmp").mkdir()
    kill_at_random_moments(["package", "build", str(tmp_path / "sub"), "-o",
                            str(tmp_path / "out" / "submission.pdf")],
                           cwd=tmp_path, inputs=tmp_path / "sub", output=tmp_path / "out",
                           tmp=tmp_path / "tmp")
    temporary_files_left(tmp_path / "tmp")


def test_logo_name_too_long_for_the_file_system(tmp_path):
    """Found by the property tests: 200 characters of four bytes each pass the model's
    length but not the file system's 255 bytes."""
    code, output = check(company(tmp_path, logo="0" * 150 + "\U0010beee" * 40))
    assert code == 2
    assert re.search(r"company\.yaml:\d+: company\.logo: logo file '0+\.\.\. \(190 "
                     r"characters\) cannot be read \(File name too long\)", output), output


def test_a_pdf_sample_of_more_pages_than_allowed(tmp_path):
    import pikepdf

    from manualgen.submission.normalise import MAX_PDF_PAGES, Unreadable, probe_pdf

    pdf = pikepdf.new()
    for _ in range(MAX_PDF_PAGES + 1):
        pdf.add_blank_page()
    path = tmp_path / "2026-01-01 everything.pdf"
    pdf.save(path)
    with pytest.raises(Unreadable, match=rf"has {MAX_PDF_PAGES + 1:,} pages; a sample may "
                                         rf"have at most {MAX_PDF_PAGES:,}"):
        probe_pdf(path)
