import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from vawg import tabular
from vawg.tabular import TabularError, neutralise_formula, normalise_heading, read_table, xlsx_bytes


def xlsx(rows, trailing_empty=0) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for i in range(trailing_empty):
        ws.cell(row=len(rows) + 1 + i, column=1, value=None)
        ws.cell(row=len(rows) + 1 + i, column=1).number_format = "0"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_matches_headings_ignoring_case_spaces_and_punctuation():
    assert normalise_heading(" Successes & Challenges ") == normalise_heading("successes and challenges")
    assert normalise_heading("Next-steps") == "nextsteps"


def test_it_reads_csv_with_bom_and_numbers_rows_as_the_spreadsheet_does():
    table = read_table(b"\xef\xbb\xbfRef,Action\n1.1,First\n\n1.2,Second\n", filename="plan.csv")
    assert table.headings == ["Ref", "Action"]
    assert [(r.number, r.get("ref")) for r in table.rows] == [(2, "1.1"), (4, "1.2")]


def test_it_falls_back_to_windows_1252():
    table = read_table("Borough,Note\nLBHF,caf\xe9\n".encode("cp1252"), filename="x.csv")
    assert table.rows[0].get("note") == "caf\xe9"


def test_it_reads_xlsx_and_ignores_trailing_empty_rows():
    table = read_table(xlsx([["Borough", "Count"], ["LBHF", 12], ["WCC", 3.0]], trailing_empty=50), filename="x.xlsx")
    assert [(r.number, r.get("count")) for r in table.rows] == [(2, "12"), (3, "3")]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"Ref,Action\n", "x.csv", "no rows"),
        (b"Ref,ref\n1,2\n", "x.csv", "appears twice"),
        (b"Ref\n1\n", "x.txt", "Upload a CSV"),
        (b"Ref,Action\n1,2\n", "x.xlsx", "not an XLSX"),
        (b"PK\x03\x04garbage", "x.xlsx", "damaged"),
        (b"PK\x03\x04garbage", "x.csv", "save it as CSV"),
        (b"a\x00b\n1\n", "x.csv", "binary"),
    ],
)
def test_it_refuses_unreadable_files_with_a_clear_message(data, name, message):
    with pytest.raises(TabularError, match=message):
        read_table(data, filename=name)


def test_it_refuses_oversized_files_before_parsing(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(TabularError, match="over the limit"):
        read_table(b"a,b\n" + b"1,2\n" * 100, filename="x.csv")


def test_it_refuses_a_zip_bomb_before_opening_it():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (tabular.MAX_XLSX_UNPACKED_BYTES + 1))
    assert len(buf.getvalue()) < tabular.MAX_UPLOAD_BYTES
    with pytest.raises(TabularError, match="unpacks to"):
        read_table(buf.getvalue(), filename="bomb.xlsx")


def test_it_limits_rows():
    with pytest.raises(TabularError, match="more than 3 rows"):
        read_table(b"a\n1\n2\n3\n4\n", filename="x.csv", max_rows=3)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0x", "==HYPERLINK(x)"])
def test_export_neutralises_formula_like_text(text):
    assert neutralise_formula(text) == "'" + text
    assert neutralise_formula(-1) == -1


def test_csv_export_round_trips_text_that_looks_like_a_formula():
    response = tabular.csv_response("out.csv", ["Text", "Number"], [["- a bullet", -3], ["=cmd", 4]])
    table = read_table(response.content, filename="out.csv")
    assert response.content.decode("utf-8-sig").splitlines()[1] == "'- a bullet,-3"
    assert [r.get("text") for r in table.rows] == ["- a bullet", "=cmd"]


def test_xlsx_export_stores_formula_like_text_as_text():
    data = tabular.xlsx_bytes(["Text", "Number"], [['=HYPERLINK("x")', 5]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234", 1234), ("1 234", 1234), ("1\u202f234", 1234), (" 12.0 ", 12), ("0", 0)],
)
def test_the_one_count_reader_takes_counts_as_people_type_them(text, expected):
    assert tabular.read_count(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("twelve", "'twelve' is not a number."),
        ("-1", "-1 is negative"),
        ("2.5", "2.5 is not a whole number."),
        ("3000000000", "too large for a count (at most 2,147,483,647)"),
        ("NaN", "is not a number"),
    ],
)
def test_the_one_count_reader_says_what_is_wrong(text, message):
    with pytest.raises(tabular.CellError, match=re.escape(message)):
        tabular.read_count(text)
    assert tabular.read_count("", required=False) is None


def test_the_decimal_reader_takes_percentages_and_refuses_extra_places():
    assert str(tabular.read_decimal("12.5%")) == "12.5"
    with pytest.raises(tabular.CellError, match="more than 2 decimal places"):
        tabular.read_decimal("1.234")


def test_an_xlsx_export_keeps_text_pasted_from_word_with_its_line_breaks():
    # Word's manual line break is a vertical tab, and a bell or form feed can ride along: openpyxl refuses the whole
    # workbook for any of them, which made a page's XLSX download fail on one pasted update.
    pasted = "Training delivered\x0bto 122 professionals\x07\x0c"
    data = xlsx_bytes(["Progress", "Count"], [[pasted, 3]])
    table = read_table(data, filename="export.xlsx")
    assert table.rows[0].get("progress") == "Training delivered\nto 122 professionals"
    assert table.rows[0].get("count") == "3"
