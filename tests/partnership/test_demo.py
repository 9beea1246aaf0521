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


def test_load_demo_builds_three_partnerships_each_with_its_own_people(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert sorted(Partnership.objects.values_list("slug", flat=True)) == [
        "barking-dagenham",
        "tower-hamlets",
        "tri-borough",
    ]
    tower_hamlets = Partnership.objects.get(slug="tower-hamlets")
    barking = Partnership.objects.get(slug="barking-dagenham")
    assert list(tower_hamlets.boroughs.values_list("name", flat=True)) == ["Tower Hamlets"]
    assert list(barking.boroughs.values_list("name", flat=True)) == ["Barking and Dagenham"]
    # The seeds give neither borough's population: none is invented.
    assert not BoroughPopulation.objects.filter(borough__partnership__in=[tower_hamlets, barking]).exists()
    assert barking.groups.get(abbreviation="VAWG").chair_title == "Borough Director, NELFT"
    members = {
        slug: set(Membership.objects.filter(partnership__slug=slug).values_list("user__username", flat=True))
        for slug in demo.PARTNERSHIPS
    }
    assert members["tower-hamlets"] == {"th.lead", "th.coordinator", "th.board", "east.partner"}
    assert members["barking-dagenham"] == {"bd.lead", "bd.coordinator", "bd.board", "east.partner"}
    # One person belongs to two partnerships; nobody else to more than one.
    assert members["tri-borough"].isdisjoint(members["tower-hamlets"] | members["barking-dagenham"])
    assert members["tower-hamlets"] & members["barking-dagenham"] == {"east.partner"}
    # Each partnership's sign-ins are printed under it, and only its own.
    blocks = dict(zip(demo.PARTNERSHIPS, out.getvalue().split("Demo partnership loaded:")[1:], strict=True))
    for slug, usernames in members.items():
        sign_ins = blocks[slug].split("Sign-ins for", 1)[1].splitlines()[1:]
        listed = {line.split()[0] for line in sign_ins if line.startswith("    ")}
        assert listed - {"administrator"} == usernames, slug
    assert f"Password for every demo sign-in: {demo.DEMO_PASSWORD}" in out.getvalue()


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
