"""Every hostile file through every importer: a clear refusal, nothing partly imported, the other partnership untouched.

The demo partnership is loaded twice (the first copy renamed to become the other partnership, so both share the
demo's names), once for the module, inside a transaction rolled back at the end; each test runs in a savepoint.
"""

from __future__ import annotations

import hashlib
import io
import pathlib
from collections import deque
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.urls import reverse

from partnership.models import Borough, Membership, OperationalGroup, Partnership
from tests.hostile import corpus
from vawg import tabular

APPS = ["partnership", "actions", "referrals", "consultations"]
CONSULTATION = "survivor-interviews-2015-16"
# Names only the other partnership has: a file naming them must not reach the other partnership's rows.
OTHER_BOROUGH, OTHER_GROUP, OTHER_SERVICE = "ELS", "ELSG", "Elsewhere Refuge"

IMPORTERS = {
    "import_action_plan": ["--year", "2015-16"],
    "import_marac": [],
    "import_referrals": [],
    "import_population": [],
    "import_justice": [],
    "import_indicators": [],
    "import_consultation_results": ["--consultation", CONSULTATION],
    "import_consultation_responses": ["--consultation", CONSULTATION],
}


@dataclass
class Setup:
    partnership: Partnership
    other: Partnership
    lead: object
    counts: dict[str, int]
    other_checksum: dict[str, str]
    templates: dict[str, corpus.Template]


def _models() -> list[type[models.Model]]:
    """The partnership's data. An upload kept for its page (a survey export waiting for its columns to be matched, a
    large file's problems found in the background) is not data: it holds no file once refused, and is purged."""
    return [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label != "partnership.PendingUpload"
    ]


def _path_to_partnership(model) -> str | None:
    """The shortest chain of foreign keys from `model` to Partnership, e.g. `action__strategy__partnership`."""
    if model is Partnership:
        return "pk"
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, prefix = queue.popleft()
        for field in current._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            path = f"{prefix}{field.name}"
            if field.related_model is Partnership:
                return f"{path}__pk"
            if field.related_model not in seen and path.count("__") < 3:
                seen.add(field.related_model)
                queue.append((field.related_model, f"{path}__"))
    return None


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in _models()}


def checksum(partnership: Partnership) -> dict[str, str]:
    sums = {}
    for model in _models():
        path = _path_to_partnership(model)
        if path is None:
            continue
        rows = model._default_manager.filter(**{path: partnership.pk}).order_by("pk").values_list()
        sums[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return sums


def _templates(other: Partnership) -> dict[str, corpus.Template]:
    from actions.models import Action, Priority
    from referrals.models import Service

    borough = Borough.objects.get(partnership=other, short_name=OTHER_BOROUGH)
    group = OperationalGroup.objects.get(partnership=other, abbreviation=OTHER_GROUP)
    action = Action.objects.filter(priority__strategy__partnership=other).order_by("pk").first()
    priority = Priority.objects.filter(strategy__partnership=other).order_by("pk").first()
    service = Service.objects.filter(partnership=other).order_by("pk").first()
    b, g = str(borough.pk), str(group.pk)

    def t(headings: str, row: list[str], names: list[str], ids: list[str]) -> corpus.Template:
        return corpus.Template(headings.split(","), row, names, ids)

    marac = "Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household,Police referrals"
    return {
        "import_action_plan": t(
            "Priority,Ref,Action,Group,Progress,RAG,Next steps",
            ["1", "1.1", "Agreed action", "CHOG", "Going well", "Green", "More of it"],
            ["1", "1.1", "Agreed action", OTHER_GROUP, "Going well", "Green", "More"],
            [str(priority.pk), str(action.pk), str(action.pk), g, "Going well", "Green", "More"],
        ),
        "import_marac": t(
            marac,
            ["LBHF", "2015-16", "Q1", "3", "70", "18", "91", "39"],
            [OTHER_BOROUGH, "2015-16", "Q1", "3", "70", "18", "91", "39"],
            [b, "2015", "1", "3", "70", "18", "91", "39"],
        ),
        "import_referrals": t(
            "Service,Borough,Year,Quarter,Abuse type,New or repeat,Count",
            ["Angelou Partnership", "LBHF", "2015-16", "Q2", "Domestic abuse", "", "315"],
            [OTHER_SERVICE, OTHER_BOROUGH, "2015-16", "Q2", "Domestic abuse", "", "315"],
            [str(service.pk), b, "2015", "2", "1", "", "315"],
        ),
        "import_population": t(
            "Borough,Year,Population,Females 16+",
            ["LBHF", "2015-16", "182000", "75000"],
            [OTHER_BOROUGH, "2015-16", "182000", "75000"],
            [b, "2015", "182000", "75000"],
        ),
        "import_justice": t(
            "Borough,Year,Measure,Value",
            ["RBKC", "2015-16", "Number of offences", "994"],
            [OTHER_BOROUGH, "2015-16", "Number of offences", "994"],
            [b, "2015", "1", "994"],
        ),
        "import_indicators": t(
            "Indicator,Unit,Polarity,Year,Borough,Baseline,Target,Achieved,Tolerance",
            ["Women feeling safer", "%", "Higher is better", "2015-16", "LBHF", "65", "70", "87", "5"],
            ["Women feeling safer", "%", "Higher is better", "2015-16", OTHER_BOROUGH, "65", "70", "87", "5"],
            ["1", "%", "Higher is better", "2015", b, "65", "70", "87", "5"],
        ),
        "import_consultation_results": t(
            "Question ref,Question,Type,Item,Response,Count,Rank",
            ["Q1", "How helpful was the service?", "single", "", "Very helpful", "12", ""],
            ["Q1", "How helpful was the service?", "single", OTHER_SERVICE, OTHER_BOROUGH, "12", ""],
            ["1", "1", "1", g, b, "12", ""],
        ),
        "import_consultation_responses": t(
            "Respondent ID,Q1. How helpful was the service?,Anything else?",
            ["R1", "Very helpful", "They listened"],
            ["R1", OTHER_SERVICE, OTHER_GROUP],
            [b, g, str(other.pk)],
        ),
    }


@pytest.fixture(scope="module")
def setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            quiet = io.StringIO()
            call_command("load_demo", stdout=quiet)
            other = Partnership.objects.get(slug="tri-borough")
            other.slug, other.name, other.short_name = "elsewhere", "Elsewhere VAWG Partnership", "Elsewhere"
            other.save()
            Borough.objects.filter(partnership=other, short_name="RBKC").update(
                short_name=OTHER_BOROUGH, name="Elsewhere Borough"
            )
            OperationalGroup.objects.filter(partnership=other, abbreviation="CHOG").update(
                abbreviation=OTHER_GROUP, name="Elsewhere Group"
            )
            from referrals.models import Service

            first = Service.objects.filter(partnership=other).order_by("pk").first()
            Service.objects.filter(pk=first.pk).update(name=OTHER_SERVICE)
            call_command("load_demo", stdout=quiet)
            partnership = Partnership.objects.get(slug="tri-borough")
            lead = (
                Membership.objects.filter(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD)
                .select_related("user")
                .first()
                .user
            )
            yield Setup(
                partnership=partnership,
                other=other,
                lead=lead,
                counts=row_counts(),
                other_checksum=checksum(other),
                templates=_templates(other),
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """(case, importer) -> path, built on first use."""
    root = tmp_path_factory.mktemp("hostile")
    built: dict[tuple[str, str], pathlib.Path] = {}

    def get(case: str, importer: str, template: corpus.Template) -> pathlib.Path:
        key = (case, importer)
        if key not in built:
            name, data = corpus.CASES[case](template)
            folder = root / importer / case
            folder.mkdir(parents=True)
            built[key] = folder / name
            built[key].write_bytes(data)
        return built[key]

    return get


# Files whose only hostility is harmless text, or cells no heading names (ignored), may import whole: the text is
# stored as text, and exports neutralise formulas.
MAY_IMPORT = {
    "cp1252-smart-quotes",
    "formula-in-xlsx-cell",
    "formula-dde-cmd",
    "html-script-in-text",
    "sql-and-path-injection",
    "very-long-line",
    # A survey export may have any columns: one column of respondent ids is an export with no answers.
    "missing-headings",
    # A lying <dimension> is ignored: the two real rows are read, as they would be without it.
    "xlsx-declares-a1-xfd100000",
}


def assert_unchanged(setup: Setup) -> None:
    after = row_counts()
    changed = {label: (setup.counts[label], after[label]) for label in after if after[label] != setup.counts[label]}
    assert not changed, f"rows added or removed: {changed}"
    assert checksum(setup.other) == setup.other_checksum, "a row of the other partnership changed"


def run_importer(importer: str, path: pathlib.Path, partnership: Partnership) -> str | None:
    """None when the import went through, else the refusal's message."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            importer, str(path), "--partnership", partnership.slug, *IMPORTERS[importer], stdout=out, stderr=err
        )
    except CommandError as error:
        return f"{error}\n{err.getvalue()}"
    return None


def _cases(importers):
    return [
        pytest.param(
            case,
            importer,
        )
        for case in corpus.CASES
        for importer in importers
    ]


@pytest.mark.parametrize(("case", "importer"), _cases(IMPORTERS))
def test_hostile_file_is_refused_and_changes_nothing(setup, files, db, case, importer):
    path = files(case, importer, setup.templates[importer])
    refusal = run_importer(importer, path, setup.partnership)
    if refusal is None:
        # A file whose only hostility is harmless text (Windows-1252, a formula stored as text) may import whole.
        assert case in MAY_IMPORT, f"{case} was imported by {importer}"
        assert checksum(setup.other) == setup.other_checksum, "a row of the other partnership changed"
    else:
        assert refusal.strip()
        assert_unchanged(setup)


def test_corpus_is_big_enough():
    assert len(corpus.CASES) >= 40


# --- A real file of 1,000,000 rows, over the size limit: refused before reading it all -------------------------


class CountingReader(io.RawIOBase):
    def __init__(self, handle, counter: list[int]):
        self.handle, self.counter = handle, counter

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.handle.read(size)
        self.counter[0] += len(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        self.handle.close()
        super().close()


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("million") / "million.csv"
    corpus.million_rows(path)
    return path


@pytest.mark.parametrize(
    "importer",
    list(IMPORTERS),
)
def test_million_rows_refused_without_reading_past_the_limit(setup, db, million_rows, monkeypatch, importer):
    assert million_rows.stat().st_size > tabular.MAX_UPLOAD_BYTES
    counter = [0]
    real_open, real_read_bytes = pathlib.Path.open, pathlib.Path.read_bytes

    def counting_open(self, mode="r", *args, **kwargs):
        handle = real_open(self, mode, *args, **kwargs)
        return CountingReader(handle, counter) if self == million_rows and "b" in mode else handle

    def counting_read_bytes(self):
        data = real_read_bytes(self)
        if self == million_rows:
            counter[0] += len(data)
        return data

    monkeypatch.setattr(pathlib.Path, "open", counting_open)
    monkeypatch.setattr(pathlib.Path, "read_bytes", counting_read_bytes)
    refusal = run_importer(importer, million_rows, setup.partnership)
    assert refusal and "over the limit" in refusal
    assert counter[0] <= tabular.MAX_UPLOAD_BYTES + 1
    assert_unchanged(setup)


# --- The browser import pages --------------------------------------------------------------------------------


def _view_urls(setup: Setup) -> dict[str, tuple[str, dict]]:
    slug = setup.partnership.slug
    urls = {
        "actions:plan_import": (reverse("actions:plan_import", args=[slug]), {"year": "2015-16", "quarter": ""}),
        "consultations:results_import": (
            reverse("consultations:results_import", args=[slug, CONSULTATION]),
            {},
        ),
        "consultations:responses_import": (
            reverse("consultations:responses_import", args=[slug, CONSULTATION]),
            {},
        ),
    }
    for kind in ["marac", "referrals", "population", "justice", "indicators"]:
        urls[f"referrals:import:{kind}"] = (reverse("referrals:import", args=[slug, kind]), {})
    return urls


VIEW_TEMPLATE = {
    "actions:plan_import": "import_action_plan",
    "consultations:results_import": "import_consultation_results",
    "consultations:responses_import": "import_consultation_responses",
    **{
        f"referrals:import:{kind}": f"import_{kind}"
        for kind in ["marac", "referrals", "population", "justice", "indicators"]
    },
}


# The pages share read_table with the commands: a sample of every kind of refusal is enough here.
VIEW_CASES = [
    "xlsx-named-csv",
    "png-named-csv",
    "pdf-named-xlsx",
    "truncated-zip",
    "zip-bomb-unpacked-size",
    "zip-bomb-too-many-entries",
    "xlsx-billion-laughs",
    "xlsx-xxe-external-entity",
    "utf16-with-bom",
    "nul-bytes",
    "empty-file",
    "only-headings",
    "duplicate-headings",
    "cell-10mb",
    "cell-10mb-xlsx",
    "huge-and-fractional-numbers",
    "other-partnership-names-after-good-row",
    "xlsx-data-in-column-xfd",
    "xlsx-styled-cells-to-xfd",
    "csv-400000-headings",
]


def _view_cases():
    return [
        pytest.param(
            case,
            view,
        )
        for case in VIEW_CASES
        for view in VIEW_TEMPLATE
    ]


@pytest.mark.parametrize(("case", "view"), _view_cases())
def test_import_page_answers_hostile_upload_with_an_error(setup, files, db, client, case, view):
    path = files(case, VIEW_TEMPLATE[view], setup.templates[VIEW_TEMPLATE[view]])
    url, data = _view_urls(setup)[view]
    client.force_login(setup.lead)
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(url, {**data, "file": upload})
    if response.status_code == 302 and "/imports/" in response.url:
        # Over what a request reads (a 10 MB cell is 10 MB of sheet data): checked by the task runner, which refuses
        # it; the upload's page says why.
        page = client.get(response.url).content.decode()
        assert "govuk-error-summary" in page and "not imported" in page
    elif view == "consultations:responses_import" and response.status_code == 302:
        # A readable survey export goes on to the column-matching step, which stores nothing yet.
        assert response.url.endswith("/import/responses/mapping/")
        assert client.get(response.url).status_code == 200
    else:
        assert response.status_code in (200, 400), response.status_code
        page = response.content.decode()
        assert "govuk-error-summary" in page or "govuk-error-message" in page
    assert_unchanged(setup)
