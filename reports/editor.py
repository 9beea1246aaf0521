"""The report editor: the lead orders, renames and fills the report's sections and sub-sections with narrative,
drafted sentences and data blocks, and adds the forward plan's own items. Every write goes through
reports.services; a stale rename or text save is answered with the one edit-conflict page (409)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partnership.access import LEAD, partnership_view
from reports import drafts, narrative, selectors, services, tables
from reports.blocks import catalogue, default_layout, label_for
from reports.forms import (
    BlockEditForm,
    BlockTextForm,
    DataBlockForm,
    DraftInsertForm,
    ForwardItemEditForm,
    ForwardItemForm,
    MoveForm,
    ResolveDraftForm,
    SectionAddForm,
    SectionRenameForm,
    SubsectionAddForm,
)
from reports.models import AnnualReport, ForwardPlanItem, ReportBlock, ReportSection
from vawg.concurrency import EditConflict, conflict_status, show_conflict

SECTION = "reports"


# --- Finding what the address names, in the signed-in person's partnership only -----------------------------------


def _section(request: HttpRequest, year: int, section_id: int) -> ReportSection:
    sections = ReportSection.objects.select_related("report__partnership", "parent")
    return get_object_or_404(sections, pk=section_id, report__partnership=request.partnership, report__year=year)


def _block(request: HttpRequest, year: int, block_id: int) -> ReportBlock:
    blocks = ReportBlock.objects.select_related("section__report__partnership", "section__parent")
    return get_object_or_404(
        blocks, pk=block_id, section__report__partnership=request.partnership, section__report__year=year
    )


def _item(request: HttpRequest, year: int, item_id: int) -> ForwardPlanItem:
    items = ForwardPlanItem.objects.select_related("report__partnership", "priority")
    return get_object_or_404(items, pk=item_id, report__partnership=request.partnership, report__year=year)


def _url(report: AnnualReport, name: str, *args) -> str:
    return reverse(f"reports:{name}", args=[report.partnership.slug, report.year, *args])


def _section_url(section: ReportSection, anchor: str = "") -> str:
    return _url(section.report, "section", section.pk) + (f"#{anchor}" if anchor else "")


def _priorities(report: AnnualReport):
    from actions import selectors as plan
    from actions.models import Priority

    strategy = plan.strategy_for_year(report.partnership, report.year)
    return strategy.priorities.order_by("number") if strategy else Priority.objects.none()


# --- The report's layout, read once ---------------------------------------------------------------------------------


@dataclass
class Layout:
    top: list[ReportSection]
    children: dict[int, list[ReportSection]]
    numbers: dict[int, str]


def _layout(report: AnnualReport) -> Layout:
    """Every section with its block counts (one query), in order, numbered as the contents number them."""
    sections = list(
        report.sections.annotate(
            text_blocks=Count("blocks", filter=Q(blocks__kind=ReportBlock.Kind.TEXT)),
            data_blocks=Count("blocks", filter=Q(blocks__kind=ReportBlock.Kind.DATA)),
            foreword_blocks=Count("blocks", filter=Q(blocks__data_key="standard:foreword")),
        ).order_by("position", "id")
    )
    top = [s for s in sections if s.parent_id is None]
    children: dict[int, list[ReportSection]] = {}
    for section in sections:
        if section.parent_id is not None:
            children.setdefault(section.parent_id, []).append(section)
    numbers = {}
    i = 0
    for section in top:
        section.subsection_count = len(children.get(section.pk, []))
        # As the build does: a section with nothing to show (no blocks, or only an unwritten foreword) is not
        # printed, and the numbering closes up.
        shown_data = section.data_blocks - (section.foreword_blocks if not report.foreword.strip() else 0)
        section.printed = bool(section.text_blocks or shown_data or section.subsection_count)
        if section.printed:
            i += 1
        numbers[section.pk] = str(i) if section.printed else ""
        for j, child in enumerate(children.get(section.pk, []), start=1):
            numbers[child.pk] = f"{i}.{j}" if section.printed else ""
    return Layout(top, children, numbers)


def _flagged_by_section(flags: dict) -> dict[int, int]:
    counts: dict[int, int] = {}
    for flag in flags.values():
        counts[flag.block.section_id] = counts.get(flag.block.section_id, 0) + 1
    return counts


# --- The sections page -----------------------------------------------------------------------------------------------


@partnership_view(LEAD, methods=("GET", "POST"))
def sections(request: HttpRequest, year: int) -> HttpResponse:
    request.current_section = SECTION
    report = selectors.report_for_year(request.partnership, year)
    starting = request.method == "POST" and "start" in request.POST
    form = SectionAddForm(request.POST if request.method == "POST" and not starting else None)
    if starting:
        services.sections_create_default(report=report, user=request.user)
        messages.success(request, "The standard sections are stored: rename, order and fill them below.")
        return redirect(_url(report, "sections"))
    if request.method == "POST" and form.is_valid():
        try:
            section = services.section_add(report=report, user=request.user, heading=form.cleaned_data["heading"])
        except services.ReportError as error:
            form.add_error("heading", str(error))
        else:
            messages.success(request, f"Section {section.heading} added at the end of the report.")
            return redirect(_url(report, "sections"))
    layout = _layout(report)
    table = None
    if layout.top:
        flagged = _flagged_by_section(drafts.flags(report))
        ordered = [s for top in layout.top for s in (top, *layout.children.get(top.pk, []))]
        rows = tables.section_rows(
            ordered,
            numbers=layout.numbers,
            flagged=flagged,
            slug=report.partnership.slug,
            year=report.year,
            csrf_token=get_token(request),
        )
        table = tables.sections_table(rows, caption="The report's sections", caption_hidden=True)
    return render(
        request,
        "reports/editor/sections.html",
        {
            "report": report,
            "form": form,
            "table": table,
            "default_table": None if layout.top else tables.default_layout_table(default_layout(report)),
        },
    )


@partnership_view(LEAD, methods=("POST",))
def section_move(request: HttpRequest, year: int, section_id: int) -> HttpResponse:
    section = _section(request, year, section_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.section_move(section=section, user=request.user, direction=form.cleaned_data["direction"])
        messages.success(request, f"{section.heading} moved {form.cleaned_data['direction']}.")
    else:
        messages.error(request, "Nothing was moved: choose to move it up or down.")
    if section.parent_id:
        return redirect(_section_url(section.parent, "subsections"))
    return redirect(_url(section.report, "sections"))


@partnership_view(LEAD, methods=("GET", "POST"))
def section_delete(request: HttpRequest, year: int, section_id: int) -> HttpResponse:
    request.current_section = SECTION
    section = _section(request, year, section_id)
    back = _section_url(section.parent, "subsections") if section.parent_id else _url(section.report, "sections")
    if request.method == "POST":
        services.section_delete(section=section, user=request.user)
        messages.success(request, f"{section.heading} deleted.")
        return redirect(back)
    blocks = section.blocks.count()
    subsections = section.subsections.count()
    kind = "sub-section" if section.parent_id else "section"
    said = [f"{blocks} block{'' if blocks == 1 else 's'}"] if blocks else []
    if subsections:
        said.append(f"{subsections} sub-section{'' if subsections == 1 else 's'} with their blocks")
    return render(
        request,
        "reports/editor/delete.html",
        {
            "report": section.report,
            "title": f"Delete the {kind}: {section.heading}",
            "explanation": (
                f"The {kind} is removed from the report"
                + (f" with what it holds ({', '.join(said)})" if said else "")
                + ". Published editions keep what they said; the audit log keeps what it was."
            ),
            "button": f"Delete the {kind}",
            "back": back,
        },
    )


# --- The section editor ----------------------------------------------------------------------------------------------


@dataclass
class BlockView:
    block: ReportBlock
    number: int
    html: str = ""
    label: str = ""
    flag: drafts.Flag | None = None
    resolve_url: str = ""

    @property
    def number_text(self) -> str:
        return str(self.number)

    @property
    def new_fields(self):
        return [("version", self.block.version), ("use", "new")]

    @property
    def keep_fields(self):
        return [("version", self.block.version), ("use", "keep")]


def _section_page(
    request: HttpRequest,
    section: ReportSection,
    *,
    forms: dict | None = None,
    error: str = "",
    conflict: EditConflict | None = None,
) -> HttpResponse:
    report = section.report
    choices = catalogue(report)
    current = drafts.drafts_by_key(report)
    flags = drafts.flags(report, current=current)
    layout = _layout(report)
    blocks = [
        BlockView(
            block=block,
            number=number,
            html=narrative.render(block.text, level=4) if block.kind == ReportBlock.Kind.TEXT else "",
            label=label_for(report, block.data_key, choices) if block.kind == ReportBlock.Kind.DATA else "",
            flag=flags.get(block.pk),
            resolve_url=_url(report, "block_draft", block.pk),
        )
        for number, block in enumerate(section.blocks.all(), start=1)
    ]
    topics: dict[str, list[drafts.Draft]] = {}
    for draft in current.values():
        topics.setdefault(draft.topic, []).append(draft)
    forms = {
        "rename_form": SectionRenameForm(initial={"heading": section.heading, "version": section.version}),
        "text_form": BlockTextForm(prefix="new"),
        "data_form": DataBlockForm(choices=choices),
        "subsection_form": SubsectionAddForm(prefix="sub"),
        **(forms or {}),
    }
    subsections_table = None
    if section.parent_id is None:
        rows = tables.section_rows(
            layout.children.get(section.pk, []),
            numbers=layout.numbers,
            flagged=_flagged_by_section(flags),
            slug=report.partnership.slug,
            year=report.year,
            csrf_token=get_token(request),
        )
        subsections_table = tables.sections_table(rows, caption=f"Sub-sections of {section.heading}")
    has_errors = bool(error or conflict or any(form.errors for form in forms.values()))
    context = {
        "report": report,
        "section": section,
        "number": layout.numbers.get(section.pk, ""),
        "blocks": blocks,
        "topics": topics,
        "subsections_table": subsections_table,
        "has_subsections": bool(layout.children.get(section.pk)),
        "error": error,
        "conflict": conflict,
        "has_errors": has_errors,
        "back": _section_url(section.parent) if section.parent_id else _url(report, "sections"),
        **forms,
    }
    return render(request, "reports/editor/section.html", context, status=conflict_status(conflict))


def _add_from(request: HttpRequest, section, form, name: str, *, field: str, add, done: str) -> HttpResponse:
    """One "add" form of the section editor: a valid form calls its service, which may refuse it (the message is
    shown on `field` and nothing changes); what it added is where the lead lands (a block, or a new sub-section)."""
    if form.is_valid():
        try:
            added = add(form.cleaned_data)
        except services.ReportError as refused:
            form.add_error(field, str(refused))
        else:
            messages.success(request, done.format(added=added))  # the template is ours; only it is parsed
            if isinstance(added, ReportSection):
                return redirect(_section_url(added))
            return redirect(_section_url(section, f"block-{added.pk}"))
    return _section_page(request, section, forms={name: form})


@partnership_view(LEAD, methods=("GET", "POST"))
def section(request: HttpRequest, year: int, section_id: int) -> HttpResponse:
    request.current_section = SECTION
    section = _section(request, year, section_id)
    if request.method != "POST":
        return _section_page(request, section)
    report, user = section.report, request.user
    which = request.POST.get("form", "rename")
    if which == "text":
        form = BlockTextForm(request.POST, prefix="new")
        return _add_from(
            request,
            section,
            form,
            "text_form",
            field="text",
            add=lambda data: services.block_add_text(section=section, user=user, text=data["text"]),
            done="Narrative added at the end of the section.",
        )
    if which == "draft":
        form = DraftInsertForm(request.POST)
        error = "Choose a drafted sentence to insert."
        if form.is_valid():
            try:
                block = services.block_add_draft(section=section, user=user, draft_key=form.cleaned_data["draft_key"])
            except services.ReportError as refused:
                error = str(refused)
            else:
                messages.success(request, "The drafted sentence is added at the end of the section: edit it there.")
                return redirect(_section_url(section, f"block-{block.pk}"))
        return _section_page(request, section, error=error)
    if which == "data":
        form = DataBlockForm(request.POST, choices=catalogue(report))
        return _add_from(
            request,
            section,
            form,
            "data_form",
            field="data_key",
            add=lambda data: services.block_add_data(section=section, user=user, data_key=data["data_key"]),
            done="Data block added at the end of the section.",
        )
    if which == "subsection":
        form = SubsectionAddForm(request.POST, prefix="sub")
        return _add_from(
            request,
            section,
            form,
            "subsection_form",
            field="heading",
            add=lambda data: services.section_add(report=report, user=user, heading=data["heading"], parent=section),
            done="Sub-section {added.heading} added.",
        )
    form = SectionRenameForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.section_rename(
                section=section,
                user=user,
                heading=form.cleaned_data["heading"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as stale:
            conflict = show_conflict(form, stale)
            section.refresh_from_db()
        except services.ReportError as refused:
            form.add_error("heading", str(refused))
        else:
            messages.success(request, "Heading saved.")
            return redirect(_section_url(section))
    return _section_page(request, section, forms={"rename_form": form}, conflict=conflict)


# --- Blocks ----------------------------------------------------------------------------------------------------------


@partnership_view(LEAD, methods=("GET", "POST"))
def block(request: HttpRequest, year: int, block_id: int) -> HttpResponse:
    request.current_section = SECTION
    block = _block(request, year, block_id)
    if block.kind != ReportBlock.Kind.TEXT:
        raise Http404("A data block is drawn from the records: it has no text to edit.")
    form = BlockEditForm(request.POST or None, initial={"text": block.text, "version": block.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.block_save_text(
                block=block,
                user=request.user,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as stale:
            conflict = show_conflict(form, stale)
        except services.ReportError as refused:
            form.add_error("text", str(refused))
        else:
            messages.success(request, "Narrative saved.")
            return redirect(_section_url(block.section, f"block-{block.pk}"))
    return render(
        request,
        "reports/editor/block.html",
        {
            "report": block.section.report,
            "section": block.section,
            "block": block,
            "form": form,
            "conflict": conflict,
            "back": _section_url(block.section, f"block-{block.pk}"),
        },
        status=conflict_status(conflict),
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def block_delete(request: HttpRequest, year: int, block_id: int) -> HttpResponse:
    request.current_section = SECTION
    block = _block(request, year, block_id)
    section = block.section
    if request.method == "POST":
        services.block_delete(block=block, user=request.user)
        messages.success(request, "Block deleted.")
        return redirect(_section_url(section))
    what = (
        f"the narrative beginning: {narrative.plain(block.text)[:80]}"
        if block.kind == ReportBlock.Kind.TEXT
        else f"the data block {label_for(section.report, block.data_key)}"
    )
    return render(
        request,
        "reports/editor/delete.html",
        {
            "report": section.report,
            "title": f"Delete a block of {section.heading}",
            "explanation": f"This removes {what} from the section. Published editions keep what they said; the audit "
            "log keeps what it was.",
            "button": "Delete the block",
            "back": _section_url(section, f"block-{block.pk}"),
        },
    )


@partnership_view(LEAD, methods=("POST",))
def block_move(request: HttpRequest, year: int, block_id: int) -> HttpResponse:
    block = _block(request, year, block_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.block_move(block=block, user=request.user, direction=form.cleaned_data["direction"])
        messages.success(request, f"Block moved {form.cleaned_data['direction']}.")
    else:
        messages.error(request, "Nothing was moved: choose to move it up or down.")
    return redirect(_section_url(block.section, f"block-{block.pk}"))


@partnership_view(LEAD, methods=("POST",))
def block_draft(request: HttpRequest, year: int, block_id: int) -> HttpResponse:
    """A flagged sentence answered: today's sentence in place of the lead's words, or their words kept."""
    request.current_section = SECTION
    block = _block(request, year, block_id)
    form = ResolveDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: choose to use the new sentence or keep your words.")
        return redirect(_section_url(block.section, f"block-{block.pk}"))
    use_new = form.cleaned_data["use"] == "new"
    try:
        services.block_resolve_draft(
            block=block, user=request.user, use_new=use_new, expected_version=form.cleaned_data["version"]
        )
    except EditConflict as stale:
        return _section_page(request, block.section, conflict=show_conflict(form, stale))
    except services.ReportError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The new sentence is in place." if use_new else "Your words are kept.")
    return redirect(_section_url(block.section, f"block-{block.pk}"))


# --- The forward plan's own items -------------------------------------------------------------------------------------


@partnership_view(LEAD, methods=("GET", "POST"))
def forward_items(request: HttpRequest, year: int) -> HttpResponse:
    request.current_section = SECTION
    report = selectors.report_for_year(request.partnership, year)
    priorities = _priorities(report)
    form = ForwardItemForm(request.POST or None, priorities=priorities)
    if request.method == "POST" and form.is_valid():
        try:
            services.forward_item_add(
                report=report, user=request.user, text=form.cleaned_data["text"], priority=form.cleaned_data["priority"]
            )
        except services.ReportError as refused:
            form.add_error("priority" if "priority" in str(refused) else "text", str(refused))
        else:
            messages.success(request, "Item added to the forward plan.")
            return redirect(_url(report, "forward_items"))
    items = report.forward_items.select_related("priority").order_by("position", "id")
    table = tables.forward_items_table(
        items, priorities=list(priorities), slug=report.partnership.slug, year=report.year
    )
    return render(request, "reports/editor/forward_items.html", {"report": report, "form": form, "table": table})


@partnership_view(LEAD, methods=("GET", "POST"))
def forward_item(request: HttpRequest, year: int, item_id: int) -> HttpResponse:
    request.current_section = SECTION
    item = _item(request, year, item_id)
    report = item.report
    initial = {"text": item.text, "priority": item.priority_id, "version": item.version}
    form = ForwardItemEditForm(request.POST or None, initial=initial, priorities=_priorities(report))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.forward_item_save(
                item=item,
                user=request.user,
                text=form.cleaned_data["text"],
                priority=form.cleaned_data["priority"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as stale:
            conflict = show_conflict(form, stale)
        except services.ReportError as refused:
            form.add_error("priority" if "priority" in str(refused) else "text", str(refused))
        else:
            messages.success(request, "Item saved.")
            return redirect(_url(report, "forward_items"))
    return render(
        request,
        "reports/editor/forward_item.html",
        {"report": report, "item": item, "form": form, "conflict": conflict},
        status=conflict_status(conflict),
    )


@partnership_view(LEAD, methods=("GET", "POST"))
def forward_item_delete(request: HttpRequest, year: int, item_id: int) -> HttpResponse:
    request.current_section = SECTION
    item = _item(request, year, item_id)
    back = _url(item.report, "forward_items")
    if request.method == "POST":
        services.forward_item_delete(item=item, user=request.user)
        messages.success(request, "Item deleted from the forward plan.")
        return redirect(back)
    return render(
        request,
        "reports/editor/delete.html",
        {
            "report": item.report,
            "title": "Delete an item of the forward plan",
            "explanation": f"This removes the item \u201c{item.text}\u201d from the forward plan. The audit log keeps "
            "what it was.",
            "button": "Delete the item",
            "back": back,
        },
    )
