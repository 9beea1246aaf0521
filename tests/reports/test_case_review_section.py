"""The annual report's case review section: reviews by type and status, recurring themes and the progress of the
reviews' recommendations, read from the register."""

import pytest

from actions import services
from actions.models import CaseReview, Recommendation
from reports import builder
from reports.models import AnnualReport
from tests.actions.factories import case_review_recommendation
from tests.reports.pdf import pdf_text


@pytest.fixture
def report(world):
    return AnnualReport.objects.create(partnership=world.partnership, year=2015)


def _review(world, reference, kind="dhr", status="in_progress", themes=()):
    return services.case_review_save(
        partnership=world.partnership, kind=kind, reference=reference, status=status, themes=list(themes), user=None
    )


def test_the_report_counts_reviews_themes_and_recommendations(world, report):
    first = _review(world, "DHR 1", themes=["Coercive control", "Housing"])
    _review(world, "DHR 2", status="published", themes=["Coercive control"])
    _review(world, "SCR 1", kind="scr", themes=["Coercive control"])
    case_review_recommendation(first, status=Recommendation.Status.IMPLEMENTED)
    # Another partnership's register stays out of this report.
    services.case_review_save(
        partnership=world.other_partnership, kind="sar", reference="SAR 1", status="closed", themes=["X"], user=None
    )

    built = builder.build(report, draft=True)

    tables = built.context.case_reviews
    rows = {row[0]: row for row in tables["by_kind"].rows}
    statuses = [s.label for s in CaseReview.Status]
    assert rows["Domestic Homicide Review"][statuses.index("Published") + 1] == 1
    assert rows["Domestic Homicide Review"][-1] == 2
    assert "Safeguarding Adults Review" not in rows
    assert tables["themes"].rows[0] == ["Coercive control", 3]
    assert {r[0]: r[1] for r in tables["recommendations"].rows}["Implemented"] == 1
    assert "Themes recurring across case reviews" in built.html
    text = " ".join(pdf_text(built.pdf.content))
    assert "Case reviews by type and status" in text
    assert "Coercive control" in text


def test_a_partnership_without_reviews_says_so(world, report):
    built = builder.build(report, draft=True, with_pdf=False)
    assert built.context.case_reviews is None
    assert "No case reviews are recorded." in built.html
