"""Imports of the activity records: every problem by row and column and nothing imported unless the whole file is
clean; matched on natural keys within the partnership; an export imports back unchanged (CSV and XLSX)."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from activity.models import Attendance, Contract, Event, Meeting, TrainingSession
from activity.resources import IMPORTERS
from audit.models import AuditEvent
from tests.activity.factories import AgencyFactory, AttendanceFactory, ContractFactory, MeetingFactory
from vawg.tabular import read_table, xlsx_bytes

pytestmark = pytest.mark.django_db


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def run(partnership, kind, rows, *, dry_run=False, filename="file.csv"):
    data = csv_bytes(rows) if filename.endswith(".csv") else xlsx_bytes(rows[0], rows[1:])
    return IMPORTERS[kind](partnership).run(read_table(data, filename=filename), dry_run=dry_run)


def export(partnership, kind):
    importer = IMPORTERS[kind](partnership)
    return [importer.headings(), *importer.export_rows(importer.get_queryset())]


def snapshot(model):
    return sorted((model_to_dict(obj) for obj in model.objects.all()), key=lambda d: d["id"])


TRAINING = ["Year", "Topic", "Strand", "Audience agency", "Number trained", "Sessions", "Provider"]


def test_training_good_file_preview_then_import(world):
    AgencyFactory(partnership=world.partnership, name="Metropolitan Police")
    rows = [
        TRAINING,
        ["2015-16", "Coercive control", "Domestic abuse", "metropolitan police", "40", "", "MET"],
        ["2015/16", "Harmful practices multi-agency", "Harmful practices", "Multi-agency", "125", "", "PEHP"],
    ]
    preview = run(world.partnership, "training", rows, dry_run=True)
    assert preview.ok and preview.created == 2
    assert not TrainingSession.objects.exists()
    result = run(world.partnership, "training", rows)
    assert result.ok and result.created == 2
    police = TrainingSession.objects.get(topic="Coercive control")
    assert (police.year, police.agency.name, police.number_trained) == (2015, "Metropolitan Police", 40)
    assert AuditEvent.objects.filter(action="import").exists()
    # The same file again changes nothing.
    again = run(world.partnership, "training", rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_training_bad_file_imports_nothing_and_names_each_problem(world):
    rows = [
        TRAINING,
        ["2015-16", "Fine row", "Domestic abuse", "", "10", "", ""],
        ["2015-16", "Bad strand", "Knitting", "", "10", "", ""],
        ["15-16x", "Bad year", "Domestic abuse", "", "10", "", ""],
        ["2015-16", "Nobody trained", "Domestic abuse", "", "0", "", ""],
        ["2015-16", "Unknown agency", "Domestic abuse", "Agency Nobody Added", "5", "", ""],
    ]
    result = run(world.partnership, "training", rows)
    assert not result.ok
    messages = result.errors.messages()
    assert any("Row 3" in m and "Strand" in m and "Knitting" in m for m in messages), messages
    assert any("Row 4" in m and "Year" in m for m in messages), messages
    assert any("Row 5" in m and "Number trained" in m for m in messages), messages
    assert any("Row 6" in m and "Agency Nobody Added" in m for m in messages), messages
    assert not TrainingSession.objects.exists()


def test_an_import_never_touches_another_partnerships_records(world):
    ContractFactory(partnership=world.other_partnership, service="IDVA service", provider="Advance", funder="Theirs")
    rows = [
        ["Commissioned service", "Provider", "Funder", "End date"],
        ["IDVA service", "Advance", "Ours", "2017-03-31"],
    ]
    result = run(world.partnership, "contracts", rows)
    assert result.ok and result.created == 1
    assert Contract.objects.get(partnership=world.other_partnership).funder == "Theirs"


def test_contract_end_before_start_is_a_row_problem(world):
    rows = [
        ["Service", "Start date", "End date", "Amount"],
        ["Refuge", "2017-04-01", "31/03/2017", "1000"],
        ["Outreach", "", "not a date", "-5"],
    ]
    result = run(world.partnership, "contracts", rows)
    messages = result.errors.messages()
    assert any("Row 2" in m and "end date" in m.lower() for m in messages), messages
    assert any("Row 3" in m and "not a date" in m for m in messages), messages
    assert any("Row 3" in m and "Amount" in m for m in messages), messages
    assert not Contract.objects.exists()


def test_meetings_import_sets_attendance(world):
    for name in ("Police", "Probation", "Health"):
        AgencyFactory(partnership=world.partnership, name=name)
    rows = [
        ["Group", "Date", "Present", "Apologies"],
        [world.group.abbreviation, "2018-01-10", "Police; Health", "Probation"],
        [world.group.abbreviation, "2018-03-14", "Police", ""],
    ]
    result = run(world.partnership, "meetings", rows)
    assert result.ok and result.created == 2, result.errors.messages()
    january = Meeting.objects.get(date=datetime.date(2018, 1, 10))
    assert {(a.agency.name, a.status) for a in january.attendance.all()} == {
        ("Police", "present"),
        ("Health", "present"),
        ("Probation", "apologies"),
    }
    # Changing only the attendance counts as a change.
    rows[1][3] = ""
    again = run(world.partnership, "meetings", rows)
    assert (again.updated, again.unchanged) == (1, 1)
    assert not january.attendance.filter(status=Attendance.Status.APOLOGIES).exists()


def test_meetings_bad_group_and_both_present_and_apologies(world):
    AgencyFactory(partnership=world.partnership, name="Police")
    rows = [
        ["Group", "Date", "Present", "Apologies"],
        ["NOPE", "2018-01-10", "Police", ""],
        [world.group.abbreviation, "2018-01-11", "Police", "Police"],
    ]
    result = run(world.partnership, "meetings", rows)
    messages = result.errors.messages()
    assert any("Row 2" in m and "NOPE" in m for m in messages), messages
    assert any("Row 3" in m and "both present" in m for m in messages), messages
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("filename", ["export.csv", "export.xlsx"])
@pytest.mark.parametrize("kind", ["training", "events", "meetings", "contracts", "agencies"])
def test_an_export_imports_back_unchanged(world, kind, filename):
    police = AgencyFactory(partnership=world.partnership, name="=Police")  # formula-like text survives
    AgencyFactory(partnership=world.partnership, name="Health")
    meeting = MeetingFactory(partnership=world.partnership, group=world.group)
    AttendanceFactory(meeting=meeting, agency=police)
    run(world.partnership, "training", [TRAINING, ["2015-16", "+Topic", "Harmful practices", "=Police", "3", "2", ""]])
    Event.objects.create(
        partnership=world.partnership,
        date=datetime.date(2016, 2, 1),
        end_date=datetime.date(2016, 2, 7),
        title="Week",
        kind="campaign",
        reach=12,
    )
    ContractFactory(partnership=world.partnership, amount="1234.50", start_date=datetime.date(2015, 4, 1))
    rows = export(world.partnership, kind)
    model = IMPORTERS[kind]._meta.model
    before = snapshot(model)
    result = run(world.partnership, kind, rows, filename=filename)
    assert result.ok, result.errors.messages()
    assert (result.created, result.updated) == (0, 0)
    assert snapshot(model) == before


def test_import_page_preview_then_confirm(client, world):
    client.force_login(world.lead)
    address = reverse("activity:import", args=[world.partnership.slug, "events"])
    upload = io.BytesIO(
        csv_bytes([["Date", "Title", "Kind", "Reach"], ["2015-11-30", "Conference", "Conference", "70"]])
    )
    upload.name = "events.csv"
    preview = client.post(address, {"file": upload})
    assert preview.status_code == 200 and "Import these rows" in preview.content.decode()
    assert not Event.objects.exists()
    pending = preview.context["pending"]
    done = client.post(address, {"confirm": pending.pk})
    assert done.status_code == 302
    assert Event.objects.get().reach == 70


def test_import_page_shows_row_errors(client, world):
    client.force_login(world.lead)
    address = reverse("activity:import", args=[world.partnership.slug, "events"])
    upload = io.BytesIO(csv_bytes([["Date", "Title", "Kind"], ["yesterday", "Thing", "Party"]]))
    upload.name = "events.csv"
    page = client.post(address, {"file": upload}).content.decode()
    assert "<title>Error: " in page and "yesterday" in page and "Party" in page
    assert not Event.objects.exists()


def test_import_command(world, tmp_path):
    path = tmp_path / "contracts.csv"
    path.write_bytes(csv_bytes([["Service", "Provider", "End date"], ["Refuge", "Hestia", "2017-03-31"]]))
    call_command("import_activity", str(path), kind="contracts", partnership=world.partnership.slug, dry_run=True)
    assert not Contract.objects.exists()
    call_command("import_activity", str(path), kind="contracts", partnership=world.partnership.slug)
    assert Contract.objects.get().provider == "Hestia"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["Service", "End date"], ["Refuge", "soon"]]))
    with pytest.raises(CommandError):
        call_command("import_activity", str(bad), kind="contracts", partnership=world.partnership.slug)


def test_a_kept_file_is_checked_then_imported_by_its_handler(world):
    """A file too large for a web request goes to the task runner: the same resource checks and imports it."""
    from partnership import imports
    from partnership.models import PendingUpload
    from partnership.services import pending_upload_create

    pending = pending_upload_create(
        partnership=world.partnership,
        user=world.lead,
        kind="activity-events",
        filename="events.csv",
        content=csv_bytes([["Date", "Title", "Kind"], ["2015-11-30", "Conference", "Conference"]]),
        state=PendingUpload.State.CHECKING,
    )
    handler = imports.handler_for(pending)
    assert handler.permitted(world.lead.memberships.get())
    checked = handler.check(pending)
    assert checked.ok and not Event.objects.exists()
    pending.payload = checked.payload
    done = handler.apply(pending)
    assert done.ok and Event.objects.get().title == "Conference"
    assert done.next_url == reverse("activity:list", args=[world.partnership.slug, "events"])


def test_a_preview_takes_the_same_queries_however_many_rows(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AgencyFactory(partnership=world.partnership, name="Police")

    def preview_queries(n):
        rows = [TRAINING, *[["2015-16", f"Topic {i}", "Domestic abuse", "Police", "5", "", ""] for i in range(n)]]
        run(world.partnership, "training", rows)  # stored, so the preview compares with stored rows
        with CaptureQueriesContext(connection) as context:
            result = run(world.partnership, "training", rows, dry_run=True)
        assert result.ok
        return len(context.captured_queries)

    assert preview_queries(3) == preview_queries(60)
