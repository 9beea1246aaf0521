"""Admin import and export (partnership.admin_io on django-import-export's admin): for one chosen partnership, by
superusers only, through the data kinds' own resources; exports formula-safe in the import's layout."""

import csv
import io
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from referrals.models import JusticeMeasure, MaracReturn
from referrals.resources import MaracResource
from tests.factories import BoroughFactory, BoroughPopulationFactory, UserFactory
from tests.referrals.factories import (
    IndicatorFigureFactory,
    JusticeFigureFactory,
    MaracReturnFactory,
    ReferralCountFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:referrals_maracreturn_import")
CONFIRM = reverse("admin:referrals_maracreturn_process_import")
EXPORT = reverse("admin:referrals_maracreturn_export")
CSV, XLSX = "0", "1"  # the format choices, in partnership.admin_io.FORMATS order

HEAD = ["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"]


def marac_csv(*rows, name="returns.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEAD, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def hidden_fields(html: str) -> dict[str, str]:
    """The confirmation form as the page renders it: what the browser posts back."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in found if name != "csrfmiddlewaretoken"}


def preview(client, partnership, upload, file_format=CSV):
    return client.post(
        IMPORT, {"partnership": partnership.pk, "resource": "0", "format": file_format, "import_file": upload}
    )


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.admin)
    return client


def test_preview_writes_nothing_and_confirming_imports_for_the_chosen_partnership(signed_in, world):
    page = preview(signed_in, world.partnership, marac_csv(["LBHF", "2015-16", "Q1", 3, 70, 18, 91]))
    assert page.status_code == 200
    assert page.context["result"] is not None and not page.context["result"].has_errors()
    assert MaracReturn.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()

    confirm = hidden_fields(page.content.decode())
    assert confirm["partnership"] == str(world.partnership.pk)
    done = signed_in.post(CONFIRM, confirm)
    assert done.status_code == 302

    saved = MaracReturn.objects.get()
    assert (saved.borough, saved.year, saved.quarter, saved.cases_discussed) == (world.borough, 2015, 1, 70)
    assert saved.updated_by == world.admin
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.partnership == world.partnership and event.actor == world.admin


def test_rows_land_in_the_chosen_partnership_even_when_another_has_a_borough_of_the_same_name(signed_in, world):
    twin = BoroughFactory(partnership=world.other_partnership, name="Elsewhere LBHF", short_name="LBHF")
    page = preview(signed_in, world.partnership, marac_csv(["LBHF", "2015-16", "Q1", 3, 70, 18, 91]))
    signed_in.post(CONFIRM, hidden_fields(page.content.decode()))
    page = preview(signed_in, world.other_partnership, marac_csv(["LBHF", "2015-16", "Q1", 5, 50, 10, 60]))
    signed_in.post(CONFIRM, hidden_fields(page.content.decode()))

    assert MaracReturn.objects.get(borough=world.borough).cases_discussed == 70
    assert MaracReturn.objects.get(borough=twin).cases_discussed == 50


def test_a_borough_of_another_partnership_is_refused_by_row_and_nothing_is_written(signed_in, world):
    BoroughFactory(partnership=world.other_partnership, name="Kensington and Chelsea", short_name="RBKC")
    upload = marac_csv(["LBHF", "2015-16", "Q1", 3, 70, 18, 91], ["RBKC", "2015-16", "Q1", 4, 60, 12, 80])
    page = preview(signed_in, world.partnership, upload)

    assert page.context["result"].has_validation_errors()
    assert "confirm_form" not in page.context
    assert "&#x27;RBKC&#x27; is not a borough of this partnership (boroughs: LBHF)" in page.content.decode()
    assert MaracReturn.objects.count() == 0


def test_the_confirmation_cannot_skip_the_partnership(signed_in, world):
    page = preview(signed_in, world.partnership, marac_csv(["LBHF", "2015-16", "Q1", 3, 70, 18, 91]))
    confirm = hidden_fields(page.content.decode())
    del confirm["partnership"]
    assert signed_in.post(CONFIRM, confirm).status_code == 200  # the form again, with its error
    assert MaracReturn.objects.count() == 0


def test_an_import_needs_a_partnership(signed_in, world):
    page = signed_in.post(
        IMPORT, {"resource": "0", "format": CSV, "import_file": marac_csv(["LBHF", "2015-16", "Q1", 3, 70, 18, 91])}
    )
    assert page.context["form"].errors["partnership"]
    assert MaracReturn.objects.count() == 0


def test_the_file_is_read_by_the_projects_reader_with_its_message(signed_in, world):
    upload = marac_csv(["LBHF", "2015-16", "Q1", 3, 70, 18, 91], name="returns.xlsx")
    page = preview(signed_in, world.partnership, upload, file_format=XLSX)
    assert page.context["form"].errors["import_file"] == ["The file is called .xlsx but is not an XLSX spreadsheet."]


def test_title_rows_above_the_headings_are_skipped(signed_in, world):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["MARAC returns, 2015-16"], [], HEAD, ["LBHF", "2015-16", "Q1", 3, 70, 18, 91]])
    upload = SimpleUploadedFile("returns.csv", buffer.getvalue().encode(), content_type="text/csv")
    page = preview(signed_in, world.partnership, upload)
    assert not page.context["result"].has_errors() and not page.context["result"].has_validation_errors()
    assert "confirm_form" in page.context


def test_a_file_missing_a_required_column_is_refused(signed_in, world):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Borough", "Year", "Meetings"], ["LBHF", "2015-16", 3]])
    upload = SimpleUploadedFile("returns.csv", buffer.getvalue().encode(), content_type="text/csv")
    page = preview(signed_in, world.partnership, upload)
    assert page.status_code == 200
    assert "The column &#x27;Quarter&#x27; is missing." in page.content.decode()
    assert "confirm_form" not in page.context


# --- Export -------------------------------------------------------------------------------------------------


@pytest.fixture
def returns(world):
    """One return for each borough of the partnership, three named like formulas; one of another partnership."""
    for short_name in ("=SUM(A1)", "+CMD", "@A1"):
        MaracReturnFactory(borough=BoroughFactory(partnership=world.partnership, short_name=short_name))
    MaracReturnFactory(borough=world.borough)
    MaracReturnFactory(borough=BoroughFactory(partnership=world.other_partnership, short_name="OTHER"))


def export(client, partnership, file_format):
    response = client.post(EXPORT, {"partnership": partnership.pk, "resource": "0", "format": file_format})
    assert response.status_code == 200, response.content[:500]
    return response


def test_a_csv_export_holds_the_partnerships_rows_only_formula_safe_in_the_imports_headings(signed_in, world, returns):
    response = export(signed_in, world.partnership, CSV)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert rows[0] == MaracResource.headings()
    assert sorted(row[0] for row in rows[1:]) == sorted(["'=SUM(A1)", "'+CMD", "'@A1", "LBHF"])


def test_an_xlsx_export_stores_formula_like_text_as_neutralised_text(signed_in, world, returns):
    response = export(signed_in, world.partnership, XLSX)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[0] for row in sheet.iter_rows()]

    assert [c.value for c in next(sheet.iter_rows())] == MaracResource.headings()
    assert sorted(c.value for c in cells[1:]) == sorted(["'=SUM(A1)", "'+CMD", "'@A1", "LBHF"])
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("file_format, filename", [(CSV, "export.csv"), (XLSX, "export.xlsx")])
def test_an_export_imports_back_with_no_change(signed_in, world, returns, file_format, filename):
    exported = export(signed_in, world.partnership, file_format).content
    page = preview(signed_in, world.partnership, SimpleUploadedFile(filename, exported), file_format=file_format)
    result = page.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 4 and result.totals["new"] == result.totals["update"] == 0


def test_the_import_and_export_pages_ask_for_the_partnership(signed_in, world):
    for url in (IMPORT, EXPORT):
        page = signed_in.get(url)
        assert page.status_code == 200
        assert 'name="partnership"' in page.content.decode()
        assert world.partnership.name in page.content.decode()


# --- Who may ------------------------------------------------------------------------------------------------


def test_staff_who_are_not_superusers_may_not_import_or_export(client, world, returns):
    staff = UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="referrals", codename__endswith="maracreturn")
    )
    client.force_login(staff)

    changelist = client.get(reverse("admin:referrals_maracreturn_changelist"))
    assert changelist.status_code == 200  # they may look at the rows
    assert IMPORT not in changelist.content.decode() and EXPORT not in changelist.content.decode()
    assert client.get(IMPORT).status_code == 403
    assert preview(client, world.partnership, marac_csv(["LBHF", "2015-16", "Q1", 3, 70, 18, 91])).status_code == 403
    assert client.post(CONFIRM, {"partnership": world.partnership.pk}).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"partnership": world.partnership.pk, "resource": "0", "format": CSV}).status_code == 403
    assert MaracReturn.objects.count() == 5


# --- The change lists ---------------------------------------------------------------------------------------

ROWS = {
    "referrals_maracreturn": lambda p: MaracReturnFactory(borough=BoroughFactory(partnership=p)),
    "referrals_referralcount": lambda p: ReferralCountFactory(service=ServiceFactory(partnership=p)),
    "partnership_boroughpopulation": lambda p: BoroughPopulationFactory(borough=BoroughFactory(partnership=p)),
    "referrals_justicefigure": lambda p: JusticeFigureFactory(
        borough=BoroughFactory(partnership=p), measure=JusticeMeasure.objects.filter(partnership=None).first()
    ),
    "referrals_indicatorfigure": lambda p: IndicatorFigureFactory(
        indicator__partnership=p, borough=BoroughFactory(partnership=p)
    ),
}


@pytest.mark.parametrize("name", ROWS)
def test_each_change_list_reads_the_same_queries_however_many_rows(signed_in, world, name):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            page = signed_in.get(reverse(f"admin:{name}_changelist"))
        assert page.status_code == 200
        assert reverse(f"admin:{name}_import") in page.content.decode()  # the superuser sees the buttons
        return len(context.captured_queries)

    ROWS[name](world.partnership)
    one = queries()
    ROWS[name](world.partnership)
    ROWS[name](world.other_partnership)
    assert queries() == one
