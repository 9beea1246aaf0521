from django.contrib import admin

from activity.models import Agency, Attendance, Contract, Event, Meeting, TrainingSession


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership"]
    list_filter = ["partnership"]
    search_fields = ["name"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["topic", "year", "date", "strand", "agency", "number_trained", "sessions", "partnership"]
    list_filter = ["partnership", "strand", "year"]
    list_select_related = ["agency", "partnership"]
    search_fields = ["topic", "provider"]
    raw_id_fields = ["agency", "group"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "kind", "reach", "partnership"]
    list_filter = ["partnership", "kind"]
    search_fields = ["title"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    raw_id_fields = ["agency"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["group", "date", "partnership"]
    list_filter = ["partnership"]
    list_select_related = ["group", "partnership"]
    raw_id_fields = ["group"]
    inlines = [AttendanceInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["service", "provider", "funder", "amount", "start_date", "end_date", "partnership"]
    list_filter = ["partnership"]
    search_fields = ["service", "provider", "funder"]
