#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and media folder (or bucket).
# Usage: DATABASE_URL=postgres://.../vawg_restored MEDIA_ROOT=/srv/vawg/media scripts/restore.sh /backups/vawg-2026-11-23
# With STORAGE_BACKEND=s3, run it with the application's environment: the files go into the (empty) bucket
# through the application (manage.py import_files). Either storage restores either kind of backup.
set -euo pipefail
src=${1:?usage: scripts/restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must point at an empty PostgreSQL database}"
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
media=${MEDIA_ROOT:-media}
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$src/database.dump"
if [ "${STORAGE_BACKEND:-filesystem}" = s3 ]; then
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
  tar -xzf "$src/media.tar.gz" -C "$staging"
  "$python" "$root/manage.py" import_files "$staging"
else
  mkdir -p "$media"
  tar -xzf "$src/media.tar.gz" -C "$media"
fi
echo "Restored $src"
