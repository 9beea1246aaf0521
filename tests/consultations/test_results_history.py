"""Who changed a consultation's results: fifty changes a page, latest first, in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import ResultsChange
from tests.consultations.factories import ConsultationFactory


def add_changes(consultation, count, user):
    ResultsChange.objects.bulk_create(
        ResultsChange(
            consultation=consultation,
            question_ref=f"Q{n}",
            changed_by=user,
            source=ResultsChange.Source.FORM,
            summary=f"Change number {n}",
        )
        for n in range(count)
    )


def test_it_pages_the_history_latest_first(world, client):
    consultation = ConsultationFactory(partnership=world.partnership, slug="survey")
    add_changes(consultation, 60, world.lead)
    client.force_login(world.board_member)
    url = reverse("consultations:results_history", args=[world.partnership.slug, consultation.slug])

    first = client.get(url)
    assert first.status_code == 200
    text = first.content.decode()
    assert "1 to 50 of 60" in text
    assert "Change number 59<" in text and "Change number 9<" not in text  # latest first
    assert 'href="?page=2" rel="next"' in text
    second = client.get(url + "?page=2").content.decode()
    assert "Change number 9<" in second and "Change number 10<" not in second
    assert "51 to 60 of 60" in second


def test_the_query_count_does_not_grow_with_the_history(world, client):
    small, large = (ConsultationFactory(partnership=world.partnership, slug=slug) for slug in ("small", "large"))
    add_changes(small, 2, world.lead)
    add_changes(large, 120, world.lead)
    client.force_login(world.board_member)
    counts = []
    for consultation in (small, large):
        url = reverse("consultations:results_history", args=[world.partnership.slug, consultation.slug])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts == [9, 9]  # pinned, the same for 2 changes and for 120
