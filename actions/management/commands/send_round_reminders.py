from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.services import update_reminders_send
from partnership.models import Partnership


class Command(BaseCommand):
    help = (
        "Remind coordinators whose groups still owe progress updates for an open quarter (a notification, e-mailed "
        "unless they turned that off): once when the deadline is --days-before days away or less, and once when it "
        "has passed. Run it daily (e.g. from cron); each person gets each reminder once per round."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True)
        parser.add_argument("--days-before", type=int, default=7)
        parser.add_argument("--dry-run", action="store_true", help="List the reminders without sending them")

    def handle(self, *args, **options):
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership with the slug {options['partnership']!r}.")
        reminders = update_reminders_send(
            partnership=partnership,
            today=timezone.localdate(),
            days_before=options["days_before"],
            dry_run=options["dry_run"],
        )
        verb = "Would send" if options["dry_run"] else "Sent"
        for reminder in reminders:
            self.stdout.write(f"{verb} to {reminder.email}: {reminder.subject}")
        self.stdout.write(f"{verb} {len(reminders)} reminder(s).")
