import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from partnership import scale_data


class Command(BaseCommand):
    help = (
        "Create synthetic partnerships (scale-001, scale-002, ...) at realistic volumes, for measuring the "
        "service at scale. Deterministic for a seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnerships", type=int, default=50)
        parser.add_argument("--years", type=int, default=10, help="Financial years of data, ending 2025-26.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--replace", action="store_true", help="Delete earlier generated partnerships first.")

    def handle(self, *args, partnerships: int, years: int, seed: int, replace: bool, **options) -> None:
        existing = scale_data.existing_slugs()
        if existing and not replace:
            raise CommandError(
                f"{len(existing)} generated partnerships exist already ({existing[0]}...): "
                "add --replace to delete them and generate again."
            )
        start = time.perf_counter()
        if existing:
            removed = scale_data.delete_scale_data()
            self.stdout.write(f"Deleted {removed} generated partnerships in {time.perf_counter() - start:.1f} s")

        def progress(number: int) -> None:
            if number % 10 == 0 or number == partnerships:
                self.stdout.write(f"  {number}/{partnerships} partnerships, {time.perf_counter() - start:.1f} s")

        counts = scale_data.generate(partnerships=partnerships, years=years, seed=seed, progress=progress)
        if connection.vendor == "postgresql":
            # As autovacuum would soon after a bulk load: planner statistics for the new rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<32}{count:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {partnerships} partnerships x {years} years (seed {seed}): "
                f"{sum(counts.values()):,} rows in {time.perf_counter() - start:.1f} s"
            )
        )
