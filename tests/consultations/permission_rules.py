"""Permission rules for the consultations URLs, merged into tests/test_permissions.py (see its RULES for the format)."""

RULES: dict = {}
