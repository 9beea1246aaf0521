"""The scale data generator: realistic volumes, the same data for the same seed, and pages that render."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from actions.models import Action, ActionGroup, ProgressUpdate, RagRating, UpdateRound
from consultations.models import Consultation, Quote, QuoteEvent, ResponseCount, Theme
from partnership import scale_data
from partnership.models import Borough, Membership, OperationalGroup, Partnership
from referrals.models import IndicatorFigure, JusticeFigure, MaracReturn, ReferralCount
from tests.factories import MembershipFactory

PARTNERSHIPS, YEARS, QUARTERS = 2, 2, 8


def snapshot() -> dict:
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Action, ActionGroup, ProgressUpdate, RagRating, MaracReturn, ReferralCount, JusticeFigure)
        },
        "texts": list(
            Action.objects.order_by("strategy__partnership__slug", "sort_key").values_list("text", flat=True)
        ),
        "quotes": list(
            Quote.objects.order_by("consultation__partnership__slug", "position").values_list(
                "theme__title", "text", "status"
            )
        ),
    }


@pytest.fixture
def generated(db):
    return scale_data.generate(partnerships=PARTNERSHIPS, years=YEARS, seed=7)


def test_volumes_are_in_the_issue_ranges(generated):
    partnerships = Partnership.objects.filter(slug__startswith="scale-").order_by("slug")
    assert [p.slug for p in partnerships] == ["scale-001", "scale-002"]
    for partnership in partnerships:
        boroughs = Borough.objects.filter(partnership=partnership)
        assert 2 <= boroughs.count() <= 4
        assert all(b.populations.count() == YEARS for b in boroughs)
        groups = OperationalGroup.objects.filter(partnership=partnership)
        assert 6 <= groups.count() <= 10
        assert groups.filter(parent__isnull=True).count() == 1  # one board at the top of the tree
        actions = Action.objects.filter(strategy__partnership=partnership)
        assert 40 <= actions.count() <= 120
        assert actions.values("priority").distinct().count() <= 7
        assert UpdateRound.objects.filter(strategy__partnership=partnership).count() == QUARTERS
        responsibilities = ActionGroup.objects.filter(action__strategy__partnership=partnership).count()
        # An update from every responsible group every quarter, and a rating of every action every quarter.
        updates = ProgressUpdate.objects.filter(action__strategy__partnership=partnership)
        assert updates.count() == responsibilities * QUARTERS
        assert RagRating.objects.filter(action__strategy__partnership=partnership).count() == actions.count() * QUARTERS
        assert MaracReturn.objects.for_partnership(partnership).count() == boroughs.count() * QUARTERS
        assert ReferralCount.objects.filter(service__partnership=partnership).count() > 0
        assert JusticeFigure.objects.filter(borough__partnership=partnership).count() > 0
        assert IndicatorFigure.objects.filter(indicator__partnership=partnership).count() > 0
        consultation = Consultation.objects.get(partnership=partnership)
        assert ResponseCount.objects.filter(question__consultation=consultation).count() > 0
        assert 4 <= Theme.objects.filter(consultation=consultation).count() <= 6
        approved = Quote.objects.approved().filter(consultation=consultation)
        assert approved.exists()
        assert approved.filter(theme__isnull=False).exists()
        # Every approved quote carries consent and an approver (the database's check), and its three events.
        assert all(q.consent_given and q.approved_by_id for q in approved)
        assert QuoteEvent.objects.filter(quote__in=approved).count() == 3 * approved.count()
    assert generated["actions.ProgressUpdate"] == ProgressUpdate.objects.count()


def test_same_seed_same_data(db):
    scale_data.generate(partnerships=PARTNERSHIPS, years=YEARS, seed=7)
    first = snapshot()
    assert scale_data.delete_scale_data() == PARTNERSHIPS
    assert not Partnership.objects.filter(slug__startswith="scale-").exists()
    assert not Theme.objects.exists() and not Quote.objects.exists() and not QuoteEvent.objects.exists()
    scale_data.generate(partnerships=PARTNERSHIPS, years=YEARS, seed=7)
    assert snapshot() == first
    scale_data.delete_scale_data()
    scale_data.generate(partnerships=PARTNERSHIPS, years=YEARS, seed=8)
    assert snapshot()["texts"] != first["texts"]


def test_command_refuses_to_overwrite_without_replace(db):
    call_command("generate_scale_data", partnerships=1, years=1, seed=1, stdout=None)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_scale_data", partnerships=1, years=1, seed=1)
    call_command("generate_scale_data", partnerships=1, years=1, seed=1, replace=True)
    assert Partnership.objects.filter(slug__startswith="scale-").count() == 1


def test_main_pages_render_for_a_lead(generated, client):
    partnership = Partnership.objects.get(slug="scale-002")
    lead = MembershipFactory(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD).user
    client.force_login(lead)
    action = Action.objects.filter(strategy__partnership=partnership).first()
    consultation = Consultation.objects.get(partnership=partnership)
    slug = partnership.slug
    urls = [
        reverse("partnership:home", args=[slug]),
        reverse("actions:plan", args=[slug]),
        reverse("actions:summary", args=[slug]),
        reverse("actions:my_updates", args=[slug]),
        reverse("actions:action_detail", args=[slug, action.pk]),
        reverse("referrals:marac", args=[slug]),
        reverse("referrals:referrals", args=[slug]),
        reverse("referrals:justice", args=[slug]),
        reverse("referrals:indicators", args=[slug]),
        reverse("consultations:consultation_detail", args=[slug, consultation.slug]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    # The consultation page shows the approved quotes under their themes, and no quote that is not approved.
    text = client.get(urls[-1]).content.decode()
    for quote in Quote.objects.filter(consultation=consultation):
        assert (escape(quote.text) in text) == (quote.status == Quote.Status.APPROVED), quote.text
    assert all(theme.title in text for theme in Theme.objects.filter(consultation=consultation))
    coordinator = OperationalGroup.objects.filter(partnership=partnership, abbreviation="EXEC").get().coordinator
    client.force_login(coordinator)
    response = client.get(reverse("actions:my_updates", args=[slug]))
    assert response.status_code == 200
