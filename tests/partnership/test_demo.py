import json
from io import StringIO

from django.core.management import call_command

from partnership import demo
from partnership.models import Borough, BoroughPopulation, Membership, OperationalGroup, Partnership


def counts():
    return [m.objects.count() for m in (Partnership, Borough, BoroughPopulation, OperationalGroup, Membership)]


def test_load_demo_is_idempotent_and_builds_seed_003s_partnership(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first

    partnership = Partnership.objects.get(slug="tri-borough")
    assert sorted(partnership.boroughs.values_list("short_name", flat=True)) == ["LBHF", "RBKC", "WCC"]
    operational = partnership.groups.filter(kind=OperationalGroup.Kind.OPERATIONAL_GROUP)
    assert sorted(operational.values_list("abbreviation", flat=True)) == ["CHOG", "HOG", "HP", "MSE", "R&R", "SSG"]
    assert all(g.parent.abbreviation == "EXEC" for g in operational.select_related("parent"))
    assert partnership.groups.get(abbreviation="EXEC").parent.abbreviation == "BOARD"
    roles = dict(Membership.objects.filter(partnership=partnership).values_list("user__username", "role"))
    assert roles == {
        "strategic.lead": "strategic_lead",
        "chog.coordinator": "coordinator",
        "hog.coordinator": "coordinator",
        "board.member": "board_member",
    }
    lbhf = BoroughPopulation.objects.get(borough__short_name="LBHF", year=2015)
    # Seed 003: LBHF's 272 MARAC cases are 94% of the SafeLives benchmark of 40 per 10,000 women aged 16+.
    assert round(272 / (40 * lbhf.females_16_plus / 10_000) * 100) == 94


def test_demo_passwords_exist_only_when_debug_is_on(db, settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=StringIO())
    accounts = [a["username"] for a in json.loads(demo.FIXTURE.read_text())["accounts"]]
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=accounts)
    assert users.count() == len(accounts)
    assert not any(user.check_password(demo.DEMO_PASSWORD) for user in users)
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    assert all(user.check_password(demo.DEMO_PASSWORD) for user in users.all())
