from django.db import connection
from django.urls import reverse


def test_it_reports_healthy_database_and_storage(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}
    assert list(tmp_path.rglob("*.txt")) == []  # the probe file is removed again


def test_it_answers_503_when_storage_cannot_be_written(db, client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "storage": "failed"}


def test_it_answers_503_when_the_database_fails(db, client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:  # undone before the test database is torn down
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed"
