from referrals.management.commands._base import ImportCommand


class Command(ImportCommand):
    help = "Import referrals figures from a CSV or XLSX file (all rows or none). See the import page for the columns."
    kind = "referrals"
