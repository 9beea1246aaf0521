"""The action plan file: import (CLI and browser, with preview and confirm), export, round trip, bad input."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import Action, ActionGroup, ProgressUpdate, RagRating, RagRatingChange
from actions.plan_file import EXPORT_HEADINGS, GroupNames, check_and_apply, export_rows
from partnership.models import OperationalGroup, PendingUpload
from vawg import tabular
from vawg.periods import Quarter

Q4 = Quarter(2015, 4)
HEADINGS = [
    "Priority",
    "Priority title",
    "Ref",
    "Action",
    "Group",
    "Successes & challenges",
    "RAG",
    "Actions for next year",
]


def csv_bytes(rows, headings=HEADINGS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode()


GOOD = [
    ["1", "Access", "1.1", "Improve awareness", "CHOG", "Leaflets everywhere", "Green", "Reprint"],
    ["1", "Access", "1.1", "Improve awareness", "HOG", "Presentations", " green ", ""],
    ["1", "Access", "1.2", "Map funding", "CHOG; HOG", "Mapping begun", "Yellow", "Finish mapping"],
    ["2", "Response", "2.1", "Coordinated response", "Housing Operational Group", "Away day", "", ""],
]


def run(plan, world, data: bytes, *, filename="plan.csv", dry_run=False, period=Q4):
    return check_and_apply(
        strategy=plan.strategy, period=period, file=data, filename=filename, user=world.lead, dry_run=dry_run
    )


def snapshot():
    return (
        sorted(Action.objects.values_list("ref", "text", "priority_id")),
        sorted(ActionGroup.objects.values_list("action__ref", "group__abbreviation")),
        sorted(
            ProgressUpdate.objects.values_list(
                "action__ref",
                "group__abbreviation",
                "year",
                "quarter",
                "successes_and_challenges",
                "next_steps",
                "status",
                "version",
            )
        ),
        sorted(RagRating.objects.values_list("action__ref", "year", "quarter", "rating", "version")),
        RagRatingChange.objects.count(),
    )


def test_import_creates_and_updates_what_it_names(plan, world):
    report = run(plan, world, csv_bytes(GOOD + [["2", "", "2.2", "New action", "HOG", "Started", "Red", ""]]))
    assert report.ok, report.errors.messages()
    assert report.applied
    assert report.actions_created == ["1.2", "2.2"]
    assert report.actions_unchanged == ["1.1", "2.1"]
    assert Action.objects.get(ref="1.2").text == "Map funding"
    assert sorted(Action.objects.get(ref="1.2").groups.values_list("abbreviation", flat=True)) == ["CHOG", "HOG"]
    ratings = dict(RagRating.objects.filter(year=2015, quarter=4).values_list("action__ref", "rating"))
    assert ratings == {"1.1": "green", "1.2": "amber", "2.2": "red"}  # 2.1 blank: not rated, nothing recorded
    update = ProgressUpdate.objects.get(action__ref="1.1", group=world.group)
    assert (update.successes_and_challenges, update.next_steps, update.status, update.year, update.quarter) == (
        "Leaflets everywhere",
        "Reprint",
        "accepted",
        2015,
        4,
    )
    assert RagRatingChange.objects.filter(source="import").count() == 3
    assert RagRatingChange.objects.get(action__ref="1.1").reason == "Imported from plan.csv"


def test_a_dry_run_reports_and_changes_nothing(plan, world):
    before = snapshot()
    report = run(plan, world, csv_bytes(GOOD), dry_run=True)
    assert report.ok and not report.applied
    assert report.ratings_set and report.updates_created
    assert snapshot() == before


def test_export_then_import_of_the_same_year_changes_nothing(plan, world):
    run(plan, world, csv_bytes(GOOD))
    before = snapshot()
    response_rows = export_rows(plan.strategy, Q4)
    exported = tabular.csv_response("x.csv", EXPORT_HEADINGS, response_rows).content
    report = run(plan, world, exported, filename="export.csv")
    assert report.ok, report.errors.messages()
    assert not report.changes_anything, report.summary_lines()
    assert snapshot() == before


def test_xlsx_round_trip_changes_nothing(plan, world):
    run(plan, world, csv_bytes(GOOD + [["1", "", "1.3", "=cmd|' /C calc'!A0", "CHOG", "+formula-like text", "", ""]]))
    before = snapshot()
    data = tabular.xlsx_bytes(EXPORT_HEADINGS, export_rows(plan.strategy, Q4))
    report = run(plan, world, data, filename="export.xlsx")
    assert report.ok, report.errors.messages()
    assert not report.changes_anything, report.summary_lines()
    assert snapshot() == before


def test_exported_text_cannot_run_as_a_formula(client, plan, world):
    run(plan, world, csv_bytes([["1", "", "1.3", '=HYPERLINK("x")', "CHOG", "@SUM(A1)", "", ""]]))
    client.force_login(world.board_member)
    response = client.get(reverse("actions:plan_export", args=[world.partnership.slug]) + "?year=2015")
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text


def test_a_quarter_can_be_named(plan, world):
    run(plan, world, csv_bytes(GOOD), period=Quarter(2015, 2))
    assert set(RagRating.objects.values_list("year", "quarter")) == {(2015, 2)}


def test_a_rerun_with_a_changed_rating_sets_it_and_keeps_history(plan, world):
    run(plan, world, csv_bytes(GOOD))
    changed = [row[:] for row in GOOD]
    changed[0][6] = changed[1][6] = "Blue"
    report = run(plan, world, csv_bytes(changed))
    assert report.ratings_set == [("1.1", "Green", "Complete")]
    rating = RagRating.objects.get(action__ref="1.1")
    assert (rating.rating, rating.version) == ("complete", 2)
    assert list(
        RagRatingChange.objects.filter(action__ref="1.1").order_by("version").values_list("previous", "new")
    ) == [
        ("", "green"),
        ("green", "complete"),
    ]


# --- bad input: every problem by row and column, and nothing changes ---------------------------------------

BAD_CASES = {
    "missing required column": (
        csv_bytes([r[:6] + r[7:] for r in GOOD], [h for h in HEADINGS if h != "RAG"]),
        ["column 'RAG': The column 'RAG' is missing."],
    ),
    "unknown priority": (
        csv_bytes(
            [["9", "", "9.1", "Nowhere", "CHOG", "", "", ""], ["x", "", "1.1", "Improve awareness", "CHOG", "", "", ""]]
        ),
        ["Row 2, column 'Priority': ", "has no priority 9", "Row 3, column 'Priority': 'x' is not a priority number"],
    ),
    "unknown group": (
        csv_bytes([["1", "", "1.1", "Improve awareness", "CHOG, Knitting circle / Ghost group", "", "", ""]]),
        [
            "Row 2, column 'Group': 'Knitting circle' is not one of",
            "Row 2, column 'Group': 'Ghost group' is not one of",
        ],
    ),
    "duplicate ref with different texts": (
        csv_bytes([GOOD[0], ["1", "", "1.1", "Something else", "HOG", "", "Green", ""]]),
        ["Row 3, column 'Action': Ref 1.1 has a different action text on row 2."],
    ),
    "unknown rating word": (
        csv_bytes([["1", "", "1.1", "Improve awareness", "CHOG", "", "Purple", ""]]),
        ["Row 2, column 'RAG': 'Purple' is not a RAG rating"],
    ),
    "conflicting ratings": (
        csv_bytes([GOOD[0], ["1", "", "1.1", "Improve awareness", "HOG", "", "Red", ""]]),
        ["Row 3, column 'RAG': Action 1.1 is rated Green on row 2 but Red here"],
    ),
    "empty file": (b"", ["The file is empty"]),
    "headings only": (csv_bytes([]), ["The file has headings but no rows of data."]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_files_are_reported_and_change_nothing(case, plan, world):
    run(plan, world, csv_bytes(GOOD))
    before = snapshot()
    data, expected = BAD_CASES[case]
    report = run(plan, world, data)
    assert not report.ok and not report.applied
    messages = report.errors.messages()
    for fragment in expected:
        assert any(fragment in message for message in messages), (fragment, messages)
    assert snapshot() == before


def test_every_problem_is_reported_not_just_the_first(plan, world):
    data = csv_bytes(
        [
            ["1", "", "1.1", "Improve awareness", "Nobody", "", "Purple", ""],
            ["7", "", "7.1", "", "CHOG", "", "", ""],
        ]
    )
    messages = run(plan, world, data).errors.messages()
    assert len(messages) == 4, messages  # unknown group, rating word, priority, missing action text


@pytest.mark.parametrize(
    ("filename", "data", "fragment"),
    [
        ("plan.pdf", b"%PDF-1.4", "Upload a CSV (.csv) or Excel (.xlsx) file."),
        ("plan.xlsx", b"Priority,Ref\n1,1.1", "is not an XLSX spreadsheet"),
        ("plan.csv", b"PK\x03\x04zipped", "save it as CSV"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused(plan, world, filename, data, fragment):
    report = run(plan, world, data, filename=filename)
    assert any(fragment in m for m in report.errors.messages()), report.errors.messages()
    assert not Action.objects.exclude(pk__in=[plan.shared.pk, plan.housing.pk]).exists()


def test_group_cells_split_on_separators_and_and_but_keep_names_with_and(world):
    names = GroupNames(list(OperationalGroup.objects.filter(partnership=world.partnership)))
    assert names.parse("CHOG and HOG")[0] == [world.group, world.other_group]
    assert names.parse("Children and Health Operational Group and Housing Operational Group")[0] == [
        world.group,
        world.other_group,
    ]
    assert names.parse("chog / hog; BOARD")[0] == [world.group, world.other_group, world.board]
    assert names.parse("All operational groups")[0] == [world.group, world.other_group]
    assert names.parse("CHOG, Knitting")[1] == ["Knitting"]


def test_headings_match_ignoring_case_spaces_and_punctuation(plan, world):
    headings = ["PRIORITY", "ref", "Action", "group", "Action Update", "Action impact", "R.A.G.", "Next steps", "Notes"]
    data = csv_bytes([["1", "1.1", "Improve awareness", "CHOG", "Done", "Safer", "green", "", "ignored"]], headings)
    report = run(plan, world, data)
    assert report.ok, report.errors.messages()
    # "Action impact" is what the action is meant to achieve (issue 13); a group's quarterly impact is "Impact".
    assert Action.objects.get(ref="1.1").intended_impact == "Safer"
    assert ProgressUpdate.objects.get().successes_and_challenges == "Done"


# --- the command line ---------------------------------------------------------------------------------------


def test_the_command_imports_and_prints_what_changed(plan, world, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(GOOD))
    out = io.StringIO()
    call_command(
        "import_action_plan", str(path), "--partnership", "tri-borough", "--year", "2015/16", "--dry-run", stdout=out
    )
    assert "Ratings would be set: 2" in out.getvalue() and "Dry run" in out.getvalue()
    assert not RagRating.objects.exists()
    out = io.StringIO()
    call_command("import_action_plan", str(path), "--partnership", "tri-borough", "--year", "2015-16", stdout=out)
    assert "Ratings set: 2" in out.getvalue()
    assert RagRating.objects.filter(year=2015, quarter=4).count() == 2


def test_the_command_exits_non_zero_on_any_error(plan, world, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([["1", "", "1.1", "Improve awareness", "CHOG", "", "Purple", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_action_plan", str(path), "--partnership", "tri-borough", "--year", "2015-16", stderr=err)
    assert "Row 2, column 'RAG'" in err.getvalue()
    with pytest.raises(CommandError, match="No strategy"):
        call_command("import_action_plan", str(path), "--partnership", "tri-borough", "--year", "2030-31")
    with pytest.raises(CommandError):
        call_command(
            "import_action_plan", str(path), "--partnership", "tri-borough", "--year", "2015-16", "--quarter", "Q5"
        )


def test_the_command_takes_a_quarter_and_a_strategy(plan, world, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(GOOD))
    call_command(
        "import_action_plan",
        str(path),
        "--partnership",
        "tri-borough",
        "--year",
        "2015-16",
        "--quarter",
        "Q2",
        "--strategy",
        "2015-18",
        stdout=io.StringIO(),
    )
    assert set(RagRating.objects.values_list("quarter", flat=True)) == {2}


# --- in the browser: preview, then confirm ------------------------------------------------------------------


def upload(client, world, data, name="plan.csv", year="2015-16"):
    return client.post(
        reverse("actions:plan_import", args=[world.partnership.slug]),
        {"file": SimpleUploadedFile(name, data), "year": year, "quarter": ""},
    )


def test_the_browser_import_previews_then_applies_on_confirm(client, plan, world):
    client.force_login(world.lead)
    response = upload(client, world, csv_bytes(GOOD))
    assert response.status_code == 200
    assert "Ratings would be set: 2" in response.content.decode()
    assert not RagRating.objects.exists()
    batch = PendingUpload.objects.get()
    response = client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk]))
    assert response.status_code == 302
    assert RagRating.objects.count() == 2
    # The kept file is deleted once imported, and a batch is applied once.
    assert not PendingUpload.objects.exists()
    again = client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk]))
    assert again.status_code == 404


def test_the_browser_import_lists_every_problem_and_changes_nothing(client, plan, world):
    client.force_login(world.lead)
    before = snapshot()
    response = upload(client, world, BAD_CASES["conflicting ratings"][0])
    assert response.status_code == 400
    text = response.content.decode()
    assert "The file was not imported" in text and "Row 3, column &#x27;RAG&#x27;" in text
    assert "Confirm the import" not in text
    # Kept only so that its columns can be corrected: confirming it anyway changes nothing.
    batch = PendingUpload.objects.get()
    refused = client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk]))
    assert refused.status_code == 400
    assert snapshot() == before


def test_another_leads_batch_cannot_be_confirmed(client, plan, world):
    from tests.factories import MembershipFactory

    client.force_login(world.lead)
    upload(client, world, csv_bytes(GOOD))
    batch = PendingUpload.objects.get()
    second_lead = MembershipFactory(partnership=world.partnership, role="strategic_lead", user__username="dora").user
    client.force_login(second_lead)
    assert (
        client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk])).status_code == 404
    )
    client.force_login(world.outsider_lead)
    assert client.post(reverse("actions:plan_import_confirm", args=["elsewhere", batch.pk])).status_code == 404
    assert not RagRating.objects.exists()


def test_a_coordinator_cannot_import(client, plan, world):
    client.force_login(world.coordinator)
    assert upload(client, world, csv_bytes(GOOD)).status_code == 403
    assert not PendingUpload.objects.exists()


# --- a rating kept as a mark in one of three colour columns --------------------------------------------------

SPLIT_HEADINGS = ["Priority", "Ref", "Action", "Group", "Progress", "R", "A", "G", "Next steps"]


def test_a_rating_marked_in_r_a_g_columns_is_read_as_the_marked_colour(plan, world):
    rows = [
        ["1", "1.1", "Improve awareness", "CHOG", "Leaflets", "", "", "x", ""],
        ["1", "1.2", "Map funding", "HOG", "Mapping", "", "\u2713", "", ""],
        ["2", "2.1", "Coordinated response", "HOG", "Away day", "X", "", "", ""],
        ["2", "2.2", "Not yet rated", "HOG", "", "", "", "", ""],
    ]
    report = run(plan, world, csv_bytes(rows, headings=SPLIT_HEADINGS))
    assert report.ok, report.errors.messages()
    ratings = dict(RagRating.objects.filter(year=2015, quarter=4).values_list("action__ref", "rating"))
    assert ratings == {"1.1": "green", "1.2": "amber", "2.1": "red"}


def test_two_marked_colours_are_refused_with_the_row(plan, world):
    before = snapshot()
    rows = [["1", "1.1", "Improve awareness", "CHOG", "Leaflets", "x", "", "x", ""]]
    report = run(plan, world, csv_bytes(rows, headings=SPLIT_HEADINGS))
    assert "Row 2, column 'RAG': Both Red and Green are marked; mark one rating for the action." in (
        report.errors.messages()
    )
    assert snapshot() == before
