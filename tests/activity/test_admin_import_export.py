"""The admin imports and exports activity records for one chosen partnership, through the kinds' own resources."""

import csv
import io
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import Contract
from activity.resources import ContractResource
from audit.models import AuditEvent
from tests.activity.factories import ContractFactory

pytestmark = pytest.mark.django_db
CSV = "0"


def hidden_fields(html: str) -> dict[str, str]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in found if name != "csrfmiddlewaretoken"}


def test_admin_import_for_the_chosen_partnership(client, world):
    client.force_login(world.admin)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Commissioned service", "Provider", "End date"], ["Refuge", "Hestia", "2017-03-31"]])
    upload = SimpleUploadedFile("contracts.csv", buffer.getvalue().encode(), content_type="text/csv")
    page = client.post(
        reverse("admin:activity_contract_import"),
        {"partnership": world.partnership.pk, "resource": "0", "format": CSV, "import_file": upload},
    )
    assert page.status_code == 200 and not page.context["result"].has_errors()
    assert not Contract.objects.exists()
    done = client.post(reverse("admin:activity_contract_process_import"), hidden_fields(page.content.decode()))
    assert done.status_code == 302
    assert Contract.objects.get().partnership == world.partnership
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, partnership=world.partnership).exists()


def test_admin_export_holds_the_partnerships_rows_only_formula_safe(client, world):
    client.force_login(world.admin)
    ContractFactory(partnership=world.partnership, service="=HYPERLINK()")
    ContractFactory(partnership=world.other_partnership, service="Not ours")
    response = client.post(
        reverse("admin:activity_contract_export"), {"partnership": world.partnership.pk, "resource": "0", "format": CSV}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ContractResource.headings()
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK()"]
