# Query counts include 3 per request for the session write that keeps the idle timeout (savepoint, update, release).
from django.urls import reverse

from partnership.models import Membership, OperationalGroup
from tests.factories import BoroughFactory, BoroughPopulationFactory, MembershipFactory, OperationalGroupFactory


def url(name, world):
    return reverse(f"partnership:{name}", args=[world.partnership.slug])


def test_home_shows_the_partnership_and_the_role(world, client):
    client.force_login(world.coordinator)
    page = client.get(url("home", world)).content.decode()
    assert world.partnership.name in page
    assert "Operational group coordinator" in page
    assert "Children and Health Operational Group" in page  # their groups
    for word in ("Red", "Amber", "Green", "Complete", "Not rated"):
        assert f">{word}</strong>" in page  # RAG wording shows the word, not only the colour


def test_governance_tree_nests_groups_under_their_parent(world, client):
    client.force_login(world.board_member)
    page = client.get(url("governance", world)).content.decode()
    board_at = page.index("VAWG Strategic Board (BOARD)")
    chog_at = page.index("Children and Health Operational Group (CHOG)")
    assert board_at < chog_at
    assert page.count('<ul class="app-governance-tree">') == 2  # the roots, and the board's children
    assert "Elsewhere Board" not in page  # another partnership's groups never show


def test_governance_query_count_does_not_grow_with_groups(world, client, django_assert_num_queries):
    client.force_login(world.board_member)
    client.get(url("governance", world))
    with django_assert_num_queries(8) as small:
        client.get(url("governance", world))
    for _ in range(15):
        group = OperationalGroupFactory(partnership=world.partnership, parent=world.board)
        MembershipFactory(partnership=world.partnership, role=Membership.Role.COORDINATOR, groups=[group])
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url("governance", world)).content.decode()
    assert (
        page.count("app-governance-tree__item")
        == OperationalGroup.objects.filter(partnership=world.partnership).count()
    )


def test_boroughs_list_populations_with_a_fixed_query_count(world, client, django_assert_num_queries):
    client.force_login(world.board_member)
    client.get(url("boroughs", world))
    with django_assert_num_queries(8) as small:
        client.get(url("boroughs", world))
    for year in (2016, 2017):
        BoroughPopulationFactory(borough=world.borough, year=year)
    for _ in range(5):
        BoroughPopulationFactory(borough=BoroughFactory(partnership=world.partnership))
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url("boroughs", world)).content.decode()
    assert "2015-16" in page and "2017-18" in page
    assert "72,000" in page


def test_home_query_count_is_fixed(world, client, django_assert_num_queries):
    from tests.referrals.factories import MaracReturnFactory

    client.force_login(world.coordinator)
    MaracReturnFactory(borough=world.borough, year=2015, quarter=4)
    client.get(url("home", world))
    with django_assert_num_queries(17) as few:  # 17th: the member's other partnerships, to switch to
        client.get(url("home", world))
    for year in (2014, 2015):
        for quarter in (1, 2, 3):
            MaracReturnFactory(borough=world.borough, year=year, quarter=quarter)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url("home", world)).content.decode()
    assert "MARAC cases" in page


def test_root_lists_partnerships_for_members_of_several(world, client):
    MembershipFactory(user=world.lead, partnership=world.other_partnership)
    client.force_login(world.lead)
    page = client.get(reverse("home")).content.decode()
    assert "Tri-borough VAWG Partnership" in page and "Elsewhere VAWG Partnership" in page


def test_administrator_without_membership_is_pointed_to_administration(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("home")).content.decode()
    assert "not a member of any partnership" in page
    assert reverse("admin:index") in page
