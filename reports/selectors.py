"""Reads of annual reports and their editions, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from partnership.models import Membership, Partnership
from reports.models import AnnualReport, ReportEdition

ACTIVE_STATES = [ReportEdition.State.QUEUED, ReportEdition.State.BUILDING]


def can_see_drafts(membership: Membership) -> bool:
    """Drafts are working copies for the people who write the report; board members see what is published."""
    return membership.is_strategic_lead or membership.is_coordinator


def _editions() -> QuerySet[ReportEdition]:
    return ReportEdition.objects.select_related("published_by", "requested_by").order_by("-requested_at", "-id")


def visible_editions(membership: Membership) -> QuerySet[ReportEdition]:
    editions = _editions()
    if not can_see_drafts(membership):
        editions = editions.filter(published_at__isnull=False)
    return editions


def reports_for(membership: Membership) -> list[AnnualReport]:
    """The partnership's reports, newest year first, each with its `latest_published` edition and, for those who
    see drafts, its `latest_build`. Two queries, however many editions have piled up."""
    visible = visible_editions(membership).filter(report=OuterRef("pk")).values("pk")
    reports = list(
        AnnualReport.objects.filter(partnership=membership.partnership)
        .annotate(
            latest_published_id=Subquery(visible.filter(published_at__isnull=False)[:1]),
            latest_build_id=Subquery(visible[:1]),
        )
        .order_by("-year")
    )
    wanted = {r.latest_published_id for r in reports} | {r.latest_build_id for r in reports}
    editions = visible_editions(membership).in_bulk([pk for pk in wanted if pk is not None])
    for report in reports:
        report.latest_published = editions.get(report.latest_published_id)
        report.latest_build = editions.get(report.latest_build_id)
    return reports


def report_for_year(partnership: Partnership, year: int) -> AnnualReport:
    reports = AnnualReport.objects.select_related("partnership", "updated_by")
    return get_object_or_404(reports, partnership=partnership, year=year)


def published_editions_of(report: AnnualReport) -> list[ReportEdition]:
    """Every published edition (a handful: each is a deliberate act of the lead), newest first."""
    return list(_editions().filter(report=report, published_at__isnull=False))


def draft_editions_of(report: AnnualReport) -> QuerySet[ReportEdition]:
    """Drafts and builds, newest first: they pile up with every build, so pages page them."""
    return _editions().filter(report=report, published_at__isnull=True)


def edition_for(report: AnnualReport, edition_id: int) -> ReportEdition:
    return get_object_or_404(
        ReportEdition.objects.select_related("report__partnership", "published_by", "requested_by"),
        pk=edition_id,
        report=report,
    )


def active_build(report: AnnualReport) -> ReportEdition | None:
    return ReportEdition.objects.filter(report=report, state__in=ACTIVE_STATES).order_by("-requested_at").first()
