#!/usr/bin/env bash
# Set up manualgen on a Debian machine: the Debian packages it drives (LibreOffice, fonts,
# PDF tools, Chromium for the web app's browser tests, PostgreSQL for the portal's tests
# against it), a virtual environment in .venv,
# and the package with its test tools (pytest, ruff, Playwright driving that Chromium).
# Safe to run again: it only installs what is missing.  Usage: scripts/setup.sh [--bench]
set -euo pipefail
cd "$(dirname "$0")/.."

# python3-uno: the bridge the warm LibreOffice is driven through (under /usr/bin/python3).
# postgresql: the portal's tests run against it as well as SQLite; redis-server: its
# builds queued in Redis (for workers on several machines) are tested too. git: the
# portal keeps NSNY's library in DATA/library, a git repository. npm: CI checks the
# phone app's vendored scripts against their lock (tools/vendor_js.py --check).
debs=(libreoffice-writer-nogui python3-uno fonts-crosextra-carlito fonts-crosextra-caladea
      poppler-utils qpdf chromium postgresql redis-server zbar-tools git)
command -v npm >/dev/null || debs+=(npm)      # a Node.js of its own may bring npm already
[ "${1:-}" = "--bench" ] && debs+=(pandoc)

missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
# An editable install leaves the package's bytecode to the first import, which writes
# none where PYTHONDONTWRITEBYTECODE is set: each command then compiled ~0.2 s of source.
# A wheel install compiles it; so does this (kept fresh by mtime, like any .pyc).
.venv/bin/python -m compileall -q manualgen >/dev/null
echo "setup: ready (.venv/bin/manualgen)" >&2
