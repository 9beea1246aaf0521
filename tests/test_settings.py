"""Environment variables are parsed strictly; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.environment import PRODUCTION, ROOT, gunicorn_config_for, settings_for
from vawg.env import Env


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


# --- Running at scale: object storage, the read replica, gunicorn ------------------------------------------------

S3 = {"STORAGE_BACKEND": "s3", "S3_BUCKET": "vawg-files"}


def test_files_are_stored_under_media_root_by_default():
    values = settings_for()
    assert values["STORAGE_BACKEND"] == "filesystem"
    assert values["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert values["MEDIA_ROOT"] == ROOT / "media"


def test_a_bucket_alone_gives_private_signed_object_storage():
    options = settings_for(**S3)["STORAGES"]["default"]
    client = options["OPTIONS"].pop("client_config")
    assert (client.connect_timeout, client.read_timeout, client.retries) == (
        5,
        30,
        {"mode": "standard", "max_attempts": 3},
    )
    assert (client.s3, client.signature_version) == ({"addressing_style": None}, "s3v4")
    assert options == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "vawg-files",
            "region_name": None,
            "endpoint_url": None,
            "addressing_style": None,
            "location": "",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "custom_domain": None,
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }


def test_every_object_storage_variable_is_read():
    options = settings_for(
        **S3,
        S3_REGION="fr-par",
        S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        S3_ADDRESSING_STYLE="path",
        S3_PREFIX="/vawg/production/",
        S3_DEFAULT_ACL="private",
        S3_SIGNED_URL_SECONDS="300",
        S3_ACCESS_KEY_ID="SCWEXAMPLE",
        S3_SECRET_ACCESS_KEY="example-secret",
    )["STORAGES"]["default"]["OPTIONS"]
    assert options["region_name"] == "fr-par"
    assert options["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert options["addressing_style"] == "path"
    assert options["client_config"].s3 == {"addressing_style": "path"}
    assert options["location"] == "vawg/production"
    assert options["default_acl"] == "private"
    assert options["querystring_expire"] == 300
    assert (options["access_key"], options["secret_key"]) == ("SCWEXAMPLE", "example-secret")
    assert options["querystring_auth"] is True and options["custom_domain"] is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"STORAGE_BACKEND": "azure"}, "STORAGE_BACKEND='azure' must be one of: filesystem, s3"),
        ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET is required when STORAGE_BACKEND=s3"),
        ({**S3, "S3_BUCKET": "VAWG_Files"}, "S3_BUCKET='VAWG_Files' is not a bucket name"),
        ({**S3, "S3_REGION": "eu west 2"}, "S3_REGION='eu west 2' is not a region name"),
        ({**S3, "S3_ENDPOINT_URL": "minio.internal:9000"}, "S3_ENDPOINT_URL='minio.internal:9000' must be an address"),
        (
            {**S3, "S3_ENDPOINT_URL": "ftp://minio.internal"},
            "S3_ENDPOINT_URL='ftp://minio.internal' must be an address",
        ),
        ({**S3, "S3_ENDPOINT_URL": "https://minio.internal:port"}, "S3_ENDPOINT_URL='https://minio.internal:port' has"),
        ({**S3, "S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE='sideways' must be one of: auto, path"),
        ({**S3, "S3_DEFAULT_ACL": "public-read"}, "S3_DEFAULT_ACL='public-read' must be one of: none, private"),
        ({**S3, "S3_PREFIX": "vawg/../other"}, "S3_PREFIX='vawg/../other' must be a plain folder path"),
        ({**S3, "S3_SIGNED_URL_SECONDS": "soon"}, "S3_SIGNED_URL_SECONDS='soon' is not a whole number"),
        ({**S3, "S3_SIGNED_URL_SECONDS": "86400"}, "S3_SIGNED_URL_SECONDS=86400 is above the maximum of 3600"),
        ({**S3, "S3_ACCESS_KEY_ID": "AKIAEXAMPLE"}, "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither"),
        ({"DATABASE_REPLICA_URL": "mysql://replica/vawg"}, "DATABASE_REPLICA_URL must start with postgres://"),
        ({"DATABASE_REPLICA_URL": "postgres://replica:x/vawg"}, "DATABASE_REPLICA_URL has an invalid port"),
        (
            {"DATABASE_URL": "postgres://vawg@db/vawg", "DATABASE_REPLICA_URL": "sqlite:///replica.sqlite3"},
            "DATABASE_REPLICA_URL must use the same database engine as DATABASE_URL",
        ),
    ],
)
def test_malformed_scale_settings_are_refused_naming_the_variable(overrides, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_for(**overrides)
    assert message in str(refused.value)


def test_the_bucket_settings_are_ignored_with_the_filesystem_backend():
    # Only STORAGE_BACKEND switches: a half-finished bucket configuration cannot change where files go.
    values = settings_for(S3_BUCKET="Not A Bucket", S3_SIGNED_URL_SECONDS="never")
    assert values["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_the_trusted_proxy_count_reaches_the_client_address_function():
    assert settings_for()["TRUSTED_PROXY_COUNT"] == 0
    values = settings_for(TRUSTED_PROXY_COUNT="2")
    assert values["TRUSTED_PROXY_COUNT"] == 2
    # django-axes asks the same function as the audit log; no django-ipware settings that would be silently unused.
    assert values["AXES_CLIENT_IP_CALLABLE"] == "vawg.client_ip.client_ip"
    assert not [name for name in values if name.startswith("AXES_IPWARE")]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT=-1 is below the minimum"):
        settings_for(TRUSTED_PROXY_COUNT="-1")


def test_password_reset_limits_are_read_strictly():
    values = settings_for()
    assert (values["PASSWORD_RESET_LIMIT_PER_ADDRESS"], values["PASSWORD_RESET_LIMIT_PER_EMAIL"]) == (10, 3)
    assert values["PASSWORD_RESET_LIMIT_WINDOW_SECONDS"] == 3600
    values = settings_for(PASSWORD_RESET_LIMIT_PER_ADDRESS="20", PASSWORD_RESET_LIMIT_PER_EMAIL="1")
    assert (values["PASSWORD_RESET_LIMIT_PER_ADDRESS"], values["PASSWORD_RESET_LIMIT_PER_EMAIL"]) == (20, 1)
    with pytest.raises(ImproperlyConfigured, match="PASSWORD_RESET_LIMIT_PER_EMAIL=0 is below the minimum"):
        settings_for(PASSWORD_RESET_LIMIT_PER_EMAIL="0")


def test_there_is_no_replica_unless_one_is_configured():
    values = settings_for(DATABASE_URL="postgres://vawg@db.internal/vawg", DATABASE_REPLICA_URL="")
    assert list(values["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in values


def test_a_replica_gets_its_own_alias_and_the_router():
    values = settings_for(
        DATABASE_URL="postgres://vawg@db.internal:5432/vawg?conn_max_age=60",
        DATABASE_REPLICA_URL="postgres://reader:s%40cret@replica.internal:5432/vawg?sslmode=require&conn_max_age=60",
    )
    replica = values["DATABASES"]["replica"]
    assert replica["ENGINE"] == "django.db.backends.postgresql"
    assert (replica["USER"], replica["PASSWORD"], replica["HOST"], replica["NAME"]) == (
        "reader",
        "s@cret",
        "replica.internal",
        "vawg",
    )
    assert replica["OPTIONS"] == {"sslmode": "require"} and replica["CONN_MAX_AGE"] == 60
    # Test runs read the primary's test database through the alias: a replica cannot host one.
    assert replica["TEST"] == {"MIRROR": "default"}
    assert values["DATABASES"]["default"]["HOST"] == "db.internal"
    assert values["DATABASE_ROUTERS"] == ["vawg.db_router.ReplicaRouter"]


def test_production_settings_with_a_bucket_and_a_replica_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        **S3,
        S3_REGION="eu-west-2",
        DATABASE_REPLICA_URL=f"sqlite:///{ROOT / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- gunicorn.conf.py ---------------------------------------------------------------------------------------------


def cpus():
    return len(os.sched_getaffinity(0))


def test_gunicorn_defaults():
    config = gunicorn_config_for()
    assert config["wsgi_app"] == "vawg.wsgi:application"
    assert config["workers"] == 2 * cpus() + 1
    assert (config["max_requests"], config["max_requests_jitter"]) == (2000, 200)
    assert (config["timeout"], config["graceful_timeout"]) == (30, 30)
    assert config["bind"] == ["0.0.0.0:8000"]
    assert (config["accesslog"], config["errorlog"]) == ("-", "-")
    assert config["loglevel"] == "info"
    # No proxy configured: nobody's X-Forwarded-* headers are believed.
    assert config["forwarded_allow_ips"] == ""


def test_gunicorn_reads_its_variables():
    config = gunicorn_config_for(
        WEB_CONCURRENCY="3",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_TIMEOUT="60",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        GUNICORN_BIND="127.0.0.1:8001,unix:/run/vawg.sock",
        LOG_LEVEL="WARNING",
    )
    assert config["workers"] == 3
    assert (config["max_requests"], config["max_requests_jitter"]) == (500, 50)
    assert (config["timeout"], config["graceful_timeout"]) == (60, 20)
    assert config["bind"] == ["127.0.0.1:8001", "unix:/run/vawg.sock"]
    assert config["loglevel"] == "warning"
    assert gunicorn_config_for(GUNICORN_MAX_REQUESTS="0")["max_requests_jitter"] == 0
    assert gunicorn_config_for(GUNICORN_MAX_REQUESTS_JITTER="7")["max_requests_jitter"] == 7


@pytest.mark.parametrize(
    ("environ", "allowed"),
    [
        ({"TRUST_X_FORWARDED_PROTO": "true"}, "127.0.0.1,::1"),
        ({"TRUSTED_PROXY_COUNT": "1", "FORWARDED_ALLOW_IPS": "10.0.0.0/8, 192.168.1.5"}, "10.0.0.0/8,192.168.1.5"),
        ({"TRUSTED_PROXY_COUNT": "2", "FORWARDED_ALLOW_IPS": "*"}, "*"),
    ],
)
def test_gunicorn_trusts_forwarded_headers_only_from_the_configured_proxies(environ, allowed):
    assert gunicorn_config_for(**environ)["forwarded_allow_ips"] == allowed


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY=0 is below the minimum of 1"),
        ({"GUNICORN_MAX_REQUESTS": "lots"}, "GUNICORN_MAX_REQUESTS='lots' is not a whole number"),
        ({"GUNICORN_TIMEOUT": "0"}, "GUNICORN_TIMEOUT=0 is below the minimum of 1"),
        ({"GUNICORN_BIND": "127.0.0.1:8000,"}, "GUNICORN_BIND"),
        ({"FORWARDED_ALLOW_IPS": "*"}, "FORWARDED_ALLOW_IPS is set but neither TRUST_X_FORWARDED_PROTO"),
        ({"TRUSTED_PROXY_COUNT": "1", "FORWARDED_ALLOW_IPS": "load-balancer"}, "FORWARDED_ALLOW_IPS has 'load-b"),
        ({"TRUST_X_FORWARDED_PROTO": "sometimes"}, "TRUST_X_FORWARDED_PROTO='sometimes' is not a boolean"),
    ],
)
def test_gunicorn_refuses_malformed_values_naming_the_variable(environ, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        gunicorn_config_for(**environ)
    assert message in str(refused.value)


def test_gunicorn_itself_reads_the_configuration_file():
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    # --print-config also loads the application, so the application's own settings are needed too.
    env.update(PRODUCTION, WEB_CONCURRENCY="3", TRUSTED_PROXY_COUNT="1", FORWARDED_ALLOW_IPS="10.0.0.0/8")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run([gunicorn, "--print-config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    printed = {
        name.strip(): value.strip() for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert printed["workers"] == "3"
    assert printed["wsgi_app"] == "vawg.wsgi:application"
    assert printed["max_requests"] == "2000" and printed["max_requests_jitter"] == "200"
    assert printed["forwarded_allow_ips"] == "['10.0.0.0/8']"
    assert printed["accesslog"] == "-"


def test_a_cache_url_gives_a_cache_shared_by_every_process():
    assert settings_for()["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    shared = settings_for(CACHE_URL="redis://cache.internal:6379/0")["CACHES"]["default"]
    assert shared == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/0",
    }
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        settings_for(CACHE_URL="memcached://cache.internal")
