"""Import and export in the Django admin, on django-import-export's admin pages, for administrators only.

The admin reuses the data kinds' resources (`partnership.resources.FileResource`): the same column mapping,
checks, bulk audited writes and export layout as the pages, commands and task runner. What this module adds is
what import-export's admin lacks for this project:

- files are read by `vawg.tabular.read_table` (size and zip limits, encodings, the heading row below title rows),
  not by tablib's readers;
- exports are written formula-safe (`vawg.tabular.safe_export_value`): import-export's own escaping only strips
  one leading "=" (STACK-NOTES);
- every import and export is for one partnership, chosen on the form: a resource is built for it, so rows are read
  and matched within it only, and an export holds only its rows;
- only superusers may import or export (import-export lets everyone by default).
"""

from __future__ import annotations

import io
from functools import cached_property

import tablib
from django import forms
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from partnership.models import Partnership
from vawg.tabular import (
    INLINE_LIMITS,
    MAX_UPLOAD_BYTES,
    TabularError,
    normalise_heading,
    read_table,
    write_csv,
    xlsx_bytes,
)


class UnreadableFile(ValueError):
    """The reader's refusal of a file, with its message for the person who uploaded it."""


# --- Formats ------------------------------------------------------------------------------------------------


class TabularFormat:
    """A file format read by `vawg.tabular` and written formula-safe. Always binary: the reader decodes the bytes
    itself (UTF-8 with or without BOM, else Windows-1252), so import-export must not decode them first."""

    #: Tells `read_table` which reader to use (it goes by the file name's ending).
    filename = ""
    #: The headings the importer knows: the heading row is then found below any title rows (see `knowing`).
    headings: tuple[str, ...] = ()

    @classmethod
    def knowing(cls, headings) -> type[TabularFormat]:
        """This format, finding the heading row by these headings (import-export instantiates formats itself)."""
        return type(cls.__name__, (cls,), {"headings": tuple(headings)})

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        """The file's headings as written and its cells as text. Whatever the reader refuses (too large, not
        really a CSV or XLSX, an encoding it cannot read) is an `UnreadableFile` carrying the reader's message."""
        try:
            table = read_table(bytes(in_stream), filename=self.filename, limits=INLINE_LIMITS, headings=self.headings)
        except TabularError as error:
            raise UnreadableFile(str(error)) from error
        keys = [normalise_heading(heading) for heading in table.headings]
        data = tablib.Dataset(headers=list(table.headings))
        for row in table.rows:
            data.append([row.values.get(key, "") for key in keys])
        return data


class TabularCSV(TabularFormat, base_formats.CSV):
    filename = "upload.csv"

    def export_data(self, dataset, **kwargs) -> bytes:
        """As the pages' CSV downloads are written (`vawg.tabular.write_csv`): formula-safe, UTF-8 with a BOM."""
        buffer = io.StringIO()
        write_csv(buffer, list(dataset.headers or []), dataset)
        return buffer.getvalue().encode("utf-8")


class TabularXLSX(TabularFormat, base_formats.XLSX):
    filename = "upload.xlsx"

    def export_data(self, dataset, **kwargs) -> bytes:
        """`vawg.tabular.xlsx_bytes`: every text cell is stored as text, never as a formula, and without the control
        characters an XLSX cannot hold."""
        return xlsx_bytes(list(dataset.headers or []), dataset, title=dataset.title or "Export")


FORMATS = [TabularCSV, TabularXLSX]


# --- Forms: the partnership travels from the upload to its confirmation ---------------------------------------


def partnership_field(widget=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Partnership.objects.order_by("name"),
        label="Partnership",
        help_text="Rows are read, matched and written for this partnership only.",
        widget=widget,
    )


class PartnershipImportForm(ImportForm):
    partnership = partnership_field()
    field_order = ["partnership", "resource", "import_file", "format"]

    def clean_import_file(self):
        """Refused before import-export reads the whole upload into memory and a temporary file."""
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB, over the limit of "
                f"{MAX_UPLOAD_BYTES / 1_048_576:.0f} MB."
            )
        return upload


class PartnershipConfirmImportForm(ConfirmImportForm):
    """The confirmation re-creates the resource: it must be for the partnership the preview was for."""

    partnership = partnership_field(widget=forms.HiddenInput())


class PartnershipExportForm(ExportForm):
    """Not import-export's `SelectableFieldsExportForm`: an export is the import's whole layout, so that it imports
    back (and that form builds resources without a partnership)."""

    partnership = partnership_field()
    field_order = ["partnership", "resource", "format"]


def chosen_partnership(form) -> Partnership | None:
    """The form's partnership once it is valid; None while a form is being shown (its fields are only listed)."""
    return getattr(form, "cleaned_data", {}).get("partnership") if form is not None else None


# --- The admin ----------------------------------------------------------------------------------------------


class PartnershipResourceAdmin(ImportExportModelAdmin):
    """Import and export of a data kind's `FileResource` (`resource_classes = [IMPORTERS[kind]]`) for one
    partnership, by superusers only.

    An import is previewed (a dry run: nothing written) and then confirmed; both build the resource for the chosen
    partnership and the signed-in person. An export holds the chosen partnership's rows only, in the import's
    headings, formula-safe.
    """

    import_form_class = PartnershipImportForm
    confirm_form_class = PartnershipConfirmImportForm
    export_form_class = PartnershipExportForm
    # The audit log records every row written and the file (`FileResource.write`, `record_import`): a second,
    # per-row record in the admin's LogEntry table would only duplicate it.
    skip_admin_log = True

    # -- who may ------------------------------------------------------------------------------------------

    def has_import_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_export_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    # -- formats ------------------------------------------------------------------------------------------

    @cached_property
    def _import_formats(self) -> list[type]:
        known = [heading for resource in self.resource_classes for heading in resource.known_headings()]
        return [fmt.knowing(known) for fmt in FORMATS]

    def get_import_formats(self):
        return self._import_formats

    def get_export_formats(self):
        return list(FORMATS)

    def add_data_read_fail_error_to_form(self, form, e):
        """The reader's own message ("The file is called .xlsx but is not an XLSX spreadsheet."), where import-export
        would name only the exception's class."""
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    # -- the partnership, from the forms to the resource -------------------------------------------------------

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"partnership": chosen_partnership(kwargs.get("form")), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["partnership"] = import_form.cleaned_data["partnership"].pk
        return initial

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"partnership": chosen_partnership(kwargs.get("export_form")), "user": request.user}

    def get_data_for_export(self, request, queryset, **kwargs):
        """The rows of the change list (its filters and search apply) that belong to the chosen partnership, read
        through the resource's own scoped queryset (which also loads what the export's cells name)."""
        form = kwargs.get("export_form")
        resource = self.choose_export_resource_class(form, request)(
            **self.get_export_resource_kwargs(request, **kwargs)
        )
        scoped = resource.get_queryset().filter(pk__in=queryset.values("pk"))
        return resource.export(queryset=scoped, **kwargs)
