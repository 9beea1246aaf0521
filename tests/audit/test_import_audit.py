"""Every importer writes its audit events, whatever kind of data it brings: one event naming the file, and the
before and after of each record it created or changed (bulk writes skip the model signals, so the import
framework records them). Run from the command line, as the events then name the command. PostgreSQL in CI."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from audit.context import acting
from audit.models import AuditEvent
from partnership.models import BoroughPopulation
from referrals.models import IndicatorFigure, JusticeFigure, MaracReturn, ReferralCount
from tests.consultations.test_imports import HEAD, POLICE_ROWS, responses_csv
from tests.consultations.test_imports import consultation as consultation_fixture
from tests.consultations.test_imports import survey as survey_fixture
from tests.referrals.factories import ServiceFactory

pytestmark = pytest.mark.django_db
consultation, survey = consultation_fixture, survey_fixture

# kind -> (model, heading row, first row, the row changed, the field that changes and its values)
FIGURES = {
    "marac": (
        MaracReturn,
        ["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"],
        ["LBHF", "2015-16", "Q1", "3", "70", "18", "91"],
        ["LBHF", "2015-16", "Q1", "3", "74", "18", "91"],
        "cases_discussed",
        (70, 74),
    ),
    "referrals": (
        ReferralCount,
        ["Service", "Borough", "Year", "Quarter", "Abuse type", "Count"],
        ["Angelou", "LBHF", "2015-16", "Q1", "Domestic abuse", "12"],
        ["Angelou", "LBHF", "2015-16", "Q1", "Domestic abuse", "15"],
        "count",
        (12, 15),
    ),
    "population": (
        BoroughPopulation,
        ["Borough", "Year", "Population", "Females 16+"],
        ["LBHF", "2019-20", "182000", "76000"],  # the world has LBHF's 2015-16 population already
        ["LBHF", "2019-20", "183500", "76000"],
        "population",
        (182000, 183500),
    ),
    "justice": (
        JusticeFigure,
        ["Borough", "Year", "Measure", "Value"],
        ["LBHF", "2015-16", "Domestic abuse incidents", "2100"],
        ["LBHF", "2015-16", "Domestic abuse incidents", "2150"],
        "value",
        (2100, 2150),
    ),
    "indicators": (
        IndicatorFigure,
        ["Indicator", "Unit", "Polarity", "Year", "Borough", "Baseline", "Target", "Achieved"],
        ["Women feeling safer", "%", "Higher is better", "2015-16", "", "", "60", "55"],
        ["Women feeling safer", "%", "Higher is better", "2015-16", "", "", "60", "58"],
        "achieved",
        ("55", "58"),
    ),
}


def write_csv(path, rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue())
    return str(path)


def import_command(command: str, *args, **options) -> None:
    with acting(source="command", actor_label=f"root via manage.py {command}"):
        call_command(command, *args, stdout=io.StringIO(), **options)


@pytest.mark.parametrize("kind", list(FIGURES))
def test_a_figures_import_records_the_file_and_each_row_created_and_changed(world, tmp_path, kind):
    from referrals.models import JusticeMeasure

    model, head, first, changed, field, (before, after) = FIGURES[kind]
    ServiceFactory(partnership=world.partnership, name="Angelou")
    if kind == "justice" and not JusticeMeasure.objects.filter(name="Domestic abuse incidents").exists():
        JusticeMeasure.objects.create(name="Domestic abuse incidents", section="police", display_order=1)
    command = f"import_{kind}"
    path = write_csv(tmp_path / f"{kind}.csv", [head, first])
    import_command(command, path, "--partnership", world.partnership.slug)
    stored = model.objects.get(**({"year": 2019} if kind == "population" else {}))
    created = AuditEvent.objects.get(object_type=model._meta.label, action="create", object_id=str(stored.pk))
    assert created.source == "command" and created.partnership == world.partnership
    assert Decimal(str(created.changes[field][1])) == Decimal(str(before))
    imported = AuditEvent.objects.get(action="import")
    assert f"{kind}.csv" in imported.detail and imported.actor_label == f"root via manage.py {command}"
    write_csv(tmp_path / f"{kind}.csv", [head, changed])
    import_command(command, path, "--partnership", world.partnership.slug)
    updated = AuditEvent.objects.get(object_type=model._meta.label, action="update", object_id=str(stored.pk))
    assert [Decimal(str(v)) for v in updated.changes[field]] == [Decimal(str(before)), Decimal(str(after))]
    assert AuditEvent.objects.filter(action="import").count() == 2
    # A file that changes nothing records the file only.
    import_command(command, path, "--partnership", world.partnership.slug)
    assert AuditEvent.objects.filter(object_type=model._meta.label, object_id=str(stored.pk)).count() == 2
    assert AuditEvent.objects.filter(action="import").count() == 3


def test_a_consultation_results_import_records_the_file_and_each_count(world, consultation, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(HEAD + POLICE_ROWS)
    import_command(
        "import_consultation_results",
        str(path),
        partnership=world.partnership.slug,
        consultation=consultation.slug,
        user=world.lead.username,
    )
    counts = AuditEvent.objects.filter(object_type="consultations.ResponseCount", action="create")
    assert counts.count() == POLICE_ROWS.count("\n")
    assert set(counts.values_list("source", "partnership_id")) == {("command", world.partnership.pk)}
    [imported] = AuditEvent.objects.filter(action="import")
    assert "results.csv" in imported.detail


def test_a_survey_export_import_records_the_file_and_each_count(world, survey, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(responses_csv())
    import_command(
        "import_consultation_responses",
        str(path),
        partnership="tri-borough",
        consultation=survey.slug,
        map=["Q1. How was your experience of each service? [Cops and courts]=Q1:Housing"],
    )
    counts = AuditEvent.objects.filter(object_type="consultations.ResponseCount", action="create")
    assert counts.exists() and set(counts.values_list("source", flat=True)) == {"command"}
    [imported] = AuditEvent.objects.filter(action="import")
    assert "export.csv" in imported.detail
