"""The component partials are the only place their markup is written, and the table component draws every kind of
cell the pages need."""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from reports.suppression import Suppressor
from vawg.rag import Rag
from vawg.tables import Cell, Column, Row, Section, SummaryRow, Table, link, summary, tag

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ROOT / "templates" / "components"
SKIPPED_DIRS = {".venv", "node_modules", "static_build", ".git"}
# Markup that belongs to one component: a page writing it by hand is a second copy of that component.
COMPONENT_MARKUP = {
    "table": re.compile(r'govuk-table["\s]'),
    "summary list": re.compile(r"govuk-summary-list"),
    "pagination": re.compile(r"govuk-pagination"),
    "filter panel": re.compile(r'moj-filter"'),
    "error summary": re.compile(r'govuk-error-summary"'),
}
# Templates still excused from the guard (none left).
NOT_YET: set[Path] = set()


def project_templates() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.html"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts) or "templates" not in relative.parts:
            continue
        found.append(path)
    return sorted(found)


def test_the_tree_has_templates_to_check():
    templates = project_templates()
    assert len(templates) > 50
    assert COMPONENTS / "table.html" in templates


@pytest.mark.parametrize(
    "template", [p for p in project_templates() if COMPONENTS not in p.parents], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_page_writes_component_markup_by_hand(template):
    if template.relative_to(ROOT) in NOT_YET:
        pytest.skip("rewritten on another line of work")
    text = template.read_text()
    copied = [name for name, pattern in COMPONENT_MARKUP.items() if pattern.search(text)]
    assert not copied, f"{template.relative_to(ROOT)} writes the {', '.join(copied)} by hand: use the component"


def test_the_guard_sees_hand_written_markup(tmp_path):
    written = '<table class="govuk-table">\n<dl class="govuk-summary-list">'
    assert {n for n, p in COMPONENT_MARKUP.items() if p.search(written)} == {"table", "summary list"}


def render(table: Table) -> str:
    return render_to_string("components/table.html", {"table": table})


def test_a_table_has_column_headings_row_headings_and_numeric_columns():
    html = render(
        Table(
            caption="Referrals by borough",
            caption_size="s",
            columns=["Borough", Column("Cases", numeric=True)],
            rows=[["Camden", 12], ["Hackney", 7]],
        )
    )
    assert html.count('<th scope="col"') == 2
    assert html.count('<th scope="row"') == 2
    assert "govuk-table__header--numeric" in html and html.count("govuk-table__cell--numeric") == 2
    assert "govuk-table__caption--s" in html and ">Referrals by borough<" in html
    # A wide table scrolls in its own region, reached by keyboard and named by the caption.
    assert 'class="app-table-region" role="region" aria-label="Referrals by borough" tabindex="0"' in html


def test_a_table_shows_links_tags_and_rag_ratings_with_their_words():
    html = render(
        Table(
            caption="Actions",
            columns=["Ref", "Rating", "Return"],
            rows=[[link("1.1", "/actions/1/", hidden_text="(open the action)"), Rag.AMBER, tag("No return", "grey")]],
        )
    )
    assert (
        '<a class="govuk-link" href="/actions/1/">1.1<span class="govuk-visually-hidden"> (open the action)</span>'
        in html
    )
    assert "govuk-tag--orange" in html and ">Amber<" in html
    assert "govuk-tag--grey" in html and ">No return<" in html


def test_suppressed_figures_show_their_label_never_their_value():
    suppressor = Suppressor(5)
    cells = suppressor.table([[3, 40]]).rows[0]
    html = render(
        Table(
            caption="Small numbers",
            columns=["Borough", Column("A", True), Column("B", True)],
            rows=[["Camden", *cells]],
        )
    )
    assert ">&lt;5<" in html and ">3<" not in html
    assert html.count("app-suppressed") == 1
    assert ">40<" in html


def test_a_totals_row_an_empty_table_sections_and_rows_under_a_spanning_heading():
    html = render(Table(caption="Counts", columns=["Kind", Column("N", True)], rows=[["New", 2]], total=["Total", 2]))
    assert html.count("app-table__total") == 1 and "govuk-!-font-weight-bold" in html
    empty = render(Table(caption="Counts", columns=["Kind", "N"], rows=[], empty_text="Nothing yet."))
    assert 'colspan="2">Nothing yet.<' in empty
    sections = render(Table(caption="Outcomes", columns=["Outcome", "A"], sections=[Section("Charged", [["Men", 1]])]))
    assert '<th scope="colgroup" colspan="2"' in sections
    spanning = render(
        Table(
            caption="Plan",
            columns=["Ref", "Group", "Said"],
            rows=[[Cell(text="1.1", rowspan=2), "CSG", "One"], Row(["DAG", "Two"], continued=True)],
        )
    )
    assert '<th scope="rowgroup" rowspan="2"' in spanning
    assert spanning.count('<th scope="row') == 1  # the continued row starts with plain cells


def test_a_table_cell_can_hold_a_form_field_with_a_label_for_screen_readers():
    from django import forms

    class Counts(forms.Form):
        count = forms.IntegerField(required=False, label="Camden, agree")

    form = Counts(data={"count": "x"})
    form.is_valid()
    html = render(Table(caption="Counts", columns=["Option", "Camden"], rows=[["Agree", Cell(field=form["count"])]]))
    assert '<label class="govuk-label govuk-visually-hidden" for="id_count">Camden, agree</label>' in html
    assert "govuk-input--error" in html and 'aria-describedby="id_count-error"' in html


def test_a_summary_list_has_rich_values_actions_and_a_no_border_variant():
    rows = summary(
        [
            SummaryRow("Rating", Rag.GREEN, actions=[link("Change", "/rate/", hidden_text="the rating")]),
            ("Owner", ""),
        ]
    )
    html = render_to_string("components/summary_list.html", {"rows": rows, "no_border": True})
    assert "govuk-summary-list--no-border" in html
    assert "govuk-tag--green" in html and ">Green<" in html
    assert (
        'class="govuk-summary-list__actions"' in html
        and 'Change<span class="govuk-visually-hidden"> the rating' in html
    )
    assert html.count("govuk-summary-list__row--no-actions") == 1  # the row without an action, beside one with
    assert ">Not recorded<" in html
