"""The standard abuse types and justice measures every partnership starts with (seed 003's wording).

Used by the data migration and by tests; a partnership adds its own in the admin.
"""

ABUSE_TYPES = [
    "Domestic abuse",
    "Sexual violence",
    "Harmful practices",
    "Stalking and harassment",
    "Trafficking and prostitution",
    "Sexual exploitation",
    "Child sexual exploitation",
    "Other",
]

# (name as written in import files, section, rate label or "")
JUSTICE_MEASURES = [
    (
        "Number of reported incidents of DA",
        "Domestic abuse",
        "Recorded domestic abuse incident rate per 1k population",
    ),
    ("Number of offences", "Domestic abuse", ""),
    ("Number proceeded against", "Domestic abuse", ""),
    ("Charges", "Domestic abuse", ""),
    ("Cautions", "Domestic abuse", ""),
    ("Convictions", "Domestic abuse", ""),
    ("Number of reported sexual offences", "Sexual offences", ""),
    ("Sexual offences proceeded against", "Sexual offences", ""),
    ("Sexual offences charged", "Sexual offences", ""),
]


def ensure(abuse_type_model, justice_measure_model) -> None:
    """Create or refresh the standard rows; the migration passes its historical models."""
    for order, name in enumerate(ABUSE_TYPES, start=1):
        abuse_type_model.objects.update_or_create(partnership=None, name=name, defaults={"display_order": order})
    for order, (name, section, rate_label) in enumerate(JUSTICE_MEASURES, start=1):
        justice_measure_model.objects.update_or_create(
            partnership=None,
            name=name,
            defaults={"section": section, "display_order": order, "rate_label": rate_label},
        )
