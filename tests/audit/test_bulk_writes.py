"""Bulk writes skip the model signals: imports record each row's before and after, and one event per import,
whatever path made them (command line included). Runs on PostgreSQL in CI, where bulk_create returns ids."""

import csv
import io

from django.core.management import call_command

from actions.models import Action, RagRating
from audit.context import acting
from audit.models import AuditEvent
from partnership.models import ColumnMapping
from referrals.models import MaracReturn
from referrals.resources import IMPORTERS
from tests.actions.conftest import plan as plan_fixture
from vawg.tabular import read_table

PLAN_HEADINGS = ["Priority", "Priority title", "Ref", "Action", "Group", "Successes & challenges", "RAG", "Next steps"]
plan = plan_fixture  # the action plan of tests/actions


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def plan_rows(count: int, rating: str, text: str = "Action") -> list[list[str]]:
    return [PLAN_HEADINGS] + [
        ["1", "Access", f"1.{n}", f"{text} {n}", "CHOG", "Progress", rating, ""] for n in range(1, count + 1)
    ]


def import_plan(tmp_path, rows) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(rows))
    # manage.py runs every command inside this context (audit.context), so the events name the command.
    with acting(source="command", actor_label="root via manage.py import_action_plan"):
        call_command(
            "import_action_plan", str(path), "--partnership", "tri-borough", "--year", "2015-16", stdout=io.StringIO()
        )


def test_a_command_line_plan_import_records_every_new_action_and_rating(world, plan, tmp_path):
    import_plan(tmp_path, plan_rows(37, "Green"))
    assert Action.objects.filter(strategy=plan.strategy).count() == 37 + 1  # 2.1 was there already
    by_command = AuditEvent.objects.filter(source="command")
    actions = by_command.filter(object_type="actions.Action", action="create")
    ratings = by_command.filter(object_type="actions.RagRating", action="create")
    # 1.1 existed: 36 actions are new; all 37 are rated.
    assert actions.count() == 36 and ratings.count() == 37
    assert set(actions.values_list("partnership_id", "source", "actor_label")) == {
        (world.partnership.pk, "command", "root via manage.py import_action_plan")
    }
    created = actions.get(object_id=str(Action.objects.get(ref="1.30").pk))
    assert created.changes["text"] == [None, "Action 30"]
    [imported] = AuditEvent.objects.filter(action="import")
    assert "plan.csv" in imported.detail and imported.changes["counts"]["ratings set"] == 37
    assert imported.partnership == world.partnership


def test_a_second_import_records_before_and_after_of_what_it_changed(world, plan, tmp_path):
    import_plan(tmp_path, plan_rows(3, "Green"))
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()  # the log is append-only
    import_plan(tmp_path, plan_rows(3, "Red", text="Renamed"))
    second = AuditEvent.objects.filter(id__gt=last)
    changed = second.filter(object_type="actions.Action", action="update")
    assert changed.count() == 3
    one = changed.get(object_id=str(Action.objects.get(ref="1.2").pk))
    assert one.changes["text"] == ["Action 2", "Renamed 2"]
    rating = RagRating.objects.get(action__ref="1.2")
    rated = second.get(object_type="actions.RagRating", action="update", object_id=str(rating.pk))
    assert rated.changes["rating"] == ["green", "red"]
    # The unchanged responsibilities and nothing else were left out.
    assert not second.filter(object_type="actions.ActionGroup").exists()


def test_a_figures_import_records_each_return_created_and_changed(world):
    head = ["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"]

    def run(cases: str):
        table = read_table(csv_bytes([head, ["LBHF", "2015-16", "Q1", "2", cases, "3", "9"]]), filename="m.csv")
        with acting(source="command", actor_label="root via manage.py import_marac"):
            result = IMPORTERS["marac"](world.partnership).run(table, dry_run=False, filename="m.csv")
        assert result.ok, result.errors.messages()

    run("20")
    marac = MaracReturn.objects.get()
    created = AuditEvent.objects.get(object_type="referrals.MaracReturn", action="create")
    assert created.object_id == str(marac.pk) and created.changes["cases_discussed"] == [None, 20]
    run("24")
    updated = AuditEvent.objects.get(object_type="referrals.MaracReturn", action="update")
    assert updated.changes["cases_discussed"] == [20, 24] and updated.partnership == world.partnership
    assert updated.source == "command"


def test_recording_a_bulk_write_costs_the_same_queries_for_3_rows_as_for_30(world, plan, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int, text: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            import_plan(tmp_path, plan_rows(count, "Green", text=text))
        return len(queries)

    small = queries_for(3, "First")
    Action.objects.exclude(ref__in=["1.1", "2.1"]).delete()
    ColumnMapping.objects.all().delete()  # both imports remember the columns they read, as a first import does
    large = queries_for(30, "Second")
    assert AuditEvent.objects.filter(source="command", object_type="actions.ProgressUpdate").count() == 3 + 29
    assert large == small


def test_a_bulk_write_in_a_request_names_who_where_from_and_each_row(world):
    """Bulk events are written in one statement a batch: each row's event carries the same person, address and
    page as an event the model signals write, and its own record and changes, past the first batch of 1,000."""
    from audit.recorder import audited_bulk_create, audited_bulk_update
    from partnership.models import BoroughPopulation

    years = range(3000, 4101)  # 1,101 rows: two batches, in years no fixture has
    with acting(source="web", actor=world.lead, request_path="/tri-borough/figures/import/", ip_address="10.0.0.7"):
        created = audited_bulk_create(
            BoroughPopulation,
            [BoroughPopulation(borough=world.borough, year=y, population=100 + y, females_16_plus=40) for y in years],
        )
        named = str(created[-1])  # as the event names it, before the borough is renamed
        world.borough.name = "Hammersmith and Fulham"
        world.borough.save()  # an event through the signals, to compare with
    events = AuditEvent.objects.filter(
        object_type="partnership.BoroughPopulation", action="create", object_id__in=[str(row.pk) for row in created]
    )
    assert events.count() == len(created) == 1101
    signal_event = AuditEvent.objects.filter(object_type="partnership.Borough").latest("id")
    shared = ["actor_id", "actor_label", "partnership_id", "source", "request_path", "ip_address"]
    assert set(events.values_list(*shared)) == {tuple(getattr(signal_event, name) for name in shared)}
    assert signal_event.actor == world.lead and signal_event.ip_address == "10.0.0.7"
    last = created[-1]
    event = events.get(object_id=str(last.pk))
    assert event.object_repr == named
    assert event.changes["population"] == [None, 4200] and event.changes["year"] == [None, 4100]
    assert event.occurred_at is not None

    for row in created[:3]:
        row.population += 1
    with acting(source="command", actor_label="root via manage.py import_figures"):
        audited_bulk_update(BoroughPopulation, created, ["population"])
    updates = AuditEvent.objects.filter(object_type="partnership.BoroughPopulation", action="update")
    assert sorted(updates.values_list("changes__population", flat=True)) == [[3100, 3101], [3101, 3102], [3102, 3103]]
    assert set(updates.values_list("source", "actor_id", "actor_label")) == {
        ("command", None, "root via manage.py import_figures")
    }


def test_a_bulk_update_split_by_uniform_fields_writes_and_records_every_field(world, plan):
    from django.utils import timezone

    from actions.models import ProgressUpdate
    from audit.recorder import audited_bulk_update

    now = timezone.now()
    updates = [
        ProgressUpdate.objects.create(
            action=action, group=world.other_group, year=2016, quarter=1, status="draft", updated_at=now
        )
        for action in (plan.shared, plan.housing)
    ]
    for n, update in enumerate(updates):
        update.successes_and_challenges = f"Row {n}"  # differs per row: bulk_update's CASE
        update.status = "submitted"  # the same on every row: one plain UPDATE
    audited_bulk_update(ProgressUpdate, updates, ["successes_and_challenges", "status"], split_uniform=True)
    stored = sorted(
        ProgressUpdate.objects.filter(group=world.other_group).values_list("successes_and_challenges", "status")
    )
    assert stored == [("Row 0", "submitted"), ("Row 1", "submitted")]
    events = AuditEvent.objects.filter(object_type="actions.ProgressUpdate", action="update")
    assert sorted(e.changes["successes_and_challenges"][1] for e in events) == ["Row 0", "Row 1"]
    assert all(e.changes["status"] == ["draft", "submitted"] for e in events)
