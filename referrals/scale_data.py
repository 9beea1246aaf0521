"""The scale data's figures (see `partnership.scale_data`): MARAC returns per borough and quarter, referral counts per
service, borough, quarter and abuse type, justice figures, and outcome indicators with yearly figures."""

from __future__ import annotations

from decimal import Decimal

from partnership.scale_data import Counts, ScalePartnership, Step
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


def generate(world: ScalePartnership) -> None:
    _figures(world.rng, world.counts, world.partnership, world.years, world.quarters, world.boroughs, world.groups)


STEP = Step(
    app="referrals",
    generate=generate,
    tables=[
        (ReferralCount, "service__partnership__in"),
        (MaracReturn, "borough__partnership__in"),
        (JusticeFigure, "borough__partnership__in"),
        (IndicatorFigure, "indicator__partnership__in"),
        (Service, "partnership__in"),
        (OutcomeIndicator, "partnership__in"),
        (DatasetOwner, "partnership__in"),
    ],
)
