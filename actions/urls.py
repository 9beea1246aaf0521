# READ CONTRIBUTING.md at the repository root before editing: rules for the shared working tree (own paths only,
# commit with `git add <your paths>`, shared helpers, permission-rule format, demo loader, browser fixtures).
from django.urls import path  # noqa: F401

app_name = "actions"

urlpatterns: list = []
