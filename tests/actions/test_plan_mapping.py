"""The action plan's columns read through the one mapping: a plan in a partnership's own words is corrected once,
in the browser or with --map, and its next file in that layout is read with the columns confirmed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import Action, RagRating
from actions.plan_file import PLAN_KIND
from partnership.models import ColumnMapping
from tests.actions.test_plan_file import csv_bytes, upload

pytestmark = pytest.mark.django_db

# A lead's own plan: "Deliverable" for the action, a word no rule knows, and "Status" for the rating (close to
# "RAG status", so proposed).
THEIR_HEADINGS = ["Priority", "Ref", "Deliverable", "Group", "Progress", "Status"]
THEIR_ROWS = [
    ["1", "1.1", "Improve awareness", "CHOG", "Leaflets everywhere", "Green"],
    ["1", "1.2", "Map funding", "HOG", "Mapping begun", "Amber"],
]


def test_a_plan_in_its_own_words_is_corrected_in_the_browser_and_remembered(client, plan, world):
    client.force_login(world.lead)
    first = upload(client, world, csv_bytes(THEIR_ROWS, THEIR_HEADINGS))
    page = first.content.decode()
    assert first.status_code == 400
    assert "The column &#x27;Action&#x27; is missing." in page and "RAG&#x27; is missing" not in page
    assert first.context["mapping_open"] and "Confirm the import" not in page
    batch = first.context["batch"]
    choices = {name: field.initial for name, field in first.context["mapping_form"].fields.items()}
    assert choices["map-ref"] == "Ref" and choices["map-group"] == "Group" and choices["map-rag"] == "Status"
    assert choices["map-text"] == ""
    corrected = {**choices, "map-text": "Deliverable", "remap": batch.pk}
    preview = client.post(reverse("actions:plan_import", args=[world.partnership.slug]), corrected)
    assert preview.status_code == 200, preview.context["report"].errors.messages()
    assert "Ratings would be set: 2" in preview.content.decode()
    assert not Action.objects.filter(ref="1.2").exists()
    done = client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk]))
    assert done.status_code == 302
    assert Action.objects.get(ref="1.2", strategy=plan.strategy).text == "Map funding"
    assert RagRating.objects.get(action__ref="1.2").rating == "amber"
    remembered = ColumnMapping.objects.get(partnership=world.partnership, kind=PLAN_KIND)
    assert remembered.mapping["text"] == "Deliverable" and remembered.mapping["rag"] == "Status"
    # The next quarter's file in the same layout needs no correction.
    again = upload(client, world, csv_bytes([[*THEIR_ROWS[1][:5], "Green"]], THEIR_HEADINGS))
    assert again.status_code == 200 and "Ratings would be set: 1" in again.content.decode()


def test_a_remembered_mapping_is_not_applied_to_a_file_in_another_layout(client, plan, world):
    ColumnMapping.objects.create(
        partnership=world.partnership, kind=PLAN_KIND, mapping={"ref": "Ref", "text": "Deliverable", "rag": "Status"}
    )
    client.force_login(world.lead)
    # Our own layout (Action, RAG): the remembered 'Deliverable' is not in it, so the file is read by its headings.
    ours = upload(client, world, csv_bytes([["1", "Access", "1.1", "Improve awareness", "CHOG", "", "Green", ""]]))
    assert ours.status_code == 200, ours.context["report"].errors.messages()


def test_the_command_reads_a_plan_with_map_and_refuses_an_unknown_column(plan, world, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(THEIR_ROWS, THEIR_HEADINGS))
    args = ["import_action_plan", str(path), "--partnership", world.partnership.slug, "--year", "2015-16"]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(*args, stderr=err)
    assert "The column 'Action' is missing." in err.getvalue()
    with pytest.raises(CommandError, match="'Owner' is not a column here"):
        call_command(*args, "--map", "Owner=Group")
    call_command(*args, "--map", "Action=Deliverable", stdout=io.StringIO())
    assert Action.objects.get(ref="1.1", strategy=plan.strategy).text == "Improve awareness"
    assert ColumnMapping.objects.get(partnership=world.partnership, kind=PLAN_KIND).mapping["rag"] == "Status"
    out = io.StringIO()
    call_command(*args, stdout=out)  # remembered: the same file again, without --map
    assert "Ratings set: 0; unchanged: 2" in out.getvalue()
    assert RagRating.objects.filter(action__strategy=plan.strategy).count() == 2
