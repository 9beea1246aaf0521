"""Charts: what they draw, their alt text, their colours, and that each is drawn once per change of data."""

import re

import pytest

from consultations import charts
from consultations.models import Consultation, Question
from consultations.selectors import comparisons_for, question_results
from partnership.charts import draw_stored
from partnership.models import ChartDrawing
from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts
from vawg import charts as base
from vawg import palette


@pytest.fixture
def consultation(world):
    return ConsultationFactory(partnership=world.partnership, respondents=69)


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def police_result(consultation):
    question = make_question(consultation, items=["Police", "Courts"])
    set_counts(question, {("Police", label): n for label, n in POLICE.items()} | {("Courts", "Very positive"): 10})
    return question_results(consultation)[0]


def test_diverging_chart_puts_negative_left_positive_right_and_no_experience_apart(consultation):
    data = charts.chart_data(police_result(consultation))
    assert data["type"] == "diverging"
    assert [entry["label"] for entry in data["legend"]] == [
        "Very negative",
        "Negative",
        "Neutral",
        "Positive",
        "Very positive",
    ]
    assert data["apart_label"] == "No experience"
    police = data["rows"][0]
    assert (police["positive"], police["negative"], police["apart_display"]) == ("43%", "35%", "10%")
    chart = base.draw(charts.spec_of(data))
    labels = texts(chart.svg)
    assert "Police" in labels and "19%" in labels and "No experience" in labels  # text stays text
    assert chart.title == "Most positive: Courts (100%); most negative: Police (35%)"
    assert chart.alt.startswith("Q1. Police: 43% positive, 35% negative, 10% no experience or don't know")
    assert "<title>" in chart.svg and 'role="img"' in chart.svg
    assert palette.DARK_BLUE.lower() in chart.svg.lower() and palette.DARK_PINK.lower() in chart.svg.lower()


def test_ranking_chart_is_ranked_by_points_with_direct_labels(consultation):
    question = make_question(
        consultation, ref="Q3", kind=Question.Kind.RANKING, options=["Fear of agencies", "Language"], ranking_places=2
    )
    set_counts(question, {(None, "Language", 1): 3, (None, "Fear of agencies", 1): 9, (None, "Language", 2): 2})
    chart = charts.question_chart(question_results(consultation)[0])
    assert chart.title == "'Fear of agencies' ranked highest: 18 points, first for 9"
    labels = texts(chart.svg)
    assert labels.index("Fear of agencies") < labels.index("Language")
    assert "18 points; first 9 (13%)" in labels
    assert "Points: 2 for each first place and 1 for each second place." in chart.alt


def test_choice_chart_orders_answers_by_how_many_chose_them(consultation):
    question = make_question(
        consultation, ref="Q2", kind=Question.Kind.MULTIPLE_CHOICE, options=["Refuges", "IDVAs"], respondents=20
    )
    set_counts(question, {(None, "Refuges"): 5, (None, "IDVAs"): 15})
    chart = charts.question_chart(question_results(consultation)[0])
    assert chart.title == "'IDVAs' was chosen most (75% of those who answered)"
    assert texts(chart.svg).index("IDVAs") < texts(chart.svg).index("Refuges")


def test_no_counts_no_chart(consultation):
    make_question(consultation)
    assert charts.question_chart(question_results(consultation)[0]) is None


def test_side_by_side_chart_of_survivors_and_professionals(world, consultation):
    ranking = {"kind": Question.Kind.RANKING, "options": ["Schools", "Police"], "ranking_places": 2}
    question = make_question(consultation, ref="Q10", comparison_key="influence", **ranking)
    set_counts(question, {(None, "Police", 1): 8, (None, "Schools", 1): 2})
    professionals = ConsultationFactory(
        partnership=world.partnership, audience=Consultation.Audience.PROFESSIONALS, title="Professionals"
    )
    twin = make_question(professionals, ref="Q10", comparison_key="influence", **ranking)
    set_counts(twin, {(None, "Schools", 1): 30, (None, "Police", 2): 10})
    results = question_results(consultation)
    comparisons = comparisons_for(world.partnership, results)
    chart = charts.comparison_chart(comparisons[question.pk])
    assert chart.title == "Side by side: Survivors and Professionals"
    assert "ranked 'Police' highest" in chart.alt and "ranked 'Schools' highest" in chart.alt
    assert "16 pts (place 1)" in texts(chart.svg) and "60 pts (place 1)" in texts(chart.svg)


def test_charts_are_drawn_by_the_task_runner_when_results_change_and_pages_only_read_them(
    world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = police_result(ConsultationFactory(partnership=world.partnership, respondents=69))
    assert len(callbacks) == 1  # many writes in one change: one drawing task
    [drawing] = ChartDrawing.objects.filter(partnership=world.partnership)
    assert drawing.key == charts.question_spec(result).key and drawing.provider == "consultations"
    with django_assert_num_queries(1):  # which are stored: nothing drawn, nothing written
        found, _ = charts.charts_for(world.partnership, [result], {})
    assert found[result.question.pk].url.endswith(f"/charts/{drawing.key}.svg")
    set_counts(result.question, {("Police", "Positive"): 3})
    draw_stored(world.partnership, ["consultations"])  # the task the change's commit hands to the task runner
    [redrawn] = ChartDrawing.objects.filter(partnership=world.partnership)
    assert redrawn.key != drawing.key  # the new figures' drawing; the old one is deleted with its file
    assert not redrawn.svg.storage.exists(drawing.svg.name)


def test_same_data_gives_the_same_svg(consultation):
    result = police_result(consultation)
    assert charts.question_chart(result).svg == charts.question_chart(result).svg


def test_palette_tints_keep_text_readable():
    assert palette.label_colour_on(palette.DARK_BLUE) == palette.WHITE
    assert palette.label_colour_on(palette.tint(palette.DARK_BLUE, 0.5)) == palette.TEXT
    assert palette.contrast_ratio(palette.DARK_BLUE, palette.WHITE) > 4.5


def test_a_drawing_stored_before_labels_were_plain_text_is_drawn_again(world, consultation, monkeypatch):
    """Drawings stored while a `$` pair was drawn as maths ("Under $5 ... Over $10" lost its dollars) are not
    served again: the drawing version is part of every chart's key."""
    question = make_question(
        consultation, ref="Q2", kind=Question.Kind.SINGLE_CHOICE, options=["Under $5 or Over $10", "Between $10_$20"]
    )
    set_counts(question, {(None, "Under $5 or Over $10"): 4, (None, "Between $10_$20"): 2})
    result = question_results(consultation)[0]
    monkeypatch.setattr(base, "CHART_VERSION", base.CHART_VERSION - 1)
    assert draw_stored(world.partnership, ["consultations"]) == 1
    old_key = ChartDrawing.objects.get().key
    monkeypatch.undo()
    drawn, _ = charts.charts_for(world.partnership, [result], {})
    assert not drawn[question.pk].url  # not the old drawing: drawn for this view
    labels = texts(drawn[question.pk].svg)
    assert "Under $5 or Over $10" in labels and "Between $10_$20" in labels
    assert draw_stored(world.partnership, ["consultations"]) == 1
    assert ChartDrawing.objects.get().key not in (old_key, "")
