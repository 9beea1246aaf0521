"""The documented backup and restore (scripts/backup.sh, scripts/restore.sh) bring back every row and file."""

import hashlib
import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backups are pg_dump / pg_restore: run with DATABASE_URL=postgres://..."
)


def url_for(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def row_counts(dsn: str) -> dict[str, int]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # names come from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save("reports/tri-borough/annual-report-2015-16.pdf", ContentFile(b"%PDF-1.7 stand-in"))
    source_db = connection.settings_dict["NAME"]
    restored_db = f"{source_db}_restored"
    env = {**os.environ, "DATABASE_URL": url_for(source_db), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    subprocess.run([ROOT / "scripts/backup.sh", tmp_path / "backup"], env=env, check=True, capture_output=True)

    admin = psycopg2.connect(url_for("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}"')
        cursor.execute(f'CREATE DATABASE "{restored_db}"')
    try:
        restore_env = {**env, "DATABASE_URL": url_for(restored_db), "MEDIA_ROOT": str(tmp_path / "restored-media")}
        subprocess.run(
            [ROOT / "scripts/restore.sh", tmp_path / "backup"], env=restore_env, check=True, capture_output=True
        )
        before, after = row_counts(url_for(source_db)), row_counts(url_for(restored_db))
        assert after == before
        assert before["partnership_membership"] == 5 and before["audit_auditevent"] > 0
        assert digests(tmp_path / "restored-media") == digests(tmp_path / "media")
        assert "reports/tri-borough/annual-report-2015-16.pdf" in digests(tmp_path / "restored-media")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}"')
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_restored(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {**os.environ, "DATABASE_URL": url_for(connection.settings_dict["NAME"]), "MEDIA_ROOT": str(tmp_path / "m")}
    subprocess.run([ROOT / "scripts/backup.sh", tmp_path / "backup"], env=env, check=True, capture_output=True)
    with open(tmp_path / "backup" / "database.dump", "ab") as dump:
        dump.write(b"tampered")
    result = subprocess.run(
        [ROOT / "scripts/restore.sh", tmp_path / "backup"],
        env={**env, "DATABASE_URL": url_for("nonexistent_target")},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
