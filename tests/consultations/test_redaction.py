"""The redaction check: what it flags, what it blocks, and what it leaves alone."""

import csv
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultations import importers, redaction, services
from consultations.models import Quote
from tests.consultations.factories import ConsultationFactory
from vawg.tabular import read_table


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


# Disguised contact details: normalised before the check, reported at their place in the original text -------------

DISGUISED = [
    ("Ring me on ０７７００ ９００１２３ after six.", "phone", "０７７００ ９００１２３"),  # full-width digits
    ("Ring me on 0 7 7 0 0 9 0 0 1 2 3 after six.", "phone", "0 7 7 0 0 9 0 0 1 2 3"),
    ("Text 07700.900.123 any time", "phone", "07700.900.123"),
    ("Text 07700_900_123 any time", "phone", "07700_900_123"),
    ("Her number is 0\u200b7700 900\u200b123.", "phone", "0\u200b7700 900\u200b123"),  # zero-width spaces
    ("Her number is ＋４４ ７７００ ９００１２３.", "phone", "＋４４ ７７００ ９００１２３"),
    ("Write to jane.doe＠example.org", "email", "jane.doe＠example.org"),  # full-width at sign
    ("Write to jane.doe @ example.org", "email", "jane.doe @ example.org"),
    ("Write to jane.doe [at] example [dot] org", "email", "jane.doe [at] example [dot] org"),
    ("Write to jane(at)example(dot)co(dot)uk today", "email", "jane(at)example(dot)co(dot)uk"),
    ("Write to jane{at}example{dot}org", "email", "jane{at}example{dot}org"),
    ("Write to jane dot doe at example dot org", "email", "jane dot doe at example dot org"),
    ("Write to JANE AT EXAMPLE DOT CO DOT UK", "email", "JANE AT EXAMPLE DOT CO DOT UK"),
    ("Write to jane at example.org", "email", "jane at example.org"),
    ("Write to jane @ example . org", "email", "jane @ example . org"),
    ("I moved to Ｗ６ ９ＡＢ last year", "postcode", "Ｗ６ ９ＡＢ"),  # full-width postcode
    ("I moved to ｓｗ１ａ　１ａａ last year", "postcode", "ｓｗ１ａ　１ａａ"),  # and an ideographic space
]


@pytest.mark.parametrize(("text", "kind", "found"), DISGUISED, ids=[found for _, _, found in DISGUISED])
def test_disguised_contact_details_are_found_where_they_are_written(text, kind, found):
    flags = redaction.check(text)
    assert [(flag.kind, flag.text) for flag in flags if flag.blocking][:1] == [(kind, found)]
    flag = next(flag for flag in flags if flag.blocking)
    assert text[flag.start : flag.end].strip() == found  # the span of the original text, for highlighting
    pieces = redaction.segments(text, [f.as_dict() for f in flags])
    assert "".join(piece for piece, _ in pieces) == text
    assert (found, True) in [(piece.strip(), marked is not None) for piece, marked in pieces]


def test_both_numbers_of_a_sentence_are_found():
    assert kinds("Text 07700-900-123 or 0-7-7-0-0-9-0-0-1-2-3") == [
        ("phone", "07700-900-123"),
        ("phone", "0-7-7-0-0-9-0-0-1-2-3"),
    ]


def test_other_flags_keep_their_place_after_wide_characters():
    text = "Ｉ rang ０７７００ ９００１２３ and my son Adam answered"
    flags = redaction.check(text)
    assert [(f.kind, f.text, text[f.start : f.end]) for f in flags] == [
        ("phone", "０７７００ ９００１２３", "０７７００ ９００１２３"),
        ("name", "Adam", "Adam"),
    ]


# Ordinary prose, in the style of the partnerships' documents, stays unflagged.
PROSE = [
    "We met at the centre every week and the staff were kind.",
    "The women's situation at home rapidly worsened and her life was soon at risk.",
    "So that I can prepare myself and my children and can at least plan my life up to the day of his release.",
    "I was at home. Me and the kids left at 10.30 that night.",
    "3 of 4 services were helpful, 1 of them was not.",
    "1 in 4 women experience domestic abuse in their lifetime.",
    "It went on through 2015 2016 and 2017 before anyone listened.",
    "Things improved between 2015-16 and 2016/17, and again in 2017/18.",
    "In 2004/05 there were 4,192 incidents of domestic violence, 16% more than in 2003/04.",
    "Progress was made against 24 out of 43 (56%) actions: 24 green / 15 amber / 4 red.",
    "Referrals went from 351 to 441 to 540 over three years.",
    "The refuge is open 09.00 - 17.00 and the helpline 08.00-20.00, 7 days a week.",
    "The detection rate was 21% and the targets were 35, 37 and 39 per cent.",
    "I waited 2 weeks, then 3 weeks, then 0 days once the IDVA got involved.",
    "We looked at the leaflet together. It was helpful.",
    "I dot my i's and cross my t's now, at last.",
    "The court date moved from 01.04.2015 to 30.06.2015 and then again.",
    "Open 09.00-17.00 10.00-16.00 at weekends, and the bus was £0.50 0.75 1.00 1.25 1.50 over the years.",
    "On a scale of 0 1 2 3 4 5 6 7 8 9 10 I would give them 9.",
    "Ages 0 10 20 30 40 50 were all there.",
    "There is information at www.womensaid.org.uk as well.",
]


@pytest.mark.parametrize("text", PROSE)
def test_ordinary_prose_is_not_taken_for_contact_details(text):
    assert [flag for flag in redaction.check(text) if flag.blocking or flag.kind == redaction.PHONE] == []


def test_a_long_quote_is_checked_quickly():
    """A quote is short, but a bulk approval checks hundreds and a hostile text must not make it crawl."""
    quotes = [" ".join(PROSE) + f" Call ０７７００ ９００{n:03d}." for n in range(300)]
    hostile = ["a dot " * 2000, "0 " * 5000, "x." * 5000 + "@", "1-" * 5000, "a at " * 2000 + "b dot", "Word " * 2000]
    started = time.perf_counter()
    for text in quotes + hostile:
        redaction.check(text)
    assert time.perf_counter() - started < 2.0


# Every path that checks a quote: saving, confirming the check and approving refuse disguised contact details -----


@pytest.fixture
def consultation(world):
    return ConsultationFactory(partnership=world.partnership, slug="survivor-survey")


@pytest.mark.parametrize(("text", "kind", "found"), DISGUISED, ids=[found for _, _, found in DISGUISED])
def test_a_quote_with_disguised_contact_details_is_not_saved(world, consultation, text, kind, found):
    with pytest.raises(ValidationError) as error:
        services.quote_create(consultation=consultation, user=world.lead, text=text)
    assert f"('{found}')" in error.value.message_dict["text"][0]
    assert not Quote.objects.exists()


def test_a_quote_stored_before_the_check_knew_disguises_is_neither_approved_nor_exported(world, client, consultation):
    """Quotes saved before this check (or written to the table directly) are checked again on every step."""
    text = "Ring me on ０７７００ ９００１２３, or jane [at] example [dot] org."
    checked = Quote.objects.create(consultation=consultation, text=text, status=Quote.Status.CHECKED)
    with pytest.raises(ValidationError, match="Remove a phone number"):
        services.quote_approve(quote=checked, user=world.lead, consent_given=True)
    drafted = Quote.objects.create(consultation=consultation, text=text)
    with pytest.raises(ValidationError, match="an e-mail address \\('jane \\[at\\] example \\[dot\\] org'\\)"):
        services.quote_confirm_check(quote=drafted, user=world.lead, reviewed_flags=True)
    assert set(Quote.objects.values_list("status", flat=True)) == {Quote.Status.CHECKED, Quote.Status.DRAFT}
    client.force_login(world.lead)
    export = client.get(reverse("consultations:quotes_export", args=[world.partnership.slug, consultation.slug]))
    assert export.status_code == 200 and "９００１２３" not in export.content.decode("utf-8", "replace")


def test_a_bulk_approval_of_hundreds_of_quotes_stays_quick(world, consultation):
    quotes = [
        services.quote_confirm_check(
            quote=services.quote_create(consultation=consultation, user=world.lead, text=f"{PROSE[n % len(PROSE)]}"),
            user=world.lead,
            reviewed_flags=True,
        )
        for n in range(200)
    ]
    started = time.perf_counter()
    for quote in quotes:
        services.quote_approve(quote=quote, user=world.lead, consent_given=True)
    elapsed = time.perf_counter() - started
    assert Quote.objects.approved().count() == 200
    checking = time.perf_counter()
    for quote in quotes:
        redaction.check(quote.text)
    assert time.perf_counter() - checking < elapsed / 10  # the check is a small part of approving


def test_an_imported_column_with_disguised_contact_details_is_not_kept():
    """Response imports keep short repeated answers as counts, unless an answer carries contact details."""
    rows = [["Respondent ID", "How should we contact you?"]]
    answers = [
        "By letter",
        "Not at all",
        "jane [at] example [dot] org",
        "By letter",
        "０７７００ ９００１２３",
        "Not at all",
    ]
    rows += [[f"R{number}", answer] for number, answer in enumerate(answers)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    profile = importers.profile_responses(read_table(out.getvalue().encode(), filename="export.csv"))
    column = next(c for c in profile["columns"] if c["heading"] == "How should we contact you?")
    assert column["kept"] is False and column["values"] == {}
    assert "example" not in str(profile) and "９００１２３" not in str(profile)
