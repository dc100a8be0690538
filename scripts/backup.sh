#!/usr/bin/env bash
# Back up the portal's PostgreSQL database: `scripts/backup.sh FILE` (DATABASE_URL from the env).
# Custom format (-Fc): compressed, restorable table by table, and independent of the server's
# version within pg_restore's support. The audit history tables are ordinary tables: they come
# along. Uploaded files are kept apart: copy MEDIA_ROOT beside the dump (with S3 storage, the
# bucket is backed up on its own side).
set -euo pipefail
out="${1:?usage: scripts/backup.sh FILE.dump}"
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database of the portal}"
pg_dump --format=custom --no-owner --no-privileges --file="$out" "$DATABASE_URL"
echo "Backed up to $out ($(du -h "$out" | cut -f1))"
