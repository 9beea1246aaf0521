"""Synthetic partnerships at realistic volumes, for measuring the service at scale (`manage.py generate_scale_data`).

Every partnership gets 2-4 boroughs with populations, 6-10 groups in a governance tree (board -> executive ->
operational groups -> a task and finish group), one member account per group plus a strategic lead, a strategy
with 7 priorities and 40-120 actions (1-3 responsible groups each), a closed update round per quarter with an
accepted update from every responsible group (the latest round open, its updates submitted), a rating with its
change record per action and quarter, MARAC returns per borough and quarter, referral counts per service,
borough, quarter and abuse type, justice figures, outcome indicators with yearly figures and one consultation
with questions, results, themes and quotes (most approved with consent, some still awaiting their check or
approval).

Rows are written with `bulk_create` in batches, so nothing here goes through the services' `full_clean()`: the
values are drawn so that they meet every database constraint and the services' rules. Output depends only on
the seed and the arguments (`random.Random(seed)`, fixed dates), never on the clock or on existing rows.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from actions.models import (
    Action,
    ActionGroup,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    Strategy,
    UpdateRound,
    ref_sort_key,
)
from audit.models import AuditEvent
from consultations.models import (
    AnswerOption,
    ChartRendering,
    Consultation,
    Question,
    QuestionItem,
    Quote,
    QuoteEvent,
    ResponseCount,
    ResultsChange,
    Theme,
)
from partnership.models import Borough, BoroughPopulation, Membership, OperationalGroup, Partnership
from referrals.models import (
    REFERRAL_SOURCES,
    Dataset,
    DatasetOwner,
    IndicatorFigure,
    JusticeFigure,
    MaracReturn,
    OutcomeIndicator,
    ReferralCount,
    Service,
    abuse_types_for,
    justice_measures_for,
)
from vawg.periods import FinancialYear, Quarter
from vawg.rag import Rag

SLUG_PREFIX = "scale-"
# The last financial year generated (2025-26), fixed so that a seed gives the same data whatever the date.
LAST_YEAR = 2025
BATCH_SIZE = 2000

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
BOROUGH_NAMES = [
    "Northfield",
    "Southmoor",
    "Eastbrook",
    "Westvale",
    "Kingsford",
    "Ashbury",
    "Riverside",
    "Highgate Hill",
    "Millbank",
    "Stonebridge",
]
OPERATIONAL_GROUPS = [
    ("Children and Health Operational Group", "CHOG"),
    ("Housing Operational Group", "HOG"),
    ("Safer Streets Group", "SSG"),
    ("Risk and Review Group", "R&R"),
    ("Harmful Practices Group", "HP"),
    ("Communications Group", "COMMS"),
    ("Commissioning Group", "CSCG"),
]
SERVICES = [
    ("IDVA service", "Advance"),
    ("Refuge provision", "Hestia"),
    ("Community outreach", "Solace"),
    ("Sexual violence counselling", "Rape Crisis"),
    ("Children's therapeutic service", "Family Lives"),
    ("Perpetrator programme", "Respect"),
    ("Floating support", "Shelter"),
    ("Harmful practices advocacy", "Karma Nirvana"),
]
INDICATORS = [
    ("Repeat MARAC referrals (%)", "percent", "range"),
    ("Survivors feeling safer on leaving the service (%)", "percent", "higher"),
    ("Partner agency referrals to MARAC (%)", "percent", "higher"),
    ("Domestic abuse incidents per 1,000 residents", "rate", "lower"),
    ("Professionals trained", "count", "higher"),
    ("Sanction detection rate for domestic abuse (%)", "percent", "higher"),
    ("Survivors housed in their borough of choice", "count", "higher"),
    ("Schools delivering healthy relationships lessons", "count", "higher"),
]
SCALE_5 = [("Very positive", 2), ("Positive", 1), ("Neutral", 0), ("Negative", -1), ("Very negative", -2)]
AGREE_5 = [("Strongly agree", 2), ("Agree", 1), ("Neither", 0), ("Disagree", -1), ("Strongly disagree", -2)]
ITEMS = ["Police", "Courts", "Social services", "Housing", "GP", "Maternity", "A&E", "Mental health services"]
# (title, summary, what its quotes are about, quotes): as a survey's free-text answers are grouped for a report.
THEMES = [
    (
        "Being believed the first time",
        "Many said the first professional they told did not believe them, and that this kept them from asking again.",
        "Police",
        [
            "The first officer I spoke to made me feel like I was making it up.",
            "When my worker said she believed me, that was the first time anyone had.",
            "I told my doctor twice before anyone listened.",
            "Being believed made me brave enough to go on with the case.",
        ],
    ),
    (
        "Knowing where to go for help",
        "Survivors did not know which services existed until a crisis, and asked for information in many places.",
        "Information",
        [
            "I had no idea there was a service like this in my area.",
            "A leaflet in the GP toilets was how I found out.",
            "If the school had told me about the helpline I would have called sooner.",
            "Information in my own language would have helped me a lot.",
        ],
    ),
    (
        "Support that lasts",
        "Short-term support ended before survivors felt safe; they asked for longer contact and a named worker.",
        "Support",
        [
            "Just as I started to trust her the support ended.",
            "Having one worker all the way through the court case made the difference.",
            "I needed someone to check in after the case closed.",
            "The group sessions kept me going for months.",
        ],
    ),
    (
        "Services working together",
        "Survivors repeated their story to many agencies and wanted them to share information with their consent.",
        "Partnership working",
        [
            "I had to tell my story again to every new person.",
            "Housing and the police did not seem to talk to each other.",
            "When my IDVA joined the meeting, everyone finally listened.",
        ],
    ),
    (
        "A safe place to live",
        "Finding safe housing was the biggest worry, and delays kept some survivors with the abuser.",
        "Housing",
        [
            "I stayed longer than I should have because I had nowhere to go.",
            "The refuge gave my children and me a fresh start.",
            "Moving boroughs meant losing my support network.",
        ],
    ),
    (
        "Support for the children",
        "Parents asked for help for their children, who had seen and heard the abuse.",
        "Children",
        [
            "My son needed someone to talk to as much as I did.",
            "The school counsellor helped my daughter understand it was not her fault.",
            "There was a long wait for the children's service.",
        ],
    ),
]
UNTHEMED_QUOTES = [
    ("Courts", "The special measures at court meant I could give evidence without seeing him."),
    ("Police", "The officer who came the second time was kind and took it seriously."),
    ("", "Thank you for asking us what we think."),
    ("GP", "My GP asked me directly, and I am glad she did."),
]
CONSENT_NOTE = "Consent recorded on the survey form."
NOTHING_FLAGGED = "Redaction check found nothing to review."  # as consultations.services notes it


@dataclass
class Counts:
    by_model: Counter = field(default_factory=Counter)

    def add(self, model, rows: list) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.by_model[model._meta.label] += len(rows)
        return created


def years_for(count: int) -> list[int]:
    return list(range(LAST_YEAR - count + 1, LAST_YEAR + 1))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _after(period: Quarter, days: int) -> datetime:
    """Reviews of a quarter happen in the weeks after it ends."""
    return _at(period.next.starts_on + timedelta(days=days))


def existing_slugs() -> list[str]:
    return list(Partnership.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True))


def delete_scale_data() -> int:
    """Remove every generated partnership and its accounts.

    The big tables go with raw deletes: the ORM's cascade would load every row to send the audit log's
    delete signals (and PROTECT on groups blocks deleting a partnership whose groups still have updates).
    """
    partnerships = Partnership.objects.filter(slug__startswith=SLUG_PREFIX)
    ids = list(partnerships.values_list("pk", flat=True))
    if not ids:
        return 0
    raw = [
        (RagRatingChange, "action__strategy__partnership__in"),
        (RagRating, "action__strategy__partnership__in"),
        (ProgressUpdate, "action__strategy__partnership__in"),
        (ActionGroup, "action__strategy__partnership__in"),
        (Action.recommendations.through, "action__strategy__partnership__in"),
        (Action, "strategy__partnership__in"),
        (UpdateRound, "strategy__partnership__in"),
        (Priority, "strategy__partnership__in"),
        (Strategy, "partnership__in"),
        (ReferralCount, "service__partnership__in"),
        (MaracReturn, "borough__partnership__in"),
        (JusticeFigure, "borough__partnership__in"),
        (IndicatorFigure, "indicator__partnership__in"),
        (QuoteEvent, "quote__consultation__partnership__in"),
        (Quote, "consultation__partnership__in"),
        (Theme, "consultation__partnership__in"),
        (ResponseCount, "question__consultation__partnership__in"),
        (AnswerOption, "question__consultation__partnership__in"),
        (QuestionItem, "question__consultation__partnership__in"),
        (Question, "consultation__partnership__in"),
        (ChartRendering, "consultation__partnership__in"),
        (ResultsChange, "consultation__partnership__in"),
        (Consultation, "partnership__in"),
        (Membership.groups.through, "membership__partnership__in"),
        (Membership, "partnership__in"),
        (BoroughPopulation, "borough__partnership__in"),
        (Borough, "partnership__in"),
        (Service, "partnership__in"),
        (OutcomeIndicator, "partnership__in"),
        (DatasetOwner, "partnership__in"),
    ]
    with transaction.atomic():
        for model, path in raw:
            model.objects.filter(**{path: ids})._raw_delete(connection.alias)
        groups = OperationalGroup.objects.filter(partnership__in=ids)
        groups.update(parent=None)
        groups._raw_delete(connection.alias)
        # As the audit log's SET_NULL would: its events outlive the partnership.
        AuditEvent.objects.filter(partnership__in=ids).update(partnership=None)
        partnerships._raw_delete(connection.alias)
        get_user_model().objects.filter(username__startswith=SLUG_PREFIX).delete()
    return len(ids)


def generate(*, partnerships: int, years: int, seed: int, progress=None) -> Counter:
    """Create `partnerships` partnerships slugged scale-001... with `years` financial years of data each."""
    if partnerships < 1 or years < 1:
        raise ValueError("Give at least one partnership and one year.")
    counts = Counts()
    password = make_password(None)  # unusable: these accounts are for force_login in benchmarks and tests
    for number in range(1, partnerships + 1):
        # One generator per partnership: partnership n is the same whatever the total asked for.
        rng = random.Random(f"{seed}-{number}")  # noqa: S311 - synthetic data, reproducible on purpose
        with transaction.atomic():
            _partnership(rng, counts, number, years_for(years), password)
        if progress:
            progress(number)
    return counts.by_model


def _partnership(rng: random.Random, counts: Counts, number: int, years: list[int], password: str) -> None:
    slug = f"{SLUG_PREFIX}{number:03d}"
    partnership = Partnership.objects.create(
        name=f"Scale VAWG Partnership {number:03d}", slug=slug, short_name=f"Scale {number:03d}"
    )
    counts.by_model["partnership.Partnership"] += 1
    quarters = [Quarter(year, q) for year in years for q in range(1, 5)]

    boroughs = counts.add(
        Borough,
        [
            Borough(partnership=partnership, name=name, short_name=name[:4].upper(), ons_code=f"E0900{i:04d}")
            for i, name in enumerate(rng.sample(BOROUGH_NAMES, rng.randint(2, 4)))
        ],
    )
    populations = []
    for borough in boroughs:
        base = rng.randint(150_000, 320_000)
        for year in years:
            population = base + (year - years[0]) * rng.randint(500, 2500)
            populations.append(
                BoroughPopulation(
                    borough=borough, year=year, population=population, females_16_plus=int(population * 0.41)
                )
            )
    counts.add(BoroughPopulation, populations)

    groups, users = _governance(rng, counts, partnership, password)
    lead = users["lead"]
    operational = [g for g in groups if g.kind != OperationalGroup.Kind.STRATEGIC_BOARD]
    _action_plan(rng, counts, partnership, years, quarters, operational, users, lead)
    _figures(rng, counts, partnership, years, quarters, boroughs, groups)
    consultation, questions = _consultation(rng, counts, partnership, years, lead)
    _themes_and_quotes(rng, counts, consultation, questions, lead)


def _governance(rng, counts: Counts, partnership: Partnership, password: str):
    User = get_user_model()
    n_operational = rng.randint(3, 6)  # plus board, executive and one task and finish group: 6-9 groups
    chosen = rng.sample(OPERATIONAL_GROUPS, n_operational)
    board, executive = counts.add(
        OperationalGroup,
        [
            OperationalGroup(
                partnership=partnership,
                name="VAWG Strategic Board",
                abbreviation="BOARD",
                kind=OperationalGroup.Kind.STRATEGIC_BOARD,
                chair_title="Director of Community Safety",
                display_order=0,
            ),
            OperationalGroup(
                partnership=partnership,
                name="VAWG Executive Group",
                abbreviation="EXEC",
                kind=OperationalGroup.Kind.EXECUTIVE_GROUP,
                display_order=1,
            ),
        ],
    )
    executive.parent = board
    executive.save(update_fields=["parent"])
    middle = counts.add(
        OperationalGroup,
        [
            OperationalGroup(
                partnership=partnership,
                name=name,
                abbreviation=abbreviation,
                parent=executive,
                remit=f"Delivers the {name.lower()}'s actions of the strategy.",
                display_order=2 + i,
            )
            for i, (name, abbreviation) in enumerate(chosen)
        ],
    )
    extra = []
    if rng.random() < 0.5:
        # A second task and finish group now and then makes 10 groups.
        extra.append(("Training Task and Finish Group", "TRAIN"))
    extra.append(("Needs Assessment Task and Finish Group", "NA"))
    finish = counts.add(
        OperationalGroup,
        [
            OperationalGroup(
                partnership=partnership,
                name=name,
                abbreviation=abbreviation,
                kind=OperationalGroup.Kind.TASK_AND_FINISH,
                parent=rng.choice(middle),
                display_order=20 + i,
            )
            for i, (name, abbreviation) in enumerate(extra)
        ],
    )
    groups = [board, executive, *middle, *finish]
    slug = partnership.slug
    people = [("lead", "Strategic", "Lead")] + [(g.abbreviation, "Coordinator", g.abbreviation) for g in groups[1:]]
    people.append(("board", "Board", "Member"))
    created = counts.add(
        User,
        [
            User(
                username=f"{slug}-{key.lower().replace('&', '')}",
                first_name=first,
                last_name=last,
                email=f"{key.lower().replace('&', '')}@{slug}.example.org",
                password=password,
            )
            for key, first, last in people
        ],
    )
    users = {key: user for (key, _, _), user in zip(people, created, strict=True)}
    memberships = counts.add(
        Membership,
        [
            Membership(
                user=users[key],
                partnership=partnership,
                role=(
                    Membership.Role.STRATEGIC_LEAD
                    if key == "lead"
                    else Membership.Role.BOARD_MEMBER
                    if key == "board"
                    else Membership.Role.COORDINATOR
                ),
                job_title=f"{first} {last}",
            )
            for key, first, last in people
        ],
    )
    by_abbreviation = {g.abbreviation: g for g in groups}
    through = Membership.groups.through
    links = [
        through(membership_id=m.pk, operationalgroup_id=by_abbreviation[key].pk)
        for (key, _, _), m in zip(people, memberships, strict=True)
        if key in by_abbreviation
    ]
    links.append(through(membership_id=memberships[-1].pk, operationalgroup_id=board.pk))
    counts.add(through, links)
    for group in groups[1:]:
        group.coordinator = users[group.abbreviation]
    OperationalGroup.objects.bulk_update(groups[1:], ["coordinator"])
    users_by_group = {by_abbreviation[key].pk: users[key] for key in users if key in by_abbreviation}
    users_by_group["lead"] = users["lead"]
    return groups, users_by_group


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
                closed_at=None if period == last else _after(period, 30),
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
                    set_at=_after(period, 21),
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
                        updated_at=_after(period, 10),
                        submitted_at=_after(period, 10),
                        reviewed_by=None if submitted else lead,
                        reviewed_at=None if submitted else _after(period, 20),
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


def _figures(rng, counts: Counts, partnership, years, quarters, boroughs, groups) -> None:
    owner = next((g for g in groups if g.abbreviation == "R&R"), groups[1])
    counts.add(
        DatasetOwner,
        [DatasetOwner(partnership=partnership, dataset=d, group=owner) for d in (Dataset.MARAC, Dataset.REFERRALS)],
    )
    returns = []
    for borough in boroughs:
        scale = rng.uniform(0.6, 1.4)
        for period in quarters:
            if rng.random() < 0.03:
                returns.append(MaracReturn(borough=borough, year=period.year, quarter=period.number, submitted=False))
                continue
            cases = max(10, int(rng.gauss(75, 15) * scale))
            sources = {name: Decimal(0) for name, _ in REFERRAL_SOURCES}
            for _ in range(cases):
                sources[rng.choice(("referrals_police",) * 5 + tuple(name for name, _ in REFERRAL_SOURCES))] += 1
            returns.append(
                MaracReturn(
                    borough=borough,
                    year=period.year,
                    quarter=period.number,
                    meetings=rng.randint(2, 4),
                    cases_discussed=cases,
                    repeat_cases=int(cases * rng.uniform(0.15, 0.35)),
                    children_in_household=int(cases * rng.uniform(1.0, 1.6)),
                    victims_bame=int(cases * rng.uniform(0.2, 0.5)),
                    victims_lgbt=int(cases * rng.uniform(0.0, 0.05)),
                    victims_disabled=int(cases * rng.uniform(0.02, 0.1)),
                    victims_male=int(cases * rng.uniform(0.02, 0.08)),
                    victims_aged_16_17=int(cases * rng.uniform(0.0, 0.03)),
                    perpetrators_under_18=int(cases * rng.uniform(0.0, 0.03)),
                    **sources,
                )
            )
    counts.add(MaracReturn, returns)

    services = counts.add(
        Service,
        [
            Service(partnership=partnership, name=name, provider=provider, offers=f"{name} for survivors.")
            for name, provider in rng.sample(SERVICES, rng.randint(4, 8))
        ],
    )
    types = list(abuse_types_for(partnership))
    cells = []
    for service in services:
        # Most services report quarterly by every abuse type; some split new and repeat referrals.
        kinds = ["new", "repeat"] if rng.random() < 0.25 else [""]
        service_types = rng.sample(types, rng.randint(3, len(types)))
        for borough in boroughs:
            for period in quarters:
                for abuse_type in service_types:
                    for kind in kinds:
                        cells.append(
                            ReferralCount(
                                service=service,
                                borough=borough,
                                year=period.year,
                                quarter=period.number,
                                abuse_type=abuse_type,
                                kind=kind,
                                count=max(0, int(rng.gauss(12, 8))),
                            )
                        )
    counts.add(ReferralCount, cells)

    counts.add(
        JusticeFigure,
        [
            JusticeFigure(
                measure=measure,
                borough=borough,
                year=year,
                value=None if rng.random() < 0.05 else rng.randint(40, 3000),
            )
            for measure in justice_measures_for(partnership)
            for borough in boroughs
            for year in years
        ],
    )

    indicators = counts.add(
        OutcomeIndicator,
        [
            OutcomeIndicator(
                partnership=partnership,
                name=name,
                unit=unit,
                polarity=polarity,
                tolerance=Decimal(5),
                source="Partnership returns",
                display_order=i,
            )
            for i, (name, unit, polarity) in enumerate(rng.sample(INDICATORS, rng.randint(5, 8)), start=1)
        ],
    )
    figures = []
    for indicator in indicators:
        for borough in [None, *boroughs]:
            base = Decimal(rng.randint(20, 80))
            for year in years:
                figures.append(
                    IndicatorFigure(
                        indicator=indicator,
                        borough=borough,
                        year=year,
                        baseline=base if year == years[0] else None,
                        target=base + 5,
                        achieved=base + rng.randint(-10, 12),
                    )
                )
    counts.add(IndicatorFigure, figures)


def _consultation(rng, counts: Counts, partnership, years, lead) -> tuple[Consultation, list[Question]]:
    year = FinancialYear(years[-1])
    consultation = Consultation.objects.create(
        partnership=partnership,
        title=f"Survivor feedback survey {year}",
        slug=f"survivor-survey-{year}",
        audience=Consultation.Audience.SURVIVORS,
        method=Consultation.Method.SURVEY,
        period_start=year.starts_on,
        period_end=year.ends_on,
        respondents=rng.randint(60, 200),
        run_by="Advance",
        summary="What survivors told us about the services they used.",
        created_by=lead,
        updated_by=lead,
    )
    counts.by_model["consultations.Consultation"] += 1
    respondents = consultation.respondents
    specs = [
        ("Q1", "How would you describe your experience of each of these services?", "rating_scale", SCALE_5, ITEMS),
        ("Q2", "Did you feel believed by each of these services?", "yes_no", [("Yes", 1), ("No", -1)], ITEMS[:5]),
        ("Q3", "I knew where to go for help.", "agreement", AGREE_5, ["Where to go for help"]),
        (
            "Q4",
            "How did you first hear about the service?",
            "single_choice",
            [("Police", None), ("GP", None), ("Friend or family", None), ("Online", None), ("Other", None)],
            [],
        ),
        ("Q5", "What would have helped you sooner?", "free_text", [], []),
    ]
    questions = counts.add(
        Question,
        [
            Question(consultation=consultation, ref=ref, text=text, kind=kind, position=i)
            for i, (ref, text, kind, _, _) in enumerate(specs, start=1)
        ],
    )
    is_scale = {"rating_scale", "yes_no", "agreement"}
    options = counts.add(
        AnswerOption,
        [
            AnswerOption(question=q, label=label, position=p, valence=valence if kind in is_scale else None)
            for q, (_, _, kind, opts, _) in zip(questions, specs, strict=True)
            for p, (label, valence) in enumerate(opts, start=1)
        ],
    )
    items = counts.add(
        QuestionItem,
        [
            QuestionItem(question=q, label=label, position=p)
            for q, (_, _, _, _, labels) in zip(questions, specs, strict=True)
            for p, label in enumerate(labels, start=1)
        ],
    )
    rows = []
    for question in questions:
        question_options = [o for o in options if o.question_id == question.pk]
        question_items = [i for i in items if i.question_id == question.pk] or [None]
        for item in question_items:
            # Split the respondents among the options, so each item's counts add up to the number who answered.
            remaining = respondents
            for index, option in enumerate(question_options):
                share = remaining if index == len(question_options) - 1 else rng.randint(0, remaining)
                remaining -= share
                rows.append(ResponseCount(question=question, item=item, option=option, count=share))
    counts.add(ResponseCount, rows)
    return consultation, questions


def _themes_and_quotes(rng, counts: Counts, consultation: Consultation, questions: list[Question], lead) -> None:
    """4-6 themes, most drawn from the free-text question, each with its quotes; a few quotes with no theme.

    About four quotes in five are approved with consent (the only ones pages and reports show); the rest wait
    for their redaction check or for approval, with the events that got them there.
    """
    free_text = next(q for q in questions if q.kind == Question.Kind.FREE_TEXT)
    chosen = rng.sample(THEMES, rng.randint(4, 6))
    themes = counts.add(
        Theme,
        [
            Theme(
                consultation=consultation,
                question=free_text if rng.random() < 0.7 else None,
                title=title,
                summary=summary,
                position=position,
            )
            for position, (title, summary, _, _) in enumerate(chosen, start=1)
        ],
    )
    drafted = _at(consultation.period_end + timedelta(days=14))
    checked, approved = drafted + timedelta(days=2), drafted + timedelta(days=5)
    quotes = []
    for theme, (_, _, topic, texts) in zip(themes, chosen, strict=True):
        quotes += [(theme, topic, text) for text in rng.sample(texts, rng.randint(2, len(texts)))]
    quotes += [(None, topic, text) for topic, text in rng.sample(UNTHEMED_QUOTES, rng.randint(1, 3))]
    rows = []
    for position, (theme, topic, text) in enumerate(quotes, start=1):
        draw = rng.random()
        status = Quote.Status.APPROVED if draw < 0.8 else Quote.Status.CHECKED if draw < 0.92 else Quote.Status.DRAFT
        is_checked = status != Quote.Status.DRAFT
        is_approved = status == Quote.Status.APPROVED
        rows.append(
            Quote(
                consultation=consultation,
                theme=theme,
                topic=topic,
                text=text,
                status=status,
                consent_given=is_approved,
                consent_note=CONSENT_NOTE if is_approved else "",
                version=1 + is_checked + is_approved,
                position=position,
                created_by=lead,
                checked_by=lead if is_checked else None,
                checked_at=checked if is_checked else None,
                approved_by=lead if is_approved else None,
                approved_at=approved if is_approved else None,
            )
        )
    created = counts.add(Quote, rows)
    events = []
    for quote in created:
        events.append(QuoteEvent(quote=quote, action=QuoteEvent.Action.DRAFTED, by=lead, note=NOTHING_FLAGGED))
        if quote.status != Quote.Status.DRAFT:
            events.append(QuoteEvent(quote=quote, action=QuoteEvent.Action.CHECKED, by=lead, note="Nothing flagged."))
        if quote.status == Quote.Status.APPROVED:
            events.append(
                QuoteEvent(quote=quote, action=QuoteEvent.Action.APPROVED, by=lead, note=f"Consent: {CONSENT_NOTE}")
            )
    counts.add(QuoteEvent, events)
