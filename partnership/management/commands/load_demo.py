from django.conf import settings
from django.core.management.base import BaseCommand

from partnership import demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo partnership from seed 003. Safe to run repeatedly."

    def handle(self, *args, **options) -> None:
        partnership = demo.load(with_passwords=settings.DEBUG)
        self.stdout.write(self.style.SUCCESS(f"Demo partnership loaded: {partnership.name} (/{partnership.slug}/)"))
        if settings.DEBUG:
            self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
            for account in demo.demo_accounts():
                role = account["role"] or "administrator"
                self.stdout.write(f"  {account['username']:<18} {role.replace('_', ' ')}")
        else:
            self.stdout.write("DEBUG is off: demo accounts have no usable password.")
