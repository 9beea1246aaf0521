"""Aggregated results in a partnership's own words: the columns are read through the one column mapping, corrected
on the preview page or with --map, and remembered for the next file in the same layout."""

import io

import pytest
from django.core.management import CommandError, call_command

from consultations.importers import RESULTS_KIND
from consultations.models import ResponseCount
from partnership.models import ColumnMapping
from tests.consultations.test_imports import POLICE, consultation, csv_file, url

pytestmark = pytest.mark.django_db
__all__ = ["consultation"]  # the fixture

# "Tally" for the count: no heading rule knows it.
THEIRS = "Question ref,Question,Type,Item,Response,Tally\n" + "".join(
    f"Q1,How would you describe your experience of each service?,Rating scale,Police,{label},{count}\n"
    for label, count in POLICE.items()
)


def test_the_lead_reads_the_count_from_their_heading_and_the_next_file_needs_nothing(world, client, consultation):
    client.force_login(world.lead)
    first = client.post(url("results_import", consultation), {"file": csv_file(THEIRS)})
    page = first.content.decode()
    assert "The column &#x27;Count&#x27; is missing." in page and "Import these results" not in page
    assert first.context["mapping_open"]
    pending = first.context["pending"]
    choices = {name: field.initial for name, field in first.context["mapping_form"].fields.items()}
    assert choices["map-ref"] == "Question ref" and choices["map-count"] == ""
    preview = client.post(url("results_import", consultation), {**choices, "map-count": "Tally", "remap": pending.pk})
    assert "Import these results" in preview.content.decode()
    assert not ResponseCount.objects.exists()
    done = client.post(url("results_import_confirm", consultation))
    assert done.status_code == 302
    assert sum(ResponseCount.objects.values_list("count", flat=True)) == sum(POLICE.values())
    remembered = ColumnMapping.objects.get(partnership=world.partnership, kind=RESULTS_KIND)
    assert remembered.mapping["count"] == "Tally" and remembered.updated_by == world.lead
    again = client.post(url("results_import", consultation), {"file": csv_file(THEIRS)})
    assert "Import these results" in again.content.decode()


def test_the_command_reads_the_count_with_map_and_remembers_it(world, consultation, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(THEIRS)
    options = {"partnership": world.partnership.slug, "consultation": consultation.slug}
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_consultation_results", str(path), stderr=err, **options)
    assert "The column 'Count' is missing." in err.getvalue()
    call_command("import_consultation_results", str(path), map=["Count=Tally"], stdout=io.StringIO(), **options)
    assert sum(ResponseCount.objects.values_list("count", flat=True)) == sum(POLICE.values())
    assert ColumnMapping.objects.get(partnership=world.partnership, kind=RESULTS_KIND).mapping["count"] == "Tally"
    out = io.StringIO()
    call_command("import_consultation_results", str(path), stdout=out, **options)  # remembered
    assert "Imported results of 1 questions" in out.getvalue()
