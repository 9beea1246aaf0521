"""Settings for VAWG Partnership Tracker, read strictly from environment variables.

See README "Configuration" for every variable. A malformed value stops start-up with a clear message.
"""

import re
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from vawg.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

DEBUG = env.bool("DEBUG", False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", "development-only-key-never-used-in-production-0123456789")
else:
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    # django-ninja: the API (api/).
    "ninja",
    "vawg",
    "partnership",
    "actions",
    "referrals",
    "consultations",
    "activity",
    "reports",
    "api",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "vawg.middleware.SessionTimeoutMiddleware",
    "partnership.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vawg.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns lock-outs raised by the backend into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vawg.urls"
WSGI_APPLICATION = "vawg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vawg.context_processors.layout",
            ],
            "builtins": ["vawg.templatetags.components"],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", str(BASE_DIR / "db.sqlite3"))}
# An optional read replica. Ordinary requests never read from it (a replica lags, and people expect to see what
# they have just saved); read-only heavy jobs opt in with vawg.db_router.use_replica(). See README.
_replica = env.optional_database("DATABASE_REPLICA_URL")
if _replica is not None:
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must use the same database engine as DATABASE_URL.")
    # Tests read the primary's test database through this alias: nothing can be created on a replica.
    DATABASES["replica"] = {**_replica, "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["vawg.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache counts password-reset requests (vawg.views): with more than one process, it must be shared (Redis), or
# each process would count alone. Unset, each process keeps its own (development, one-process servers).
CACHE_URL = env.url("CACHE_URL", ["redis", "rediss"])
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, also loading whether the user's role needs two-factor sign-in (in the same query).
    "partnership.mfa.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: count failures per username *and* address together, so one person's mistakes
# behind a council proxy do not lock out their colleagues.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address (vawg/client_ip.py): with N proxies in front, the N-th X-Forwarded-For entry from the right;
# with none, REMOTE_ADDR and the header ignored. Sign-in and password-reset throttling and the audit log read it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "vawg.client_ip.client_ip"
AXES_VERBOSE = False
# Password-reset e-mails: at most this many per client address and per e-mail address in the window (in the cache).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 10, minimum=1)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3, minimum=1)
PASSWORD_RESET_LIMIT_WINDOW_SECONDS = env.int("PASSWORD_RESET_LIMIT_WINDOW_SECONDS", 60 * 60, minimum=60)

# Two-factor sign-in (partnership/mfa.py): the name authenticator apps show, and django-otp's throttling.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", "VAWG Partnership Tracker")
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions: 30 minutes idle, 12 hours at most, warning two minutes before the idle limit.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", 120, minimum=20)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "vawg.views.csrf_failure"

# Transport and browser protections; HTTPS-only settings apply whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", True)
if env.bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# E-mail: console in development, SMTP in production.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "VAWG Partnership Tracker <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Compiled GOV.UK Frontend styles, fonts and scripts land in static_build/ (see scripts/build-assets.mjs).
STATICFILES_DIRS = [BASE_DIR / "static_build"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Stored files (report PDFs and their web pages): a folder under MEDIA_ROOT, or an S3-compatible bucket for
# several app servers. Either way people reach them only through the app's permission-checked views, which stream
# them; nothing links to the bucket, and its objects are private.
STORAGE_BACKEND = env.choice("STORAGE_BACKEND", "filesystem", ["filesystem", "s3"])


def _s3_client_config(addressing: str, signature_version: str):
    from botocore.config import Config

    return Config(
        s3={"addressing_style": None if addressing == "auto" else addressing},
        signature_version=signature_version,
        connect_timeout=5,
        read_timeout=30,
        retries={"mode": "standard", "max_attempts": 3},
    )


if STORAGE_BACKEND == "s3":
    _bucket = env.str("S3_BUCKET", "")
    if not _bucket:
        raise ImproperlyConfigured("S3_BUCKET is required when STORAGE_BACKEND=s3.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", _bucket):
        raise ImproperlyConfigured(
            f"S3_BUCKET={_bucket!r} is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)."
        )
    _region = env.str("S3_REGION", "")
    if _region and not re.fullmatch(r"[A-Za-z0-9_-]+", _region):
        raise ImproperlyConfigured(f"S3_REGION={_region!r} is not a region name, e.g. eu-west-2.")
    _prefix = env.str("S3_PREFIX", "").strip("/")
    if _prefix and any(part in ("", ".", "..") for part in _prefix.split("/")):
        raise ImproperlyConfigured(f"S3_PREFIX={_prefix!r} must be a plain folder path such as vawg/production.")
    _access_key, _secret_key = env.str("S3_ACCESS_KEY_ID", ""), env.str("S3_SECRET_ACCESS_KEY", "")
    if bool(_access_key) != bool(_secret_key):
        raise ImproperlyConfigured(
            "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (to use the instance's role)."
        )
    _addressing = env.choice("S3_ADDRESSING_STYLE", "auto", ["auto", "path", "virtual"])
    _acl = env.choice("S3_DEFAULT_ACL", "none", ["none", "private"])
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "region_name": _region or None,
            # S3-compatible services (MinIO, Ceph, Scaleway, ...): their address; unset means AWS.
            "endpoint_url": env.url("S3_ENDPOINT_URL", ["https", "http"]),
            "addressing_style": None if _addressing == "auto" else _addressing,
            "location": _prefix,
            # "none" (the default) sends no ACL, so objects take the bucket's own: private unless a bucket policy
            # says otherwise. AWS buckets with ACLs disabled (AWS's default) refuse uploads that carry an ACL.
            "default_acl": None if _acl == "none" else _acl,
            # No public URLs: any URL the storage hands out (only the admin shows one) is signed and short-lived.
            "querystring_auth": True,
            "querystring_expire": env.int("S3_SIGNED_URL_SECONDS", 60, minimum=1, maximum=3600),
            "custom_domain": None,
            # Never replace a stored file: published editions are immutable.
            "file_overwrite": False,
            "signature_version": "s3v4",
            # boto3's defaults wait 60 s to connect and retry quietly: /health/ must fail fast when the store is
            # unreachable, so load balancers take the server out instead of queueing requests behind it.
            "client_config": _s3_client_config(_addressing, "s3v4"),
            # Unset: boto3's own chain (an instance or task role, AWS_* variables, a profile).
            **({"access_key": _access_key, "secret_key": _secret_key} if _access_key else {}),
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Background tasks (report builds, large imports): a task table in the database and `manage.py db_worker`
# in production; `immediate` runs them inline (development and tests).
TASK_BACKEND = env.choice("TASK_BACKEND", "immediate" if DEBUG else "database", ["immediate", "database"])
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TASK_BACKEND == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}

# The read-only API (api/): personal access tokens last API_TOKEN_DEFAULT_DAYS unless their owner chooses otherwise,
# at most API_TOKEN_MAX_DAYS; each token may make API_RATE_LIMIT requests a window of API_RATE_WINDOW_SECONDS
# (counted in the cache: set CACHE_URL when more than one process serves).
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", 90, minimum=1, maximum=365)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", 365, minimum=API_TOKEN_DEFAULT_DAYS, maximum=3650)
API_RATE_LIMIT = env.int("API_RATE_LIMIT", 120, minimum=1)
API_RATE_WINDOW_SECONDS = env.int("API_RATE_WINDOW_SECONDS", 60, minimum=1)

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# An import previewed but never confirmed is deleted after this many hours (the file may hold survivors' data).
PENDING_UPLOAD_HOURS = env.int("PENDING_UPLOAD_HOURS", 24, minimum=1)
# Evidence attached to progress updates and actions (a training register, minutes, a leaflet): the largest file.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", 10, minimum=1, maximum=100) * 1024 * 1024
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# django-import-export's admin lets everyone import and export unless these are set. No model grants these
# permissions ("import_<model>", "export_<model>"), so only superusers pass; partnership.admin_io also checks.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"]),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}
