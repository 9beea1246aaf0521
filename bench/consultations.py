"""Consultations benchmark: importing raw survey responses against parsing alone, and page time against size.

    .venv/bin/python bench/consultations.py [--repeat 5]

Builds, in a throwaway database (SQLite in /tmp unless DATABASE_URL is set), a partnership with a lead and two
consultations of 40 and 4 questions (rating scales with 4 items, yes / no, multiple choice, ranking, agreement
and free text, all with counts). Then prints, side by side in one run:
- importing a survey export of 5,000 respondents x 40 columns (read the CSV, reduce it to answer counts, match
  the columns to questions, aggregate, store the counts) against reading the same file alone (target: within 3x);
- the median server time (Django test client, signed in) of the consultation page with 40 questions against
  the one with 4, charts included (target: within 3x), and of each page's first view after every question's
  results changed against its later views (target: within 1.5x). The change is what draws the charts: on its
  commit the task runner (run inline here, as in development) draws and stores them (partnership.charts), so the
  first view reads stored drawings like every later one.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/vawg-bench-consultations.sqlite3")

from bench._db import setup_database  # noqa: E402 (after the settings above)

RESPONDENTS = 5_000
RATING = ["Very positive", "Positive", "Neutral", "Negative", "Very negative", "No experience"]
ITEMS = ["Police", "Courts", "Housing", "Health"]
CHOICES = ["Refuge", "IDVA", "Counselling", "Helpline", "Peer support"]
AGREE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know"]


def build_consultation(partnership, slug: str, size: int, respondents: int, *, count_columns: bool = False):
    """Questions cycling through the kinds, `size` of them (or enough for `size` columns in the export).

    Returns the consultation and the export's columns."""
    from consultations.models import Consultation, Question
    from consultations.scales import read_options
    from consultations.services import question_create

    consultation = Consultation.objects.create(
        partnership=partnership,
        slug=slug,
        title=f"Survey of size {size}",
        audience="survivors",
        method="survey",
        respondents=respondents,
    )
    columns = []  # (heading, kind, answers)
    number = 0
    while (len(columns) if count_columns else number) < size:
        number += 1
        kind = [
            Question.Kind.RATING_SCALE,
            Question.Kind.YES_NO,
            Question.Kind.MULTIPLE_CHOICE,
            Question.Kind.RANKING,
            Question.Kind.AGREEMENT,
            Question.Kind.FREE_TEXT,
        ][number % 6]
        text = f"Question {number} about the services"
        spec = {
            Question.Kind.RATING_SCALE: (RATING, ITEMS),
            Question.Kind.YES_NO: (["Yes", "No", "Don't know"], []),
            Question.Kind.MULTIPLE_CHOICE: (CHOICES, []),
            Question.Kind.RANKING: (CHOICES, []),
            Question.Kind.AGREEMENT: (AGREE, []),
            Question.Kind.FREE_TEXT: ([], []),
        }[kind]
        question_create(
            consultation=consultation,
            user=None,
            ref=f"Q{number}",
            text=text,
            kind=kind,
            options=read_options(spec[0], scale=kind in Question.SCALE_KINDS),
            items=spec[1],
            ranking_places=3 if kind == Question.Kind.RANKING else None,
        )
        if kind == Question.Kind.RATING_SCALE:
            columns += [(f"Q{number}. {text} [{item}]", kind, RATING) for item in ITEMS]
        elif kind == Question.Kind.RANKING:
            columns += [(f"Q{number}. {text} [{option}]", kind, CHOICES) for option in CHOICES[:2]]
        else:
            columns.append((f"Q{number}. {text}", kind, spec[0]))
    return consultation, columns[:size] if count_columns else columns


def export_csv(columns, respondents: int) -> bytes:
    from consultations.models import Question

    generator = random.Random(2015)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([heading for heading, _, _ in columns])
    for row in range(respondents):
        cells = []
        for _, kind, answers in columns:
            if kind == Question.Kind.MULTIPLE_CHOICE:
                cells.append(";".join(generator.sample(answers, generator.randint(0, 3))))
            elif kind == Question.Kind.RANKING:
                cells.append(str(generator.randint(1, 3)) if generator.random() < 0.8 else "")
            elif kind == Question.Kind.FREE_TEXT:
                cells.append(f"Something different said by respondent {row}" if generator.random() < 0.3 else "")
            else:
                cells.append(generator.choice(answers) if generator.random() < 0.95 else "")
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def fill_counts(consultation, seed: int = 16) -> None:
    """Plausible counts for every question, as an import would leave them, in one transaction."""
    from django.db import transaction

    from consultations.models import Question, ResultsChange
    from consultations.services import CountEntry, results_replace

    generator = random.Random(seed)
    questions = consultation.questions.prefetch_related("options", "items").select_related("consultation")
    with transaction.atomic():
        for question in questions:
            options = list(question.options.all())
            if question.kind == Question.Kind.FREE_TEXT:
                continue
            entries = []
            if question.kind == Question.Kind.RANKING:
                for rank in range(1, 4):
                    entries += [CountEntry(None, option, rank, generator.randint(0, 300)) for option in options]
            elif question.kind == Question.Kind.MULTIPLE_CHOICE:
                entries = [CountEntry(None, option, 0, generator.randint(0, 900)) for option in options]
            else:
                for item in list(question.items.all()) or [None]:
                    entries += [CountEntry(item, option, 0, generator.randint(0, 300)) for option in options]
            results_replace(question=question, entries=entries, user=None, source=ResultsChange.Source.DEMO)


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_raw_import(partnership, lead, repeat: int) -> float:
    """Import 5,000 raw rows x 40 columns into a new consultation of `partnership` against parsing the same file
    alone; prints the figures and returns the ratio (target: within 3x)."""
    from unittest import mock

    from consultations import importers
    from consultations.models import ResponseCount
    from partnership.charts import _Redraw
    from vawg.tabular import read_table

    consultation, columns = build_consultation(partnership, "big-import", 40, RESPONDENTS, count_columns=True)
    data = export_csv(columns, RESPONDENTS)
    questions = list(consultation.questions.select_related("consultation").prefetch_related("options", "items"))

    def parse_only():
        read_table(data, filename="export.csv")

    queued = []

    def queue(callback):
        queued.append(callback)  # what a request does in production: the task runner draws later

    def full_import():
        ResponseCount.objects.filter(question__consultation=consultation).delete()  # every run starts empty
        queued.clear()
        start = time.perf_counter()
        # The import's charts are drawn by the task runner once it commits; here the task runner runs inline, so
        # the redraw is queued during the timing, as a web request would, and drawn after it.
        with mock.patch.object(_Redraw, "__call__", queue):
            profile = importers.profile_responses(read_table(data, filename="export.csv"))
            mapping = importers.proposed_mapping_values(profile, questions)
            outcome = importers.import_responses(
                consultation=consultation, profile=profile, mapping=mapping, user=lead, dry_run=False
            )
        assert outcome.saved, outcome.errors.messages()
        elapsed = time.perf_counter() - start
        assert queued, "the import queued no redraw of its charts"
        for callback in queued:
            callback()
        return elapsed

    parse = median_time(parse_only, repeat)
    imported = statistics.median(full_import() for _ in range(repeat))
    counts = ResponseCount.objects.filter(question__consultation=consultation).count()
    ratio = imported / parse
    print(f"Raw survey import: {RESPONDENTS:,} respondents x {len(columns)} columns ({len(data) / 1e6:.1f} MB CSV)")
    print(f"  parse the file alone       {parse * 1000:8.0f} ms")
    print(
        f"  full import (charts queued) {imported * 1000:7.0f} ms   -> {ratio:.2f}x parsing (target <= 3x)  "
        + ("ok" if ratio <= 3 else "OVER")
    )
    print(f"  stored {counts} counts; respondent rows stored: 0")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_database()

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from partnership import mfa
    from partnership.models import Membership, Partnership
    from tests.factories import UserFactory

    setup_test_environment()
    partnership = Partnership.objects.create(name="Bench partnership", slug="bench", short_name="Bench")
    lead = UserFactory(username="bench-lead")
    Membership.objects.create(user=lead, partnership=partnership, role=Membership.Role.STRATEGIC_LEAD)

    # 1. Import 5,000 raw rows x 40 columns against parsing the same file alone.
    bench_raw_import(partnership, lead, args.repeat)

    # 2. Consultation page with 40 questions against 4, charts included.
    small, _ = build_consultation(partnership, "four-questions", 4, RESPONDENTS)
    large, _ = build_consultation(partnership, "forty-questions", 40, RESPONDENTS)
    fill_counts(small)
    fill_counts(large)
    client = Client()
    client.force_login(lead)
    session = client.session
    session[mfa.SESSION_KEY] = mfa.VERIFIED
    session.save()

    def page(consultation):
        url = reverse("consultations:consultation_detail", args=[partnership.slug, consultation.slug])

        def get():
            response = client.get(url)
            assert response.status_code == 200 and response.content.count(b'class="app-chart') > 0
            return response

        return get

    seeds = iter(range(1000, 100_000))

    def first_views(consultation, repeat: int) -> tuple[float, int]:
        """Median time of the first view after every question's results changed (the change itself not timed),
        and how many of that view's charts were read from storage rather than drawn."""
        times, stored = [], 0
        for _ in range(repeat):
            fill_counts(consultation, next(seeds))
            start = time.perf_counter()
            response = page(consultation)()
            times.append(time.perf_counter() - start)
            stored = response.content.count(b"/charts/")
        return statistics.median(times), stored

    results = {}
    for name, target in (("4 questions", small), ("40 questions", large)):
        page(target)()
        first, stored = first_views(target, max(3, args.repeat))
        later = median_time(page(target), args.repeat)
        charts = page(target)().content.count(b'class="app-chart')
        results[name] = (later, first, charts, stored)
    print("Consultation page, server time (median), charts included")
    for name, (later, first, charts, stored) in results.items():
        ratio = first / later
        print(
            f"  {name:<13} {charts:>3} charts   later views {later * 1000:7.0f} ms   first view after a change "
            f"{first * 1000:7.0f} ms ({stored} charts stored)  -> {ratio:.2f}x (target <= 1.5x)  "
            + ("ok" if ratio <= 1.5 else "OVER")
        )
    size_ratio = results["40 questions"][0] / results["4 questions"][0]
    print(f"  40 against 4 questions: {size_ratio:.2f}x (target <= 3x)  " + ("ok" if size_ratio <= 3 else "OVER"))


if __name__ == "__main__":
    main()
