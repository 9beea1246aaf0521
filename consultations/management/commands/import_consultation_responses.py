"""manage.py import_consultation_responses FILE --partnership SLUG --consultation SLUG [--skip-column HEADING]
[--map "HEADING=Q3"] [--user NAME] [--dry-run]

Reads a survey tool's export (one row per respondent), proposes which question each column answers (as the
browser does), counts the answers and stores only the counts. The respondent rows are never stored.
"""

from django.core.management.base import CommandError

from consultations import importers
from consultations.management.commands._common import (
    acting_user,
    add_consultation_arguments,
    consultation_for,
    fail_with,
)
from consultations.models import ResultsChange
from partnership.import_command import ImportCommand
from vawg.tabular import normalise_heading


class Command(ImportCommand):
    help = (
        "Import raw survey responses (one row per respondent): columns are matched to questions automatically, "
        "answers are counted, and only the counts are stored. All or nothing."
    )

    def add_import_arguments(self, parser):
        add_consultation_arguments(parser)
        parser.add_argument(
            "--skip-column", action="append", default=[], metavar="HEADING", help="Do not import this column"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADING=REF[:ITEM]",
            help="Match a column by hand, e.g. 'Services [Cops]=Q1:Police'",
        )

    def import_file(self, path, partnership, options):
        consultation = consultation_for(partnership, options)
        user = acting_user(options, consultation)
        profile = importers.profile_responses(self.read(path, options))
        questions = list(
            consultation.questions.select_related("consultation")
            .prefetch_related("options", "items")
            .order_by("position")
        )
        mapping = importers.proposed_mapping_values(profile, questions)
        by_heading = {normalise_heading(c["heading"]): c["index"] for c in profile["columns"]}
        for heading in options["skip_column"]:
            mapping[self._column(by_heading, heading)] = importers.MAPPING_SKIP
        choices = dict(importers.mapping_choices(questions))
        for rule in options["map"]:
            heading, _, target = rule.rpartition("=")
            mapping[self._column(by_heading, heading)] = self._target(questions, target, choices)
        outcome = importers.import_responses(
            consultation=consultation,
            profile=profile,
            mapping=mapping,
            user=user,
            source=ResultsChange.Source.COMMAND_LINE,
            dry_run=options["dry_run"],
            filename=path.name,
        )
        for column in profile["columns"]:
            target = mapping.get(column["index"], "")
            label = "not imported" if target == importers.MAPPING_SKIP else choices.get(target, "NOT MATCHED")
            self.stdout.write(f"  {column['heading']} -> {label}")
        if outcome.errors:
            fail_with(self, outcome.errors)
        for note in outcome.notes:
            self.stdout.write(f"  Note: {note}")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {profile['respondents']:,} responses as counts for {len(outcome.previews)} questions "
                f"of {consultation}. The responses themselves were not stored."
            )
        )

    def _column(self, by_heading: dict, heading: str) -> int:
        index = by_heading.get(normalise_heading(heading))
        if index is None:
            raise CommandError(f"The file has no column '{heading}'.")
        return index

    def _target(self, questions, target: str, choices: dict) -> str:
        ref, _, part = target.partition(":")
        question = next((q for q in questions if normalise_heading(q.ref) == normalise_heading(ref)), None)
        if question is None:
            raise CommandError(f"No question '{ref}' in this consultation.")
        if not part:
            value = f"q{question.pk}"
        else:
            candidates = list(question.items.all()) or list(question.options.all())
            match = next((c for c in candidates if normalise_heading(c.label) == normalise_heading(part)), None)
            if match is None:
                raise CommandError(f"{question.ref} has no item or option '{part}'.")
            value = f"q{question.pk}-{'i' if question.items.all() else 'o'}{match.pk}"
        if value not in choices:
            raise CommandError(f"'{target}' is not something a column can answer.")
        return value
