from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partnership import imports
from partnership.access import LEAD, WRITE_GROUP, partnership_view, refuse
from partnership.charts import chart_for, svg_of
from partnership.forms import ColumnMappingForm
from partnership.models import Borough
from partnership.services import (
    pending_upload_discard,
    pending_upload_for,
)
from referrals import charts, comparators, selectors, services, tables
from referrals.filters import FiguresFilter, MaracFilter
from referrals.forms import (
    ComparatorFigureForm,
    ImportForm,
    MaracChooseForm,
    MaracReturnForm,
    ReferralChooseForm,
    ReferralCountsForm,
)
from referrals.models import ComparatorFigure, Dataset, MaracReturn, OutcomeIndicator, ReferralCount
from referrals.resources import IMPORTERS
from referrals.summary import marac_summary_rows
from vawg.concurrency import EditConflict, conflict_status, show_conflict
from vawg.periods import FinancialYear, Quarter
from vawg.tabular import TabularError, csv_response, xlsx_response

SECTION = "figures"
INDICATOR_LINES_PER_PAGE = 20
MARAC_BOROUGHS_PER_PAGE = 4
SVG = "image/svg+xml"


def _export(request: HttpRequest, name: str, headings, rows) -> HttpResponse:
    filename = f"{request.partnership.slug}-{name}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"{filename}.xlsx", headings, rows)
    return csv_response(f"{filename}.csv", headings, rows)


@partnership_view()
def index(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    membership = request.membership
    return render(
        request,
        "referrals/index.html",
        {
            "headlines": tables.headline_panel(selectors.headline_figures(request.partnership), request.partnership),
            "can_enter_marac": services.can_write_dataset(membership, Dataset.MARAC),
            "can_enter_referrals": services.can_write_dataset(membership, Dataset.REFERRALS),
            "is_lead": membership.is_strategic_lead,
        },
    )


# --- MARAC --------------------------------------------------------------------------------------------------


def _marac_filter(request: HttpRequest) -> MaracFilter:
    return MaracFilter(
        request.GET or None, partnership=request.partnership, quarters=selectors.marac_periods(request.partnership)
    )


@partnership_view()
def marac(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    filterset = _marac_filter(request)
    last = filterset.selected_last_quarter()
    boroughs = filterset.boroughs()
    # Quarter by quarter is a table per borough: a page of boroughs at a time keeps the page readable (and its
    # cost level) however many boroughs a partnership has; the summary table above it shows them all.
    detail_page = Paginator(boroughs, MARAC_BOROUGHS_PER_PAGE).get_page(request.GET.get("page"))
    overview = (
        selectors.marac_overview(
            request.partnership, last=last, boroughs=boroughs, detail_boroughs=detail_page.object_list
        )
        if last
        else None
    )
    can_enter = services.can_write_dataset(request.membership, Dataset.MARAC)
    return render(
        request,
        "referrals/marac.html",
        {
            "filter": filterset,
            "overview": overview,
            "detail_page": detail_page,
            "window": overview.window if overview else None,
            "summary_table": tables.marac_summary_table(overview.window) if overview else None,
            "quarter_tables": tables.marac_quarter_tables(
                overview, partnership=request.partnership, can_enter=can_enter
            )
            if overview
            else [],
            "chart": chart_for(request.partnership, charts.marac_spec(overview.window)) if overview else None,
            "query": request.GET.urlencode(),
            "can_enter": can_enter,
        },
    )


@partnership_view()
def marac_chart(request: HttpRequest) -> HttpResponse:
    """The MARAC chart as an SVG file, for the filters in the address."""
    filterset = _marac_filter(request)
    last = filterset.selected_last_quarter()
    if last is None:
        raise Http404("No MARAC returns yet.")
    window = selectors.marac_window(request.partnership, last=last, boroughs=filterset.boroughs())
    return HttpResponse(svg_of(request.partnership, charts.marac_spec(window)), content_type=SVG)


@partnership_view()
def marac_export(request: HttpRequest) -> HttpResponse:
    filterset = _marac_filter(request)
    if request.GET.get("layout") == "summary":
        last = filterset.selected_last_quarter()
        if last is None:
            raise Http404("No MARAC returns yet.")
        window = selectors.marac_window(request.partnership, last=last, boroughs=filterset.boroughs())
        headings, rows = marac_summary_rows(window)
        return _export(request, f"marac-summary-{window.label}", headings, rows)
    importer = IMPORTERS["marac"](request.partnership)
    returns = selectors.marac_returns_for_export(request.partnership, filterset.selected_years(), filterset.boroughs())
    return _export(request, "marac-returns", importer.headings(), importer.export_rows(returns))


@partnership_view(WRITE_GROUP)
def marac_choose(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    services.require_dataset_write(request.membership, Dataset.MARAC, request)
    form = MaracChooseForm(request.GET or None, partnership=request.partnership)
    if form.is_bound and form.is_valid():
        return redirect(
            "referrals:marac_edit",
            partnership_slug=request.partnership.slug,
            borough_id=form.cleaned_data["borough"].pk,
            year=form.cleaned_data["year"].start,
            quarter=form.cleaned_data["quarter"],
        )
    return render(request, "referrals/marac_choose.html", {"form": form})


@partnership_view(WRITE_GROUP, methods=("GET", "HEAD", "POST"))
def marac_edit(request: HttpRequest, borough_id: int, year: int, quarter: int) -> HttpResponse:
    request.current_section = SECTION
    borough = get_object_or_404(Borough, pk=borough_id, partnership=request.partnership)
    if quarter not in (1, 2, 3, 4) or not 1990 <= year <= 2100:
        raise Http404("No such quarter.")
    services.require_dataset_write(request.membership, Dataset.MARAC, request)
    period = Quarter(year, quarter)
    existing = MaracReturn.objects.filter(borough=borough, year=year, quarter=quarter).first()
    conflict = None
    if request.method == "POST":
        form = MaracReturnForm(request.POST)
        if form.is_valid():
            try:
                services.marac_return_save(
                    borough=borough,
                    quarter=period,
                    submitted=not form.cleaned_data["not_submitted"],
                    counts=form.counts(),
                    user=request.user,
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except EditConflict as error:
                conflict = show_conflict(form, error)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{borough.name} MARAC return for {period} saved.")
                url = reverse("referrals:marac", args=[request.partnership.slug])
                return redirect(f"{url}?year={period.financial_year}")
    else:
        initial = {"version": existing.version if existing else 0}
        if existing:
            initial["not_submitted"] = not existing.submitted
            initial.update({name: getattr(existing, name) for name in services.MARAC_COUNT_FIELDS})
        form = MaracReturnForm(initial=initial)
    return render(
        request,
        "referrals/marac_edit.html",
        {"form": form, "borough": borough, "period": period, "existing": existing, "conflict": conflict},
        status=conflict_status(conflict),
    )


# --- Referrals ----------------------------------------------------------------------------------------------


def _referrals_filter(request: HttpRequest) -> FiguresFilter:
    return FiguresFilter(
        request.GET or None, partnership=request.partnership, years=selectors.referral_years(request.partnership)
    )


@partnership_view()
def referrals(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    filterset = _referrals_filter(request)
    year = filterset.selected_year()
    boroughs = filterset.boroughs()
    pivot = selectors.referral_pivot(request.partnership, year, boroughs) if year else None
    figures = selectors.service_figures(request.partnership, year, boroughs) if year else []
    return render(
        request,
        "referrals/referrals.html",
        {
            "filter": filterset,
            "pivot": pivot,
            "tables": tables.referral_tables(pivot, figures) if pivot else None,
            "chart": chart_for(request.partnership, charts.referrals_spec(pivot)) if pivot else None,
            "query": request.GET.urlencode(),
            "can_enter": services.can_write_dataset(request.membership, Dataset.REFERRALS),
        },
    )


@partnership_view()
def referrals_chart(request: HttpRequest) -> HttpResponse:
    """The referrals chart as an SVG file, for the filters in the address."""
    filterset = _referrals_filter(request)
    year = filterset.selected_year()
    if year is None:
        raise Http404("No referrals yet.")
    pivot = selectors.referral_pivot(request.partnership, year, filterset.boroughs())
    return HttpResponse(svg_of(request.partnership, charts.referrals_spec(pivot)), content_type=SVG)


@partnership_view()
def referrals_export(request: HttpRequest) -> HttpResponse:
    filterset = _referrals_filter(request)
    importer = IMPORTERS["referrals"](request.partnership)
    counts = selectors.referral_counts_for_export(request.partnership, filterset.selected_years(), filterset.boroughs())
    return _export(request, "referrals", importer.headings(), importer.export_rows(counts))


@partnership_view(WRITE_GROUP, methods=("GET", "HEAD", "POST"))
def referrals_enter(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    services.require_dataset_write(request.membership, Dataset.REFERRALS, request)
    partnership = request.partnership
    choose = ReferralChooseForm(request.GET or None, partnership=partnership)
    if not (choose.is_bound and choose.is_valid()):
        return render(request, "referrals/referrals_choose.html", {"form": choose})
    chosen = choose.cleaned_data
    period = services.ReferralPeriod(year=chosen["year"].start, quarter=chosen["quarter"])
    kind = chosen["kind"] or ""
    abuse_types = list(selectors.abuse_types_of(partnership))
    if request.method == "POST":
        form = ReferralCountsForm(request.POST, abuse_types=abuse_types)
        if form.is_valid():
            try:
                changed = services.referral_counts_set(
                    service=chosen["service"], borough=chosen["borough"], period=period, kind=kind, counts=form.counts()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Referral counts saved ({changed} changed).")
                url = reverse("referrals:referrals", args=[partnership.slug])
                return redirect(f"{url}?year={chosen['year']}")
    else:
        existing = ReferralCount.objects.filter(
            service=chosen["service"], borough=chosen["borough"], year=period.year, quarter=period.quarter, kind=kind
        )
        form = ReferralCountsForm(
            initial={f"type_{c.abuse_type_id}": c.count for c in existing}, abuse_types=abuse_types
        )
    period_label = str(Quarter(period.year, period.quarter)) if period.quarter else f"{chosen['year']} (whole year)"
    return render(
        request,
        "referrals/referrals_enter.html",
        {"form": form, "chosen": chosen, "period_label": period_label, "query": request.GET.urlencode()},
    )


# --- Justice and indicators ---------------------------------------------------------------------------------


def _justice_filter(request: HttpRequest) -> FiguresFilter:
    return FiguresFilter(
        request.GET or None, partnership=request.partnership, years=selectors.justice_years(request.partnership)
    )


@partnership_view()
def justice(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    filterset = _justice_filter(request)
    year = filterset.selected_year()
    table = selectors.justice_table(request.partnership, year, filterset.boroughs()) if year else None
    return render(
        request,
        "referrals/justice.html",
        {
            "filter": filterset,
            "table": table,
            "outcomes": tables.justice_outcomes_table(table) if table else None,
            "query": request.GET.urlencode(),
        },
    )


@partnership_view()
def justice_export(request: HttpRequest) -> HttpResponse:
    filterset = _justice_filter(request)
    importer = IMPORTERS["justice"](request.partnership)
    figures = selectors.justice_figures_for_export(
        request.partnership, filterset.selected_years(), filterset.boroughs()
    )
    return _export(request, "justice-outcomes", importer.headings(), importer.export_rows(figures))


def _indicator_filter(request: HttpRequest) -> FiguresFilter:
    counts = selectors.indicator_year_counts(request.partnership)
    return FiguresFilter(
        request.GET or None,
        partnership=request.partnership,
        years=list(counts),
        default_year=selectors.indicator_main_year(counts),
    )


@partnership_view()
def indicators(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    filterset = _indicator_filter(request)
    year = filterset.selected_year()
    borough_chosen = filterset.is_valid() and filterset.form.cleaned_data.get("borough")
    boroughs = filterset.boroughs() if borough_chosen else None
    lines = selectors.indicator_lines(request.partnership, boroughs) if year else []
    page = Paginator(lines, INDICATOR_LINES_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.indicator_rows(request.partnership, year, boroughs, lines=page.object_list) if year else []
    years = [FinancialYear(y) for y in sorted({y for row in rows for y in row.years})]
    return render(
        request,
        "referrals/indicators.html",
        {
            "filter": filterset,
            "year": year,
            "page_obj": page,
            "tables": tables.indicator_tables(
                [(row, row.year_texts(years)) for row in rows],
                years,
                partnership=request.partnership,
                year=year,
                page=page,
            ),
            "rag_summary": selectors.indicator_rag_counts(request.partnership, year, boroughs) if year else {},
            "query": request.GET.urlencode(),
        },
    )


@partnership_view()
def indicators_export(request: HttpRequest) -> HttpResponse:
    filterset = _indicator_filter(request)
    importer = IMPORTERS["indicators"](request.partnership)
    figures = selectors.indicator_figures_for_export(
        request.partnership, filterset.selected_years(), filterset.boroughs()
    )
    return _export(request, "outcome-indicators", importer.headings(), importer.export_rows(figures))


def _indicator_page(request: HttpRequest, indicator: OutcomeIndicator, form: ComparatorFigureForm | None):
    comparison = selectors.indicator_comparison(request.partnership, indicator)
    spec = charts.indicator_spec(comparison)
    return render(
        request,
        "referrals/indicator.html",
        {
            "indicator": indicator,
            "comparison": comparison,
            "chart": chart_for(request.partnership, spec),
            "is_lead": request.membership.is_strategic_lead,
            "form": form,
        },
    )


@partnership_view()
def indicator(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """One indicator: its figures by year, its target and its comparators, as a chart, a table and sentences."""
    request.current_section = SECTION
    indicator = get_object_or_404(OutcomeIndicator, pk=indicator_id, partnership=request.partnership)
    form = ComparatorFigureForm() if request.membership.is_strategic_lead else None
    return _indicator_page(request, indicator, form)


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def comparator_add(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Add (or replace) a comparator's figure for a year; the form sits on the indicator's page."""
    request.current_section = SECTION
    indicator = get_object_or_404(OutcomeIndicator, pk=indicator_id, partnership=request.partnership)
    if request.method != "POST":
        return redirect("referrals:indicator", partnership_slug=request.partnership.slug, indicator_id=indicator.pk)
    form = ComparatorFigureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            figure = comparators.comparator_figure_save(
                indicator=indicator,
                series=data["series"],
                kind=data["kind"],
                year=data["year"].start,
                value=data["value"],
                count=data["count"],
                population=data["population"],
                source=data["source"],
                illustrative=data["illustrative"],
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(request, f"{figure.series} for {figure.period} saved.")
            return redirect("referrals:indicator", partnership_slug=request.partnership.slug, indicator_id=indicator.pk)
    return _indicator_page(request, indicator, form)


@partnership_view(LEAD, methods=("POST",))
def comparator_delete(request: HttpRequest, indicator_id: int, figure_id: int) -> HttpResponse:
    figure = get_object_or_404(
        ComparatorFigure, pk=figure_id, indicator_id=indicator_id, indicator__partnership=request.partnership
    )
    comparators.comparator_figure_delete(figure=figure)
    messages.success(request, f"{figure.series} for {figure.period} removed.")
    return redirect("referrals:indicator", partnership_slug=request.partnership.slug, indicator_id=indicator_id)


@partnership_view()
def comparators_export(request: HttpRequest) -> HttpResponse:
    importer = IMPORTERS["comparators"](request.partnership)
    figures = selectors.comparator_figures_for_export(request.partnership)
    return _export(request, "indicator-comparators", importer.headings(), importer.export_rows(figures))


@partnership_view()
def population_export(request: HttpRequest) -> HttpResponse:
    importer = IMPORTERS["population"](request.partnership)
    rows = selectors.population_rows(request.partnership).order_by("borough__name", "year")
    return _export(request, "populations", importer.headings(), importer.export_rows(rows))


# --- Import with preview ------------------------------------------------------------------------------------

IMPORT_DATASET = {"marac": Dataset.MARAC, "referrals": Dataset.REFERRALS}


def _require_import(request: HttpRequest, kind: str) -> None:
    if kind not in IMPORTERS:
        raise Http404("No such import.")
    if kind in IMPORT_DATASET:
        services.require_dataset_write(request.membership, IMPORT_DATASET[kind], request)
    elif not request.membership.is_strategic_lead:
        refuse(request, "Only strategic leads can import these figures.")


@partnership_view(WRITE_GROUP, methods=("GET", "HEAD", "POST"))
def import_figures(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload -> preview of every row (or every problem), with the columns read correctable -> confirm. Nothing is
    written before confirming; the columns confirmed are remembered for the partnership's next file."""
    request.current_section = SECTION
    _require_import(request, kind)
    importer_class = IMPORTERS[kind]
    context = {
        "kind": kind,
        "title": importer_class.title,
        "columns_table": tables.import_columns_table(importer_class.columns()),
    }
    form = ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        pending = _pending_figures(request, kind, request.POST.get("confirm"))
        handler = imports.handler_for(pending)
        try:
            result = handler.run(pending, dry_run=False)
        except TabularError as error:
            pending_upload_discard(pending)
            form.add_error("file", str(error))
        else:
            if result.ok:
                pending_upload_discard(pending)
                messages.success(request, f"{pending.filename}: {result.summary()}")
                return redirect("referrals:index", partnership_slug=request.partnership.slug)
            context.update(_preview(request, pending, importer_class, result))
    elif request.method == "POST" and "remap" in request.POST:
        # The person corrected which heading each column is read from: check the kept file again with theirs.
        pending = _pending_figures(request, kind, request.POST.get("remap"))
        checked = imports.check_again(
            partnership=request.partnership,
            pending=pending,
            resource=importer_class,
            posted=request.POST,
            user=request.user,
        )
        table, result = checked.table, checked.result
        context.update(_preview(request, pending, importer_class, result, table))
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                checked = imports.check_file(
                    partnership=request.partnership,
                    user=request.user,
                    kind=kind,
                    resource=importer_class,
                    upload=upload,
                )
            except TabularError as error:
                form.add_error("file", str(error))
            else:
                if not isinstance(checked, imports.Checked):  # too large for a request: checked by the task runner
                    return redirect("partnership:upload", request.partnership.slug, checked.pk)
                pending, result, table = checked.pending, checked.result, checked.table
                context.update(_preview(request, pending, importer_class, result, table))
    context["form"] = form
    return render(request, "referrals/import.html", context)


def _pending_figures(request: HttpRequest, kind: str, pk):
    pending = pending_upload_for(partnership=request.partnership, user=request.user, kind=kind, pk=pk)
    if pending is None:
        raise Http404("No such import waiting for confirmation")
    return pending


def _preview(request, pending, importer_class, result, table=None) -> dict:
    """The preview's context: the result, the kept upload, and the columns read (correctable)."""
    if table is None:
        table = imports.handler_for(pending).table(pending)
    return {
        "result": result,
        "preview_table": tables.import_preview_table(result) if result.ok else None,
        "pending": pending,
        **ColumnMappingForm.panel(columns=importer_class.columns(), headings=table.headings, result=result),
    }
