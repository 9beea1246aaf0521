from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def for_partnership(self, partnership) -> AuditEventQuerySet:
        return self.filter(partnership=partnership).select_related("actor")


class AuditEvent(models.Model):
    """One change or security event. Written once, never changed or deleted through the application."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        IMPORT = "import", "Imported"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        ACCESS_REFUSED = "access_refused", "Access refused"
        API_READ = "api_read", "Read through the API"

    class Source(models.TextChoices):
        WEB = "web", "Browser"
        COMMAND = "command", "Command line"
        SYSTEM = "system", "System"
        API = "api", "API token"

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who, kept even if the account is deleted")
    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="field: [before, after]")
    detail = models.CharField(max_length=500, blank=True)
    request_path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The partnership's log page: newest first, filtered by partnership.
            models.Index(fields=["partnership", "-occurred_at"], name="audit_partnership_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")
