"""The demo register from seed 003: six DHRs whose status R&R tracks and the joint SCR/DHR convened in RBKC in 2015,
loaded twice to the same state, nothing the seed does not give shown as fact."""

from django.core.management import call_command

from actions import selectors
from actions.models import CaseReview, CaseReviewTheme, Recommendation
from partnership.models import Partnership


def counts():
    return [model.objects.count() for model in (CaseReview, CaseReviewTheme, Recommendation)]


def test_the_demo_register_loads_twice_to_the_same_state(db):
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == first

    partnership = Partnership.objects.get(slug="tri-borough")
    reviews = CaseReview.objects.filter(partnership=partnership)
    dhrs = reviews.filter(kind=CaseReview.Kind.DHR)
    assert dhrs.count() == 6
    assert set(dhrs.values_list("overseen_by__abbreviation", flat=True)) == {"R&R"}
    # Their statuses are not in the seed: shown as illustrative, dates left empty.
    assert all(review.illustrative and review.commissioned_on is None for review in dhrs)

    joint = reviews.get(kind=CaseReview.Kind.SCR)
    assert "convened in 2015" in joint.summary
    assert (joint.status, joint.illustrative) == (CaseReview.Status.IN_PROGRESS, False)
    recommendation = joint.recommendations.get()
    assert "5.4 (vi)" in set(recommendation.actions.values_list("ref", flat=True))
    assert recommendation.text.startswith("Illustrative")

    themes = selectors.recurring_themes(partnership)
    assert themes[0].review_count > 1
    assert all(theme.illustrative for theme in themes)
    # The other partnerships keep no case reviews of the tri-borough partnership's.
    assert not CaseReview.objects.exclude(partnership=partnership).exists()
