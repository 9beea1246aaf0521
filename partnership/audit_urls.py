"""The audit log's page: the events are the audit app's, the page a partnership's (its access rules live here)."""

from django.urls import path

from partnership import views

app_name = "audit"

urlpatterns = [path("", views.audit_log, name="log")]
