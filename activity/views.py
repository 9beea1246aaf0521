"""The activity pages: for each kind of record (training, events, meetings, contracts, agencies) a list with its
filters and totals, a form to add and edit, a page to delete, an export and an import. Reading is for every member;
writing is for the partnership's strategic leads. Views are thin: the services write, the selectors read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from activity import filters, forms, selectors, services, tables
from activity.models import Agency, Contract, Event, Meeting, TrainingSession
from activity.resources import IMPORTERS
from partnership import imports
from partnership.access import LEAD, partnership_view
from partnership.forms import ColumnMappingForm
from partnership.services import (
    pending_upload_discard,
    pending_upload_for,
)
from vawg.concurrency import EditConflict, conflict_status, show_conflict
from vawg.forms import apply_errors
from vawg.periods import FinancialYear
from vawg.tabular import TabularError, csv_response, xlsx_response

SECTION = "activity"
PAGE_SIZE = 50


def _day(value) -> str:
    return f"{value:%-d %b %Y}" if value else ""


def _number(value) -> str:
    return "" if value is None else f"{value:,}"


def _money(value) -> str:
    return "" if value is None else f"£{value:,.2f}"


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str  # the list page's heading
    noun: str  # one record, in a sentence
    form: type[forms.RecordForm]
    filter: type
    queryset: Callable[..., QuerySet]
    head: list[str]
    row: Callable[[Model], list]
    create: Callable
    update: Callable
    delete: Callable
    arg: str  # the services' keyword for the record
    years: Callable[..., list[int]]
    intro: str = ""


def _training_row(s: TrainingSession) -> list:
    return [
        s.topic,
        str(FinancialYear(s.year)),
        _day(s.date),
        s.get_strand_display(),
        s.agency.name if s.agency else selectors.MULTI_AGENCY,
        _number(s.sessions),
        _number(s.number_trained),
        s.provider,
    ]


def _event_row(e: Event) -> list:
    when = _day(e.date) + (f" to {_day(e.end_date)}" if e.end_date else "")
    return [e.title, when, e.get_kind_display(), e.audience, _number(e.reach)]


def _meeting_row(m: Meeting) -> list:
    present = [a.agency.name for a in m.attendance.all() if a.status == a.Status.PRESENT]
    apologies = [a.agency.name for a in m.attendance.all() if a.status == a.Status.APOLOGIES]
    return [f"{m.group.abbreviation} {_day(m.date)}", m.group.name, ", ".join(present), ", ".join(apologies)]


def _contract_row(c: Contract) -> list:
    return [c.service, c.provider, c.funder, _money(c.amount), _day(c.start_date), _day(c.end_date)]


def _agency_row(a: Agency) -> list:
    return [a.name]


def _training_years(partnership) -> list[int]:
    return list(TrainingSession.objects.filter(partnership=partnership).values_list("year", flat=True).distinct())


def _dated_years(model, field="date"):
    def years(partnership) -> list[int]:
        days = model.objects.filter(partnership=partnership).values_list(field, flat=True).distinct()
        return [FinancialYear.containing(day).start for day in days]

    return years


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "training",
            "Training delivered",
            "training record",
            forms.TrainingForm,
            filters.TrainingFilter,
            selectors.training_sessions,
            ["Topic", "Year", "Date", "Strand", "Audience agency", "Sessions", "Number trained", "Provider"],
            _training_row,
            services.training_create,
            services.training_update,
            services.training_delete,
            "session",
            _training_years,
            "A row is one session, or several summarised as one (give the number of sessions).",
        ),
        Kind(
            "events",
            "Events and campaigns",
            "event",
            forms.EventForm,
            filters.EventFilter,
            selectors.events,
            ["Title", "When", "Kind", "Audience", "Reach"],
            _event_row,
            services.event_create,
            services.event_update,
            services.event_delete,
            "event",
            _dated_years(Event),
        ),
        Kind(
            "meetings",
            "Meetings and attendance",
            "meeting",
            forms.MeetingForm,
            filters.MeetingFilter,
            selectors.meetings,
            ["Meeting", "Group", "Agencies present", "Apologies"],
            _meeting_row,
            services.meeting_create,
            services.meeting_update,
            services.meeting_delete,
            "meeting",
            _dated_years(Meeting),
            "An agency's attendance rate is the share of its groups' meetings in the year it was present at. Its "
            "groups are those it was recorded at (present or sending apologies) that year.",
        ),
        Kind(
            "contracts",
            "Funding and contracts",
            "contract",
            forms.ContractForm,
            filters.ContractFilter,
            selectors.contracts,
            ["Commissioned service", "Provider", "Funder", "Amount", "Start", "End"],
            _contract_row,
            services.contract_create,
            services.contract_update,
            services.contract_delete,
            "contract",
            _dated_years(Contract, "end_date"),
            "The year filter chooses contracts by the year their funding ends. The annual report lists, under gaps "
            "and areas of concern, the contracts ending in its year or in the twelve months after it.",
        ),
        Kind(
            "agencies",
            "Agencies",
            "agency",
            forms.AgencyForm,
            filters.AgencyFilter,
            selectors.agencies,
            ["Agency"],
            _agency_row,
            services.agency_create,
            services.agency_update,
            services.agency_delete,
            "agency",
            lambda partnership: [],
            "The organisations the partnership trains and that sit on its groups.",
        ),
    )
}


def _kind(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404("No such record.")
    return kind


def _record(request: HttpRequest, kind: Kind, pk: int) -> Model:
    return get_object_or_404(kind.queryset(request.partnership), pk=pk)


def _list_url(request: HttpRequest, kind: Kind) -> str:
    return reverse("activity:list", args=[request.partnership.slug, kind.slug])


@partnership_view()
def index(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    partnership = request.partnership
    counts = [(kind, kind.queryset(partnership).count()) for kind in KINDS.values()]
    return render(request, "activity/index.html", {"counts": counts, "can_edit": request.membership.is_strategic_lead})


@partnership_view()
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    request.current_section = SECTION
    kind = _kind(kind)
    partnership = request.partnership
    filterset = kind.filter(
        request.GET or None, queryset=kind.queryset(partnership), partnership=partnership, years=kind.years(partnership)
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_edit = request.membership.is_strategic_lead
    year = filterset.selected_year()

    def edit_url(record) -> str:
        return reverse("activity:edit", args=[partnership.slug, kind.slug, record.pk])

    table = tables.records_table(
        page.object_list,
        caption=kind.title,
        head=kind.head,
        row=kind.row,
        edit_url=edit_url if can_edit else None,
        page_obj=page,
    )
    context = {
        "kind": kind,
        "filter": filterset,
        "page_obj": page,
        "table": table,
        "can_edit": can_edit,
        "year": year,
        "query": request.GET.urlencode(),
    }
    if kind.slug == "training":
        totals = selectors.training_totals(partnership, year=year)
        context["totals"] = totals
        context["totals_tables"] = tables.training_totals_tables(totals)
    if kind.slug == "meetings":
        years = kind.years(partnership)
        attendance_year = year or (FinancialYear(max(years)) if years else None)
        context["more_tables"] = [
            tables.attendance_table(
                selectors.attendance_by_agency(partnership, year=attendance_year) if attendance_year else [],
                caption="Attendance by agency" + (f", {attendance_year}" if attendance_year else ""),
            )
        ]
    if kind.slug == "contracts":
        current = year or FinancialYear.containing(timezone.localdate())
        context["more_tables"] = [
            tables.records_table(
                selectors.contracts_ending(partnership, year=current),
                caption=f"Contracts ending in {current} or the 12 months after",
                head=kind.head,
                row=_contract_row,
                empty_text="No contract ends in that time.",
            )
        ]
    return render(request, "activity/list.html", context)


def _form_page(request, kind: Kind, form, record=None, conflict=None, status=200) -> HttpResponse:
    action = "Edit" if record is not None else "Add"
    return render(
        request,
        "activity/form.html",
        {
            "kind": kind,
            "form": form,
            "record": record,
            "title": f"{action} {kind.noun}" if record is None else f"Edit {kind.noun}: {record}",
            "back": _list_url(request, kind),
            "conflict": conflict,
        },
        status=status,
    )


def _extra(kind: Kind, form) -> dict:
    if kind.slug == "meetings":
        return {"present": form.cleaned_data["present"], "apologies": form.cleaned_data["apologies"]}
    return {}


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    request.current_section = SECTION
    kind = _kind(kind)
    form = kind.form(request.POST if request.method == "POST" else None, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            record = kind.create(partnership=request.partnership, values=form.values(), **_extra(kind, form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Added {kind.noun} '{record}'.")
            return redirect(_list_url(request, kind))
    return _form_page(request, kind, form)


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    request.current_section = SECTION
    kind = _kind(kind)
    record = _record(request, kind, pk)
    form = kind.form(
        request.POST if request.method == "POST" else None, instance=record, partnership=request.partnership
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            kind.update(
                **{kind.arg: record},
                values=form.values(),
                expected_version=form.cleaned_data.get("version") or 0,
                **_extra(kind, form),
            )
        except EditConflict as error:
            conflict = show_conflict(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Saved {kind.noun} '{record}'.")
            return redirect(_list_url(request, kind))
    return _form_page(request, kind, form, record, conflict, conflict_status(conflict))


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    request.current_section = SECTION
    kind = _kind(kind)
    record = _record(request, kind, pk)
    form = forms.DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            kind.delete(**{kind.arg: record})
        except ValidationError as refused:
            form.add_error(None, refused.messages[0])
        else:
            messages.success(request, f"Deleted {kind.noun} '{record}'.")
            return redirect(_list_url(request, kind))
    return render(
        request,
        "activity/delete.html",
        {
            "kind": kind,
            "record": record,
            "form": form,
            "details": tables.record_summary(kind.head, kind.row(record)),
            "back": _list_url(request, kind),
        },
        status=409 if form.errors else 200,
    )


# --- Export and import ------------------------------------------------------------------------------------------


@partnership_view()
def record_export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in IMPORTERS:
        raise Http404("No such export.")
    importer = IMPORTERS[kind](request.partnership)
    rows = importer.export_rows(importer.get_queryset())
    filename = f"{request.partnership.slug}-{kind}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"{filename}.xlsx", importer.headings(), rows)
    return csv_response(f"{filename}.csv", importer.headings(), rows)


def _pending(request: HttpRequest, kind: str, pk):
    pending = pending_upload_for(partnership=request.partnership, user=request.user, kind=f"activity-{kind}", pk=pk)
    if pending is None:
        raise Http404("No such import waiting for confirmation")
    return pending


def _preview(pending, importer_class, result, table=None) -> dict:
    if table is None:
        table = imports.handler_for(pending).table(pending)
    return {
        "result": result,
        "pending": pending,
        "preview": tables.import_preview_table(result),
        **ColumnMappingForm.panel(columns=importer_class.columns(), headings=table.headings, result=result),
    }


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def record_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload -> preview of every row (or every problem), columns correctable -> confirm; nothing is written before
    confirming, and nothing unless every row is correct (the one import framework, as the service figures')."""
    request.current_section = SECTION
    if kind not in IMPORTERS:
        raise Http404("No such import.")
    importer_class = IMPORTERS[kind]
    upload_kind = f"activity-{kind}"
    record_kind = _kind(kind)
    context = {
        "kind": record_kind,
        "title": importer_class.title,
        "columns": tables.import_columns_table(importer_class.columns()),
        "rules": (
            "The file needs a heading row; headings can be in any order and any case. Each row is matched with the "
            f"partnership's records on its {record_kind.noun}'s own details (never an id): a match is updated, "
            "anything else added. Nothing is saved unless every row is correct. Agencies are named as on the agencies "
            "page; several in one cell are separated by semicolons."
        ),
    }
    form = forms.ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        pending = _pending(request, kind, request.POST.get("confirm"))
        try:
            result = imports.handler_for(pending).run(pending, dry_run=False)
        except TabularError as error:
            pending_upload_discard(pending)
            form.add_error("file", str(error))
        else:
            if result.ok:
                pending_upload_discard(pending)
                messages.success(request, f"{pending.filename}: {result.summary()}")
                return redirect("activity:list", request.partnership.slug, kind)
            context.update(_preview(pending, importer_class, result))
    elif request.method == "POST" and "remap" in request.POST:
        pending = _pending(request, kind, request.POST.get("remap"))
        checked = imports.check_again(
            partnership=request.partnership,
            pending=pending,
            resource=importer_class,
            posted=request.POST,
            user=request.user,
        )
        table, result = checked.table, checked.result
        context.update(_preview(pending, importer_class, result, table))
    elif request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                checked = imports.check_file(
                    partnership=request.partnership,
                    user=request.user,
                    kind=upload_kind,
                    resource=importer_class,
                    upload=upload,
                )
            except TabularError as error:
                form.add_error("file", str(error))
            else:
                if not isinstance(checked, imports.Checked):  # too large for a request: checked by the task runner
                    return redirect("partnership:upload", request.partnership.slug, checked.pk)
                pending, result, table = checked.pending, checked.result, checked.table
                context.update(_preview(pending, importer_class, result, table))
    context["form"] = form
    return render(request, "activity/import.html", context)
