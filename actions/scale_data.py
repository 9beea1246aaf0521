"""The scale data's action plan (see `partnership.scale_data`): a strategy with 7 priorities and 40-120 actions (1-3
responsible groups each), a closed update round per quarter with an accepted update from every responsible group
(the latest round open, its updates submitted), and a rating with its change record per action and quarter; and a
case review register of about three reviews a year, with themes from one vocabulary and recommendations linked to
actions."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from actions.models import (
    Action,
    ActionGroup,
    CaseReview,
    CaseReviewTheme,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    Recommendation,
    Strategy,
    UpdateRound,
    ref_sort_key,
)
from partnership.scale_data import Counts, ScalePartnership, Step, after
from vawg.periods import FinancialYear
from vawg.rag import Rag

PRIORITIES = [
    ("Prevention and early intervention", "Prevention"),
    ("Children and young people", "Children & YP"),
    ("Provision of services", "Services"),
    ("Pursuing perpetrators", "Perpetrators"),
    ("Partnership working", "Partnership"),
    ("Harmful practices", "Harmful practices"),
    ("Training and awareness", "Training"),
]
VERBS = ["Deliver", "Develop", "Review", "Commission", "Embed", "Extend", "Map", "Pilot", "Monitor", "Promote"]
OBJECTS = [
    "a training programme on coercive control",
    "the referral pathway from primary care to IDVAs",
    "specialist support for survivors with complex needs",
    "awareness sessions in secondary schools",
    "the MARAC action tracking process",
    "a perpetrator programme with probation",
    "housing options for survivors fleeing abuse",
    "routine enquiry in maternity services",
    "the sanctuary scheme across the boroughs",
    "information sharing agreements between partners",
    "outreach to Black and minoritised communities",
    "support for survivors of sexual violence",
    "the response to female genital mutilation",
    "the local data on stalking and harassment",
    "the learning from domestic homicide reviews",
]
PURPOSES = [
    "so that survivors get help earlier",
    "to raise the number of partner agency referrals",
    "to close the gaps found by the needs assessment",
    "with the voluntary sector partners",
    "and report progress to the board every quarter",
    "in line with the commissioning plan",
]
PROGRESS = [
    "Sessions delivered as planned; attendance was good across all three boroughs.",
    "Delayed by staff vacancies; recruitment is under way and a new lead starts next month.",
    "Pathway agreed with partners and launched; early referrals are coming through.",
    "Funding confirmed for a further year; the steering group met twice.",
    "Data collected from every borough; the draft analysis goes to the next meeting.",
    "Partners disagree on the model; options paper to the executive group.",
    "Completed and evaluated; findings shared with the board.",
]
NEXT_STEPS = [
    "Present the findings to the board.",
    "Agree the funding for next year.",
    "Run the second round of sessions.",
    "Review the referral figures next quarter.",
    "Finalise the protocol with legal services.",
]
IMPACT = ["", "More survivors supported earlier.", "Improved partner confidence.", "Higher referral rates."]


def _action_text(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(PURPOSES)}."


def _action_plan(rng, counts: Counts, partnership, years, quarters, groups, users, lead) -> None:
    strategy = Strategy.objects.create(
        partnership=partnership,
        title=f"VAWG Strategy {FinancialYear(years[0])} to {FinancialYear(years[-1])}",
        slug=f"{years[0]}-{str(years[-1] + 1)[-2:]}",
        first_year=years[0],
        last_year=years[-1],
    )
    counts.by_model["actions.Strategy"] += 1
    priorities = counts.add(
        Priority,
        [
            Priority(
                strategy=strategy,
                number=n,
                title=title,
                short_title=short,
                commitment=f"We will make {title.lower()} everyone's business.",
            )
            for n, (title, short) in enumerate(PRIORITIES, start=1)
        ],
    )
    n_actions = rng.randint(40, 120)
    per_priority = Counter(rng.randrange(len(priorities)) for _ in range(n_actions))
    actions = []
    for index, priority in enumerate(priorities):
        for n in range(1, per_priority[index] + 1):
            ref = f"{priority.number}.{n}"
            actions.append(
                Action(
                    strategy=strategy, priority=priority, ref=ref, sort_key=ref_sort_key(ref), text=_action_text(rng)
                )
            )
    actions = counts.add(Action, actions)
    responsible = {action.pk: rng.sample(groups, rng.choice([1, 1, 2, 2, 2, 3])) for action in actions}
    counts.add(ActionGroup, [ActionGroup(action_id=a, group=g) for a, gs in responsible.items() for g in gs])

    last = quarters[-1]
    counts.add(
        UpdateRound,
        [
            UpdateRound(
                strategy=strategy,
                year=period.year,
                quarter=period.number,
                deadline=period.next.starts_on + timedelta(days=14),
                opened_by=lead,
                closed_at=None if period == last else after(period, 30),
            )
            for period in quarters
        ],
    )

    # Each action moves along a little each quarter: mostly green/amber, some red, completed near the end.
    ratings, updates, states = [], [], {}
    choices = [Rag.GREEN] * 5 + [Rag.AMBER] * 4 + [Rag.RED]
    for period in quarters:
        submitted = period == last
        for action in actions:
            previous = states.get(action.pk)
            if previous == Rag.COMPLETE:
                rating = Rag.COMPLETE
            elif previous and rng.random() < 0.7:
                rating = previous
            else:
                rating = Rag.COMPLETE if rng.random() < 0.02 else rng.choice(choices)
            states[action.pk] = rating
            ratings.append(
                RagRating(
                    action=action,
                    year=period.year,
                    quarter=period.number,
                    rating=Rag.NOT_RATED if submitted else rating,
                    reason="" if submitted else "Agreed at the review meeting.",
                    set_by=lead,
                    set_at=after(period, 21),
                )
            )
            for group in responsible[action.pk]:
                updates.append(
                    ProgressUpdate(
                        action=action,
                        group=group,
                        year=period.year,
                        quarter=period.number,
                        successes_and_challenges=rng.choice(PROGRESS),
                        next_steps=rng.choice(NEXT_STEPS),
                        impact=rng.choice(IMPACT),
                        proposed_rating=rating,
                        status=ProgressUpdate.Status.SUBMITTED if submitted else ProgressUpdate.Status.ACCEPTED,
                        created_by=users[group.pk],
                        updated_by=users[group.pk],
                        updated_at=after(period, 10),
                        submitted_at=after(period, 10),
                        reviewed_by=None if submitted else lead,
                        reviewed_at=None if submitted else after(period, 20),
                    )
                )
    counts.add(ProgressUpdate, updates)
    ratings = counts.add(RagRating, ratings)
    counts.add(
        RagRatingChange,
        [
            RagRatingChange(
                rating=r,
                action_id=r.action_id,
                year=r.year,
                quarter=r.quarter,
                previous="",
                new=r.rating,
                reason=r.reason,
                version=1,
                source=RagRatingChange.Source.IMPORT,
                changed_by=lead,
                changed_at=r.set_at,
            )
            for r in ratings
        ],
    )


THEMES = [
    "Coercive control",
    "Information sharing between agencies",
    "Mental health",
    "Substance misuse",
    "Children in the household",
    "Risk assessment",
    "Housing",
    "Economic abuse",
]


def _case_reviews(rng, counts: Counts, partnership, years, lead) -> None:
    themes = counts.add(CaseReviewTheme, [CaseReviewTheme(partnership=partnership, name=name) for name in THEMES])
    actions = list(Action.objects.filter(strategy__partnership=partnership).values_list("pk", flat=True))
    reviews, numbers = [], Counter()
    for year in years:
        for _ in range(rng.randint(2, 4)):
            kind = rng.choice([CaseReview.Kind.DHR, CaseReview.Kind.DHR, CaseReview.Kind.SAR, CaseReview.Kind.SCR])
            numbers[kind] += 1
            reference = f"{kind.value.upper()} {numbers[kind]}"
            reviews.append(
                CaseReview(
                    partnership=partnership,
                    kind=kind,
                    reference=reference,
                    sort_key=ref_sort_key(reference),
                    commissioned_on=FinancialYear(year).starts_on + timedelta(days=rng.randint(0, 360)),
                    status=rng.choice(CaseReview.Status.values),
                    updated_by=lead,
                )
            )
    reviews = counts.add(CaseReview, reviews)
    links, recommendations = [], []
    for review in reviews:
        for theme in rng.sample(themes, rng.randint(1, 3)):
            links.append(CaseReview.themes.through(casereview_id=review.pk, casereviewtheme_id=theme.pk))
        for number in range(rng.randint(0, 4)):
            recommendations.append(
                Recommendation(
                    partnership=partnership,
                    case_review=review,
                    source_type=review.kind,
                    source=review.reference,
                    source_date=review.commissioned_on + timedelta(days=300),
                    ref=str(number + 1),
                    sort_key=ref_sort_key(str(number + 1)),
                    text="Improve how agencies share risk information before a case conference.",
                    status=rng.choice(Recommendation.Status.values),
                )
            )
    counts.add(CaseReview.themes.through, links)
    recommendations = counts.add(Recommendation, recommendations)
    if actions:
        counts.add(
            Recommendation.actions.through,
            [
                Recommendation.actions.through(recommendation_id=r.pk, action_id=rng.choice(actions))
                for r in recommendations
            ],
        )


def generate(world: ScalePartnership) -> None:
    _action_plan(
        world.rng,
        world.counts,
        world.partnership,
        world.years,
        world.quarters,
        world.operational,
        world.users,
        world.lead,
    )
    _case_reviews(world.rng, world.counts, world.partnership, world.years, world.lead)


STEP = Step(
    app="actions",
    generate=generate,
    tables=[
        (Recommendation.actions.through, "recommendation__partnership__in"),
        (Recommendation, "partnership__in"),
        (CaseReview.themes.through, "casereview__partnership__in"),
        (CaseReview, "partnership__in"),
        (CaseReviewTheme, "partnership__in"),
        (RagRatingChange, "action__strategy__partnership__in"),
        (RagRating, "action__strategy__partnership__in"),
        (ProgressUpdate, "action__strategy__partnership__in"),
        (ActionGroup, "action__strategy__partnership__in"),
        (Action.recommendations.through, "action__strategy__partnership__in"),
        (Action, "strategy__partnership__in"),
        (UpdateRound, "strategy__partnership__in"),
        (Priority, "strategy__partnership__in"),
        (Strategy, "partnership__in"),
    ],
)
