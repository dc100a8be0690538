#!/usr/bin/env bash
# Restore a backup into an EMPTY database, then bring it to the code's schema and check it:
# `scripts/restore.sh FILE` (DATABASE_URL names the target; it must exist and hold no tables).
# Refuses a database that already has tables rather than mixing two histories.
set -euo pipefail
dump="${1:?usage: scripts/restore.sh FILE.dump}"
: "${DATABASE_URL:?DATABASE_URL must point at the empty target database}"
python="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
tables=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "Refusing to restore: the target database already has $tables tables." >&2
  exit 1
fi
# One transaction: a failed restore leaves the target empty, ready for another try.
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$dump"
"$python" "$(dirname "$0")/../manage.py" migrate --no-input
"$python" "$(dirname "$0")/../manage.py" check --database default
echo "Restored $dump"
