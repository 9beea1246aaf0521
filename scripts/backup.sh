#!/usr/bin/env bash
# Back up the database and the stored files (report PDFs, uploads) into one folder.
# Usage: DATABASE_URL=postgres://... MEDIA_ROOT=/srv/vawg/media scripts/backup.sh /backups/vawg-2026-11-23
# With STORAGE_BACKEND=s3, run it with the application's environment: the files are copied out of the bucket
# through the application (manage.py export_files) and packed the same way.
set -euo pipefail
dest=${1:?usage: scripts/backup.sh DESTINATION_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
media=${MEDIA_ROOT:-media}
mkdir -p "$dest"
# Custom format: compressed, and restorable table by table with pg_restore.
pg_dump --format=custom --no-owner --no-privileges --file="$dest/database.dump" --dbname="$DATABASE_URL"
if [ "${STORAGE_BACKEND:-filesystem}" = s3 ]; then
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
  "$python" "$root/manage.py" export_files "$staging/files"
  tar -czf "$dest/media.tar.gz" -C "$staging/files" .
elif [ -d "$media" ]; then
  tar -czf "$dest/media.tar.gz" -C "$media" .
else
  tar -czf "$dest/media.tar.gz" --files-from /dev/null
fi
(cd "$dest" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "Backup written to $dest"
