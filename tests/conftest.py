"""Personas, as healthchecks names them: a partnership with each role, and an outsider partnership."""

from dataclasses import dataclass

import pytest
from django.test import Client

from partnership import mfa
from partnership.models import Membership, OperationalGroup
from tests.factories import (
    BoroughFactory,
    BoroughPopulationFactory,
    MembershipFactory,
    OperationalGroupFactory,
    PartnershipFactory,
    UserFactory,
)


@dataclass
class World:
    partnership: object
    other_partnership: object
    board: object
    group: object  # CHOG: the group the coordinator writes for
    other_group: object  # HOG: a group of the same partnership the coordinator does not write for
    borough: object
    lead: object  # users
    coordinator: object
    other_coordinator: object
    board_member: object
    admin: object
    outsider_lead: object  # strategic lead of the other partnership

    def users(self) -> dict:
        return {
            "lead": self.lead,
            "coordinator": self.coordinator,
            "other_coordinator": self.other_coordinator,
            "board_member": self.board_member,
            "admin": self.admin,
            "outsider_lead": self.outsider_lead,
        }


class SignedInClient(Client):
    """`force_login` as a user who has also entered their second factor, when their role needs one.

    Tests of the two-factor rules themselves use `django.test.Client` directly.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        self._second_factor_entered()

    def login(self, **credentials):
        signed_in = super().login(**credentials)
        if signed_in:
            self._second_factor_entered()
        return signed_in

    def _second_factor_entered(self):
        session = self.session
        if session.get(mfa.SESSION_KEY) in (mfa.SETUP, mfa.VERIFY):
            session[mfa.SESSION_KEY] = mfa.VERIFIED
            session.save()


@pytest.fixture
def client() -> Client:
    return SignedInClient()


@pytest.fixture
def world(db) -> World:
    partnership = PartnershipFactory(name="Tri-borough VAWG Partnership", slug="tri-borough", short_name="Tri-borough")
    other = PartnershipFactory(name="Elsewhere VAWG Partnership", slug="elsewhere", short_name="Elsewhere")
    board = OperationalGroupFactory(
        partnership=partnership,
        name="VAWG Strategic Board",
        abbreviation="BOARD",
        kind=OperationalGroup.Kind.STRATEGIC_BOARD,
    )
    group = OperationalGroupFactory(
        partnership=partnership, name="Children and Health Operational Group", abbreviation="CHOG", parent=board
    )
    other_group = OperationalGroupFactory(
        partnership=partnership, name="Housing Operational Group", abbreviation="HOG", parent=board
    )
    borough = BoroughFactory(partnership=partnership, name="Hammersmith & Fulham", short_name="LBHF")
    BoroughPopulationFactory(borough=borough)
    OperationalGroupFactory(partnership=other, name="Elsewhere Board", abbreviation="EB")
    lead = MembershipFactory(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD, user__username="alice").user
    coordinator = MembershipFactory(
        partnership=partnership, role=Membership.Role.COORDINATOR, user__username="bob", groups=[group]
    ).user
    other_coordinator = MembershipFactory(
        partnership=partnership, role=Membership.Role.COORDINATOR, user__username="bella", groups=[other_group]
    ).user
    board_member = MembershipFactory(
        partnership=partnership, role=Membership.Role.BOARD_MEMBER, user__username="bert", groups=[board]
    ).user
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    outsider_lead = MembershipFactory(
        partnership=other, role=Membership.Role.STRATEGIC_LEAD, user__username="charlie"
    ).user
    return World(
        partnership=partnership,
        other_partnership=other,
        board=board,
        group=group,
        other_group=other_group,
        borough=borough,
        lead=lead,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        board_member=board_member,
        admin=admin,
        outsider_lead=outsider_lead,
    )


def pytest_terminal_summary(terminalreporter):
    from tests.browser.conftest import PAGES_CHECKED

    if PAGES_CHECKED:
        distinct = {url.split("?")[0] for url, _ in PAGES_CHECKED}
        violations = sum(count for _, count in PAGES_CHECKED)
        terminalreporter.write_line(
            f"axe-core WCAG 2.2 AA: {len(PAGES_CHECKED)} page checks, {len(distinct)} distinct pages, "
            f"{violations} violations"
        )
