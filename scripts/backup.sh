#!/usr/bin/env bash
# Back up the database and the stored files (report PDFs, uploads) into one folder.
# Usage: DATABASE_URL=postgres://... MEDIA_ROOT=/srv/vawg/media scripts/backup.sh /backups/vawg-2026-11-23
set -euo pipefail
dest=${1:?usage: scripts/backup.sh DESTINATION_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
media=${MEDIA_ROOT:-media}
mkdir -p "$dest"
# Custom format: compressed, and restorable table by table with pg_restore.
pg_dump --format=custom --no-owner --no-privileges --file="$dest/database.dump" --dbname="$DATABASE_URL"
if [ -d "$media" ]; then
  tar -czf "$dest/media.tar.gz" -C "$media" .
else
  tar -czf "$dest/media.tar.gz" --files-from /dev/null
fi
(cd "$dest" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "Backup written to $dest"
