"""What both import commands share: finding the consultation, the acting lead, and reporting problems."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from consultations.models import Consultation
from partnership.models import Membership
from vawg.tabular import Table, TabularError, add_large_option, command_limits, command_refusal, read_table


def add_common_arguments(parser) -> None:
    parser.add_argument("file", help="CSV or XLSX file")
    parser.add_argument("--partnership", required=True, help="Partnership slug, e.g. tri-borough")
    parser.add_argument("--consultation", required=True, help="Consultation slug, as in its web address")
    parser.add_argument("--user", help="Username of the strategic lead the change is recorded against")
    parser.add_argument("--dry-run", action="store_true", help="Check and show what would be stored; save nothing")
    add_large_option(parser)


def consultation_for(options) -> Consultation:
    consultation = (
        Consultation.objects.select_related("partnership")
        .filter(partnership__slug=options["partnership"], slug=options["consultation"])
        .first()
    )
    if consultation is None:
        raise CommandError(f"No consultation '{options['consultation']}' in partnership '{options['partnership']}'.")
    return consultation


def acting_user(options, consultation: Consultation):
    username = options.get("user")
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    is_lead = Membership.objects.filter(
        user=user, partnership=consultation.partnership, role=Membership.Role.STRATEGIC_LEAD
    ).exists()
    if user is None or not is_lead:
        raise CommandError(f"'{username}' is not a strategic lead of {consultation.partnership}.")
    return user


def read(path: str, *, large: bool = False, headings=None) -> Table:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"No such file: {path}")
    try:
        with file.open("rb") as handle:
            return read_table(handle, filename=file.name, limits=command_limits(large), headings=headings)
    except TabularError as error:
        raise CommandError(command_refusal(error)) from None


def fail_with(errors) -> None:
    lines = "\n".join(f"  {message}" for message in errors.messages())
    raise CommandError(f"Nothing was imported. Correct these problems and run the command again:\n{lines}")
