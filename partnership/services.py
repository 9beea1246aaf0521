from __future__ import annotations

from django.db import transaction

from partnership.models import Partnership
from vawg.concurrency import save_if_current

SETTINGS_FIELDS = [
    "short_name",
    "suppression_threshold",
    "marac_benchmark_per_10k",
    "marac_band_lower_percent",
    "marac_band_upper_percent",
    "rag_wording_red",
    "rag_wording_amber",
    "rag_wording_green",
    "rag_wording_complete",
    "rag_wording_not_rated",
]


@transaction.atomic
def partnership_settings_update(*, partnership: Partnership, data: dict, expected_version: int) -> Partnership:
    """Change the partnership's own settings; refused (StaleEdit) if someone saved them meanwhile."""
    for name in SETTINGS_FIELDS:
        setattr(partnership, name, data[name])
    partnership.full_clean()
    save_if_current(partnership, expected_version=expected_version, fields=SETTINGS_FIELDS)
    return partnership
