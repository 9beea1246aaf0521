from django.contrib import admin

from partnership.models import (
    Borough,
    BoroughPopulation,
    Membership,
    OperationalGroup,
    Partnership,
)


class BoroughInline(admin.TabularInline):
    model = Borough
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}
    search_fields = ["name", "short_name"]
    inlines = [BoroughInline]


class BoroughPopulationInline(admin.TabularInline):
    model = BoroughPopulation
    extra = 0


@admin.register(Borough)
class BoroughAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "partnership", "ons_code"]
    list_filter = ["partnership"]
    list_select_related = ["partnership"]
    inlines = [BoroughPopulationInline]


@admin.register(OperationalGroup)
class OperationalGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "kind", "parent", "partnership"]
    list_filter = ["partnership", "kind"]
    list_select_related = ["partnership", "parent"]
    search_fields = ["name", "abbreviation"]
    autocomplete_fields = ["chair", "coordinator"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = OperationalGroup.objects.select_related("partnership")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role"]
    list_filter = ["partnership", "role"]
    list_select_related = ["user", "partnership"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["groups"]
