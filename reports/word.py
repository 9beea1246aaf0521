"""The Word edition of a report: the HTML the PDF is laid out from, written again as a DOCX with python-docx.

Board papers are circulated as Word, so each published edition has one beside its PDF and web page. It is made
from the same HTML (not from the data again), so the three say the same thing: headings keep their levels (Word's
navigation pane and contents field read them), tables keep their captions, heading rows (repeated on each page)
and alternative text, and each chart is its PNG drawing from the one chart pipeline with the chart's alt text.
Only text reaches the document: no markup of the HTML is copied, so nothing a person typed can become Word code.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}
# Containers whose children are read in order; everything else is a block of its own or skipped.
CONTAINERS = {"body", "main", "section", "div", "header", "footer", "article", "aside", "nav"}
SKIPPED = {"script", "style", "head", "meta", "link", "title", "svg"}
BOLD = {"strong", "b", "th"}
ITALIC = {"em", "i", "cite"}


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _hidden(element) -> bool:
    return "govuk-visually-hidden" in _classes(element) or element.get("aria-hidden") == "true"


def _text(element) -> str:
    """An element's visible text, spaces collapsed."""
    parts = []

    def walk(node):
        if not isinstance(node.tag, str) or _hidden(node):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


class WordWriter:
    def __init__(self, *, title: str, images: Mapping[str, bytes], language: str) -> None:
        self.document = Document()
        self.images = images
        self.language = language
        self._setup(title)
        self._first_section = True

    def _setup(self, title: str) -> None:
        document = self.document
        document.core_properties.title = title
        document.core_properties.language = self.language
        document.core_properties.author = ""
        normal = document.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(10.5)
        # The document's language, for spelling and for screen readers.
        run_properties = normal.element.get_or_add_rPr()
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), self.language)
        run_properties.append(language)
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Caption"):
            document.styles[name].font.name = "Arial"
        section = document.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(1.8))
        # Word updates the contents field when the document is opened.
        settings = document.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    # --- blocks -----------------------------------------------------------------------------------------------

    def write(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in SKIPPED or _hidden(element):
            return
        classes = _classes(element)
        if tag == "section" or (tag == "div" and "report-section" in classes):
            self._section_start(element, classes)
        if "contents" in classes and tag in CONTAINERS:
            self._contents(element)
            return
        if tag in CONTAINERS:
            for child in element:
                self.write(child)
            return
        if tag in HEADINGS:
            self.document.add_heading(_text(element), level=HEADINGS[tag])
        elif tag == "p":
            self._paragraph(element, style="Caption" if "report-note" in classes else None)
        elif tag in ("ul", "ol"):
            self._list(element, numbered=tag == "ol", depth=1)
        elif tag == "table":
            self._table(element)
        elif tag == "figure":
            self._figure(element)
        elif tag == "blockquote":
            for child in element:
                if isinstance(child.tag, str) and child.tag == "p":
                    self._paragraph(child, style="Quote")
            if not len(element) and _text(element):
                self.document.add_paragraph(_text(element), style="Quote")
        elif tag == "dl":
            for row in element.iter("dt"):
                value = row.getnext()
                paragraph = self.document.add_paragraph()
                paragraph.add_run(_text(row)).bold = True
                if value is not None and value.tag == "dd":
                    paragraph.add_run(" " + _text(value))
        elif _text(element):
            self._paragraph(element)

    def _section_start(self, element, classes: set[str]) -> None:
        """A report section starts a page; the appendix, as in the PDF, is on landscape pages."""
        if self._first_section:
            self._first_section = False
            return
        landscape = "appendix" in classes
        current = self.document.sections[-1]
        if landscape != (current.orientation == WD_ORIENT.LANDSCAPE):
            from docx.enum.section import WD_SECTION

            section = self.document.add_section(WD_SECTION.NEW_PAGE)
            section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
            if landscape:
                section.page_width, section.page_height = Cm(29.7), Cm(21.0)
            else:
                section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        else:
            self.document.add_page_break()

    def _contents(self, element) -> None:
        """The contents as a Word field: its page numbers are Word's own, as the PDF's are WeasyPrint's."""
        for child in element:
            if isinstance(child.tag, str) and child.tag in HEADINGS:
                self.document.add_heading(_text(child), level=HEADINGS[child.tag])
        paragraph = self.document.add_paragraph()
        run = paragraph.add_run()
        begin, instruction = OxmlElement("w:fldChar"), OxmlElement("w:instrText")
        begin.set(qn("w:fldCharType"), "begin")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
        separate = OxmlElement("w:fldChar")
        separate.set(qn("w:fldCharType"), "separate")
        placeholder = OxmlElement("w:t")
        placeholder.text = "The contents appear when Word updates this field."
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        for part in (begin, instruction, separate, placeholder, end):
            run._r.append(part)

    def _runs(self, paragraph, element, *, bold: bool = False, italic: bool = False) -> None:
        """The element's text as runs, bold and italic where the HTML says so; links keep their address."""

        def add(text: str, b: bool, i: bool):
            text = re.sub(r"\s+", " ", text)
            if text:
                run = paragraph.add_run(text)
                run.bold, run.italic = b or None, i or None

        def walk(node, b: bool, i: bool):
            add(node.text or "", b, i)
            for child in node:
                if isinstance(child.tag, str) and not _hidden(child) and child.tag not in SKIPPED:
                    if child.tag == "br":
                        paragraph.add_run().add_break()
                    else:
                        walk(child, b or child.tag in BOLD, i or child.tag in ITALIC)
                        href = child.get("href", "") if child.tag == "a" else ""
                        if href.startswith(("http://", "https://", "mailto:")) and href not in _text(child):
                            add(f" ({href.removeprefix('mailto:')})", b, i)
                add(child.tail or "", b, i)

        walk(element, bold, italic)
        if paragraph.runs:
            paragraph.runs[0].text = paragraph.runs[0].text.lstrip()
            paragraph.runs[-1].text = paragraph.runs[-1].text.rstrip()

    def _paragraph(self, element, *, style: str | None = None) -> None:
        paragraph = self.document.add_paragraph(style=style)
        self._runs(paragraph, element)

    def _list(self, element, *, numbered: bool, depth: int) -> None:
        base = "List Number" if numbered else "List Bullet"
        style = base if depth == 1 else f"{base} {min(depth, 3)}"
        for item in element:
            if not isinstance(item.tag, str) or item.tag != "li":
                continue
            paragraph = self.document.add_paragraph(style=style)
            nested = [child for child in item if isinstance(child.tag, str) and child.tag in ("ul", "ol")]
            for child in nested:
                item.remove(child)
            self._runs(paragraph, item)
            for child in nested:
                self._list(child, numbered=child.tag == "ol", depth=depth + 1)

    def _table(self, element) -> None:
        caption = element.find("caption")
        caption_text = _text(caption) if caption is not None else ""
        if caption_text:
            heading = self.document.add_paragraph(caption_text, style="Caption")
            heading.paragraph_format.keep_with_next = True
        rows = []
        for group in element:
            if not isinstance(group.tag, str):
                continue
            if group.tag in ("thead", "tbody", "tfoot"):
                rows += [(group.tag == "thead", row) for row in group if isinstance(row.tag, str) and row.tag == "tr"]
            elif group.tag == "tr":
                rows.append((False, group))
        width = max(
            (sum(int(c.get("colspan", 1)) for c in row if isinstance(c.tag, str)) for _, row in rows), default=0
        )
        if not width:
            return
        table = self.document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        self._table_description(table, caption_text)
        for is_head, row in rows:
            cells = table.add_row().cells
            if is_head:
                self._repeat_header(table.rows[-1])
            position = 0
            for cell in row:
                if not isinstance(cell.tag, str) or cell.tag not in ("th", "td") or position >= width:
                    continue
                span = int(cell.get("colspan", 1))
                target = cells[position]
                if span > 1:
                    target = target.merge(cells[min(position + span, width) - 1])
                paragraph = target.paragraphs[0]
                self._cell(paragraph, target, cell)
                if "govuk-table__cell--numeric" in _classes(cell) or "govuk-table__header--numeric" in _classes(cell):
                    for p in target.paragraphs:
                        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                position += span
        self.document.add_paragraph()

    def _cell(self, paragraph, target, cell) -> None:
        blocks = [child for child in cell if isinstance(child.tag, str) and child.tag in ("p", "ul", "ol")]
        if not blocks:
            self._runs(paragraph, cell, bold=cell.tag == "th")
            return
        first = True
        for block in blocks:
            if block.tag == "p":
                p = paragraph if first else target.add_paragraph()
                self._runs(p, block, bold=cell.tag == "th")
            else:
                for item in block:
                    if isinstance(item.tag, str) and item.tag == "li":
                        p = paragraph if first else target.add_paragraph()
                        p.add_run("• ")
                        self._runs(p, item)
                        first = False
            first = False

    @staticmethod
    def _repeat_header(row) -> None:
        properties = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        properties.append(header)

    @staticmethod
    def _table_description(table, caption: str) -> None:
        """The table's alternative text (Word's Table Properties > Alt Text): its caption."""
        if not caption:
            return
        properties = table._tbl.tblPr
        for name in ("w:tblCaption", "w:tblDescription"):
            element = OxmlElement(name)
            element.set(qn("w:val"), caption[:255])
            properties.append(element)

    def _figure(self, element) -> None:
        image = element.find(".//img")
        key = (element.get("id") or "").removeprefix("figure-")
        png = self.images.get(key)
        if image is not None and png is not None:
            section = self.document.sections[-1]
            usable = section.page_width - section.left_margin - section.right_margin
            self.document.add_picture(io.BytesIO(png), width=usable)
            picture = self.document.paragraphs[-1]
            picture.paragraph_format.keep_with_next = True
            # The chart's alternative text, read by screen readers (Word's Alt Text).
            properties = picture._p.xpath(".//wp:docPr")
            if properties:
                properties[0].set("descr", image.get("alt", ""))
                properties[0].set(
                    "title", _text(element.find("figcaption")) if element.find("figcaption") is not None else ""
                )
        caption = element.find("figcaption")
        if caption is not None:
            self.document.add_paragraph(_text(caption), style="Caption")

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def docx_from_html(html: str, *, images: Mapping[str, bytes], language: str = "en-GB") -> bytes:
    """The DOCX of a report's print HTML, titled as the HTML is; `images` maps a figure's number to its PNG drawing."""
    tree = lxml.html.document_fromstring(html)
    writer = WordWriter(title=tree.findtext(".//title") or "", images=images, language=language)
    body = tree.find("body")
    writer.write(body if body is not None else tree)
    return writer.save()
