"""The narrative is plain text: paragraphs and "- " lists, everything else printed as typed."""

from reports.narrative import parse


def test_blank_lines_separate_paragraphs_and_single_newlines_join_lines():
    blocks = parse("First line\nsame paragraph.\n\nSecond paragraph.")
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "First line same paragraph."),
        ("paragraph", "Second paragraph."),
    ]


def test_dash_lines_make_a_list_and_indented_ones_a_nested_list():
    blocks = parse("The Board is tasked:\n- to monitor progress;\n  - quarterly\n- to report.\nAfter the list.")
    assert [b.kind for b in blocks] == ["paragraph", "list", "paragraph"]
    items = blocks[1].items
    assert [i.text for i in items] == ["to monitor progress;", "to report."]
    assert [c.text for c in items[0].children] == ["quarterly"]


def test_a_wrapped_line_continues_its_list_item():
    blocks = parse("- a long item\n   that wraps")
    assert blocks[0].items[0].text == "a long item that wraps"


def test_windows_line_endings_and_control_characters_are_cleaned():
    blocks = parse("One\r\n\r\nTwo\x00\x07")
    assert [b.text for b in blocks] == ["One", "Two"]


def test_markup_stays_text():
    text = '<script>alert(1)</script> <link rel="attachment" href="file:///etc/passwd">'
    assert parse(text)[0].text == text


def test_empty_text_has_no_blocks():
    assert parse("") == []
    assert parse("   \n\n  ") == []
