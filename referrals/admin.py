"""Administrators set up what partners report against: services, extra abuse types and justice measures,
dataset owners. The figures themselves come in through the pages and imports (validated, audited); here
administrators can see them, and import and export them a partnership at a time (`partnership.admin_io`)."""

from django.contrib import admin

from partnership.admin_io import PartnershipResourceAdmin
from partnership.models import BoroughPopulation
from referrals.models import (
    AbuseType,
    ComparatorFigure,
    DatasetOwner,
    IndicatorFigure,
    JusticeFigure,
    JusticeMeasure,
    MaracReturn,
    OutcomeIndicator,
    ReferralCount,
    Service,
    ServiceFigure,
)
from referrals.resources import IMPORTERS
from vawg.periods import FinancialYear


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
    list_display = ["name", "partnership", "unit", "rate_per", "polarity", "tolerance", "display_order"]
    list_filter = ["partnership", "unit", "polarity"]
    search_fields = ["name"]


@admin.register(ServiceFigure)
class ServiceFigureAdmin(admin.ModelAdmin):
    list_display = ["measure", "service", "borough", "year", "value"]
    list_filter = ["service__partnership", "year"]
    list_select_related = ["service", "borough"]


# --- Figures: seen here, changed only through an import (the resource's checks and audited writes) ------------


@admin.display(description="Year", ordering="year")
def financial_year(obj) -> str:
    return str(FinancialYear(obj.year))


class FiguresAdmin(PartnershipResourceAdmin):
    """No add or change form: a form would save a row without its kind's rules (the import's checks, a MARAC
    return's version counter). Deleting stays possible, and is audited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MaracReturn)
class MaracReturnAdmin(FiguresAdmin):
    resource_classes = [IMPORTERS["marac"]]
    list_display = ["borough", financial_year, "quarter", "submitted", "cases_discussed", "borough__partnership"]
    list_filter = ["borough__partnership", "year", "quarter", "submitted"]
    list_select_related = ["borough__partnership"]


@admin.register(ReferralCount)
class ReferralCountAdmin(FiguresAdmin):
    resource_classes = [IMPORTERS["referrals"]]
    list_display = [
        "service",
        "borough",
        financial_year,
        "quarter",
        "abuse_type",
        "kind",
        "count",
        "service__partnership",
    ]
    list_filter = ["service__partnership", "year", "quarter", "kind"]
    list_select_related = ["service__partnership", "borough", "abuse_type"]


@admin.register(BoroughPopulation)
class BoroughPopulationAdmin(FiguresAdmin):
    resource_classes = [IMPORTERS["population"]]
    list_display = ["borough", financial_year, "population", "females_16_plus", "borough__partnership"]
    list_filter = ["borough__partnership", "year"]
    list_select_related = ["borough__partnership"]


@admin.register(JusticeFigure)
class JusticeFigureAdmin(FiguresAdmin):
    resource_classes = [IMPORTERS["justice"]]
    list_display = ["measure", "borough", financial_year, "value", "borough__partnership"]
    list_filter = ["borough__partnership", "year", "measure__section"]
    list_select_related = ["measure", "borough__partnership"]


@admin.register(IndicatorFigure)
class IndicatorFigureAdmin(FiguresAdmin):
    resource_classes = [IMPORTERS["indicators"]]
    list_display = ["indicator", "borough", financial_year, "baseline", "target", "achieved", "indicator__partnership"]
    list_filter = ["indicator__partnership", "year"]
    list_select_related = ["indicator__partnership", "borough"]


@admin.register(ComparatorFigure)
class ComparatorFigureAdmin(FiguresAdmin):
    resource_classes = [IMPORTERS["comparators"]]
    list_display = ["series", "indicator", financial_year, "value", "illustrative", "indicator__partnership"]
    list_filter = ["indicator__partnership", "kind", "year", "illustrative"]
    list_select_related = ["indicator__partnership"]
