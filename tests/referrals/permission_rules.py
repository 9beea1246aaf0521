"""Permission rules for the referrals URLs, merged into tests/test_permissions.py (see its RULES for the format)."""

RULES: dict = {}
