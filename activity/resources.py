"""Training, events, meetings, contracts and agencies as django-import-export resources on the one import framework
(`partnership.resources`): each in one layout that its export writes and its import reads back unchanged.

Rows are matched on their natural key (never on ids, only within the partnership). Agencies and groups are read
by name from lookups loaded once per file; an agency the file names that the partnership lacks is a problem on
its row (add agencies first, on their page or by importing them), so a typing slip never adds a new agency.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from django.urls import reverse
from django.utils import timezone

from activity.models import Agency, Attendance, Contract, Event, Meeting, Strand, TrainingSession
from audit.recorder import audited_bulk_create
from partnership.imports import KeptFileHandler
from partnership.models import OperationalGroup
from partnership.resources import Column, FileResource, Reader, RowsResult
from vawg.periods import FinancialYear, PeriodError
from vawg.tabular import CellError, normalise_heading, read_count, read_decimal

LIST_SEPARATOR = ";"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


# --- Cell readers ---------------------------------------------------------------------------------------------


def read_date(text: str, *, required: bool = True) -> date | None:
    text = " ".join(text.split())
    if text == "":
        if required:
            raise CellError("is empty; write the date like 2015-09-10 or 10/09/2015.")
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", text):
        text = text[:10]
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise CellError(f"'{text}' is not a date; write it like 2015-09-10 or 10/09/2015.")


def date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def read_year(text: str) -> int:
    if text == "":
        raise CellError("is empty; write the financial year like 2015-16.")
    try:
        return FinancialYear.parse(text).start
    except PeriodError as error:
        raise CellError(str(error)) from None


def year_text(start: int) -> str:
    return str(FinancialYear(start))


def text_reader(limit: int, *, required: bool = False, what: str = ""):
    def read(text: str) -> str:
        text = " ".join(text.split())
        if required and not text:
            raise CellError(f"is empty; {what}.")
        if len(text) > limit:
            raise CellError(f"is longer than {limit} characters.")
        return text

    return read


def read_long_text(text: str) -> str:
    return text.strip()


def choice_reader(choices: type, what: str):
    known = {normalise_heading(label): value for value, label in choices.choices} | {
        normalise_heading(value): value for value in choices.values
    }

    def read(text: str) -> str:
        value = known.get(normalise_heading(text))
        if value is None:
            raise CellError(f"'{text}' is not a {what} (write one of: {', '.join(choices.labels)}).")
        return value

    return read


def choice_label(choices: type):
    return lambda value: choices(value).label if value else ""


def count_or_blank(value: int | None):
    return "" if value is None else value


def decimal_or_blank(value: Decimal | None):
    if value is None:
        return ""
    return int(value) if value == value.to_integral() else value


def name_of(obj) -> str:
    return obj.name if obj is not None else ""


def read_optional_count(text: str) -> int | None:
    return read_count(text, required=False)


def read_positive_count(text: str) -> int:
    number = read_count(text)
    if number < 1:
        raise CellError("must be at least 1.")
    return number


def read_optional_date(text: str) -> date | None:
    return read_date(text, required=False)


class ActivityResource(FileResource):
    """What the activity kinds share: the partnership's agencies by name, a version counter on each record."""

    update_fields: tuple[str, ...] = ()

    @cached_property
    def agencies(self) -> dict[str, Agency]:
        return {normalise_heading(a.name): a for a in Agency.objects.filter(partnership=self.partnership)}

    def read_agency(self, text: str) -> Agency:
        agency = self.agencies.get(normalise_heading(text))
        if agency is None:
            known = ", ".join(a.name for a in self.agencies.values()) or "none yet"
            raise CellError(f"'{text}' is not one of this partnership's agencies (agencies: {known}).")
        return agency

    def read_agency_or_none(self, text: str) -> Agency | None:
        if normalise_heading(text) in ("", "multiagency"):
            return None
        return self.read_agency(text)

    def get_queryset(self):
        return self._meta.model.objects.filter(partnership=self.partnership)

    def init_instance(self, row=None):
        return self._meta.model(partnership=self.partnership)

    def prepare(self, instance, new: bool) -> None:
        if not new:
            instance.version += 1
        # bulk_update skips auto_now.
        instance.updated_at = timezone.now()

    def write(self, to_create, to_update):
        from audit.recorder import audited_bulk_update

        model = self._meta.model
        audited_bulk_create(model, to_create, partnership_id=self.partnership.pk, batch_size=1000)
        if to_update:
            fields = [*self.update_fields, "version", "updated_at"]
            audited_bulk_update(model, to_update, fields, partnership_id=self.partnership.pk, batch_size=1000)

    def validate_row(self, instance) -> None:
        instance.clean()


# --- Agencies ---------------------------------------------------------------------------------------------------


class AgencyResource(ActivityResource):
    kind = "agencies"
    title = "Agencies"
    update_fields = ("name",)

    name = Column("name", "Agency", Reader(text_reader(160, required=True, what="name the agency")), aliases=["Name"])

    class Meta(FileResource.Meta):
        model = Agency
        fields = import_order = export_order = ("name",)
        import_id_fields = ("name",)

    def key_from(self, values):
        return (normalise_heading(values["name"]),)

    def describe(self, key):
        return f"the agency '{key[0]}'"

    def existing(self, keys):
        return {(normalise_heading(a.name),): a for a in self.locked(self.get_queryset())}


# --- Training delivered -----------------------------------------------------------------------------------------


class TrainingResource(ActivityResource):
    kind = "training"
    title = "Training delivered"
    update_fields = ("date", "strand", "audience", "number_trained", "sessions", "provider", "group")

    year = Column("year", "Year", Reader(read_year, render=year_text), aliases=["Financial year"])
    topic = Column("topic", "Topic", Reader(text_reader(200, required=True, what="name the training")))
    strand = Column("strand", "Strand", Reader(choice_reader(Strand, "VAWG strand"), render=choice_label(Strand)))
    agency = Column(
        "agency",
        "Audience agency",
        Reader("read_agency_or_none", render=lambda a: a.name if a else "Multi-agency"),
        aliases=["Agency"],
        required=False,
    )
    date = Column("date", "Date", Reader(read_optional_date, render=date_text), required=False)
    audience = Column("audience", "Audience", Reader(text_reader(200)), required=False)
    number_trained = Column(
        "number_trained", "Number trained", Reader(read_positive_count), aliases=["Trained", "Attendees"]
    )
    sessions = Column("sessions", "Sessions", Reader(read_optional_count, render=count_or_blank), required=False)
    provider = Column("provider", "Provider", Reader(text_reader(200)), required=False)
    group = Column("group", "Group", Reader("read_group", render=lambda g: g.abbreviation if g else ""), required=False)

    class Meta(FileResource.Meta):
        model = TrainingSession
        fields = import_order = export_order = (
            "year",
            "topic",
            "strand",
            "agency",
            "date",
            "audience",
            "number_trained",
            "sessions",
            "provider",
            "group",
        )
        import_id_fields = ("year", "topic", "agency")

    @cached_property
    def groups(self) -> dict[str, OperationalGroup]:
        return {
            normalise_heading(g.abbreviation): g for g in OperationalGroup.objects.filter(partnership=self.partnership)
        }

    def read_group(self, text: str) -> OperationalGroup | None:
        if normalise_heading(text) == "":
            return None
        group = self.groups.get(normalise_heading(text))
        if group is None:
            raise CellError(f"'{text}' is not one of this partnership's groups (write its abbreviation, e.g. CHOG).")
        return group

    def get_queryset(self):
        return super().get_queryset().select_related("agency", "group").order_by("-year", "topic")

    def key_from(self, values):
        agency = values["agency"]
        return (values["year"], normalise_heading(values["topic"]), agency.pk if agency else None)

    def describe(self, key):
        return f"the training '{key[1]}' in {FinancialYear(key[0])}"

    def existing(self, keys):
        years = {key[0] for key in keys}
        found = self.locked(self.get_queryset().filter(year__in=years))
        return {(t.year, normalise_heading(t.topic), t.agency_id): t for t in found}


# --- Events and campaigns ---------------------------------------------------------------------------------------


class EventResource(ActivityResource):
    kind = "events"
    title = "Events and campaigns"
    update_fields = ("end_date", "kind", "audience", "reach")

    date = Column("date", "Date", Reader(read_date, render=date_text), aliases=["Start date"])
    title_ = Column("title", "Title", Reader(text_reader(200, required=True, what="name the event")), aliases=["Event"])
    end_date = Column("end_date", "End date", Reader(read_optional_date, render=date_text), required=False)
    kind_ = Column("kind", "Kind", Reader(choice_reader(Event.Kind, "kind of event"), render=choice_label(Event.Kind)))
    audience = Column("audience", "Audience", Reader(text_reader(200)), required=False)
    reach = Column("reach", "Reach", Reader(read_optional_count, render=count_or_blank), required=False)

    class Meta(FileResource.Meta):
        model = Event
        fields = import_order = export_order = ("date", "title_", "end_date", "kind_", "audience", "reach")
        import_id_fields = ("date", "title_")

    def get_queryset(self):
        return super().get_queryset().order_by("date", "title")

    def key_from(self, values):
        return (values["date"], normalise_heading(values["title_"]))

    def describe(self, key):
        return f"the event '{key[1]}' on {key[0]:%-d %B %Y}"

    def existing(self, keys):
        found = self.locked(self.get_queryset().filter(date__in={key[0] for key in keys}))
        return {(e.date, normalise_heading(e.title)): e for e in found}


# --- Meetings and attendance ------------------------------------------------------------------------------------


def names_text(agencies) -> str:
    return f"{LIST_SEPARATOR} ".join(a.name for a in agencies)


class MeetingResource(ActivityResource):
    """A meeting a row; the agencies present and those sending apologies each a list separated by semicolons."""

    kind = "meetings"
    title = "Meetings and attendance"
    update_fields = ("notes",)

    group = Column("group", "Group", Reader("read_group", render=lambda g: g.abbreviation))
    date = Column("date", "Date", Reader(read_date, render=date_text))
    present = Column(
        "present_agencies", "Present", Reader("read_agencies"), aliases=["Agencies present"], required=False
    )
    apologies = Column("apology_agencies", "Apologies", Reader("read_agencies"), required=False)
    notes = Column("notes", "Notes", Reader(read_long_text), required=False)

    class Meta(FileResource.Meta):
        model = Meeting
        fields = import_order = export_order = ("group", "date", "present", "apologies", "notes")
        import_id_fields = ("group", "date")

    @cached_property
    def groups(self) -> dict[str, OperationalGroup]:
        return {
            normalise_heading(g.abbreviation): g for g in OperationalGroup.objects.filter(partnership=self.partnership)
        }

    def read_group(self, text: str) -> OperationalGroup:
        group = self.groups.get(normalise_heading(text))
        if group is None:
            raise CellError(f"'{text}' is not one of this partnership's groups (write its abbreviation, e.g. CHOG).")
        return group

    def read_agencies(self, text: str) -> list[Agency]:
        names = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
        return [self.read_agency(name) for name in names]

    def get_queryset(self):
        return super().get_queryset().select_related("group").prefetch_related("attendance__agency").order_by("date")

    def key_from(self, values):
        return (values["group"].pk, values["date"])

    def describe(self, key):
        return f"the meeting on {key[1]:%-d %B %Y}"

    def existing(self, keys):
        found = self.locked(self.get_queryset().filter(date__in={key[1] for key in keys}))
        found = found.prefetch_related(None).prefetch_related("attendance") if not self.dry_run else found
        return {(m.group_id, m.date): m for m in found}

    def check_row(self, instance, row):
        from django.core.exceptions import ValidationError

        present = getattr(instance, "present_agencies", None) or []
        apologies = getattr(instance, "apology_agencies", None) or []
        both = {a.pk for a in present} & {a.pk for a in apologies}
        if both:
            names = ", ".join(sorted(a.name for a in present if a.pk in both))
            raise ValidationError({"apology_agencies": f"{names}: both present and sending apologies."})

    def wanted(self, instance) -> dict[int, str]:
        wanted = {a.pk: Attendance.Status.PRESENT for a in getattr(instance, "present_agencies", None) or []}
        wanted |= {a.pk: Attendance.Status.APOLOGIES for a in getattr(instance, "apology_agencies", None) or []}
        return wanted

    def differs(self, instance) -> bool:
        stored = {row.agency_id: row.status for row in instance.attendance.all()}
        return stored != self.wanted(instance)

    def write(self, to_create, to_update):
        super().write(to_create, to_update)
        # The attendance of every meeting in the file becomes the file's (each row written or removed audited).
        meetings = [*to_create, *to_update]
        Attendance.objects.filter(meeting__in=to_update).delete()
        rows = [
            Attendance(meeting=meeting, agency_id=agency_id, status=status)
            for meeting in meetings
            for agency_id, status in self.wanted(meeting).items()
        ]
        audited_bulk_create(Attendance, rows, partnership_id=self.partnership.pk)

    def export_field(self, field, instance, **kwargs):
        if field.attribute in ("present_agencies", "apology_agencies"):
            status = Attendance.Status.PRESENT if field.attribute == "present_agencies" else Attendance.Status.APOLOGIES
            return names_text(row.agency for row in instance.attendance.all() if row.status == status)
        return super().export_field(field, instance, **kwargs)


# --- Funding and contracts --------------------------------------------------------------------------------------


class ContractResource(ActivityResource):
    kind = "contracts"
    title = "Funding and contracts"
    update_fields = ("funder", "amount", "start_date", "end_date", "notes")

    service = Column(
        "service",
        "Commissioned service",
        Reader(text_reader(200, required=True, what="name the service")),
        aliases=["Service", "Contract"],
    )
    provider = Column("provider", "Provider", Reader(text_reader(200)), required=False)
    funder = Column("funder", "Funder", Reader(text_reader(200)), required=False)
    amount = Column(
        "amount",
        "Amount",
        Reader(read_decimal, render=decimal_or_blank),
        aliases=["Amount (£)", "Value"],
        required=False,
    )
    start_date = Column("start_date", "Start date", Reader(read_optional_date, render=date_text), required=False)
    end_date = Column("end_date", "End date", Reader(read_date, render=date_text), aliases=["Funding ends"])
    notes = Column("notes", "Notes", Reader(read_long_text), required=False)

    class Meta(FileResource.Meta):
        model = Contract
        fields = import_order = export_order = (
            "service",
            "provider",
            "funder",
            "amount",
            "start_date",
            "end_date",
            "notes",
        )
        import_id_fields = ("service", "provider")

    def key_from(self, values):
        return (normalise_heading(values["service"]), normalise_heading(values["provider"]))

    def describe(self, key):
        return f"the contract for '{key[0]}'"

    def existing(self, keys):
        found = self.locked(self.get_queryset())
        return {(normalise_heading(c.service), normalise_heading(c.provider)): c for c in found}

    def get_queryset(self):
        return super().get_queryset().order_by("end_date", "service")


IMPORTERS: dict[str, type[ActivityResource]] = {
    cls.kind: cls for cls in (TrainingResource, EventResource, MeetingResource, ContractResource, AgencyResource)
}


class ActivityImportHandler(KeptFileHandler):
    """A kept file of one activity kind, checked and imported by the task runner as its page would."""

    def __init__(self, kind: str):
        self.kind = kind
        self.title = IMPORTERS[kind].title
        self.headings = IMPORTERS[kind].known_headings()

    def start_url(self, upload) -> str:
        return reverse("activity:import", args=[upload.partnership.slug, self.kind])

    def done_url(self, upload, result) -> str:
        return reverse("activity:list", args=[upload.partnership.slug, self.kind])

    def run(self, upload, *, dry_run: bool) -> RowsResult:
        importer = IMPORTERS[self.kind](upload.partnership, user=upload.user)
        return importer.run(
            self.table(upload),
            dry_run=dry_run,
            filename=upload.filename,
            previewed=None if dry_run else upload.payload,
            mapping=upload.params.get("mapping"),
        )
