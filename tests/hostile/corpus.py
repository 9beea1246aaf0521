"""Hostile and broken upload files, built at test time (nothing large is committed).

Each case is a function of a template (the headings and one plausible row of the importer under test), so that
content-level attacks (formulas, negative counts, another partnership's names) reach past the heading check.
Cases that do not depend on the importer ignore the template.
"""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from vawg import tabular


@dataclass(frozen=True)
class Template:
    headings: list[str]
    row: list[str]
    other_names: list[str]  # another partnership's borough, group, service... as a row of this importer
    other_ids: list[str]  # the same row with the other partnership's numeric ids


Builder = Callable[[Template], tuple[str, bytes]]
CASES: dict[str, Builder] = {}


def case(name: str):
    def register(builder: Builder) -> Builder:
        CASES[name] = builder
        return builder

    return register


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _cell(value: str) -> str:
    if value.isdigit():
        return f"<c t='n'><v>{value}</v></c>"
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<c t='inlineStr'><is><t>{escaped}</t></is></c>"


def sheet_xml(rows: list[list[str]], *, doctype: str = "", trailing_empty_rows: int = 0, raw_cells: str = "") -> bytes:
    """A worksheet with inline strings; `raw_cells` is inserted verbatim into the first data row."""
    body = []
    for number, row in enumerate(rows, start=1):
        extra = raw_cells if number == 2 else ""
        body.append(f"<row r='{number}'>{''.join(_cell(v) for v in row)}{extra}</row>")
    if trailing_empty_rows:
        body.append(_empty_rows(len(rows) + 1, trailing_empty_rows))
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
        + doctype
        + "<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
        + "".join(body)
        + "</sheetData></worksheet>"
    ).encode()


@functools.lru_cache(maxsize=4)
def _empty_rows(start: int, count: int) -> str:
    # LibreOffice writes formatted but empty rows to the end of the sheet.
    return "".join(f"<row r='{n}'><c r='A{n}' s='1'/></row>" for n in range(start, start + count))


def xlsx_bytes(sheet: bytes, *, extra_entries: dict[str, bytes] | None = None) -> bytes:
    """A minimal hand-made XLSX around one worksheet, so the worksheet XML can be anything."""
    parts = {
        "[Content_Types].xml": (
            b"<?xml version='1.0' encoding='UTF-8'?>"
            b"<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>"
            b"<Default Extension='rels' ContentType='application/vnd.openxmlformats-package.relationships+xml'/>"
            b"<Default Extension='xml' ContentType='application/xml'/>"
            b"<Override PartName='/xl/workbook.xml' "
            b"ContentType='application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'/>"
            b"<Override PartName='/xl/worksheets/sheet1.xml' "
            b"ContentType='application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml'/>"
            b"</Types>"
        ),
        "_rels/.rels": (
            b"<?xml version='1.0' encoding='UTF-8'?>"
            b"<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
            b"<Relationship Id='rId1' Target='xl/workbook.xml' "
            b"Type='http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument'/>"
            b"</Relationships>"
        ),
        "xl/workbook.xml": (
            b"<?xml version='1.0' encoding='UTF-8'?>"
            b"<workbook xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main' "
            b"xmlns:r='http://schemas.openxmlformats.org/officeDocument/2006/relationships'>"
            b"<sheets><sheet name='Sheet1' sheetId='1' r:id='rId1'/></sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            b"<?xml version='1.0' encoding='UTF-8'?>"
            b"<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
            b"<Relationship Id='rId1' Target='worksheets/sheet1.xml' "
            b"Type='http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet'/>"
            b"</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        **(extra_entries or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def good_xlsx(t: Template) -> bytes:
    return xlsx_bytes(sheet_xml([t.headings, t.row]))


def _with(t: Template, column: int, value: str) -> list[list[str]]:
    row = list(t.row)
    row[column % len(row)] = value
    return [t.headings, row]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\0" * 40
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"


# --- Wrong extension and not a spreadsheet -----------------------------------------------------------------------


@case("xlsx-named-csv")
def _(t):
    return "plan.csv", good_xlsx(t)


@case("csv-named-xlsx")
def _(t):
    return "plan.xlsx", csv_bytes([t.headings, t.row])


@case("png-named-csv")
def _(t):
    return "figures.csv", PNG


@case("pdf-named-xlsx")
def _(t):
    return "figures.xlsx", PDF


@case("csv-named-txt")
def _(t):
    return "figures.txt", csv_bytes([t.headings, t.row])


@case("no-extension")
def _(t):
    return "figures", csv_bytes([t.headings, t.row])


@case("double-extension-exe")
def _(t):
    return "figures.csv.exe", b"MZ\x90\x00" + b"\0" * 60


# --- Broken and malicious zips -----------------------------------------------------------------------------------


@case("truncated-zip")
def _(t):
    data = good_xlsx(t)
    return "truncated.xlsx", data[: len(data) // 2]


@case("zip-not-xlsx")
def _(t):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a spreadsheet")
    return "archive.xlsx", buffer.getvalue()


@case("zip-bomb-unpacked-size")
def _(t):
    # Kilobytes on disk, over the unpacked-size limit once inflated.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml([t.headings, t.row]))
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/media/padding.bin", b"\0" * (tabular.MAX_XLSX_UNPACKED_BYTES + 1024))
    return "bomb.xlsx", buffer.getvalue()


@case("zip-bomb-too-many-entries")
def _(t):
    extra = {f"xl/media/image{n}.bin": b"" for n in range(tabular.MAX_XLSX_ENTRIES + 1)}
    return "entries.xlsx", xlsx_bytes(sheet_xml([t.headings, t.row]), extra_entries=extra)


@case("xlsx-billion-laughs")
def _(t):
    entities = "<!ENTITY lol0 'lol'>" + "".join(
        f"<!ENTITY lol{n} '{('&lol' + str(n - 1) + ';') * 10}'>" for n in range(1, 10)
    )
    doctype = f"<!DOCTYPE worksheet [{entities}]>"
    raw = "<c t='inlineStr'><is><t>&lol9;</t></is></c>"
    return "laughs.xlsx", xlsx_bytes(sheet_xml([t.headings, t.row], doctype=doctype, raw_cells=raw))


@case("xlsx-xxe-external-entity")
def _(t):
    doctype = "<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
    raw = "<c t='inlineStr'><is><t>&xxe;</t></is></c>"
    return "xxe.xlsx", xlsx_bytes(sheet_xml([t.headings, t.row], doctype=doctype, raw_cells=raw))


@case("xlsx-malformed-xml")
def _(t):
    return "malformed.xlsx", xlsx_bytes(b"<worksheet><sheetData><row><c>")


@case("xlsx-libreoffice-100000-empty-rows")
def _(t):
    # Headings, one hostile row (unknown names) and LibreOffice's formatted empty rows: must stop quickly.
    return "padded.xlsx", xlsx_bytes(sheet_xml([t.headings, t.other_names], trailing_empty_rows=100_000))


# --- Encodings ---------------------------------------------------------------------------------------------------


@case("cp1252-smart-quotes")
def _(t):
    return "cp1252.csv", csv_bytes(
        _with(t, -1, "\u201cCaf\u00e9\u201d \u2013 \u00a3 and \u2019quotes\u2019 \u00bd"), encoding="cp1252"
    )


@case("utf16-with-bom")
def _(t):
    return "utf16.csv", csv_bytes([t.headings, t.row], encoding="utf-16")


@case("invalid-utf8-bytes")
def _(t):
    return "invalid.csv", csv_bytes([t.headings]) + b"\xff\xfe\x81\x8d\x8f\x90\x9d," * 5 + b"\r\n"


@case("utf8-bom-other-names")
def _(t):
    return "bom.csv", b"\xef\xbb\xbf" + csv_bytes([t.headings, t.other_names])


@case("nul-bytes")
def _(t):
    return "nul.csv", csv_bytes([t.headings]) + b"\0".join(v.encode() for v in t.row) + b"\r\n"


# --- Size and shape ----------------------------------------------------------------------------------------------


@case("empty-file")
def _(t):
    return "empty.csv", b""


@case("whitespace-only")
def _(t):
    return "blank.csv", b"\r\n \r\n,,,\r\n\t\r\n"


@case("only-headings")
def _(t):
    return "headings.csv", csv_bytes([t.headings])


@case("only-headings-xlsx")
def _(t):
    return "headings.xlsx", xlsx_bytes(sheet_xml([t.headings]))


@case("missing-headings")
def _(t):
    return "missing.csv", csv_bytes([t.headings[:1], t.row[:1]])


@case("no-heading-row")
def _(t):
    return "noheadings.csv", csv_bytes([t.row, t.row])


@case("duplicate-headings")
def _(t):
    return "duplicate.csv", csv_bytes([[*t.headings, t.headings[0].upper()], [*t.row, t.row[0]]])


@case("duplicate-headings-punctuation")
def _(t):
    first = t.headings[0]
    return "duplicate2.csv", csv_bytes([[*t.headings, f" {first.lower()}!"], [*t.row, "x"]])


@case("mismatched-column-counts")
def _(t):
    return "ragged.csv", csv_bytes([t.headings, t.row[:2], [*t.row, "extra", "extra"], t.row])


@case("semicolon-delimited-other-names")
def _(t):
    return "semicolon.csv", csv_bytes([t.headings, t.other_names], delimiter=";")


@case("very-long-line")
def _(t):
    return "longline.csv", csv_bytes([t.headings, [*t.row, *(["x" * 100] * 20_000)]])


@case("unterminated-quote")
def _(t):
    return "quote.csv", csv_bytes([t.headings]) + b'"' + b"a" * 1000 + b"\r\nmore,rows\r\n"


@case("cell-10mb")
def _(t):
    return "bigcell.csv", csv_bytes(_with(t, 0, "A" * 10_000_000))


@case("cell-10mb-xlsx")
def _(t):
    return "bigcell.xlsx", xlsx_bytes(sheet_xml(_with(t, 0, "A" * 10_000_000)))


@case("rows-over-row-limit")
def _(t):
    # Under the size limit, over the row limit: one short non-empty cell per row.
    body = ("x\r\n" * (tabular.MAX_ROWS + 1)).encode()
    return "manyrows.csv", csv_bytes([t.headings]) + body


# --- Sheets that declare or spread far more than they hold (the reader must do work by the real cells) ------------


def _declaring(sheet: bytes, ref: str) -> bytes:
    return sheet.replace(b"<sheetData>", f"<dimension ref='{ref}'/><sheetData>".encode(), 1)


@case("xlsx-declares-a1-xfd100000")
def _(t):
    # Two real rows under a declared 16,384 x 100,000 sheet: openpyxl padded every row to it (about 100 s).
    return "declared.xlsx", xlsx_bytes(_declaring(sheet_xml([t.headings, t.row]), "A1:XFD100000"))


@case("xlsx-data-in-column-xfd")
def _(t):
    return "farcolumn.xlsx", xlsx_bytes(sheet_xml([t.headings, t.row], raw_cells="<c r='XFD2'><v>1</v></c>"))


@case("xlsx-styled-cells-to-xfd")
def _(t):
    # Every row reaches column XFD with a formatted but empty cell: 16,384 cells a row once padded.
    rows = "".join(
        f"<row r='{n}'>{''.join(_cell(v) for v in (t.headings if n == 1 else t.row))}<c r='XFD{n}' s='1'/></row>"
        for n in range(1, 301)
    )
    sheet = sheet_xml([]).replace(b"<sheetData></sheetData>", f"<sheetData>{rows}</sheetData>".encode())
    return "styled.xlsx", xlsx_bytes(_declaring(sheet, "A1:XFD300"))


@case("csv-400000-headings")
def _(t):
    # About 3 MB: a survey export gone wrong (every answer a column) that kept a worker 15-18 s.
    headings = [*t.headings, *(f"Q{n}" for n in range(400_000))]
    return "wide.csv", csv_bytes([headings, t.row])


@case("xlsx-2000-headings")
def _(t):
    return "wide.xlsx", xlsx_bytes(sheet_xml([[*t.headings, *(f"Q{n}" for n in range(2_000))], t.row]))


# --- Hostile cell content ----------------------------------------------------------------------------------------


@case("formula-dde-cmd")
def _(t):
    return "dde.csv", csv_bytes(_with(t, 0, "=cmd|' /C calc'!A0"))


@case("formula-plus-minus-at")
def _(t):
    rows = [t.headings]
    for column, value in enumerate(["+1+1", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://evil","x")']):
        row = list(t.row)
        row[column % len(row)] = value
        rows.append(row)
    return "formulas.csv", csv_bytes(rows)


@case("formula-tab-cr-prefix")
def _(t):
    return "tabcr.csv", csv_bytes([t.headings, _with(t, 0, "\t=1+1")[1], _with(t, 1, "\r=1+1")[1]])


@case("formula-in-xlsx-cell")
def _(t):
    raw = "<c><f>CMD|' /C calc'!A0</f><v>0</v></c>"
    return "formula.xlsx", xlsx_bytes(sheet_xml([t.headings, t.other_names], raw_cells=raw))


@case("negative-counts")
def _(t):
    return "negative.csv", csv_bytes([t.headings, [v if not v.isdigit() else f"-{v}" for v in t.row]])


@case("non-numeric-counts")
def _(t):
    return "nonnumeric.csv", csv_bytes([t.headings, [v if not v.isdigit() else "lots" for v in t.row]])


@case("huge-and-fractional-numbers")
def _(t):
    return "huge.csv", csv_bytes([t.headings, [v if not v.isdigit() else "1e309" for v in t.row]])


@case("html-script-in-text")
def _(t):
    script = "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>"
    return "html.csv", csv_bytes([t.headings, [script if not v.isdigit() else v for v in t.other_names]])


@case("other-partnership-names")
def _(t):
    return "othernames.csv", csv_bytes([t.headings, t.other_names])


@case("other-partnership-ids")
def _(t):
    return "otherids.csv", csv_bytes([t.headings, t.other_ids])


@case("other-partnership-names-after-good-row")
def _(t):
    # A plausible row first: a partial import would store it before meeting the bad one.
    return "mixed.csv", csv_bytes([t.headings, t.row, t.other_names])


@case("sql-and-path-injection")
def _(t):
    value = "'; DROP TABLE partnership_borough; -- ../../etc/passwd"
    return "injection.csv", csv_bytes([t.headings, [value if not v.isdigit() else v for v in t.other_names]])


def million_rows(path) -> None:
    """1,000,000 rows: over the upload size limit, written once and shared by every importer."""
    line = b"LBHF,2015-16,Q1,1,2,3,4,5,6,7\r\n"
    assert len(line) * 1_000_000 > tabular.MAX_UPLOAD_BYTES
    with open(path, "wb") as file:
        file.write(b"Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household,a,b,c\r\n")
        file.write(line * 1_000_000)
