"""Read-only in the admin: narratives change through the report pages (with their version check), editions
through builds, and a published edition never changes, so nothing here can add, change or delete them."""

from django.contrib import admin

from reports.models import AnnualReport, ReportEdition, SubgroupUpdate, SubgroupUpdateEdition


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ["partnership", "year", "version", "updated_at"]
    list_filter = ["partnership"]


@admin.register(ReportEdition)
class ReportEditionAdmin(ReadOnlyAdmin):
    list_display = ["report", "purpose", "state", "number", "published_at", "pdf_sha256"]
    list_filter = ["purpose", "state", "report__partnership"]
    # The stored files are reached only through the report pages' permission-checked downloads: the admin would
    # link them at the storage's own address (a bare /media/ path, or a signed bucket URL).
    exclude = ["pdf", "html"]


@admin.register(SubgroupUpdate)
class SubgroupUpdateAdmin(ReadOnlyAdmin):
    list_display = ["group", "year", "quarter", "partnership", "version", "updated_at"]
    list_filter = ["partnership"]
    list_select_related = ["group", "partnership"]


@admin.register(SubgroupUpdateEdition)
class SubgroupUpdateEditionAdmin(ReadOnlyAdmin):
    list_display = ["update", "state", "requested_at", "pdf_sha256"]
    list_filter = ["state", "update__partnership"]
    exclude = ["pdf", "html"]
