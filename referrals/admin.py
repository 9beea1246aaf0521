"""Administrators set up what partners report against: services, extra abuse types and justice measures,
dataset owners. The figures themselves come in through the pages and imports (validated, audited)."""

from django.contrib import admin

from referrals.models import AbuseType, DatasetOwner, JusticeMeasure, OutcomeIndicator, Service, ServiceFigure


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "partnership"]
    list_filter = ["partnership"]
    search_fields = ["name", "provider"]


@admin.register(AbuseType)
class AbuseTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "display_order"]
    list_filter = ["partnership"]


@admin.register(JusticeMeasure)
class JusticeMeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "section", "partnership", "display_order", "rate_label"]
    list_filter = ["partnership", "section"]


@admin.register(DatasetOwner)
class DatasetOwnerAdmin(admin.ModelAdmin):
    list_display = ["partnership", "dataset", "group"]
    list_filter = ["partnership"]


@admin.register(OutcomeIndicator)
class OutcomeIndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "unit", "polarity", "tolerance", "display_order"]
    list_filter = ["partnership", "unit", "polarity"]
    search_fields = ["name"]


@admin.register(ServiceFigure)
class ServiceFigureAdmin(admin.ModelAdmin):
    list_display = ["measure", "service", "borough", "year", "value"]
    list_filter = ["service__partnership", "year"]
    list_select_related = ["service", "borough"]
