"""Evidence files: checked by content and size, stored privately, downloaded only by members, removed by their
uploader or a lead, audited, listed on the action's page and never in a published report."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import Evidence
from audit.models import AuditEvent
from partnership.models import Membership
from tests.actions.factories import ActionFactory, ProgressUpdateFactory, StrategyFactory, UpdateRoundFactory
from vawg import file_types

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
DOC = OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 50
XLS = OLE + "Workbook".encode("utf-16-le") + b"\x00" * 50


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def action(world):
    strategy = StrategyFactory(partnership=world.partnership, first_year=2015, last_year=2017)
    return ActionFactory(priority__strategy=strategy, ref="1.1", groups=[world.group])


def _membership(world, user):
    return Membership.objects.get(partnership=world.partnership, user=user)


@pytest.mark.parametrize(
    "content, expected",
    [
        (PDF, file_types.PDF),
        (PNG, file_types.PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, file_types.JPEG),
        (b"GIF89a" + b"\x00" * 20, file_types.GIF),
        (DOCX, file_types.DOCX),
        (XLSX, file_types.XLSX),
        (_zip({"[Content_Types].xml": b"", "ppt/presentation.xml": b""}), file_types.PPTX),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), file_types.ODT),
        (ODS, file_types.ODS),
        (DOC, file_types.DOC),
        (XLS, file_types.XLS),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00 an executable", None),
        (_zip({"payload.exe": b"MZ"}), None),
        (OLE, None),
        (b"PK\x03\x04 not really a zip", None),
    ],
)
def test_the_type_is_read_from_the_content(content, expected):
    assert file_types.sniff(io.BytesIO(content)) == expected


def test_the_download_name_is_made_safe_and_given_the_real_extension():
    assert file_types.safe_filename('../../etc/"minutes".exe', file_types.PDF) == "minutes.pdf"
    assert file_types.safe_filename("Training register Q1.xlsx", file_types.XLSX) == "Training register Q1.xlsx"
    assert file_types.safe_filename("\r\n", file_types.PNG) == "evidence.png"
    assert len(file_types.safe_filename("a" * 300 + ".pdf", file_types.PDF)) == 100


def test_a_coordinator_attaches_a_file_stored_privately_under_a_random_key(world, action):
    evidence = services.evidence_add(
        action=action,
        upload=SimpleUploadedFile("GP training.pdf", PDF, content_type="image/png"),  # the browser's word: ignored
        membership=_membership(world, world.coordinator),
    )
    assert (evidence.filename, evidence.kind, evidence.size) == ("GP training.pdf", "PDF", len(PDF))
    assert evidence.file.name.startswith(f"evidence/{world.partnership.pk}/") and "GP" not in evidence.file.name
    assert default_storage.open(evidence.file.name).read() == PDF
    assert AuditEvent.objects.filter(object_type="actions.Evidence", action="create").count() == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("leaflet.pdf", b"<html>not a pdf</html>", "must be a PDF, Word"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_refused_file_saves_nothing(world, action, name, content, message):
    with pytest.raises(services.ValidationError, match=message):
        services.evidence_add(
            action=action, upload=SimpleUploadedFile(name, content), membership=_membership(world, world.coordinator)
        )
    assert not Evidence.objects.exists()


def test_the_size_limit_is_a_setting(world, action, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(services.ValidationError, match="smaller than"):
        services.evidence_add(
            action=action,
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000),
            membership=_membership(world, world.coordinator),
        )
    assert not Evidence.objects.exists()


def test_only_the_actions_coordinators_and_leads_attach(world, action):
    with pytest.raises(services.PermissionDenied):
        services.evidence_add(
            action=action,
            upload=SimpleUploadedFile("x.pdf", PDF),
            membership=_membership(world, world.other_coordinator),
        )
    services.evidence_add(
        action=action, upload=SimpleUploadedFile("x.pdf", PDF), membership=_membership(world, world.lead)
    )


def test_an_update_of_a_closed_quarter_takes_no_more_evidence(world, action):
    update_round = UpdateRoundFactory(strategy=action.strategy, closed_at=timezone.now())
    update = ProgressUpdateFactory(
        action=action, group=world.group, year=update_round.year, quarter=update_round.quarter
    )
    with pytest.raises(services.ValidationError, match="is closed"):
        services.evidence_add(
            action=action,
            update=update,
            upload=SimpleUploadedFile("x.pdf", PDF),
            membership=_membership(world, world.coordinator),
        )


def _add(world, action, user=None, content=PDF, name="minutes.pdf"):
    return services.evidence_add(
        action=action,
        upload=SimpleUploadedFile(name, content),
        membership=_membership(world, user or world.coordinator),
    )


def test_members_download_it_as_an_attachment_and_others_get_404(client, world, action):
    evidence = _add(world, action, name='minutes"; filename=evil.html')
    url = reverse("actions:evidence_download", args=[world.partnership.slug, evidence.pk])
    client.force_login(world.board_member)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"] == 'attachment; filename="minutes_ filename_evil.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.outsider_lead)
    other = reverse("actions:evidence_download", args=[world.other_partnership.slug, evidence.pk])
    assert client.get(other).status_code == 404


def test_the_action_page_lists_evidence_and_offers_the_upload_to_those_who_may(client, world, action):
    evidence = _add(world, action)
    url = reverse("actions:action_detail", args=[world.partnership.slug, action.pk])
    client.force_login(world.coordinator)
    page = client.get(url).content.decode()
    assert "minutes.pdf" in page and 'enctype="multipart/form-data"' in page
    assert reverse("actions:evidence_remove", args=[world.partnership.slug, evidence.pk]) in page
    client.force_login(world.board_member)
    page = client.get(url).content.decode()
    assert "minutes.pdf" in page and 'enctype="multipart/form-data"' not in page
    assert reverse("actions:evidence_remove", args=[world.partnership.slug, evidence.pk]) not in page


def test_uploading_through_the_page(client, world, action):
    client.force_login(world.coordinator)
    url = reverse("actions:evidence_upload", args=[world.partnership.slug, action.pk])
    response = client.post(url, {"file": SimpleUploadedFile("register.xlsx", XLSX), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"].endswith(f"/plan/actions/{action.pk}/")
    assert Evidence.objects.get().kind == "Excel workbook"
    response = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"nope")}, follow=True)
    assert "The file was not added" in response.content.decode()
    assert Evidence.objects.count() == 1


def test_the_uploader_or_a_lead_removes_it_and_the_file_goes(client, world, action, django_capture_on_commit_callbacks):
    evidence = _add(world, action)
    name = evidence.file.name
    url = reverse("actions:evidence_remove", args=[world.partnership.slug, evidence.pk])
    client.force_login(world.other_coordinator)
    assert client.post(url).status_code == 403
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Evidence.objects.exists() and not default_storage.exists(name)
    assert AuditEvent.objects.filter(object_type="actions.Evidence", action="delete").count() == 1
    lead_removes = _add(world, action)
    client.force_login(world.lead)
    url = reverse("actions:evidence_remove", args=[world.partnership.slug, lead_removes.pk])
    assert client.post(url).status_code == 302
    assert not Evidence.objects.exists()


def test_a_file_added_on_the_updates_page_goes_with_the_update(client, world, action):
    update_round = UpdateRoundFactory(strategy=action.strategy)
    update = ProgressUpdateFactory(action=action, group=world.group, status="draft")
    client.force_login(world.coordinator)
    page_url = reverse("actions:update_edit", args=[world.partnership.slug, update_round.pk, action.pk, world.group.pk])
    page = client.get(page_url).content.decode()
    assert f'name="group" value="{world.group.pk}"' in page and 'enctype="multipart/form-data"' in page
    upload = reverse("actions:evidence_upload", args=[world.partnership.slug, action.pk])
    data = {"file": SimpleUploadedFile("minutes.docx", DOCX), "group": world.group.pk, "round": update_round.pk}
    response = client.post(upload, {**data, "next": page_url})
    assert response.status_code == 302 and response["Location"] == page_url
    assert Evidence.objects.get().update == update
    assert "minutes.docx" in client.get(page_url).content.decode()
    client.force_login(world.other_coordinator)  # not their group: refused
    data["file"] = SimpleUploadedFile("x.pdf", PDF)
    assert client.post(upload, data).status_code == 403
