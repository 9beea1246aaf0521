"""The Word edition: each build stores a DOCX written from the same print HTML as the PDF, with the report's
headings, tables (caption, repeated heading row, alt text) and charts (PNG, alt text), served like the PDF."""

import hashlib
import io
import zipfile

import docx
import pytest
from django.urls import reverse

from reports import services
from reports.models import AnnualReport, ReportEdition
from reports.word import docx_from_html
from tests.reports.data import fill_year
from tests.reports.factories import DOCX_BYTES, ReportEditionFactory
from tests.reports.pdf import outline_titles

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def published(world):
    fill_year(world, size=2)
    report = AnnualReport.objects.create(
        partnership=world.partnership,
        year=2015,
        prepared_by="the Strategic Lead",
        introduction="Our <b>first</b> year.\n\n- One list item\n- <script>alert(1)</script>",
    )
    edition = services.edition_request(report=report, user=world.lead, publish=True)
    assert edition.state == ReportEdition.State.READY, edition.error
    return edition


def test_a_published_edition_stores_a_checksummed_word_file_beside_its_pdf(published):
    content = published.docx.read()
    assert zipfile.is_zipfile(io.BytesIO(content))
    assert published.docx_sha256 == hashlib.sha256(content).hexdigest()
    assert published.docx.name.endswith(".docx")


def test_the_word_edition_has_the_pdfs_headings_tables_and_charts_with_alt_text(published):
    document = docx.Document(io.BytesIO(published.docx.read()))
    headings = {p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))}
    # Every heading in the PDF's outline (sections and subsections) is a Word heading.
    title = document.core_properties.title
    assert title == "Annual Report 2015-16 - Tri-borough VAWG Partnership"
    pdf_headings = set(outline_titles(published.pdf.read())) - {title}  # the PDF's own title is in its outline too
    assert len(pdf_headings) > 10 and pdf_headings <= headings

    html = published.html.read().decode()
    assert len(document.tables) == html.count("<table")
    for table in document.tables:
        properties = table._tbl.tblPr
        assert properties.find("{*}tblCaption") is not None  # alt text
        first = table.rows[0]._tr
        assert first.find("{*}trPr/{*}tblHeader") is not None  # heading row repeats on each page
    shapes = document.inline_shapes
    assert len(shapes) == html.count('class="report-figure"') > 0
    for shape in shapes:
        assert shape._inline.docPr.get("descr")


def test_narrative_reaches_word_as_text_never_as_markup(published):
    document = docx.Document(io.BytesIO(published.docx.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Our <b>first</b> year." in text
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "One list item" in bullets
    assert "<script>alert(1)</script>" in bullets


def test_links_keep_their_address_and_hidden_text_stays_out():
    html = (
        "<html><head><title>T</title></head><body><section><h2>Contact</h2>"
        '<p>See <a href="https://example.org/vawg">our page</a> or <a href="mailto:vawg@example.org">write</a>'
        '<span class="govuk-visually-hidden"> (opens a mail program)</span>.</p></section></body></html>'
    )
    document = docx.Document(io.BytesIO(docx_from_html(html, images={})))
    assert [p.text for p in document.paragraphs if p.text] == [
        "Contact",
        "See our page (https://example.org/vawg) or write (vawg@example.org).",
    ]
    assert document.core_properties.title == "T"


def test_the_word_edition_is_downloaded_as_stored_by_members_only(world, client):
    edition = ReportEditionFactory(report__partnership=world.partnership, report__year=2015)
    address = reverse(
        "reports:edition_docx",
        kwargs={"partnership_slug": world.partnership.slug, "year": 2015, "edition_id": edition.pk},
    )
    assert client.get(address).status_code == 302  # to sign in
    client.force_login(world.board_member)
    response = client.get(address)
    assert response.status_code == 200 and response["Content-Type"] == WORD
    assert b"".join(response.streaming_content) == DOCX_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="tri-borough-annual-report-2015-16-edition-1.docx"'
    assert response["ETag"] == f'"{edition.docx_sha256}"'
    client.force_login(world.outsider_lead)
    assert client.get(address).status_code == 404


def test_deleting_a_draft_deletes_its_word_file(world, django_capture_on_commit_callbacks):
    draft = ReportEditionFactory(report__partnership=world.partnership, report__year=2015, published=False)
    storage, name = draft.docx.storage, draft.docx.name
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_delete(edition=draft, user=world.lead)
    assert not storage.exists(name)
