"""The report laid out as the lead arranged it: numbered sections in their order, sub-sections, narrative and data
blocks drawn from the records at build time, the forward plan's own items, and drafted sentences flagged when the
figures they state change."""

import re

import pytest

from actions.models import RagRating
from reports import builder, drafts, services
from reports.models import AnnualReport, ReportBlock, ReportSection
from tests.reports.data import fill_year


@pytest.fixture
def report(world):
    return services.report_create(partnership=world.partnership, year=2015, user=world.lead)


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-l" id="[^"]+">([^<]+)</h2>', html)


def test_a_new_report_has_the_standard_sections_numbered_in_order(world, report):
    html = builder.build(report, draft=True, with_pdf=False).html
    shown = headings(html)
    assert shown[0] == "Contents"
    assert shown[1:4] == ["1. Introduction", "2. Progress against the strategy in 2015-16", "3. Service activity"]
    assert "Foreword" not in html  # nothing written: the section is left out, and the numbering closes up
    assert ReportSection.objects.filter(report=report).count() == 11


def test_sections_renamed_moved_added_and_deleted_change_the_report(world, report):
    sections = list(report.sections.order_by("position"))
    intro, progress = sections[1], sections[2]
    services.section_rename(section=intro, user=world.lead, heading="1. Introduction, our way", expected_version=1)
    services.section_move(section=progress, user=world.lead, direction="up")
    services.section_move(section=progress, user=world.lead, direction="up")
    own = services.section_add(report=report, user=world.lead, heading="Our year in brief")
    services.block_add_text(section=own, user=world.lead, text="## What changed\n\nThe **directory** was updated.")
    sub = services.section_add(report=report, user=world.lead, heading="Collocation", parent=own)
    services.block_add_text(section=sub, user=world.lead, text="Staff sit in:\n\n- hospitals\n- courts")
    services.section_delete(section=sections[4], user=world.lead)  # Training, events and meetings

    html = builder.build(report, draft=True, with_pdf=False).html
    shown = headings(html)[1:]
    assert shown[0].startswith("1. Progress against the strategy") and shown[1] == "2. 1. Introduction, our way"
    assert shown[-1] == "10. Our year in brief" and not any("Training, events" in h for h in shown)
    own_part = html.split(">10. Our year in brief</h2>")[1]
    assert '<h3 class="govuk-heading-m">What changed</h3>' in own_part
    assert '<h3 class="govuk-heading-m" id="collocation">Collocation</h3>' in own_part
    assert "<li>courts</li>" in own_part and "<strong>directory</strong>" in own_part
    contents = html.split('id="contents-heading"')[1].split("</nav>")[0]
    assert contents.index("Progress against") < contents.index("our way") < contents.index("Our year in brief")


def test_data_blocks_are_drawn_from_the_records_when_the_report_is_built(world, report):
    fill_year(world, size=1)
    own = services.section_add(report=report, user=world.lead, heading="Figures in brief")
    services.block_add_data(section=own, user=world.lead, data_key="rag-table")
    services.block_add_data(section=own, user=world.lead, data_key="marac")
    before = builder.build(report, draft=True, with_pdf=False).html.split(">11. Figures in brief</h2>")[1]
    assert "RAG ratings of the actions by strategic priority, 2015-16" in before
    assert "MARAC cases by borough against the benchmark" in before
    assert 'id="block-' in before  # the figure placed again has its own id: no duplicate ids in the page

    RagRating.objects.filter(action__strategy__partnership=world.partnership).delete()
    after = builder.build(report, draft=True, with_pdf=False).html.split(">11. Figures in brief</h2>")[1]
    table = after.split("RAG ratings of the actions by strategic priority, 2015-16</caption>")[1].split("</table>")[0]
    assert "Not rated" in table and "0 (0%)" in table  # the block shows the records as they are now
    assert before != after


def test_a_standard_section_is_placed_once_and_unknown_blocks_are_refused(world, report):
    own = services.section_add(report=report, user=world.lead, heading="Again")
    with pytest.raises(services.ReportError):
        services.block_add_data(section=own, user=world.lead, data_key="standard:progress")
    with pytest.raises(services.ReportError):
        services.block_add_data(section=own, user=world.lead, data_key="question:999999")
    assert not own.blocks.exists()


def test_a_sub_section_is_one_level_down_only(world, report):
    top = report.sections.first()
    sub = services.section_add(report=report, user=world.lead, heading="Below", parent=top)
    with pytest.raises(services.ReportError):
        services.section_add(report=report, user=world.lead, heading="Deeper", parent=sub)


def test_a_drafted_sentence_is_flagged_when_its_figures_change(world, report):
    fill_year(world, size=1)
    section = report.sections.get(heading="Progress against the strategy in 2015-16")
    headline = next(d for d in drafts.drafts_for(report) if d.key == "rag-headline")
    assert re.match(r"In 2015-16, \d+ of \d+ actions \(\d+%\) were rated", headline.text)
    block = services.block_add_draft(section=section, user=world.lead, draft_key="rag-headline")
    services.block_save_text(block=block, user=world.lead, text=block.text + " A good year.", expected_version=1)
    assert drafts.flags(report) == {}

    rating = RagRating.objects.filter(action__strategy__partnership=world.partnership, rating="green").first()
    rating.rating = "red"
    rating.save()
    flag = drafts.flags(report)[block.pk]
    assert flag.draft is not None and flag.draft.text != headline.text

    block.refresh_from_db()
    services.block_resolve_draft(block=block, user=world.lead, use_new=False, expected_version=block.version)
    block.refresh_from_db()
    assert block.text.endswith("A good year.") and drafts.flags(report) == {}  # kept, and marked as checked


def test_the_lead_uses_the_new_sentence(world, report):
    fill_year(world, size=1)
    section = report.sections.first()
    block = services.block_add_draft(section=section, user=world.lead, draft_key="rag-headline")
    RagRating.objects.filter(action__strategy__partnership=world.partnership).update(rating="amber")
    block.refresh_from_db()
    services.block_resolve_draft(block=block, user=world.lead, use_new=True, expected_version=block.version)
    block.refresh_from_db()
    assert "Amber" in block.text and drafts.flags(report) == {}


def test_forward_plan_items_are_printed_under_their_priority_and_across_the_strategy(world, report):
    fill_year(world, size=1)
    from actions import selectors as plan

    priority = plan.strategy_for_year(world.partnership, 2015).priorities.order_by("number").first()
    services.forward_item_add(report=report, user=world.lead, text="Refresh the services directory.", priority=priority)
    services.forward_item_add(report=report, user=world.lead, text="Invite a GP lead to the board.")
    html = builder.build(report, draft=True, with_pdf=False).html
    forward = html.split('id="forward-plan"')[1].split("</section>")[0]
    assert forward.count("Refresh the services directory.") == 1
    assert forward.index(f"{priority.number}. {priority.title}") < forward.index("Refresh the services directory.")
    assert forward.index("Across the strategy") < forward.index("Invite a GP lead to the board.")


def test_a_priority_of_another_strategy_is_refused(world, report):
    from tests.actions.factories import build_plan

    other = build_plan(world.other_partnership, [], actions=1, quarters=())
    with pytest.raises(services.ReportError):
        services.forward_item_add(report=report, user=world.lead, text="Not ours.", priority=other.priorities.first())
    assert not report.forward_items.exists()


@pytest.mark.parametrize("extra", [0, 6])
def test_more_sections_and_blocks_take_no_more_queries(world, report, extra, django_assert_num_queries):
    for n in range(extra):
        section = services.section_add(report=report, user=world.lead, heading=f"Own section {n}")
        services.block_add_text(section=section, user=world.lead, text=f"Text {n}")
        sub = services.section_add(report=report, user=world.lead, heading=f"Sub-section {n}", parent=section)
        services.block_add_text(section=sub, user=world.lead, text=f"More {n}")
    with django_assert_num_queries(31):
        builder.render_html(builder.collect(report, draft=True), for_pdf=False)


def test_an_old_report_without_sections_is_laid_out_as_a_new_one_and_nothing_is_written(world):
    report = AnnualReport.objects.create(partnership=world.partnership, year=2016)
    html = builder.build(report, draft=True, with_pdf=False).html
    assert "1. Introduction" in html and "Forward plan 2017-18" in html
    assert not ReportSection.objects.filter(report=report).exists() and not ReportBlock.objects.exists()


def test_figures_are_numbered_in_reading_order_and_only_shown_ones_are_drawn(world, report):
    fill_year(world, size=1)
    sections = list(report.sections.order_by("position"))
    progress = sections[2]
    services.section_move(section=progress, user=world.lead, direction="up")
    services.section_move(section=progress, user=world.lead, direction="up")  # before the introduction
    services.section_delete(section=next(s for s in sections if s.heading == "Service activity"), user=world.lead)
    context = builder.collect(report, draft=False)
    titles = [figure.spec.title for figure in context.figures]
    assert titles[0].startswith("RAG ratings by strategic priority")  # the progress section comes first now
    assert titles[1] == "Governance structure of the partnership"
    assert not any("MARAC" in title or title.startswith("Referrals") for title in titles)  # not shown, not drawn
    assert [figure.number for figure in context.figures] == list(range(1, len(titles) + 1))
    html = builder.render_html(context, for_pdf=False)
    assert html.index("Figure 1: RAG ratings") < html.index("Figure 2: Governance structure")
