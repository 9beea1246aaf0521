"""The throwaway database every benchmark builds its data in: SQLite in /tmp unless DATABASE_URL names another."""

from __future__ import annotations

import os
from pathlib import Path


def setup_database() -> None:
    """Django set up on an empty database at the latest migration. A reused PostgreSQL database is emptied, then
    given back the rows the migrations create (the standard abuse types and justice measures)."""
    import django

    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not url.startswith("sqlite:///"):
        from referrals import standard
        from referrals.models import AbuseType, JusticeMeasure

        call_command("flush", interactive=False, verbosity=0)
        standard.ensure(AbuseType, JusticeMeasure)
