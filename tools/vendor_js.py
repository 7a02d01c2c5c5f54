"""Fetch the phone app's browser code from npm and copy its built files into the package.

The phone app (`manualgen/web/static/phone/`, issue 26) uses three npm packages: Workbox for
its service worker, idb for IndexedDB and signature_pad for signatures. Their exact
versions and integrity hashes are in `tools/js/package.json` and `tools/js/package-lock.json`;
this script installs exactly those with `npm ci` (which refuses a tarball whose hash
differs from the lock) in a scratch folder, and copies the browser builds and their licences
into `manualgen/web/static/vendor/`, with `VERSIONS.json` naming each package's version and
integrity and each copied file's SHA-256. Nothing is loaded from a CDN at run time.

    python tools/vendor_js.py            # (re)write static/vendor/ from the lock
    python tools/vendor_js.py --check    # exit 1 when static/vendor/ differs from the lock

To move to a new version: change it in `tools/js/package.json`, run
`npm install --package-lock-only --ignore-scripts --omit-lockfile-registry-resolved` in
`tools/js/`, then this script, and commit the three together.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK_DIR = ROOT / "tools" / "js"
VENDOR = ROOT / "manualgen" / "web" / "static" / "vendor"
MANIFEST = "VERSIONS.json"

# package -> {file in the package: its name in static/vendor/}
FILES: dict[str, dict[str, str]] = {
    "idb": {"build/index.js": "idb.js", "LICENSE": "idb.LICENSE.txt"},
    "signature_pad": {"dist/signature_pad.js": "signature_pad.js",
                      "LICENSE": "signature_pad.LICENSE.txt"},
    # workbox-sw loads the other modules with importScripts from `modulePathPrefix`
    # (the service worker sets it to /static/vendor/), the production builds only.
    "workbox-sw": {"build/workbox-sw.js": "workbox-sw.js", "LICENSE": "workbox.LICENSE.txt"},
    "workbox-core": {"build/workbox-core.prod.js": "workbox-core.prod.js"},
    "workbox-precaching": {"build/workbox-precaching.prod.js": "workbox-precaching.prod.js"},
    "workbox-routing": {"build/workbox-routing.prod.js": "workbox-routing.prod.js"},
    "workbox-strategies": {"build/workbox-strategies.prod.js": "workbox-strategies.prod.js"},
}


class VendorError(Exception):
    """Something a person must fix: npm missing or failing, a package not as locked."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install(scratch: Path) -> dict[str, dict[str, str]]:
    """`npm ci` of the lock into `scratch`; each package's version and integrity as locked,
    after checking that what was installed is that version."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed (Debian: apt-get install npm)")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(LOCK_DIR / name, scratch / name)
    run = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                          "--loglevel=error"], cwd=scratch, capture_output=True, text=True,
                         timeout=600)
    if run.returncode != 0:
        raise VendorError(f"npm ci failed:\n{run.stderr.strip()}")
    lock = json.loads((scratch / "package-lock.json").read_text())["packages"]
    wanted = json.loads((scratch / "package.json").read_text())["dependencies"]
    out: dict[str, dict[str, str]] = {}
    for package in FILES:
        entry = lock.get(f"node_modules/{package}")
        if entry is None or entry["version"] != wanted.get(package):
            raise VendorError(f"{package}: package.json and package-lock.json disagree; "
                              "run npm install --package-lock-only in tools/js/")
        installed = json.loads((scratch / "node_modules" / package / "package.json")
                               .read_text())["version"]
        if installed != entry["version"]:
            raise VendorError(f"{package}: npm installed {installed}, "
                              f"the lock says {entry['version']}")
        out[package] = {"version": entry["version"], "integrity": entry["integrity"]}
    return out


def build(target: Path) -> None:
    """Write the vendored files and VERSIONS.json into `target` (emptied first)."""
    with tempfile.TemporaryDirectory(prefix="manualgen-vendor-") as tmp:
        scratch = Path(tmp)
        packages = install(scratch)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        files: dict[str, str] = {}
        for package, copies in FILES.items():
            for source, name in copies.items():
                data = (scratch / "node_modules" / package / source).read_bytes()
                (target / name).write_bytes(data)
                files[name] = sha256(data)
        manifest = {"about": "Written by tools/vendor_js.py from tools/js/package-lock.json;"
                             " do not edit.",
                    "packages": packages, "files": dict(sorted(files.items()))}
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def differences(made: Path, kept: Path) -> list[str]:
    """What differs between a fresh build and the files in the repository."""
    names = {p.name for p in made.iterdir()} | ({p.name for p in kept.iterdir()}
                                                 if kept.is_dir() else set())
    out = []
    for name in sorted(names):
        a, b = made / name, kept / name
        if not b.is_file():
            out.append(f"{name}: missing from {kept.relative_to(ROOT)}")
        elif not a.is_file():
            out.append(f"{name}: not made from the lock (remove it)")
        elif a.read_bytes() != b.read_bytes():
            out.append(f"{name}: differs from the locked package's file")
    return out


def check_manifest(folder: Path = VENDOR) -> list[str]:
    """Offline: do the files in `folder` match the hashes VERSIONS.json recorded?"""
    manifest = json.loads((folder / MANIFEST).read_text())
    out = []
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            out.append(f"{name}: missing")
        elif sha256(path.read_bytes()) != digest:
            out.append(f"{name}: changed since it was vendored")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare static/vendor/ with a fresh install of the lock")
    args = parser.parse_args(argv)
    try:
        if not args.check:
            build(VENDOR)
            print(f"wrote {VENDOR.relative_to(ROOT)}/ from tools/js/package-lock.json")
            return 0
        with tempfile.TemporaryDirectory(prefix="manualgen-vendor-check-") as tmp:
            made = Path(tmp) / "vendor"
            build(made)
            found = differences(made, VENDOR)
    except VendorError as exc:
        print(f"vendor_js: {exc}", file=sys.stderr)
        return 2
    for line in found:
        print(line)
    if found:
        print("static/vendor/ does not match the lock: run python tools/vendor_js.py",
              file=sys.stderr)
        return 1
    print("static/vendor/ matches tools/js/package-lock.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
