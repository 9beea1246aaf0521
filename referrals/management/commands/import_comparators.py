from referrals.management.commands._base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import indicator comparator figures (East London average, London, England, a statistical neighbour) from a "
        "CSV or XLSX file (all rows or none). See the import page for the columns."
    )
    kind = "comparators"
