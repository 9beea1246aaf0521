"""The bulk "My updates" page: a whole quarter in one form, all or nothing, and the row-by-row draft endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.forms import BulkUpdateRowForm
from actions.models import Action, ActionGroup, Evidence, ProgressUpdate
from actions.views import BULK_PAGE_SIZE
from audit.models import AuditEvent
from tests.actions.factories import ProgressUpdateFactory, UpdateRoundFactory, build_plan


def _url(world, update_round=None):
    url = reverse("actions:my_updates", args=[world.partnership.slug])
    return url + (f"?round={update_round.pk}" if update_round else "")


def _row(action, group, *, version=0, text="", steps="", rating="not_rated", submit=False):
    prefix = BulkUpdateRowForm.prefix_for(action.pk, group.pk)
    data = {
        f"{prefix}-version": version,
        f"{prefix}-successes_and_challenges": text,
        f"{prefix}-next_steps": steps,
        f"{prefix}-proposed_rating": rating,
    }
    if submit:
        data[f"{prefix}-submit"] = "on"
    return data


@pytest.fixture
def quarter(plan, world):
    """The coordinator's CHOG answers for 1.1 and, here, 2.1 as well: two rows on their page."""
    ActionGroup.objects.create(action=plan.housing, group=world.group)
    return plan


def _updates(world):
    return {
        u.action.ref: u
        for u in ProgressUpdate.objects.filter(group=world.group, year=2016, quarter=1).select_related("action")
    }


def test_the_page_has_a_row_for_each_action_with_last_quarters_text(client, quarter, world):
    ProgressUpdateFactory(
        action=quarter.shared, group=world.group, year=2015, quarter=4, successes_and_challenges="Leaflets printed"
    )
    client.force_login(world.coordinator)
    response = client.get(_url(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert [row.label for row in response.context["rows"]] == ["1.1 CHOG", "2.1 CHOG"]
    assert "Leaflets printed" in page
    assert 'name="save" value="draft"' in page and 'name="save" value="submit"' in page
    assert "actions/bulk-updates.mjs" in page


def test_save_drafts_saves_every_row_written_and_no_empty_row(client, quarter, world):
    client.force_login(world.coordinator)
    data = {
        "round": quarter.update_round.pk,
        "save": "draft",
        **_row(quarter.shared, world.group, text="Training for 40 GPs", steps="Evaluate", rating="green"),
        **_row(quarter.housing, world.group),
    }
    response = client.post(_url(world), data)
    assert response.status_code == 302
    updates = _updates(world)
    assert list(updates) == ["1.1"]
    assert updates["1.1"].status == "draft" and updates["1.1"].proposed_rating == "green"
    assert updates["1.1"].next_steps == "Evaluate" and updates["1.1"].updated_by == world.coordinator
    assert AuditEvent.objects.filter(object_type="actions.ProgressUpdate", action="create").count() == 1


def test_submit_sends_the_rows_ticked_and_keeps_the_others_as_drafts(client, quarter, world):
    client.force_login(world.coordinator)
    data = {
        "save": "submit",
        **_row(quarter.shared, world.group, text="Done the training", submit=True),
        **_row(quarter.housing, world.group, text="Half way"),
    }
    assert client.post(_url(world, quarter.update_round), data).status_code == 302
    updates = _updates(world)
    assert (updates["1.1"].status, updates["2.1"].status) == ("submitted", "draft")
    assert updates["1.1"].submitted_at is not None and updates["2.1"].submitted_at is None


def test_submit_with_none_ticked_sends_every_complete_row(client, quarter, world):
    client.force_login(world.coordinator)
    data = {
        "save": "submit",
        **_row(quarter.shared, world.group, text="Done the training"),
        **_row(quarter.housing, world.group, steps="Only next steps so far"),
    }
    assert client.post(_url(world, quarter.update_round), data).status_code == 302
    updates = _updates(world)
    assert (updates["1.1"].status, updates["2.1"].status) == ("submitted", "draft")


def test_a_row_with_an_error_saves_nothing_and_is_listed_in_the_error_summary(client, quarter, world):
    client.force_login(world.coordinator)
    data = {
        "save": "submit",
        **_row(quarter.shared, world.group, text="Fine row"),
        **_row(quarter.housing, world.group, steps="Ticked without progress", submit=True),
    }
    response = client.post(_url(world, quarter.update_round), data)
    assert response.status_code == 200
    page = response.content.decode()
    field_id = f"id_{BulkUpdateRowForm.prefix_for(quarter.housing.pk, world.group.pk)}-successes_and_challenges"
    assert f'href="#{field_id}"' in page
    assert "2.1 CHOG: Enter the successes and challenges before submitting." in page
    assert "<title>Error: " in page
    assert _updates(world) == {}


def test_a_row_saved_meanwhile_by_someone_else_shows_the_conflict_and_saves_nothing(client, quarter, world):
    theirs = ProgressUpdateFactory(
        action=quarter.shared, group=world.group, status="draft", successes_and_challenges="Their words", version=2
    )
    client.force_login(world.coordinator)
    data = {
        "save": "draft",
        **_row(quarter.shared, world.group, version=1, text="My words"),
        **_row(quarter.housing, world.group, text="Other row"),
    }
    response = client.post(_url(world, quarter.update_round), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Their version and yours" in page and "Their words" in page and "My words" in page
    theirs.refresh_from_db()
    assert theirs.successes_and_challenges == "Their words" and theirs.version == 2
    assert list(_updates(world)) == ["1.1"]  # the other row was not saved either
    # The form now carries the stored version: saving again deliberately replaces theirs.
    assert (
        response.context["rows"][0].form.data[
            f"{BulkUpdateRowForm.prefix_for(quarter.shared.pk, world.group.pk)}-version"
        ]
        == 2
    )


def test_a_closed_quarter_refuses_the_whole_form(client, quarter, world):
    client.force_login(world.coordinator)
    data = {"save": "draft", **_row(quarter.shared, world.group, text="Late words")}
    quarter.update_round.closed_at = timezone.now()
    quarter.update_round.save()
    response = client.post(_url(world, quarter.update_round), data)
    assert response.status_code == 200
    assert "2016-17 Q1 is closed" in response.content.decode()
    assert _updates(world) == {}
    assert "Late words" not in client.get(_url(world, quarter.update_round)).content.decode()


def test_a_closed_quarter_shows_each_rows_update_to_read(client, quarter, world):
    ProgressUpdateFactory(
        action=quarter.shared, group=world.group, year=2016, quarter=1, successes_and_challenges="Leaflets sent out"
    )
    quarter.update_round.closed_at = timezone.now()
    quarter.update_round.save()
    client.force_login(world.coordinator)
    page = client.get(_url(world, quarter.update_round)).content.decode()
    assert page.count('<dt class="govuk-summary-list__key">Successes and challenges</dt>') == 2
    assert "Leaflets sent out" in page and "Not written" in page
    assert 'name="save"' not in page


def test_a_coordinator_cannot_post_a_row_of_another_group(client, quarter, world):
    client.force_login(world.coordinator)
    data = {"save": "draft", **_row(quarter.housing, world.other_group, text="Not mine")}
    assert client.post(_url(world, quarter.update_round), data).status_code == 302
    assert not ProgressUpdate.objects.filter(group=world.other_group).exists()


def _draft_url(world, quarter, action, group):
    return reverse("actions:update_draft", args=[world.partnership.slug, quarter.update_round.pk, action.pk, group.pk])


def test_the_draft_endpoint_saves_one_row_and_answers_its_new_version(client, quarter, world):
    client.force_login(world.coordinator)
    url = _draft_url(world, quarter, quarter.shared, world.group)
    response = client.post(url, _row(quarter.shared, world.group, text="Typed so far"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["saved"] and answer["version"] == 1 and answer["saved_at"]
    response = client.post(url, _row(quarter.shared, world.group, version=1, text="Typed some more"))
    assert response.json()["version"] == 2
    assert _updates(world)["1.1"].successes_and_challenges == "Typed some more"
    stale = client.post(url, _row(quarter.shared, world.group, version=1, text="From an old tab"))
    assert stale.status_code == 409 and stale.json()["conflict"]
    assert _updates(world)["1.1"].successes_and_challenges == "Typed some more"


def test_the_draft_endpoint_refuses_another_groups_row(client, quarter, world):
    client.force_login(world.coordinator)
    url = _draft_url(world, quarter, quarter.housing, world.other_group)
    assert client.post(url, _row(quarter.housing, world.other_group, text="x")).status_code == 403
    assert not ProgressUpdate.objects.exists()


def _count(callable_):
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


# The page's own reads (session, user, membership, rounds, rows, updates, last quarter), the checks (open quarter,
# responsibilities), the rows read locked, the bulk write and its audit events, the session save.
SAVE_QUERIES = {False: 21, True: 26}


@pytest.mark.parametrize("existing", [False, True], ids=["new rows", "rows already drafted"])
def test_saving_the_whole_quarter_runs_a_fixed_number_of_queries(client, world, existing):
    counts = []
    for size in (3, 40):
        strategy = build_plan(world.partnership, [world.group], actions=size, quarters=((2015, 4),))
        update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)
        actions = list(Action.objects.filter(strategy=strategy))
        if existing:
            for action in actions:
                ProgressUpdateFactory(action=action, group=world.group, status="draft", version=1)
        client.force_login(world.coordinator)
        data = {"save": "draft"}
        for action in actions:
            data.update(_row(action, world.group, version=1 if existing else 0, text=f"Progress on {action.ref}"))
        url = _url(world, update_round)
        counts.append(_count(lambda url=url, data=data: client.post(url, data)))
        assert set(
            ProgressUpdate.objects.filter(action__strategy=strategy, year=2016, quarter=1).values_list(
                "successes_and_challenges", flat=True
            )
        ) == {f"Progress on {a.ref}" for a in actions}
        strategy.delete()
    assert counts[0] == counts[1], f"{counts[0]} queries for 3 rows, {counts[1]} for 40"
    assert counts[0] == SAVE_QUERIES[existing], f"{counts[0]} queries, pinned at {SAVE_QUERIES[existing]}"


# The page's reads: session, user, membership, rounds, the person's groups, how many rows, one page of them, their
# updates, last quarter's, the files of those updates, how many are done; then the session save (3).
PAGE_QUERIES = 14


def _full_quarter(world, actions: int):
    """A quarter of `actions` actions for the coordinator's group: drafts, returned and submitted updates (these
    read-only), last quarter's text, and a file on each draft."""
    strategy = build_plan(world.partnership, [world.group], actions=actions, quarters=((2015, 4),))
    update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)
    for i, action in enumerate(Action.objects.filter(strategy=strategy).order_by("sort_key")[:BULK_PAGE_SIZE]):
        status = ["draft", "returned", "submitted", None][i % 4]
        if status is None:
            continue
        update = ProgressUpdateFactory(
            action=action, group=world.group, status=status, review_comment="Say more" if status == "returned" else ""
        )
        if status == "draft":
            Evidence.objects.create(
                action=action,
                update=update,
                file="evidence/x.pdf",
                filename=f"{action.ref}.pdf",
                kind="PDF",
                extension="pdf",
                size=10,
            )
    return strategy, update_round


def test_a_full_page_of_rows_reads_in_as_many_queries_as_a_page_of_three(client, world):
    client.force_login(world.coordinator)
    counts = []
    for size in (3, BULK_PAGE_SIZE + 10):  # a full page of fifty rows, and a second page
        strategy, update_round = _full_quarter(world, size)
        url = _url(world, update_round)
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["rows"]) == min(size, BULK_PAGE_SIZE)
        page = response.content.decode()
        assert "Returned by the strategic lead: Say more" in page and "1.1.pdf" in page and "Submitted" in page
        counts.append(_count(lambda url=url: client.get(url)))
        strategy.delete()
    assert counts[0] == counts[1], f"{counts[0]} queries for 3 rows, {counts[1]} for a page of {BULK_PAGE_SIZE}"
    assert counts[0] == PAGE_QUERIES, f"{counts[0]} queries, pinned at {PAGE_QUERIES}"
