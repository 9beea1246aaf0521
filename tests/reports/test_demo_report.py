"""Done when: the demo partnership's 2015-16 report, published by `load_demo` and read back with pdftotext, carries
what seed 003 carries.

Figures are checked against the other apps' own selectors (the report must print what they hold), every heading of
seed 003's sections 1-5 and every figure of their text literally (read from the seed file itself).
"""

import hashlib
import os
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command

from actions.models import Action
from consultations import selectors as consultation_selectors
from consultations.models import Quote
from partnership.models import Partnership
from referrals import selectors as figures
from reports.models import AnnualReport, ForwardPlanItem, ReportBlock, ReportEdition, ReportSection
from reports.suppression import format_count
from tests.reports.pdf import pdf_info, pdf_text
from vawg.periods import FinancialYear

YEAR = FinancialYear(2015)


def flat(text: str) -> str:
    return " ".join(text.split())


# The seed documents sit beside the project, not in it (see the shared seeds' README); VAWG_SEEDS points elsewhere.
SEEDS = Path(os.environ.get("VAWG_SEEDS", "/work/shared/seeds"))


def load_demo() -> None:
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def demo(db):
    load_demo()
    partnership = Partnership.objects.get(slug="tri-borough")
    report = partnership.annual_reports.get(year=2015)
    # Loading the demo published the report: one edition, built on the command line.
    edition = report.editions.get()
    assert (edition.state, edition.number, edition.source) == (
        ReportEdition.State.READY,
        1,
        ReportEdition.Source.COMMAND_LINE,
    ), edition.error
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
    assert "15 (35%) Amber and 4 (9%) Red" in text  # the sentence drafted from the ratings
    for cell in ("24 (56%)", "15 (35%)", "4 (9%)"):
        assert cell in text

    # Referrals by borough: the totals the services reported, and the counts by abuse type and borough.
    for total in ("1,259", "507", "836", "1,048", "425", "700"):
        assert total in text
    pivot = figures.referral_pivot(partnership, YEAR)
    for borough_total in pivot.column_totals:
        assert format_count(borough_total) in text

    # MARAC by borough against the benchmark.
    window = figures.marac_for_year(partnership, YEAR)
    marac = text[text.index("MARACs and High Risk Domestic Abuse") :]
    for borough in window.boroughs:
        assert borough.borough.name in marac
        assert format_count(borough.cases) in marac
    assert "94%" in marac  # LBHF within the national guidelines, as the seed says

    # The justice table: every known figure, and "Not known" where the partnership recorded none.
    justice = figures.justice_table(partnership, YEAR)
    justice_text = text[text.index("Holding perpetrators accountable through the criminal justice system") :]
    for section in justice.sections:
        for row in section.rows:
            if not row.is_rate:
                assert row.label in justice_text
                for cell in row.cells:
                    assert (format_count(cell.value) if cell.value is not None else "Not known") in justice_text
    for seed_figure in ("3,298", "2,023", "3,039", "1,614", "994", "1,462", "817"):
        assert seed_figure in justice_text

    # Survivor feedback: the percentages (with their counts), small ones suppressed, and the approved quotes.
    heading = "Appendix 1 – Survivor Feedback"
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
    appendix = text[text.rindex("Appendix 2 – Action Plan 2015/16") :]
    actions = Action.objects.filter(strategy__slug__startswith="2015", strategy__partnership=partnership)
    assert actions.count() == 43
    # pdftotext reads a table row line by line across its columns, so look for each action's ref as a word
    # of its own, and the opening words of its text.
    for action in actions:
        assert re.search(rf"(?<![\w.]){re.escape(action.ref)}(?![\w.])", appendix), action.ref
        assert " ".join(action.text.split()[:2]) in appendix, action.ref
    assert len(re.findall(r"\bGreen\b", appendix)) >= 24

    # Seed 003 has no recommendations section, and neither has its demo report.
    assert "VAWG Partnership Forward Plan 2016/17" in text and "Recommendations" not in text


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


# --- Seed 003's sections 1-5: every heading and every figure ---------------------------------------------------

# Every section and sub-section heading of seed 003's sections 1-5, as the seed spells them (the sections with the
# seed's own numbers). Each must be in the seed too, so the list cannot drift from it.
SECTIONS = [
    "1. Introduction",
    "2. Progress against the VAWG Strategy in 2015-16",
    "3. Gaps and Areas of Concern",
    "4. Service User and Survivor Feedback",
    "5. VAWG Partnership Forward Plan 2016/17",
]
PRIORITIES = [
    "1. Access",
    "2. Response",
    "3. Community",
    "4. Practitioners",
    "5. Children and Young People",
    "6. Perpetrators",
    "7. Justice and Protection",
]
HEADINGS = [
    "The Violence Against Women and Girls (VAWG) Strategy",
    "The VAWG Strategic Partnership and Governance Structure",
    "Methodology of the Review",
    "Achievements to note by priority",
    "Promotion of new services in place",
    "Collocation",
    "Investment in and Delivery of Specialist Support",
    "High Quality Service Provision",
    "MARACs and High Risk Domestic Abuse",
    "Survivor consultation and inclusion",
    "Integrated responses between the Safeguarding Adults Executive Board (SAEB), Local Safeguarding Children's "
    "Board (LSCB) and the VAWG partnership",
    "Communications Plan and Events",
    "Annual VAWG Conference",
    "Training",
    "Co-location",
    "Parenting Programmes",
    "Strengthen links between the LSCB and VAWG Partnership and joint processes",
    "CYP as a priority within all operational groups",
    "Collocation and influence on mainstream service response to perpetrators",
    "Holding perpetrators accountable through the criminal justice system",
    "Specialist Domestic Abuse Courts",
    "Police Training",
    "Best Practice: Impact Project",
    "Breach of bail cases",
    "European Protection Order",
    "Resources, Capacity and the future of funding",
    "MARAC",
    "CCG engagement, funding and support for VAWG work",
    "Community Engagement",
    "Maximising influence of community leaders",
    "Whole School Approach",
    "Whole Family Approach",
    "Networks of professionals",
    "Focus on Practice",
    "CYP 2015 Consultation and Strategy",
    "Specialist Support for Children affected by domestic abuse",
    "Civil Justice",
]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")


def seed_sections_1_to_5() -> str:
    """Seed 003 from "1. Introduction" after the contents to the heading of Appendix 1."""
    seed = next(SEEDS.glob("003_*.txt"), None)
    if seed is None:
        pytest.skip(f"seed 003 is not in {SEEDS} (set VAWG_SEEDS)")
    text = seed.read_text()
    start = text.index("1. Introduction", text.index("Appendix 2"))
    return text[start : text.index("Appendix 1 – Full report")]


def numbers(text: str) -> list[str]:
    """The figures of a text as tokens, "1,551" read as "1551", in their order, each once."""
    found = [re.sub(r"(?<=\d),(?=\d{3})", "", token) for token in NUMBER.findall(text)]
    return list(dict.fromkeys(found))


def test_the_demo_report_has_every_heading_of_seed_003s_sections_1_to_5(demo):
    seed = flat(seed_sections_1_to_5()).lower()
    for heading in SECTIONS + PRIORITIES + HEADINGS:
        assert flat(heading).lower() in seed, f"{heading!r} is not a heading of seed 003"
    text = demo["text"]
    missing = [heading for heading in SECTIONS + PRIORITIES + HEADINGS if flat(heading) not in text]
    assert not missing, f"headings of seed 003 missing from the PDF: {missing}"
    # The priorities head the achievements, the gaps and the forward plan alike.
    for priority in PRIORITIES:
        assert text.count(priority) >= 3, priority


def test_the_demo_report_carries_every_figure_of_seed_003s_sections_1_to_5(demo):
    wanted = numbers(seed_sections_1_to_5())
    assert {"2602", "2173", "1259", "507", "836", "301", "190", "279", "94%", "87.5%", "5500"} <= set(wanted)
    printed = set(numbers(demo["text"]))
    missing = [figure for figure in wanted if figure not in printed]
    assert not missing, f"figures of seed 003's sections 1-5 missing from the PDF: {missing}"
    text = demo["text"]
    assert "January-December 2015 the H&F MARAC heard 301 cases, the K&C MARAC 190 and the WCC MARAC 279" in text
    assert "4th February 2016" in text and "100% success" in text


def test_the_contact_is_the_role_not_the_person(demo):
    text = demo["text"]
    assert "contact the VAWG Strategic Lead" in text
    assert "Meghan" not in text and "Field" not in text.split() and "@" not in text


def _forward_plan_items(html: str) -> list[str]:
    section = html[html.index('id="forward-plan"') : html.index("</section>", html.index('id="forward-plan"'))]
    return [flat(unescape(re.sub("<[^>]+>", "", item))) for item in re.findall(r"<li>(.*?)</li>", section, re.S)]


def test_the_forward_plan_says_each_item_once(demo):
    html = demo["edition"].html.read().decode()
    items = _forward_plan_items(html)
    report = AnnualReport.objects.get(partnership=demo["partnership"], year=2015)
    own = list(report.forward_items.values_list("text", flat=True))
    assert len(own) > 30 and len(items) > len(own)
    repeated = {item for item in items if items.count(item) > 1}
    assert not repeated, repeated
    # The lead's items are printed once each, and none repeats (or sits inside) a group's next step.
    steps = [item for item in items if item not in own]
    for text in own:
        assert items.count(flat(text)) == 1, text
        assert not any(flat(text).lower() in step.lower() for step in steps), text
    # Every item sits under its priority: none falls to "Across the strategy".
    assert "Across the strategy" not in html


def test_the_published_files_are_stored_with_their_checksums(demo):
    edition = demo["edition"]
    assert edition.is_published
    for name in ("pdf", "html", "docx"):
        with getattr(edition, name).open("rb") as file:
            content = file.read()
        assert content, name
        assert hashlib.sha256(content).hexdigest() == getattr(edition, f"{name}_sha256"), name
    assert demo["content"].startswith(b"%PDF")


def test_loading_the_demo_again_changes_nothing(demo):
    report = AnnualReport.objects.get(partnership=demo["partnership"], year=2015)

    def state():
        return {
            "sections": list(ReportSection.objects.filter(report=report).values_list("id", "heading", "position")),
            "blocks": list(ReportBlock.objects.filter(section__report=report).values_list("id", "text", "data_key")),
            "items": list(ForwardPlanItem.objects.filter(report=report).values_list("id", "text", "priority")),
            "editions": list(report.editions.values_list("id", "number", "pdf_sha256")),
            "version": AnnualReport.objects.get(pk=report.pk).version,
        }

    before = state()
    load_demo()
    assert state() == before
