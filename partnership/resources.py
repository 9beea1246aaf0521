"""The one import framework: each data kind is a django-import-export `ModelResource` built on `FileResource`.

A file travels one road, whatever its kind and whoever sends it (a page, the task runner, a command, the admin):

1. `vawg.tabular` reads it (size and zip limits, encodings, the heading row found below title and key rows);
2. the column mapping says which of the file's headings answers which field: proposed from the field's heading
   and its aliases, then from the wording closest to them, corrected by the person (`--map` on a command) and
   remembered for the partnership's next file of that kind (`partnership.ColumnMapping`);
3. the rows become a tablib `Dataset` in the resource's own headings, and `import_data` runs: each `Column`'s
   widget reads its cell (a `CellError` names the problem), the kind's rules check the row, rows are matched
   with the stored ones on their natural key (never on ids, only within the partnership), unchanged rows are
   skipped, and the changed ones are written in bulk with a before/after audit event each, plus one event for
   the file;
4. the outcome is an `ImportResult`: every problem by row and column, and a preview of what each row does.

Nothing is written unless every row is clean (all or nothing). The real import runs with the stored rows it
reads locked, and refuses a file whose rows changed since the person saw its preview (`previewed`).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from import_export import fields, resources, widgets
from import_export.results import RowResult

from audit.recorder import audited_bulk_create, audited_bulk_update, record_import
from partnership.models import Partnership
from partnership.selectors import column_mapping_for
from partnership.services import column_mapping_remember
from vawg.concurrency import changed_since, row_state
from vawg.tabular import RowErrors, Table, cell_text, normalise_heading

logger = logging.getLogger(__name__)

CREATED_WHILE_IMPORTING = (
    "Someone else saved figures for rows of this file while it was being imported. Nothing was imported: "
    "upload the file again to see a new preview."
)
# How close a heading's wording must be to a field's to be proposed for it (difflib's ratio).
PROPOSAL_CUTOFF = 0.75


# --- Columns and their readers ------------------------------------------------------------------------------


class Column(fields.Field):
    """A field as a file writes it: its heading (as exported), the other headings it answers to, whether a file
    must have it, and the reader of its cells."""

    def __init__(
        self,
        attribute: str | None,
        heading: str,
        widget=None,
        *,
        aliases: Sequence[str] = (),
        required=True,
        saves_null_values=True,
    ):
        # saves_null_values=False: an empty cell (None) leaves the stored value as it is.
        super().__init__(attribute=attribute, column_name=heading, widget=widget, saves_null_values=saves_null_values)
        self.aliases = tuple(aliases)
        self.required = required

    @property
    def heading(self) -> str:
        return self.column_name

    @property
    def names(self) -> list[str]:
        return [self.column_name, *self.aliases]


class Reader(widgets.Widget):
    """A cell reader as a widget. `reader` is a function or the name of the resource's method; it gets the cell's
    text and raises `CellError` (a ValueError, so import-export reports it against the column). `render` writes
    a stored value back as the cell an export gives, so an export imports back unchanged."""

    def __init__(self, reader, *, render=None, **options):
        super().__init__()
        self.reader = reader
        self.render_with = render
        self.options = options

    def bind(self, resource) -> None:
        if isinstance(self.reader, str):
            self.reader = getattr(resource, self.reader)

    def clean(self, value, row=None, **kwargs):
        return self.reader("" if value is None else str(value), **self.options)

    def render(self, value, obj=None, **kwargs):
        if self.render_with is not None:
            return self.render_with(value)
        return "" if value is None else value


class Parsed(widgets.Widget):
    """A cell already read (a file whose layout is read before its records are: the action plan): kept as it is."""

    def __init__(self, *, render=None):
        super().__init__()
        self.render_with = render

    def clean(self, value, row=None, **kwargs):
        return value

    def render(self, value, obj=None, **kwargs):
        return self.render_with(value) if self.render_with is not None else value


# --- What an import found -----------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    action: str  # "New", "Changed", "No change"
    key: tuple | None = None  # the row's natural key


@dataclass(kw_only=True)
class ImportResult:
    """What an import found, whatever its kind: every problem by row and column (none: it imported, or would), what
    its preview was compared with, and the columns it read. Each kind's result adds what it tells the person."""

    errors: RowErrors = field(default_factory=RowErrors)
    dry_run: bool = True
    # What the file was compared with (a name per record: a fingerprint of the stored row, None when new). Kept with
    # a preview, so that its confirmation can tell whether anything changed in between.
    preview_state: dict[str, str | None] = field(default_factory=dict)
    # Field name: the file's heading that was read for it (the mapping used, to confirm and to remember).
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def problems_line(self) -> str:
        return f"{len(self.errors)} problem{'s' if len(self.errors) != 1 else ''} found: nothing imported."

    def summary_lines(self) -> list[str]:
        raise NotImplementedError


@dataclass(kw_only=True)
class RowsResult(ImportResult):
    """A kind whose file is one record a row (the service figures): what each row does."""

    kind: str
    headings: list[str]
    preview: list[PreviewRow] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.created} new, {self.updated} changed and {self.unchanged} unchanged rows {verb} imported."
            if self.ok
            else self.problems_line()
        )

    def summary_lines(self) -> list[str]:
        return [self.summary()]


ACTIONS = {RowResult.IMPORT_TYPE_NEW: "New", RowResult.IMPORT_TYPE_UPDATE: "Changed"}


class FileRowResult(RowResult):
    """import-export's row result without the record's text (`str()` a row, for the admin's log entries, which the
    audit log replaces)."""

    def add_instance_info(self, instance):
        if instance is not None:
            self.object_id = instance.pk


# --- Column mapping -----------------------------------------------------------------------------------------


def propose_mapping(
    columns: Sequence[Column],
    headings: Sequence[str],
    remembered: Mapping[str, str] | None = None,
    found: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Field name -> the file's heading (as written) that answers it. A heading the partnership confirmed for the
    field before comes first, then what the kind's own layout rules `found` (the action plan's), then the field's
    own heading and aliases, then the wording closest to them."""
    by_key = {normalise_heading(h): h for h in headings if normalise_heading(h)}
    proposal: dict[str, str] = {}
    taken: set[str] = set()

    def take(name: str, key: str) -> None:
        proposal[name] = by_key[key]
        taken.add(key)

    if remembered and not same_layout(remembered, headings):
        remembered = None
    for given in (remembered, found):
        for column in columns:
            kept = normalise_heading((given or {}).get(column.key, ""))
            if column.key not in proposal and kept in by_key and kept not in taken:
                take(column.key, kept)
    for column in columns:
        if column.key in proposal:
            continue
        exact = next((normalise_heading(n) for n in column.names if normalise_heading(n) in by_key), None)
        if exact is not None and exact not in taken:
            take(column.key, exact)
    for column in columns:
        if column.key in proposal:
            continue
        free = [key for key in by_key if key not in taken]
        best = None
        for name in column.names:
            close = difflib.get_close_matches(normalise_heading(name), free, n=1, cutoff=PROPOSAL_CUTOFF)
            if close:
                best = close[0]
                break
        if best is not None:
            take(column.key, best)
    return proposal


def parse_map_option(values: Iterable[str], columns: Sequence[Column]) -> dict[str, str]:
    """`--map "Count=Number of referrals"`: our heading (or field name) = the file's heading. Raises ValueError."""
    by_name = {}
    for column in columns:
        for name in (column.key, *column.names):
            by_name[normalise_heading(name)] = column.key
    mapping = {}
    for value in values:
        ours, sep, theirs = value.partition("=")
        if not sep:
            raise ValueError(f"--map '{value}' should read 'Our heading=Your heading' ('Our heading=': none).")
        name = by_name.get(normalise_heading(ours))
        if name is None:
            known = ", ".join(c.column_name for c in columns)
            raise ValueError(f"--map '{value}': '{ours.strip()}' is not a column here (columns: {known}).")
        mapping[name] = theirs.strip()
    return mapping


def read_columns(
    columns: Sequence[Column],
    headings: Sequence[str],
    errors: RowErrors,
    mapping: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
    found: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Field name -> the heading (as written) to read it from: the person's mapping (a heading, or '' for none) over
    the proposal (`propose_mapping`). A required column with no heading is reported, and so is a mapping naming a
    heading the file lacks."""
    proposal = propose_mapping(columns, headings, remembered, found)
    present = {normalise_heading(h): h for h in headings}
    names = {c.key: c.column_name for c in columns}
    for name, heading in (mapping or {}).items():
        if normalise_heading(heading) in present:
            proposal[name] = present[normalise_heading(heading)]
        elif heading:
            errors.add(None, names.get(name), f"The file has no column '{heading}' to read it from.")
        else:
            proposal.pop(name, None)  # the person said the file has no such column
    for column in columns:
        if column.required and column.key not in proposal:
            errors.add(None, column.column_name, f"The column '{column.column_name}' is missing.")
    return proposal


def columns_of(specs: Iterable[tuple[str, str, Sequence[str], bool]]) -> list[Column]:
    """Columns for a kind read without a resource (its own layout reader): (key, heading, aliases, required)."""
    found = []
    for key, heading, aliases, required in specs:
        column = Column(None, heading, aliases=aliases, required=required)
        column.key = key
        found.append(column)
    return found


def same_layout(remembered: Mapping[str, str], headings: Iterable[str]) -> bool:
    """Whether a file has every heading a remembered mapping reads: only then is it the layout it was confirmed
    for (a file in another layout, say our own export, is read by its own headings)."""
    present = {normalise_heading(h) for h in headings}
    return all(normalise_heading(h) in present for h in remembered.values() if h)


# --- The resource every kind builds on ----------------------------------------------------------------------


class FileResource(resources.ModelResource):
    """A data kind: its `Column`s (fields, widgets, headings), its natural key (`Meta.import_id_fields`), its rules
    and its export layout. Subclasses give `kind`, `title`, `update_fields`, `existing(keys)` and `describe(key)`;
    they may add `check_row` (rules across a row's cells), `check_file` (rules across rows) and `write`."""

    kind = ""
    title = ""
    update_fields: Sequence[str] = ()  # what an import changes on a stored row (bulk_update, preview state)
    state_fields: Sequence[str] = ()  # what the preview's fingerprint of a stored row reads, when not update_fields
    lock_options: Mapping = {"of": ("self",)}  # how a real import locks the stored rows it compares with
    stale_column: str | None = None  # the column a "changed since the preview" problem is reported against
    records_the_file = True  # False for a part of a larger import, which records the file once itself

    class Meta:
        use_bulk = True
        batch_size = None  # every row is checked before anything is written: one write at the end
        skip_diff = True  # unchanged rows are found by comparing the values an import changes: no deepcopy a row
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False  # the model's own rules run in `validate_instance`, without unique queries

    def __init__(self, partnership: Partnership, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.partnership = partnership
        self.user = user  # who imports (None from a command): recorded where a row keeps who saved it last
        for name, column in self.fields.items():
            column.key = name
            if isinstance(column.widget, Reader):
                column.widget.bind(self)
        self.dry_run = True
        self.filename = ""
        self.previewed: Mapping[str, str | None] | None = None
        self.row_numbers: list[int] | None = None
        self.mapping: dict[str, str] = {}  # the columns a file from `run` was read with, remembered once imported

    # -- the kind's parts ---------------------------------------------------------------------------------

    def existing(self, keys: set[tuple]) -> dict[tuple, object]:
        """The stored rows with these natural keys, by key; read through `locked()`."""
        raise NotImplementedError

    def describe(self, key: tuple) -> str:
        return " / ".join(str(part) for part in key)

    def check_row(self, instance, row: Mapping[str, str]) -> None:
        """Rules across a row's cells, once each cell has been read: raise ValidationError by field name."""

    def check_file(self, problems: RowErrors) -> None:
        """Rules across rows (`self.records`: key -> (row number, instance)); none by default."""

    def prepare(self, instance, new: bool) -> None:
        """Called for a row about to be written (new or changed): version counters, who saved it."""

    def write(self, to_create: list, to_update: list) -> None:
        model = self._meta.model
        # Each row's before and after goes into the audit log (bulk writes skip the model signals).
        audited_bulk_create(model, to_create, partnership_id=self.partnership.pk, batch_size=1000)
        if self.update_fields:  # a kind whose stored records are only ever added to has nothing to update
            audited_bulk_update(
                model, to_update, list(self.update_fields), partnership_id=self.partnership.pk, batch_size=1000
            )

    # -- headings ------------------------------------------------------------------------------------------

    @classmethod
    def columns(cls) -> list[Column]:
        """The kind's columns in file order, each knowing its field name (`key`)."""
        found = []
        for name in cls._meta.import_order or cls.fields:
            column = cls.fields[name]
            column.key = name
            found.append(column)
        return found

    @classmethod
    def headings(cls) -> list[str]:
        return [c.column_name for c in cls.columns()]

    @classmethod
    def known_headings(cls) -> list[str]:
        """Every heading a column answers to: the reader finds the heading row below title rows by them."""
        return [name for column in cls.columns() for name in column.names]

    def heading_for(self, name: str) -> str | None:
        """The heading of the column for a field name or a model attribute (import-export reports by attribute)."""
        column = self.fields.get(name) or next((f for f in self.fields.values() if f.attribute == name), None)
        return column.column_name if column is not None else None

    def locked(self, queryset):
        """The stored rows a real import compares the file with, locked (not their related rows) until it commits."""
        return queryset if self.dry_run else queryset.select_for_update(**self.lock_options)

    def get_queryset(self):
        """Never every row (import-export's default): only the partnership's."""
        raise NotImplementedError

    # -- reading a file ------------------------------------------------------------------------------------

    def mapping_for(self, table: Table, errors: RowErrors, mapping: Mapping[str, str] | None = None) -> dict[str, str]:
        return read_columns(
            self.columns(), table.headings, errors, mapping, column_mapping_for(self.partnership, self.kind)
        )

    def dataset(self, table: Table, mapping: Mapping[str, str]) -> tablib.Dataset:
        """The file's rows in our headings; a column the file lacks reads as empty cells."""
        columns = self.columns()
        keys = [normalise_heading(mapping[c.key]) if c.key in mapping else None for c in columns]
        data = tablib.Dataset(headers=[c.column_name for c in columns])
        for row in table.rows:
            values = row.values
            data.append([values.get(key, "") if key else "" for key in keys])
        self.row_numbers = [row.number for row in table.rows]
        return data

    def run(
        self,
        table: Table,
        *,
        dry_run: bool,
        filename: str = "",
        previewed: Mapping[str, str | None] | None = None,
        mapping: Mapping[str, str] | None = None,
    ) -> RowsResult:
        """Check the file and, unless `dry_run`, import it (all rows or none).

        `previewed` is the `preview_state` of the preview a person is confirming: if a row the file touches has
        changed since, nothing is imported and they are asked to preview the file again.
        """
        result = RowsResult(kind=self.kind, headings=self.headings(), dry_run=dry_run)
        used = self.mapping = result.mapping = self.mapping_for(table, result.errors, mapping)
        if result.errors:
            return result
        data = self.dataset(table, used)
        with transaction.atomic():
            self.import_dataset(data, result, dry_run=dry_run, filename=filename, previewed=previewed)
            if dry_run or result.errors:
                transaction.set_rollback(True)
        return result

    def import_rows(
        self,
        rows: Sequence[Sequence],
        numbers: Sequence[int],
        *,
        dry_run: bool,
        filename: str = "",
        previewed: Mapping[str, str | None] | None = None,
    ) -> RowsResult:
        """Import rows already read from a file (cells in `headings()` order, as read values or text), row `i` being
        the file's row `numbers[i]`: for kinds whose file holds several kinds of record (the action plan). Runs in
        the caller's transaction, which rolls back when the result has errors."""
        result = RowsResult(kind=self.kind, headings=self.headings(), dry_run=dry_run)
        data = tablib.Dataset(*[list(row) for row in rows], headers=self.headings())
        self.row_numbers = list(numbers)
        self.import_dataset(data, result, dry_run=dry_run, filename=filename, previewed=previewed)
        return result

    def import_dataset(self, data, result: RowsResult, *, dry_run: bool, filename: str, previewed) -> None:
        """Run import-export's import in the caller's transaction: this resource writes nothing on a dry run and
        nothing unless every row is clean (`bulk_create`), so import-export's own savepoints (several a kind) are
        not needed, only when it is called directly (the admin)."""
        self.filename, self.previewed, self.dry_run = filename, previewed, dry_run
        outcome = super().import_data(data, dry_run=False, use_transactions=False)
        self._collect(outcome, data, result)
        if result.errors:
            result.created = result.updated = result.unchanged = 0

    def _collect(self, outcome, data: tablib.Dataset, result: RowsResult) -> None:
        for _number, row_errors in outcome.row_errors():
            # Not a problem in the file: a fault here. Raised, so that it is logged and seen, never half-reported.
            raise row_errors[0].error
        errors = result.errors
        for invalid in outcome.invalid_rows:
            number = self.file_row(invalid.number)
            for name, messages in invalid.error_dict.items():
                column = None if name == NON_FIELD_ERRORS else self.heading_for(name)
                for message in messages:
                    errors.add(number, column, message)
        for problem in self.problems:
            errors.add(problem.row, problem.column, problem.message)
        result.preview_state = self.preview_state
        for row_result in outcome.rows:
            if row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
                continue
            action = ACTIONS.get(row_result.import_type, "No change")
            index = row_result.number - 1
            result.preview.append(
                PreviewRow(self.file_row(row_result.number), list(data[index]), action, self.keys[index])
            )
        result.created = self.counts["created"]
        result.updated = self.counts["updated"]
        result.unchanged = self.counts["unchanged"]

    def file_row(self, index: int) -> int:
        """The row as the spreadsheet shows it, for the dataset's `index` (1-based, as import-export counts)."""
        return self.row_numbers[index - 1] if self.row_numbers else index + 1

    # -- import-export's hooks -----------------------------------------------------------------------------

    @classmethod
    def get_row_result_class(cls):
        return FileRowResult

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = dry_run
        self.filename = kwargs.get("file_name") or self.filename  # the admin's import names its file so
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def before_import(self, dataset, **kwargs):
        self.problems = RowErrors()
        self.records: dict[tuple, tuple[int, object]] = {}
        self.preview_state: dict[str, str | None] = {}
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        if self.row_numbers is None:
            try:
                self.adopt(dataset)
            except ValidationError:
                dataset.wipe()  # import-export goes on to the rows after a failed before_import: leave it none
                raise
        # Each row's key columns read once: the key finds the stored row, and the values are not read again.
        self.key_values, self.keys = [], []
        key_columns = [(name, self.fields[name]) for name in self._meta.import_id_fields]
        for row in dataset.dict:
            values = {}
            for name, column in key_columns:
                with suppress(ValueError):  # reported when the row is read
                    values[name] = column.widget.clean(row[column.column_name], row=row)
            self.key_values.append(values)
            self.keys.append(self.key_from(values) if len(values) == len(key_columns) else None)
        wanted = {key for key in self.keys if key is not None}
        self.stored = self.existing(wanted) if wanted else {}

    def adopt(self, dataset: tablib.Dataset) -> None:
        """A dataset that did not come through `run` (the admin's import): its headings read as `run` reads a
        file's (the partnership's remembered mapping, the columns' own headings, close wording), in place."""
        headings = [str(h or "") for h in dataset.headers or []]
        errors = RowErrors()
        table = Table(headings=headings, rows=[])
        mapping = self.mapping = self.mapping_for(table, errors)
        if errors:
            raise ValidationError(errors.messages())
        index = {normalise_heading(h): i for i, h in enumerate(headings)}
        columns = self.columns()
        where = [index.get(normalise_heading(mapping[c.key])) if c.key in mapping else None for c in columns]
        rows = [[cell_text(raw[i]) if i is not None else "" for i in where] for raw in dataset]
        dataset.wipe()
        dataset.headers = [c.column_name for c in columns]
        for row in rows:
            dataset.append(row)

    def state_key(self, key: tuple, number: int) -> str:
        """The name of a row's entry in the preview state (kept with the preview, compared at confirmation)."""
        return str(number)

    def key_from(self, values: Mapping[str, object]) -> tuple:
        """The natural key from the key columns' values (as `existing()` keys the stored rows)."""
        return tuple(values[name] for name in self._meta.import_id_fields)

    def import_row(self, row, instance_loader, **kwargs):
        self.row_index = kwargs["row_number"]
        row_result = super().import_row(row, instance_loader, **kwargs)
        # import-export numbers rows from 1 after the heading; keep its number on the result for the preview.
        row_result.number = self.row_index
        return row_result

    def get_or_init_instance(self, instance_loader, row):
        key = self.keys[self.row_index - 1]
        number = self.file_row(self.row_index)
        if key is None:
            return self.init_instance(row), True
        if key in self.records:
            raise ValidationError(
                f"Duplicate: row {self.records[key][0]} already gives figures for {self.describe(key)}."
            )
        instance = self.stored.get(key)
        self.preview_state[self.state_key(key, number)] = row_state(instance, self.state_fields or self.update_fields)
        if instance is None:
            instance = self.init_instance(row)
            self.records[key] = (number, instance)
            return instance, True
        self.records[key] = (number, instance)
        self.values_before = self.stored_values(instance)
        return instance, False

    def import_instance(self, instance, row, **kwargs):
        """Each column's widget reads its cell onto the instance (import-export's `import_instance`, without
        reading the key columns twice); every unreadable cell is reported against its column."""
        errors = {}
        known = self.key_values[self.row_index - 1]
        for name, column in self.import_columns:
            try:
                value = known[name] if name in known else column.widget.clean(row[column.column_name], row=row)
            except ValueError as error:
                errors[column.attribute] = ValidationError(str(error), code="invalid")
                continue
            if value is not None or column.saves_null_values:
                setattr(instance, column.attribute, value)
        if errors:
            raise ValidationError(errors)
        self.check_row(instance, row)

    @cached_property
    def import_columns(self) -> list[tuple[str, Column]]:
        return [(f.key, f) for f in self.get_import_fields() if isinstance(f, Column) and f.attribute]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        # Compared as values, not as the fingerprint: 4 read from a file is the 4.0 a decimal column stores.
        return self.stored_values(instance) == self.values_before and not self.differs(instance)

    def stored_values(self, instance) -> list:
        """The values an import changes, a foreign key by its id (reading the object would cost a query)."""
        return [getattr(instance, name) for name in self.update_attnames]

    @cached_property
    def update_attnames(self) -> list[str]:
        return [self._meta.model._meta.get_field(name).attname for name in self.update_fields]

    def differs(self, instance) -> bool:
        """Beyond the row's own fields (compared as values): whether importing it changes anything else."""
        return False

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors:
            try:
                self.validate_row(instance)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_row(self, instance) -> None:
        """The model's own rules, as its form runs them."""
        instance.clean()

    def save_instance(self, instance, is_create, row, **kwargs):
        self.prepare(instance, is_create)
        self.counts["created" if is_create else "updated"] += 1
        super().save_instance(instance, is_create, row, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        if row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            self.counts["unchanged"] += 1

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """The one write of the file, when every row is clean: rows created and changed, then the file's event."""
        self.check_file(self.problems)
        if self.previewed is not None:
            where = {self.state_key(key, number): (number, key) for key, (number, _) in self.records.items()}
            for state in changed_since(self.previewed, self.preview_state):
                number, key = where[state]
                self.problems.add(
                    number,
                    self.stale_column,
                    f"{self.describe(key)} has changed since this file was previewed (someone saved it, or "
                    "another import did). Nothing was imported: upload the file again to see a new preview.",
                )
        clean = not self.problems and not (result is not None and result.has_validation_errors())
        if clean and not self.dry_run:
            try:
                with transaction.atomic():
                    self.write(list(self.create_instances), list(self.update_instances))
                    if self.records_the_file:
                        record_import(
                            partnership=self.partnership,
                            what=self.title,
                            filename=self.filename or "an uploaded file",
                            counts=dict(self.counts),
                        )
                    if self.mapping:
                        # The columns this file was read with: proposed first for the partnership's next one.
                        column_mapping_remember(
                            partnership=self.partnership, kind=self.kind, mapping=self.mapping, user=self.user
                        )
            except IntegrityError:
                # The locked rows were checked, so a clash is with a row someone created meanwhile (rows not yet
                # stored cannot be locked). Logged in case it is anything else.
                logger.warning("%s import refused: a row was created while importing", self.kind, exc_info=True)
                self.problems.add(None, None, CREATED_WHILE_IMPORTING)
        self.create_instances.clear()
        self.update_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Written with the created rows, by `bulk_create`."""

    def after_import(self, dataset, result, **kwargs):
        if self.problems:
            # Seen by import-export's own pages (the admin), and rolls the import back there too.
            raise ValidationError(self.problems.messages())

    # -- exporting -----------------------------------------------------------------------------------------

    def export_rows(self, queryset: Iterable) -> Iterable[list]:
        """The rows of an export, in the layout the import reads (`vawg.tabular` writes them formula-safe)."""
        columns = self.get_export_fields()
        for instance in queryset:
            yield [self.export_field(column, instance) for column in columns]
