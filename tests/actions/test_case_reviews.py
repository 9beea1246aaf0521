"""The case review register: its services (themes one vocabulary, versioned edits, recommendations kept in step),
its pages (roles, other partnerships' reviews answer 404, query counts pinned) and its import and export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions import selectors, services
from actions.models import CaseReview, CaseReviewTheme, Recommendation
from actions.resources import CaseReviewResource
from audit.models import AuditEvent
from tests.actions.factories import (
    ActionFactory,
    CaseReviewFactory,
    PriorityFactory,
    StrategyFactory,
    case_review_recommendation,
)
from vawg.concurrency import EditConflict
from vawg.tabular import read_table

# Session, user and membership, the page's own reads (the register: the filter's themes, the reviews with their
# group and counts, their themes, the recurring themes), and what the base layout reads.
QUERIES_REGISTER = 10
QUERIES_DETAIL = 10
QUERIES_EXPORT = 8


def _save(world, **kwargs):
    values = {
        "partnership": world.partnership,
        "kind": CaseReview.Kind.DHR,
        "reference": "DHR 1",
        "status": CaseReview.Status.COMMISSIONED,
        "themes": [],
        "user": world.lead,
    }
    return services.case_review_save(**{**values, **kwargs})


def _action(world, ref="5.4 (vi)"):
    strategy = StrategyFactory(partnership=world.partnership, slug="2015-18", first_year=2015, last_year=2017)
    return ActionFactory(priority=PriorityFactory(strategy=strategy, number=5), ref=ref, groups=[world.group])


# --- Services -----------------------------------------------------------------------------------------------


def test_it_counts_a_theme_once_per_review_whatever_its_capitals(world):
    _save(world, reference="DHR 1", themes=["Coercive control", "Mental health"])
    _save(world, reference="DHR 2", themes=["coercive  CONTROL"])
    _save(world, reference="SAR 1", kind=CaseReview.Kind.SAR, themes=["Substance misuse"])

    themes = selectors.recurring_themes(world.partnership)

    assert [(t.name, t.review_count) for t in themes] == [
        ("Coercive control", 2),
        ("Mental health", 1),
        ("Substance misuse", 1),
    ]
    assert CaseReviewTheme.objects.filter(partnership=world.partnership).count() == 3


def test_themes_are_each_partnerships_own(world):
    _save(world, themes=["Coercive control"])
    services.case_review_save(
        partnership=world.other_partnership,
        kind=CaseReview.Kind.DHR,
        reference="DHR 1",
        status=CaseReview.Status.COMMISSIONED,
        themes=["Coercive control"],
        user=None,
    )

    assert [t.review_count for t in selectors.recurring_themes(world.partnership)] == [1]
    assert CaseReviewTheme.objects.filter(name="Coercive control").count() == 2


def test_it_refuses_a_save_from_a_stale_form_and_keeps_the_other_save(world):
    review = _save(world)
    _save(world, case_review=review, status=CaseReview.Status.PUBLISHED, expected_version=0)

    with pytest.raises(EditConflict):
        _save(world, case_review=review, status=CaseReview.Status.CLOSED, expected_version=0)

    review.refresh_from_db()
    assert review.status == CaseReview.Status.PUBLISHED
    assert review.version == 1


def test_a_reference_is_unique_in_the_partnership(world):
    _save(world, reference="DHR 1")
    with pytest.raises(ValidationError):
        _save(world, reference="DHR 1")
    assert CaseReview.objects.filter(partnership=world.partnership).count() == 1


def test_a_theme_change_is_in_the_audit_log(world):
    review = _save(world, themes=["Housing"])
    _save(world, case_review=review, themes=["Housing", "Mental health"], expected_version=0)

    event = AuditEvent.objects.filter(object_type="actions.CaseReview", changes__has_key="themes").order_by("pk").last()
    assert event.changes["themes"] == [["Housing"], ["Housing", "Mental health"]]
    assert event.partnership_id == world.partnership.pk


def test_a_recommendation_carries_its_reviews_type_and_reference(world):
    action = _action(world)
    review = _save(world, reference="DHR 1")
    recommendation = services.case_review_recommendation_save(
        case_review=review,
        ref="1",
        text="Share learning between reviews.",
        status=Recommendation.Status.IN_PROGRESS,
        source_date=date(2016, 6, 1),
        actions=[action],
    )
    _save(world, case_review=review, reference="DHR 1 (RBKC)", kind=CaseReview.Kind.SCR, expected_version=0)

    recommendation.refresh_from_db()
    assert (recommendation.case_review, recommendation.source, recommendation.source_type) == (
        review,
        "DHR 1 (RBKC)",
        "scr",
    )
    assert list(recommendation.actions.all()) == [action]


def test_deleting_a_review_deletes_its_recommendations(world):
    review = _save(world)
    case_review_recommendation(review)
    other = CaseReviewFactory(partnership=world.partnership, reference="DHR 9")
    kept = case_review_recommendation(other)

    services.case_review_delete(case_review=review, expected_version=0)

    assert not CaseReview.objects.filter(pk=review.pk).exists()
    assert list(Recommendation.objects.filter(partnership=world.partnership)) == [kept]


def test_the_summary_counts_reviews_by_kind_and_status_and_their_recommendations(world):
    first = _save(world, reference="DHR 1", status=CaseReview.Status.PUBLISHED)
    _save(world, reference="DHR 2")
    _save(world, reference="SCR 1", kind=CaseReview.Kind.SCR)
    case_review_recommendation(first, status=Recommendation.Status.IMPLEMENTED)
    case_review_recommendation(first, status=Recommendation.Status.IN_PROGRESS)

    summary = selectors.case_review_summary(world.partnership)

    statuses = [s.value for s in CaseReview.Status]
    dhr = dict(zip(statuses, summary.by_kind_and_status[0][1], strict=True))
    assert summary.by_kind_and_status[0][0] == "Domestic Homicide Review"
    assert (dhr["published"], dhr["commissioned"], summary.by_kind_and_status[0][2]) == (1, 1, 2)
    assert summary.total == 3
    assert dict(summary.recommendations_by_status)["Implemented"] == 1


# --- Pages --------------------------------------------------------------------------------------------------


def _url(world, name, **kwargs):
    return reverse(f"actions:{name}", kwargs={"partnership_slug": world.partnership.slug, **kwargs})


def test_a_lead_adds_a_review_and_it_is_listed(world, client):
    client.force_login(world.lead)
    response = client.post(
        _url(world, "case_review_create"),
        {
            "kind": "dhr",
            "reference": "DHR 4",
            "status": "in_progress",
            "overseen_by": world.group.pk,
            "themes": "Coercive control\nHousing",
            "summary": "",
            "version": "0",
        },
    )

    review = CaseReview.objects.get(partnership=world.partnership, reference="DHR 4")
    assert response.status_code == 302
    assert sorted(t.name for t in review.themes.all()) == ["Coercive control", "Housing"]
    page = client.get(_url(world, "case_reviews"))
    assert "DHR 4" in page.content.decode()
    assert "Coercive control" in page.content.decode()


def test_a_form_with_a_problem_changes_nothing(world, client):
    client.force_login(world.lead)
    response = client.post(_url(world, "case_review_create"), {"kind": "dhr", "reference": "", "status": "x"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not CaseReview.objects.exists()


def test_a_stale_edit_answers_409_with_both_versions(world, client):
    review = CaseReviewFactory(partnership=world.partnership, version=3)
    client.force_login(world.lead)
    response = client.post(
        _url(world, "case_review_edit", review_id=review.pk),
        {"kind": "dhr", "reference": review.reference, "status": "closed", "version": "2"},
    )

    assert response.status_code == 409
    review.refresh_from_db()
    assert review.status == CaseReview.Status.IN_PROGRESS


def test_the_form_warns_against_identifying_details(world, client):
    client.force_login(world.lead)
    content = client.get(_url(world, "case_review_create")).content.decode()
    assert "dates of death" in content


def test_another_partnerships_review_answers_404(world, client):
    review = CaseReviewFactory(partnership=world.other_partnership)
    client.force_login(world.lead)
    for name in ("case_review_detail", "case_review_edit", "case_review_delete"):
        assert client.get(_url(world, name, review_id=review.pk)).status_code == 404
    response = client.post(_url(world, "case_review_delete", review_id=review.pk), {"version": "0"})
    assert response.status_code == 404
    assert CaseReview.objects.filter(pk=review.pk).exists()


def test_a_lead_deletes_a_review(world, client):
    review = CaseReviewFactory(partnership=world.partnership)
    client.force_login(world.lead)
    response = client.post(_url(world, "case_review_delete", review_id=review.pk), {"version": "0"})
    assert response.status_code == 302
    assert not CaseReview.objects.filter(pk=review.pk).exists()


def test_the_review_page_lists_its_recommendations_with_their_actions(world, client):
    action = _action(world)
    review = CaseReviewFactory(partnership=world.partnership)
    client.force_login(world.lead)
    response = client.post(
        _url(world, "case_review_recommendation_create", review_id=review.pk),
        {
            "ref": "3",
            "text": "Share learning.",
            "source_date": "2016-06-01",
            "status": "in_progress",
            "actions": [action.pk],
        },
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get(case_review=review)
    assert list(recommendation.actions.all()) == [action]

    client.force_login(world.board_member)
    content = client.get(_url(world, "case_review_detail", review_id=review.pk)).content.decode()
    assert "Share learning." in content
    assert "5.4 (vi)" in content
    assert "0 of 1 implemented" in content


def _reviews(world, n):
    for i in range(n):
        review = CaseReviewFactory(partnership=world.partnership, reference=f"DHR {i + 1}", overseen_by=world.group)
        review.themes.set(
            services.themes_resolve(partnership=world.partnership, names=["Coercive control", f"Theme {i}"])
        )
        for _ in range(2):
            case_review_recommendation(review)


# Each count includes the queries every partnership page makes; it is the same with 1 review or 12.
PAGE_QUERIES = {
    "case_reviews": QUERIES_REGISTER,
    "case_review_detail": QUERIES_DETAIL,
    "case_reviews_export": QUERIES_EXPORT,
}


@pytest.mark.parametrize("name", list(PAGE_QUERIES))
@pytest.mark.parametrize("size", [1, 12])
def test_query_counts_do_not_grow_with_the_register(world, client, django_assert_num_queries, name, size):
    _reviews(world, size)
    review = CaseReview.objects.filter(partnership=world.partnership).first()
    kwargs = {"review_id": review.pk} if name == "case_review_detail" else {}
    client.force_login(world.board_member)
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert client.get(_url(world, name, **kwargs)).status_code == 200


# --- Import and export --------------------------------------------------------------------------------------


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    return out.getvalue().encode()


HEADINGS = ["Reference", "Type", "Date commissioned", "Status", "Group", "Themes", "Summary", "Illustrative"]


def _import(world, content, *, dry_run=False):
    table = read_table(io.BytesIO(content), filename="reviews.csv", headings=CaseReviewResource.known_headings())
    return CaseReviewResource(world.partnership, user=world.lead).run(table, dry_run=dry_run, filename="reviews.csv")


def test_an_export_imports_back_unchanged(world, client):
    review = _save(world, reference="DHR 1", themes=["Housing", "Coercive control"], overseen_by=world.group)
    _save(world, reference="SCR 1", kind="scr", commissioned_on=date(2015, 9, 1), summary="Joint SCR/DHR.")
    client.force_login(world.board_member)
    exported = client.get(_url(world, "case_reviews_export")).content

    result = _import(world, exported)

    assert result.ok, result.errors.messages()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    review.refresh_from_db()
    assert review.version == 0


def test_an_import_adds_and_changes_reviews_and_their_themes(world):
    existing = _save(world, reference="DHR 1", themes=["Housing"])
    content = _csv(
        [
            HEADINGS,
            ["DHR 1", "DHR", "", "Published", "CHOG", "Housing; Mental health", "", "No"],
            ["SAR 1", "Safeguarding Adults Review", "27/03/2016", "In progress", "", "mental HEALTH", "", ""],
        ]
    )

    result = _import(world, content)

    assert result.ok, result.errors.messages()
    assert (result.created, result.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.status == "published"
    assert existing.overseen_by == world.group
    sar = CaseReview.objects.get(partnership=world.partnership, reference="SAR 1")
    assert sar.commissioned_on == date(2016, 3, 27)
    assert [(t.name, t.review_count) for t in selectors.recurring_themes(world.partnership)] == [
        ("Mental health", 2),
        ("Housing", 1),
    ]
    assert AuditEvent.objects.filter(action="import", partnership_id=world.partnership.pk).exists()


def test_an_import_with_a_bad_row_imports_nothing_and_names_the_row_and_column(world):
    content = _csv(
        [HEADINGS, ["DHR 1", "DHR", "", "Published", "", "", "", ""], ["DHR 2", "DHR", "", "Done", "", "", "", ""]]
    )

    result = _import(world, content)

    assert not result.ok
    assert any("Row 3" in message and "Status" in message for message in result.errors.messages())
    assert not CaseReview.objects.exists()


def test_an_import_cannot_reach_another_partnerships_review(world):
    theirs = CaseReviewFactory(partnership=world.other_partnership, reference="DHR 1")
    result = _import(world, _csv([HEADINGS, ["DHR 1", "DHR", "", "Closed", "", "", "", ""]]))

    assert result.ok
    theirs.refresh_from_db()
    assert theirs.status == CaseReview.Status.IN_PROGRESS
    assert CaseReview.objects.filter(partnership=world.partnership, status="closed").count() == 1


def test_the_import_page_previews_then_imports(world, client):
    client.force_login(world.lead)
    upload = SimpleUploadedFile("reviews.csv", _csv([HEADINGS, ["DHR 7", "DHR", "", "Commissioned", "", "", "", ""]]))
    preview = client.post(_url(world, "case_reviews_import"), {"file": upload})
    assert preview.status_code == 200
    assert not CaseReview.objects.exists()
    pending = preview.context["pending"]

    response = client.post(_url(world, "case_reviews_import"), {"confirm": pending.pk})

    assert response.status_code == 302
    assert CaseReview.objects.filter(partnership=world.partnership, reference="DHR 7").exists()


def test_the_import_command_imports_a_file(world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "reviews.csv"
    path.write_bytes(_csv([HEADINGS, ["DHR 8", "DHR", "", "Commissioned", "", "Housing", "", ""]]))
    call_command("import_case_reviews", str(path), partnership=world.partnership.slug)
    assert CaseReview.objects.get(reference="DHR 8").themes.get().name == "Housing"


def test_the_recommendations_page_sends_a_reviews_recommendation_to_its_review(world, client):
    review = CaseReviewFactory(partnership=world.partnership, reference="DHR 3")
    recommendation = case_review_recommendation(review, text="Train GPs on coercive control.")
    client.force_login(world.lead)

    page = client.get(_url(world, "recommendations")).content.decode()
    response = client.get(_url(world, "recommendation_edit", recommendation_id=recommendation.pk))

    assert "Train GPs on coercive control." in page
    assert _url(world, "case_review_detail", review_id=review.pk) in page
    assert response.status_code == 302
    assert response.url == _url(
        world, "case_review_recommendation_edit", review_id=review.pk, recommendation_id=recommendation.pk
    )


def test_a_large_register_file_is_checked_and_imported_by_the_task_runner(world, client, monkeypatch):
    from partnership.models import PendingUpload
    from vawg import tabular

    # Small request limits stand in for a large file (the immediate task backend runs the check at once).
    monkeypatch.setattr(tabular, "INLINE_LIMITS", tabular.Limits(max_rows=2, max_parse_bytes=2_000))
    rows = [HEADINGS] + [[f"DHR {n}", "DHR", "", "In progress", "", "Housing", "", ""] for n in range(1, 5)]
    client.force_login(world.lead)

    response = client.post(_url(world, "case_reviews_import"), {"file": SimpleUploadedFile("big.csv", _csv(rows))})

    upload = PendingUpload.objects.get()
    status = reverse("partnership:upload", args=[world.partnership.slug, upload.pk])
    assert response.status_code == 302 and response.url == status
    assert upload.state == PendingUpload.State.READY
    assert not CaseReview.objects.exists()
    client.post(status, {"action": "confirm"})
    assert CaseReview.objects.filter(partnership=world.partnership).count() == 4
    assert [(t.name, t.review_count) for t in selectors.recurring_themes(world.partnership)] == [("Housing", 4)]
