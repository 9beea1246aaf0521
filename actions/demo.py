"""Demo action plan from the seed documents, loaded idempotently by `manage.py load_demo`.

- fixtures/action_plan_2015_18.json: seed 003's Appendix 2 (43 actions, groups, progress, next steps) with
  ratings for 2015-16 Q2-Q4; Q4 matches the report's Fig 2 (24 green, 15 amber, 4 red). Its "_note" explains
  the choices made where the extracted text lost a cell.
- fixtures/action_plan_addendum_2018_21.json: seed 004's 2018-21 addendum actions.
- fixtures/action_plan_tower_hamlets_2006.json: Tower Hamlets' response to its scrutiny review (seed 001), an
  illustrative plan (its pages say so) written from the recommendations it answers;
- fixtures/recommendations_001.json: seed 001's recommendations R1-R12, each linked to that plan's action.
- fixtures/action_plan_barking_dagenham_2018.json: the Barking & Dagenham sub group's forward plan (seed 002).
- fixtures/case_reviews_tri_borough.json: seed 003's six DHRs and its first joint SCR/DHR (RBKC, 2015) on the
  case review register; what the seed does not give is empty or marked illustrative (its "_note" says which).

`STEPS` says which partnership gets which: each partnership only its own seeds' plans.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from actions import selectors, services
from actions.models import (
    Action,
    CaseReview,
    CaseReviewTheme,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    Recommendation,
    Strategy,
    UpdateRound,
)
from partnership.models import Membership, OperationalGroup, Partnership
from vawg.periods import FinancialYear, Quarter
from vawg.rag import parse_rag

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PLAN_2015_18 = FIXTURES / "action_plan_2015_18.json"
ADDENDUM_2018_21 = FIXTURES / "action_plan_addendum_2018_21.json"
SCRUTINY_RESPONSE_2006 = FIXTURES / "action_plan_tower_hamlets_2006.json"
RECOMMENDATIONS = FIXTURES / "recommendations_001.json"
FORWARD_PLAN_2018 = FIXTURES / "action_plan_barking_dagenham_2018.json"
CASE_REVIEWS = FIXTURES / "case_reviews_tri_borough.json"


def _when(period: Quarter) -> datetime:
    """Ratings and updates of a quarter are dated three weeks after it ends, as the review cycle ran."""
    return timezone.make_aware(datetime.combine(period.next.starts_on + timedelta(days=20), time(10, 0)))


def _strategy(partnership: Partnership, data: dict) -> tuple[Strategy, dict[int, Priority]]:
    strategy, _ = Strategy.objects.update_or_create(
        partnership=partnership,
        slug=data["strategy"]["slug"],
        defaults={
            "title": data["strategy"]["title"],
            "first_year": FinancialYear.parse(data["strategy"]["first_year"]).start,
            "last_year": FinancialYear.parse(data["strategy"]["last_year"]).start,
            "illustrative": data["strategy"].get("illustrative", False),
        },
    )
    priorities = {}
    for row in data["priorities"]:
        priorities[row["number"]], _ = Priority.objects.update_or_create(
            strategy=strategy,
            number=row["number"],
            defaults={"title": row["title"], "short_title": row["short_title"], "commitment": row["commitment"]},
        )
    return strategy, priorities


def _action(strategy, priority, ref: str, text: str, groups: list[OperationalGroup]) -> Action:
    existing = Action.objects.filter(strategy=strategy, ref=ref).first()
    return services.action_save(action=existing, priority=priority, ref=ref, text=text, groups=groups)


def _accepted_update(action, group, period, *, progress, next_steps="", impact="", user) -> None:
    when = _when(period)
    ProgressUpdate.objects.update_or_create(
        action=action,
        group=group,
        year=period.year,
        quarter=period.number,
        defaults={
            "successes_and_challenges": progress,
            "next_steps": next_steps,
            "impact": impact,
            "status": ProgressUpdate.Status.ACCEPTED,
            "created_by": user,
            "updated_by": user,
            "updated_at": when,
            "submitted_at": when,
            "reviewed_by": user,
            "reviewed_at": when,
        },
    )


def _rate(action, period: Quarter, rating: str, reason: str, user) -> None:
    current = RagRating.objects.filter(action=action, year=period.year, quarter=period.number).first()
    services.rag_rating_set(
        action=action,
        period=period,
        rating=parse_rag(rating),
        reason=reason,
        expected_version=current.version if current else 0,
        user=user,
        source=RagRatingChange.Source.DEMO,
        changed_at=_when(period),
    )


def _load_plan(partnership, groups, lead) -> Strategy:
    data = json.loads(PLAN_2015_18.read_text())
    strategy, priorities = _strategy(partnership, data)
    year_end = Quarter.parse("2015-16 Q4")
    for row in data["actions"]:
        action_groups = list(dict.fromkeys(groups[a] for entry in row["rows"] for a in entry["groups"]))
        action = _action(strategy, priorities[row["priority"]], row["ref"], row["text"], action_groups)
        for entry in row["rows"]:
            if not (entry["progress"] or entry["next_steps"]):
                continue
            for abbreviation in entry["groups"]:
                _accepted_update(
                    action,
                    groups[abbreviation],
                    year_end,
                    progress=entry["progress"],
                    next_steps=entry["next_steps"],
                    user=lead,
                )
        for rating in row["ratings"]:
            _rate(action, Quarter.parse(rating["quarter"]), rating["rating"], rating["reason"], lead)
    return strategy


def _load_rounds(strategy: Strategy, groups, lead) -> None:
    """2015-16 Q4 closed; 2016-17 Q1 open and due in two weeks, with one update submitted and one in draft."""
    closed, _ = UpdateRound.objects.get_or_create(
        strategy=strategy, year=2015, quarter=4, defaults={"deadline": datetime(2016, 4, 15).date(), "opened_by": lead}
    )
    if closed.closed_at is None:
        closed.closed_at = _when(closed.period)
        closed.save(update_fields=["closed_at"])
    current, _ = UpdateRound.objects.get_or_create(
        strategy=strategy,
        year=2016,
        quarter=1,
        defaults={"deadline": timezone.localdate() + timedelta(days=14), "opened_by": lead},
    )
    # Drawn from the report's forward plan for 2016/17.
    samples = [
        (
            "2.8",
            "CHOG",
            ProgressUpdate.Status.SUBMITTED,
            "red",
            "Raised the CCG/IRIS funding issue with the three CCGs' safeguarding leads; no commitment to fund IRIS.",
            "Take the IRIS business case to the VAWG Board; address the CCG/IRIS funding issue.",
        ),
        (
            "6.2",
            "HOG",
            ProgressUpdate.Status.DRAFT,
            "green",
            "HOG Coordinator organising a perpetrator-focused meeting of the HOG.",
            "Workshop at the perpetrator-focused HOG meeting.",
        ),
    ]
    for ref, abbreviation, status, proposed, progress, next_steps in samples:
        action = Action.objects.get(strategy=strategy, ref=ref)
        coordinator = Membership.objects.filter(partnership=strategy.partnership, groups=groups[abbreviation]).first()
        author = coordinator.user if coordinator else lead
        when = timezone.now()
        ProgressUpdate.objects.get_or_create(
            action=action,
            group=groups[abbreviation],
            year=current.year,
            quarter=current.quarter,
            defaults={
                "successes_and_challenges": progress,
                "next_steps": next_steps,
                "proposed_rating": proposed,
                "status": status,
                "created_by": author,
                "updated_by": author,
                "updated_at": when,
                "submitted_at": when if status == ProgressUpdate.Status.SUBMITTED else None,
            },
        )


def _load_addendum(partnership, groups, lead) -> Strategy:
    data = json.loads(ADDENDUM_2018_21.read_text())
    strategy, priorities = _strategy(partnership, data)
    period = Quarter.parse(data["period"])
    for row in data["actions"]:
        action = _action(
            strategy, priorities[row["priority"]], row["ref"], row["text"], [groups[a] for a in row["groups"]]
        )
        for abbreviation in row["groups"]:
            _accepted_update(
                action, groups[abbreviation], period, progress=row["progress"], impact=row["impact"], user=lead
            )
        if row["rag"]:
            _rate(action, period, row["rag"], "Addendum 2018-21, agreed priorities and actions 2020-21", lead)
    return strategy


def _load_recommendations(partnership: Partnership) -> int:
    data = json.loads(RECOMMENDATIONS.read_text())
    for row in data["recommendations"]:
        existing = Recommendation.objects.filter(partnership=partnership, source=row["source"], ref=row["ref"]).first()
        services.recommendation_save(
            partnership=partnership,
            recommendation=existing,
            source_type=row["source_type"],
            source=row["source"],
            source_date=datetime.fromisoformat(row["source_date"]).date(),
            ref=row["ref"],
            text=row["text"],
            status=row["status"],
            actions=list(
                Action.objects.filter(
                    strategy__partnership=partnership, strategy__slug=row["strategy"], ref__in=row["actions"]
                )
            ),
        )
    return len(data["recommendations"])


def _load_case_reviews(partnership: Partnership, groups, lead) -> int:
    data = json.loads(CASE_REVIEWS.read_text())
    for row in data["reviews"]:
        existing = CaseReview.objects.filter(partnership=partnership, reference=row["reference"]).first()
        review = services.case_review_save(
            partnership=partnership,
            case_review=existing,
            expected_version=existing.version if existing else 0,
            kind=row["kind"],
            reference=row["reference"],
            status=row["status"],
            overseen_by=groups.get(row["overseen_by"]),
            themes=row["themes"],
            summary=row["summary"],
            illustrative=row["illustrative"],
            user=lead,
        )
        for item in row.get("recommendations", []):
            actions = [
                Action.objects.get(strategy__partnership=partnership, strategy__slug=slug, ref=ref)
                for slug, ref in item["actions"]
            ]
            services.case_review_recommendation_save(
                case_review=review,
                recommendation=review.recommendations.filter(ref=item["ref"]).first(),
                ref=item["ref"],
                text=item["text"],
                status=item["status"],
                source_date=datetime.fromisoformat(item["source_date"]).date(),
                actions=actions,
            )
    # The seed names no themes: every demo theme is illustrative, and its pages say so.
    for theme in CaseReviewTheme.objects.filter(partnership=partnership, illustrative=False):
        theme.illustrative = True
        theme.save(update_fields=["illustrative"])
    return len(data["reviews"])


def _load_simple_plan(partnership, groups, lead, path: Path) -> Strategy:
    """A plan whose actions carry at most one progress text for one period, and no ratings."""
    data = json.loads(path.read_text())
    strategy, priorities = _strategy(partnership, data)
    period = Quarter.parse(data["period"]) if "period" in data else None
    for row in data["actions"]:
        action_groups = [groups[a] for a in row["groups"]]
        action = _action(strategy, priorities[row["priority"]], row["ref"], row["text"], action_groups)
        if period and row.get("progress"):
            for group in action_groups:
                _accepted_update(
                    action, group, period, progress=row["progress"], next_steps=row.get("next_steps", ""), user=lead
                )
    return strategy


def _context(partnership: Partnership):
    groups = {g.abbreviation: g for g in OperationalGroup.objects.filter(partnership=partnership)}
    lead_membership = (
        Membership.objects.filter(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD)
        .select_related("user")
        .first()
    )
    return groups, lead_membership.user if lead_membership else None


@transaction.atomic
def load_tri_borough(partnership: Partnership) -> str:
    groups, lead = _context(partnership)
    plan = _load_plan(partnership, groups, lead)
    _load_rounds(plan, groups, lead)
    addendum = _load_addendum(partnership, groups, lead)
    reviews = _load_case_reviews(partnership, groups, lead)
    summary = selectors.rag_summary(strategy=plan, year=2015)
    return (
        f"{plan.actions.count()} actions in {plan.title} and {addendum.actions.count()} in {addendum.title}; "
        f"{reviews} case reviews; "
        f"2015-16: "
        + ", ".join(f"{row.total} {row.rating.label.lower()} ({row.percent}%)" for row in summary.rows if row.total)
    )


@transaction.atomic
def load_tower_hamlets(partnership: Partnership) -> str:
    groups, lead = _context(partnership)
    plan = _load_simple_plan(partnership, groups, lead, SCRUTINY_RESPONSE_2006)
    recommendations = _load_recommendations(partnership)
    return f"{plan.actions.count()} actions in {plan.title}; {recommendations} recommendations"


@transaction.atomic
def load_barking_dagenham(partnership: Partnership) -> str:
    groups, lead = _context(partnership)
    plan = _load_simple_plan(partnership, groups, lead, FORWARD_PLAN_2018)
    return f"{plan.actions.count()} items in {plan.title}, not rated"


STEPS = {
    "tri-borough": load_tri_borough,
    "tower-hamlets": load_tower_hamlets,
    "barking-dagenham": load_barking_dagenham,
}


def load(partnership: Partnership) -> str:
    return STEPS[partnership.slug](partnership)
