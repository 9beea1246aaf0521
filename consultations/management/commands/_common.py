"""What both consultation import commands share besides the import command base: the consultation and the lead."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.http import Http404

from consultations import selectors
from consultations.models import Consultation
from partnership.models import Membership, Partnership


def add_consultation_arguments(parser) -> None:
    parser.add_argument("--consultation", required=True, help="Consultation slug, as in its web address")
    parser.add_argument("--user", help="Username of the strategic lead the change is recorded against")


def consultation_for(partnership: Partnership, options) -> Consultation:
    try:
        return selectors.consultation_for(partnership, options["consultation"])
    except Http404:
        raise CommandError(
            f"No consultation '{options['consultation']}' in partnership '{partnership.slug}'."
        ) from None


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


def fail_with(command, errors) -> None:
    command.fail(errors.messages(), "Nothing was imported. Correct these problems and run the command again.")
