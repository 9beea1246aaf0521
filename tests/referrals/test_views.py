"""The service-figures pages: what they show, their downloads, and a query count that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from partnership.charts import draw_stored
from referrals.models import Dataset, JusticeMeasure
from tests.factories import BoroughFactory, BoroughPopulationFactory
from tests.referrals.factories import (
    IndicatorFigureFactory,
    JusticeFigureFactory,
    MaracReturnFactory,
    OutcomeIndicatorFactory,
    ReferralCountFactory,
    ServiceFactory,
    own,
)

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(f"referrals:{name}", kwargs={"partnership_slug": world.partnership.slug, **kwargs})


def add_figures(world, boroughs: int):
    """A borough's worth of every kind of figure, `boroughs` times."""
    service = ServiceFactory(partnership=world.partnership)
    incidents = JusticeMeasure.objects.get(name="Number of reported incidents of DA")
    for _ in range(boroughs):
        borough = BoroughFactory(partnership=world.partnership)
        BoroughPopulationFactory(borough=borough)
        for quarter in (1, 2, 3, 4):
            MaracReturnFactory(borough=borough, quarter=quarter)
            ReferralCountFactory(service=service, borough=borough, quarter=quarter)
        JusticeFigureFactory(borough=borough, measure=incidents)
        indicator = OutcomeIndicatorFactory(partnership=world.partnership)
        IndicatorFigureFactory(indicator=indicator, borough=borough)
        IndicatorFigureFactory(indicator=indicator, borough=None, year=2014, baseline=50, target=None, achieved=None)


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(context.captured_queries)


# Pinned: session, user, membership, then the page's own reads (see referrals.selectors); a chart page and a chart
# download also ask which of their charts are stored (partnership.charts).
PAGES = [
    ("index", {}, 14),
    ("marac", {}, 12),
    ("marac_chart", {}, 11),
    ("marac_export", {}, 9),
    ("referrals", {}, 13),
    ("referrals_chart", {}, 11),
    ("referrals_export", {}, 9),
    ("justice", {}, 12),
    ("justice_export", {}, 9),
    ("indicators", {}, 12),
    ("indicators_export", {}, 9),
    ("population_export", {}, 7),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_keep_a_fixed_query_count_as_data_grows(world, client, name, kwargs, expected):
    client.force_login(world.board_member)
    path = url(world, name, **kwargs) + "?year=2015-16"
    add_figures(world, 1)
    small = queries(client, path)
    add_figures(world, 6)
    large = queries(client, path)
    assert (small, large) == (expected, expected)


def test_marac_page_shows_figures_against_the_benchmark_with_chart_and_table(world, client):
    for quarter, cases in zip((1, 2, 3, 4), (70, 68, 68, 66), strict=True):
        MaracReturnFactory(borough=world.borough, quarter=quarter, cases_discussed=cases)
    client.force_login(world.board_member)
    response = client.get(url(world, "marac") + "?year=2015-16")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="app-chart' in page and "MARAC cases against the benchmark, 2015-16" in page
    assert "MARAC figures by borough, 2015-16" in page
    assert ">272<" in page  # cases
    assert ">288<" in page  # expected at 40 per 10,000 of 72,000 women
    assert "94%" in page
    assert "Within the expected range" in page


def test_marac_page_reads_any_four_quarters(world, client):
    MaracReturnFactory(borough=world.borough, year=2014, quarter=4, cases_discussed=95, repeat_cases=20)
    for quarter, cases in zip((1, 2, 3), (70, 68, 68), strict=True):
        MaracReturnFactory(borough=world.borough, quarter=quarter, cases_discussed=cases)
    client.force_login(world.board_member)
    page = client.get(url(world, "marac") + "?ending=2015-q3").content.decode()
    assert "2014-15 Q4 to 2015-16 Q3" in page
    assert ">301<" in page


def test_chart_is_svg_with_text_kept_as_text(world, client):
    MaracReturnFactory(borough=world.borough)
    client.force_login(world.board_member)
    response = client.get(url(world, "marac_chart"))
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<text" in svg and "LBHF" in svg
    assert "#12436d" in svg.lower()


def chart_address(page: str) -> str:
    start = page.index('src="/tri-borough/charts/') + len('src="')
    return page[start : page.index('"', start)]


@pytest.mark.parametrize("name", ["marac", "referrals"])
def test_a_page_shows_the_stored_chart_which_is_the_download_and_new_figures_get_a_new_one(world, client, name):
    MaracReturnFactory(borough=world.borough, cases_discussed=70)
    ReferralCountFactory(service=ServiceFactory(partnership=world.partnership), borough=world.borough, count=11)
    draw_stored(world.partnership, ["referrals"])  # what the task runner does once the figures commit
    client.force_login(world.board_member)
    address = chart_address(client.get(url(world, name) + "?year=2015-16").content.decode())
    with CaptureQueriesContext(connection) as context:
        served = client.get(address)
    assert served.status_code == 200 and served["Content-Type"].startswith("image/svg+xml")
    # What every partnership page reads (session, user, partnership, membership...), then the drawing: no figures.
    assert len(context.captured_queries) == 7
    assert not any("referrals_" in query["sql"] for query in context.captured_queries)
    assert served.content == client.get(url(world, f"{name}_chart") + "?year=2015-16").content
    MaracReturnFactory(borough=world.borough, quarter=2, cases_discussed=68)
    ReferralCountFactory(service=ServiceFactory(partnership=world.partnership), borough=world.borough, count=5)
    draw_stored(world.partnership, ["referrals"])
    assert chart_address(client.get(url(world, name) + "?year=2015-16").content.decode()) != address
    assert client.get(address).status_code == 404  # the old figures' drawing is gone


def test_another_partnerships_member_cannot_read_a_stored_chart(world, client):
    MaracReturnFactory(borough=world.borough, cases_discussed=70)
    draw_stored(world.partnership, ["referrals"])
    client.force_login(world.board_member)
    address = chart_address(client.get(url(world, "marac") + "?year=2015-16").content.decode())
    assert b"LBHF" in client.get(address).content
    client.force_login(world.outsider_lead)
    assert client.get(address).status_code == 404
    assert client.get(address.replace("/tri-borough/", f"/{world.other_partnership.slug}/")).status_code == 404


def test_marac_quarter_by_quarter_shows_a_page_of_boroughs_and_the_summary_all(world, client):
    boroughs = [world.borough] + [
        BoroughFactory(partnership=world.partnership, name=f"Borough extra {i}", short_name=f"BX{i}") for i in range(5)
    ]
    for borough in boroughs:
        MaracReturnFactory(borough=borough, quarter=4)
    client.force_login(world.board_member)
    first = client.get(url(world, "marac") + "?year=2015-16").content.decode()
    second = client.get(url(world, "marac") + "?year=2015-16&page=2").content.decode()
    for page in (first, second):
        assert page.count('<th scope="row" class="govuk-table__header">Borough') == 5  # the summary: all of them
    assert first.count("MARAC by quarter</caption>") == 4
    assert second.count("MARAC by quarter</caption>") == 2
    assert "Boroughs 1 to 4 of 6" in first and "Boroughs 5 to 6 of 6" in second
    assert 'aria-label="Pagination"' in first


def test_referrals_pivot_filters_by_borough_and_year(world, client):
    other = BoroughFactory(partnership=world.partnership, name="Westminster", short_name="WCC")
    service = ServiceFactory(partnership=world.partnership)
    ReferralCountFactory(service=service, borough=world.borough, count=11)
    ReferralCountFactory(service=service, borough=other, count=22)
    ReferralCountFactory(service=service, borough=other, year=2014, count=33)
    client.force_login(world.board_member)
    page = client.get(url(world, "referrals") + f"?year=2015-16&borough={other.pk}").content.decode()
    assert ">22<" in page and ">11<" not in page and ">33<" not in page


def test_justice_page_is_the_seed_table_with_rates(world, client):
    incidents = JusticeMeasure.objects.get(name="Number of reported incidents of DA")
    JusticeFigureFactory(borough=world.borough, measure=incidents, value=3298)
    JusticeFigureFactory(borough=world.borough, measure=JusticeMeasure.objects.get(name="Convictions"), value=None)
    client.force_login(world.board_member)
    page = client.get(url(world, "justice")).content.decode()
    assert "Recorded domestic abuse incident rate per 1k population" in page
    assert ">18<" in page  # 3,298 of 180,000 residents
    assert "Unknown" in page


def test_indicators_page_shows_rag_with_its_word(world, client):
    indicator = OutcomeIndicatorFactory(partnership=world.partnership, name="Sanctioned detection rate", tolerance=2)
    IndicatorFigureFactory(indicator=indicator, year=2004, baseline=21, target=None, achieved=None)
    IndicatorFigureFactory(indicator=indicator, year=2015, target=35, achieved=30)
    client.force_login(world.board_member)
    page = client.get(url(world, "indicators")).content.decode()
    assert "Sanctioned detection rate" in page and "21%" in page and "35%" in page
    assert "app-rag--red" in page and ">Red<" in page
    assert "Better than 2004-05 (up 9 percentage points)" in page


def test_exports_escape_formula_like_text(world, client):
    service = ServiceFactory(partnership=world.partnership, name="=HYPERLINK(1)")
    ReferralCountFactory(service=service, borough=world.borough)
    client.force_login(world.board_member)
    response = client.get(url(world, "referrals_export"))
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_export_of_another_partnership_is_not_reachable(world, client):
    client.force_login(world.lead)
    path = reverse("referrals:marac_export", kwargs={"partnership_slug": world.other_partnership.slug})
    assert client.get(path).status_code == 404


# --- Entering a quarter's MARAC return ----------------------------------------------------------------------

MARAC_POST = {
    "version": "0",
    "meetings": "3",
    "cases_discussed": "70",
    "repeat_cases": "18",
    "children_in_household": "91",
    "victims_male": "4",
    "referrals_police": "40",
    "referrals_idva": "10.5",
}


def edit_url(world, borough=None, year=2015, quarter=1):
    return url(world, "marac_edit", borough_id=(borough or world.borough).pk, year=year, quarter=quarter)


def test_lead_enters_a_marac_return(world, client):
    client.force_login(world.lead)
    response = client.post(edit_url(world), MARAC_POST)
    assert response.status_code == 302
    marac_return = world.borough.marac_returns.get()
    assert (marac_return.cases_discussed, str(marac_return.referrals_idva), marac_return.version) == (70, "10.5", 1)
    assert marac_return.updated_by == world.lead


def test_owning_groups_coordinator_enters_and_others_are_refused(world, client):
    own(world.partnership, Dataset.MARAC, world.group)
    client.force_login(world.coordinator)
    assert client.post(edit_url(world), MARAC_POST).status_code == 302
    client.force_login(world.other_coordinator)
    assert client.post(edit_url(world, quarter=2), MARAC_POST).status_code == 403
    client.force_login(world.board_member)
    assert client.post(edit_url(world, quarter=2), MARAC_POST).status_code == 403
    assert world.borough.marac_returns.count() == 1


def test_without_an_owner_only_leads_enter_marac_returns(world, client):
    client.force_login(world.coordinator)
    assert client.get(edit_url(world)).status_code == 403


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"repeat_cases": "71"}, "repeat_cases", "cannot be more than cases discussed"),
        ({"cases_discussed": "-1"}, "cases_discussed", "cannot be negative"),
        ({"cases_discussed": "many"}, "cases_discussed", "must be a whole number"),
        ({"cases_discussed": ""}, "cases_discussed", "Enter cases discussed"),
        ({"referrals_police": "-0.5"}, "referrals_police", "cannot be negative"),
        ({"victims_male": "80"}, "victims_male", "cannot be more than cases discussed"),
    ],
)
def test_bad_marac_return_is_refused_with_a_message(world, client, change, field, message):
    client.force_login(world.lead)
    response = client.post(edit_url(world), {**MARAC_POST, **change})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "<title>Error:" in page
    assert message in str(response.context["form"].errors[field])
    assert not world.borough.marac_returns.exists()


def test_marac_return_marked_not_submitted_keeps_no_counts(world, client):
    client.force_login(world.lead)
    response = client.post(edit_url(world), {**MARAC_POST, "not_submitted": "on"})
    assert response.status_code == 302
    marac_return = world.borough.marac_returns.get()
    assert marac_return.submitted is False and marac_return.cases_discussed is None


def test_someone_elses_save_since_opening_is_not_overwritten(world, client):
    MaracReturnFactory(borough=world.borough, cases_discussed=50, version=2)
    client.force_login(world.lead)
    response = client.post(edit_url(world), {**MARAC_POST, "version": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your changes were not saved" in page and "saved this MARAC return while you were editing it" in page
    assert world.borough.marac_returns.get().cases_discussed == 50


def test_marac_entry_for_another_partnerships_borough_is_404(world, client):
    elsewhere = BoroughFactory(partnership=world.other_partnership)
    client.force_login(world.lead)
    assert client.get(edit_url(world, borough=elsewhere)).status_code == 404
    assert client.get(edit_url(world, quarter=5)).status_code == 404


def test_choose_form_sends_to_the_return(world, client):
    client.force_login(world.lead)
    response = client.get(url(world, "marac_choose") + f"?borough={world.borough.pk}&year=2015/16&quarter=3")
    assert response.status_code == 302
    assert response["Location"] == edit_url(world, quarter=3)
    bad = client.get(url(world, "marac_choose") + f"?borough={world.borough.pk}&year=2015-17&quarter=3")
    assert bad.status_code == 200 and "is not a financial year" in bad.content.decode()


# --- Referral counts ----------------------------------------------------------------------------------------


def test_referral_counts_entered_per_abuse_type(world, client):
    own(world.partnership, Dataset.REFERRALS, world.group)
    service = ServiceFactory(partnership=world.partnership)
    client.force_login(world.coordinator)
    query = f"?service={service.pk}&borough={world.borough.pk}&year=2015-16&quarter=2&kind=new"
    page = client.get(url(world, "referrals_enter") + query)
    assert "Domestic abuse" in page.content.decode()
    field = page.context["form"].fields
    domestic = next(name for name, f in field.items() if f.label == "Domestic abuse")
    response = client.post(url(world, "referrals_enter") + query, {domestic: "25"})
    assert response.status_code == 302
    count = service.referral_counts.get()
    assert (count.count, count.quarter, count.kind) == (25, 2, "new")
    refused = client.post(url(world, "referrals_enter") + query, {domestic: "-3"})
    assert refused.status_code == 200 and "cannot be negative" in refused.content.decode()
    client.force_login(world.other_coordinator)
    assert client.post(url(world, "referrals_enter") + query, {domestic: "1"}).status_code == 403
    assert service.referral_counts.get().count == 25


# --- Import in the browser ----------------------------------------------------------------------------------


HEAD = "Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household"


def upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_previews_then_imports_on_confirmation(world, client):
    client.force_login(world.lead)
    path = url(world, "import", kind="marac")
    text = (
        "Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household\nLBHF,2015-16,Q1,3,70,18,91\n"
    )
    preview = client.post(path, {"file": upload("marac.csv", text)})
    assert preview.status_code == 200
    assert "1 new, 0 changed and 0 unchanged rows would be imported." in preview.content.decode()
    assert not world.borough.marac_returns.exists()
    pending = preview.context["pending"]
    done = client.post(path, {"confirm": pending.pk})
    assert done.status_code == 302
    assert world.borough.marac_returns.get().cases_discussed == 70
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.detail == "MARAC returns from marac.csv: created 1, updated 0, unchanged 0"


def test_import_with_problems_lists_them_and_imports_nothing(world, client):
    client.force_login(world.lead)
    text = (
        "Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household\nLBHF,2015-17,Q5,3,-1,0,9\n"
    )
    response = client.post(url(world, "import", kind="marac"), {"file": upload("marac.csv", text)})
    page = response.content.decode()
    assert "Row 2, column &#x27;Year&#x27;" in page and "Row 2, column &#x27;Quarter&#x27;" in page
    assert "The file was not imported: 3 problems to fix" in page and "Nothing has been changed." in page
    assert "Import these rows" not in page
    # The file is kept only so its columns can be corrected: confirming it anyway imports nothing.
    pending = response.context["pending"]
    response = client.post(url(world, "import", kind="marac"), {"confirm": pending.pk})
    assert "Nothing has been changed." in response.content.decode()
    assert not world.borough.marac_returns.exists()


def test_import_refuses_files_that_are_not_spreadsheets(world, client):
    client.force_login(world.lead)
    response = client.post(url(world, "import", kind="marac"), {"file": upload("notes.txt", "hello")})
    assert "Upload a CSV" in response.content.decode()


def test_someone_elses_pending_import_cannot_be_confirmed(world, client):
    from partnership.services import pending_upload_create

    pending = pending_upload_create(
        partnership=world.partnership, user=world.coordinator, kind="marac", filename="x.csv", content=b"x"
    )
    client.force_login(world.lead)
    assert client.post(url(world, "import", kind="marac"), {"confirm": pending.pk}).status_code == 404


def test_population_justice_and_indicator_imports_are_for_leads(world, client):
    own(world.partnership, Dataset.MARAC, world.group)
    client.force_login(world.coordinator)
    for kind in ("population", "justice", "indicators"):
        assert client.get(url(world, "import", kind=kind)).status_code == 403
    assert client.get(url(world, "import", kind="marac")).status_code == 200
    client.force_login(world.lead)
    assert client.get(url(world, "import", kind="population")).status_code == 200
    assert client.get(url(world, "import", kind="nothing")).status_code == 404
