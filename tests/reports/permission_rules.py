"""Permission rules for the reports URLs, merged into tests/test_permissions.py (see its RULES for the format)."""

RULES: dict = {}
