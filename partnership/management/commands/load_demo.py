from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from partnership import demo

# Each app that has demo data offers `<app>.demo.load(partnership)`; they run in this order.
DEMO_LOADERS = ["actions.demo", "referrals.demo", "consultations.demo", "reports.demo"]


class Command(BaseCommand):
    help = "Load (or refresh) the demo partnership from the seed documents. Safe to run repeatedly."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        partnership = demo.load(with_passwords=settings.DEBUG)
        for name in DEMO_LOADERS:
            try:
                module = import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
                continue
            summary = module.load(partnership)
            if summary:
                self.stdout.write(f"  {name.split('.')[0]}: {summary}")
        self.stdout.write(self.style.SUCCESS(f"Demo partnership loaded: {partnership.name} (/{partnership.slug}/)"))
        if settings.DEBUG:
            self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
            for account in demo.demo_accounts():
                role = account["role"] or "administrator"
                self.stdout.write(f"  {account['username']:<18} {role.replace('_', ' ')}")
        else:
            self.stdout.write("DEBUG is off: demo accounts have no usable password.")
