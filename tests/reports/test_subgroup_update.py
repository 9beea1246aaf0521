"""The sub group's quarterly update to its board: its services (one per group and quarter, versioned narrative,
builds stored with their checksum), what its built HTML and PDF carry (read from the records), and its pages
(roles, other partnerships' updates answer 404, query counts pinned)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from partnership.models import OperationalGroup, Partnership
from referrals.models import ComparatorFigure, IndicatorFigure, OutcomeIndicator
from reports import builder, services
from reports.models import SubgroupUpdate, SubgroupUpdateEdition
from tests.actions.factories import ActionFactory, PriorityFactory, RagRatingFactory, StrategyFactory
from tests.referrals.factories import ComparatorFigureFactory, IndicatorFigureFactory, OutcomeIndicatorFactory
from tests.reports.factories import SubgroupUpdateEditionFactory, SubgroupUpdateFactory
from tests.reports.pdf import pdf_text
from vawg.concurrency import EditConflict
from vawg.periods import Quarter

NARRATIVE = {
    "report_date": date(2018, 3, 28),
    "author": "On behalf of the chair",
    "brief_update": "The group met in January.",
    "key_challenges": "Attendance fell in January.",
    "support_requested": "- Strategic buy-in from every partner",
    "data_requested": "- Housing\n- Mental health",
}


def _text(value: Decimal) -> str:
    """A stored figure as the update writes it: 28.00 is 28, 18.30 is 18.3."""
    return f"{value.normalize():f}"


# --- Services -----------------------------------------------------------------------------------------------


def test_one_update_per_group_and_quarter(world):
    services.update_create(partnership=world.partnership, group=world.group, period=Quarter(2017, 4), user=world.lead)
    with pytest.raises(ValidationError):
        services.update_create(
            partnership=world.partnership, group=world.group, period=Quarter(2017, 4), user=world.lead
        )
    services.update_create(partnership=world.partnership, group=world.group, period=Quarter(2018, 1), user=world.lead)
    assert SubgroupUpdate.objects.filter(partnership=world.partnership).count() == 2


def test_a_stale_narrative_save_is_refused_and_keeps_the_other(world):
    update = SubgroupUpdateFactory(partnership=world.partnership, group=world.group)
    services.update_narrative_save(update=update, user=world.lead, expected_version=1, **NARRATIVE)
    with pytest.raises(EditConflict):
        services.update_narrative_save(
            update=update, user=world.lead, expected_version=1, **{**NARRATIVE, "key_challenges": "Other words."}
        )
    update.refresh_from_db()
    assert (update.key_challenges, update.version) == ("Attendance fell in January.", 2)


def _plan_and_figures(world):
    strategy = StrategyFactory(partnership=world.partnership, slug="plan", first_year=2017, last_year=2018)
    priority = PriorityFactory(strategy=strategy, number=1)
    for ref, rating in (("1.1", "green"), ("1.2", "amber"), ("1.3", "green")):
        action = ActionFactory(priority=priority, ref=ref, groups=[world.group])
        RagRatingFactory(action=action, year=2017, quarter=4, rating=rating)
    indicator = OutcomeIndicatorFactory(
        partnership=world.partnership, name="Incidents per 1000", unit="rate", polarity="lower", rate_per=1000
    )
    IndicatorFigureFactory(indicator=indicator, year=2016, target=None, achieved=None, baseline=Decimal("31"))
    IndicatorFigureFactory(indicator=indicator, year=2017, target=Decimal("20"), achieved=Decimal("26.5"))
    ComparatorFigureFactory(
        indicator=indicator, series="Region average", kind="subregion", year=2017, value=Decimal("19.4")
    )
    return indicator


def test_a_build_stores_the_pdf_and_html_with_their_checksums(world):
    _plan_and_figures(world)
    update = SubgroupUpdateFactory(partnership=world.partnership, group=world.group)
    services.update_narrative_save(update=update, user=world.lead, expected_version=1, **NARRATIVE)

    edition = services.update_edition_request(update=update, user=world.lead, expected_version=2)

    edition.refresh_from_db()
    assert edition.state == SubgroupUpdateEdition.State.READY
    pdf = edition.pdf.open("rb").read()
    assert hashlib.sha256(pdf).hexdigest() == edition.pdf_sha256
    assert hashlib.sha256(edition.html.open("rb").read()).hexdigest() == edition.html_sha256
    assert edition.narrative_snapshot["key_challenges"] == "Attendance fell in January."
    text = " ".join(pdf_text(pdf))
    assert "Attendance fell in January." in text
    assert "Of 3 actions: 2 green (67%), 1 amber (33%)" in text


def test_a_build_from_a_narrative_the_lead_has_not_seen_is_refused(world):
    update = SubgroupUpdateFactory(partnership=world.partnership, group=world.group)
    services.update_narrative_save(update=update, user=world.lead, expected_version=1, **NARRATIVE)
    with pytest.raises(EditConflict):
        services.update_edition_request(update=update, user=world.lead, expected_version=1)
    assert not update.editions.exists()


def test_the_update_shows_the_plan_figures_against_target_and_comparator(world):
    indicator = _plan_and_figures(world)
    update = SubgroupUpdateFactory(partnership=world.partnership, group=world.group)

    built = builder.build_update(update, with_pdf=False)

    html = built.html
    stored = IndicatorFigure.objects.get(indicator=indicator, year=2017)
    comparator = ComparatorFigure.objects.get(indicator=indicator)
    for value in (stored.achieved, stored.target, comparator.value):
        assert _text(value) in html
    assert "Region average" in html
    assert (
        built.context.key_figures[0].figure.chart.svg.startswith("<?xml")
        or "<svg" in built.context.key_figures[0].figure.chart.svg
    )
    assert "<img" in html and "data:image/svg+xml" in html


# --- Seed 002 reproduced from the demo records ----------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    return Partnership.objects.get(slug="barking-dagenham")


def test_the_demo_update_carries_the_prevalence_figures_from_the_records(demo):
    update = SubgroupUpdate.objects.get(partnership=demo)
    prevalence = OutcomeIndicator.objects.get(partnership=demo, rate_per=1000)
    before = IndicatorFigure.objects.get(indicator=prevalence, baseline__isnull=False).baseline
    now = IndicatorFigure.objects.get(indicator=prevalence, achieved__isnull=False).achieved
    east_london = ComparatorFigure.objects.get(indicator=prevalence, series="East London average").value

    built = builder.build_update(update)

    sentences = " ".join(built.context.key_figures[0].comparison.sentences())
    for value in (before, now, east_london):
        assert f"{_text(value)} per 1,000" in sentences
        assert f"{_text(value)} per 1,000" in built.html
    assert "East London average" in built.html
    text = " ".join(" ".join(pdf_text(built.pdf.content)).split())
    for value in (before, now, east_london):
        assert _text(value) in text
    assert "Support asked of the board" in text
    assert "Mental health services" in text  # the data the sub group asks partners for
    # The forward plan's next steps and the plan's position, from the action plan.
    assert "Safeguarding Adults Review learning event" in text
    assert "Of 7 actions" in text
    assert update.group.parent.name in text


def test_the_demo_update_loads_twice_to_the_same_state(demo):
    update = SubgroupUpdate.objects.get(partnership=demo)
    call_command("load_demo", verbosity=0)
    again = SubgroupUpdate.objects.get(partnership=demo)
    assert (again.pk, again.version) == (update.pk, update.version)
    assert not SubgroupUpdate.objects.exclude(partnership=demo).exists()


# --- Pages --------------------------------------------------------------------------------------------------


def _url(world, name, **kwargs):
    return reverse(f"reports:{name}", kwargs={"partnership_slug": world.partnership.slug, **kwargs})


def test_a_lead_starts_writes_and_builds_an_update(world, client):
    client.force_login(world.lead)
    response = client.post(_url(world, "update_new"), {"group": world.group.pk, "quarter": "2017-18 Q4"})
    update = SubgroupUpdate.objects.get(partnership=world.partnership)
    assert response.status_code == 302
    assert (update.year, update.quarter) == (2017, 4)

    response = client.post(
        _url(world, "update_edit", update_id=update.pk),
        {**NARRATIVE, "report_date": "2018-03-28", "version": update.version},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.support_requested == "- Strategic buy-in from every partner"

    response = client.post(_url(world, "update_build", update_id=update.pk), {"version": update.version})
    assert response.status_code == 302
    edition = update.editions.get()
    assert edition.state == SubgroupUpdateEdition.State.READY
    download = client.get(_url(world, "update_edition_pdf", update_id=update.pk, edition_id=edition.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_second_update_for_the_quarter_is_refused_with_a_message(world, client):
    SubgroupUpdateFactory(partnership=world.partnership, group=world.group, year=2017, quarter=4)
    client.force_login(world.lead)
    response = client.post(_url(world, "update_new"), {"group": world.group.pk, "quarter": "2017-18 Q4"})
    assert response.status_code == 200
    assert "There is already an update" in response.content.decode()
    assert SubgroupUpdate.objects.count() == 1


def test_a_stale_edit_answers_409(world, client):
    update = SubgroupUpdateFactory(partnership=world.partnership, group=world.group, version=3)
    client.force_login(world.lead)
    response = client.post(_url(world, "update_edit", update_id=update.pk), {**NARRATIVE, "version": 2})
    assert response.status_code == 409
    update.refresh_from_db()
    assert update.brief_update == ""


def test_another_partnerships_update_answers_404(world, client):
    edition = SubgroupUpdateEditionFactory(
        update__partnership=world.other_partnership,
        update__group=OperationalGroup.objects.create(
            partnership=world.other_partnership, name="Sub group", abbreviation="SG"
        ),
    )
    update = edition.update
    client.force_login(world.lead)
    for name in ("update_detail", "update_edit", "update_preview"):
        assert client.get(_url(world, name, update_id=update.pk)).status_code == 404
    kwargs = {"update_id": update.pk, "edition_id": edition.pk}
    assert client.get(_url(world, "update_edition_pdf", **kwargs)).status_code == 404
    assert client.post(_url(world, "update_build", update_id=update.pk), {"version": 1}).status_code == 404
    assert update.editions.count() == 1


def test_the_preview_is_built_from_the_records_and_stores_nothing(world, client):
    from partnership.models import ChartDrawing

    _plan_and_figures(world)
    update = SubgroupUpdateFactory(partnership=world.partnership, group=world.group)
    client.force_login(world.board_member)
    response = client.get(_url(world, "update_preview", update_id=update.pk))
    assert response.status_code == 200
    assert "Region average" in response.content.decode()
    assert not ChartDrawing.objects.exists()
    assert not update.editions.exists()


def _updates(world, n):
    for i in range(n):
        update = SubgroupUpdateFactory(partnership=world.partnership, group=world.group, year=2010 + i)
        SubgroupUpdateEditionFactory(update=update)
        SubgroupUpdateEditionFactory(update=update)


# Session, user and membership; the page's own reads; what the base layout reads.
PAGE_QUERIES = {"updates": 7, "update_detail": 8}


@pytest.mark.parametrize("name", list(PAGE_QUERIES))
@pytest.mark.parametrize("size", [1, 10])
def test_query_counts_do_not_grow_with_the_updates(world, client, django_assert_num_queries, name, size):
    _updates(world, size)
    kwargs = {"update_id": SubgroupUpdate.objects.first().pk} if name == "update_detail" else {}
    client.force_login(world.board_member)
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert client.get(_url(world, name, **kwargs)).status_code == 200


def test_the_update_page_shows_the_narrative_escaped_with_its_line_breaks(world, client):
    update = SubgroupUpdateFactory(
        partnership=world.partnership, group=world.group, key_challenges="First line\n<b>second</b>"
    )
    client.force_login(world.board_member)
    content = client.get(_url(world, "update_detail", update_id=update.pk)).content.decode()
    assert "First line<br>&lt;b&gt;second&lt;/b&gt;" in content
