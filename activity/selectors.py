"""Reads of a partnership's training, events, meetings and contracts, and the totals its pages and report show.

Every query is scoped to the partnership and reads related rows with `select_related`/`prefetch_related`, so a
page costs the same few queries however many records it lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from activity.models import Agency, Attendance, Contract, Event, Meeting, Strand, TrainingSession
from partnership.models import OperationalGroup, Partnership
from vawg.periods import FinancialYear

MULTI_AGENCY = "Multi-agency"


def agencies(partnership: Partnership) -> QuerySet[Agency]:
    return Agency.objects.filter(partnership=partnership)


def groups(partnership: Partnership) -> QuerySet[OperationalGroup]:
    return OperationalGroup.objects.filter(partnership=partnership).order_by("display_order", "name")


def training_sessions(partnership: Partnership) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(partnership=partnership).select_related("agency", "group")


def events(partnership: Partnership) -> QuerySet[Event]:
    return Event.objects.filter(partnership=partnership)


def events_in(partnership: Partnership, year: FinancialYear) -> QuerySet[Event]:
    return events(partnership).filter(date__range=(year.starts_on, year.ends_on)).order_by("date", "title")


def meetings(partnership: Partnership) -> QuerySet[Meeting]:
    attendance = Attendance.objects.select_related("agency").order_by("agency__name")
    return (
        Meeting.objects.filter(partnership=partnership)
        .select_related("group")
        .prefetch_related(Prefetch("attendance", queryset=attendance))
    )


def contracts(partnership: Partnership) -> QuerySet[Contract]:
    return Contract.objects.filter(partnership=partnership)


def years_recorded(partnership: Partnership) -> list[int]:
    """Every financial year any of the partnership's records falls in (for the year filters)."""
    years = set(TrainingSession.objects.filter(partnership=partnership).values_list("year", flat=True).distinct())
    for model in (Event, Meeting):
        for day in model.objects.filter(partnership=partnership).values_list("date", flat=True).distinct():
            years.add(FinancialYear.containing(day).start)
    return sorted(years)


# --- Training totals ------------------------------------------------------------------------------------------


@dataclass
class Total:
    label: str
    rows: int  # records
    sessions: int  # the sessions the records give (a record without a number of sessions adds none)
    trained: int


@dataclass
class TrainingTotals:
    by_year: list[Total]
    by_strand: list[Total]
    by_agency: list[Total]
    overall: Total

    @property
    def any(self) -> bool:
        return self.overall.rows > 0

    def tables(self) -> list[dict]:
        """The three tables a page or the report shows: caption, heading row and rows (label, sessions, trained)."""
        return [
            {
                "caption": caption,
                "head": [first, "Sessions recorded", "Number trained"],
                "rows": [[t.label, f"{t.sessions:,}" if t.sessions else "", f"{t.trained:,}"] for t in totals],
            }
            for caption, first, totals in (
                ("Training by year", "Year", self.by_year),
                ("Training by strand", "Strand", self.by_strand),
                ("Training by audience agency", "Audience agency", self.by_agency),
            )
        ]


def _totals(queryset: QuerySet, key: str) -> list[tuple[object, int, int, int]]:
    rows = (
        queryset.order_by()
        .values(key)
        .annotate(rows=Count("pk"), sessions=Sum("sessions"), trained=Sum("number_trained"))
    )
    return [(row[key], row["rows"], row["sessions"] or 0, row["trained"] or 0) for row in rows]


def training_totals(partnership: Partnership, *, year: FinancialYear | None = None) -> TrainingTotals:
    """Sessions and people trained by year, by strand and by audience agency (four queries, whatever the rows)."""
    queryset = TrainingSession.objects.filter(partnership=partnership)
    if year is not None:
        queryset = queryset.filter(year=year.start)
    by_year = [Total(str(FinancialYear(y)), *rest) for y, *rest in sorted(_totals(queryset, "year"), reverse=True)]
    labels = dict(Strand.choices)
    strands = sorted(_totals(queryset, "strand"), key=lambda row: -row[3])
    by_strand = [Total(labels.get(s, s), *rest) for s, *rest in strands]
    names = dict(Agency.objects.filter(partnership=partnership).values_list("pk", "name"))
    agencies_ = sorted(_totals(queryset, "agency"), key=lambda row: (-row[3], names.get(row[0], "")))
    by_agency = [Total(names.get(a, MULTI_AGENCY) if a else MULTI_AGENCY, *rest) for a, *rest in agencies_]
    overall = Total(
        "Total", sum(t.rows for t in by_year), sum(t.sessions for t in by_year), sum(t.trained for t in by_year)
    )
    return TrainingTotals(by_year=by_year, by_strand=by_strand, by_agency=by_agency, overall=overall)


# --- Attendance -------------------------------------------------------------------------------------------------


@dataclass
class AgencyAttendance:
    """An agency's attendance over a year: of the meetings of the groups it attends (those at which it was
    recorded present or sending apologies that year), how many it was present at."""

    agency: str
    expected: int
    present: int
    apologies: int

    @property
    def absent(self) -> int:
        return self.expected - self.present - self.apologies

    @property
    def rate(self) -> int | None:
        """Present as a whole percentage of the meetings expected."""
        if not self.expected:
            return None
        return int((Decimal(100 * self.present) / self.expected).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def attendance_by_agency(partnership: Partnership, *, year: FinancialYear) -> list[AgencyAttendance]:
    """The attendance rate of every agency recorded at the year's meetings, lowest first (three queries)."""
    in_year = Q(meeting__date__range=(year.starts_on, year.ends_on), meeting__partnership=partnership)
    records = Attendance.objects.filter(in_year).values_list("agency_id", "meeting__group_id", "status")
    meetings_by_group = dict(
        Meeting.objects.filter(partnership=partnership, date__range=(year.starts_on, year.ends_on))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
    groups_of: dict[int, set[int]] = {}
    present: dict[int, int] = {}
    apologies: dict[int, int] = {}
    for agency_id, group_id, status in records:
        groups_of.setdefault(agency_id, set()).add(group_id)
        tally = present if status == Attendance.Status.PRESENT else apologies
        tally[agency_id] = tally.get(agency_id, 0) + 1
    names = dict(Agency.objects.filter(pk__in=groups_of).values_list("pk", "name"))
    rows = [
        AgencyAttendance(
            agency=names[agency_id],
            expected=sum(meetings_by_group.get(group, 0) for group in group_ids),
            present=present.get(agency_id, 0),
            apologies=apologies.get(agency_id, 0),
        )
        for agency_id, group_ids in groups_of.items()
    ]
    return sorted(rows, key=lambda row: (row.rate if row.rate is not None else 101, row.agency))


# --- Contracts --------------------------------------------------------------------------------------------------


def ending_window(year: FinancialYear) -> tuple[date, date]:
    """The report's year and the twelve months after it: the funding a partnership must plan to replace."""
    return year.starts_on, year.next.ends_on


def contracts_ending(partnership: Partnership, *, year: FinancialYear) -> QuerySet[Contract]:
    return contracts(partnership).filter(end_date__range=ending_window(year)).order_by("end_date", "service")
