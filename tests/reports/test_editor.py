"""The report editor's pages: the lead adds, renames, orders and deletes sections and sub-sections, fills them with
narrative, drafted sentences and data blocks, answers a flagged sentence, and adds the forward plan's own items.
Every change goes through reports.services and is audited; bad input changes nothing."""

import pytest
from django.urls import reverse

from actions.models import RagRating
from audit.models import AuditEvent
from reports import services
from reports.models import AnnualReport, ForwardPlanItem, ReportBlock, ReportSection
from tests.actions.factories import PriorityFactory, StrategyFactory
from tests.referrals.factories import ensure_standard_rows
from tests.reports.data import fill_year


@pytest.fixture
def report(world):
    ensure_standard_rows()
    fill_year(world, size=1)
    return AnnualReport.objects.create(partnership=world.partnership, year=2015, prepared_by="the lead")


@pytest.fixture
def lead(client, world):
    client.force_login(world.lead)
    return client


def url(report, name, *args):
    return reverse(f"reports:{name}", args=[report.partnership.slug, report.year, *args])


def section(report, heading="Introduction", parent=None):
    return services.section_add(report=report, user=None, heading=heading, parent=parent)


def headings(report, parent=None):
    return list(report.sections.filter(parent=parent).order_by("position").values_list("heading", flat=True))


def audited(model: str, action: str, object_id) -> bool:
    return AuditEvent.objects.filter(object_type=f"reports.{model}", action=action, object_id=str(object_id)).exists()


# --- Sections -----------------------------------------------------------------------------------------------------


def test_a_report_without_sections_offers_the_standard_ones(lead, report):
    response = lead.get(url(report, "sections"))
    assert response.status_code == 200
    assert b"Start editing the sections" in response.content
    assert b"Gaps and areas of concern" in response.content
    assert not report.sections.exists()

    response = lead.post(url(report, "sections"), {"start": "1"})
    assert response.status_code == 302
    assert headings(report)[0] == "Foreword"
    assert ReportBlock.objects.filter(section__report=report, data_key="standard:gaps").count() == 1
    assert b"Start editing the sections" not in lead.get(url(report, "sections")).content


def test_the_detail_page_links_to_the_editor(lead, report):
    response = lead.get(reverse("reports:detail", args=[report.partnership.slug, report.year]))
    assert b"Edit the sections and their narrative" in response.content
    assert url(report, "sections").encode() in response.content
    assert url(report, "forward_items").encode() in response.content


def test_a_section_is_added_at_the_end(lead, report, world):
    section(report, "Introduction")
    response = lead.post(url(report, "sections"), {"heading": "  Resources,   capacity  "})
    assert response.status_code == 302
    assert headings(report) == ["Introduction", "Resources, capacity"]
    added = report.sections.get(heading="Resources, capacity")
    assert added.updated_by == world.lead
    assert audited("ReportSection", "create", added.pk)


def test_an_empty_heading_is_refused_and_changes_nothing(lead, report):
    section(report, "Introduction")
    response = lead.post(url(report, "sections"), {"heading": "   "})
    assert response.status_code == 200
    assert response.content.decode().count("govuk-error-summary") >= 1
    assert "<title>Error: Sections" in response.content.decode()
    assert "Enter a heading." in response.content.decode()
    assert headings(report) == ["Introduction"]


def test_the_sections_page_lists_sections_with_what_they_hold(lead, report):
    intro = section(report, "Introduction")
    services.block_add_text(section=intro, user=None, text="One.")
    services.block_add_text(section=intro, user=None, text="Two.")
    services.block_add_data(section=intro, user=None, data_key="rag-table")
    section(report, "Collocation", parent=intro)
    section(report, "Resources")
    page = lead.get(url(report, "sections")).content.decode()
    assert "2 narrative, 1 data block, 1 sub-section" in page
    assert "1.1 Collocation" in page and "Sub-section: Nothing yet" in page
    # The first section moves only down, the last only up; a lone sub-section not at all.
    assert page.count("Move up<") == 1 and page.count("Move down<") == 1
    assert 'Move down<span class="govuk-visually-hidden"> 1 Introduction' in page
    # An empty section is not printed, so it has no number (the report's numbering closes up), and says so.
    assert 'Move up<span class="govuk-visually-hidden"> Resources' in page
    assert "Nothing yet: not printed while it has nothing to show" in page
    assert url(report, "section", intro.pk) in page


def test_a_section_is_renamed(lead, report, world):
    intro = section(report)
    response = lead.post(url(report, "section", intro.pk), {"heading": "Our year", "version": intro.version})
    assert response.status_code == 302
    intro.refresh_from_db()
    assert intro.heading == "Our year" and intro.version == 2 and intro.updated_by == world.lead
    assert audited("ReportSection", "update", intro.pk)


def test_a_stale_rename_is_a_conflict_and_changes_nothing(lead, report):
    intro = section(report)
    services.section_rename(section=intro, user=None, heading="Someone else's", expected_version=1)
    response = lead.post(url(report, "section", intro.pk), {"heading": "Mine", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your changes were not saved" in page and "Someone else&#x27;s" in page
    assert "<title>Error: " in page
    intro.refresh_from_db()
    assert intro.heading == "Someone else's" and intro.version == 2


def test_sections_move_up_and_down(lead, report):
    first, second, third = section(report, "One"), section(report, "Two"), section(report, "Three")
    assert lead.post(url(report, "section_move", third.pk), {"direction": "up"}).status_code == 302
    assert headings(report) == ["One", "Three", "Two"]
    lead.post(url(report, "section_move", first.pk), {"direction": "down"})
    assert headings(report) == ["Three", "One", "Two"]
    lead.post(url(report, "section_move", first.pk), {"direction": "sideways"})
    assert headings(report) == ["Three", "One", "Two"]
    assert second.pk


def test_a_section_is_deleted_after_asking(lead, report):
    intro = section(report)
    child = section(report, "Collocation", parent=intro)
    block = services.block_add_text(section=child, user=None, text="Words.")
    response = lead.get(url(report, "section_delete", intro.pk))
    assert response.status_code == 200
    assert b"1 sub-section with their blocks" in response.content
    assert ReportSection.objects.filter(pk=intro.pk).exists()
    response = lead.post(url(report, "section_delete", intro.pk))
    assert response.status_code == 302 and response["Location"] == url(report, "sections")
    assert not ReportSection.objects.filter(pk__in=[intro.pk, child.pk]).exists()
    assert not ReportBlock.objects.filter(pk=block.pk).exists()
    assert audited("ReportSection", "delete", intro.pk) and audited("ReportBlock", "delete", block.pk)


# --- Sub-sections -----------------------------------------------------------------------------------------------


def test_a_sub_section_is_added_moved_and_deleted_from_its_section(lead, report):
    parent = section(report, "Progress")
    response = lead.post(url(report, "section", parent.pk), {"form": "subsection", "sub-heading": "MARACs"})
    assert response.status_code == 302
    lead.post(url(report, "section", parent.pk), {"form": "subsection", "sub-heading": "Collocation"})
    assert headings(report, parent) == ["MARACs", "Collocation"]
    collocation = report.sections.get(heading="Collocation")
    response = lead.post(url(report, "section_move", collocation.pk), {"direction": "up"})
    assert response["Location"] == url(report, "section", parent.pk) + "#subsections"
    assert headings(report, parent) == ["Collocation", "MARACs"]
    response = lead.post(url(report, "section_delete", collocation.pk))
    assert response["Location"] == url(report, "section", parent.pk) + "#subsections"
    assert headings(report, parent) == ["MARACs"]
    page = lead.get(url(report, "section", parent.pk)).content.decode()
    assert "Sub-sections of Progress" in page and "1.1 MARACs" in page


def test_a_sub_section_has_no_sub_sections(lead, report):
    parent = section(report, "Progress")
    child = section(report, "MARACs", parent=parent)
    page = lead.get(url(report, "section", child.pk)).content.decode()
    assert "Add the sub-section" not in page
    assert "sub-section 1.1 of Progress" in page
    response = lead.post(url(report, "section", child.pk), {"form": "subsection", "sub-heading": "Deeper"})
    assert response.status_code == 200
    assert "one level down only" in response.content.decode()
    assert not report.sections.filter(heading="Deeper").exists()


def test_an_empty_sub_section_heading_is_refused(lead, report):
    parent = section(report, "Progress")
    response = lead.post(url(report, "section", parent.pk), {"form": "subsection", "sub-heading": ""})
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert not parent.subsections.exists()


# --- Blocks -----------------------------------------------------------------------------------------------------


def test_narrative_is_added_and_shown_as_the_report_shows_it(lead, report, world):
    intro = section(report)
    text = "## Collocation\n\nWe **moved** in together.\n\n- one\n- two\n\n<script>alert(1)</script>"
    response = lead.post(url(report, "section", intro.pk), {"form": "text", "new-text": text})
    block = intro.blocks.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#block-{block.pk}")
    assert block.kind == "text" and block.updated_by == world.lead
    assert audited("ReportBlock", "create", block.pk)
    page = lead.get(url(report, "section", intro.pk)).content.decode()
    assert '<h4 class="govuk-heading-s">Collocation</h4>' in page
    assert "<strong>moved</strong>" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "[link text](https://...)" in page  # the hint lists the Markdown subset


def test_empty_narrative_is_refused(lead, report):
    intro = section(report)
    response = lead.post(url(report, "section", intro.pk), {"form": "text", "new-text": "  "})
    assert response.status_code == 200
    assert "Enter the text of the block." in response.content.decode()
    assert not intro.blocks.exists()


def test_a_drafted_sentence_is_inserted_as_narrative(lead, report):
    intro = section(report)
    page = lead.get(url(report, "section", intro.pk)).content.decode()
    assert "Progress against the strategy" in page and 'value="rag-headline"' in page
    response = lead.post(url(report, "section", intro.pk), {"form": "draft", "draft_key": "rag-headline"})
    assert response.status_code == 302
    block = intro.blocks.get()
    assert block.draft_key == "rag-headline" and block.text.startswith("In 2015-16, ")
    assert block.draft_figures


def test_a_sentence_no_longer_offered_is_refused(lead, report):
    intro = section(report)
    response = lead.post(url(report, "section", intro.pk), {"form": "draft", "draft_key": "marac-volume:Nowhere"})
    assert response.status_code == 200
    assert "no longer offered" in response.content.decode()
    assert "<title>Error: " in response.content.decode()
    assert not intro.blocks.exists()


def test_a_data_block_is_added_from_the_catalogue(lead, report):
    intro = section(report)
    page = lead.get(url(report, "section", intro.pk)).content.decode()
    assert '<optgroup label="Figures">' in page
    response = lead.post(url(report, "section", intro.pk), {"form": "data", "data_key": "marac"})
    assert response.status_code == 302
    block = intro.blocks.get()
    assert block.kind == "data" and block.data_key == "marac"
    page = lead.get(url(report, "section", intro.pk)).content.decode()
    assert "MARAC cases by borough against the benchmark: chart and table" in page


def test_an_unknown_data_block_is_refused(lead, report):
    intro = section(report)
    for key in ("", "nonsense", "question:999999"):
        response = lead.post(url(report, "section", intro.pk), {"form": "data", "data_key": key})
        assert response.status_code == 200
        assert "Choose a data block from the list." in response.content.decode()
    assert not intro.blocks.exists()


def test_a_standard_section_is_placed_once(lead, report):
    intro = section(report)
    services.block_add_data(section=intro, user=None, data_key="standard:gaps")
    other = section(report, "Other")
    response = lead.post(url(report, "section", other.pk), {"form": "data", "data_key": "standard:gaps"})
    assert response.status_code == 200
    assert "already in the report" in response.content.decode()
    assert not other.blocks.exists()


def test_narrative_is_edited_and_returns_to_the_block(lead, report, world):
    intro = section(report)
    block = services.block_add_text(section=intro, user=None, text="First words.")
    assert lead.get(url(report, "block", block.pk)).status_code == 200
    response = lead.post(url(report, "block", block.pk), {"text": "Better words.", "version": 1})
    assert response.status_code == 302
    assert response["Location"] == url(report, "section", intro.pk) + f"#block-{block.pk}"
    block.refresh_from_db()
    assert block.text == "Better words." and block.version == 2 and block.updated_by == world.lead
    assert audited("ReportBlock", "update", block.pk)


def test_a_stale_narrative_save_is_a_conflict(lead, report):
    intro = section(report)
    block = services.block_add_text(section=intro, user=None, text="First words.")
    services.block_save_text(block=block, user=None, text="Their words.", expected_version=1)
    response = lead.post(url(report, "block", block.pk), {"text": "My words.", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your changes were not saved" in page and "Their words." in page and "My words." in page
    block.refresh_from_db()
    assert block.text == "Their words."


def test_empty_narrative_edit_is_refused(lead, report):
    intro = section(report)
    block = services.block_add_text(section=intro, user=None, text="First words.")
    response = lead.post(url(report, "block", block.pk), {"text": "", "version": 1})
    assert response.status_code == 200
    assert "<title>Error: Edit narrative" in response.content.decode()
    block.refresh_from_db()
    assert block.text == "First words." and block.version == 1


def test_a_data_block_has_no_text_to_edit(lead, report):
    intro = section(report)
    block = services.block_add_data(section=intro, user=None, data_key="marac")
    assert lead.get(url(report, "block", block.pk)).status_code == 404


def test_blocks_move_and_are_deleted_after_asking(lead, report):
    intro = section(report)
    one = services.block_add_text(section=intro, user=None, text="One.")
    two = services.block_add_text(section=intro, user=None, text="Two.")
    response = lead.post(url(report, "block_move", two.pk), {"direction": "up"})
    assert response["Location"].endswith(f"#block-{two.pk}")
    assert list(intro.blocks.order_by("position").values_list("text", flat=True)) == ["Two.", "One."]
    response = lead.get(url(report, "block_delete", one.pk))
    assert response.status_code == 200 and b"One." in response.content
    assert ReportBlock.objects.filter(pk=one.pk).exists()
    response = lead.post(url(report, "block_delete", one.pk))
    assert response.status_code == 302
    assert list(intro.blocks.values_list("text", flat=True)) == ["Two."]
    assert audited("ReportBlock", "delete", one.pk)


# --- A flagged sentence ---------------------------------------------------------------------------------------


def _change_a_rating(world):
    rating = RagRating.objects.filter(action__strategy__partnership=world.partnership, rating="red").first()
    rating.rating = "green"
    rating.save()


@pytest.fixture
def flagged(lead, report, world):
    intro = section(report)
    lead.post(url(report, "section", intro.pk), {"form": "draft", "draft_key": "rag-headline"})
    block = intro.blocks.get()
    block_text = block.text
    page = lead.get(url(report, "section", intro.pk)).content.decode()
    assert "govuk-warning-text" not in page
    _change_a_rating(world)
    return intro, block, block_text


def test_a_sentence_whose_figures_changed_is_flagged_in_the_editor_and_on_the_publish_page(lead, report, flagged):
    intro, block, _ = flagged
    page = lead.get(url(report, "section", intro.pk)).content.decode()
    assert "The figures behind this sentence have changed since it was written" in page
    assert "Use the new sentence" in page and "Keep my words" in page
    assert "Today's figures give" in page
    assert "1 flagged sentence" in lead.get(url(report, "sections")).content.decode()
    publish = lead.get(url(report, "publish")).content.decode()
    assert "govuk-warning-text" in publish and "you can still publish" in publish
    assert f"{url(report, 'section', intro.pk)}#block-{block.pk}" in publish


def test_the_new_sentence_replaces_the_old(lead, report, flagged):
    intro, block, old_text = flagged
    response = lead.post(url(report, "block_draft", block.pk), {"version": block.version, "use": "new"})
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.text != old_text and block.text.startswith("In 2015-16, ")
    assert "govuk-warning-text" not in lead.get(url(report, "section", intro.pk)).content.decode()
    assert "govuk-warning-text" not in lead.get(url(report, "publish")).content.decode().split("<form")[0]


def test_keeping_my_words_clears_the_flag(lead, report, flagged):
    intro, block, old_text = flagged
    lead.post(url(report, "block", block.pk), {"text": "My own words.", "version": 1})
    response = lead.post(url(report, "block_draft", block.pk), {"version": 2, "use": "keep"})
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.text == "My own words." and block.version == 3
    assert "The figures behind this sentence" not in lead.get(url(report, "section", intro.pk)).content.decode()
    assert audited("ReportBlock", "update", block.pk)


def test_a_stale_answer_to_a_flag_is_a_conflict(lead, report, flagged):
    intro, block, old_text = flagged
    services.block_save_text(block=block, user=None, text="Their words.", expected_version=1)
    response = lead.post(url(report, "block_draft", block.pk), {"version": 1, "use": "new"})
    assert response.status_code == 409
    block.refresh_from_db()
    assert block.text == "Their words."


# --- Forward plan items ----------------------------------------------------------------------------------------


def test_forward_items_are_added_edited_and_deleted(lead, report, world):
    priority = report_priority(report)
    response = lead.get(url(report, "forward_items"))
    assert response.status_code == 200 and b"Across the strategy" in response.content
    assert b"said once, with every group that owns it" in response.content
    response = lead.post(url(report, "forward_items"), {"priority": priority.pk, "text": "Review refuge places."})
    assert response.status_code == 302
    item = report.forward_items.get()
    assert item.priority == priority and item.updated_by == world.lead
    assert audited("ForwardPlanItem", "create", item.pk)
    page = lead.get(url(report, "forward_items")).content.decode()
    assert f"Priority {priority.number}: {priority.title}" in page and "Review refuge places." in page

    response = lead.post(
        url(report, "forward_item", item.pk), {"priority": "", "text": "A board decision.", "version": 1}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.priority is None and item.text == "A board decision." and item.version == 2

    response = lead.post(url(report, "forward_item", item.pk), {"priority": "", "text": "Mine.", "version": 1})
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.text == "A board decision."

    assert lead.get(url(report, "forward_item_delete", item.pk)).status_code == 200
    assert lead.post(url(report, "forward_item_delete", item.pk)).status_code == 302
    assert not ForwardPlanItem.objects.filter(pk=item.pk).exists()
    assert audited("ForwardPlanItem", "delete", item.pk)


def report_priority(report):
    from actions import selectors as plan

    return plan.strategy_for_year(report.partnership, report.year).priorities.order_by("number").first()


def test_a_priority_of_another_strategy_is_refused(lead, report, world):
    other = PriorityFactory(strategy=StrategyFactory(partnership=world.partnership, first_year=2030, last_year=2032))
    response = lead.post(url(report, "forward_items"), {"priority": other.pk, "text": "Elsewhere."})
    assert response.status_code == 200
    assert "Choose a priority of the strategy the report covers." in response.content.decode()
    assert "<title>Error: Forward plan items" in response.content.decode()
    assert not report.forward_items.exists()
    item = services.forward_item_add(report=report, user=None, text="Mine.")
    response = lead.post(url(report, "forward_item", item.pk), {"priority": other.pk, "text": "Moved.", "version": 1})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.priority is None and item.text == "Mine."


def test_an_empty_forward_item_is_refused(lead, report):
    response = lead.post(url(report, "forward_items"), {"priority": "", "text": " "})
    assert response.status_code == 200 and b"Enter the item." in response.content
    assert not report.forward_items.exists()


# --- Isolation and roles ---------------------------------------------------------------------------------------


def test_another_partnerships_sections_blocks_and_items_are_not_found(lead, report, world):
    theirs = AnnualReport.objects.create(partnership=world.other_partnership, year=2015)
    their_section = section(theirs, "Theirs")
    their_block = services.block_add_text(section=their_section, user=None, text="Their words.")
    their_item = services.forward_item_add(report=theirs, user=None, text="Their item.")
    for name, pk in (
        ("section", their_section.pk),
        ("section_delete", their_section.pk),
        ("block", their_block.pk),
        ("block_delete", their_block.pk),
        ("forward_item", their_item.pk),
        ("forward_item_delete", their_item.pk),
    ):
        assert lead.get(url(report, name, pk)).status_code == 404, name
    for name, pk, data in (
        ("section_move", their_section.pk, {"direction": "up"}),
        ("section_delete", their_section.pk, {}),
        ("block_move", their_block.pk, {"direction": "up"}),
        ("block_delete", their_block.pk, {}),
        ("block_draft", their_block.pk, {"version": 1, "use": "keep"}),
        ("forward_item_delete", their_item.pk, {}),
    ):
        assert lead.post(url(report, name, pk), data).status_code == 404, name
    assert ReportSection.objects.filter(pk=their_section.pk).exists()
    assert ReportBlock.objects.filter(pk=their_block.pk).exists()
    assert ForwardPlanItem.objects.filter(pk=their_item.pk).exists()


def test_a_coordinator_cannot_edit_the_sections(client, report, world):
    intro = section(report)
    client.force_login(world.coordinator)
    assert client.get(url(report, "section", intro.pk)).status_code == 403
    assert client.post(url(report, "section_delete", intro.pk)).status_code == 403
    assert ReportSection.objects.filter(pk=intro.pk).exists()


# --- Query counts ---------------------------------------------------------------------------------------------


def _fill_sections(report, count):
    for n in range(count):
        top = section(report, f"Section {n}")
        sub = section(report, f"Sub-section {n}", parent=top)
        for target in (top, sub):
            services.block_add_text(section=target, user=None, text=f"Words {n}.")
            services.block_add_draft(section=target, user=None, draft_key="rag-headline")
            services.block_add_data(section=target, user=None, data_key="rag-table")


SECTIONS_PAGE_QUERIES = 23
SECTION_EDITOR_QUERIES = 28


@pytest.mark.parametrize("count", [1, 6])
def test_the_sections_page_query_count_does_not_grow(lead, report, world, count, django_assert_num_queries):
    _fill_sections(report, count)
    _change_a_rating(world)  # every drafted sentence is flagged: the flags are read once
    with django_assert_num_queries(SECTIONS_PAGE_QUERIES):
        response = lead.get(url(report, "sections"))
    assert response.status_code == 200
    # Each section and each sub-section holds one drafted sentence, now flagged.
    assert response.content.decode().count("2 narrative, 1 data block, 1 sub-section, 1 flagged sentence") == count


@pytest.mark.parametrize("count", [1, 6])
def test_the_section_editor_query_count_does_not_grow(lead, report, world, count, django_assert_num_queries):
    _fill_sections(report, count)
    top = report.sections.get(heading="Section 0")
    for n in range(count * 3):
        services.block_add_text(section=top, user=None, text=f"More words {n}.")
        services.block_add_draft(section=top, user=None, draft_key="rag-headline")
    _change_a_rating(world)
    with django_assert_num_queries(SECTION_EDITOR_QUERIES):
        response = lead.get(url(report, "section", top.pk))
    assert response.status_code == 200
    assert response.content.decode().count("Keep my words") == 1 + count * 3
