"""The partnership's own words, as it writes them, turned into the report's HTML: one renderer for every narrative
(the report's sections, its cover texts, a consultation's summary, a sub group's update).

The text is stored as text, in a small Markdown subset, never as HTML:

- a blank line starts a new paragraph;
- "## Heading" a heading ("###" one level below), placed under the heading it is written beneath;
- lines starting with "- " (or "* ") a bulleted list, "1. " a numbered one, indented ones a list inside the item;
- **bold**, *emphasis*, and [links](https://example.org) (web and email addresses only).

Everything else is printed as typed. markdown-it-py (CommonMark) parses the text with raw HTML, images and code
blocks switched off, and nh3 (the Ammonia sanitizer) then keeps only the tags, attributes and link schemes listed
here, so nothing a person types can reach WeasyPrint or a browser as markup, a style or an address to fetch.
"""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Characters that are not allowed in XML 1.0 (and so not in the PDF's structure or in HTML).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "code", "fence", "html_block", "html_inline", "hr", "reference", "table", "strikethrough", "autolink"],
    ignoreInvalid=True,
)

HEADING_CLASSES = {3: "govuk-heading-m", 4: "govuk-heading-s", 5: "govuk-heading-s", 6: "govuk-heading-s"}
TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h3", "h4", "h5", "h6", "br", "blockquote"}
CLASSES = {
    "p": {"govuk-body"},
    "ul": {"govuk-list", "govuk-list--bullet"},
    "ol": {"govuk-list", "govuk-list--number"},
    "a": {"govuk-link"},
    **{f"h{level}": {css} for level, css in HEADING_CLASSES.items()},
}


def clean(text: str) -> str:
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def _shift_headings(tokens, level: int) -> None:
    """A heading the lead writes sits under the heading of the section it is in: "#" and "##" become `level`,
    "###" the level below, never above h3 (h1 is the report's title, h2 its sections)."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            written = int(token.tag[1])
            token.tag = f"h{min(6, max(level, 3) + max(written - 2, 0))}"


_OPEN_TAG = re.compile(r"<(" + "|".join(sorted(CLASSES)) + r")(?=[ >])")


def _classed(html: str) -> str:
    """The GOV.UK classes on every element the sanitizer kept (no class comes from the text itself)."""
    return _OPEN_TAG.sub(lambda m: f'<{m.group(1)} class="{" ".join(sorted(CLASSES[m.group(1)]))}"', html)


def render(text: str, *, level: int = 3) -> SafeString:
    """The text's HTML (empty when there is nothing but spaces): escaped, sanitized, with GOV.UK classes."""
    text = clean(text)
    if not text.strip():
        return mark_safe("")  # noqa: S308  # nosec B308 B703: an empty string
    tokens = _PARSER.parse(text)
    _shift_headings(tokens, level)
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    safe = nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # nh3 has escaped every text and kept only the tags and href values above; the classes added are constants.
    return mark_safe(_classed(safe).strip())  # noqa: S308  # nosec B308 B703


def plain(text: str) -> str:
    """The text's words without its marks, for a short summary or a comparison."""
    return " ".join(nh3.clean(str(render(text)), tags=set()).split())
