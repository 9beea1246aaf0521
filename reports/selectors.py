"""Reads of annual reports and their editions, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from partnership.models import Membership, Partnership
from reports.models import AnnualReport, ReportEdition, SubgroupUpdate, SubgroupUpdateEdition

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


# --- The sub group's quarterly updates -------------------------------------------------------------------------


def updates_for(partnership: Partnership) -> QuerySet[SubgroupUpdate]:
    """The partnership's updates, newest quarter first, each with its group and its latest ready edition's id."""
    latest = SubgroupUpdateEdition.objects.filter(update=OuterRef("pk"), state=SubgroupUpdateEdition.State.READY)
    return (
        SubgroupUpdate.objects.filter(partnership=partnership)
        .select_related("group", "group__parent", "updated_by")
        .annotate(latest_edition_id=Subquery(latest.order_by("-requested_at", "-id").values("pk")[:1]))
        .order_by("-year", "-quarter", "group__name")
    )


def update_for(partnership: Partnership, update_id: int) -> SubgroupUpdate:
    """One of the partnership's updates, or 404 (another partnership's do not exist for its members)."""
    return get_object_or_404(updates_for(partnership).select_related("partnership"), pk=update_id)


def update_editions(update: SubgroupUpdate) -> list[SubgroupUpdateEdition]:
    return list(update.editions.select_related("requested_by").order_by("-requested_at", "-id"))


def active_update_build(update: SubgroupUpdate) -> SubgroupUpdateEdition | None:
    return update.editions.filter(state__in=UPDATE_ACTIVE_STATES).order_by("-requested_at").first()


UPDATE_ACTIVE_STATES = [SubgroupUpdateEdition.State.QUEUED, SubgroupUpdateEdition.State.BUILDING]
