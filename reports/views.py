from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partnership.access import LEAD, partnership_view
from reports import narrative, selectors, services, tables
from reports.forms import BuildForm, NarrativeForm, NewReportForm, NewUpdateForm, PublishForm, UpdateNarrativeForm
from reports.models import UPDATE_NARRATIVE_FIELDS, AnnualReport, ReportEdition, SubgroupUpdateEdition
from vawg.concurrency import EditConflict, conflict_status, show_conflict
from vawg.forms import apply_errors

SECTION = "reports"
DRAFTS_PER_PAGE = 20


def _report_url(report: AnnualReport) -> str:
    return reverse("reports:detail", kwargs={"partnership_slug": report.partnership.slug, "year": report.year})


def _edition_url(edition: ReportEdition, name: str = "edition") -> str:
    report = edition.report
    return reverse(
        f"reports:{name}",
        kwargs={"partnership_slug": report.partnership.slug, "year": report.year, "edition_id": edition.pk},
    )


def _visible_edition(request: HttpRequest, year: int, edition_id: int) -> ReportEdition:
    report = selectors.report_for_year(request.partnership, year)
    edition = selectors.edition_for(report, edition_id)
    if not edition.is_published and not selectors.can_see_drafts(request.membership):
        raise PermissionDenied("Drafts are for the strategic leads and coordinators until they are published.")
    return edition


@partnership_view()
def index(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    reports = selectors.reports_for(request.membership)
    can_see_drafts = selectors.can_see_drafts(request.membership)
    return render(
        request,
        "reports/index.html",
        {
            "reports": reports,
            "table": tables.reports_table(reports, slug=request.partnership.slug, can_see_drafts=can_see_drafts),
            "can_see_drafts": can_see_drafts,
        },
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def new(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    form = NewReportForm(request.POST or None, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                partnership=request.partnership,
                year=form.cleaned_data["year"],
                prepared_by=form.cleaned_data["prepared_by"],
                user=request.user,
            )
        except services.ReportError as error:
            form.add_error("year", str(error))
        else:
            messages.success(request, f"Annual report {report.financial_year} started.")
            return redirect(_report_url(report))
    return render(request, "reports/new.html", {"form": form})


@partnership_view()
def detail(request: HttpRequest, year: int) -> HttpResponse:
    request.current_section = SECTION
    report = selectors.report_for_year(request.partnership, year)
    can_see_drafts = selectors.can_see_drafts(request.membership)
    drafts = (
        Paginator(selectors.draft_editions_of(report), DRAFTS_PER_PAGE).get_page(request.GET.get("page"))
        if can_see_drafts
        else None
    )
    published = selectors.published_editions_of(report)
    slug = request.partnership.slug
    narrative_fields = [
        ("Foreword", "foreword"),
        ("Introduction", "introduction"),
        ("Methodology of the review", "methodology"),
        ("Closing contact details", "contact_details"),
    ]
    parsed = {name: narrative.render(text) for name, text in report.narrative().items()}
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "published": published,
            "published_table": tables.published_table(report, published, slug=slug),
            "drafts": drafts,
            "drafts_table": tables.drafts_table(report, drafts.object_list, slug=slug) if drafts else None,
            "can_see_drafts": can_see_drafts,
            "active": selectors.active_build(report) if can_see_drafts else None,
            "build_form": BuildForm(initial={"version": report.version}),
            "narrative": tables.narrative_summary(report, parsed, narrative_fields) if can_see_drafts else [],
        },
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def narrative_edit(request: HttpRequest, year: int) -> HttpResponse:
    request.current_section = SECTION
    report = selectors.report_for_year(request.partnership, year)
    initial = {**report.narrative(), "version": report.version}
    form = NarrativeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.report_narrative_update(
                report=report,
                user=request.user,
                expected_version=data.pop("version"),
                **data,
            )
        except EditConflict as error:
            conflict = show_conflict(form, error)
            report = error.current or report
        else:
            messages.success(request, "Narrative saved.")
            return redirect(_report_url(report))
    return render(
        request,
        "reports/narrative.html",
        {"report": report, "form": form, "conflict": conflict},
        status=conflict_status(conflict),
    )


@partnership_view(LEAD, methods=("POST",))
def build(request: HttpRequest, year: int) -> HttpResponse:
    report = selectors.report_for_year(request.partnership, year)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The build was not started: reload the page and try again.")
        return redirect(_report_url(report))
    try:
        edition = services.edition_request(
            report=report, user=request.user, publish=False, expected_version=form.cleaned_data["version"]
        )
    except EditConflict as error:
        messages.error(request, _narrative_moved_on(error))
        return redirect(_report_url(report))
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect(_report_url(report))
    return redirect(_edition_url(edition))


def _narrative_moved_on(conflict: EditConflict) -> str:
    """Building refuses a narrative the person has not seen: the same conflict, told as a build's refusal."""
    who = conflict.saved_by or "Someone else"
    return f"{who} changed the narrative after you opened this page, so nothing was built: read it, then try again."


@partnership_view(LEAD, methods=("GET", "POST"))
def publish(request: HttpRequest, year: int) -> HttpResponse:
    request.current_section = SECTION
    report = selectors.report_for_year(request.partnership, year)
    form = PublishForm(request.POST or None, initial={"version": report.version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.edition_request(
                report=report, user=request.user, publish=True, expected_version=form.cleaned_data["version"]
            )
        except (EditConflict, services.ReportError) as refused:
            error = _narrative_moved_on(refused) if isinstance(refused, EditConflict) else str(refused)
            report.refresh_from_db()
            form = PublishForm(initial={"version": report.version})
        else:
            return redirect(_edition_url(edition))
    latest_draft = (
        report.editions.filter(purpose=ReportEdition.Purpose.DRAFT, state=ReportEdition.State.READY)
        .order_by("-requested_at")
        .first()
    )
    return render(
        request,
        "reports/publish.html",
        {
            "report": report,
            "form": form,
            "error": error,
            "latest_draft": latest_draft,
            "flagged": _flagged_sentences(report),
        },
    )


def _flagged_sentences(report: AnnualReport) -> list[dict]:
    """The drafted sentences whose figures changed, each linked to its block in the section editor."""
    from reports import drafts

    found = []
    for flag in sorted(drafts.flags(report).values(), key=lambda f: (f.block.section.position, f.block.position)):
        url = reverse("reports:section", args=[report.partnership.slug, report.year, flag.block.section_id])
        found.append(
            {
                "section": flag.block.section.heading,
                "text": narrative.plain(flag.block.text),
                "url": f"{url}#block-{flag.block.pk}",
            }
        )
    return found


@partnership_view()
def edition(request: HttpRequest, year: int, edition_id: int) -> HttpResponse:
    request.current_section = SECTION
    edition = _visible_edition(request, year, edition_id)
    context = {"edition": edition, "report": edition.report, "summary": tables.edition_summary(edition)}
    return render(request, "reports/edition.html", context)


@partnership_view()
def edition_status(request: HttpRequest, year: int, edition_id: int) -> JsonResponse:
    edition = _visible_edition(request, year, edition_id)
    return JsonResponse(
        {
            "state": edition.state,
            "state_label": edition.get_state_display(),
            "progress": edition.progress,
            "message": edition.progress_message,
            "finished": edition.is_finished,
        }
    )


def _conditional(request: HttpRequest, tag: str) -> HttpResponse | None:
    """304 when the browser already holds this exact file (the tag is the file's SHA-256)."""
    quoted = f'"{tag}"'
    wanted = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if tag and (quoted in wanted or f"W/{quoted}" in wanted):
        response = HttpResponseNotModified()
        response["ETag"] = quoted
        return response
    return None


DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _stored_file_response(edition: ReportEdition, request: HttpRequest, kind: str) -> HttpResponse:
    """Send the stored file as it is: downloads never rebuild anything."""
    stored, tag = {
        "pdf": (edition.pdf, edition.pdf_sha256),
        "html": (edition.html, edition.html_sha256),
        "docx": (edition.docx, edition.docx_sha256),
    }[kind]
    if edition.state != ReportEdition.State.READY or not stored:
        return render(request, "reports/not_ready.html", {"edition": edition, "report": edition.report}, status=409)
    not_modified = _conditional(request, tag)
    if not_modified is not None:
        return not_modified
    if kind in DOWNLOAD_TYPES:
        response = FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=edition.download_name(kind),
            content_type=DOWNLOAD_TYPES[kind],
        )
    else:
        with stored.open("rb") as handle:
            response = HttpResponse(handle.read(), content_type="text/html; charset=utf-8")
    response["ETag"] = f'"{tag}"'
    # Private: never in a shared cache; no-cache: the browser revalidates with the ETag before reusing it.
    response["Cache-Control"] = "private, no-cache"
    return response


@partnership_view()
def edition_pdf(request: HttpRequest, year: int, edition_id: int) -> HttpResponse:
    return _stored_file_response(_visible_edition(request, year, edition_id), request, "pdf")


@partnership_view()
def edition_html(request: HttpRequest, year: int, edition_id: int) -> HttpResponse:
    return _stored_file_response(_visible_edition(request, year, edition_id), request, "html")


@partnership_view()
def edition_docx(request: HttpRequest, year: int, edition_id: int) -> HttpResponse:
    return _stored_file_response(_visible_edition(request, year, edition_id), request, "docx")


@partnership_view(LEAD, methods=("POST",))
def edition_delete(request: HttpRequest, year: int, edition_id: int) -> HttpResponse:
    edition = _visible_edition(request, year, edition_id)
    report = edition.report
    try:
        services.edition_delete(edition=edition, user=request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect(_edition_url(edition))
    messages.success(request, "Draft deleted.")
    return redirect(_report_url(report))


# --- The sub group's quarterly updates to its board -------------------------------------------------------------


def _update_url(update, name: str = "update_detail") -> str:
    return reverse(f"reports:{name}", kwargs={"partnership_slug": update.partnership.slug, "update_id": update.pk})


@partnership_view()
def updates(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    return render(
        request,
        "reports/updates.html",
        {
            "table": tables.updates_table(selectors.updates_for(request.partnership), slug=request.partnership.slug),
            "is_lead": request.membership.is_strategic_lead,
        },
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def update_new(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    form = NewUpdateForm(request.POST or None, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            update = services.update_create(
                partnership=request.partnership,
                group=form.cleaned_data["group"],
                period=form.cleaned_data["quarter"],
                user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Update for {update.period} started: write its narrative.")
            return redirect(_update_url(update, "update_edit"))
    return render(request, "reports/update_new.html", {"form": form})


@partnership_view()
def update_detail(request: HttpRequest, update_id: int) -> HttpResponse:
    request.current_section = SECTION
    update = selectors.update_for(request.partnership, update_id)
    editions = selectors.update_editions(update)
    return render(
        request,
        "reports/update_detail.html",
        {
            "update": update,
            "texts": tables.update_texts_summary(update, UPDATE_NARRATIVE_FIELDS),
            "editions_table": tables.update_editions_table(update, editions, slug=request.partnership.slug),
            "is_lead": request.membership.is_strategic_lead,
            "build_form": BuildForm(initial={"version": update.version}),
        },
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def update_edit(request: HttpRequest, update_id: int) -> HttpResponse:
    request.current_section = SECTION
    update = selectors.update_for(request.partnership, update_id)
    initial = {**{name: getattr(update, name) for name in UPDATE_NARRATIVE_FIELDS}, "version": update.version}
    form = UpdateNarrativeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_narrative_save(
                update=update, user=request.user, expected_version=data.pop("version"), **data
            )
        except EditConflict as error:
            conflict = show_conflict(form, error)
        else:
            messages.success(request, "Update saved.")
            return redirect(_update_url(update))
    return render(
        request,
        "reports/update_edit.html",
        {"update": update, "form": form, "conflict": conflict},
        status=conflict_status(conflict),
    )


@partnership_view()
def update_preview(request: HttpRequest, update_id: int) -> HttpResponse:
    """The update as it would be built now, from the records as they are (a page: nothing is stored)."""
    from reports import builder

    update = selectors.update_for(request.partnership, update_id)
    context = builder.collect_update(update, preview=True)
    return HttpResponse(builder.render_update_html(context, for_pdf=False, preview=True))


@partnership_view(LEAD, methods=("POST",))
def update_build(request: HttpRequest, update_id: int) -> HttpResponse:
    update = selectors.update_for(request.partnership, update_id)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The build was not started: reload the page and try again.")
        return redirect(_update_url(update))
    try:
        edition = services.update_edition_request(
            update=update, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except EditConflict as error:
        messages.error(request, _narrative_moved_on(error))
        return redirect(_update_url(update))
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect(_update_url(update))
    if edition.state == SubgroupUpdateEdition.State.READY:
        messages.success(request, "The update is built: download it below.")
    elif edition.state == SubgroupUpdateEdition.State.FAILED:
        messages.error(request, edition.error)
    else:
        messages.success(request, "The update is being built: reload this page in a minute.")
    return redirect(_update_url(update))


def _update_file(request: HttpRequest, update_id: int, edition_id: int, kind: str) -> HttpResponse:
    update = selectors.update_for(request.partnership, update_id)
    edition = get_object_or_404(update.editions.select_related("update__partnership", "update__group"), pk=edition_id)
    stored, tag = (edition.pdf, edition.pdf_sha256) if kind == "pdf" else (edition.html, edition.html_sha256)
    if edition.state != SubgroupUpdateEdition.State.READY or not stored:
        raise Http404("This build is not ready.")
    not_modified = _conditional(request, tag)
    if not_modified is not None:
        return not_modified
    if kind == "pdf":
        response = FileResponse(
            stored.open("rb"), as_attachment=True, filename=edition.download_name("pdf"), content_type="application/pdf"
        )
    else:
        with stored.open("rb") as handle:
            response = HttpResponse(handle.read(), content_type="text/html; charset=utf-8")
    response["ETag"] = f'"{tag}"'
    response["Cache-Control"] = "private, no-cache"
    return response


@partnership_view()
def update_edition_pdf(request: HttpRequest, update_id: int, edition_id: int) -> HttpResponse:
    return _update_file(request, update_id, edition_id, "pdf")


@partnership_view()
def update_edition_html(request: HttpRequest, update_id: int, edition_id: int) -> HttpResponse:
    return _update_file(request, update_id, edition_id, "html")
