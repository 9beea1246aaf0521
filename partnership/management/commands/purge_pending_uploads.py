from django.conf import settings
from django.core.management.base import BaseCommand

from partnership.services import pending_uploads_purge


class Command(BaseCommand):
    help = (
        "Delete imports previewed but never confirmed, older than PENDING_UPLOAD_HOURS: they may hold survivors' "
        "data. Each new preview purges them too; run this daily (e.g. from cron) so none outlives the limit."
    )

    def handle(self, *args, **options):
        deleted = pending_uploads_purge()
        self.stdout.write(f"Deleted {deleted} import preview(s) older than {settings.PENDING_UPLOAD_HOURS} hours.")
