"""Done when: the demo partnership's 2015-16 report, read back with pdftotext, carries what seed 003 carries.

Figures are checked against the other apps' own selectors (the report must print what they hold), and the
headline numbers of seed 003 literally.
"""

import re
from html import unescape

import pytest
from django.core.management import call_command

from actions.models import Action
from consultations import selectors as consultation_selectors
from consultations.models import Quote
from partnership.models import Partnership
from referrals import selectors as figures
from reports import services
from reports.models import ReportEdition
from reports.suppression import format_count
from tests.reports.pdf import pdf_info, pdf_text
from vawg.periods import FinancialYear

YEAR = FinancialYear(2015)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    partnership = Partnership.objects.get(slug="tri-borough")
    report = partnership.annual_reports.get(year=2015)
    edition = services.edition_request(report=report, user=None, publish=True)
    assert edition.state == ReportEdition.State.READY, edition.error
    content = edition.pdf.read()
    pages = pdf_text(content)
    return {
        "partnership": partnership,
        "edition": edition,
        "content": content,
        "pages": pages,
        "text": flat(" ".join(pages)),
    }


def test_the_demo_report_carries_what_seed_003_carries(demo):
    text = demo["text"]
    partnership = demo["partnership"]

    # Fig 2: the RAG summary, 24 / 15 / 4 of 43; 56% / 35% / 9%.
    assert "24 of 43 actions (56%) were rated Green" in text
    assert "15 of 43 actions (35%) were rated Amber" in text
    assert "4 of 43 actions (9%) were rated Red" in text
    for cell in ("24 (56%)", "15 (35%)", "4 (9%)"):
        assert cell in text
    assert "VAWG Strategy 2015-18" in text

    # Referrals by borough: the totals the services reported, and the counts by abuse type and borough.
    for total in ("1,259", "507", "836", "1,048", "425", "700"):
        assert total in text
    pivot = figures.referral_pivot(partnership, YEAR)
    for borough_total in pivot.column_totals:
        assert format_count(borough_total) in text

    # MARAC by borough against the benchmark.
    window = figures.marac_for_year(partnership, YEAR)
    marac = text[text.index("MARAC cases by borough against the benchmark") :]
    for borough in window.boroughs:
        assert borough.borough.name in marac
        assert format_count(borough.cases) in marac
    assert "94%" in marac  # LBHF within the national guidelines, as the seed says

    # The justice table: every known figure, and "Not known" where the partnership recorded none.
    justice = figures.justice_table(partnership, YEAR)
    justice_text = text[text.index("Criminal justice outcomes") :]
    for section in justice.sections:
        for row in section.rows:
            if not row.is_rate:
                assert row.label in justice_text
                for cell in row.cells:
                    assert (format_count(cell.value) if cell.value is not None else "Not known") in justice_text
    for seed_figure in ("3,298", "2,023", "3,039", "1,614", "994", "1,462", "817"):
        assert seed_figure in justice_text

    # Survivor feedback: the percentages (with their counts), small ones suppressed, and the approved quotes.
    heading = "What survivors and professionals told us"
    feedback = text[text.index(heading, text.index(heading) + 1) :]  # the section, not the contents line
    for seed_cell in ("19% (13)", "24% (16)", "12% (8)", "22% (15)", "13% (9)", "10% (7)", "15% (10)", "59% (40)"):
        assert seed_cell in feedback
    threshold = partnership.suppression_threshold
    pages = consultation_selectors.report_consultations(partnership, financial_year=YEAR, with_charts=False)
    for page in pages:
        for result in page.results:
            for row in result.rows:
                for share in row.shares + row.set_apart:
                    if share.count >= threshold and row.answered >= threshold and share.percent is not None:
                        assert f"({share.count})" in feedback
    assert "<5" in feedback  # the focus group's answers came from five women
    quotes = [q for page in pages for theme in page.themes for q in theme.approved_quotes]
    quotes += [q for page in pages for q in page.unthemed_quotes]
    assert len(quotes) > 40
    for quote in quotes:
        assert flat(quote.text) in feedback, quote.text
    for unapproved in Quote.objects.filter(consultation__partnership=partnership).exclude(status="approved"):
        assert flat(unapproved.text) not in text

    # The appendix: all 43 actions of the 2015-18 plan, with their RAG words.
    appendix = text[text.rindex("Appendix: the action plan 2015-16") :]
    actions = Action.objects.filter(strategy__slug__startswith="2015", strategy__partnership=partnership)
    assert actions.count() == 43
    # pdftotext reads a table row line by line across its columns, so look for each action's ref as a word
    # of its own, and the opening words of its text.
    for action in actions:
        assert re.search(rf"(?<![\w.]){re.escape(action.ref)}(?![\w.])", appendix), action.ref
        assert " ".join(action.text.split()[:2]) in appendix, action.ref
    assert len(re.findall(r"\bGreen\b", appendix)) >= 24

    # The forward plan and the recommendations come from the groups' updates and the reviews.
    assert "Forward plan 2016-17" in text and "Recommendations" in text


def test_the_tri_borough_report_carries_no_other_partnerships_content(demo):
    """Seeds 000-002 are Tower Hamlets' and Barking & Dagenham's: none of their records reach this report."""
    text = demo["text"]
    for other in (
        "Seed 001",
        "Seed 002",
        "Tower Hamlets",
        "Barking",
        "Let's not wait for 35",
        "sanctioned detection",
        "Warrior Women",
        "East London average",
        "professionals consultation",
    ):
        assert other not in text, other
    assert not re.search(r"(?<![\w.])R(?:[1-9]|1[0-2])(?![\w.])", text)  # no scrutiny recommendation refs


def test_the_demo_report_is_a_tagged_a4_pdf_with_every_page_numbered(demo):
    info = pdf_info(demo["content"])
    assert "Tagged:          yes" in info and "(A4)" in info
    total = len(demo["pages"])
    assert total == demo["edition"].page_count > 30
    assert f"Page {total} of {total}" in demo["pages"][-1]
    assert demo["edition"].refused_fetches == 0


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{4,}", text)


def test_the_demo_reports_headings_break_between_words_and_captions_keep_with_their_tables(demo):
    html = demo["edition"].html.read().decode()
    pages = [flat(page) for page in demo["pages"]]
    tokens = " ".join(pages).split()
    pairs = set(zip(tokens, tokens[1:], strict=False))
    headings = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    words = {word for heading in headings for word in _words(re.sub("<[^>]+>", "", heading))}
    assert "Response" in words and "Practitioners" in words
    # Broken mid-word is a word split over two lines with no hyphen ("Respons" "e"); "Com‐" "munity" is fine.
    broken = {word for word in words if any((word[:i], word[i:]) in pairs for i in range(1, len(word)))}
    assert not broken
    # Each caption is on the page of its table's heading row.
    tables = re.findall(r"<caption[^>]*>(.*?)</caption>.*?<th scope=\"col\"[^>]*>(.*?)</th>", html, re.S)
    assert len(tables) > 10
    for caption, first_heading in tables:
        caption, first_heading = (flat(unescape(re.sub("<[^>]+>", "", text))) for text in (caption, first_heading))
        page = next((page for page in pages if caption in page), None)
        assert page is not None, caption
        assert first_heading in page[page.index(caption) + len(caption) :], caption
