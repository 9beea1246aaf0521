#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and media folder.
# Usage: DATABASE_URL=postgres://.../vawg_restored MEDIA_ROOT=/srv/vawg/media scripts/restore.sh /backups/vawg-2026-11-23
set -euo pipefail
src=${1:?usage: scripts/restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must point at an empty PostgreSQL database}"
media=${MEDIA_ROOT:-media}
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$src/database.dump"
mkdir -p "$media"
tar -xzf "$src/media.tar.gz" -C "$media"
echo "Restored $src"
