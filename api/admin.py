from django.contrib import admin

from api import services
from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see and revoke tokens; nobody makes one here (its secret must reach its owner alone)."""

    list_display = ["name", "prefix", "user", "partnership", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["partnership"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["name", "prefix", "user", "partnership", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            services.token_revoke(token=token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.")
