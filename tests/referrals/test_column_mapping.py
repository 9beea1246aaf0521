"""Column mapping: the importer proposes which heading answers which column, the person corrects it (in the
browser, or --map on a command), and a confirmed mapping is proposed first for the partnership's next file."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from partnership.models import ColumnMapping
from partnership.resources import parse_map_option, propose_mapping
from referrals.models import MaracReturn, ReferralCount
from referrals.resources import IMPORTERS
from tests.factories import PartnershipFactory
from tests.referrals.factories import ServiceFactory
from tests.referrals.test_views import upload

pytestmark = pytest.mark.django_db

# A borough's own return: its own words for two of our columns, and a title row above the headings.
THEIR_MARAC = (
    "Quarterly MARAC return\n"
    "Borough,Financial year,Quarter,Meetings,Cases heard,Repeats,Children in household\n"
    "LBHF,2015-16,Q1,3,70,18,91\n"
)


def test_wording_close_to_a_column_is_proposed_and_distant_wording_is_not():
    columns = IMPORTERS["marac"].columns()
    proposal = propose_mapping(columns, ["Borough", "Financial Year", "Qtr", "Meetings held", "Cases  discussed"])
    assert proposal["borough"] == "Borough"
    assert proposal["year"] == "Financial Year"  # an alias
    assert proposal["meetings"] == "Meetings held"  # close wording
    assert proposal["cases_discussed"] == "Cases  discussed"
    assert "quarter" not in proposal  # 'Qtr' is too far from 'Quarter' to guess
    assert "repeat_cases" not in proposal


def test_a_remembered_heading_comes_before_the_columns_own():
    columns = IMPORTERS["referrals"].columns()
    proposal = propose_mapping(columns, ["Count", "Referrals received"], {"count": "Referrals received"})
    assert proposal["count"] == "Referrals received"


def test_map_option_names_our_column_by_heading_or_field_and_refuses_unknown_ones():
    columns = IMPORTERS["marac"].columns()
    assert parse_map_option(["Cases discussed=Cases heard", "repeat_cases=Repeats", "Male victims="], columns) == {
        "cases_discussed": "Cases heard",
        "repeat_cases": "Repeats",
        "victims_male": "",
    }
    with pytest.raises(ValueError, match="'Cases' is not a column here"):
        parse_map_option(["Cases=Cases heard"], columns)
    with pytest.raises(ValueError, match="should read"):
        parse_map_option(["Cases heard"], columns)


def test_browser_corrects_the_columns_and_the_next_file_needs_no_correction(world, client):
    client.force_login(world.lead)
    path = reverse("referrals:import", args=[world.partnership.slug, "marac"])
    first = client.post(path, {"file": upload("return.csv", THEIR_MARAC)})
    page = first.content.decode()
    assert "The column &#x27;Cases discussed&#x27; is missing." in page
    assert "Repeat cases&#x27; is missing" not in page  # 'Repeats' is close enough to propose
    assert first.context["mapping_open"] and "Columns read from your file" in page
    pending = first.context["pending"]
    form = first.context["mapping_form"]
    choices = {name: field.initial for name, field in form.fields.items()}
    assert choices["map-year"] == "Financial year" and choices["map-repeat_cases"] == "Repeats"
    assert choices["map-cases_discussed"] == ""
    corrected = {**choices, "map-cases_discussed": "Cases heard", "remap": pending.pk}
    preview = client.post(path, corrected)
    assert "1 new, 0 changed and 0 unchanged rows would be imported." in preview.content.decode()
    assert not MaracReturn.objects.exists()
    done = client.post(path, {"confirm": preview.context["pending"].pk})
    assert done.status_code == 302
    stored = MaracReturn.objects.get()
    assert (stored.cases_discussed, stored.repeat_cases) == (70, 18)
    remembered = ColumnMapping.objects.get(partnership=world.partnership, kind="marac")
    assert remembered.mapping["cases_discussed"] == "Cases heard" and remembered.updated_by == world.lead
    # The next quarter's return, in the same layout: read with the remembered columns straight away.
    again = client.post(path, {"file": upload("return.csv", THEIR_MARAC.replace("Q1", "Q2"))})
    assert "1 new, 0 changed and 0 unchanged rows would be imported." in again.content.decode()
    # Another partnership's files are read with their own columns, not these.
    other = PartnershipFactory()
    assert not ColumnMapping.objects.filter(partnership=other).exists()


def test_remapping_someone_elses_upload_finds_nothing(world, client):
    client.force_login(world.lead)
    path = reverse("referrals:import", args=[world.partnership.slug, "marac"])
    pending = client.post(path, {"file": upload("return.csv", THEIR_MARAC)}).context["pending"]
    client.force_login(world.coordinator)
    other_path = reverse("referrals:import", args=[world.partnership.slug, "population"])
    assert client.post(other_path, {"remap": pending.pk}).status_code in (403, 404)


def test_command_reads_columns_given_with_map_and_remembers_them(world, tmp_path):
    service = ServiceFactory(partnership=world.partnership, name="Angelou")
    path = tmp_path / "referrals.csv"
    path.write_text(
        "Service,Borough,Year,Quarter,Type of abuse,Referrals received\nAngelou,LBHF,2015-16,Q1,Domestic abuse,12\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem found"):
        call_command("import_referrals", str(path), "--partnership", world.partnership.slug, stderr=err)
    assert "The column 'Count' is missing." in err.getvalue()
    with pytest.raises(CommandError, match="'Total' is not a column here"):
        call_command(
            "import_referrals", str(path), "--partnership", world.partnership.slug, "--map", "Total=Referrals received"
        )
    out = io.StringIO()
    call_command(
        "import_referrals",
        str(path),
        "--partnership",
        world.partnership.slug,
        "--map",
        "Count=Referrals received",
        stdout=out,
    )
    assert ReferralCount.objects.get(service=service).count == 12
    assert ColumnMapping.objects.get(partnership=world.partnership, kind="referrals").mapping["count"] == (
        "Referrals received"
    )
    # Remembered: the same file imports again without --map (and changes nothing).
    out = io.StringIO()
    call_command("import_referrals", str(path), "--partnership", world.partnership.slug, stdout=out)
    assert "0 new, 0 changed and 1 unchanged" in out.getvalue()
