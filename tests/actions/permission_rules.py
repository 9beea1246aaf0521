"""Permission rules for the actions URLs, merged into tests/test_permissions.py (see its RULES for the format)."""

RULES: dict = {}
