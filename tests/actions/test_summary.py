"""The RAG summary (page, CSV, command) and the report readers built on the same ratings."""

import csv
import io
import json

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions import selectors
from actions.models import ProgressUpdate, RagRating
from tests.actions.factories import ActionFactory


def rate(action, year, quarter, rating, reason=""):
    RagRating.objects.create(
        action=action, year=year, quarter=quarter, rating=rating, reason=reason, set_at=timezone.now()
    )


def test_counts_totals_percentages_and_movement(plan, world):
    extra = ActionFactory(priority=plan.access, ref="1.2", groups=[world.group])
    rate(plan.shared, 2015, 3, "amber")
    rate(plan.shared, 2015, 4, "green")  # improved
    rate(plan.housing, 2015, 3, "green")
    rate(plan.housing, 2015, 4, "red")  # worsened
    rate(extra, 2015, 4, "amber")  # not rated before: not compared
    summary = selectors.rag_summary(strategy=plan.strategy, year=2015, quarter=4)
    assert [p.title for p in summary.priorities] == ["Access", "Response"]
    rows = {row.rating.value: (row.counts, row.total, row.percent) for row in summary.rows}
    assert rows["green"] == ([1, 0], 1, 33)
    assert rows["amber"] == ([1, 0], 1, 33)
    assert rows["red"] == ([0, 1], 1, 33)
    assert rows["not_rated"] == ([0, 0], 0, 0)
    assert summary.column_totals == [2, 1] and summary.total == 3
    movement = {row.label: (row.counts, row.total) for row in summary.movement}
    assert movement == {
        "Improved": ([1, 0], 1),
        "Worsened": ([0, 1], 1),
        "Stayed the same": ([0, 0], 0),
        "Not compared": ([1, 0], 1),
    }
    assert summary.label == "2015-16 Q4" and summary.previous_label == "2015-16 Q3"


def test_a_year_is_its_final_quarter_compared_with_the_year_before(plan, world):
    rate(plan.shared, 2015, 4, "green")
    rate(plan.shared, 2016, 2, "red")
    rate(plan.shared, 2016, 4, "amber")
    summary = selectors.rag_summary(strategy=plan.strategy, year=2016)
    assert summary.label == "2016-17" and summary.previous_label == "2015-16"
    assert summary.count("amber") == 1 and summary.count("not_rated") == 1
    assert summary.movement_total("Worsened") == 1


def test_the_page_and_the_csv_show_the_same_numbers(client, plan, world):
    rate(plan.shared, 2015, 4, "green")
    rate(plan.housing, 2015, 4, "amber")
    client.force_login(world.board_member)
    page = client.get(reverse("actions:summary", args=[world.partnership.slug]) + "?strategy=2015-18&year=2015")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 green (50%)" in text and "1 amber (50%)" in text
    assert 'class="app-chart' in text and "Actions by rating for each priority, 2015-16" in text
    response = client.get(reverse("actions:summary_csv", args=[world.partnership.slug]) + "?strategy=2015-18&year=2015")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["RAG status", "Access", "Response", "Total", "Percent of total"]
    assert rows[1] == ["Green", "1", "0", "1", "50%"]
    assert rows[2] == ["Amber", "0", "1", "1", "50%"]
    assert rows[6] == ["Total", "1", "1", "2", "100%"]
    head, table = page.context["summary"].table()
    assert [[str(cell) for cell in row] for row in table] == rows[1:]


def test_the_command_prints_the_same_table(plan, world):
    rate(plan.shared, 2015, 2, "green")
    out = io.StringIO()
    call_command("rag_summary", "--partnership", "tri-borough", "--year", "2015-16", "--quarter", "Q2", stdout=out)
    assert out.getvalue().splitlines()[1] == "Green,1,0,1,50%"
    out = io.StringIO()
    call_command("rag_summary", "--partnership", "tri-borough", "--year", "2015-16", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    # The Q2 rating stands at the year's end: one action rated green, the other not rated.
    assert (data["period"], data["quarter"]) == ("2015-16", "2015-16 Q4")
    assert (data["ratings"]["green"]["total"], data["ratings"]["not_rated"]["total"]) == (1, 1)


def test_achievements_gaps_and_forward_plan(plan, world):
    rate(plan.shared, 2015, 4, "green")
    rate(plan.housing, 2015, 4, "red", "No funding")
    ProgressUpdate.objects.create(
        action=plan.shared,
        group=world.group,
        year=2015,
        quarter=4,
        status="accepted",
        successes_and_challenges="Leaflets",
        next_steps="Reprint",
        updated_at=timezone.now(),
    )
    ProgressUpdate.objects.create(
        action=plan.shared,
        group=world.other_group,
        year=2015,
        quarter=4,
        status="draft",
        successes_and_challenges="Unfinished",
        next_steps="Private",
        updated_at=timezone.now(),
    )
    achievements = selectors.achievements(strategy=plan.strategy, year=2015)
    assert [
        (p.priority.number, [(a.action.ref, [u.successes_and_challenges for u in a.updates]) for a in p.actions])
        for p in achievements
    ] == [(1, [("1.1", ["Leaflets"])])]
    gaps = selectors.gaps(strategy=plan.strategy, year=2015)
    assert [(p.priority.number, [(a.action.ref, a.rating, a.reason) for a in p.actions]) for p in gaps] == [
        (2, [("2.1", "red", "No funding")])
    ]
    forward = selectors.forward_plan(strategy=plan.strategy, year=2015)
    assert [(p.priority.number, [(s.action_refs, s.group_names, s.text) for s in p.steps]) for p in forward] == [
        (1, [("1.1", "CHOG", "Reprint")])
    ]


def accepted(action, group, year, quarter, **texts):
    return ProgressUpdate.objects.create(
        action=action, group=group, year=year, quarter=quarter, status="accepted", updated_at=timezone.now(), **texts
    )


def test_a_rating_stands_until_it_is_changed(plan, world):
    rate(plan.shared, 2015, 1, "amber", "Started late")
    rate(plan.housing, 2014, 4, "green")
    rate(plan.housing, 2015, 3, "red", "Funding ended")
    rate(plan.housing, 2016, 1, "green")  # after the year read: not counted
    summary = selectors.rag_summary(strategy=plan.strategy, year=2015)
    rows = {row.rating.value: row.total for row in summary.rows}
    assert (rows["amber"], rows["red"], rows["not_rated"]) == (1, 1, 0)
    movement = {row.label: row.total for row in summary.movement}
    assert (movement["Worsened"], movement["Not compared"]) == (1, 1)
    gaps = selectors.gaps(strategy=plan.strategy, year=2015)
    given = {a.action.ref: (a.rating, a.reason, a.rated_in) for p in gaps for a in p.actions}
    assert {ref: (rating, reason, str(quarter)) for ref, (rating, reason, quarter) in given.items()} == {
        "1.1": ("amber", "Started late", "2015-16 Q1"),
        "2.1": ("red", "Funding ended", "2015-16 Q3"),
    }
    appendix = {
        row.action.ref: row for p in selectors.appendix_rows(strategy=plan.strategy, year=2015) for row in p.rows
    }
    assert (appendix["1.1"].rating, str(appendix["1.1"].rated_in)) == ("amber", "2015-16 Q1")
    # Rated in the quarter read: no "rated in" note.
    assert selectors.appendix_rows(strategy=plan.strategy, year=2015, quarter=1)[0].rows[0].rated_in is None


def test_the_years_texts_are_each_groups_latest_accepted_update_of_the_year(plan, world):
    rate(plan.shared, 2015, 2, "green")
    accepted(plan.shared, world.group, 2014, 4, successes_and_challenges="Last year")
    accepted(plan.shared, world.group, 2015, 1, successes_and_challenges="Q1 text")
    accepted(plan.shared, world.group, 2015, 3, successes_and_challenges="Q3 text", next_steps="Train GPs")
    accepted(plan.shared, world.other_group, 2015, 2, successes_and_challenges="Q2 text", next_steps="Train GPs")
    achievements = selectors.achievements(strategy=plan.strategy, year=2015)
    texts = sorted(u.successes_and_challenges for a in achievements[0].actions for u in a.updates)
    assert texts == ["Q2 text", "Q3 text"]


def test_a_next_step_shared_by_groups_and_actions_is_said_once(plan, world):
    extra = ActionFactory(priority=plan.access, ref="1.2", groups=[world.group])
    accepted(plan.shared, world.group, 2015, 4, next_steps="Refresh the MARAC training offer")
    accepted(plan.shared, world.other_group, 2015, 4, next_steps="refresh the  MARAC training offer ")
    accepted(extra, world.group, 2015, 4, next_steps="Refresh the MARAC training offer")
    accepted(plan.housing, world.group, 2015, 4, next_steps="Refresh the MARAC training offer")  # another priority
    forward = selectors.forward_plan(strategy=plan.strategy, year=2015)
    steps = [(p.priority.number, s.action_refs, s.group_names) for p in forward for s in p.steps]
    assert steps == [
        (1, "1.1, 1.2", f"{world.group.abbreviation}, {world.other_group.abbreviation}"),
        (2, "2.1", world.group.abbreviation),
    ]


def test_appendix_merges_groups_with_the_same_text(client, plan, world):
    for group in (world.group, world.other_group):
        ProgressUpdate.objects.create(
            action=plan.shared,
            group=group,
            year=2015,
            quarter=4,
            status="accepted",
            successes_and_challenges="Shared text",
            updated_at=timezone.now(),
        )
    rate(plan.shared, 2015, 4, "green")
    rows = selectors.appendix_rows(strategy=plan.strategy, year=2015)
    first = rows[0].rows[0]
    assert (first.action.ref, first.rating, [e.group_names for e in first.entries]) == ("1.1", "green", ["CHOG, HOG"])
    client.force_login(world.coordinator)
    page = client.get(reverse("actions:appendix", args=[world.partnership.slug]) + "?strategy=2015-18&year=2015")
    assert "Shared text" in page.content.decode() and "Actions for 2016-17" in page.content.decode()


def test_recommendations_show_their_actions_current_ratings(client, plan, world):
    from tests.actions.factories import RecommendationFactory

    recommendation = RecommendationFactory(partnership=world.partnership, ref="R7")
    recommendation.actions.set([plan.shared])
    rate(plan.shared, 2015, 3, "amber")
    rate(plan.shared, 2015, 4, "green")
    [found] = selectors.recommendations_with_ratings(world.partnership)
    assert [(a.ref, a.current_rating) for a in found.actions.all()] == [("1.1", "green")]
    client.force_login(world.board_member)
    page = client.get(reverse("actions:recommendations", args=[world.partnership.slug]))
    assert "R7" in page.content.decode() and "app-rag--green" in page.content.decode()
