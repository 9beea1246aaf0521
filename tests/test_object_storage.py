"""STORAGE_BACKEND=s3 against a real S3 endpoint: moto's server on the loopback, spoken to over HTTP by boto3.

The storage settings are the ones vawg/settings.py makes from the environment. A published report goes into the
bucket, private; the board member downloads the same bytes through the permission-checked view; /health/ fails
when the bucket is gone; and scripts/backup.sh and restore.sh carry the bucket's files (on PostgreSQL).
"""

import hashlib
import os
import subprocess
import sys
import tarfile
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from moto.server import ThreadedMotoServer

from reports import services
from reports.models import ReportEdition
from tests.environment import ROOT, settings_for
from tests.reports.factories import AnnualReportFactory

BUCKET = "vawg-files"
PREFIX = "production"


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_environment(endpoint: str, bucket: str = BUCKET) -> dict[str, str]:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_REGION": "eu-west-2",
        "S3_ENDPOINT_URL": endpoint,
        "S3_ADDRESSING_STYLE": "path",
        "S3_PREFIX": PREFIX,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }


def point_storage_at(settings, endpoint: str, bucket: str) -> None:
    """The default storage exactly as vawg/settings.py configures it for this environment."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": settings_for(**s3_environment(endpoint, bucket))["STORAGES"]["default"],
    }


class Bucket:
    def __init__(self, endpoint: str, name: str) -> None:
        self.name = name
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="eu-west-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create(self) -> None:
        self.client.create_bucket(Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})

    def object_keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def remove(self) -> None:
        existing = [b["Name"] for b in self.client.list_buckets()["Buckets"]]
        if self.name in existing:
            for key in self.object_keys():
                self.client.delete_object(Bucket=self.name, Key=key)
            self.client.delete_bucket(Bucket=self.name)


@pytest.fixture
def bucket(endpoint, settings, tmp_path):
    """An empty bucket, and the application's storage pointed at it exactly as the settings configure it."""
    created = Bucket(endpoint, BUCKET)
    created.create()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": settings_for(**s3_environment(endpoint))["STORAGES"]["default"],
    }
    # Anything still written to a folder would show up here.
    settings.MEDIA_ROOT = tmp_path / "media"
    yield created
    created.remove()


def test_the_storage_in_use_is_the_bucket(bucket):
    assert (default_storage.bucket_name, default_storage.location) == (BUCKET, PREFIX)
    assert default_storage.endpoint_url.startswith("http://127.0.0.1:")


def test_a_published_report_lands_in_the_bucket_privately_and_is_downloaded_through_the_app(world, client, bucket):
    report = AnnualReportFactory(partnership=world.partnership, year=2015)
    edition = services.edition_request(report=report, user=world.lead, publish=True, run_now=True)
    assert edition.state == ReportEdition.State.READY and edition.is_published, edition.error

    pdf_key, html_key = f"{PREFIX}/{edition.pdf.name}", f"{PREFIX}/{edition.html.name}"
    docx_key = f"{PREFIX}/{edition.docx.name}"
    # Beside the edition, only its figures' chart drawings (the one chart store, in the same private bucket).
    others = [key for key in bucket.object_keys() if key not in (pdf_key, html_key, docx_key)]
    assert {pdf_key, html_key, docx_key} <= set(bucket.object_keys())
    assert hashlib.sha256(bucket.read(docx_key)).hexdigest() == edition.docx_sha256
    assert others and all(key.startswith(f"{PREFIX}/charts/{world.partnership.pk}/") for key in others)
    stored = bucket.read(pdf_key)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == edition.pdf_sha256
    assert len(stored) == edition.pdf_size
    assert hashlib.sha256(bucket.read(html_key)).hexdigest() == edition.html_sha256
    # Private objects: the owner alone, no grant to everyone or to any signed-in AWS user.
    grants = bucket.client.get_object_acl(Bucket=BUCKET, Key=pdf_key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all("URI" not in g["Grantee"] for g in grants)
    assert not (django_settings.MEDIA_ROOT).exists()

    address = reverse(
        "reports:edition_pdf",
        kwargs={"partnership_slug": world.partnership.slug, "year": 2015, "edition_id": edition.pk},
    )
    client.force_login(world.board_member)
    response = client.get(address)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["ETag"] == f'"{edition.pdf_sha256}"'
    # Still behind the permission layer: another partnership's lead gets 404, a stranger the sign-in page.
    client.force_login(world.outsider_lead)
    assert client.get(address).status_code == 404
    client.logout()
    assert client.get(address).status_code == 302

    # The storage never hands out a public address: the only URL it can make is signed and short-lived.
    query = parse_qs(urlsplit(edition.pdf.url).query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query


def test_health_checks_the_bucket_and_answers_503_once_it_is_gone(db, client, bucket):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "storage": "ok"}
    assert bucket.object_keys() == []  # the probe object is removed again

    bucket.remove()
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "storage": "failed"}


def test_files_are_exported_from_and_imported_into_the_bucket_through_the_storage(endpoint, bucket, settings, tmp_path):
    names = ["reports/1/2015/a.pdf", "reports/2/2016/b.html"]
    for name in names:
        default_storage.save(name, ContentFile(f"content of {name}".encode()))
    call_command("export_files", tmp_path / "files", stdout=StringIO())
    exported = sorted(
        p.relative_to(tmp_path / "files").as_posix() for p in (tmp_path / "files").rglob("*") if p.is_file()
    )
    assert exported == names
    assert (tmp_path / "files" / names[0]).read_bytes() == f"content of {names[0]}".encode()

    other = Bucket(endpoint, "vawg-files-other")
    other.create()
    try:
        point_storage_at(settings, endpoint, other.name)
        call_command("import_files", tmp_path / "files", stdout=StringIO())
        assert other.object_keys() == bucket.object_keys() == [f"{PREFIX}/{name}" for name in sorted(names)]
        # Into empty storage only: a second import is refused before anything is written.
        with pytest.raises(CommandError, match="already stored"):
            call_command("import_files", tmp_path / "files", stdout=StringIO())
        assert other.object_keys() == [f"{PREFIX}/{name}" for name in sorted(names)]
    finally:
        other.remove()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are pg_dump / pg_restore")
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_carry_the_buckets_files(world, endpoint, bucket, tmp_path):
    from tests.test_backup_restore import url_for

    names = ["reports/1/2015/a.pdf", "reports/1/2015/a.html", "reports/2/2016/b.pdf"]
    for name in names:
        default_storage.save(name, ContentFile(f"content of {name}".encode()))
    source_db = connection.settings_dict["NAME"]
    restored_db, restored_bucket = f"{source_db}_restored", Bucket(endpoint, "vawg-files-restored")
    env = {**os.environ, "PYTHON": sys.executable, "DATABASE_URL": url_for(source_db)}
    env.update(s3_environment(endpoint))
    subprocess.run([ROOT / "scripts/backup.sh", tmp_path / "backup"], env=env, check=True, capture_output=True)
    with tarfile.open(tmp_path / "backup" / "media.tar.gz") as packed:
        assert sorted(m.name.removeprefix("./") for m in packed.getmembers() if m.isfile()) == sorted(names)

    import psycopg2

    admin = psycopg2.connect(url_for("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}"')
        cursor.execute(f'CREATE DATABASE "{restored_db}"')
    restored_bucket.create()
    try:
        restore_env = {**env, **s3_environment(endpoint, restored_bucket.name), "DATABASE_URL": url_for(restored_db)}
        restore = [ROOT / "scripts/restore.sh", tmp_path / "backup"]
        subprocess.run(restore, env=restore_env, check=True, capture_output=True)
        assert restored_bucket.object_keys() == bucket.object_keys() == sorted(f"{PREFIX}/{name}" for name in names)
        for key in bucket.object_keys():
            assert restored_bucket.read(key) == bucket.read(key)
    finally:
        restored_bucket.remove()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}"')
        admin.close()
