from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody can add, change or delete audit events through the application."""

    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_repr", "partnership", "source"]
    list_filter = ["action", "source", "partnership"]
    list_select_related = ["partnership"]
    search_fields = ["actor_label", "object_repr", "detail"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
