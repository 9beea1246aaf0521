"""Administrators can see the activity records, and import and export them a partnership at a time
(`partnership.admin_io`, through the same resources as the pages). Records are added and changed on the
partnership's own pages and imports (the services' checks, versions and audit); here they can be deleted."""

from django.contrib import admin

from activity.models import Agency, Attendance, Contract, Event, Meeting, TrainingSession
from activity.resources import IMPORTERS
from partnership.admin_io import PartnershipResourceAdmin


class ActivityAdmin(PartnershipResourceAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(ActivityAdmin):
    resource_classes = [IMPORTERS["agencies"]]
    list_display = ["name", "partnership"]
    list_filter = ["partnership"]
    search_fields = ["name"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ActivityAdmin):
    resource_classes = [IMPORTERS["training"]]
    list_display = ["topic", "year", "date", "strand", "agency", "number_trained", "sessions", "partnership"]
    list_filter = ["partnership", "strand", "year"]
    list_select_related = ["agency", "partnership"]
    search_fields = ["topic", "provider"]


@admin.register(Event)
class EventAdmin(ActivityAdmin):
    resource_classes = [IMPORTERS["events"]]
    list_display = ["title", "date", "kind", "reach", "partnership"]
    list_filter = ["partnership", "kind"]
    search_fields = ["title"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ActivityAdmin):
    resource_classes = [IMPORTERS["meetings"]]
    list_display = ["group", "date", "partnership"]
    list_filter = ["partnership"]
    list_select_related = ["group", "partnership"]
    inlines = [AttendanceInline]


@admin.register(Contract)
class ContractAdmin(ActivityAdmin):
    resource_classes = [IMPORTERS["contracts"]]
    list_display = ["service", "provider", "funder", "amount", "start_date", "end_date", "partnership"]
    list_filter = ["partnership"]
    search_fields = ["service", "provider", "funder"]
