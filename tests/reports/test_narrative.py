"""The narrative is text in a small Markdown subset: paragraphs, headings under the section's, lists, emphasis and
web links, everything else printed as typed and nothing reaching the page as markup."""

from reports.narrative import plain, render


def test_blank_lines_separate_paragraphs_and_single_newlines_join_lines():
    html = render("First line\nsame paragraph.\n\nSecond paragraph.")
    assert html.count('<p class="govuk-body">') == 2
    assert "First line\nsame paragraph.</p>" in html


def test_dash_lines_make_a_list_and_indented_ones_a_nested_list():
    html = render("The Board is tasked:\n\n- to monitor progress;\n  - quarterly\n- to report.\n\nAfter the list.")
    assert html.count('<ul class="govuk-list govuk-list--bullet">') == 2
    assert "<li>quarterly</li>" in html
    assert html.index("to report.") < html.index("After the list.")


def test_headings_sit_below_the_section_heading():
    assert render("## Collocation").startswith('<h3 class="govuk-heading-m">Collocation</h3>')
    assert render("## Collocation", level=4).startswith('<h4 class="govuk-heading-s">Collocation</h4>')
    assert render("# Top").startswith("<h3")  # never an h1 or h2 inside a section
    assert render("### Below").startswith("<h4")


def test_emphasis_and_web_links_are_kept_with_govuk_classes():
    html = render("**Bold** and *emphasis*: [the directory](https://example.org/directory).")
    assert "<strong>Bold</strong>" in html and "<em>emphasis</em>" in html
    assert '<a class="govuk-link" href="https://example.org/directory" rel="noopener noreferrer">' in html


def test_markup_scripts_images_and_other_schemes_never_become_markup():
    text = (
        '<script>alert(1)</script> <link rel="attachment" href="file:///etc/passwd">\n\n'
        "[click](javascript:alert(1)) ![x](file:///etc/passwd) <img src=x onerror=alert(1)>"
    )
    html = render(text)
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<a " not in html  # neither the javascript: nor the file: address became a link


def test_indented_lines_are_text_not_code():
    assert "<pre" not in render("    indented words") and "indented words" in render("    indented words")


def test_windows_line_endings_and_control_characters_are_cleaned():
    assert plain("One\r\n\r\nTwo\x00\x07") == "One Two"


def test_empty_text_renders_nothing():
    assert render("") == ""
    assert render("   \n\n  ") == ""
