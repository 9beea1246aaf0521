"""The one chart pipeline: a partnership's charts are drawn by the task runner when their data changes and stored
with the storage backend; pages read them (no page view draws into storage or writes to the database), and a
stored chart is served only to its partnership's members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnership import charts as pipeline
from partnership.models import ChartDrawing
from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts
from vawg.charts import ChartSpec

pytestmark = pytest.mark.django_db


def one_chart(partnership):
    """A provider of one chart, named after the partnership (its key differs between partnerships)."""
    data = {"labels": ["Refuge", "IDVA"], "values": [3, 5], "value_labels": ["3", "5"], "axis_label": "Referrals"}
    return [ChartSpec(kind="ranked_bars", title=f"Referrals, {partnership.short_name}", alt="IDVA most", data=data)]


@pytest.fixture
def provider():
    pipeline.register("test", specs="tests.test_chart_pipeline:one_chart", models=["partnership.Borough"])
    yield pipeline.PROVIDERS["test"]
    pipeline.PROVIDERS.pop("test")


def test_a_change_to_a_watched_record_draws_and_stores_its_providers_charts(
    world, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world.borough.name = "Hammersmith and Fulham (renamed)"
        world.borough.save()  # any path that saves: the audit log sees it, so the charts do
    drawing = ChartDrawing.objects.get(partnership=world.partnership, provider="test")
    with drawing.svg.open("rb") as stored:
        svg = stored.read().decode()
    assert "<title>Referrals, " in svg and ">IDVA<" in svg  # text kept as text
    assert pipeline.draw_stored(world.partnership, ["test"]) == 0  # drawn once: nothing new to draw


def test_a_stored_chart_is_served_to_members_only(world, provider, client):
    pipeline.draw_stored(world.partnership, ["test"])
    key = ChartDrawing.objects.get(partnership=world.partnership).key
    client.force_login(world.board_member)
    response = client.get(reverse("partnership:chart", args=[world.partnership.slug, key]))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert b"IDVA" in response.content and "immutable" in response["Cache-Control"]
    client.force_login(world.outsider_lead)
    other = reverse("partnership:chart", args=[world.other_partnership.slug, key])
    assert client.get(other).status_code == 404  # the key of another partnership's chart finds nothing


def test_the_consultation_page_reads_stored_charts_and_writes_nothing(world, client):
    consultation = ConsultationFactory(partnership=world.partnership, respondents=69)
    question = make_question(consultation, items=["Police", "Courts"])
    set_counts(question, {("Police", label): n for label, n in POLICE.items()})
    url = reverse("consultations:consultation_detail", args=[world.partnership.slug, consultation.slug])
    client.force_login(world.lead)
    with CaptureQueriesContext(connection) as queries:
        before = client.get(url)  # not drawn yet (the task has not run): drawn for this view, not stored
    assert b"data:image/svg+xml" in before.content
    assert not ChartDrawing.objects.exists()
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert [sql for sql in writes if "chart" in sql.lower()] == []
    pipeline.draw_stored(world.partnership)
    drawing = ChartDrawing.objects.get(partnership=world.partnership)
    after = client.get(url).content.decode()
    assert reverse("partnership:chart", args=[world.partnership.slug, drawing.key]) in after
    assert "data:image/svg+xml" not in after


def test_only_changes_to_records_reach_the_charts_not_reads_or_refusals(world):
    from audit.models import AuditEvent
    from audit.recorder import changed, record

    heard = []

    def listen(sender, **kwargs):
        heard.append(kwargs["object_type"])

    changed.connect(listen)
    try:
        for action in (AuditEvent.Action.API_READ, AuditEvent.Action.ACCESS_REFUSED, AuditEvent.Action.SIGN_IN):
            record(action=action, partnership_id=world.partnership.pk, detail="nothing changed")
        assert heard == []  # an API request or a refusal must not have the task runner redraw anything
        record(action=AuditEvent.Action.IMPORT, partnership_id=world.partnership.pk, detail="a file")
        assert heard == [""]
    finally:
        changed.disconnect(listen)
