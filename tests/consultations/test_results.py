"""Percentages, bases and ranking scores worked out from counts."""

from decimal import Decimal

import pytest

from consultations.models import Question
from consultations.results import format_percent, headline, ranking_points_note, summarise
from consultations.selectors import question_results
from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts


@pytest.fixture
def consultation(world):
    return ConsultationFactory(partnership=world.partnership, respondents=69)


def test_police_counts_reproduce_the_seed_percentages(consultation):
    question = make_question(consultation, items=["Police"])
    set_counts(question, {("Police", label): count for label, count in POLICE.items()})
    [result] = question_results(consultation)
    row = result.rows[0]
    assert [s.percent_display for s in row.shares] == ["19%", "24%", "12%", "22%", "13%", "10%"]
    assert row.base == 68 and row.answered == 68
    assert format_percent(row.side_percent(1)) == "43%"
    assert format_percent(row.side_percent(-1)) == "35%"
    assert "including 'No experience'" in result.base_note


def test_no_experience_can_be_shown_apart_from_the_base(consultation):
    consultation.separate_no_answer = True
    consultation.save()
    question = make_question(consultation, items=["Police"])
    set_counts(question, {("Police", label): count for label, count in POLICE.items()})
    [result] = question_results(consultation)
    row = result.rows[0]
    assert row.base == 61  # 68 answered, 7 had no experience
    assert [s.label for s in row.set_apart] == ["No experience"]
    assert row.set_apart[0].percent_display == "10%"  # of everyone who answered
    assert row.shares[0].percent_display == "21%"  # 13 of 61
    assert "shown apart" in result.base_note


def test_a_question_can_overrule_the_consultation_setting(consultation):
    question = make_question(consultation, items=["Police"], no_answer_base=Question.NoAnswerBase.SEPARATE)
    set_counts(question, {("Police", label): count for label, count in POLICE.items()})
    assert summarise(question).rows[0].base == 61


def test_multiple_choice_percentages_are_of_those_who_answered(consultation):
    question = make_question(
        consultation, kind=Question.Kind.MULTIPLE_CHOICE, options=["Refuges", "IDVAs", "Counselling"], respondents=40
    )
    set_counts(question, {(None, "Refuges"): 30, (None, "IDVAs"): 20, (None, "Counselling"): 10})
    row = summarise(question).rows[0]
    assert [s.percent_display for s in row.shares] == ["75%", "50%", "25%"]
    assert row.base == 40


def test_ranking_is_scored_by_points_and_first_places(consultation):
    question = make_question(
        consultation, kind=Question.Kind.RANKING, options=["Fear of agencies", "Language", "Money"], ranking_places=2
    )
    set_counts(
        question,
        {
            (None, "Fear of agencies", 1): 10,
            (None, "Fear of agencies", 2): 5,
            (None, "Language", 1): 12,
            (None, "Money", 2): 20,
        },
    )
    result = summarise(question)
    assert [(r.option.label, r.points, r.first) for r in result.ranking] == [
        ("Fear of agencies", 25, 10),
        ("Language", 24, 12),
        ("Money", 20, 0),
    ]
    assert [r.place for r in result.ranking] == [1, 2, 3]
    assert result.ranking[0].first_percent == Decimal(10 * 100) / 69
    assert result.points_note.startswith("Points: 2 for each first place and 1 for each second place.")
    assert "'Fear of agencies' scores most points (25)" in headline(result)


def test_points_note_states_the_scoring_for_four_places():
    assert ranking_points_note(4).startswith(
        "Points: 4 for each first place, 3 for each second place, 2 for each third place and 1 for each fourth place."
    )


def test_table_has_percentages_and_numbers(consultation):
    question = make_question(consultation, items=["Police"])
    set_counts(question, {("Police", label): count for label, count in POLICE.items()})
    head, rows = summarise(question).table()
    assert head[0] == "Item" and head[1] == "Very positive"
    assert rows == [["Police", "19% (13)", "24% (16)", "12% (8)", "22% (15)", "13% (9)", "10% (7)", "68", "68"]]
