"""The action plan import reads the layouts partnerships keep (issue 13, "Layouts as kept").

Test files are built here from the seeds: seed 003's Appendix 2 as a lead keeps it in Excel (title and key rows
above the headings, "Priority n: title" section rows, one row per group with the action's cells merged or left
blank) and seed 004's addendum table (priority written once per block, no refs, no groups, Yellow and blank
ratings, an "Action impact" column).
"""

import csv
import io

import pytest
from openpyxl import Workbook

from vawg import tabular


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
