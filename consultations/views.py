"""Consultation pages. Every member reads; only strategic leads enter results, import, and handle quotes.

Views stay thin: check access (partnership.access), parse a form, call one service or importer, redirect or render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify

from consultations import importers, selectors, services, tables
from consultations.forms import (
    ConsultationFilter,
    ConsultationForm,
    MappingForm,
    QuestionForm,
    QuoteApproveForm,
    QuoteCheckForm,
    QuoteForm,
    QuoteWithdrawForm,
    ResultsForm,
    ThemeForm,
    UploadForm,
    option_readings,
)
from consultations.models import Consultation, Question, Quote, ResultsChange, Theme
from consultations.redaction import segments
from consultations.results import summarise
from partnership import imports
from partnership.access import LEAD, partnership_view
from partnership.charts import svg_of
from partnership.forms import ColumnMappingForm
from partnership.services import (
    pending_upload_create,
    pending_upload_discard,
    pending_upload_for,
    pending_upload_update,
)
from vawg import tabular
from vawg.concurrency import EditConflict, conflict_status, show_conflict
from vawg.forms import apply_errors
from vawg.tabular import TabularError, csv_response, read_table, xlsx_response

SECTION = "consultations"
POST = ("GET", "HEAD", "POST")
HISTORY_PAGE_SIZE = 50  # every change to the results is kept: the history grows with each import and edit
# The kinds of pending upload a consultation's imports are kept as between their steps, per consultation.
RESULTS_IMPORT = "consultation-results:{}"
RESPONSES_IMPORT = "consultation-responses:{}"


def _consultation(request: HttpRequest, slug: str) -> Consultation:
    request.current_section = SECTION
    return selectors.consultation_for(request.partnership, slug)


def _question(consultation: Consultation, pk: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("consultation").prefetch_related("options", "items", "counts"),
        consultation=consultation,
        pk=pk,
    )


def _detail_url(consultation: Consultation, anchor: str = "") -> str:
    url = reverse("consultations:consultation_detail", args=[consultation.partnership.slug, consultation.slug])
    return f"{url}#{anchor}" if anchor else url


# Consultations -------------------------------------------------------------------------------------------------


@partnership_view()
def index(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    filterset = ConsultationFilter(request.GET or None, queryset=selectors.consultations_for_index(request.partnership))
    table = tables.consultations_table(filterset.qs, slug=request.partnership.slug, filtered=filterset.is_bound)
    return render(request, "consultations/index.html", {"filter": filterset, "table": table})


@partnership_view(LEAD, methods=POST)
def consultation_create(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and not request.POST.get("slug") and request.POST.get("title"):
        data = request.POST.copy()
        data["slug"] = slugify(data["title"])[:60]
        form = ConsultationForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(
                partnership=request.partnership, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"'{consultation.title}' added. Now add its questions or import its results.")
            return redirect(_detail_url(consultation))
    return render(request, "consultations/consultation_form.html", {"form": form, "consultation": None})


@partnership_view()
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    page = selectors.consultation_page(consultation)
    context = {"consultation": consultation, "page": page, "summary": tables.consultation_summary(consultation)}
    return render(request, "consultations/consultation_detail.html", context)


@partnership_view(LEAD, methods=POST)
def consultation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    form = ConsultationForm(request.POST or None, instance=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(consultation=consultation, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            consultation.refresh_from_db()
            apply_errors(form, error)
        else:
            messages.success(request, "Consultation details saved.")
            return redirect(_detail_url(consultation))
    return render(request, "consultations/consultation_form.html", {"form": form, "consultation": consultation})


@partnership_view()
def results_history(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    page_obj = Paginator(selectors.results_history(consultation), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/results_history.html",
        {
            "consultation": consultation,
            "table": tables.history_table(page_obj.object_list, page_obj),
            "page_obj": page_obj,
        },
    )


# Questions and results -----------------------------------------------------------------------------------------


@partnership_view(LEAD, methods=POST)
def question_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_create(consultation=consultation, user=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{question.ref} added. Enter its results, or import them.")
            return redirect(_detail_url(consultation, f"question-{question.pk}"))
    return render(
        request, "consultations/question_form.html", {"consultation": consultation, "form": form, "question": None}
    )


@partnership_view(LEAD, methods=POST)
def question_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    question = _question(consultation, pk)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(question=question, user=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{question.ref} saved.")
            return redirect(_detail_url(consultation, f"question-{question.pk}"))
    return render(
        request,
        "consultations/question_form.html",
        {
            "consultation": consultation,
            "form": form,
            "question": question,
            "readings": tables.readings_table(option_readings(question)),
        },
    )


@partnership_view(LEAD, methods=POST)
def question_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    question = _question(consultation, pk)
    if request.method == "POST":
        services.question_delete(question=question, user=request.user)
        messages.success(request, f"{question.ref} deleted, with its results.")
        return redirect(_detail_url(consultation))
    return render(
        request,
        "consultations/confirm_delete.html",
        {
            "consultation": consultation,
            "what": f"{question.ref} {question.text}",
            "consequence": "Its results are deleted too.",
        },
    )


@partnership_view(LEAD, methods=POST)
def question_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    question = _question(consultation, pk)
    if question.kind == Question.Kind.FREE_TEXT:
        messages.info(request, "Free-text questions have no counts: add themes and quotes instead.")
        return redirect(_detail_url(consultation, f"question-{question.pk}"))
    form = ResultsForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.results_replace(
                question=question, entries=form.entries(), user=request.user, source=ResultsChange.Source.FORM
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Results of {question.ref} saved.")
            return redirect(_detail_url(consultation, f"question-{question.pk}"))
    return render(
        request,
        "consultations/question_results.html",
        {
            "consultation": consultation,
            "question": question,
            "form": form,
            "grid": tables.results_grid_table(question, form, form.bound_grid()),
        },
    )


def _svg_response(svg: str | None, filename: str) -> HttpResponse:
    if svg is None:
        raise Http404("There is no chart: no counts are recorded.")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@partnership_view()
def question_chart(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    from consultations import charts

    consultation = _consultation(request, slug)
    question = _question(consultation, pk)
    spec = charts.question_spec(summarise(question))
    svg = svg_of(request.partnership, spec) if spec else None
    return _svg_response(svg, f"{consultation.slug}-{slugify(question.ref)}.svg")


@partnership_view()
def comparison_chart(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    from consultations import charts

    consultation = _consultation(request, slug)
    question = _question(consultation, pk)
    comparisons = selectors.comparisons_for(request.partnership, [summarise(question)])
    spec = charts.comparison_spec(comparisons[question.pk]) if question.pk in comparisons else None
    svg = svg_of(request.partnership, spec) if spec else None
    return _svg_response(svg, f"{consultation.slug}-{slugify(question.ref)}-side-by-side.svg")


# Themes --------------------------------------------------------------------------------------------------------


@partnership_view(LEAD, methods=POST)
def theme_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _theme_form(request, _consultation(request, slug), None)


@partnership_view(LEAD, methods=POST)
def theme_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    return _theme_form(request, consultation, get_object_or_404(Theme, consultation=consultation, pk=pk))


def _theme_form(request: HttpRequest, consultation: Consultation, theme: Theme | None) -> HttpResponse:
    initial = (
        {"title": theme.title, "summary": theme.summary, "position": theme.position, "question": theme.question_id}
        if theme
        else {}
    )
    form = ThemeForm(request.POST or None, initial=initial, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_save(consultation=consultation, user=request.user, theme=theme, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Theme '{theme.title}' saved.")
            return redirect(_detail_url(consultation, "themes"))
    return render(
        request, "consultations/theme_form.html", {"consultation": consultation, "form": form, "theme": theme}
    )


@partnership_view(LEAD, methods=POST)
def theme_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    theme = get_object_or_404(Theme, consultation=consultation, pk=pk)
    if request.method == "POST":
        services.theme_delete(theme=theme, user=request.user)
        messages.success(request, f"Theme '{theme.title}' deleted; its quotes are kept without a theme.")
        return redirect(_detail_url(consultation, "themes"))
    return render(
        request,
        "consultations/confirm_delete.html",
        {"consultation": consultation, "what": f"the theme '{theme.title}'", "consequence": "Its quotes are kept."},
    )


# Quotes --------------------------------------------------------------------------------------------------------


@partnership_view(LEAD)
def quotes(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    return render(
        request,
        "consultations/quotes.html",
        {
            "consultation": consultation,
            "table": tables.quotes_table(
                selectors.quotes_for_lead(consultation), slug=request.partnership.slug, consultation_slug=slug
            ),
        },
    )


@partnership_view(LEAD, methods=POST)
def quote_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    form = QuoteForm(request.POST or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quote = services.quote_create(
                consultation=consultation,
                user=request.user,
                text=data["text"],
                theme=data["theme"],
                topic=data["topic"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Quote saved as a draft. Check what the redaction check found.")
            return redirect("consultations:quote_detail", request.partnership.slug, consultation.slug, quote.pk)
    return render(request, "consultations/quote_form.html", {"consultation": consultation, "form": form, "quote": None})


@partnership_view(LEAD, methods=POST)
def quote_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    quote = selectors.quote_for(consultation, pk)
    initial = {"text": quote.text, "topic": quote.topic, "theme": quote.theme_id, "version": quote.version}
    form = QuoteForm(request.POST or None, initial=initial, consultation=consultation)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.quote_update(
                quote=quote,
                user=request.user,
                text=data["text"],
                theme=data["theme"],
                topic=data["topic"],
                version=data["version"],
            )
        except EditConflict as error:
            conflict = show_conflict(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Quote saved.")
            return redirect("consultations:quote_detail", request.partnership.slug, consultation.slug, quote.pk)
    context = {"consultation": consultation, "form": form, "quote": quote, "conflict": conflict}
    return render(request, "consultations/quote_form.html", context, status=conflict_status(conflict))


def _quote_page(request: HttpRequest, consultation: Consultation, quote: Quote, **forms) -> HttpResponse:
    context = {
        "consultation": consultation,
        "quote": quote,
        "segments": segments(quote.text, quote.flags),
        "status": tables.quote_status(quote),
        "history": tables.quote_history_table(quote),
        "check_form": forms.get("check_form") or QuoteCheckForm(initial={"version": quote.version}),
        "approve_form": forms.get("approve_form") or QuoteApproveForm(initial={"version": quote.version}),
        "withdraw_form": forms.get("withdraw_form") or QuoteWithdrawForm(initial={"version": quote.version}),
        "form_with_errors": next((f for f in forms.values() if f is not None and f.errors), None),
        "conflict": next((f.conflict for f in forms.values() if getattr(f, "conflict", None)), None),
    }
    status = conflict_status(context["conflict"])
    return render(request, "consultations/quote_detail.html", context, status=status)


@partnership_view(LEAD)
def quote_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    return _quote_page(request, consultation, selectors.quote_for(consultation, pk))


def _quote_step(request: HttpRequest, slug: str, pk: int, form_class, form_key: str, step) -> HttpResponse:
    consultation = _consultation(request, slug)
    quote = selectors.quote_for(consultation, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = step(quote, form.cleaned_data)
        except EditConflict as error:
            show_conflict(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("consultations:quote_detail", request.partnership.slug, consultation.slug, quote.pk)
    quote = selectors.quote_for(consultation, pk)
    return _quote_page(request, consultation, quote, **{form_key: form})


@partnership_view(LEAD, methods=("POST",))
def quote_confirm_check(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def step(quote, data):
        services.quote_confirm_check(
            quote=quote, user=request.user, reviewed_flags=data["reviewed_flags"], version=data["version"]
        )
        return "Redaction check confirmed. The quote can now be approved."

    return _quote_step(request, slug, pk, QuoteCheckForm, "check_form", step)


@partnership_view(LEAD, methods=("POST",))
def quote_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def step(quote, data):
        services.quote_approve(
            quote=quote,
            user=request.user,
            consent_given=data["consent_given"],
            consent_note=data["consent_note"],
            version=data["version"],
        )
        return "Quote approved: it can now appear in reports and exports."

    return _quote_step(request, slug, pk, QuoteApproveForm, "approve_form", step)


@partnership_view(LEAD, methods=("POST",))
def quote_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    def step(quote, data):
        services.quote_withdraw(quote=quote, user=request.user, reason=data["reason"], version=data["version"])
        return "Quote withdrawn: it no longer appears in reports or exports."

    return _quote_step(request, slug, pk, QuoteWithdrawForm, "withdraw_form", step)


# Imports -------------------------------------------------------------------------------------------------------


def _read_upload(request: HttpRequest, form: UploadForm, kind: str, headings=None):
    """(table, filename, None), or (None, filename, a redirect to the background check of a file too large to read
    here); the table is None with the form's error when the file cannot be read."""
    upload = form.cleaned_data["file"]
    try:
        table = read_table(upload, filename=upload.name, limits=tabular.INLINE_LIMITS, headings=headings)
        return table, upload.name, None
    except tabular.OverRequestLimits:
        upload.seek(0)
        pending = imports.check_in_background(
            partnership=request.partnership, user=request.user, kind=kind, filename=upload.name, content=upload.read()
        )
        return None, upload.name, redirect("partnership:upload", request.partnership.slug, pending.pk)
    except TabularError as error:
        form.add_error("file", str(error))
        return None, upload.name, None


@partnership_view(LEAD, methods=POST)
def results_import(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    kind = RESULTS_IMPORT.format(consultation.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"consultation": consultation, "form": form, "outcome": None}
    if request.method == "POST" and "remap" in request.POST:
        # The lead corrected which heading each column is read from: check the kept file again with theirs.
        form = context["form"] = UploadForm()
        pending = pending_upload_for(
            partnership=request.partnership, user=request.user, kind=kind, pk=request.POST.get("remap")
        )
        if pending is None:
            raise Http404("No such import waiting for confirmation")
        table = imports.handler_for(pending).table(pending)
        mapping = ColumnMappingForm.posted(request.POST, columns=importers.RESULTS_COLUMNS, headings=table.headings)
        context.update(_results_preview(request, consultation, table, pending.filename, mapping, pending))
    elif request.method == "POST" and form.is_valid():
        table, filename, elsewhere = _read_upload(request, form, kind, headings=importers.RESULTS_HEADINGS)
        if elsewhere:
            return elsewhere
        if table is not None:
            form.cleaned_data["file"].seek(0)
            content = form.cleaned_data["file"].read()
            context.update(_results_preview(request, consultation, table, filename, None, None, content))
    return render(request, "consultations/results_import.html", context)


def _results_preview(request, consultation, table, filename, mapping, pending, content=None) -> dict:
    """Check an aggregated results file (a dry run) with the columns read as `mapping` says, and keep it, with what
    was read, for the confirmation (or a correction of its columns)."""
    rows, errors, used = importers.read_results_file(table, partnership=request.partnership, mapping=mapping)
    outcome = importers.ImportOutcome(errors=errors, mapping=used)
    if not errors:
        outcome = importers.import_results(
            consultation=consultation,
            rows=rows,
            user=request.user,
            source=ResultsChange.Source.RESULTS_IMPORT,
            dry_run=True,
            filename=filename,
            mapping=used,
        )
    payload = {"rows": rows if outcome.ok else [], "mapping": used}
    if pending is None:
        pending = pending_upload_create(
            partnership=request.partnership,
            user=request.user,
            kind=RESULTS_IMPORT.format(consultation.pk),
            filename=filename,
            content=content or b"",
            payload=payload,
        )
    else:
        pending_upload_update(pending, payload=payload)
    return {
        "outcome": outcome,
        "filename": filename,
        "pending": pending,
        **ColumnMappingForm.panel(columns=importers.RESULTS_COLUMNS, headings=table.headings, result=outcome),
    }


@partnership_view(LEAD, methods=("POST",))
def results_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    pending = pending_upload_for(
        partnership=request.partnership, user=request.user, kind=RESULTS_IMPORT.format(consultation.pk)
    )
    if pending is None or not pending.payload.get("rows"):
        messages.info(request, "Nothing to import: upload the file again.")
        return redirect("consultations:results_import", request.partnership.slug, consultation.slug)
    pending_upload_discard(pending)
    outcome = imports.handler_for(pending).run(pending, dry_run=False)
    if not outcome.saved:
        form = UploadForm()
        context = {"consultation": consultation, "form": form, "outcome": outcome, "filename": pending.filename}
        return render(request, "consultations/results_import.html", context)
    messages.success(request, f"Results imported from {pending.filename}: {len(outcome.previews)} questions.")
    return redirect(_detail_url(consultation))


@partnership_view(LEAD, methods=POST)
def responses_import(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        table, filename, elsewhere = _read_upload(request, form, RESPONSES_IMPORT.format(consultation.pk))
        if elsewhere:
            return elsewhere
        if table is not None:
            # The respondent rows end here: only per-column answer counts go on to the next step.
            profile = importers.profile_responses(table)
            del table
            pending_upload_create(
                partnership=request.partnership,
                user=request.user,
                kind=RESPONSES_IMPORT.format(consultation.pk),
                filename=filename,
                payload={"profile": profile},
            )
            return redirect("consultations:responses_mapping", request.partnership.slug, consultation.slug)
    return render(request, "consultations/responses_import.html", {"consultation": consultation, "form": form})


@partnership_view(LEAD, methods=POST)
def responses_mapping(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    pending = pending_upload_for(
        partnership=request.partnership, user=request.user, kind=RESPONSES_IMPORT.format(consultation.pk)
    )
    if pending is None:
        messages.info(request, "Upload a survey export first.")
        return redirect("consultations:responses_import", request.partnership.slug, consultation.slug)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        pending_upload_discard(pending)
        messages.info(request, "Import cancelled: nothing was saved, and the file's answers were discarded.")
        return redirect(_detail_url(consultation))
    profile = pending.payload["profile"]
    questions = list(
        consultation.questions.select_related("consultation").prefetch_related("options", "items").order_by("position")
    )
    proposal = importers.propose_mapping(profile, questions)
    columns = [
        {**column, "proposed": proposal[column["index"]][0], "reason": proposal[column["index"]][1]}
        for column in profile["columns"]
    ]
    form = MappingForm(request.POST or None, columns=columns, choices=importers.mapping_choices(questions))
    mapping = form.mapping() if form.is_valid() else {c["index"]: c["proposed"] for c in columns}
    importing = request.method == "POST" and request.POST.get("action") == "import"
    outcome = importers.import_responses(
        consultation=consultation,
        profile=profile,
        mapping=mapping,
        user=request.user,
        dry_run=not importing,
        filename=pending.filename,
    )
    if importing and outcome.saved:
        pending_upload_discard(pending)
        messages.success(
            request,
            f"Imported {profile['respondents']:,} responses from {pending.filename} as counts for "
            f"{len(outcome.previews)} questions. The responses themselves were not kept.",
        )
        return redirect(_detail_url(consultation))
    return render(
        request,
        "consultations/responses_mapping.html",
        {
            "consultation": consultation,
            "form": form,
            "table": tables.mapping_table(form),
            "outcome": outcome,
            "profile": profile,
            "filename": pending.filename,
            "tried_import": importing,
        },
    )


# Exports -------------------------------------------------------------------------------------------------------


def _export(request: HttpRequest, filename: str, headings: list[str], rows: list[list]) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"{filename}.xlsx", headings, rows)
    return csv_response(f"{filename}.csv", headings, rows)


@partnership_view()
def results_export(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    rows = importers.results_export_rows(consultation)
    return _export(request, f"{consultation.slug}-results", importers.EXPORT_HEADINGS, rows)


@partnership_view()
def quotes_export(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    quotes = selectors.approved_quotes(request.partnership, consultations=[consultation]).select_related("approved_by")
    headings = ["Consultation", "Theme", "Topic", "Quote", "Approved by", "Approved on", "Consent"]
    rows = [
        [
            quote.consultation.title,
            quote.theme.title if quote.theme else "",
            quote.topic,
            quote.text,
            quote.approved_by.get_full_name() or quote.approved_by.username if quote.approved_by else "",
            quote.approved_at.date() if quote.approved_at else "",
            quote.consent_note or "Consent recorded",
        ]
        for quote in quotes
    ]
    return _export(request, f"{consultation.slug}-approved-quotes", headings, rows)
