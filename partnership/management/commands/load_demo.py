from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from partnership import demo

# Each app that has demo data offers `<app>.demo.STEPS`: partnership slug -> `step(partnership) -> summary`.
# For each demo partnership (demo.PARTNERSHIPS, in order) the apps' steps for it run in this order; an app with
# nothing for a partnership has no entry for its slug, so each partnership gets only its own seeds' records.
DEMO_LOADERS = ["actions.demo", "referrals.demo", "consultations.demo", "activity.demo", "reports.demo"]


def demo_steps(slug: str) -> list[tuple[str, object]]:
    """The (app, step) pairs that load a demo partnership's records."""
    steps = []
    for name in DEMO_LOADERS:
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        step = module.STEPS.get(slug)
        if step is not None:
            steps.append((name.split(".")[0], step))
    return steps


class Command(BaseCommand):
    help = "Load (or refresh) the demo partnerships from the seed documents. Safe to run repeatedly."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        for slug in demo.PARTNERSHIPS:
            partnership = demo.load(slug, with_passwords=settings.DEBUG)
            self.stdout.write(self.style.SUCCESS(f"Demo partnership loaded: {partnership.name} (/{partnership.slug}/)"))
            for app, step in demo_steps(slug):
                summary = step(partnership)
                if summary:
                    self.stdout.write(f"  {app}: {summary}")
            if settings.DEBUG:
                self.stdout.write(f"  Sign-ins for {partnership.short_name}:")
                for account in demo.demo_accounts(slug):
                    role = account["role"] or "administrator"
                    self.stdout.write(f"    {account['username']:<18} {role.replace('_', ' ')}")
        if settings.DEBUG:
            self.stdout.write(f"Password for every demo sign-in: {demo.DEMO_PASSWORD}")
            self.stdout.write("east.partner belongs to two partnerships: the start page offers both.")
        else:
            self.stdout.write("DEBUG is off: demo accounts have no usable password.")
