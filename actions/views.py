"""Pages of the action plan. Thin: check access, parse a form, call a service or selector, render or redirect."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString

from actions import charts, selectors, services, tables
from actions.filters import ActionPlanFilter, CaseReviewFilter
from actions.forms import (
    ActionForm,
    BulkUpdateRowForm,
    CaseReviewDeleteForm,
    CaseReviewForm,
    CaseReviewImportForm,
    CaseReviewRecommendationForm,
    EvidenceForm,
    ImportForm,
    PeriodForm,
    PriorityForm,
    ProgressUpdateForm,
    RatingForm,
    RecommendationForm,
    ReviewForm,
    StrategyForm,
    UpdateRoundChangeForm,
    UpdateRoundForm,
)
from actions.models import (
    Action,
    ActionGroup,
    Evidence,
    Priority,
    ProgressUpdate,
    Recommendation,
    Strategy,
    UpdateRound,
)
from actions.plan_file import (
    EXPORT_HEADINGS,
    PLAN_COLUMNS,
    PLAN_KIND,
    check_and_apply,
    export_rows,
)
from actions.resources import CaseReviewResource
from partnership import imports
from partnership.access import LEAD, WRITE_GROUP, partnership_view, refuse, require_group_write
from partnership.charts import chart_for
from partnership.forms import ColumnMappingForm
from partnership.models import OperationalGroup
from partnership.services import (
    pending_upload_create,
    pending_upload_discard,
    pending_upload_for,
    pending_upload_update,
)
from vawg import file_types, tabular
from vawg.concurrency import EditConflict, conflict_status, show_conflict
from vawg.forms import apply_errors
from vawg.periods import Quarter
from vawg.rag import RAG_TAG_CLASS, Rag
from vawg.tables import SummaryRow, Tag

# The kind of pending upload an action plan file is kept as between its preview and its confirmation.
PLAN_IMPORT = PLAN_KIND

PAGE_SIZE = 50
# The action page shows one financial year of history at a time (latest first): ten years of quarterly updates
# and ratings on one page would grow the page with the action's age.
HISTORY_YEARS_PER_PAGE = 1


def _section(request: HttpRequest, key: str = "plan") -> None:
    request.current_section = key


def _strategy(request: HttpRequest) -> tuple[list[Strategy], Strategy]:
    strategies = selectors.strategies_for(request.partnership)
    slug = request.GET.get("strategy") or None
    round_ = None if slug else selectors.latest_round(request.partnership)
    return strategies, selectors.choose_strategy(strategies, slug, round_)


def _period(request: HttpRequest, strategy: Strategy, strategies: list[Strategy], with_quarter: bool = True):
    """The year (and optionally quarter) a page shows; defaults to the latest rated year of the strategy."""
    latest = selectors.latest_rated_period(strategy)
    default_year = latest.year if latest else strategy.first_year
    form = PeriodForm(
        request.GET or None,
        strategies=strategies,
        strategy=strategy,
        with_quarter=with_quarter,
        initial={"strategy": strategy.slug, "year": str(default_year)},
    )
    year, quarter = default_year, None
    if form.is_bound and form.is_valid():
        year = int(form.cleaned_data["year"] or default_year)
        quarter = int(form.cleaned_data["quarter"]) if with_quarter and form.cleaned_data.get("quarter") else None
    elif form.is_bound:
        # A strategy was chosen without a year of it (or the year was of another strategy): show its default.
        form = PeriodForm(
            initial={"strategy": strategy.slug, "year": str(default_year)},
            strategies=strategies,
            strategy=strategy,
            with_quarter=with_quarter,
        )
    return form, year, quarter


# --- The action plan ------------------------------------------------------------------------------------------


@partnership_view()
def plan(request: HttpRequest) -> HttpResponse:
    _section(request)
    strategies, strategy = _strategy(request)
    update_round = selectors.latest_round(request.partnership, strategy)
    data = request.GET.copy()
    data.setdefault("strategy", strategy.slug)
    filterset = ActionPlanFilter(
        data,
        queryset=selectors.plan_actions(strategy),
        strategy=strategy,
        strategies=strategies,
        update_round=update_round,
    )
    page_obj = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.add_plan_details(page_obj.object_list, update_round)
    return render(
        request,
        "actions/plan.html",
        {
            "strategies": strategies,
            "strategy": strategy,
            "update_round": update_round,
            "filter": filterset,
            "page_obj": page_obj,
            "table": tables.plan_table(page_obj, slug=request.partnership.slug, update_round=update_round),
            "is_lead": request.membership.is_strategic_lead,
        },
    )


@partnership_view()
def plan_export(request: HttpRequest) -> HttpResponse:
    strategies, strategy = _strategy(request)
    _, year, quarter = _period(request, strategy, strategies)
    period = Quarter(year, quarter or 4)
    rows = export_rows(strategy, period)
    name = f"action-plan-{strategy.slug}-{period.financial_year}" + (f"-Q{quarter}" if quarter else "")
    if request.GET.get("format") == "xlsx":
        return tabular.xlsx_response(f"{name}.xlsx", EXPORT_HEADINGS, rows)
    return tabular.csv_response(f"{name}.csv", EXPORT_HEADINGS, rows)


@partnership_view(LEAD, methods=("GET", "POST"))
def plan_import(request: HttpRequest) -> HttpResponse:
    _section(request)
    if request.method == "POST" and "remap" in request.POST:
        return _plan_remap(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = batch = None
    if request.method == "POST" and form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        strategy = selectors.strategy_for_year(request.partnership, year)
        if strategy is None:
            form.add_error("year", "No strategy of the partnership covers this year.")
        else:
            upload = form.cleaned_data["file"]
            try:
                content = upload.read(tabular.MAX_UPLOAD_BYTES + 1)
            finally:
                upload.close()
            params = {"strategy": strategy.pk, "year": year, "quarter": quarter}
            try:
                report = check_and_apply(
                    strategy=strategy,
                    period=Quarter(year, quarter),
                    file=content,
                    filename=upload.name,
                    user=request.user,
                    dry_run=True,
                    limits=tabular.INLINE_LIMITS,
                )
            except tabular.OverRequestLimits:
                pending = imports.check_in_background(
                    partnership=request.partnership,
                    user=request.user,
                    kind=PLAN_IMPORT,
                    filename=upload.name,
                    content=content,
                    params=params,
                )
                return redirect("partnership:upload", request.partnership.slug, pending.pk)
            if report.headings:
                # Kept even when the file has problems: a column read from the wrong heading is corrected here.
                batch = pending_upload_create(
                    partnership=request.partnership,
                    user=request.user,
                    kind=PLAN_IMPORT,
                    filename=upload.name,
                    content=content,
                    params={**params, "mapping": report.mapping},
                    payload=report.preview_state,
                )
    return _plan_import_page(request, form, report, batch)


def _plan_remap(request: HttpRequest) -> HttpResponse:
    """The person corrected which heading each column is read from: check the kept file again with theirs."""
    batch = pending_upload_for(
        partnership=request.partnership, user=request.user, kind=PLAN_IMPORT, pk=request.POST.get("remap")
    )
    if batch is None:
        raise Http404("No such import waiting for confirmation")
    headings = imports.handler_for(batch).table(batch).headings
    mapping = ColumnMappingForm.posted(request.POST, columns=PLAN_COLUMNS, headings=headings)
    batch.params = {**batch.params, "mapping": mapping}
    report = imports.handler_for(batch).run(batch, dry_run=True)
    pending_upload_update(batch, params={**batch.params, "mapping": report.mapping}, payload=report.preview_state)
    return _plan_import_page(request, ImportForm(), report, batch)


def _plan_import_page(request: HttpRequest, form, report, batch) -> HttpResponse:
    context = {"form": form, "report": report, "batch": batch}
    if report is not None and batch is not None:
        context.update(ColumnMappingForm.panel(columns=PLAN_COLUMNS, headings=report.headings, result=report))
    status = 400 if report is not None and not report.ok else 200
    return render(request, "actions/import.html", context, status=status)


@partnership_view(LEAD, methods=("POST",))
def plan_import_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    _section(request)
    batch = pending_upload_for(partnership=request.partnership, user=request.user, kind=PLAN_IMPORT, pk=batch_id)
    if batch is None:
        raise Http404("No such import waiting for confirmation")
    strategy = get_object_or_404(Strategy, pk=batch.params.get("strategy"), partnership=request.partnership)
    report = imports.handler_for(batch).run(batch, dry_run=False)
    if not report.ok:
        return render(request, "actions/import.html", {"form": ImportForm(), "report": report}, status=400)
    pending_upload_discard(batch)
    messages.success(request, f"{batch.filename} imported: " + " ".join(report.summary_lines()[1:7]))
    return redirect(reverse("actions:plan", args=[request.partnership.slug]) + f"?strategy={strategy.slug}")


# --- One action -----------------------------------------------------------------------------------------------


def _rating_form_for(page: selectors.ActionPage, period: Quarter, data=None) -> RatingForm:
    current = page.rating_for(period)
    initial = {
        "year": period.year,
        "quarter": period.number,
        "version": current.version if current else 0,
        "rating": current.rating if current else Rag.NOT_RATED,
        "forecast": current.forecast if current else "",
    }
    return RatingForm(data, initial=initial)


def _rating_period(request: HttpRequest, action: Action) -> Quarter:
    source = request.POST if request.method == "POST" else request.GET
    try:
        period = Quarter(int(source.get("year", "")), int(source.get("quarter", "")))
    except ValueError:
        update_round = selectors.latest_round(request.partnership, action.strategy)
        period = update_round.period if update_round else Quarter(action.strategy.first_year, 4)
    if not action.strategy.covers(period.year):
        raise Http404("That quarter is outside the strategy.")
    return period


def _drafts_visible_to(request: HttpRequest) -> set[int]:
    return set(request.membership.group_ids()) if request.membership.is_coordinator else set()


@partnership_view()
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    _section(request)
    action = selectors.action_for(request.partnership, action_id)
    drafts_for = _drafts_visible_to(request)
    all_years = selectors.history_years(action, show_drafts_for=drafts_for)
    years_page = Paginator(all_years, HISTORY_YEARS_PER_PAGE).get_page(request.GET.get("page"))
    page = selectors.action_page(action, years=list(years_page), show_drafts_for=drafts_for)
    update_round = selectors.latest_round(request.partnership, action.strategy)
    context = {
        "page": page,
        "summary": tables.action_summary(page),
        "years_page": years_page,
        "action": action,
        "is_lead": request.membership.is_strategic_lead,
        "rate_period": update_round.period if update_round else None,
        **_evidence_context(request, action),
    }
    return render(request, "actions/action_detail.html", context)


def _update_evidence_context(request, action, group, update_round, update) -> dict:
    """The files of one group's update, on the update's page; a file added there goes with the update."""
    evidence = list(Evidence.objects.filter(update=update).select_related("uploaded_by")) if update else []
    membership = request.membership
    return {
        "evidence": evidence,
        "deletable": {item.pk for item in evidence if services.can_delete_evidence(membership, item)},
        "can_attach": update_round.is_open and membership.can_write_for_group(group),
        "next": request.get_full_path(),
        "evidence_max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        "evidence_group": group,
        "evidence_round": update_round,
    }


def _evidence_context(request: HttpRequest, action: Action) -> dict:
    evidence = selectors.evidence_for(action)
    membership = request.membership
    return {
        "evidence": evidence,
        "deletable": {item.pk for item in evidence if services.can_delete_evidence(membership, item)},
        "can_attach": services.can_attach_evidence(membership, action, None),
        "next": request.get_full_path(),
        "evidence_max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }


# --- Evidence -------------------------------------------------------------------------------------------------


def _back_to(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@partnership_view(WRITE_GROUP, methods=("POST",))
def evidence_upload(request: HttpRequest, action_id: int) -> HttpResponse:
    """Attach a file to an action (from its page) or to a group's update on it (from "My updates")."""
    action = selectors.action_for(request.partnership, action_id)
    if not services.can_attach_evidence(request.membership, action, None):
        return refuse(request, "You can only add evidence to the actions of the groups you coordinate.")
    form = EvidenceForm(request.POST, request.FILES)
    back = _back_to(request, reverse("actions:action_detail", args=[request.partnership.slug, action.pk]))
    if not form.is_valid():
        messages.error(request, "Choose a file to add as evidence.")
        return redirect(back)
    update = None
    if form.cleaned_data["group"] and form.cleaned_data["round"]:
        group = get_object_or_404(OperationalGroup, pk=form.cleaned_data["group"], partnership=request.partnership)
        require_group_write(request.membership, group, request)
        update_round = get_object_or_404(UpdateRound, pk=form.cleaned_data["round"], strategy=action.strategy)
        # Not started yet: the file goes with the action.
        update = ProgressUpdate.objects.filter(
            action=action, group=group, year=update_round.year, quarter=update_round.quarter
        ).first()
    try:
        evidence = services.evidence_add(
            action=action, update=update, upload=form.cleaned_data["file"], membership=request.membership
        )
    except ValidationError as error:
        messages.error(request, f"The file was not added: {' '.join(error.messages)}")
    else:
        messages.success(request, f"{evidence.filename} added to action {action.ref}.")
    return redirect(back)


def _evidence(request: HttpRequest, evidence_id: int) -> Evidence:
    return get_object_or_404(
        Evidence.objects.select_related("action__strategy"),
        pk=evidence_id,
        action__strategy__partnership=request.partnership,
    )


@partnership_view()
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Only through here, for members of the partnership: always as an attachment, under its safe name."""
    evidence = _evidence(request, evidence_id)
    kind = next((k for k in file_types.ACCEPTED if k.label == evidence.kind), None)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.filename,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@partnership_view(WRITE_GROUP, methods=("POST",))
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = _evidence(request, evidence_id)
    back = _back_to(request, reverse("actions:action_detail", args=[request.partnership.slug, evidence.action_id]))
    services.evidence_delete(evidence=evidence, membership=request.membership)
    messages.success(request, f"{evidence.filename} removed.")
    return redirect(back)


def _detail_url_showing(request: HttpRequest, action: Action, year: int) -> str:
    """The action page, at the page of history that shows `year`."""
    url = reverse("actions:action_detail", args=[request.partnership.slug, action.pk])
    years = selectors.history_years(action)
    number = years.index(year) // HISTORY_YEARS_PER_PAGE + 1 if year in years else 1
    return url if number == 1 else f"{url}?page={number}"


@partnership_view(LEAD, methods=("GET", "POST"))
def action_rate(request: HttpRequest, action_id: int) -> HttpResponse:
    _section(request)
    action = selectors.action_for(request.partnership, action_id)
    period = _rating_period(request, action)
    page = selectors.action_page(action, years=[period.year])
    form = _rating_form_for(page, period, request.POST if request.method == "POST" else None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.rag_rating_set(
                action=action,
                period=period,
                rating=data["rating"],
                reason=data["reason"],
                forecast=data["forecast"],
                expected_version=data["version"],
                user=request.user,
            )
        except EditConflict as error:
            conflict = show_conflict(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if result.changed:
                messages.success(
                    request, f"Rating of {action.ref} for {period} set to {result.rating.get_rating_display()}."
                )
            else:
                messages.info(request, f"The rating of {action.ref} for {period} was already that: nothing changed.")
            return redirect(_detail_url_showing(request, action, period.year))
    proposals = [u for q in page.quarters if q.period == period for u in q.updates]
    return render(
        request,
        "actions/action_rate.html",
        {
            "page": page,
            "action": action,
            "period": period,
            "form": form,
            "conflict": conflict,
            "summary": tables.rating_summary(current=page.rating_for(period), proposals=proposals, period=period),
        },
        status=conflict_status(conflict),
    )


# --- Plan structure -------------------------------------------------------------------------------------------


@partnership_view()
def structure(request: HttpRequest) -> HttpResponse:
    _section(request)
    strategies = (
        Strategy.objects.filter(partnership=request.partnership).prefetch_related("priorities").order_by("first_year")
    )
    return render(
        request,
        "actions/structure.html",
        {
            "strategies": tables.structure_tables(
                strategies, slug=request.partnership.slug, is_lead=request.membership.is_strategic_lead
            ),
            "is_lead": request.membership.is_strategic_lead,
        },
    )


def _form_page(request, form, *, title: str, back: str, submit: str = "Save", caption: str = "") -> HttpResponse:
    return render(
        request,
        "actions/form.html",
        {"form": form, "title": title, "back": back, "submit": submit, "caption": caption},
        status=200,
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def strategy_edit(request: HttpRequest, strategy_id: int | None = None) -> HttpResponse:
    _section(request)
    strategy = get_object_or_404(Strategy, pk=strategy_id, partnership=request.partnership) if strategy_id else None
    initial = (
        {
            "title": strategy.title,
            "slug": strategy.slug,
            "first_year": strategy.first_year,
            "last_year": strategy.last_year,
        }
        if strategy
        else {}
    )
    form = StrategyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.strategy_save(partnership=request.partnership, strategy=strategy, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['title']} saved.")
            return redirect("actions:structure", request.partnership.slug)
    back = reverse("actions:structure", args=[request.partnership.slug])
    return _form_page(request, form, title=f"Change {strategy.title}" if strategy else "Add a strategy", back=back)


@partnership_view(LEAD, methods=("GET", "POST"))
def priority_edit(request: HttpRequest, strategy_id: int, priority_id: int | None = None) -> HttpResponse:
    _section(request)
    strategy = get_object_or_404(Strategy, pk=strategy_id, partnership=request.partnership)
    priority = get_object_or_404(Priority, pk=priority_id, strategy=strategy) if priority_id else None
    initial = (
        {k: getattr(priority, k) for k in ("number", "title", "short_title", "commitment")}
        if priority
        else {"number": strategy.priorities.count() + 1}
    )
    form = PriorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_save(strategy=strategy, priority=priority, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Priority {form.cleaned_data['number']} saved.")
            return redirect("actions:structure", request.partnership.slug)
    back = reverse("actions:structure", args=[request.partnership.slug])
    title = f"Change priority {priority.number}" if priority else "Add a priority"
    return _form_page(request, form, title=title, back=back, caption=strategy.title)


@partnership_view(LEAD, methods=("GET", "POST"))
def action_edit(request: HttpRequest, action_id: int | None = None) -> HttpResponse:
    _section(request)
    if action_id:
        action = get_object_or_404(
            Action.objects.select_related("strategy"), pk=action_id, strategy__partnership=request.partnership
        )
        strategy = action.strategy
        initial = {
            "priority": action.priority_id,
            "ref": action.ref,
            "text": action.text,
            "intended_impact": action.intended_impact,
            "groups": list(action.responsibilities.values_list("group_id", flat=True)),
        }
    else:
        action, (_, strategy) = None, _strategy(request)
        initial = {}
    form = ActionForm(request.POST or None, initial=initial, strategy=strategy)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_save(action=action, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action {action.ref} saved.")
            return redirect("actions:action_detail", request.partnership.slug, action.pk)
    back = (
        reverse("actions:action_detail", args=[request.partnership.slug, action.pk])
        if action
        else reverse("actions:plan", args=[request.partnership.slug])
    )
    title = f"Change action {action.ref}" if action else "Add an action"
    return _form_page(request, form, title=title, back=back, caption=strategy.title)


# --- Quarterly updates ----------------------------------------------------------------------------------------


@partnership_view()
def rounds(request: HttpRequest) -> HttpResponse:
    _section(request, "updates")
    return render(
        request,
        "actions/rounds.html",
        {
            "table": tables.rounds_table(
                selectors.rounds_for(request.partnership),
                slug=request.partnership.slug,
                today=timezone.localdate(),
                is_lead=request.membership.is_strategic_lead,
                can_write=request.membership.is_strategic_lead or request.membership.is_coordinator,
            ),
            "is_lead": request.membership.is_strategic_lead,
        },
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def round_open(request: HttpRequest) -> HttpResponse:
    _section(request, "updates")
    form = UpdateRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        strategy = selectors.strategy_for_year(request.partnership, year)
        if strategy is None:
            form.add_error("year", "No strategy of the partnership covers this year.")
        else:
            try:
                update_round = services.update_round_open(
                    strategy=strategy,
                    period=Quarter(year, form.cleaned_data["quarter"]),
                    deadline=form.cleaned_data["deadline"],
                    user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{update_round} opened, due by {update_round.deadline:%-d %B %Y}.")
                return redirect("actions:rounds", request.partnership.slug)
    back = reverse("actions:rounds", args=[request.partnership.slug])
    return _form_page(request, form, title="Open a quarter for updates", back=back, submit="Open for updates")


def _round(request: HttpRequest, round_id: int) -> UpdateRound:
    return get_object_or_404(
        UpdateRound.objects.select_related("strategy"), pk=round_id, strategy__partnership=request.partnership
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    _section(request, "updates")
    update_round = _round(request, round_id)
    form = UpdateRoundChangeForm(
        request.POST or None, initial={"deadline": update_round.deadline, "is_open": update_round.is_open}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_round_change(update_round=update_round, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{update_round} saved.")
            return redirect("actions:rounds", request.partnership.slug)
    back = reverse("actions:rounds", args=[request.partnership.slug])
    return _form_page(request, form, title=f"Change {update_round}", back=back, caption=update_round.strategy.title)


@partnership_view()
def round_status(request: HttpRequest, round_id: int) -> HttpResponse:
    _section(request, "updates")
    update_round = _round(request, round_id)
    today = timezone.localdate()
    progress = selectors.round_progress(update_round)
    totals = {
        key: sum(getattr(p, key) for p in progress)
        for key in ("expected", "not_started", "draft", "returned", "submitted", "accepted", "done", "missing")
    }
    is_overdue = today > update_round.deadline
    return render(
        request,
        "actions/round_status.html",
        {
            "update_round": update_round,
            "progress": progress,
            "is_overdue": is_overdue,
            "table": tables.round_status_table(progress, totals, is_overdue=is_overdue),
            "is_lead": request.membership.is_strategic_lead,
        },
    )


# One page of "My updates" holds every row a coordinator normally answers for (a few dozen); a lead, who answers for
# every group, pages: a page of hundreds of rows of text boxes would be slow to draw and to use.
BULK_PAGE_SIZE = 50


@dataclass
class UpdateRow:
    """A row of the bulk "My updates" page: the item, last quarter's update, and its form if it can be edited."""

    item: selectors.UpdateItem
    previous: ProgressUpdate | None
    form: BulkUpdateRowForm | None
    evidence: list[Evidence]

    @property
    def label(self) -> str:
        return f"{self.item.action.ref} {self.item.group.abbreviation}"

    @property
    def summary(self) -> list[SummaryRow]:
        return tables.bulk_row_summary(self.item.update)

    @property
    def anchor(self) -> str:
        return f"row-{BulkUpdateRowForm.prefix_for(self.item.action.pk, self.item.group.pk)}"

    @property
    def conflict(self) -> EditConflict | None:
        """The edit conflict refusing this row's save, if any (show_conflict puts it on the form)."""
        return getattr(self.form, "conflict", None)

    @property
    def status_tag(self) -> SafeString:
        """The update's status as a tag (drawn as components/tag.html draws one, without an include per row)."""
        return STATUS_TAGS.get(self.item.status_key, STATUS_TAGS["not_started"])


# The status tags of "My updates", drawn once: a page of fifty rows draws one each.
STATUS_TAGS = {
    key: Tag(text, f"govuk-tag--{colour}").html
    for key, text, colour in [
        ("accepted", "Accepted", "green"),
        ("submitted", "Submitted", "blue"),
        ("returned", "Returned", "orange"),
        ("draft", "Draft", "yellow"),
        ("not_started", "Not started", "grey"),
    ]
}
OVERDUE_TAG = Tag("Overdue", "govuk-tag--red").html


@dataclass
class _SummaryLine:
    auto_id: str
    errors: list[str]


class RowErrorSummary:
    """Every row's errors as one form for components/error_summary.html, each linked to its row's field."""

    prefix = ""

    def __init__(self, rows: list[UpdateRow], page_errors: list[str]):
        self._page_errors, self._lines = page_errors, []
        for row in rows:
            form = row.form
            if form is None:
                continue
            if getattr(form, "conflict", None) is not None:
                self._lines.append(_SummaryLine(row.anchor, [f"{row.label}: {form.conflict.message}"]))
            for error in form.non_field_errors():
                self._lines.append(_SummaryLine(row.anchor, [f"{row.label}: {error}"]))
            for field in form:
                if field.errors:
                    self._lines.append(_SummaryLine(field.auto_id, [f"{row.label}: {e}" for e in field.errors]))
        self.errors = bool(self._lines or page_errors)

    def non_field_errors(self) -> list[str]:
        return self._page_errors

    def __iter__(self):
        return iter(self._lines)


def _chosen_round(request: HttpRequest, rounds_: list[UpdateRound]) -> UpdateRound | None:
    chosen = request.GET.get("round") or request.POST.get("round")
    update_round = next((r for r in rounds_ if str(r.pk) == chosen), None) if chosen else None
    if chosen and update_round is None:
        raise Http404("No such update round.")
    open_rounds = [r for r in rounds_ if r.is_open]
    return update_round or (open_rounds[0] if open_rounds else (rounds_[0] if rounds_ else None))


def _update_rows(update_round: UpdateRound, items: list[selectors.UpdateItem], data=None) -> list[UpdateRow]:
    previous = selectors.previous_quarter_updates(update_round, items)
    evidence = selectors.evidence_of_updates(items)
    rows = []
    for item in items:
        form = None
        if update_round.is_open and (item.update is None or item.update.is_editable_by_group):
            prefix = BulkUpdateRowForm.prefix_for(item.action.pk, item.group.pk)
            posted = data is not None and f"{prefix}-version" in data
            form = BulkUpdateRowForm(
                data if posted else None,
                prefix=prefix,
                initial=BulkUpdateRowForm.initial_for(item.update),
                row_label=f"{item.action.ref} {item.group.abbreviation}",
            )
        key = (item.action.pk, item.group.pk)
        rows.append(UpdateRow(item, previous.get(key), form, evidence.get(key, [])))
    return rows


def _save_rows(
    request: HttpRequest, update_round: UpdateRound, rows: list[UpdateRow], submit: bool
) -> tuple[list[ProgressUpdate] | None, list[str]]:
    """Save the posted rows through the bulk service, all or nothing. "Submit" submits the rows ticked, or when
    none is ticked every row with its successes and challenges written; every other row is saved as a draft.
    Returns the updates saved (None when refused) and the page's own errors (a row's errors go on its form)."""
    posted = [row for row in rows if row.form is not None and row.form.is_bound]
    valid = [row.form.is_valid() for row in posted]  # every row, so that every row's errors are shown
    if not all(valid):
        return None, []
    ticked = {id(row) for row in posted if row.form.cleaned_data["submit"]}
    if submit and not ticked:
        ticked = {id(row) for row in posted if row.form.cleaned_data["successes_and_challenges"].strip()}
    entries = [
        services.UpdateEntry(
            action=row.item.action,
            group=row.item.group,
            successes_and_challenges=row.form.cleaned_data["successes_and_challenges"],
            next_steps=row.form.cleaned_data["next_steps"],
            proposed_rating=row.form.cleaned_data["proposed_rating"],
            expected_version=row.form.cleaned_data["version"],
            submit=submit and id(row) in ticked,
        )
        for row in posted
    ]
    by_key = {(row.item.action.pk, row.item.group.pk): row for row in posted}
    try:
        saved = services.progress_updates_save(
            strategy=update_round.strategy, period=update_round.period, entries=entries, membership=request.membership
        )
    except services.UpdateRowErrors as refused:
        for key, error in refused.errors.items():
            form = by_key[key].form
            if isinstance(error, EditConflict):
                show_conflict(form, error)
                by_key[key].item.update = error.current
            else:
                apply_errors(form, error)
        return None, []
    except ValidationError as error:
        return None, error.messages
    return saved, []


@partnership_view(WRITE_GROUP, methods=("GET", "POST"))
def my_updates(request: HttpRequest) -> HttpResponse:
    """A quarter's updates for every action the person's groups answer for, on one page and in one form."""
    _section(request, "updates")
    rounds_ = selectors.rounds_for(request.partnership)
    update_round = _chosen_round(request, rounds_)
    rows, page_obj, outstanding, page_errors = [], None, 0, []
    if update_round is not None:
        group_ids = selectors.writable_group_ids(request.membership)
        paginator = Paginator(selectors.round_responsibilities(update_round, group_ids), BULK_PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page") or request.POST.get("page"))
        items = selectors.update_items(update_round, responsibilities=page_obj.object_list)
        rows = _update_rows(update_round, items, request.POST if request.method == "POST" else None)
        if request.method == "POST":
            submit = request.POST.get("save") == "submit"
            saved, page_errors = _save_rows(request, update_round, rows, submit)
            if saved is not None:
                submitted = sum(1 for update in saved if update.status == ProgressUpdate.Status.SUBMITTED)
                messages.success(
                    request,
                    f"{len(saved)} update{pluralize(len(saved))} saved"
                    + (f", {submitted} submitted for review." if submitted else " as drafts."),
                )
                url = reverse("actions:my_updates", args=[request.partnership.slug]) + f"?round={update_round.pk}"
                return redirect(url + (f"&page={page_obj.number}" if page_obj.number > 1 else ""))
        outstanding = paginator.count - selectors.round_done_count(update_round, group_ids)
    elif request.method == "POST":
        return redirect("actions:my_updates", request.partnership.slug)
    summary = RowErrorSummary(rows, page_errors)
    conflict = any(getattr(row.form, "conflict", None) is not None for row in rows)
    today = timezone.localdate()
    overdue = update_round is not None and update_round.is_open and today > update_round.deadline
    return render(
        request,
        "actions/my_updates.html",
        {
            "rounds": rounds_,
            "update_round": update_round,
            "rows": rows,
            "items": [row.item for row in rows],
            "editable_rows": sum(1 for row in rows if row.form is not None),
            "page_obj": page_obj,
            "overdue": overdue,
            "outstanding": outstanding,
            "summary": summary,
            "today": today,
            "next": request.get_full_path(),
            "evidence_max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
            "overdue_tag": OVERDUE_TAG,
        },
        status=409 if conflict else 200,
    )


@partnership_view(WRITE_GROUP, methods=("POST",))
def update_draft(request: HttpRequest, round_id: int, action_id: int, group_id: int) -> JsonResponse:
    """Save one row of "My updates" as a draft while the person types (bulk-updates.mjs): the bulk service with
    one row, answering JSON: the new version and the time, or the refusal (409 for an edit conflict)."""
    update_round = _round(request, round_id)
    action = get_object_or_404(Action.objects.select_related("strategy"), pk=action_id, strategy=update_round.strategy)
    group = get_object_or_404(OperationalGroup, pk=group_id, partnership=request.partnership)
    require_group_write(request.membership, group, request)
    form = BulkUpdateRowForm(
        request.POST,
        prefix=BulkUpdateRowForm.prefix_for(action.pk, group.pk),
        row_label=f"{action.ref} {group.abbreviation}",
    )
    if not form.is_valid():
        return JsonResponse({"saved": False, "message": "Not saved: check this row's entries."}, status=400)
    entry = services.UpdateEntry(
        action=action,
        group=group,
        successes_and_challenges=form.cleaned_data["successes_and_challenges"],
        next_steps=form.cleaned_data["next_steps"],
        proposed_rating=form.cleaned_data["proposed_rating"],
        expected_version=form.cleaned_data["version"],
    )
    try:
        saved = services.progress_updates_save(
            strategy=update_round.strategy, period=update_round.period, entries=[entry], membership=request.membership
        )
    except services.UpdateRowErrors as refused:
        error = next(iter(refused.errors.values()))
        if isinstance(error, EditConflict):
            return JsonResponse({"saved": False, "conflict": True, "message": error.message}, status=409)
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=400)
    except ValidationError as error:
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=400)
    version = saved[0].version if saved else form.cleaned_data["version"]
    return JsonResponse(
        {"saved": True, "version": version, "saved_at": timezone.localtime().strftime("%H:%M")}, status=200
    )


@partnership_view(WRITE_GROUP, methods=("GET", "POST"))
def update_edit(request: HttpRequest, round_id: int, action_id: int, group_id: int) -> HttpResponse:
    _section(request, "updates")
    update_round = _round(request, round_id)
    action = get_object_or_404(
        Action.objects.select_related("strategy", "priority"), pk=action_id, strategy=update_round.strategy
    )
    group = get_object_or_404(OperationalGroup, pk=group_id, partnership=request.partnership)
    require_group_write(request.membership, group)
    if not ActionGroup.objects.filter(action=action, group=group).exists():
        raise Http404("That group is not responsible for this action.")
    current = ProgressUpdate.objects.filter(
        action=action, group=group, year=update_round.year, quarter=update_round.quarter
    ).first()
    form = ProgressUpdateForm(request.POST or None, initial=ProgressUpdateForm.initial_for(current))
    conflict = None
    editable = current is None or current.is_editable_by_group
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("submit") == "submit"
        try:
            services.progress_update_save(
                action=action,
                group=group,
                period=update_round.period,
                successes_and_challenges=form.cleaned_data["successes_and_challenges"],
                next_steps=form.cleaned_data["next_steps"],
                impact=form.cleaned_data["impact"],
                proposed_rating=form.cleaned_data["proposed_rating"],
                submit=submit,
                expected_version=form.cleaned_data["version"],
                membership=request.membership,
            )
        except EditConflict as error:
            conflict = show_conflict(form, error)
            current = error.current
        except ValidationError as error:
            apply_errors(form, error)
        else:
            verb = "submitted for review" if submit else "saved as a draft"
            messages.success(request, f"Update on {action.ref} for {group.abbreviation} {verb}.")
            if submit:
                return redirect(
                    reverse("actions:my_updates", args=[request.partnership.slug]) + f"?round={update_round.pk}"
                )
            return redirect("actions:update_edit", request.partnership.slug, update_round.pk, action.pk, group.pk)
    previous = (
        ProgressUpdate.objects.filter(action=action, group=group, status=ProgressUpdate.Status.ACCEPTED)
        .exclude(year=update_round.year, quarter=update_round.quarter)
        .order_by("-year", "-quarter")
        .first()
    )
    return render(
        request,
        "actions/update_edit.html",
        {
            "update_round": update_round,
            "action": action,
            "group": group,
            "update": current,
            "summary": tables.update_summary(current, with_status=False) if current else [],
            "form": form,
            "editable": editable and update_round.is_open,
            "conflict": conflict,
            "previous": previous,
            **_update_evidence_context(request, action, group, update_round, current),
        },
        status=conflict_status(conflict),
    )


@partnership_view(LEAD)
def round_review(request: HttpRequest, round_id: int) -> HttpResponse:
    _section(request, "updates")
    update_round = _round(request, round_id)
    page_obj = Paginator(selectors.review_responsibilities(update_round), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "actions/round_review.html",
        {
            "update_round": update_round,
            "table": tables.round_review_table(
                selectors.update_items(update_round, responsibilities=page_obj.object_list),
                update_round=update_round,
                page_obj=page_obj,
                slug=request.partnership.slug,
            ),
            "page_obj": page_obj,
            "waiting": selectors.round_waiting_count(update_round),
        },
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def update_review(request: HttpRequest, update_id: int) -> HttpResponse:
    _section(request, "updates")
    update = get_object_or_404(
        ProgressUpdate.objects.select_related("action__strategy", "action__priority", "group", "updated_by"),
        pk=update_id,
        action__strategy__partnership=request.partnership,
    )
    if update.status == ProgressUpdate.Status.DRAFT:
        raise Http404("Drafts are private to their group until submitted.")
    update_round = UpdateRound.objects.filter(
        strategy=update.action.strategy, year=update.year, quarter=update.quarter
    ).first()
    form = ReviewForm(request.POST or None, initial={"version": update.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_review(
                update=update,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
        except EditConflict as error:
            conflict = show_conflict(form, error)
            update = error.current or update
        except ValidationError as error:
            apply_errors(form, error)
        else:
            verb = "accepted" if form.cleaned_data["decision"] == "accept" else "returned to the group"
            messages.success(request, f"Update on {update.action.ref} from {update.group.abbreviation} {verb}.")
            if update_round:
                return redirect("actions:round_review", request.partnership.slug, update_round.pk)
            return redirect("actions:action_detail", request.partnership.slug, update.action_id)
    return render(
        request,
        "actions/update_review.html",
        {
            "update": update,
            "summary": tables.update_summary(update, with_status=True),
            "form": form,
            "update_round": update_round,
            "conflict": conflict,
        },
        status=conflict_status(conflict),
    )


# --- Summary and appendix -------------------------------------------------------------------------------------


@partnership_view()
def summary(request: HttpRequest) -> HttpResponse:
    _section(request)
    strategies, strategy = _strategy(request)
    form, year, quarter = _period(request, strategy, strategies)
    result = selectors.rag_summary(strategy=strategy, year=year, quarter=quarter)
    return render(
        request,
        "actions/summary.html",
        {
            "strategy": strategy,
            "form": form,
            "summary": result,
            "summary_table": tables.rag_summary_table(result),
            "movement_table": tables.movement_table(result),
            "rag_meanings": tables.rag_meanings(request.partnership),
            # The same spec as the report's Fig 2, from its stored drawing.
            "chart": chart_for(request.partnership, charts.summary_spec(result)),
            "csv_query": request.GET.urlencode(),
            "tag_class": RAG_TAG_CLASS,
        },
    )


@partnership_view()
def summary_csv(request: HttpRequest) -> HttpResponse:
    strategies, strategy = _strategy(request)
    _, year, quarter = _period(request, strategy, strategies)
    result = selectors.rag_summary(strategy=strategy, year=year, quarter=quarter)
    head, rows = result.table()
    if request.GET.get("format") == "json":
        return HttpResponse(json.dumps(result.as_dict(), indent=2), content_type="application/json")
    return tabular.csv_response(f"rag-summary-{strategy.slug}-{result.label.replace(' ', '-')}.csv", head, rows)


@partnership_view()
def appendix(request: HttpRequest) -> HttpResponse:
    _section(request)
    strategies, strategy = _strategy(request)
    form, year, _ = _period(request, strategy, strategies, with_quarter=False)
    return render(
        request,
        "actions/appendix.html",
        {
            "strategy": strategy,
            "form": form,
            "year": selectors.final_quarter(year).financial_year,
            "next_year": selectors.final_quarter(year).financial_year.next,
            "tables": tables.appendix_tables(
                selectors.appendix_rows(strategy=strategy, year=year),
                slug=request.partnership.slug,
                next_year=selectors.final_quarter(year).financial_year.next,
            ),
        },
    )


# --- Recommendations ------------------------------------------------------------------------------------------


@partnership_view()
def recommendations(request: HttpRequest) -> HttpResponse:
    _section(request)
    return render(
        request,
        "actions/recommendations.html",
        {
            "tables": tables.recommendation_tables(
                selectors.recommendations_with_ratings(request.partnership),
                slug=request.partnership.slug,
                is_lead=request.membership.is_strategic_lead,
            ),
            "is_lead": request.membership.is_strategic_lead,
        },
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def recommendation_edit(request: HttpRequest, recommendation_id: int | None = None) -> HttpResponse:
    _section(request)
    recommendation = (
        get_object_or_404(Recommendation, pk=recommendation_id, partnership=request.partnership)
        if recommendation_id
        else None
    )
    if recommendation is not None and recommendation.case_review_id:
        # A case review's recommendation takes its type and source from the review: changed on the review's page.
        return redirect(
            "actions:case_review_recommendation_edit",
            request.partnership.slug,
            recommendation.case_review_id,
            recommendation.pk,
        )
    initial = {}
    if recommendation:
        initial = {
            k: getattr(recommendation, k) for k in ("source_type", "source", "source_date", "ref", "text", "status")
        }
        initial["actions"] = list(recommendation.actions.values_list("pk", flat=True))
    form = RecommendationForm(request.POST or None, initial=initial, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.recommendation_save(
                partnership=request.partnership,
                recommendation=recommendation,
                **{**data, "actions": list(data["actions"])},
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Recommendation {data['ref']} saved.")
            return redirect("actions:recommendations", request.partnership.slug)
    back = reverse("actions:recommendations", args=[request.partnership.slug])
    title = f"Change recommendation {recommendation.ref}" if recommendation else "Add a recommendation"
    return _form_page(request, form, title=title, back=back)


# --- Case reviews (DHR, SAR, SCR) -------------------------------------------------------------------------------


@partnership_view()
def case_reviews(request: HttpRequest) -> HttpResponse:
    _section(request)
    filterset = CaseReviewFilter(
        request.GET or None, queryset=selectors.case_reviews_for(request.partnership), partnership=request.partnership
    )
    reviews = list(filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset)
    return render(
        request,
        "actions/case_reviews.html",
        {
            "filter": filterset,
            "table": tables.case_reviews_table(reviews, slug=request.partnership.slug),
            "themes_table": tables.case_review_themes_table(selectors.recurring_themes(request.partnership)),
            "is_lead": request.membership.is_strategic_lead,
        },
    )


@partnership_view()
def case_review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    _section(request)
    review = selectors.case_review_for(request.partnership, review_id)
    is_lead = request.membership.is_strategic_lead
    recommendations = selectors.recommendations_with_ratings(request.partnership, case_review=review)
    return render(
        request,
        "actions/case_review_detail.html",
        {
            "review": review,
            "details": tables.case_review_summary(review),
            "recommendations_table": tables.case_review_recommendations_table(
                review, recommendations, slug=request.partnership.slug, is_lead=is_lead
            ),
            "is_lead": is_lead,
        },
    )


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def case_review_edit(request: HttpRequest, review_id: int | None = None) -> HttpResponse:
    _section(request)
    review = selectors.case_review_for(request.partnership, review_id) if review_id else None
    conflict = None
    if request.method == "POST":
        form = CaseReviewForm(request.POST, partnership=request.partnership)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = services.case_review_save(
                    partnership=request.partnership,
                    case_review=review,
                    kind=data["kind"],
                    reference=data["reference"],
                    commissioned_on=data["commissioned_on"],
                    status=data["status"],
                    overseen_by=data["overseen_by"],
                    themes=services.theme_names(data["themes"]),
                    summary=data["summary"],
                    illustrative=data["illustrative"],
                    user=request.user,
                    expected_version=data["version"] or 0,
                )
            except EditConflict as error:
                conflict = show_conflict(form, error)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{review.reference} saved.")
                return redirect("actions:case_review_detail", request.partnership.slug, review.pk)
    else:
        initial = {"version": 0}
        if review:
            initial = {
                **{name: getattr(review, name) for name in ("kind", "reference", "commissioned_on", "status")},
                **{name: getattr(review, name) for name in ("overseen_by", "summary", "illustrative", "version")},
                "themes": "\n".join(theme.name for theme in review.themes.all()),
            }
        form = CaseReviewForm(initial=initial, partnership=request.partnership)
    back = (
        reverse("actions:case_review_detail", args=[request.partnership.slug, review.pk])
        if review
        else reverse("actions:case_reviews", args=[request.partnership.slug])
    )
    return render(
        request,
        "actions/case_review_form.html",
        {
            "form": form,
            "review": review,
            "conflict": conflict,
            "title": f"Change {review.reference}" if review else "Add a case review",
            "back": back,
        },
        status=conflict_status(conflict),
    )


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def case_review_delete(request: HttpRequest, review_id: int) -> HttpResponse:
    _section(request)
    review = selectors.case_review_for(request.partnership, review_id)
    form = CaseReviewDeleteForm(request.POST or None, initial={"version": review.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_review_delete(case_review=review, expected_version=form.cleaned_data["version"])
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, f"{review.reference} deleted.")
            return redirect("actions:case_reviews", request.partnership.slug)
    return render(
        request,
        "actions/case_review_delete.html",
        {"form": form, "review": review, "conflict": conflict},
        status=conflict_status(conflict),
    )


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def case_review_recommendation_edit(
    request: HttpRequest, review_id: int, recommendation_id: int | None = None
) -> HttpResponse:
    _section(request)
    review = selectors.case_review_for(request.partnership, review_id)
    recommendation = (
        get_object_or_404(Recommendation, pk=recommendation_id, case_review=review) if recommendation_id else None
    )
    initial = {}
    if recommendation:
        initial = {k: getattr(recommendation, k) for k in ("ref", "text", "source_date", "status")}
        initial["actions"] = list(recommendation.actions.values_list("pk", flat=True))
    form = CaseReviewRecommendationForm(request.POST or None, initial=initial, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_review_recommendation_save(
                case_review=review,
                recommendation=recommendation,
                **{**data, "actions": list(data["actions"])},
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Recommendation {data['ref']} of {review.reference} saved.")
            return redirect("actions:case_review_detail", request.partnership.slug, review.pk)
    back = reverse("actions:case_review_detail", args=[request.partnership.slug, review.pk])
    title = f"Change recommendation {recommendation.ref}" if recommendation else "Add a recommendation"
    return _form_page(request, form, title=title, back=back, caption=review.reference)


CASE_REVIEW_IMPORT = CaseReviewResource.kind


@partnership_view()
def case_reviews_export(request: HttpRequest) -> HttpResponse:
    resource = CaseReviewResource(request.partnership)
    rows = resource.export_rows(resource.get_queryset())
    filename = f"{request.partnership.slug}-case-reviews"
    if request.GET.get("format") == "xlsx":
        return tabular.xlsx_response(f"{filename}.xlsx", resource.headings(), rows)
    return tabular.csv_response(f"{filename}.csv", resource.headings(), rows)


def _case_review_preview(request, pending, result, table=None) -> dict:
    if table is None:
        table = imports.handler_for(pending).table(pending)
    return {
        "result": result,
        "pending": pending,
        "preview_table": tables.case_review_import_preview_table(result) if result.ok else None,
        **ColumnMappingForm.panel(columns=CaseReviewResource.columns(), headings=table.headings, result=result),
    }


def _pending_case_reviews(request: HttpRequest, pk):
    pending = pending_upload_for(partnership=request.partnership, user=request.user, kind=CASE_REVIEW_IMPORT, pk=pk)
    if pending is None:
        raise Http404("No such import waiting for confirmation")
    return pending


@partnership_view(LEAD, methods=("GET", "HEAD", "POST"))
def case_reviews_import(request: HttpRequest) -> HttpResponse:
    """Upload -> preview of every row (or every problem), columns correctable -> confirm, as every import does."""
    _section(request)
    context = {"columns_table": tables.case_review_import_columns_table(CaseReviewResource.columns())}
    form = CaseReviewImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        pending = _pending_case_reviews(request, request.POST.get("confirm"))
        try:
            result = imports.handler_for(pending).run(pending, dry_run=False)
        except tabular.TabularError as error:
            pending_upload_discard(pending)
            form.add_error("file", str(error))
        else:
            if result.ok:
                pending_upload_discard(pending)
                messages.success(request, f"{pending.filename}: {result.summary()}")
                return redirect("actions:case_reviews", request.partnership.slug)
            context.update(_case_review_preview(request, pending, result))
    elif request.method == "POST" and "remap" in request.POST:
        pending = _pending_case_reviews(request, request.POST.get("remap"))
        checked = imports.check_again(
            partnership=request.partnership,
            pending=pending,
            resource=CaseReviewResource,
            posted=request.POST,
            user=request.user,
        )
        context.update(_case_review_preview(request, pending, checked.result, checked.table))
    elif request.method == "POST":
        form = CaseReviewImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                checked = imports.check_file(
                    partnership=request.partnership,
                    user=request.user,
                    kind=CASE_REVIEW_IMPORT,
                    resource=CaseReviewResource,
                    upload=form.cleaned_data["file"],
                )
            except tabular.TabularError as error:
                form.add_error("file", str(error))
            else:
                if not isinstance(checked, imports.Checked):  # too large for a request: checked by the task runner
                    return redirect("partnership:upload", request.partnership.slug, checked.pk)
                context.update(_case_review_preview(request, checked.pending, checked.result, checked.table))
    context["form"] = form
    return render(request, "actions/case_reviews_import.html", context)
