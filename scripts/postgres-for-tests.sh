#!/usr/bin/env bash
# Start Debian's PostgreSQL (installed by setup.sh) and give the portal's tests a role that
# may create their database: postgresql://manualgen:manualgen@127.0.0.1:5432/manualgen_test.
# For a test machine only: the role's password is not a secret. Run as root. Safe to rerun.
set -euo pipefail
version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || pg_ctlcluster "$version" main status >/dev/null
for _ in $(seq 50); do
  su postgres -c "psql -Atqc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
su postgres -c "psql -Atqc \"select 1 from pg_roles where rolname='manualgen'\"" | grep -q 1 ||
  su postgres -c "psql -q -c \"CREATE ROLE manualgen LOGIN CREATEDB PASSWORD 'manualgen'\""
echo "postgres-for-tests: PostgreSQL $version ready for the portal's tests" >&2
