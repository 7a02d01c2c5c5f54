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
echo "check-wheel: the wheel installs and runs from an empty folder" >&2
