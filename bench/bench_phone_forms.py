"""Benchmark: issue 26's phone forms, against peers measured in the same run.

In one run, in a scratch folder:
1. **Loopback.** The local app (`manualgen serve`'s site, waitress on a thread, as the tests
   start it) on 127.0.0.1 over a copy of the example company; `--forms` completed forms
   (toolbox meetings: two attendees signing, and the presenter; site inspections: three
   photos, two checklist items and one other deficiency, and the inspector's signature)
   sent as the phone's outbox sends them: multipart POST /forms/submit/ with the CSRF
   header, one after another on one kept-alive connection, then all of them again as
   retries. Printed: the time, the bytes sent, requests a second, the time from the first
   send until every form is filed (a thread watches the journal); checked: exactly one PDF
   a form in its category, the records rows each form maps added once.
   The peer is the submission page's upload (POST /submission/<name>/upload/) of the same
   parts, sent the same way: the same server, middleware, session and CSRF check and
   multipart parsing, each file checked and written into a category folder - what a photo
   of a form cost before issue 26. The ratio is the price of what the phone endpoint adds
   (the answers checked against the definition, the fsync'd journal entry, the filing
   queued). A bare WSGI endpoint that reads the body and answers (no Django) is the floor:
   what loopback and waitress alone cost.
2. **A PDF's size.** Each inspection's filed PDF against the sum of its three JPEGs, and
   `qpdf --check` on every filed PDF.
3. **300 phone-form PDFs built.** `--pdfs` forms filed straight through the intake
   functions (no HTTP) into a new submission of a company folder that has none, then
   `manualgen package build` in a child (bench_package.py's `measured`), against
   `qpdf --empty --pages <the same PDFs> --` and `qpdf --overlay` of a page-number stamp
   made by reportlab, alternating `--runs` times; the ratio the median of the pairs.

Photos: 1600x1200 JPEGs (quality 88, 350-400 kB) drawn by Pillow from gradients,
rectangles and noise; a pool of 24 drawn once (a photo takes 0.2 s), each use made distinct
bytes by a JPEG comment, so that nothing downstream can share one. Signatures: 600x180
transparent PNGs of a stroke, as signature_pad makes them.
Usage: .venv/bin/python bench/bench_phone_forms.py [--forms 50] [--pdfs 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_package import mb, measured, pages_of, stamp_pdf  # noqa: E402

TODAY = dt.date(2026, 12, 1)           # as the tests: the example submission is due 12-15
SUB = "2026-submission"
PEOPLE = ["Priya Raman", "Owen Kuster", "Éloïse Tremblay", "Daniel Tāgé Smith",
          "Mary-Anne O'Brien"]
SITES = ["Shop and office", "Client job sites"]
TOPICS = ["Ladder safety: three points of contact", "Fall arrest: anchors and lanyards",
          "Cold stress and frostbite", "Bear awareness on remote sites",
          "Torch-on membrane and hot work", "Manual handling of shingle bundles"]
ECHO = "/bench-echo/"
BOUNDARY = "----manualgen-bench-boundary"


# --------------------------------------------------------------------------- the forms


def draw_photo(seed: int) -> bytes:
    """A 1600x1200 'phone photo' of 350-400 kB: gradient, shapes, coarse and fine noise."""
    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    w, h = 1600, 1200
    grad = Image.linear_gradient("L").resize((w, h))
    bands = []
    for _ in range(3):
        low, span = rnd.randint(40, 130), rnd.randint(20, 130)
        bands.append(grad.point(lambda v, low=low, span=span: low + v * span // 255))
    base = Image.merge("RGB", bands)
    draw = ImageDraw.Draw(base)
    for _ in range(25):
        x, y = rnd.randrange(w), rnd.randrange(h)
        draw.rectangle([x, y, x + rnd.randint(40, 400), y + rnd.randint(20, 300)],
                       fill=tuple(rnd.randint(30, 220) for _ in range(3)))
    coarse = Image.effect_noise((w // 2, h // 2), rnd.uniform(28, 40)).resize(
        (w, h), Image.BILINEAR)
    noise = Image.blend(coarse, Image.effect_noise((w, h), 18), 0.5)
    img = Image.blend(base, Image.merge("RGB", [noise] * 3), 0.42).filter(
        ImageFilter.GaussianBlur(0.35))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def signature(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGBA", (600, 180), (0, 0, 0, 0))
    points = [(30 + i * 18, 90 + rnd.randint(-50, 50)) for i in range(31)]
    ImageDraw.Draw(img).line(points, fill=(20, 20, 60, 255), width=4, joint="curve")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def unique(jpeg: bytes, tag: str) -> bytes:
    """The same picture as other bytes: a JPEG comment (COM) after the SOI marker."""
    text = tag.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


class Forms:
    """Completed forms as the phone sends them: (meta, {part: bytes})."""

    def __init__(self, pool: int = 24) -> None:
        self.photos = [draw_photo(i) for i in range(pool)]
        self.sigs = [signature(i) for i in range(8)]

    def make(self, i: int) -> tuple[dict, dict[str, bytes]]:
        rnd = random.Random(1000 + i)
        form_id = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        day = dt.date(2026, 1, 5) + dt.timedelta(days=i % 320)
        made = f"{day.isoformat()}T16:{i % 60:02d}:00-07:00"
        sig = lambda k: self.sigs[(i + k) % len(self.sigs)]  # noqa: E731
        if i % 2 == 0:
            a, b = rnd.sample(PEOPLE, 2)
            answers = {
                "date": day.isoformat(), "time": "07:30", "length": "15 minutes",
                "site": SITES[i % 2], "presenter": PEOPLE[i % len(PEOPLE)],
                "topics": f"{TOPICS[i % len(TOPICS)]} (meeting {i})",
                "hazards_today": "Icy roof deck in the morning; wind over 40 km/h stops work.",
                "concerns": [{"concern": f"Ladder feet worn on LAD-0{i % 9}",
                              "action": "Replace the feet", "responsible": PEOPLE[0],
                              "due": (day + dt.timedelta(days=7)).isoformat()}],
                "attendees": [{"name": a, "signature": "sig-1"},
                              {"name": b, "signature": "sig-2"}],
                "presenter_signature": "sig-3"}
            files = {"sig-1": sig(0), "sig-2": sig(1), "sig-3": sig(2)}
            return {"id": form_id, "form": "toolbox-meeting", "revision": 1, "made": made,
                    "answers": answers}, files
        due = (day + dt.timedelta(days=7)).isoformat()
        rows = [{"row": r, "result": "yes" if k % 5 else "na"} for k, r in enumerate(CHECKLIST)]
        for row, part, what in ((rows[4], "photo-1", "Ladder not tied off at the eave"),
                                (rows[6], "photo-2", "Lanyard tag missing")):
            row.update({"result": "no", "rank": "B", "comment": f"{what} (inspection {i})",
                        "action": "Fixed on the spot and shown to the crew",
                        "responsible": PEOPLE[1], "due": due, "photo": part})
        answers = {
            "site": SITES[i % 2], "date": day.isoformat(), "time": "10:15",
            "inspectors": [PEOPLE[3]], "participants": [PEOPLE[1]], "type": "weekly",
            "checklist": rows,
            "deficiencies": [{"other_finding": f"Tarp over the skylight torn (inspection {i})",
                              "other_rank": "C", "other_action": "Replace the tarp",
                              "other_responsible": PEOPLE[0], "other_due": due,
                              "other_photo": "photo-3"}],
            "inspector_signature": "sig-1"}
        files = {f"photo-{k + 1}": unique(self.photos[(3 * i + k) % len(self.photos)],
                                          f"{form_id} {k}") for k in range(3)}
        files["sig-1"] = sig(0)
        return {"id": form_id, "form": "site-inspection", "revision": 1, "made": made,
                "answers": answers}, files


CHECKLIST = [
    "Walkways, stairs and exits clear and lit", "Materials stored and stacked safely",
    "Waste and scrap removed; no tripping hazards",
    "Snow and ice cleared or sanded at access points",
    "Ladders in good repair, secured, extend 1 m above the landing",
    "Guardrails or fall protection at open edges and openings",
    "Harnesses and lanyards inspected and tagged", "Scaffolds complete, level, planked and tagged",
    "Tools and cords in good condition, guards in place",
    "Pre-use checks done and recorded for vehicles and equipment",
    "Defective equipment tagged out of service",
    "Loads secured; vehicles parked and chocked safely",
    "Containers labelled; safety data sheets available",
    "Flammables stored away from heat; no smoking observed",
    "Fire extinguishers charged, inspected, accessible",
    "First aid kit stocked; attendant on site and known",
    "Emergency numbers and muster point posted",
    "Communication works (phone signal or satellite device)",
    "Required PPE worn correctly", "Field-level hazard assessment done and signed today",
    "Workers follow safe work practices and procedures", "Lone workers on a check-in schedule"]


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> bytes:
    out = b""
    for name, value in fields.items():
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for field, filename, data in files:
        kind = "image/png" if filename.endswith(".png") else "image/jpeg"
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {kind}\r\n\r\n").encode()
        out += data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def bodies(meta: dict, files: dict[str, bytes], category: str) -> tuple[bytes, bytes]:
    """The phone's body, and the same parts as the submission page's upload sends them."""
    def name(part: str) -> str:
        return f"{meta['id'][:8]}-{part}.{'png' if part.startswith('sig') else 'jpg'}"

    text = json.dumps(meta, ensure_ascii=False)
    ours = multipart({"meta": text}, [(p, name(p), d) for p, d in files.items()])
    peer = multipart({"meta": text, "category": category},
                     [("files", name(p), d) for p, d in files.items()])
    return ours, peer


# --------------------------------------------------------------------------- HTTP


class Counted(http.client.HTTPConnection):
    """A connection that counts the bytes it sends (request lines, headers, bodies)."""

    sent = 0

    def send(self, data) -> None:
        self.sent += len(data)
        super().send(data)


class Client:
    """One kept-alive connection with its cookies, as a browser tab holds them."""

    def __init__(self, port: int) -> None:
        self.conn = Counted("127.0.0.1", port, timeout=300)
        self.cookies: dict[str, str] = {}

    @property
    def sent(self) -> int:
        return self.conn.sent

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        head = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=head)
        response = self.conn.getresponse()
        data = response.read()
        for raw in response.msg.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(raw).items():
                self.cookies[key] = morsel.value
        return response.status, data

    def post(self, path: str, body: bytes, csrf: str) -> tuple[int, bytes]:
        return self.request("POST", path, body, {
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "X-CSRFToken": csrf})

    def close(self) -> None:
        self.conn.close()


def with_echo(app):
    """The WSGI app, plus a bare endpoint that reads the body and answers (the floor)."""
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") == ECHO:
            stream, left = environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0)
            while left > 0:
                chunk = stream.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", "2")])
            return [b"{}"]
        return app(environ, start_response)
    return wrapped


def send_all(client: Client, path: str, items: list[bytes], csrf: str,
             ok: tuple[int, ...]) -> tuple[float, int, list[bytes]]:
    """Each body once, one after another: seconds, bytes sent, the answers."""
    sent, answers = client.sent, []
    start = time.perf_counter()
    for body in items:
        status, data = client.post(path, body, csrf)
        if status not in ok:
            raise SystemExit(f"{path} answered {status}: {data[:300]!r}")
        answers.append(data)
    return time.perf_counter() - start, client.sent - sent, answers


# --------------------------------------------------------------------------- 1 and 2


def table_rows(folder: Path, library) -> dict[str, list[tuple]]:
    from manualgen import api

    out = {}
    for stem in ("activity-log", "action-plan"):
        table = api.submission.record_table(library, stem)
        rows, _source = api.submission.read_records(folder, table)
        out[stem] = [tuple(sorted(r.items())) for r in rows]
    return out


def loopback(tmp: Path, forms: Forms, count: int) -> dict:
    from manualgen import api, resources
    from manualgen.forms import intake
    from manualgen.web.server import serve_in_thread
    from manualgen.web.site import Site

    folder = tmp / "kluane"
    folder.mkdir(parents=True)
    source = resources.examples_dir()
    for name in ("company.yaml", "logo.png"):
        shutil.copy(source / name, folder / name)
    shutil.copytree(source / SUB, folder / SUB)
    logs: list[str] = []
    site = Site(folder, today=lambda: TODAY, log=logs.append)
    library = site.library
    made = [forms.make(i) for i in range(count)]
    pairs = [bodies(meta, files, library.form(meta["form"]).category) for meta, files in made]
    ids = [meta["id"] for meta, _ in made]
    ws = api.workspace.open_folder(folder)
    _address, server = serve_in_thread(site)
    server.application = with_echo(server.application)
    client = Client(server.effective_port)
    try:
        status, _ = client.request("GET", f"/?token={site.token}")
        assert status == 302, status
        status, data = client.request("GET", "/forms/app.json")
        assert status == 200, data[:300]
        csrf = client.cookies[json.loads(data)["csrf_cookie"]]
        # warm every path once (Django's first multipart parse, the upload's checks)
        junk = multipart({"meta": json.dumps({"id": str(uuid.uuid4()), "form": "none"})}, [])
        client.post("/forms/submit/", junk, csrf)
        client.post(ECHO, pairs[0][0], csrf)
        warm = bodies({"id": str(uuid.uuid4())}, {"sig-1": forms.sigs[0]}, "toolbox-meetings")
        client.post(f"/submission/{SUB}/upload/", warm[1], csrf)

        floor = send_all(client, ECHO, [o for o, _ in pairs] * 2, csrf, (200,))
        peer = send_all(client, f"/submission/{SUB}/upload/", [p for _, p in pairs] * 2,
                        csrf, (302,))
        pdfs_before = set((folder / SUB).rglob("*.pdf"))
        rows_before = table_rows(folder / SUB, library)

        filed_at: dict[str, float] = {}
        stop = threading.Event()
        start = time.perf_counter()

        def watch() -> None:
            while not stop.is_set() and len(filed_at) < len(ids):
                for form_id in ids:
                    if form_id not in filed_at and \
                            api.forms.states(ws, [form_id])[form_id] == "filed":
                        filed_at[form_id] = time.perf_counter() - start
                stop.wait(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        first = send_all(client, "/forms/submit/", [o for o, _ in pairs], csrf, (200,))
        again = send_all(client, "/forms/submit/", [o for o, _ in pairs], csrf, (200,))
        watcher.join(timeout=600)
        stop.set()
        status, data = client.request("GET", "/forms/sent/?ids=" + ",".join(ids))
        states = collections.Counter(json.loads(data).values())
        retry_states = collections.Counter(json.loads(a)["status"] for a in again[2])
        failures = [j.error for j in site.jobs._jobs.values() if j.error]
    finally:
        client.close()
        time.sleep(0.3)            # let waitress finish the last answer before it closes
        server.close()
    rows_after = table_rows(folder / SUB, library)
    new_pdfs = sorted(set((folder / SUB).rglob("*.pdf")) - pdfs_before)
    expected: collections.Counter = collections.Counter()
    for meta, files in made:
        _info, definition, clean = intake.check_form(meta, files, library)
        expected.update(stem for stem, _ in intake.record_rows(definition, clean["answers"]))
    placed = 0
    for meta, _files in made:
        info = library.form(meta["form"])
        placed += sum(1 for p in new_pdfs if p.parent.name == info.category
                      and p.name.endswith(f" {meta['id'][:8]}.pdf"))
    added = {s: len(rows_after[s]) - len(rows_before[s]) for s in rows_after}
    doubled = {s: sum(n - 1 for n in collections.Counter(rows_after[s][len(rows_before[s]):])
                      .values() if n > 1) for s in rows_after}
    body_bytes = sum(len(o) for o, _ in pairs)
    print(f"\n1. {count} forms sent on loopback ({count // 2 + count % 2} toolbox meetings with "
          f"3 signatures, {count // 2} site inspections with 3 photos and 1 signature); "
          f"{body_bytes / 1e6:.1f} MB of bodies a pass, {body_bytes / count / 1e3:.0f} kB a "
          "form on average")
    print(f"{'':44}{'s':>8}{'MB sent':>9}{'req/s':>8}{'MB/s':>8}")
    for label, (secs, sent, _), n in (
            ("phone: first send", first, count), ("phone: all again (retries)", again, count),
            ("phone: both passes", (first[0] + again[0], first[1] + again[1], []), 2 * count),
            ("peer: submission upload, both passes", peer, 2 * count),
            ("floor: bare WSGI read, both passes", floor, 2 * count)):
        print(f"{label:44}{secs:8.2f}{sent / 1e6:9.1f}{n / secs:8.1f}{sent / 1e6 / secs:8.1f}")
    both = first[0] + again[0]
    print(f"ratio phone / peer (both passes): {both / peer[0]:.2f}x; phone / floor: "
          f"{both / floor[0]:.2f}x")
    done = max(filed_at.values()) if len(filed_at) == len(ids) else float("nan")
    print(f"all {count} filed {done:.1f} s after the first send (sending took {both:.1f} s); "
          f"median form filed at {statistics.median(filed_at.values()):.1f} s; "
          f"{len(filed_at)} filed, states {dict(states)}; retries answered {dict(retry_states)}")
    ok = placed == count == len(new_pdfs) and added == dict(expected) and \
        not any(doubled.values())
    print(f"check: {len(new_pdfs)} new PDFs, {placed} in their form's category (want {count}); "
          f"rows added {added} (want {dict(expected)}), repeated rows {doubled}: "
          f"{'OK' if ok else 'FAILED'}")
    if failures or logs:
        print(f"filing failures: {failures[:3]} {logs[:1]}")
    return {"made": made, "pdfs": new_pdfs, "library": library, "ok": ok}


def pdf_sizes(result: dict) -> bool:
    by_id = {p.name.rsplit(" ", 1)[-1][:8]: p for p in result["pdfs"]}
    ratios, overheads, sizes, toolbox = [], [], [], []
    for meta, files in result["made"]:
        pdf = by_id.get(meta["id"][:8])
        if pdf is None:
            continue
        if meta["form"] == "toolbox-meeting":
            toolbox.append(pdf.stat().st_size)
            continue
        jpegs = sum(len(d) for p, d in files.items() if p.startswith("photo"))
        sizes.append(pdf.stat().st_size)
        ratios.append(pdf.stat().st_size / jpegs)
        overheads.append(pdf.stat().st_size - jpegs)
    checked = [subprocess.run(["qpdf", "--check", str(p)], capture_output=True, text=True)
               for p in result["pdfs"]]
    passed = sum(c.returncode == 0 for c in checked)
    pages = [pages_of(p) for p in result["pdfs"]]
    one = next(p for p in result["pdfs"] if "Site Inspection" in p.name)
    print(f"\n2. an inspection's PDF (3 photos, 1 signature), {len(ratios)} of them: "
          f"{statistics.median(sizes) / 1e3:.0f} kB median, overhead ratio PDF / its 3 JPEGs "
          f"{statistics.median(ratios):.3f}x median (max {max(ratios):.3f}x), "
          f"+{statistics.median(overheads) / 1e3:.0f} kB beyond the JPEGs; "
          f"{pages_of(one)} pages")
    print(f"   a toolbox meeting's PDF (3 signatures): {statistics.median(toolbox) / 1e3:.0f} kB "
          f"median; pages per PDF {min(pages)}-{max(pages)}; qpdf --check passed {passed} "
          f"of {len(checked)}")
    return passed == len(checked)


# --------------------------------------------------------------------------- 3


def tree_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def merge(tmp: Path, forms: Forms, count: int, runs: int, library) -> bool:
    from manualgen import api, resources

    folder = tmp / "company"
    folder.mkdir(parents=True)
    for name in ("company.yaml", "logo.png"):
        shutil.copy(resources.examples_dir() / name, folder / name)
    ws = api.workspace.open_folder(folder)
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    start = time.perf_counter()
    spent = {"receive": 0.0, "file": 0.0}
    for i in range(count):
        meta, files = forms.make(10_000 + i)
        t = time.perf_counter()
        api.forms.receive(ws, library, meta, files, now=now)
        spent["receive"] += time.perf_counter() - t
        t = time.perf_counter()
        api.forms.file_phone_form(ws, library, meta["id"], today=TODAY)
        spent["file"] += time.perf_counter() - t
    name = api.submission.current(ws, library, on=TODAY, make=False)
    sub = ws.path(name)
    pdfs = sorted(sub.rglob("*.pdf"))
    pages = sum(pages_of(p) for p in pdfs)
    print(f"\n3. {count} forms filed through the intake (no HTTP) in "
          f"{time.perf_counter() - start:.1f} s (receive {spent['receive'] / count * 1e3:.0f} ms "
          f"a form, file {spent['file'] / count * 1e3:.0f} ms): {len(pdfs)} PDFs, {pages} pages, "
          f"{sum(p.stat().st_size for p in pdfs) / 1e6:.0f} MB in {name}/")
    print(f"   kept beside them: the journal {tree_mb(ws.state / 'phone-forms'):.0f} MB (every "
          f"form's photos and signatures, filed or not), the history "
          f"{tree_mb(ws.state / 'history'):.1f} MB "
          f"({sum(1 for _ in (ws.state / 'history').rglob('*.csv*'))} records files kept)")
    out = tmp / "out" / "submission.pdf"
    merged, stamped, stamp = tmp / "qpdf-merged.pdf", tmp / "qpdf-stamped.pdf", tmp / "stamp.pdf"
    commands = tmp / "qpdf-commands.json"
    cmds = [["qpdf", "--empty", "--pages", *[str(p) for p in pdfs], "--", str(merged)],
            ["qpdf", str(merged), "--overlay", str(stamp), "--", str(stamped)]]
    builds, peers, ratios = [], [], []
    for _ in range(runs):
        ours = measured(["build", str(sub), str(out), "0"])
        stamp_time = stamp_pdf(stamp, pages)
        commands.write_text(json.dumps(cmds), encoding="utf-8")
        qpdf = measured(["run", str(commands)])
        builds.append(ours)
        peers.append(qpdf["wall"] + stamp_time)
        ratios.append(ours["wall"] / peers[-1])
    ours = sorted(builds, key=lambda r: r["wall"])[len(builds) // 2]
    ratio = statistics.median(ratios)
    print(f"{'':36}{'wall s':>9}{'peak MB':>9}{'size MB':>9}{'pages':>7}")
    print(f"{'manualgen package build':36}{ours['wall']:9.2f}"
          f"{max(b['rss_mb'] for b in builds):9.0f}{mb(out):9.1f}{pages_of(out):7d}")
    print(f"{'  start (imports, library, samples)':36}"
          f"{ours['wall'] - sum(ours['stages'].values()):9.2f}")
    for stage, secs in ours["stages"].items():
        print(f"{'  ' + stage:36}{secs:9.2f}")
    print(f"{'qpdf merge + overlay + stamp PDF':36}{statistics.median(peers):9.2f}"
          f"{'':9}{mb(stamped):9.1f}{pages_of(stamped):7d}")
    met = ratio <= 1.0
    print(f"ratio build / qpdf, median of {runs} pairs: {ratio:.2f}x (each: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}); target <= 1.0x: "
          f"{'met' if met else 'NOT MET'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=50, help="forms sent on loopback")
    parser.add_argument("--pdfs", type=int, default=300, help="forms in the built submission")
    parser.add_argument("--runs", type=int, default=3, help="builds (and qpdf runs) of part 3")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-phone-"))
    try:
        t = time.perf_counter()
        forms = Forms()
        print(f"drew {len(forms.photos)} photos in {time.perf_counter() - t:.1f} s, "
              f"{statistics.median(len(p) for p in forms.photos) / 1e3:.0f} kB median "
              f"({min(len(p) for p in forms.photos) / 1e3:.0f}-"
              f"{max(len(p) for p in forms.photos) / 1e3:.0f}); signatures "
              f"{statistics.median(len(s) for s in forms.sigs) / 1e3:.1f} kB")
        result = loopback(tmp / "loopback", forms, args.forms)
        sized = pdf_sizes(result)
        met = merge(tmp / "merge", forms, args.pdfs, args.runs, result["library"]) \
            if args.pdfs > 0 else True
        print(f"\nsummary: loopback checks {'OK' if result['ok'] else 'FAILED'}; qpdf --check "
              f"{'OK' if sized else 'FAILED'}; build target {'met' if met else 'NOT MET'}")
    finally:
        if args.keep:
            print(f"scratch folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
