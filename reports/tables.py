"""The report pages' tables and summary lists (the list of reports, a report's editions, an edition), as the
components draw them."""

from __future__ import annotations

from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from actions.tables import action_cell
from vawg.tables import Cell, Column, Section, SummaryRow, Table, link, rag_tag, summary


def _name(user) -> str:
    return user.get_full_name() or user.username


def reports_table(reports, *, slug: str, can_see_drafts: bool) -> Table:
    rows = []
    for report in reports:
        edition = report.latest_published
        published: Cell | str = "Not published yet"
        if edition:
            url = reverse("reports:edition_pdf", args=[slug, report.year, edition.pk])
            published = Cell(
                text=f"{edition.label}, published {format_date(edition.published_at, 'j F Y')}:",
                items=(link("download the PDF", url, hidden_text=f"of the {report.financial_year} report"),),
                item_style="inline",
            )
        row = [
            link(f"Annual report {report.financial_year}", reverse("reports:detail", args=[slug, report.year])),
            published,
        ]
        if can_see_drafts:
            build = report.latest_build
            row.append(
                f"{build.label}: {build.get_state_display().lower()}, {format_date(build.requested_at, 'j F Y H:i')}"
                if build
                else "No builds yet"
            )
        rows.append(row)
    return Table(
        caption="Reports by financial year",
        small=False,
        columns=["Financial year", "Latest published edition", *(["Latest build"] if can_see_drafts else [])],
        rows=rows,
    )


def published_table(report, editions, *, slug: str) -> Table:
    rows = []
    for edition in editions:
        label = edition.label.lower()
        pdf = reverse("reports:edition_pdf", args=[slug, report.year, edition.pk])
        html = reverse("reports:edition_html", args=[slug, report.year, edition.pk])
        files = Cell(
            items=(
                Cell(
                    text="Download the PDF",
                    href=pdf,
                    hidden_text=f"of {label}",
                    suffix=f"({edition.page_count} pages, {filesizeformat(edition.pdf_size)})",
                ),
                link("Read it as a web page", html, hidden_text=f"({label})"),
            ),
            item_style="lines",
        )
        rows.append(
            [
                link(edition.label, reverse("reports:edition", args=[slug, report.year, edition.pk])),
                f"{format_date(edition.published_at, 'j F Y H:i')} by {edition.published_by_name}",
                files,
            ]
        )
    return _editions(
        f"Published editions of the {report.financial_year} report", ["Edition", "Published", "Files"], rows
    )


def drafts_table(report, drafts, *, slug: str) -> Table:
    rows = []
    for edition in drafts:
        requested = format_date(edition.requested_at, "j F Y H:i")
        if edition.requested_by:
            requested += f" by {_name(edition.requested_by)}"
        rows.append(
            [
                link(f"{edition.label} {edition.pk}", reverse("reports:edition", args=[slug, report.year, edition.pk])),
                requested,
                edition.get_state_display(),
            ]
        )
    return _editions(f"Drafts and builds of the {report.financial_year} report", ["Build", "Requested", "State"], rows)


def _editions(caption: str, columns: list[str], rows: list) -> Table:
    """A report's editions: under a heading that says which, so the caption is for screen readers."""
    return Table(caption=caption, caption_size="s", caption_hidden=True, small=False, columns=columns, rows=rows)


def narrative_summary(report, narrative: dict, fields: list[tuple[str, str]]) -> list[SummaryRow]:
    rows = [SummaryRow("Prepared by", report.prepared_by or "Not written yet")]
    for label, name in fields:
        blocks = narrative.get(name)
        text = blocks or "Not written yet"
        rows.append(SummaryRow(label, text))
    return summary(rows)


def edition_summary(edition) -> list[SummaryRow]:
    if edition.is_published:
        kind = f"Published edition {edition.number}: it will never change"
    elif edition.purpose == "draft":
        kind = "Draft, with a DRAFT watermark"
    else:
        kind = "For publication"
    requested = format_date(edition.requested_at, "j F Y H:i")
    if edition.requested_by:
        requested += f" by {_name(edition.requested_by)}"
    requested += f" ({edition.get_source_display().lower()})"
    rows = [SummaryRow("Kind", kind), SummaryRow("Requested", requested)]
    if edition.state == "ready":
        rows += [
            SummaryRow("Pages", f"{edition.page_count} ({filesizeformat(edition.pdf_size)})"),
            SummaryRow("SHA-256 of the PDF", Cell(text=edition.pdf_sha256, css_class="app-checksum")),
            SummaryRow("Narrative version", edition.narrative_version),
        ]
        if edition.refused_fetches:
            n = edition.refused_fetches
            rows.append(
                SummaryRow(
                    "Addresses refused",
                    f"{n} address{'es' if n != 1 else ''} in the report pointed outside the application and "
                    f"{'was' if n == 1 else 'were'} not fetched.",
                )
            )
    return summary(rows)


# --- The annual report's own tables ------------------------------------------------------------------------------


def rag_meanings(partnership) -> list[SummaryRow]:
    return summary(partnership.rag_definitions())


def recommendations_table(recommendations) -> Table:
    rows = []
    for r in recommendations:
        actions = tuple(Cell(text=a.ref, tags=(rag_tag(a.current_rating),)) for a in r.actions.all())
        rows.append(
            [
                f"{r.ref}: {r.text}",
                f"{r.source} ({r.get_source_type_display()}, {format_date(r.source_date, 'F Y')})",
                r.get_status_display(),
                Cell(items=actions, item_style="inline") if actions else "None yet",
            ]
        )
    return Table(
        caption="Recommendations and the actions answering them",
        caption_size="s",
        small=False,
        css_class="report-table",
        columns=["Recommendation", "Review", "Status", "Actions answering it"],
        rows=rows,
    )


def appendix_tables(appendix, year) -> list[tuple]:
    """Each priority with its table of actions: groups that wrote the same share a paragraph, named when several."""

    def said(row, name: str) -> Cell:
        several = len(row.entries) > 1
        paragraphs = tuple(
            Cell(label=e.group_names if several else "", text=getattr(e, name)) for e in row.entries if getattr(e, name)
        )
        return Cell(items=paragraphs, item_style="paragraphs")

    tables = []
    for entry in appendix:
        priority = entry.priority
        rows = [
            [
                row.action.ref,
                action_cell(row.action),
                "; ".join(e.group_names for e in row.entries) or "None",
                said(row, "successes_and_challenges"),
                row.rating,
                said(row, "next_steps"),
            ]
            for row in entry.rows
        ]
        table = Table(
            caption=f"Actions of priority {priority.number}, {priority.title}: progress in {year}",
            caption_size="s",
            small=False,
            css_class="report-table appendix-table",
            columns=[
                Column("Ref", css_class="appendix-table__ref"),
                "Action",
                "Groups",
                "Successes and challenges",
                "RAG",
                "Next steps",
            ],
            rows=rows,
            empty_text="No actions under this priority.",
        )
        tables.append((entry, table))
    return tables


# --- The sub group's quarterly update ----------------------------------------------------------------------------


def updates_table(updates, *, slug: str) -> Table:
    rows = []
    for update in updates:
        latest = "Not built yet"
        if update.latest_edition_id:
            url = reverse("reports:update_edition_pdf", args=[slug, update.pk, update.latest_edition_id])
            latest = link("Download the PDF", url, hidden_text=f"of {update.group.abbreviation} {update.period}")
        rows.append(
            [
                link(f"{update.group.name}, {update.period}", reverse("reports:update_detail", args=[slug, update.pk])),
                update.group.parent.name if update.group.parent else "Not recorded",
                format_date(update.updated_at, "j M Y"),
                latest,
            ]
        )
    return Table(
        caption="Updates, latest quarter first",
        small=False,
        columns=["Update", "To", "Last changed", "Latest build"],
        rows=rows,
        empty_text="No updates yet.",
    )


def update_texts_summary(update, fields) -> list[SummaryRow]:
    """What the lead wrote: a date as people write it, text with its line breaks."""
    rows = []
    for name in fields:
        value = getattr(update, name)
        label = update._meta.get_field(name).verbose_name.capitalize()
        if hasattr(value, "strftime"):
            value = format_date(value, "j F Y")
        rows.append(SummaryRow(label, Cell(text=value or "", lines=True)))
    return summary(rows)


def update_editions_table(update, editions, *, slug: str) -> Table:
    rows = []
    for edition in editions:
        built = format_date(edition.requested_at, "j M Y, H:i")
        requested = built + (f" by {_name(edition.requested_by)}" if edition.requested_by else "")
        files: Cell | str = "None"
        if edition.state == "ready":
            pages = f"({edition.page_count} page{'s' if edition.page_count != 1 else ''}),"
            pdf = reverse("reports:update_edition_pdf", args=[slug, update.pk, edition.pk])
            html = reverse("reports:update_edition_html", args=[slug, update.pk, edition.pk])
            files = Cell(
                items=(
                    Cell(text="PDF", href=pdf, hidden_text=f"built {built}", suffix=pages),
                    link("web page", html, hidden_text=f"built {built}"),
                ),
                item_style="inline",
            )
        state = edition.get_state_display() + (f": {edition.error}" if edition.error else "")
        checksum = edition.pdf_sha256
        rows.append(
            [
                requested,
                state,
                files,
                Cell(text=f"{checksum[:16]}…" if len(checksum) > 17 else checksum, css_class="app-checksum"),
            ]
        )
    return Table(
        caption="Builds",
        small=False,
        columns=["Requested", "State", "Files", "SHA-256 of the PDF"],
        rows=rows,
        empty_text="Not built yet.",
    )


def update_header_summary(context) -> list[SummaryRow]:
    """The update's heading block: whose, which quarter, when and by whom."""
    update = context.update
    rows = [
        SummaryRow("Partnership", context.partnership.name),
        SummaryRow("Quarter", f"{context.period} ({context.period.months})"),
    ]
    if update.report_date:
        rows.append(SummaryRow("Date", format_date(update.report_date, "j F Y")))
    if update.author:
        rows.append(SummaryRow("Author", update.author))
    return summary(rows)


def update_plan_tables(plan_rows, period) -> list[tuple]:
    """Each priority with actions with its table of the quarter's progress: narrow ref and rating, the words wide."""
    tables = []
    for entry in plan_rows or ():
        if not entry.rows:
            continue
        rows = []
        for row in entry.rows:
            said = tuple(Cell(text=e.successes_and_challenges) for e in row.entries if e.successes_and_challenges)
            progress = Cell(items=said, item_style="paragraphs") if said else "None reported"
            rows.append([row.action.ref, row.action.text, progress, row.rating])
        table = Table(
            caption=f"Progress in {period}: {entry.priority.title}",
            caption_size="s",
            small=False,
            css_class="report-table update-plan-table",
            columns=["Ref", "Action", "Progress", "RAG"],
            rows=rows,
        )
        tables.append((entry, table))
    return tables


# --- The report editor ---------------------------------------------------------------------------------------------


def post_button(*, action: str, text: str, hidden_text: str = "", csrf_token: str, fields: dict | None = None) -> Cell:
    """A small form with one button, as a table cell's content (a move is a change: a POST, never a link). The
    markup is the editor's partial; the table component draws it as the cell's text."""
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/editor/_button.html",
        {
            "action": action,
            "text": text,
            "hidden_text": hidden_text,
            "csrf_token": csrf_token,
            "fields": (fields or {}).items(),
        },
    )
    return Cell(text=html)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def holdings(*, text: int, data: int, flagged: int = 0, subsections: int = 0) -> str:
    """What a section holds, said briefly: "2 narrative, 1 data block, 1 flagged sentence"."""
    parts = []
    if text:
        parts.append(f"{text} narrative")
    if data:
        parts.append(_plural(data, "data block"))
    elif text:
        parts[-1] += " block" if text == 1 else " blocks"
    if subsections:
        parts.append(_plural(subsections, "sub-section"))
    if flagged:
        parts.append(_plural(flagged, "flagged sentence"))
    return ", ".join(parts) or "Nothing yet"


def section_rows(sections, *, numbers: dict, flagged: dict, slug: str, year: int, csrf_token: str) -> list[list]:
    """One row per section: its heading linked to its editor with what it holds beneath, and its moves (none up
    for the first of its siblings, none down for the last) and deletion."""
    siblings: dict = {}
    for section in sections:
        siblings.setdefault(section.parent_id, []).append(section.pk)
    rows = []
    for section in sections:
        number = numbers[section.pk]
        name = f"{number} {section.heading}".strip()
        move = reverse("reports:section_move", args=[slug, year, section.pk])
        order = siblings[section.parent_id]
        buttons = [
            post_button(action=move, text=text, hidden_text=name, csrf_token=csrf_token, fields={"direction": way})
            for text, way, shown in (
                ("Move up", "up", section.pk != order[0]),
                ("Move down", "down", section.pk != order[-1]),
            )
            if shown
        ]
        actions = Cell(
            items=(
                *buttons,
                link("Delete", reverse("reports:section_delete", args=[slug, year, section.pk]), hidden_text=name),
            ),
            item_style="inline",
        )
        held = holdings(
            text=section.text_blocks,
            data=section.data_blocks,
            flagged=flagged.get(section.pk, 0),
            subsections=getattr(section, "subsection_count", 0),
        )
        prefix = "Sub-section: " if section.parent_id else ""
        if getattr(section, "printed", True) is False:
            held += ": not printed while it has nothing to show"
        heading = link(name, reverse("reports:section", args=[slug, year, section.pk]), hint=f"{prefix}{held}")
        rows.append([heading, actions])
    return rows


def sections_table(rows: list[list], *, caption: str, caption_hidden: bool = False) -> Table:
    return Table(
        caption=caption,
        caption_size="m",
        caption_hidden=caption_hidden,
        columns=["Section and what it holds", Column("Actions", hidden=True)],
        rows=rows,
        small=False,
        empty_text="No sections yet.",
    )


def default_layout_table(layout) -> Table:
    return Table(
        caption="The standard sections",
        caption_size="m",
        columns=["Section", "What it holds"],
        rows=[
            [f"{number} {heading}", "The section's content drawn from the records"]
            for number, (heading, _) in enumerate(layout, start=1)
        ],
        small=False,
    )


def forward_items_table(items, *, priorities, slug: str, year: int) -> Table:
    """The items the lead added, under their priorities (and "Across the strategy" for the rest)."""
    sections = []
    by_priority: dict = {}
    for item in items:
        by_priority.setdefault(item.priority_id, []).append(item)
    headings = [(None, "Across the strategy"), *[(p.pk, f"Priority {p.number}: {p.title}") for p in priorities]]
    known = {key for key, _ in headings}
    # An item whose priority is not the report's strategy's (the strategy was changed since) still shows.
    headings += [(key, "Another strategy's priority") for key in by_priority if key not in known]
    for key, heading in headings:
        rows = []
        for item in by_priority.get(key, []):
            short = item.text if len(item.text) <= 60 else item.text[:57] + "..."
            rows.append(
                [
                    Cell(text=item.text, regular=True),
                    Cell(
                        items=(
                            link(
                                "Change",
                                reverse("reports:forward_item", args=[slug, year, item.pk]),
                                hidden_text=f"the item: {short}",
                            ),
                            link(
                                "Delete",
                                reverse("reports:forward_item_delete", args=[slug, year, item.pk]),
                                hidden_text=f"the item: {short}",
                            ),
                        ),
                        item_style="inline",
                    ),
                ]
            )
        if rows:
            sections.append(Section(heading, rows))
    return Table(
        caption="Items you added to the forward plan",
        caption_size="m",
        columns=["Item", Column("Actions", hidden=True)],
        sections=sections,
        small=False,
        empty_text="You have not added any items.",
    )
