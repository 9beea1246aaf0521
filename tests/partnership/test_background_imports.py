"""Files over what a web request may read are checked, and once confirmed imported, by the task runner (the
immediate backend in tests: the task has run when the request returns). The request limits are lowered here so
that small files stand in for large ones."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import RagRating
from audit.models import AuditEvent
from consultations import importers
from consultations.models import ResponseCount
from partnership.models import PendingUpload
from referrals.models import MaracReturn
from tests.actions.conftest import plan as plan_fixture
from tests.consultations.factories import ConsultationFactory, make_question
from tests.hostile.corpus import sheet_xml, xlsx_bytes
from vawg import tabular

plan = plan_fixture  # the action plan of tests/actions

MARAC_HEAD = ["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"]


@pytest.fixture(autouse=True)
def small_request_limits(monkeypatch):
    monkeypatch.setattr(tabular, "INLINE_LIMITS", tabular.Limits(max_rows=2, max_parse_bytes=2_000))


def csv_upload(rows, name="file.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


def marac_rows(*cases):
    return [MARAC_HEAD] + [["LBHF", "2015-16", f"Q{n}", "2", str(c), "1", "3"] for n, c in enumerate(cases, start=1)]


def upload_page(world, upload):
    return reverse("partnership:upload", args=[world.partnership.slug, upload.pk])


def test_a_large_figures_file_is_checked_in_the_background_then_imported_once_confirmed(world, client):
    client.force_login(world.lead)
    path = reverse("referrals:import", args=[world.partnership.slug, "marac"])
    response = client.post(path, {"file": csv_upload(marac_rows(20, 22, 25))})
    upload = PendingUpload.objects.get()
    assert response.status_code == 302 and response.url == upload_page(world, upload)
    assert upload.state == PendingUpload.State.READY
    page = client.get(response.url).content.decode()
    assert "3 new, 0 changed and 0 unchanged rows would be imported." in page and "Confirm the import" in page
    assert not MaracReturn.objects.exists()  # checked, nothing written

    response = client.post(upload_page(world, upload), {"action": "confirm"})
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.state == PendingUpload.State.IMPORTED and bytes(upload.content) == b""
    assert sorted(MaracReturn.objects.values_list("cases_discussed", flat=True)) == [20, 22, 25]
    # Written by the task runner, attributed to the person who confirmed it.
    created = AuditEvent.objects.filter(object_type="referrals.MaracReturn", action="create")
    assert created.count() == 3 and {e.actor for e in created} == {world.lead}
    assert "Imported" in client.get(upload_page(world, upload)).content.decode()
    # Confirming again imports nothing twice.
    client.post(upload_page(world, upload), {"action": "confirm"})
    assert MaracReturn.objects.count() == 3


def test_problems_found_in_the_background_are_listed_and_nothing_is_written(world, client):
    client.force_login(world.lead)
    rows = marac_rows(20, 22, 25) + [["Atlantis", "2015-16", "Q4", "2", "-1", "1", "3"]]
    client.post(reverse("referrals:import", args=[world.partnership.slug, "marac"]), {"file": csv_upload(rows)})
    upload = PendingUpload.objects.get()
    assert upload.state == PendingUpload.State.INVALID and bytes(upload.content) == b""
    response = client.get(upload_page(world, upload))
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Row 5" in page and "<title>Error:" in page
    assert "Confirm the import" not in page
    assert client.post(upload_page(world, upload), {"action": "confirm"}).status_code == 302
    assert not MaracReturn.objects.exists()
    client.post(upload_page(world, upload), {"action": "cancel"})
    assert not PendingUpload.objects.exists()


def test_a_large_action_plan_goes_through_the_same_page(world, client, plan):
    client.force_login(world.lead)
    head = ["Priority", "Ref", "Action", "Group", "Progress", "Next steps", "RAG"]
    rows = [head] + [["1", f"1.{n}", f"Action {n}", "CHOG", "Done", "", "Green"] for n in range(1, 4)]
    response = client.post(
        reverse("actions:plan_import", args=[world.partnership.slug]),
        {"file": csv_upload(rows, "plan.csv"), "year": "2015-16", "quarter": ""},
    )
    upload = PendingUpload.objects.get(kind="action-plan")
    assert response.url == upload_page(world, upload)
    assert upload.state == PendingUpload.State.READY and not RagRating.objects.exists()
    client.post(upload_page(world, upload), {"action": "confirm"})
    upload.refresh_from_db()
    assert upload.state == PendingUpload.State.IMPORTED, upload.outcome
    assert RagRating.objects.filter(year=2015, quarter=4, rating="green").count() == 3


def test_a_large_survey_export_is_read_in_the_background_and_only_its_counts_are_kept(world, client):
    survey = ConsultationFactory(partnership=world.partnership, slug="survey", respondents=None)
    make_question(
        survey, ref="Q2", text="Which services helped you?", kind="multiple_choice", options=["Refuge", "IDVA"]
    )
    client.force_login(world.lead)
    rows = [["Respondent ID", "Which services helped you?", "Anything else?"]] + [
        [str(n), "Refuge", f"Sarah at the refuge helped me on day {n}"] for n in range(1, 61)
    ]
    path = reverse("consultations:responses_import", args=[world.partnership.slug, survey.slug])
    response = client.post(path, {"file": csv_upload(rows, "export.csv")})
    upload = PendingUpload.objects.get()
    assert response.url == upload_page(world, upload)
    assert upload.state == PendingUpload.State.READY and bytes(upload.content) == b""
    assert "Sarah" not in str(upload.payload)
    page = client.get(upload_page(world, upload)).content.decode()
    mapping = reverse("consultations:responses_mapping", args=[world.partnership.slug, survey.slug])
    assert "60 responses" in page and f'href="{mapping}"' in page
    assert client.get(mapping).status_code == 200
    upload.refresh_from_db()
    profile, questions = upload.payload["profile"], list(survey.questions.all())
    proposed = importers.proposed_mapping_values(profile, questions)
    form = {f"column-{c['index']}": proposed.get(c["index"]) or "skip" for c in profile["columns"]}
    assert client.post(mapping, {**form, "action": "import"}).status_code == 302
    assert sum(ResponseCount.objects.values_list("count", flat=True)) == 60


def test_a_file_over_the_hard_limits_is_refused_at_once_not_queued(world, client, monkeypatch):
    monkeypatch.setattr(tabular, "COMMAND_LIMITS", tabular.Limits(max_rows=100_000, max_parse_bytes=3_000))
    client.force_login(world.lead)
    rows = marac_rows(*range(10, 60))
    data = xlsx_bytes(sheet_xml(rows))
    path = reverse("referrals:import", args=[world.partnership.slug, "marac"])
    response = client.post(path, {"file": SimpleUploadedFile("big.xlsx", data)})
    assert response.status_code == 200 and "over the limit" in response.content.decode()
    assert not PendingUpload.objects.exists() and not MaracReturn.objects.exists()


def test_only_the_owner_follows_an_upload(world, client):
    client.force_login(world.lead)
    client.post(
        reverse("referrals:import", args=[world.partnership.slug, "marac"]), {"file": csv_upload(marac_rows(1, 2, 3))}
    )
    upload = PendingUpload.objects.get()
    client.force_login(world.coordinator)
    assert client.get(upload_page(world, upload)).status_code == 404
    assert client.post(upload_page(world, upload), {"action": "confirm"}).status_code == 404
    assert not MaracReturn.objects.exists()


def test_a_command_reads_what_a_request_does_unless_given_large(world, tmp_path):
    path = tmp_path / "marac.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(marac_rows(20, 22, 25))
    path.write_text(buffer.getvalue())
    with pytest.raises(CommandError, match="To read it here anyway, add --large"):
        call_command("import_marac", str(path), "--partnership", world.partnership.slug, stdout=io.StringIO())
    assert not MaracReturn.objects.exists()
    call_command("import_marac", str(path), "--partnership", world.partnership.slug, "--large", stdout=io.StringIO())
    assert MaracReturn.objects.count() == 3
