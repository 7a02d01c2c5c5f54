#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtual environment and run it from an empty
# folder: the library, templates, packages and example company must come with it.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip wheel -q --no-deps . -w "$work/dist" >/dev/null
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$work"/dist/manualgen-*.whl >/dev/null
mkdir "$work/empty"
cd "$work/empty"
mg="$work/venv/bin/manualgen"
"$mg" library check | head -1 | grep -q "_bundled/policy_library"
"$mg" init --defaults . >/dev/null
"$mg" check company.yaml
"$mg" demo -o out >/dev/null
test -s out/manual.pdf && test -s out/submission.pdf && test -s out/summary.docx
# The web app from the wheel: its templates and static files came along.
"$mg" serve web --no-browser > serve.out 2>/dev/null &
serve_pid=$!
for _ in $(seq 100); do [ -s serve.out ] && break; sleep 0.1; done
python3 - "$(head -1 serve.out)" <<'PY'
import http.cookiejar, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
page = opener.open(sys.argv[1]).read().decode()
assert "Legal name of the business" in page, page[:500]
base = sys.argv[1].split("/?")[0]
assert b"htmx" in opener.open(base + "/static/htmx.min.js").read()
# the phone app and the npm scripts it runs offline came along too
assert b"workbox" in opener.open(base + "/static/vendor/workbox-sw.js").read()
assert b"SignaturePad" in opener.open(base + "/static/vendor/signature_pad.js").read()
assert b"precache" in opener.open(base + "/forms/sw.js").read().lower()
PY
# the ECMA-376 schemas that check a form template NSNY uploads
"$work/venv/bin/python" -c "from manualgen.render.ooxml import XSD; assert (XSD / 'wml.xsd').is_file()"
kill "$serve_pid"
# The portal from the wheel: its migrations, templates and static files came along.
export MANUALGEN_PORTAL_HTTPS=0 MANUALGEN_PORTAL_HOSTS=127.0.0.1 MANUALGEN_ADMIN_PASSWORD=Wheel-Check-Passphrase-1
"$mg" portal init portal-data --admin-email admin@nsny.example >/dev/null
"$mg" portal invite portal-data --company "Wheel Co" --email owner@wheel.example | grep -q "/invite/"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$mg" portal serve portal-data --port "$port" 2>portal.err &
portal_pid=$!
python3 - "$port" <<'PY'
import sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
for _ in range(300):
    try:
        page = urllib.request.urlopen(base + "/accounts/login/").read().decode()
        break
    except OSError:
        time.sleep(0.2)
assert 'name="password"' in page and "/static/app.css" in page, page[:500]
assert b"htmx" in urllib.request.urlopen(base + "/static/htmx.min.js").read()
PY
kill "$portal_pid"
echo "check-wheel: the wheel installs and runs from an empty folder" >&2
