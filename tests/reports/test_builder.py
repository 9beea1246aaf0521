"""The builder: every section from the other apps' data, placeholders for empty ones, suppression, safe text."""

import re

import pytest

from reports import builder
from reports.models import AnnualReport
from tests.reports.data import fill_year
from tests.reports.pdf import pdf_text


@pytest.fixture
def report(world):
    return AnnualReport.objects.create(partnership=world.partnership, year=2015)


def test_a_year_with_no_data_still_builds_and_says_so(world, report):
    built = builder.build(report, draft=True)
    html = built.html
    for placeholder in [
        "No strategy is recorded for 2015-16.",
        "No action plan is recorded for 2015-16: no data recorded.",
        "No referrals are recorded for 2015-16.",
        "No MARAC returns are recorded for 2015-16.",
        "No criminal justice outcomes are recorded for 2015-16.",
        "No outcome indicators are recorded for 2015-16.",
        "No consultation results are recorded for 2015-16.",
        "No next steps are recorded for 2015-16.",
        "No recommendations are recorded.",
        "No contact details are recorded.",
    ]:
        assert placeholder in html, placeholder
    text = " ".join(pdf_text(built.pdf.content))
    assert "no data recorded" in text
    assert built.pdf.page_count >= 8  # cover, contents and one page per section


def test_every_section_is_built_from_the_other_apps(world, report):
    fill_year(world, size=2)
    html = builder.build(report, draft=False, with_pdf=False).html
    assert "RAG ratings of the actions by strategic priority, 2015-16" in html
    assert "Achievements by priority" in html and "Progress on 1.1" in html
    assert "Referrals to services by abuse type and borough, 2015-16" in html
    assert "MARAC cases by borough against the benchmark, 2015-16" in html
    assert "criminal justice outcomes by borough" in html
    assert "Outcome indicators, 2015-16" in html
    assert "Approved quote 0.0" in html and "Approved quote 1.1" in html
    assert "Draft quote never shown" not in html  # only approved quotes with consent
    assert "The Council consider further opportunities." in html  # recommendations
    assert "Appendix: the action plan 2015-16" in html
    assert (
        html.count('class="govuk-table__header appendix-table__ref"') == 12 + 3
    )  # 12 actions + the heading cell of each of the 3 priorities


def test_charts_are_svg_images_with_text_kept_as_text_each_followed_by_a_table(world, report):
    fill_year(world, size=1)
    context = builder.collect(report, draft=False)
    assert len(context.figures) >= 4
    for figure in context.figures:
        assert figure.chart.svg.startswith("<svg") and "<text" in figure.chart.svg
        assert figure.chart.alt
    html = builder.render_html(context, for_pdf=False)
    assert html.count('src="data:image/svg+xml;base64,') == len(context.figures)
    # a data table (in the table component's scrolling region), or the governance list, follows
    for match in re.finditer(r'</figure>\s*(<\w+(?: class="app-table-region")?)', html):
        assert match.group(1) in ('<div class="app-table-region"', "<p", "<ul")


def test_the_governance_diagram_is_drawn_from_the_groups(world, report):
    context = builder.collect(report, draft=False)
    svg = context.governance["figure"].chart.svg
    for abbreviation in ("BOARD", "CHOG", "HOG"):
        assert f">{abbreviation}</text>" in svg
    html = builder.render_html(context, for_pdf=False)
    assert "Children and Health Operational Group (CHOG)" in html


def test_small_numbers_are_suppressed_with_a_note(world, report):
    fill_year(world, size=1)
    html = builder.build(report, draft=False, with_pdf=False).html
    # 3 sexual violence referrals in the only borough: "<5", and the row total (also 3) with it.
    row = re.search(r"Sexual violence</th>(.*?)</tr>", html, re.S).group(1)
    assert "&lt;5" in row and ">3<" not in row
    assert "About the figures" in html and 'shown as "&lt;5"' in html
    assert "No figure in this report needed hiding." not in html


def test_the_suppression_note_says_when_nothing_was_hidden(world, report):
    assert "No figure in this report needed hiding." in builder.build(report, draft=False, with_pdf=False).html


def test_a_partnerships_threshold_is_used(world, report):
    world.partnership.suppression_threshold = 25
    world.partnership.save()
    fill_year(world, size=1)
    html = builder.build(report, draft=False, with_pdf=False).html
    assert "&lt;25" in html


NASTY = (
    '<script>alert("x")</script> <style>body{display:none}</style>\n\n'
    '<img src="http://example.org/track.png"> <link rel="attachment" href="file:///etc/passwd">\n\n'
    "- url(file:///etc/hostname) and https://example.org/"
)


def test_narrative_with_html_css_and_addresses_is_shown_as_text_and_fetches_nothing(world, report):
    for name in ("foreword", "introduction", "methodology", "contact_details"):
        setattr(report, name, NASTY)
    report.prepared_by = "<b>bold</b>"
    report.save()
    built = builder.build(report, draft=True)
    assert "<script>" not in built.html and "<style>body" not in built.html and "<b>bold" not in built.html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in built.html
    assert built.pdf.refused == []
    assert b"/EmbeddedFile" not in built.pdf.content
    text = " ".join(pdf_text(built.pdf.content))
    assert '<link rel="attachment" href="file:///etc/passwd">' in text
    assert "Prepared by <b>bold</b>" in text


def test_drafts_carry_the_watermark_and_published_editions_do_not(world, report):
    draft = builder.render_html(builder.collect(report, draft=True), for_pdf=True)
    final = builder.render_html(builder.collect(report, draft=False), for_pdf=True)
    assert "report-draft.css" in draft and "DRAFT" in draft
    assert "report-draft.css" not in final and "DRAFT" not in final


def test_the_web_page_uses_the_service_styles_and_the_pdf_only_its_print_styles(world, report):
    context = builder.collect(report, draft=False)
    page = builder.render_html(context, for_pdf=False)
    paper = builder.render_html(context, for_pdf=True)
    assert "/static/css/app.css" in page and "report-screen.css" in page and "report-print.css" not in page
    assert "report-print.css" in paper and "app.css" not in paper
    assert '<html lang="en-GB"' in page and '<html lang="en-GB"' in paper
    assert "<script" not in page and "style=" not in page  # the content security policy allows neither


@pytest.mark.parametrize("size", [1, 3])
def test_collecting_takes_the_same_number_of_queries_whatever_the_size(world, report, size, django_assert_num_queries):
    fill_year(world, size=size)
    with django_assert_num_queries(QUERIES):
        context = builder.collect(report, draft=False)
        builder.render_html(context, for_pdf=True)


# Boroughs and governance 4; the action plan's selectors 21; the case review register 3; service figures 9;
# consultations 8; training, events, attendance and contracts 9; the sections and their blocks 1 (with none stored;
# 2 with sections) and the forward plan's own items 1; the figures' drawings 2 (which are stored; storing the new
# ones). Each selector reads a fixed number of queries, so the total is the same for one action or a thousand.
QUERIES = 58


def test_a_ranking_question_is_reported_with_its_first_places(world, report):
    from datetime import date

    from consultations.models import Question
    from tests.consultations.factories import ConsultationFactory, make_question, set_counts

    consultation = ConsultationFactory(partnership=world.partnership, period_end=date(2016, 1, 31), respondents=40)
    question = make_question(consultation, kind=Question.Kind.RANKING, options=["Refuge", "IDVA", "Helpline"])
    set_counts(question, {(None, "Refuge", 1): 20, (None, "IDVA", 1): 12, (None, "Helpline", 1): 8})
    context = builder.collect(report, draft=False)
    [block] = context.feedback["consultations"][0].questions
    assert [row[0] for row in block.table.rows][:1] == ["Refuge"] and block.table.rows[0][-1] == "50% (20)"


def test_the_report_carries_training_events_attendance_and_the_contracts_ending(world, report):
    import datetime

    from activity.models import Attendance, Strand
    from tests.activity.factories import (
        AgencyFactory,
        AttendanceFactory,
        ContractFactory,
        EventFactory,
        MeetingFactory,
        TrainingSessionFactory,
    )

    p = world.partnership
    health = AgencyFactory(partnership=p, name="Imperial College Healthcare")
    TrainingSessionFactory(partnership=p, agency=health, strand=Strand.DOMESTIC_ABUSE, number_trained=350)
    TrainingSessionFactory(partnership=p, agency=None, strand=Strand.HARMFUL_PRACTICES, number_trained=125)
    TrainingSessionFactory(partnership=p, year=2016, agency=health, number_trained=4321)
    EventFactory(partnership=p, title="Delivering Innovation Together", kind="conference", reach=70)
    meeting = MeetingFactory(partnership=p, group=world.group, date=datetime.date(2015, 6, 1))
    AttendanceFactory(meeting=meeting, agency=health)
    AttendanceFactory(
        meeting=MeetingFactory(partnership=p, group=world.group, date=datetime.date(2015, 9, 1)),
        agency=health,
        status=Attendance.Status.APOLOGIES,
    )
    ContractFactory(partnership=p, service="VAWG coordination", provider="Standing Together")
    ContractFactory(partnership=p, service="Runs on", end_date=datetime.date(2019, 3, 31))
    ContractFactory(partnership=world.other_partnership, service="Another partnership's contract")

    html = builder.build(report, draft=False, with_pdf=False).html
    assert "Training delivered by VAWG strand, 2015-16" in html
    assert "475 people trained" in html and "4321" not in html
    # The table after its caption (the caption also names the table's scrolling region, before it).
    strand_table = html.split("Training delivered by VAWG strand")[-1].split("</table>")[0]
    assert "Domestic abuse" in strand_table and "350" in strand_table and "125" in strand_table
    assert "Imperial College Healthcare" in html.split("Training delivered by audience agency")[-1]
    assert "Delivering Innovation Together" in html
    attendance = html.split("Attendance at the partnership&#x27;s meetings by agency")[-1].split("</table>")[0]
    assert "Imperial College Healthcare" in attendance and "50%" in attendance
    gaps = html.split('id="gaps"')[1].split('id="feedback"')[0]
    assert "VAWG coordination" in gaps and "Standing Together" in gaps and "31 March 2017" in gaps
    assert "Runs on" not in gaps and "Another partnership" not in html
