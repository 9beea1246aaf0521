# READ CONTRIBUTING.md at the repository root before editing: rules for the shared working tree (own paths only,
# commit with `git add <your paths>`, shared helpers, permission-rule format, demo loader, browser fixtures).
"""Permission rules for the actions URLs, merged into tests/test_permissions.py (see its RULES for the format)."""

RULES: dict = {}
