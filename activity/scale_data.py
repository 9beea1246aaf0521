"""The scale data's activity records (see `partnership.scale_data`): a dozen agencies, training each quarter, a
few events a year, every operational group's meetings with the agencies present or sending apologies, and the
commissioned services with funding ending across the years. Values meet every constraint (`bulk_create`)."""

from __future__ import annotations

from datetime import date, timedelta

from activity.models import Agency, Attendance, Contract, Event, Meeting, Strand, TrainingSession
from partnership.scale_data import ScalePartnership, Step

AGENCIES = [
    "Metropolitan Police",
    "Children's Services",
    "Adult Social Care",
    "Housing",
    "Probation",
    "Acute Hospital Trust",
    "Mental Health Trust",
    "GP practices",
    "Schools",
    "Advance",
    "Solace",
    "Victim Support",
]
TOPICS = [
    ("Introduction to domestic abuse", Strand.DOMESTIC_ABUSE),
    ("MARAC briefing", Strand.DOMESTIC_ABUSE),
    ("Coercive control", Strand.DOMESTIC_ABUSE),
    ("FGM awareness", Strand.HARMFUL_PRACTICES),
    ("Forced marriage", Strand.HARMFUL_PRACTICES),
    ("Trafficking and exploitation", Strand.EXPLOITATION),
    ("Working with perpetrators", Strand.PERPETRATORS),
    ("Stalking and harassment", Strand.STALKING),
]
SERVICES = ["IDVA service", "Refuge provision", "Outreach", "Sexual violence counselling", "Perpetrator programme"]


def generate(world: ScalePartnership) -> None:
    rng, counts, partnership = world.rng, world.counts, world.partnership
    agencies = counts.add(Agency, [Agency(partnership=partnership, name=name) for name in AGENCIES])
    training, events, contracts = [], [], []
    for period in world.quarters:
        for n, (topic, strand) in enumerate(TOPICS):
            if rng.random() < 0.5:
                continue
            training.append(
                TrainingSession(
                    partnership=partnership,
                    year=period.year,
                    date=period.starts_on + timedelta(days=7 * (n % 12)),
                    topic=f"{topic} ({period})",
                    strand=strand,
                    agency=rng.choice([None, *agencies]),
                    number_trained=rng.randint(5, 40),
                    sessions=rng.choice([None, 1, 2, 3]),
                    provider=rng.choice(["Standing Together", "LSCB", "Advance", ""]),
                )
            )
    for year in world.years:
        for n in range(6):
            events.append(
                Event(
                    partnership=partnership,
                    date=date(year, 4 + n, 10),
                    title=f"Awareness event {n + 1}",
                    kind=rng.choice(Event.Kind.values),
                    reach=rng.choice([None, rng.randint(20, 400)]),
                )
            )
    for n, service in enumerate(SERVICES):
        first = world.years[0] + n % len(world.years)
        contracts.append(
            Contract(
                partnership=partnership,
                service=service,
                provider=rng.choice(["Advance", "Solace", "Hestia", "Refuge"]),
                funder=rng.choice(["Council", "MOPAC", "Home Office"]),
                amount=rng.randint(50, 900) * 1000,
                start_date=date(first, 4, 1),
                end_date=date(first + rng.randint(1, 3), 3, 31),
            )
        )
    counts.add(TrainingSession, training)
    counts.add(Event, events)
    counts.add(Contract, contracts)
    meetings = []
    for group in world.operational:
        for period in world.quarters:
            meetings.append(Meeting(partnership=partnership, group=group, date=period.starts_on + timedelta(days=30)))
    meetings = counts.add(Meeting, meetings)
    attendance = []
    for meeting in meetings:
        for agency in rng.sample(agencies, 6):
            status = Attendance.Status.PRESENT if rng.random() < 0.8 else Attendance.Status.APOLOGIES
            attendance.append(Attendance(meeting=meeting, agency=agency, status=status))
    counts.add(Attendance, attendance)


STEP = Step(
    app="activity",
    generate=generate,
    tables=[
        (Attendance, "meeting__partnership__in"),
        (Meeting, "partnership__in"),
        (TrainingSession, "partnership__in"),
        (Event, "partnership__in"),
        (Contract, "partnership__in"),
        (Agency, "partnership__in"),
    ],
)
