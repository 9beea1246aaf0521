"""Writing questions and results: every bad input gets a clear message and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError

from consultations import services
from consultations.models import Question, ResponseCount, ResultsChange
from consultations.scales import read_options
from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts


@pytest.fixture
def consultation(world):
    return ConsultationFactory(partnership=world.partnership, respondents=69)


@pytest.fixture
def police(consultation):
    return make_question(consultation, items=["Police"])


def messages(error):
    return " ".join(error.value.messages)


def test_results_replace_keeps_a_before_and_after_record(world, police):
    set_counts(police, {("Police", "Positive"): 5}, user=world.lead)
    set_counts(police, {("Police", label): count for label, count in POLICE.items()}, user=world.lead)
    change = ResultsChange.objects.filter(question=police).first()
    assert change.changed_by == world.lead
    assert change.counts_before == [["Police", "Positive", 0, 5]]
    assert ["Police", "Very positive", 0, 13] in change.counts_after
    assert change.summary == "Q1: 6 counts stored (total 68); 1 before."


def test_a_negative_count_is_refused(police):
    with pytest.raises(ValidationError) as error:
        set_counts(police, {("Police", "Positive"): -2})
    assert "the count -2 is negative" in messages(error)
    assert not ResponseCount.objects.exists()


def test_a_count_that_is_not_a_number_is_refused(police):
    option = police.options.first()
    entry = services.CountEntry(police.items.first(), option, 0, "twelve")
    with pytest.raises(ValidationError) as error:
        services.results_replace(question=police, entries=[entry], user=None, source="form")
    assert "the count 'twelve' is not a whole number" in messages(error)


def test_an_option_of_another_question_is_refused(consultation, police):
    other = make_question(consultation, ref="Q2", kind=Question.Kind.YES_NO)
    entry = services.CountEntry(police.items.first(), other.options.get(label="Yes"), 0, 3)
    with pytest.raises(ValidationError) as error:
        services.results_replace(question=police, entries=[entry], user=None, source="form")
    assert "'Yes' is not an answer option of Q1." in messages(error)
    assert not ResponseCount.objects.exists()


def test_counts_above_the_respondents_are_refused(police):
    set_counts(police, {("Police", "Positive"): 5})
    with pytest.raises(ValidationError) as error:
        set_counts(police, {("Police", "Positive"): 50, ("Police", "Negative"): 20})
    assert messages(error) == (
        "Q1, 'Police': the counts add up to 70, more than the 69 respondents (percentages would exceed 100%)."
    )
    assert ResponseCount.objects.get().count == 5  # unchanged


def test_a_question_asked_of_fewer_people_checks_against_its_own_number(consultation):
    question = make_question(consultation, ref="Q5", kind=Question.Kind.YES_NO, respondents=6)
    with pytest.raises(ValidationError, match="more than the 6 respondents"):
        set_counts(question, {(None, "Yes"): 7})


def test_multiple_choice_checks_each_option(consultation):
    question = make_question(consultation, ref="Q2", kind=Question.Kind.MULTIPLE_CHOICE, options=["A", "B"])
    set_counts(question, {(None, "A"): 60, (None, "B"): 60})  # each under 69: fine, people chose both
    with pytest.raises(ValidationError, match="Q2, 'A': 70 is more than the 69 respondents"):
        set_counts(question, {(None, "A"): 70})


def test_ranking_places_must_exist(consultation):
    question = make_question(consultation, ref="Q3", kind=Question.Kind.RANKING, options=["A", "B"], ranking_places=2)
    with pytest.raises(ValidationError, match="place 3 is outside 1 to 2"):
        set_counts(question, {(None, "A", 3): 1})
    with pytest.raises(ValidationError, match="Q3: 70 ranked something 1, more than the 69 respondents"):
        set_counts(question, {(None, "A", 1): 40, (None, "B", 1): 30})


def test_free_text_questions_have_no_counts(consultation):
    question = make_question(consultation, ref="Q9", kind=Question.Kind.FREE_TEXT)
    assert services.count_problems(question, []) == []
    option = make_question(consultation, ref="Q8", kind=Question.Kind.YES_NO).options.first()
    problems = services.count_problems(question, [services.CountEntry(None, option, 0, 1)])
    assert problems == [(None, "Q9 is a free-text question: it has themes and quotes, not counts.")]


def test_lowering_the_respondents_below_the_counts_is_refused(world, consultation, police):
    set_counts(police, {("Police", label): count for label, count in POLICE.items()})
    with pytest.raises(ValidationError, match="more than the 50 respondents"):
        services.consultation_update(consultation=consultation, user=world.lead, respondents=50)
    consultation.refresh_from_db()
    assert consultation.respondents == 69


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": Question.Kind.RANKING, "options": read_options(["A", "B"], scale=False)}, "how many places"),
        ({"kind": Question.Kind.SINGLE_CHOICE, "options": read_options(["Only"], scale=False)}, "at least two"),
        ({"kind": Question.Kind.SINGLE_CHOICE, "items": ["Police"]}, "have no items"),
        ({"options": read_options(["Yes", "yes"], scale=True)}, "'yes' is listed twice"),
    ],
)
def test_question_rules(consultation, fields, message):
    base = {
        "ref": "Q7",
        "text": "A question",
        "kind": Question.Kind.YES_NO,
        "options": read_options(["Yes", "No"], scale=True),
        "items": [],
    }
    with pytest.raises(ValidationError) as error:
        services.question_create(consultation=consultation, user=None, **{**base, **fields})
    assert message in messages(error)
    assert not consultation.questions.exists()


def test_options_with_results_cannot_be_removed(police):
    set_counts(police, {("Police", "Positive"): 5})
    with pytest.raises(ValidationError, match="Cannot remove Positive: it has results"):
        services.question_update(
            question=police,
            user=None,
            options=read_options(["Very positive", "Negative"], scale=True),
            items=["Police"],
        )


def test_scale_options_are_read_from_their_wording():
    specs = read_options(
        ["Very helpful", "Helpful", "Not helpful", "Neither", "Never tried to engage", "Quite good [-1]"], scale=True
    )
    assert [(s.label, s.valence, s.is_not_applicable) for s in specs] == [
        ("Very helpful", 2, False),
        ("Helpful", 1, False),
        ("Not helpful", -1, False),
        ("Neither", 0, False),
        ("Never tried to engage", None, True),
        ("Quite good", -1, False),
    ]
