"""Reads of annual reports and their editions, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from partnership.models import Membership, Partnership
from reports.models import AnnualReport, ReportEdition

ACTIVE_STATES = [ReportEdition.State.QUEUED, ReportEdition.State.BUILDING]


def can_see_drafts(membership: Membership) -> bool:
    """Drafts are working copies for the people who write the report; board members see what is published."""
    return membership.is_strategic_lead or membership.is_coordinator


def visible_editions(membership: Membership) -> QuerySet[ReportEdition]:
    editions = ReportEdition.objects.select_related("published_by", "requested_by")
    if not can_see_drafts(membership):
        editions = editions.filter(published_at__isnull=False)
    return editions.order_by("-requested_at", "-id")


def reports_for(membership: Membership) -> list[AnnualReport]:
    """The partnership's reports, newest year first, each with the editions the member may see
    (`shown_editions`), its `latest_published` and, for those who see drafts, its `latest_build`. Two queries."""
    reports = list(
        AnnualReport.objects.filter(partnership=membership.partnership)
        .prefetch_related(Prefetch("editions", queryset=visible_editions(membership), to_attr="shown_editions"))
        .order_by("-year")
    )
    for report in reports:
        report.latest_published = next((e for e in report.shown_editions if e.is_published), None)
        report.latest_build = report.shown_editions[0] if report.shown_editions else None
    return reports


def report_for_year(partnership: Partnership, year: int) -> AnnualReport:
    reports = AnnualReport.objects.select_related("partnership", "updated_by")
    return get_object_or_404(reports, partnership=partnership, year=year)


def editions_of(report: AnnualReport, membership: Membership) -> list[ReportEdition]:
    return list(visible_editions(membership).filter(report=report))


def edition_for(report: AnnualReport, edition_id: int) -> ReportEdition:
    return get_object_or_404(
        ReportEdition.objects.select_related("report__partnership", "published_by", "requested_by"),
        pk=edition_id,
        report=report,
    )


def active_build(report: AnnualReport) -> ReportEdition | None:
    return ReportEdition.objects.filter(report=report, state__in=ACTIVE_STATES).order_by("-requested_at").first()
