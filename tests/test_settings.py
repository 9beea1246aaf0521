"""Environment variables are parsed strictly; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vawg.env import Env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x9!kq2-production-like-secret-key-with-plenty-of-variety-7Zp",
    "ALLOWED_HOSTS": "vawg.example.org",
}


def manage(*args, **env_overrides):
    # A clean environment: the test settings export development-friendly values we must not inherit.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update({"DJANGO_SETTINGS_MODULE": "vawg.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters"),
        ({"ALLOWED_HOSTS": "a.example.org,,b"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must start with postgres:// or sqlite://"),
        ({"DATABASE_URL": "postgres://user@host:notaport/db"}, "invalid port"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' is not a whole number"),
        ({"SESSION_IDLE_TIMEOUT_SECONDS": "5"}, "below the minimum"),
    ],
)
def test_malformed_settings_stop_start_up_with_a_clear_message(overrides, message):
    result = manage("check", **{**PRODUCTION, **overrides})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_missing_secret_key_in_production_is_refused():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_database_urls():
    env = Env({"DATABASE_URL": "postgres://vawg:s%40cret@db.internal:5433/vawg?sslmode=require&conn_max_age=60"})
    db = env.database("DATABASE_URL", "default.sqlite3")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "vawg",
        "s@cret",
        "db.internal",
        "5433",
        "vawg",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert db["CONN_MAX_AGE"] == 60
    assert Env({}).database("DATABASE_URL", "default.sqlite3")["NAME"] == "default.sqlite3"
    assert (
        Env({"DATABASE_URL": "sqlite:////var/lib/vawg.db"}).database("DATABASE_URL", "x")["NAME"] == "/var/lib/vawg.db"
    )
    with pytest.raises(ImproperlyConfigured, match="must name a database"):
        Env({"DATABASE_URL": "postgres://host"}).database("DATABASE_URL", "x")


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("0", False), ("Yes", True), ("off", False)])
def test_booleans(raw, value):
    assert Env({"FLAG": raw}).bool("FLAG", not value) is value
