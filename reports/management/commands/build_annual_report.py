"""Build a partnership's annual report in the foreground and write it to a file.

    manage.py build_annual_report --partnership tri-borough --year 2015-16 --output report.pdf
    manage.py build_annual_report --partnership tri-borough --year 2015-16 --output report.html --format html
    manage.py build_annual_report --partnership tri-borough --year 2015-16 --output report.pdf --publish

Without --publish it builds a draft (watermarked) and stores nothing. With --publish it stores a new published
edition, exactly as publishing in the browser does, and writes that edition's PDF (or HTML). Exits non-zero on
any failure.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partnership.models import Partnership
from reports import builder, services
from reports.models import AnnualReport, ReportEdition
from vawg.db_router import use_replica
from vawg.periods import FinancialYear, PeriodError


class Command(BaseCommand):
    help = "Build the annual report of a partnership for a financial year and write it to a file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partnership", required=True, help="The partnership's slug, e.g. tri-borough.")
        parser.add_argument("--year", required=True, help="The financial year, e.g. 2015-16.")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--format", choices=["pdf", "html"], default="pdf")
        parser.add_argument(
            "--publish", action="store_true", help="Store a new published edition (never changed afterwards)."
        )
        parser.add_argument("--user", help="Username to record as the publisher (a strategic lead of the partnership).")

    def handle(self, *args, **options) -> None:
        try:
            year = FinancialYear.parse(options["year"])
        except PeriodError as error:
            raise CommandError(str(error)) from error
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership with the slug {options['partnership']!r}.")
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(f"The folder {output.parent} does not exist.")
        user = self._publisher(partnership, options.get("user")) if options["user"] else None

        if options["publish"]:
            content = self._publish(partnership, year, user, options["format"])
        else:
            report = AnnualReport.objects.filter(partnership=partnership, year=year.start).first()
            if report is None:
                # A draft of a year nobody has started: built from the figures, with no narrative, stored nowhere.
                report = AnnualReport(partnership=partnership, year=year.start)
            try:
                # Reads only, stores nothing: the read replica may serve it, when there is one.
                with use_replica():
                    built = builder.build(report, draft=True, with_pdf=options["format"] == "pdf")
            except Exception as error:
                raise CommandError(f"The report could not be built: {type(error).__name__}: {error}") from error
            content = built.pdf.content if options["format"] == "pdf" else built.html_bytes
            if built.pdf and built.pdf.refused:
                self.stderr.write(f"Refused to fetch {len(built.pdf.refused)} address(es) found in the report.")
        output.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(content):,} bytes)."))

    def _publisher(self, partnership: Partnership, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.memberships.filter(partnership=partnership, role="strategic_lead").exists():
            raise CommandError(f"{username!r} is not a strategic lead of {partnership.short_name}.")
        return user

    def _publish(self, partnership: Partnership, year: FinancialYear, user, file_format: str) -> bytes:
        report = services.report_get_or_create(partnership=partnership, year=year.start, user=user)
        try:
            edition = services.edition_request(
                report=report, user=user, publish=True, source=ReportEdition.Source.COMMAND_LINE, run_now=True
            )
        except services.ReportError as error:
            raise CommandError(str(error)) from error
        if edition.state != ReportEdition.State.READY:
            raise CommandError(f"The report could not be built: {edition.error or edition.get_state_display()}")
        self.stdout.write(f"Published edition {edition.number}, SHA-256 {edition.pdf_sha256}.")
        stored = edition.pdf if file_format == "pdf" else edition.html
        with stored.open("rb") as handle:
            return handle.read()
