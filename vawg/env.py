"""Strict reading of environment variables: a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def str(self, name: str, default: str | None = None) -> str:
        value = self.environ.get(name)
        if value is None:
            if default is None:
                raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a boolean; use one of true, false, 1, 0, yes, no, on, off."
        )

    def int(
        self,
        name: str,
        default: int,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        raw = self.environ.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a whole number.") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"Environment variable {name}={value} is below the minimum of {minimum}.")
        if maximum is not None and value > maximum:
            raise ImproperlyConfigured(f"Environment variable {name}={value} is above the maximum of {maximum}.")
        return value

    def list(self, name: str, default: list[str]) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return list(default)
        items = [item.strip() for item in raw.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfigured(
                f"Environment variable {name}={raw!r} has an empty entry; give a comma-separated list without gaps."
            )
        return items

    def choice(self, name: str, default: str, choices: list[str]) -> str:
        value = self.str(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"Environment variable {name}={value!r} must be one of: {', '.join(choices)}.")
        return value

    def url(self, name: str, schemes: list[str]) -> str | None:
        """An optional address such as `https://s3.example.org`; unset or empty gives None."""
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return None
        value = raw.strip()
        parts = urlsplit(value)
        try:
            parts.port  # noqa: B018 (raises on a malformed port)
        except ValueError:
            raise ImproperlyConfigured(f"Environment variable {name}={raw!r} has an invalid port.") from None
        if parts.scheme not in schemes or not parts.hostname:
            raise ImproperlyConfigured(
                f"Environment variable {name}={raw!r} must be an address starting with "
                f"{' or '.join(f'{scheme}://' for scheme in schemes)} and naming a host."
            )
        return value

    def optional_database(self, name: str) -> dict | None:
        """Like `database`, but unset or empty means there is none."""
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return None
        return self.database(name, "")

    def database(self, name: str, default_sqlite_path: str) -> dict:
        """`postgres://user:password@host:port/name` or `sqlite:///path`; unset gives the SQLite file."""
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
        parts = urlsplit(raw.strip())
        if parts.scheme in {"postgres", "postgresql", "pgsql"}:
            db_name = unquote(parts.path.lstrip("/"))
            if not db_name:
                raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://user@host:5432/vawg.")
            try:
                port = parts.port
            except ValueError:
                raise ImproperlyConfigured(f"{name} has an invalid port.") from None
            options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            conn_max_age = options.pop("conn_max_age", "0")
            if not conn_max_age.isdigit():
                raise ImproperlyConfigured(f"{name}: conn_max_age must be a whole number of seconds.")
            return {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": db_name,
                "USER": unquote(parts.username or ""),
                "PASSWORD": unquote(parts.password or ""),
                "HOST": parts.hostname or "",
                "PORT": str(port or ""),
                "CONN_MAX_AGE": int(conn_max_age),
                "CONN_HEALTH_CHECKS": True,
                "OPTIONS": options,
            }
        if parts.scheme == "sqlite":
            # sqlite:///relative/path or sqlite:////absolute/path, as dj-database-url reads them.
            path = raw.strip().removeprefix("sqlite:///")
            if path == raw.strip() or not path:
                raise ImproperlyConfigured(f"{name}: a sqlite URL needs a file path, e.g. sqlite:///db.sqlite3.")
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(path)}
        raise ImproperlyConfigured(
            f"{name} must start with postgres:// or sqlite://; got scheme {parts.scheme or '(none)'!r}."
        )
