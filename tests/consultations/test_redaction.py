"""The redaction check: what it flags, what it blocks, and what it leaves alone."""

import pytest

from consultations import redaction


def kinds(text):
    return [(flag.kind, flag.text) for flag in redaction.check(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call me on 07700 900123 please.", [("phone", "07700 900123")]),
        ("Ring +44 20 7946 0018 or (020) 7946 0018", [("phone", "+44 20 7946 0018"), ("phone", "(020) 7946 0018")]),
        ("e-mail jane.doe@example.org any time", [("email", "jane.doe@example.org")]),
        ("I moved to W6 9AB last year", [("postcode", "W6 9AB")]),
        ("near sw1a 1aa", [("postcode", "sw1a 1aa")]),
        ("We lived at 12 Acacia Road for years.", [("street_address", "12 Acacia Road")]),
        ("She was born on 12/03/1985.", [("date_of_birth", "born on 12/03/1985")]),
        ("It started on 5th March 2016", [("date_of_birth", "5th March 2016")]),
        ("My son Adam was scared", [("name", "Adam")]),
        ("Mr Smith helped. PC Jones too.", [("name", "Mr Smith"), ("name", "PC Jones")]),
        ("She is called Amira.", [("name", "called Amira")]),
    ],
)
def test_it_flags_what_could_identify_someone(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Very helpful – two attending officers were absolutely amazing.",
        "I went to my GP as I couldn’t sleep. My GP referred me to Advance which was great.",
        "My son is getting support from CAMHs [Children and Adolescent Mental Health Services].",
        "It took 6 weeks to find my ex-partner, and the MARAC helped with housing.",
        "I have suffered from depression for 12 years.",
    ],
)
def test_it_leaves_everyday_service_words_alone(text):
    assert kinds(text) == []


def test_contact_details_block_and_other_flags_do_not():
    flags = redaction.check("My son Adam rang 07700 900123")
    assert [flag.blocking for flag in flags] == [False, True]
    assert redaction.blocking_message(flags).startswith("Remove a phone number ('07700 900123') before saving")


def test_segments_highlight_the_flagged_words():
    text = "My son Adam was scared"
    flags = [flag.as_dict() for flag in redaction.check(text)]
    pieces = redaction.segments(text, flags)
    assert [(piece, flag is not None) for piece, flag in pieces] == [
        ("My son ", False),
        ("Adam", True),
        (" was scared", False),
    ]
