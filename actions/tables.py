"""The action plan pages' tables and summary lists, as components/table.html and summary_list.html draw them."""

from __future__ import annotations

from itertools import groupby

from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import truncatewords
from django.urls import reverse

from actions.selectors import RagSummary
from vawg.tables import Cell, Column, Row, SummaryRow, Table, Tag, link, numeric, page_range, rag_tag, summary, tag

ILLUSTRATIVE = Tag("Illustrative", "govuk-tag--yellow")


def _user_name(user) -> str:
    return user.get_full_name() or user.username


def _intended_impact(action) -> tuple[Cell, ...]:
    if not action.intended_impact:
        return ()
    return (Cell(label="Intended impact", text=action.intended_impact, lines=True),)


def action_cell(action) -> Cell:
    """An action's text, with its intended impact on the next line."""
    return Cell(text=action.text, items=_intended_impact(action), item_style="lines")


def plan_table(page_obj, *, slug: str, update_round) -> Table:
    pages = page_obj.paginator.num_pages
    rows = []
    for action in page_obj:
        groups = ", ".join(r.group.abbreviation for r in action.responsibilities.all())
        where = f"Priority {action.priority.number}, {action.priority.heading} · {groups}"
        if update_round:
            where += f" · {update_round.period}: {action.round_done} of {action.group_count} submitted"
        about = [Cell(text=truncatewords(action.text, 25))]
        if action.intended_impact:
            about.append(Cell(label="Intended impact", text=truncatewords(action.intended_impact, 25)))
        about.append(Cell(text=where))
        update = action.latest_update
        latest = (
            f"{update.group.abbreviation}, {update.period}: {truncatewords(update.successes_and_challenges, 20)}"
            if update
            else "None yet"
        )
        rows.append(
            [
                link(
                    action.ref,
                    reverse("actions:action_detail", args=[slug, action.pk]),
                    hidden_text="(open the action)",
                ),
                Cell(items=tuple(about), item_style="paragraphs"),
                Cell(tags=(rag_tag(action.current_rating),), hint=str(action.current.period) if action.current else ""),
                Cell(items=(Cell(text=latest),), item_style="paragraphs"),
            ]
        )
    return Table(
        caption=f"Actions{f', page {page_obj.number} of {pages}' if pages > 1 else ''}",
        columns=["Ref", "Action and groups", "Current rating", "Latest update"],
        rows=rows,
        empty_text="No actions match the filters.",
        css_class="app-plan-table",
    )


def _by_priority(summary: RagSummary, *, first: str, rows: list, caption: str, **options) -> Table:
    return Table(
        caption=caption,
        columns=[first, *(Column(p.heading, numeric=True) for p in summary.priorities), Column("Total", numeric=True)],
        rows=rows,
        small=False,
        **options,
    )


def rag_summary_table(summary: RagSummary) -> Table:
    return _by_priority(
        summary,
        first="RAG status",
        caption=f"Summary of RAG ratings against actions by strategic priority, {summary.label}",
        rows=[[row.rating, *row.counts, f"{row.total} ({row.percent}%)"] for row in summary.rows],
        total=["Total", *summary.column_totals, summary.total],
        css_class="app-summary-table",
    )


def movement_table(summary: RagSummary) -> Table:
    return _by_priority(
        summary,
        first="Movement",
        caption=f"Actions that improved, worsened or stayed the same since {summary.previous_label}",
        caption_size="s",
        rows=[[row.label, *row.counts, row.total] for row in summary.movement],
    )


def rag_meanings(partnership) -> list[SummaryRow]:
    return summary(partnership.rag_definitions())


def structure_tables(strategies, *, slug: str, is_lead: bool) -> list[tuple]:
    """Each strategy with its table of priorities."""
    tables = []
    for strategy in strategies:
        rows = []
        for priority in strategy.priorities.all():
            row = [f"{priority.number}. {priority.title}", truncatewords(priority.commitment, 40)]
            if is_lead:
                url = reverse("actions:priority_edit", args=[slug, strategy.pk, priority.pk])
                row.append(link("Change", url, hidden_text=f"priority {priority.number}"))
            rows.append(row)
        columns = ["Priority", "Commitment", *([Column("Change", hidden=True)] if is_lead else [])]
        table = Table(
            caption=f"Priorities of {strategy.title}",
            caption_size="s",
            small=False,
            columns=columns,
            rows=rows,
            empty_text="No priorities yet.",
        )
        tables.append((strategy, table))
    return tables


def rounds_table(rounds, *, slug: str, today, is_lead: bool, can_write: bool) -> Table:
    rows = []
    for update_round in rounds:
        period = update_round.period
        if not update_round.is_open:
            status = tag("Closed", "grey")
        elif update_round.deadline < today:
            status = tag("Open, past deadline", "red")
        else:
            status = tag("Open", "green")
        pages = [
            link(
                "Progress by group",
                reverse("actions:round_status", args=[slug, update_round.pk]),
                hidden_text=f"for {period}",
            )
        ]
        if can_write:
            url = f"{reverse('actions:my_updates', args=[slug])}?round={update_round.pk}"
            pages.append(link("My updates", url, hidden_text=f"for {period}"))
        if is_lead:
            url = reverse("actions:round_review", args=[slug, update_round.pk])
            pages.append(link("Review", url, hidden_text=f"updates for {period}"))
            pages.append(
                link("Change", reverse("actions:round_edit", args=[slug, update_round.pk]), hidden_text=str(period))
            )
        rows.append(
            [
                period,
                update_round.strategy.title,
                format_date(update_round.deadline, "j F Y"),
                status,
                Cell(items=tuple(pages), item_style="lines"),
            ]
        )
    return Table(
        caption="Quarters opened for updates",
        small=False,
        columns=["Quarter", "Strategy", "Deadline", "Status", "Pages"],
        rows=rows,
        empty_text="No quarter has been opened for updates yet.",
    )


def round_status_table(progress, totals: dict, *, is_overdue: bool) -> Table:
    def line(label, p) -> list:
        get = p.get if isinstance(p, dict) else lambda key: getattr(p, key)
        return [
            label,
            get("expected"),
            get("submitted"),
            get("accepted"),
            get("missing"),
            get("missing") if is_overdue else 0,
            f"{get('not_started')} not started, {get('draft')} draft, {get('returned')} returned",
        ]

    return Table(
        caption="Updates per group",
        small=False,
        columns=[
            "Group",
            *numeric("Expected", "Submitted", "Accepted", "Missing", "Overdue"),
            "Of the missing",
        ],
        rows=[line(f"{p.group.name} ({p.group.abbreviation})", p) for p in progress],
        total=line("All groups", totals),
        empty_text="No group is responsible for any action yet.",
    )


def round_review_table(items, *, update_round, page_obj, slug: str) -> Table:
    rows = []
    for item in items:
        action, group, update = item.action, item.group, item.update
        shown = update and item.status_key != "draft"
        links = []
        if shown:
            url = reverse("actions:update_review", args=[slug, update.pk])
            text = "Review" if item.status_key == "submitted" else "View"
            links.append(link(text, url, hidden_text=f"{group.abbreviation}'s update on {action.ref}"))
        url = reverse("actions:action_rate", args=[slug, action.pk])
        url += f"?year={update_round.year}&quarter={update_round.quarter}"
        links.append(link("Rate", url, hidden_text=f"{action.ref} ({group.abbreviation} row)"))
        rows.append(
            [
                action.ref,
                group.abbreviation,
                item.status,
                rag_tag(update.proposed_rating) if shown else "None",
                Cell(items=tuple(links), item_style="lines"),
            ]
        )
    return Table(
        caption=f"Updates, submitted first{page_range(page_obj)}",
        small=False,
        columns=["Action", "Group", "Status", "Proposed rating", Column("Links", hidden=True)],
        rows=rows,
        empty_text="No group is responsible for any action yet.",
    )


def appendix_tables(priorities, *, slug: str, next_year) -> list[Table]:
    """The year's plan by priority: an action's groups each on a row of their own, under the action's heading."""
    tables = []
    for entry in priorities:
        rows = []
        for row in entry.rows:
            action = row.action
            span = max(len(row.entries), 1)
            ref = Cell(text=action.ref, href=reverse("actions:action_detail", args=[slug, action.pk]), rowspan=span)
            text = Cell(text=action.text, items=_intended_impact(action), item_style="lines", rowspan=span)
            rating = Cell(tags=(rag_tag(row.rating),), rowspan=span)
            if not row.entries:
                rows.append([Cell(text=action.ref), action_cell(action), "None", "", row.rating, ""])
            for i, item in enumerate(row.entries):
                impact = (Cell(label="Impact", text=item.impact),) if item.impact else ()
                said = Cell(text=item.successes_and_challenges, lines=True, items=impact, item_style="lines")
                next_steps = Cell(text=item.next_steps, lines=True)
                if i == 0:
                    rows.append([ref, text, item.group_names, said, rating, next_steps])
                else:
                    rows.append(Row([item.group_names, said, next_steps], continued=True))
        tables.append(
            Table(
                caption=f"Priority {entry.priority.number}: {entry.priority.title}",
                small=False,
                columns=["Ref", "Action", "Group", "Successes and challenges", "RAG", f"Actions for {next_year}"],
                rows=rows,
                css_class="app-appendix-table",
            )
        )
    return tables


def recommendation_tables(recommendations, *, slug: str, is_lead: bool) -> list[Table]:
    """A table per review, its recommendations with the actions answering them and their current ratings."""
    tables = []
    for source, group in groupby(recommendations, key=lambda r: r.source):
        group = list(group)
        first = group[0]
        rows = []
        for recommendation in group:
            actions = tuple(
                Cell(
                    text=action.ref,
                    href=reverse("actions:action_detail", args=[slug, action.pk]),
                    tags=(rag_tag(action.current_rating), *([ILLUSTRATIVE] if action.strategy.illustrative else [])),
                )
                for action in recommendation.actions.all()
            )
            heading = Cell(text=recommendation.ref)
            if is_lead:
                # A case review's recommendation is changed on its review's pages (its source is the review).
                url = (
                    reverse(
                        "actions:case_review_recommendation_edit",
                        args=[slug, recommendation.case_review_id, recommendation.pk],
                    )
                    if recommendation.case_review_id
                    else reverse("actions:recommendation_edit", args=[slug, recommendation.pk])
                )
                heading = Cell(
                    text=recommendation.ref,
                    items=(link("Change", url, hidden_text=recommendation.ref),),
                    item_style="lines",
                )
            rows.append(
                [
                    heading,
                    recommendation.text,
                    recommendation.get_status_display(),
                    Cell(items=actions, item_style="lines") if actions else "No action linked yet.",
                ]
            )
        tables.append(
            Table(
                caption=source,
                caption_href=(
                    reverse("actions:case_review_detail", args=[slug, first.case_review_id])
                    if first.case_review_id
                    else ""
                ),
                caption_aside=f"{first.get_source_type_display()}, {format_date(first.source_date, 'F Y')}",
                small=False,
                columns=["Ref", "Recommendation", "Status", "Actions and their current ratings"],
                rows=rows,
            )
        )
    return tables


def _written(text: str) -> Cell:
    return Cell(text=text or "Not written", lines=True)


def update_summary(update, *, with_status: bool) -> list[SummaryRow]:
    rows = []
    if with_status:
        status = update.get_status_display()
        if update.submitted_at:
            status += f", submitted {format_date(update.submitted_at, 'j F Y, H:i')}"
        if update.updated_by:
            status += f" by {_user_name(update.updated_by)}"
        rows.append(SummaryRow("Status", status))
    rows += [
        SummaryRow("Successes and challenges", _written(update.successes_and_challenges)),
        SummaryRow("Next steps", _written(update.next_steps)),
        SummaryRow("Impact", _written(update.impact)),
        SummaryRow("Proposed rating", update.proposed_rating),
    ]
    if with_status and update.review_comment:
        rows.append(SummaryRow("Review comment", update.review_comment))
    return summary(rows)


def bulk_row_summary(update) -> list[SummaryRow]:
    """A row of "My updates" that can no longer be edited: what the group wrote (nothing yet, without an update)."""
    if update is None:
        return summary([SummaryRow("Successes and challenges", _written("")), SummaryRow("Next steps", _written(""))])
    return summary(
        [
            SummaryRow("Successes and challenges", _written(update.successes_and_challenges)),
            SummaryRow("Next steps", _written(update.next_steps)),
            SummaryRow("Proposed rating", update.get_proposed_rating_display()),
        ]
    )


def rating_summary(*, current, proposals, period) -> list[SummaryRow]:
    now = f"Not rated for {period} yet"
    if current:
        reason = (Cell(text=current.reason),) if current.reason else ()
        now = Cell(tags=(rag_tag(current.rating),), items=reason, item_style="lines")
    proposed = Cell(
        items=tuple(
            Cell(
                text=f"{u.group.abbreviation}:",
                tags=(rag_tag(u.proposed_rating),),
                suffix=f"({u.get_status_display().lower()})",
            )
            for u in proposals
        ),
        item_style="lines",
    )
    return summary(
        [
            SummaryRow("Rating now", now),
            SummaryRow("Groups' proposals", proposed if proposals else f"No group has proposed a rating for {period}."),
        ]
    )


def action_summary(page) -> list[SummaryRow]:
    action = page.action
    rows = []
    if action.intended_impact:
        rows.append(SummaryRow("Intended impact", Cell(text=action.intended_impact, lines=True)))
    groups = tuple(Cell(text=f"{g.name} ({g.abbreviation})") for g in page.groups)
    rows.append(SummaryRow("Groups responsible", Cell(items=groups, item_style="lines") if groups else "None"))
    current = page.current
    rows.append(
        SummaryRow(
            "Current rating",
            Cell(tags=(rag_tag(current.rating),), suffix=f"for {current.period}")
            if current
            else Cell(tags=(rag_tag(""),)),
        )
    )
    if page.recommendations:
        answered = tuple(Cell(text=f"{r.ref} ({r.source})") for r in page.recommendations)
        rows.append(SummaryRow("Answers recommendations", Cell(items=answered, item_style="lines")))
    return summary(rows)


# --- Case reviews (DHR, SAR, SCR) -------------------------------------------------------------------------------


def case_reviews_table(reviews, *, slug: str) -> Table:
    rows = []
    for review in reviews:
        about = review.get_kind_display()
        if review.commissioned_on:
            about += f", commissioned {format_date(review.commissioned_on, 'j M Y')}"
        group = review.overseen_by
        themes = ", ".join(theme.name for theme in review.themes.all())
        rows.append(
            [
                Cell(
                    text=review.reference,
                    href=reverse("actions:case_review_detail", args=[slug, review.pk]),
                    tags=(ILLUSTRATIVE,) if review.illustrative else (),
                    hint=about,
                ),
                Cell(text=review.get_status_display(), hint=f"Tracked by {group.abbreviation}" if group else ""),
                themes or "None recorded",
                f"{review.implemented_count} of {review.recommendation_count}",
            ]
        )
    count = f"{len(rows)} review{'s' if len(rows) != 1 else ''}"
    return Table(
        caption=count,
        columns=["Review", "Status", "Themes", Column("Recommend\u00adations implemented", numeric=True)],
        rows=rows,
        empty_text="No case reviews match.",
    )


def case_review_themes_table(themes) -> Table:
    """The partnership's recurring themes: each with the number of reviews carrying it, most frequent first."""
    return Table(
        caption="Themes across reviews",
        small=False,
        columns=["Theme", Column("Reviews", numeric=True)],
        rows=[
            [Cell(text=theme.name, tags=(ILLUSTRATIVE,) if theme.illustrative else ()), theme.review_count]
            for theme in themes
        ],
        empty_text="No themes recorded yet.",
    )


def case_review_summary(review) -> list[SummaryRow]:
    themes = [f"{t.name} (illustrative)" if t.illustrative else t.name for t in review.themes.all()]
    group = review.overseen_by
    return summary(
        [
            SummaryRow("Status", review.get_status_display()),
            SummaryRow(
                "Date commissioned", format_date(review.commissioned_on, "j F Y") if review.commissioned_on else ""
            ),
            SummaryRow("Group keeping track of it", f"{group.abbreviation}: {group.name}" if group else ""),
            SummaryRow("Themes", "; ".join(themes)),
            SummaryRow("Summary", Cell(text=review.summary, lines=True)),
        ]
    )


def case_review_recommendations_table(review, recommendations, *, slug: str, is_lead: bool) -> Table:
    rows = []
    for recommendation in recommendations:
        change = ()
        if is_lead:
            url = reverse("actions:case_review_recommendation_edit", args=[slug, review.pk, recommendation.pk])
            change = (link("Change", url, hidden_text=f"recommendation {recommendation.ref}"),)
        actions = tuple(
            Cell(
                text=action.ref,
                href=reverse("actions:action_detail", args=[slug, action.pk]),
                tags=(rag_tag(action.current_rating),),
            )
            for action in recommendation.actions.all()
        )
        rows.append(
            [
                Cell(text=recommendation.ref, items=change, item_style="lines"),
                recommendation.text,
                recommendation.get_status_display(),
                Cell(items=actions, item_style="lines") if actions else "No action linked yet.",
            ]
        )
    return Table(
        caption=f"Recommendations ({review.implemented_count} of {review.recommendation_count} implemented)",
        label=f"Recommendations of {review.reference}",
        small=False,
        columns=["Ref", "Recommendation", "Status", "Actions and their current ratings"],
        rows=rows,
        empty_text="No recommendations recorded yet.",
    )


def case_review_import_preview_table(result) -> Table:
    return Table(
        caption="Rows in the file",
        columns=["Row", "What happens", *result.headings],
        rows=[[row.number, row.action, *row.cells] for row in result.preview],
    )


def case_review_import_columns_table(columns) -> Table:
    return Table(
        caption="Columns",
        caption_size="s",
        columns=["Heading", "Needed"],
        rows=[[c.heading, "Yes" if c.required else "Optional"] for c in columns],
    )
