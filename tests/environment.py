"""Run vawg/settings.py (or gunicorn.conf.py) as written, with exactly the environment a test gives it."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x9!kq2-production-like-secret-key-with-plenty-of-variety-7Zp",
    "ALLOWED_HOSTS": "vawg.example.org",
}


def run_with_environment(path: Path, environ: dict[str, str]) -> dict:
    """The module's names after running it with `environ` as the whole of os.environ."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "environ", dict(environ))
        return runpy.run_path(str(path))


def settings_for(**environ: str) -> dict:
    return run_with_environment(ROOT / "vawg" / "settings.py", {**PRODUCTION, **environ})


def gunicorn_config_for(**environ: str) -> dict:
    return run_with_environment(ROOT / "gunicorn.conf.py", environ)
