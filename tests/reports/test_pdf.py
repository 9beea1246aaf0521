"""The PDF: A4, tagged PDF/UA with title, language and bookmarks, "Page X of Y", contents with page numbers,
RAG as words, a DRAFT watermark on drafts, and the appendix's heading row on every page it spans."""

import re

import pytest

from actions.models import Action, ProgressUpdate
from reports import builder
from reports.models import AnnualReport
from tests.reports.data import fill_year
from tests.reports.pdf import outline_titles, pdf_info, pdf_objects, pdf_text

LONG = "The group met every quarter and reviewed its pathways, training and data with partners. " * 6


@pytest.fixture
def built(world):
    fill_year(world, size=2)
    Action.objects.update(text="Improve awareness amongst survivors of the range of services they can access.")
    ProgressUpdate.objects.update(successes_and_challenges=LONG, next_steps=LONG[:200])
    report = AnnualReport.objects.create(partnership=world.partnership, year=2015, prepared_by="the Strategic Lead")
    return {"report": report, "final": builder.build(report, draft=False)}


def test_the_pdf_is_a4_tagged_with_title_language_and_bookmarks(built):
    content = built["final"].pdf.content
    info = pdf_info(content)
    assert "Tagged:          yes" in info
    assert "(A4)" in info
    assert re.search(r"Title:\s+Annual Report 2015-16 - Tri-borough VAWG Partnership", info)
    objects = pdf_objects(content)
    assert b"/StructTreeRoot" in objects and b"/MarkInfo <</Marked true>>" in objects
    assert b"/Lang (en-GB)" in objects
    assert b"pdfuaid" in objects  # PDF/UA identification in the metadata
    structure = pdf_info(content, "-struct")
    assert "H2" in structure and "Table" in structure and "Figure" in structure
    # The sections are numbered as the contents lists them; their sub-headings are not.
    titles = [re.sub(r"^\d+\. ", "", title) for title in outline_titles(content)]
    assert "1. Introduction" in outline_titles(content)
    for heading in (
        "Contents",
        "Introduction",
        "Progress against the strategy in 2015-16",
        "Service activity",
        "Gaps and areas of concern",
        "Forward plan 2016-17",
        "Appendix: the action plan 2015-16",
        "Summary of the ratings",
        "MARAC",
    ):
        assert heading in titles, heading


def test_every_header_cell_of_the_tagged_pdf_carries_its_scope(built):
    structure = pdf_info(built["final"].pdf.content, "-struct")
    # pdfinfo prints a header cell as "TH <id>:" followed by its attributes, one per line.
    cells = re.findall(r"^\s*TH <[^>]*>:\n((?:\s+/\w+ .*\n)*)", structure, re.M)
    scopes = [re.search(r"/Scope /(\w+)", attributes) for attributes in cells]
    assert cells and all(scopes)
    assert {scope.group(1) for scope in scopes} == {"Row", "Column"}
    # Each table's column headings are in its heading group, its row headings in its body.
    head = re.findall(
        r"^(\s*)THead\n\s*TR\n((?:\s*TH <[^>]*>:\n\s+/Scope /\w+\n(?:\s+/\w+ .*\n)*(?:\s+Span.*\n)?)+)", structure, re.M
    )
    assert head and all("/Scope /Row" not in cells for _, cells in head)


def test_every_page_but_the_cover_says_page_x_of_y(built):
    pages = pdf_text(built["final"].pdf.content)
    total = len(pages)
    assert total == built["final"].pdf.page_count
    assert "Page 1 of" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page


def test_the_contents_give_each_sections_page(built):
    pages = pdf_text(built["final"].pdf.content, layout=True)
    contents = pages[1]
    for heading in ("Introduction", "Service activity", "Appendix: the action plan"):
        line = next(line for line in contents.splitlines() if line.strip().startswith(heading))
        page = int(line.split()[-1])
        # The page the contents give is the page the heading is on.
        assert heading.split(":")[0] in pages[page - 1]


def test_rag_cells_show_the_word(built):
    text = " ".join(pdf_text(built["final"].pdf.content))
    appendix = text[text.rindex("Appendix: the action plan 2015-16") :]
    for word in ("Green", "Amber", "Red", "Complete"):
        assert word in appendix


def test_drafts_are_watermarked_and_published_editions_are_not(built):
    draft, final = builder.build(built["report"], draft=True), built["final"]
    assert any(url.endswith("reports/draft-watermark.svg") for url in draft.pdf.served)
    assert not any(url.endswith("draft-watermark.svg") for url in final.pdf.served)
    assert "DRAFT: not for publication" in pdf_text(draft.pdf.content)[0]
    assert "DRAFT" not in " ".join(pdf_text(final.pdf.content))
    assert draft.pdf.refused == final.pdf.refused == []


def test_the_appendix_repeats_its_heading_row_on_every_page(built):
    pages = pdf_text(built["final"].pdf.content)
    start = next(i for i, page in enumerate(pages) if re.search(r"\d+\. Appendix: the action plan 2015-16", page))
    appendix = pages[start:]
    assert len(appendix) >= 3, "the test needs an appendix spanning pages"
    for page in appendix:
        assert "Successes and challenges" in page and "Next steps" in page


def test_the_cover_carries_the_reports_own_date_and_its_status(built):
    cover = flat_page(pdf_text(built["final"].pdf.content)[0])
    assert "Final report" in cover and "DRAFT" not in cover
    report = built["report"]
    report.cover_date = "April 2016"
    report.save()
    cover = flat_page(pdf_text(builder.build(report, draft=True).pdf.content)[0])
    assert "April 2016" in cover and "DRAFT" in cover and "Final report" not in cover


def flat_page(text: str) -> str:
    return " ".join(text.split())
