"""The demo plan from the seed documents: loads twice to the same state, and shows the report's Fig 2."""

from django.core.management import call_command

from actions import selectors
from actions.models import Action, ActionGroup, ProgressUpdate, RagRating, RagRatingChange, Recommendation, Strategy
from partnership.models import Partnership

FIG_2 = {  # seed 003, Fig 2: per priority, green / amber / red
    "Access": (5, 3, 0),
    "Response": (6, 2, 1),
    "Community": (1, 2, 0),
    "Practitioners": (3, 0, 0),
    "Children & YP": (6, 7, 2),
    "Perpetrators": (2, 0, 0),
    "Justice & Protection": (1, 1, 1),
}


def counts():
    return [
        model.objects.count()
        for model in (Strategy, Action, ActionGroup, ProgressUpdate, RagRating, RagRatingChange, Recommendation)
    ]


def test_the_demo_loads_twice_to_the_same_state_and_matches_fig_2(db):
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == first
    partnership = Partnership.objects.get(slug="tri-borough")
    plan = Strategy.objects.get(partnership=partnership, slug="2015-18")
    assert plan.actions.count() == 43
    assert Strategy.objects.get(partnership=partnership, slug="2018-21").actions.count() == 13
    # Seed 001's recommendations are Tower Hamlets' (below), not the tri-borough partnership's.
    # Its only recommendations are its own case review's (see test_case_review_demo.py).
    assert not Recommendation.objects.filter(partnership=partnership, case_review__isnull=True).exists()

    summary = selectors.rag_summary(strategy=plan, year=2015)
    assert (summary.count("green"), summary.percent("green")) == (24, 56)
    assert (summary.count("amber"), summary.percent("amber")) == (15, 35)
    assert (summary.count("red"), summary.percent("red")) == (4, 9)
    assert summary.total == 43 and summary.count("not_rated") == 0
    by_priority = {
        p.heading: tuple(row.counts[i] for row in summary.rows[:3]) for i, p in enumerate(summary.priorities)
    }
    assert by_priority == FIG_2
    assert summary.column_totals == [8, 9, 3, 3, 15, 2, 3]

    # Earlier quarters show movement and history.
    q4 = selectors.rag_summary(strategy=plan, year=2015, quarter=4)
    assert (q4.movement_total("Improved"), q4.movement_total("Worsened")) == (5, 2)
    history = RagRatingChange.objects.filter(action__strategy=plan, action__ref="2.2").order_by("changed_at")
    assert [(c.period.number, c.new) for c in history] == [(2, "green"), (3, "green"), (4, "amber")]


def test_demo_appendix_has_every_action_with_its_groups(db):
    call_command("load_demo", verbosity=0)
    plan = Strategy.objects.get(slug="2015-18")
    rows = [row for priority in selectors.appendix_rows(strategy=plan, year=2015) for row in priority.rows]
    assert len(rows) == 43
    ref_22 = next(r for r in rows if r.action.ref == "2.2")
    assert [e.group_names for e in ref_22.entries] == ["SSG", "R&R"]
    ref_42 = next(r for r in rows if r.action.ref == "4.2")
    assert [e.group_names for e in ref_42.entries] == ["HOG, SSG, CHOG, R&R, HP, MSE"]  # "All Operational Groups"


def test_tower_hamlets_tracks_r1_to_r12_against_its_illustrative_response_plan(db):
    call_command("load_demo", verbosity=0)
    tower_hamlets = Partnership.objects.get(slug="tower-hamlets")
    plan = Strategy.objects.get(partnership=tower_hamlets)
    assert plan.illustrative and plan.actions.count() == 11
    # Nothing in seed 001 says how far any action got: no ratings, no updates, every recommendation not started.
    assert not RagRating.objects.filter(action__strategy=plan).exists()
    assert not ProgressUpdate.objects.filter(action__strategy=plan).exists()
    recommendations = Recommendation.objects.filter(partnership=tower_hamlets).prefetch_related("actions")
    assert [r.ref for r in recommendations] == [f"R{n}" for n in range(1, 13)]
    assert {r.status for r in recommendations} == {"not_started"}
    assert all(a.strategy_id == plan.pk for r in recommendations for a in r.actions.all())
    assert [a.ref for a in recommendations.get(ref="R11").actions.all()] == ["4.1"]


def test_barking_and_dagenham_forward_plan_is_its_own_and_unrated(db):
    call_command("load_demo", verbosity=0)
    barking = Partnership.objects.get(slug="barking-dagenham")
    plan = Strategy.objects.get(partnership=barking)
    assert (plan.slug, plan.illustrative, plan.actions.count()) == ("forward-plan", False, 7)
    assert not RagRating.objects.filter(action__strategy=plan).exists()
    pathway = plan.actions.get(ref="2.1")
    assert [g.abbreviation for g in pathway.groups.all()] == ["MSWG"]
    update = ProgressUpdate.objects.get(action=pathway)
    assert (update.year, update.quarter) == (2017, 4) and "London Working Group" in update.successes_and_challenges
    assert not Recommendation.objects.filter(partnership=barking).exists()


def test_the_2020_21_summary_carries_the_addendums_q1_ratings(db):
    call_command("load_demo", verbosity=0)
    addendum = Strategy.objects.get(partnership__slug="tri-borough", slug="2018-21")
    given = RagRating.objects.filter(action__strategy=addendum)
    assert set(given.values_list("year", "quarter")) == {(2020, 1)}  # the addendum rated in Q1 only
    summary = selectors.rag_summary(strategy=addendum, year=2020)
    rated = sum(row.total for row in summary.rows if row.rating != "not_rated")
    assert rated == given.count() > 0
    assert summary.count("green") == given.filter(rating="green").count()


def test_the_demo_forward_plan_says_each_next_step_once(db):
    call_command("load_demo", verbosity=0)
    plan = Strategy.objects.get(partnership__slug="tri-borough", slug="2015-18")
    said = [
        (entry.priority.pk, " ".join(step.text.split()).casefold())
        for entry in selectors.forward_plan(strategy=plan, year=2015)
        for step in entry.steps
    ]
    accepted = ProgressUpdate.objects.filter(action__strategy=plan, year=2015, status="accepted").exclude(next_steps="")
    assert said and len(said) == len(set(said)) < accepted.count()
