"""Administrators' view of the action plan. Day-to-day editing happens in the service's own pages."""

from django.contrib import admin

from actions.models import (
    Action,
    ActionGroup,
    CaseReview,
    CaseReviewTheme,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    Recommendation,
    Strategy,
    UpdateRound,
)


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "first_year", "last_year"]
    list_filter = ["partnership"]
    inlines = [PriorityInline]


class ActionGroupInline(admin.TabularInline):
    model = ActionGroup
    extra = 0
    raw_id_fields = ["group"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["ref", "strategy", "priority"]
    list_filter = ["strategy__partnership", "strategy"]
    list_select_related = ["strategy", "priority"]
    search_fields = ["ref", "text"]
    inlines = [ActionGroupInline]


@admin.register(UpdateRound)
class UpdateRoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "strategy", "deadline", "closed_at"]
    list_select_related = ["strategy"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "group", "year", "quarter", "status", "updated_at"]
    list_filter = ["status", "year", "quarter"]
    list_select_related = ["action", "group"]
    raw_id_fields = ["action", "group", "created_by", "updated_by", "reviewed_by"]


@admin.register(RagRating)
class RagRatingAdmin(admin.ModelAdmin):
    list_display = ["action", "year", "quarter", "rating", "set_by", "set_at"]
    list_filter = ["rating", "year", "quarter"]
    list_select_related = ["action", "set_by"]
    raw_id_fields = ["action", "set_by"]


@admin.register(RagRatingChange)
class RagRatingChangeAdmin(admin.ModelAdmin):
    """The history is append-only: administrators can read it, nobody edits it."""

    list_display = ["action", "year", "quarter", "previous", "new", "changed_by", "changed_at"]
    list_select_related = ["action", "changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["ref", "source", "partnership", "status"]
    list_filter = ["partnership", "source_type", "status"]
    filter_horizontal = ["actions"]


@admin.register(CaseReview)
class CaseReviewAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "status", "partnership"]
    list_filter = ["partnership", "kind", "status"]
    list_select_related = ["partnership"]
    filter_horizontal = ["themes"]
    readonly_fields = ["version", "updated_by", "updated_at"]


@admin.register(CaseReviewTheme)
class CaseReviewThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "illustrative"]
    list_filter = ["partnership"]
