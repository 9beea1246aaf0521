"""Reading uploaded spreadsheets safely, and writing exports that spreadsheet programs cannot turn into formulas.

Every importer (browser and command line) reads its file through `read_table`, which:
- refuses files over the size limit before parsing, and files whose extension and content disagree;
- checks an XLSX's entry count and unpacked size before opening it (zip bombs), and parses its XML through
  defusedxml (openpyxl uses it when installed);
- reads an XLSX's real cells only: a sheet's declared `<dimension>` is ignored (openpyxl would pad every row to
  it: a 772 KB file declaring A1:XFD100000 took 100 s), and data beyond `MAX_COLUMNS` is refused;
- bounds the work before doing it: more than `MAX_COLUMNS` headings, or an XLSX whose sheet and shared strings
  unpack to more than `max_parse_bytes`, is refused before the rows are parsed. Web requests read with
  `INLINE_LIMITS`, so no upload keeps a worker busy for more than a few seconds, and so do the import commands
  unless given `--large`; the task runner reads larger files up to the hard limits (`COMMAND_LIMITS`);
- decodes CSV as UTF-8 (with or without BOM), falling back to Windows-1252, which Excel writes by default;
- skips empty rows, stopping quickly at the long runs of empty rows LibreOffice leaves at the end of a sheet;
- numbers rows as the user sees them in the spreadsheet (the heading row is row 1);
- given `headings` (the heading names an importer knows), finds the heading row among the first
  `HEADING_SEARCH_ROWS` non-empty rows, so title and key rows above it are read past: the first row with at least
  two known headings is the heading row (the first non-empty row when none has). Row numbers stay as the
  spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse

MAX_UPLOAD_BYTES = getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
MAX_XLSX_UNPACKED_BYTES = getattr(settings, "IMPORT_MAX_XLSX_UNPACKED_BYTES", 50 * 1024 * 1024)
MAX_XLSX_ENTRIES = 500
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 100_000)
# Survey exports give each answer option a column; no partnership file comes near a thousand.
MAX_COLUMNS = getattr(settings, "IMPORT_MAX_COLUMNS", 1_000)
# Cells read, padding included: bounds the work whatever the file declares.
MAX_CELLS = getattr(settings, "IMPORT_MAX_CELLS", 2_000_000)
MAX_CELL_CHARS = 20_000
# A run of this many empty rows ends the sheet: spreadsheet programs pad sheets with empty rows.
EMPTY_ROW_RUN_LIMIT = 1_000
# With `headings` given, the heading row is looked for among this many non-empty rows: a title, a key and notes.
HEADING_SEARCH_ROWS = 30

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_MAGIC = b"PK\x03\x04"


class TabularError(ValueError):
    """The file as a whole cannot be read; the message is meant for the person who uploaded it."""


@dataclass(frozen=True)
class Limits:
    """How much work reading one file may take. openpyxl parses sheet XML at about 2 MB a second here."""

    max_rows: int = MAX_ROWS
    max_parse_bytes: int = MAX_XLSX_UNPACKED_BYTES  # an XLSX's XML parts (sheets, shared strings...), unpacked


# What a web request, or a command without --large, may read: a few seconds of work at most. The partnerships' own
# files (a plan of a few hundred actions, a year of referrals, a survey of a few thousand respondents) are far inside.
INLINE_LIMITS = Limits(
    max_rows=getattr(settings, "IMPORT_INLINE_MAX_ROWS", 20_000),
    max_parse_bytes=getattr(settings, "IMPORT_INLINE_MAX_PARSE_BYTES", 4 * 1024 * 1024),
)
# The hard limits: the task runner's, and a command's with --large.
COMMAND_LIMITS = Limits()


class FileTooLarge(TabularError):
    """Readable, but more work than the hard limits allow."""


class OverRequestLimits(FileTooLarge):
    """Over what a web request may read, perhaps within the hard limits: hand the file to the task runner."""


def normalise_heading(text: object) -> str:
    """`Successes & challenges` and `successes and challenges` both become `successesandchallenges`."""
    return _normalised(str(text or ""))


@lru_cache(maxsize=8192)
def _normalised(text: str) -> str:
    # Cached: an import looks up the same few borough, service and measure names in every row.
    return _NOT_ALPHANUMERIC.sub("", text.lower().replace("&", "and"))


_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]")


@dataclass
class Row:
    number: int  # as the spreadsheet shows it: the heading row is 1
    values: dict[str, str]  # normalised heading -> cell text, stripped

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


@dataclass
class Table:
    headings: list[str]  # as written in the file
    rows: list[Row]

    @property
    def normalised_headings(self) -> list[str]:
        return [normalise_heading(h) for h in self.headings]


@dataclass
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class RowErrors:
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __iter__(self):
        return iter(sorted(self.errors, key=lambda e: (e.row or 0, e.column or "")))

    def __len__(self) -> int:
        return len(self.errors)

    def messages(self) -> list[str]:
        return [str(error) for error in self]


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _unescape(text: str) -> str:
    """Undo `neutralise_formula`, so exported text imports back unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _bounded(raw_rows: Iterable[Sequence[object]]) -> Iterable[Sequence[object]]:
    """Rows cut to MAX_COLUMNS; data beyond it, or more than MAX_CELLS read in all, refuses the file."""
    budget = MAX_CELLS
    for number, raw in enumerate(raw_rows, start=1):
        budget -= len(raw)
        if budget < 0:
            raise FileTooLarge(
                f"The file has more than {MAX_CELLS:,} cells (counting empty ones up to the last used column); "
                "delete unused rows and columns, or split it into smaller files."
            )
        if len(raw) > MAX_COLUMNS:
            beyond = next((i for i, v in enumerate(raw[MAX_COLUMNS:], start=MAX_COLUMNS) if v not in (None, "")), None)
            if beyond is not None:
                raise FileTooLarge(
                    f"Row {number} has data in column {_column_letter(beyond + 1)}, beyond the limit of "
                    f"{MAX_COLUMNS:,} columns. Delete the unused columns or split the file."
                )
            raw = raw[:MAX_COLUMNS]
        yield raw


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _known(headings: Collection[str] | None) -> frozenset[str]:
    return frozenset(filter(None, (normalise_heading(h) for h in headings or ())))


def _known_count(cells: Sequence[str], known: frozenset[str]) -> int:
    return sum(1 for cell in cells if cell and normalise_heading(cell) in known)


def _heading_row(
    numbered: Iterator[tuple[int, list[str]]], known: frozenset[str]
) -> tuple[list[str] | None, int, list[tuple[int, list[str]]]]:
    """The heading row, its number, and the rows read past it while looking that are data after all."""
    looked_at: list[tuple[int, list[str]]] = []
    empty_run = 0
    for number, cells in numbered:
        if not any(cells):
            empty_run += 1
            if known and empty_run >= EMPTY_ROW_RUN_LIMIT:
                break
            continue
        empty_run = 0
        if not known or _known_count(cells, known) >= 2:
            return cells, number, []
        looked_at.append((number, cells))
        if len(looked_at) >= HEADING_SEARCH_ROWS:
            break
    if not looked_at:
        return None, 0, []
    # No row has two known headings: the first row is the heading row, and the importer reports what is missing.
    (number, cells), *rest = looked_at
    return cells, number, rest


def _rows_to_table(
    raw_rows: Iterable[Sequence[object]], *, max_rows: int, headings_hint: Collection[str] | None = None
) -> Table:
    too_many = OverRequestLimits if max_rows < COMMAND_LIMITS.max_rows else FileTooLarge
    iterator = iter(_bounded(raw_rows))
    numbered = ((number, [cell_text(v) for v in raw]) for number, raw in enumerate(iterator, start=1))
    headings, first_row_number, read_past = _heading_row(numbered, _known(headings_hint))
    if headings is None:
        raise TabularError("The file is empty: it needs a heading row and at least one row of data.")
    while headings and not headings[-1]:
        headings.pop()
    keys = [normalise_heading(h) for h in headings]
    seen: dict[str, str] = {}
    for heading, key in zip(headings, keys, strict=True):
        if not key:
            continue
        if key in seen:
            raise TabularError(f"The heading '{heading}' appears twice (also as '{seen[key]}'). Keep one of them.")
        seen[key] = heading

    rows: list[Row] = []
    empty_run = 0
    for number, cells in itertools.chain(read_past, numbered):
        if not any(cells):
            empty_run += 1
            if empty_run >= EMPTY_ROW_RUN_LIMIT:
                break
            continue
        empty_run = 0
        if len(rows) >= max_rows:
            raise too_many(f"The file has more than {max_rows:,} rows of data; split it into smaller files.")
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise TabularError(f"Row {number} has a cell longer than {MAX_CELL_CHARS:,} characters.")
        values = {key: (_unescape(cells[i]) if i < len(cells) else "") for i, key in enumerate(keys) if key}
        rows.append(Row(number=number, values=values))
    if not rows:
        raise TabularError("The file has headings but no rows of data.")
    return Table(headings=[h for h in headings if normalise_heading(h)], rows=rows)


def _decode_csv(data: bytes) -> str:
    if b"\0" in data:
        raise TabularError("The file is not a CSV text file (it contains binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise TabularError("The file's text encoding could not be read; save it as 'CSV UTF-8'.") from None


def _heading_delimiter(text: str, known: frozenset[str]) -> str | None:
    """The delimiter that splits one of the first lines into at least two known headings, if one does."""
    for line in text.split("\n", HEADING_SEARCH_ROWS * 2)[: HEADING_SEARCH_ROWS * 2]:
        for delimiter in (",", ";", "\t"):
            if _known_count([cell.strip().strip('"') for cell in line.split(delimiter)], known) >= 2:
                return delimiter
    return None


def _read_csv(data: bytes, *, limits: Limits, headings_hint: Collection[str] | None = None) -> Table:
    text = _decode_csv(data)
    # The heading row decides the delimiter: comma, or the semicolon or tab some locales and tools write.
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    # Title rows above the headings say nothing about the delimiter: the heading row, when it can be found, does.
    delimiter = (_heading_delimiter(text, _known(headings_hint)) if headings_hint else None) or delimiter
    # Checked before parsing: an export with 400,000 headings would otherwise be parsed, profiled and shown whole.
    if first_line.count(delimiter) >= MAX_COLUMNS:
        raise FileTooLarge(
            f"The heading row has {first_line.count(delimiter) + 1:,} columns, over the limit of {MAX_COLUMNS:,}. "
            "Delete the columns you do not need, or split the file."
        )
    csv.field_size_limit(MAX_CELL_CHARS * 10)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _rows_to_table(reader, max_rows=limits.max_rows, headings_hint=headings_hint)
    except csv.Error as error:
        raise TabularError(f"The CSV file could not be read: {error}.") from None


def _check_xlsx_archive(data: bytes) -> dict[str, int]:
    """Entry count and unpacked size; returns each part's unpacked size by name."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TabularError("The XLSX file is damaged or not really an XLSX file.") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_XLSX_ENTRIES:
            raise TabularError(f"The XLSX file has too many parts ({len(entries)}); it cannot be a plain spreadsheet.")
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise TabularError(
                f"The XLSX file unpacks to {unpacked / 1_048_576:.0f} MB, over the limit of "
                f"{MAX_XLSX_UNPACKED_BYTES / 1_048_576:.0f} MB. Remove unused sheets or save it as CSV."
            )
        if "[Content_Types].xml" not in archive.namelist():
            raise TabularError("The file is a zip archive but not an XLSX spreadsheet.")
        return {entry.filename: entry.file_size for entry in entries}


def _parse_too_big(parse_bytes: int, limits: Limits) -> FileTooLarge:
    within_hard_limits = parse_bytes <= COMMAND_LIMITS.max_parse_bytes
    return (OverRequestLimits if within_hard_limits else FileTooLarge)(
        f"The spreadsheet's data unpacks to {parse_bytes / 1_048_576:.1f} MB, over the limit of "
        f"{limits.max_parse_bytes / 1_048_576:.0f} MB for one upload. Remove unused sheets, rows and columns, "
        "save it as CSV, or split it into smaller files."
    )


def _read_xlsx(data: bytes, *, limits: Limits, headings_hint: Collection[str] | None = None) -> Table:
    sizes = _check_xlsx_archive(data)
    # Checked before openpyxl opens the workbook: opening parses the shared strings and scans every sheet that
    # declares no extent, so the XML parts (not the images) are the work. Conservative: a large sheet that is not
    # the active one counts too.
    parse_bytes = sum(size for name, size in sizes.items() if name.lower().endswith(".xml"))
    if parse_bytes > limits.max_parse_bytes:
        raise _parse_too_big(parse_bytes, limits)
    from openpyxl import load_workbook  # only imported when needed: it is slow to import

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for malformed files
        raise TabularError(f"The XLSX file could not be read ({error.__class__.__name__}).") from None
    try:
        sheet = workbook.active
        if sheet is None:
            raise TabularError("The XLSX file has no worksheet.")
        # Read the cells the file has, not the extent it declares.
        sheet.reset_dimensions()
        return _rows_to_table(sheet.iter_rows(values_only=True), max_rows=limits.max_rows, headings_hint=headings_hint)
    except TabularError:
        raise
    except Exception as error:  # malformed sheet XML surfaces while iterating
        raise TabularError(f"The XLSX file could not be read ({error.__class__.__name__}).") from None
    finally:
        workbook.close()


def read_table(
    file,
    *,
    filename: str | None = None,
    limits: Limits = COMMAND_LIMITS,
    max_rows: int | None = None,
    headings: Collection[str] | None = None,
) -> Table:
    """Read an uploaded CSV or XLSX (a Django UploadedFile, a binary file object or bytes).

    Web requests pass `limits=INLINE_LIMITS`; `FileTooLarge` then means the file is over what a request may read.
    `headings`: the heading names the importer knows; the heading row is then found below any title and key rows.
    """
    if max_rows is not None:
        limits = Limits(max_rows=max_rows, max_parse_bytes=limits.max_parse_bytes)
    name = (filename or getattr(file, "name", "") or "").lower()
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > MAX_UPLOAD_BYTES:
            raise TabularError(_too_big(size))
        data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TabularError(_too_big(len(data)))
    is_zip = data.startswith(XLSX_MAGIC)
    if name.endswith(".xlsx"):
        if not is_zip:
            raise TabularError("The file is called .xlsx but is not an XLSX spreadsheet.")
        return _read_xlsx(data, limits=limits, headings_hint=headings)
    if name.endswith(".csv"):
        if is_zip:
            raise TabularError("The file is called .csv but is a spreadsheet or archive; save it as CSV.")
        return _read_csv(data, limits=limits, headings_hint=headings)
    raise TabularError("Upload a CSV (.csv) or Excel (.xlsx) file.")


def _too_big(size: int) -> str:
    return f"The file is {size / 1_048_576:.1f} MB, over the limit of {MAX_UPLOAD_BYTES / 1_048_576:.0f} MB."


def require_columns(table: Table, required: dict[str, Sequence[str]], errors: RowErrors) -> dict[str, str]:
    """Find each required column by its accepted headings; report every missing one. Returns key -> heading key."""
    present = set(table.normalised_headings)
    found: dict[str, str] = {}
    for key, names in required.items():
        match = next((normalise_heading(n) for n in names if normalise_heading(n) in present), None)
        if match is None:
            errors.add(None, names[0], f"The column '{names[0]}' is missing.")
        else:
            found[key] = match
    return found


def find_columns(table: Table, optional: dict[str, Sequence[str]]) -> dict[str, str]:
    present = set(table.normalised_headings)
    found = {}
    for key, names in optional.items():
        match = next((normalise_heading(n) for n in names if normalise_heading(n) in present), None)
        if match is not None:
            found[key] = match
    return found


# --- Cell readers shared by every importer: each raises CellError with a message for the person who wrote the file


class CellError(ValueError):
    """A cell that cannot be read. The message reads on its own after the column's name ("'x' is not a number.")."""


# The largest whole number every supported database stores in an integer column.
MAX_COUNT = 2_147_483_647
# Thousands separators as people and spreadsheet programs write them: commas, spaces, thin and no-break spaces.
_DIGIT_GROUPING = re.compile(r"[,\s\u00a0\u202f\u2009]")


def read_count(text: str, *, required: bool = True) -> int | None:
    """A count as people type it ('1,234', '1 234', '12.0'); blank is None unless `required`."""
    text = text.strip()
    if text == "":
        if required:
            raise CellError("is empty; enter a number (0 if there were none).")
        return None
    try:
        number = Decimal(_DIGIT_GROUPING.sub("", text))
    except InvalidOperation:
        raise CellError(f"'{text}' is not a number.") from None
    if not number.is_finite():
        raise CellError(f"'{text}' is not a number.")
    if number < 0:
        raise CellError(f"{text} is negative; counts cannot be below 0.")
    if number > MAX_COUNT:
        raise CellError(f"{text} is too large for a count (at most {MAX_COUNT:,}).")
    if number != number.to_integral():
        raise CellError(f"{text} is not a whole number.")
    return int(number)


def read_decimal(text: str, *, required: bool = False, negative: bool = False, places: int = 2) -> Decimal | None:
    """A figure such as a rate or a percentage ('12.5', '12.5%', '1,234.56'); blank is None unless `required`."""
    text = text.strip()
    if text == "":
        if required:
            raise CellError("is empty; enter a number.")
        return None
    try:
        number = Decimal(_DIGIT_GROUPING.sub("", text.removesuffix("%")))
    except InvalidOperation:
        raise CellError(f"'{text}' is not a number.") from None
    if not number.is_finite():
        raise CellError(f"'{text}' is not a number.")
    if number < 0 and not negative:
        raise CellError(f"{text} is negative; it cannot be below 0.")
    if abs(number) > MAX_COUNT:
        raise CellError(f"{text} is too large (at most {MAX_COUNT:,}).")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise CellError(f"{text} has more than {places} decimal place{'s' if places > 1 else ''}.")
    return number


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_export_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return neutralise_formula(str(value))


def _safe_filename(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export"


def write_csv(out, headings: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """An export as CSV, formula-safe, with a BOM (Excel then reads UTF-8 correctly), into `out` (a response or a
    buffer)."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_export_value(h) for h in headings])
    for row in rows:
        writer.writerow([safe_export_value(v) for v in row])


def csv_response(filename: str, headings: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(filename)}"'
    write_csv(response, headings, rows)
    return response


# Control characters an XLSX cannot hold (openpyxl refuses the whole file): text pasted from Word brings some, a
# vertical tab for each line break it kept.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_text(text: str) -> str:
    """Text as an XLSX cell can hold it: Word's line breaks (vertical tabs) become line breaks, other control
    characters are dropped."""
    return _XLSX_ILLEGAL.sub("", text.replace("\x0b", "\n")) if _XLSX_ILLEGAL.search(text) else text


def xlsx_bytes(headings: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def cells(values: Sequence[object]) -> list:
        out = []
        for value in values:
            value = safe_export_value(value)
            if isinstance(value, str):
                value = xlsx_text(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text is stored as text, never as a formula
            out.append(cell)
        return out

    sheet.append(cells(headings))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, headings: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(headings, rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(filename)}"'
    return response


# --- The import commands: the request's limits unless --large ---------------------------------------------------


def add_large_option(parser) -> None:
    parser.add_argument(
        "--large",
        action="store_true",
        help="Read a file over 20,000 rows or 4 MB of sheet data (up to the hard limits); it takes longer",
    )


def command_limits(large: bool) -> Limits:
    return COMMAND_LIMITS if large else INLINE_LIMITS


def command_refusal(error: TabularError) -> str:
    if isinstance(error, OverRequestLimits):
        return f"{error} To read it here anyway, add --large (it takes longer)."
    return str(error)
