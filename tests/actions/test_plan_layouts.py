"""The action plan import reads the layouts partnerships keep (issue 13, "Layouts as kept").

Test files are built here from the seeds: seed 003's Appendix 2 as a lead keeps it in Excel (title and key rows
above the headings, "Priority n: title" section rows, one row per group with the action's cells merged or left
blank) and seed 004's addendum table (priority written once per block, no refs, no groups, Yellow and blank
ratings, an "Action impact" column).
"""

import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook

from actions import selectors
from actions.models import Action, ActionGroup, Priority, ProgressUpdate, RagRating
from actions.plan_file import EXPORT_HEADINGS, check_and_apply, export_rows
from audit.models import AuditEvent
from partnership.models import OperationalGroup, PendingUpload
from tests.actions.factories import StrategyFactory
from tests.factories import OperationalGroupFactory
from vawg import tabular
from vawg.periods import Quarter
from vawg.rag import Rag

Q4_2015 = Quarter(2015, 4)


def xlsx_of(rows, *, merges=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_of(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


# --- the shared reader finds the heading row ------------------------------------------------------------------

TITLED = [
    ["Appendix 2: Shared services VAWG Strategic Action Plan 2015-18"],
    [],
    ["KEY: CHOG – Child & Health Operational Group, HOG Housing Operational group"],
    ["Action", "Strategic Action", "RAG rating"],
    ["1.1", "Improve awareness", "Green"],
]


@pytest.mark.parametrize("make", [xlsx_of, csv_of])
def test_the_heading_row_is_found_below_title_and_key_rows(make):
    data = make(TITLED)
    filename = "plan.xlsx" if make is xlsx_of else "plan.csv"
    table = tabular.read_table(data, filename=filename, headings={"Action", "Strategic action", "RAG rating"})
    assert table.headings == ["Action", "Strategic Action", "RAG rating"]
    assert [(row.number, row.values) for row in table.rows] == [
        (5, {"action": "1.1", "strategicaction": "Improve awareness", "ragrating": "Green"})
    ]


def test_without_a_hint_or_a_match_the_first_row_is_the_heading_row():
    table = tabular.read_table(csv_of(TITLED), filename="plan.csv")
    assert table.headings == ["Appendix 2: Shared services VAWG Strategic Action Plan 2015-18"]
    table = tabular.read_table(csv_of(TITLED), filename="plan.csv", headings={"Ref", "Group"})
    assert table.headings == ["Appendix 2: Shared services VAWG Strategic Action Plan 2015-18"]
    assert table.rows[0].number == 3  # the rows looked at are data after all; the empty row 2 is skipped


def test_the_heading_row_is_looked_for_only_near_the_top():
    rows = [[f"Note {n}"] for n in range(tabular.HEADING_SEARCH_ROWS)] + [["Action", "Strategic Action"], ["1", "x"]]
    table = tabular.read_table(csv_of(rows), filename="plan.csv", headings={"Action", "Strategic action"})
    assert table.headings == ["Note 0"]


# --- seed 003: Appendix 2 as a lead keeps it in Excel ------------------------------------------------------------

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_003 = json.loads((FIXTURES / "action_plan_2015_18.json").read_text())
SEED_004 = json.loads((FIXTURES / "action_plan_addendum_2018_21.json").read_text())
APPENDIX_HEADINGS = [
    "Action",
    "Strategic Action",
    "Operational group with responsibility to deliver",
    "Successes & challenges of note",
    "RAG rating",
    "Actions for 2016/17",
]
# The ratings: the extracted Appendix kept only two RAG cells (1.7 Green, 1.8 Yellow). Within each priority the
# others are chosen so that the priority's counts equal Fig 2 (as the demo fixture's Q4 ratings are, see its note);
# FIG_2 below is typed from the seed's Fig 2, so the test checks the import against the report, not the fixture.
FIG_2 = {  # priority: (green, amber, red)
    "Access": (5, 3, 0),
    "Response": (6, 2, 1),
    "Community": (1, 2, 0),
    "Practitioners": (3, 0, 0),
    "Children and Young People": (6, 7, 2),
    "Perpetrators": (2, 0, 0),
    "Justice and Protection": (1, 1, 1),
}
RAG_WORD = {"green": "Green", "amber": "Yellow", "red": "Red", "": ""}
# Action 1.1's MSE row runs over a page break in the report: its text continues on a row with no group.
CONTINUED = ("1.1", "MSE")


def year_end_rating(action: dict) -> str:
    return next((r["rating"] for r in action["ratings"] if r["quarter"] == "2015-16 Q4"), "")


def appendix_rows(*, section_style: str = "Priority {n}: {title}") -> tuple[list[list], list[str]]:
    """Seed 003 Appendix 2 as rows (title, key, headings, sections, one row per group) and the XLSX ranges to merge."""
    width = len(APPENDIX_HEADINGS)
    rows: list[list] = [
        ["Appendix 2: Shared services VAWG Strategic Action Plan 2015-18"],
        ["KEY: CHOG – Child & Health Operational Group, HOG Housing Operational group, SSG Specialist Services Group"],
        APPENDIX_HEADINGS,
    ]
    merges = ["A1:F1", "A2:F2"]
    for priority in SEED_003["priorities"]:
        rows.append([section_style.format(n=priority["number"], title=priority["title"])] + [None] * (width - 1))
        merges.append(f"A{len(rows)}:F{len(rows)}")
        rows.append([priority["commitment"]] + [None] * (width - 1))
        merges.append(f"A{len(rows)}:F{len(rows)}")
        for action in [a for a in SEED_003["actions"] if a["priority"] == priority["number"]]:
            first = len(rows) + 1
            for i, group_row in enumerate(action["rows"]):
                group = ", ".join(group_row["groups"])
                progress, next_steps = group_row["progress"], group_row["next_steps"]
                head = [action["ref"], action["text"]] if i == 0 else [None, None]
                rag = RAG_WORD[year_end_rating(action)] if i == 0 else None
                if (action["ref"], group) == CONTINUED:
                    half = len(progress) // 2
                    rows.append([*head, group, progress[:half].strip(), rag, next_steps])
                    rows.append([None, None, None, progress[half:].strip(), None, None])
                else:
                    rows.append([*head, group, progress, rag, next_steps])
            last = len(rows)
            if last > first:
                merges.extend(f"{column}{first}:{column}{last}" for column in "ABE")
    return rows, merges


def seed_003_xlsx() -> bytes:
    rows, merges = appendix_rows()
    return xlsx_of(rows, merges=merges)


def seed_003_csv() -> bytes:
    rows, _ = appendix_rows(section_style="Priority {n} - {title}")
    return csv_of([[cell if cell is not None else "" for cell in row] for row in rows])


def add_seed_groups(partnership) -> None:
    """The partnership's groups named in seed 003 (the world has CHOG, HOG and BOARD already)."""
    have = set(OperationalGroup.objects.filter(partnership=partnership).values_list("abbreviation", flat=True))
    for abbreviation in ["SSG", "R&R", "HP", "MSE", "CSCG", "COMMS", "LSCB", "SAEB"]:
        if abbreviation not in have:
            kind = (
                OperationalGroup.Kind.OPERATIONAL_GROUP
                if abbreviation in {"SSG", "R&R", "HP", "MSE"}
                else OperationalGroup.Kind.OTHER
            )
            OperationalGroupFactory(partnership=partnership, abbreviation=abbreviation, kind=kind)


@pytest.fixture
def seed_groups(world):
    add_seed_groups(world.partnership)


@pytest.fixture
def new_strategy(world):
    """A strategy with no priorities or actions yet: the file brings them."""
    return StrategyFactory(partnership=world.partnership, slug="2015-18", first_year=2015, last_year=2017)


def fig_2_of(strategy) -> dict[str, tuple[int, int, int]]:
    summary = selectors.rag_summary(strategy=strategy, year=2015)
    counts = {row.rating: row.counts for row in summary.rows}
    return {
        priority.title: (counts[Rag.GREEN][i], counts[Rag.AMBER][i], counts[Rag.RED][i])
        for i, priority in enumerate(summary.priorities)
    }


def check_seed_003_imported(strategy, world) -> None:
    assert fig_2_of(strategy) == FIG_2
    summary = selectors.rag_summary(strategy=strategy, year=2015)
    assert (summary.total, summary.count(Rag.GREEN), summary.count(Rag.AMBER), summary.count(Rag.RED)) == (
        43,
        24,
        15,
        4,
    )
    priorities = list(Priority.objects.filter(strategy=strategy).values_list("number", "title"))
    assert priorities == [(p["number"], p["title"]) for p in SEED_003["priorities"]]
    assert Priority.objects.get(strategy=strategy, number=1).commitment.startswith("The Tri-borough VAWG Partnership")
    refs = list(Action.objects.filter(strategy=strategy).values_list("ref", flat=True))
    assert refs == [a["ref"] for a in SEED_003["actions"]]
    # Merged cells carry the action down to each of its group rows.
    expected_groups = {
        (a["ref"], g) for a in SEED_003["actions"] for row in a["rows"] for g in row["groups"] if row["groups"]
    }
    assert set(
        ActionGroup.objects.filter(action__strategy=strategy).values_list("action__ref", "group__abbreviation")
    ) == {(ref, group) for ref, group in expected_groups}
    mse = ProgressUpdate.objects.get(action__strategy=strategy, action__ref="1.1", group__abbreviation="MSE")
    whole = next(r for r in SEED_003["actions"][0]["rows"] if r["groups"] == ["MSE"])["progress"]
    assert mse.successes_and_challenges.replace("\n", " ").split() == whole.split()
    assert mse.next_steps.startswith("Key actions for year 2?")
    assert AuditEvent.objects.filter(partnership=world.partnership).exists()


@pytest.mark.parametrize(("make", "filename"), [(seed_003_xlsx, "appendix2.xlsx"), (seed_003_csv, "appendix2.csv")])
def test_seed_003_appendix_imports_through_the_browser_as_kept(
    client, world, seed_groups, new_strategy, make, filename
):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:plan_import", args=[world.partnership.slug]),
        {"file": SimpleUploadedFile(filename, make()), "year": "2015-16", "quarter": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Priorities would be created: 1 Access, 2 Response, 3 Community, 4 Practitioners" in page
    assert "Actions would be created: 43" in page
    assert not Action.objects.exists() and not Priority.objects.filter(strategy=new_strategy).exists()
    batch = PendingUpload.objects.get()
    response = client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk]))
    assert response.status_code == 302
    check_seed_003_imported(new_strategy, world)


def test_seed_003_appendix_imports_from_the_command_line(world, seed_groups, new_strategy, tmp_path):
    path = tmp_path / "appendix2.xlsx"
    path.write_bytes(seed_003_xlsx())
    out = io.StringIO()
    call_command(
        "import_action_plan", str(path), "--partnership", world.partnership.slug, "--year", "2015-16", stdout=out
    )
    assert "Priorities created: 1 Access" in out.getvalue()
    check_seed_003_imported(new_strategy, world)
    # The same file again changes nothing; its export imports back unchanged too.
    report = check_and_apply(
        strategy=new_strategy,
        period=Q4_2015,
        file=path.read_bytes(),
        filename="again.xlsx",
        user=world.lead,
        dry_run=True,
    )
    assert report.ok and not report.changes_anything, report.summary_lines()
    exported = tabular.xlsx_bytes(EXPORT_HEADINGS, export_rows(new_strategy, Q4_2015))
    report = check_and_apply(
        strategy=new_strategy, period=Q4_2015, file=exported, filename="export.xlsx", user=world.lead, dry_run=True
    )
    assert report.ok and not report.changes_anything, report.summary_lines()


# --- seed 004: the addendum's table ----------------------------------------------------------------------------

ADDENDUM_HEADINGS = ["Priority", "Agreed Action", "Action Update", "Action Impact", "RAG"]
# The addendum writes the priority by its title, once per block; these are its words (with "&").
ADDENDUM_TITLES = {
    1: "Access",
    2: "Response",
    3: "Community",
    4: "Practitioners",
    5: "Children and Young People",
    6: "Perpetrators",
    7: "Justice & Protection",
}
# Blocks as the document lays them out: each table starts with its heading row; blank rows between them.
ADDENDUM_BLOCKS = [[1], [2], [3, 4], [5, 6, 7]]
Q1_2020 = Quarter(2020, 1)


def addendum_rows(blocks=ADDENDUM_BLOCKS) -> list[list]:
    rows: list[list] = [["VAWG Addendum 2020-2021 Agreed priorities and Actions going forward"], []]
    for block in blocks:
        rows.append(ADDENDUM_HEADINGS)
        for number in block:
            actions = [a for a in SEED_004["actions"] if a["priority"] == number]
            for i, action in enumerate(actions):
                title = ADDENDUM_TITLES[number] if i == 0 else ""
                rows.append([title, action["text"], action["progress"], action["impact"], action["rag"]])
        rows.extend([[], []])
    return rows


@pytest.fixture
def addendum_strategy(world):
    return StrategyFactory(partnership=world.partnership, slug="2018-21", first_year=2018, last_year=2020)


def check_seed_004_imported(strategy, client, world) -> None:
    summary = selectors.rag_summary(strategy=strategy, year=2020, quarter=1)
    assert (summary.total, summary.count(Rag.GREEN), summary.count(Rag.AMBER), summary.count(Rag.NOT_RATED)) == (
        13,
        5,
        5,
        3,
    )
    assert list(Priority.objects.filter(strategy=strategy).values_list("number", "title")) == list(
        ADDENDUM_TITLES.items()
    )
    actions = list(Action.objects.filter(strategy=strategy))
    assert [(a.ref, a.text, a.intended_impact) for a in actions] == [
        (a["ref"], a["text"], a["impact"]) for a in SEED_004["actions"]
    ]
    assert not ActionGroup.objects.filter(action__strategy=strategy).exists()
    assert not ProgressUpdate.objects.filter(action__strategy=strategy).exists()
    client.force_login(world.board_member)
    for action in actions:
        page = client.get(reverse("actions:action_detail", args=[world.partnership.slug, action.pk]))
        assert page.status_code == 200
        assert escape(action.intended_impact) in page.content.decode()


@pytest.mark.parametrize(("make", "filename"), [(xlsx_of, "addendum.xlsx"), (csv_of, "addendum.csv")])
def test_seed_004_addendum_imports_through_the_browser(client, world, addendum_strategy, make, filename):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:plan_import", args=[world.partnership.slug]),
        {"file": SimpleUploadedFile(filename, make(addendum_rows())), "year": "2020-21", "quarter": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Refs given in order within each priority" in page
    assert "1.3: Ensure services are available and accessible in light of COVID-19." in page
    assert "7.1: Seek justice for victims" in page
    assert "Update text not stored for 13 actions" in page
    assert "7 Justice &amp; Protection" in page
    batch = PendingUpload.objects.get()
    response = client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk]))
    assert response.status_code == 302
    check_seed_004_imported(addendum_strategy, client, world)


def test_seed_004_addendum_imports_from_the_command_line(client, world, addendum_strategy, tmp_path):
    path = tmp_path / "addendum.xlsx"
    path.write_bytes(xlsx_of(addendum_rows()))
    out = io.StringIO()
    call_command(
        "import_action_plan",
        str(path),
        "--partnership",
        world.partnership.slug,
        "--year",
        "2020-21",
        "--quarter",
        "Q1",
        stdout=out,
    )
    assert "Ratings set: 10" in out.getvalue()
    check_seed_004_imported(addendum_strategy, client, world)
    exported = tabular.xlsx_bytes(EXPORT_HEADINGS, export_rows(addendum_strategy, Q1_2020))
    report = check_and_apply(
        strategy=addendum_strategy, period=Q1_2020, file=exported, filename="export.xlsx", user=world.lead, dry_run=True
    )
    assert report.ok and not report.changes_anything, report.summary_lines()


# --- what the layouts bring with them: audit, stale previews, titles alone, query counts --------------------------


def test_created_priorities_and_actions_are_in_the_audit_log(world, addendum_strategy):
    report = check_and_apply(
        strategy=addendum_strategy,
        period=Q1_2020,
        file=xlsx_of(addendum_rows()),
        filename="addendum.xlsx",
        user=world.lead,
        dry_run=False,
    )
    assert report.ok and report.applied, report.errors.messages()
    created = AuditEvent.objects.filter(partnership=world.partnership, action=AuditEvent.Action.CREATE)
    assert created.filter(object_type="actions.Priority").count() == 7
    assert created.filter(object_type="actions.Action").count() == 13
    assert created.filter(object_type="actions.RagRating").count() == 10


def test_a_priority_created_since_the_preview_refuses_the_confirmation(client, world, addendum_strategy):
    client.force_login(world.lead)
    client.post(
        reverse("actions:plan_import", args=[world.partnership.slug]),
        {"file": SimpleUploadedFile("access.csv", csv_of(addendum_rows([[1]]))), "year": "2020-21", "quarter": "1"},
    )
    batch = PendingUpload.objects.get()
    # Someone adds priority 1 by hand meanwhile: the file would now file its actions under it, not create it.
    Priority.objects.create(strategy=addendum_strategy, number=1, title="Access")
    response = client.post(reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk]))
    assert response.status_code == 400
    assert "Row 4, column &#x27;Priority&#x27;: Priority 1 has changed since this file was previewed" in (
        response.content.decode()
    )
    assert not Action.objects.filter(strategy=addendum_strategy).exists()
    assert Priority.objects.filter(strategy=addendum_strategy).count() == 1


def test_section_rows_may_be_a_priority_title_alone_and_carry_down(plan, world):
    rows = [
        ["Ref", "Action", "Group", "Progress", "RAG"],
        ["Access"],
        ["1.1", "Improve awareness", "CHOG", "Leaflets", "Green"],
        [None, None, "HOG", "Presentations", None],
        ["Response"],
        ["2.2", "Whole family", "HOG", "", "Yellow"],
    ]
    report = check_and_apply(
        strategy=plan.strategy, period=Q4_2015, file=csv_of(rows), filename="p.csv", user=world.lead, dry_run=False
    )
    assert report.ok, report.errors.messages()
    assert not report.priorities_created
    assert Action.objects.get(ref="2.2").priority == plan.response
    assert ProgressUpdate.objects.get(action__ref="1.1", group=world.other_group).successes_and_challenges == (
        "Presentations"
    )
    assert dict(RagRating.objects.values_list("action__ref", "rating")) == {"1.1": "green", "2.2": "amber"}


def test_rows_before_any_section_and_unknown_titles_are_reported(plan, world):
    rows = [
        ["Ref", "Action", "Group", "RAG"],
        ["1.1", "Improve awareness", "CHOG", "Green"],
        ["Priority 9"],
        ["9.1", "Nowhere", "CHOG", ""],
    ]
    messages = check_and_apply(
        strategy=plan.strategy, period=Q4_2015, file=csv_of(rows), filename="p.csv", user=world.lead, dry_run=True
    ).errors.messages()
    assert "Row 2, column 'Priority': Put a section row such as 'Priority 1: Access' above this row." in messages
    assert any(m.startswith("Row 3, column 'Priority': ") and "has no priority 9" in m for m in messages), messages
    no_sections = [["Ref", "Action", "Group", "RAG"], ["1.1", "Improve awareness", "CHOG", "Green"]]
    messages = check_and_apply(
        strategy=plan.strategy,
        period=Q4_2015,
        file=csv_of(no_sections),
        filename="p.csv",
        user=world.lead,
        dry_run=True,
    ).errors.messages()
    assert any("The column 'Priority' is missing" in m for m in messages), messages


def test_checking_a_kept_layout_costs_the_same_queries_however_long_the_plan(
    world, seed_groups, new_strategy, django_assert_num_queries
):
    rows, merges = appendix_rows()
    short = rows[:12]  # title, key, headings and the first actions of priority 1
    for data in (xlsx_of(short), xlsx_of(rows, merges=merges)):
        with django_assert_num_queries(QUERIES_TO_CHECK_A_PLAN):
            report = check_and_apply(
                strategy=new_strategy, period=Q4_2015, file=data, filename="a.xlsx", user=world.lead, dry_run=True
            )
        assert report.ok, report.errors.messages()


# Whether the lead has closed the quarter; the partnership's remembered columns; the priorities and groups the layout
# is read with; what each kind of record is compared with (priorities, actions, responsibilities, updates, earlier
# ratings, ratings); a savepoint and its rollback.
QUERIES_TO_CHECK_A_PLAN = 12
