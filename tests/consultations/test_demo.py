"""Demo data from seed 003 Appendix 1 and seed 000: loads twice to the same state, reproduces the published figures."""

import pytest

from consultations import demo as consultations_demo
from consultations.models import Consultation, Quote, ResponseCount, ResultsChange, Theme
from consultations.results import format_percent
from consultations.selectors import question_results
from partnership import demo as partnership_demo

SEED_003 = {
    "Police": ["19%", "24%", "12%", "22%", "13%", "10%"],
    "Courts": ["15%", "10%", "6%", "7%", "3%", "59%"],
    "Social services": ["17%", "15%", "12%", "6%", "12%", "38%"],
    "Housing": ["9%", "10%", "13%", "16%", "16%", "36%"],
    "GP": ["28%", "14%", "17%", "5%", "5%", "31%"],
    "Maternity": ["10%", "5%", "0%", "2%", "0%", "83%"],
    "A&E": ["9%", "12%", "2%", "5%", "0%", "72%"],
    "Mental health services": ["16%", "9%", "5%", "7%", "7%", "56%"],
}


@pytest.fixture
def partnership(db):
    partnership = partnership_demo.load(with_passwords=False)
    consultations_demo.load(partnership)
    return partnership


def test_loading_twice_gives_the_same_data(partnership):
    before = (
        Consultation.objects.count(),
        ResponseCount.objects.count(),
        Theme.objects.count(),
        Quote.objects.count(),
        ResultsChange.objects.count(),
    )
    summary = consultations_demo.load(partnership)
    after = (
        Consultation.objects.count(),
        ResponseCount.objects.count(),
        Theme.objects.count(),
        Quote.objects.count(),
        ResultsChange.objects.count(),
    )
    assert before == after
    # Seed 003's four consultations only: seed 000's professionals survey is Tower Hamlets' (below).
    assert summary == "4 consultations, 7 questions, 61 counts, 54 approved quotes"


def test_every_service_reproduces_the_published_percentages(partnership):
    consultation = Consultation.objects.get(slug="survivor-interviews-2015-16")
    assert consultation.respondents == 69
    q1 = question_results(consultation)[0]
    assert {row.label: [s.percent_display for s in row.shares] for row in q1.rows} == SEED_003
    marac = question_results(consultation)[5]
    assert [s.percent_display for s in marac.rows[0].shares][:3] == ["33%", "33%", "33%"]
    barriers = question_results(consultation)[1]
    assert format_percent(barriers.rows[0].shares[0].percent) == "50%"


def test_quotes_are_approved_with_consent_and_attributed(partnership):
    quotes = Quote.objects.approved().for_partnership(partnership)
    assert quotes.count() == 54
    quote = quotes.get(text__startswith="Very helpful – two attending officers")
    assert quote.topic == "Police" and quote.approved_by.username == "strategic.lead"
    assert list(quote.events.values_list("action", flat=True)) == ["drafted", "checked", "approved"]


def test_focus_group_themes_and_outcomes(partnership):
    consultation = Consultation.objects.get(slug="cjs-focus-group-2015-16")
    assert list(consultation.themes.values_list("title", flat=True))[:3] == [
        "Desired outcomes",
        "A professional lottery",
        "Lasting first impressions",
    ]
    outcomes = question_results(consultation)[0]
    assert {row.label: (row.shares[0].count, row.answered) for row in outcomes.rows} == {
        "Felt believed": (4, 5),
        "Felt safer": (2, 5),
        "Felt the perpetrator was held to account": (2, 5),
        "Would go through the process again": (3, 5),
    }


@pytest.fixture
def tower_hamlets(db):
    partnership = partnership_demo.load("tower-hamlets", with_passwords=False)
    consultations_demo.load(partnership)
    return partnership


def test_the_professionals_survey_is_tower_hamlets_only(partnership, tower_hamlets):
    assert not Consultation.objects.filter(partnership=partnership, slug="professionals-consultation").exists()
    assert list(Consultation.objects.filter(partnership=tower_hamlets).values_list("slug", flat=True)) == [
        "professionals-consultation"
    ]
    quote = Quote.objects.approved().for_partnership(tower_hamlets).first()
    assert quote.approved_by.username == "th.lead"


def test_the_professionals_survey_shows_its_questions_without_invented_counts(tower_hamlets):
    consultation = Consultation.objects.get(partnership=tower_hamlets, slug="professionals-consultation")
    assert (consultation.respondents, consultation.other_participants) == (138, 26)
    refs = list(consultation.questions.values_list("ref", flat=True))
    assert refs == ["Q1", "Q2", "Q3", "Q3a", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10"]
    assert not ResponseCount.objects.filter(question__consultation=consultation).exists()
    q6 = consultation.questions.get(ref="Q6")
    assert "81% agreed with the three priorities" in q6.notes and "no counts are stored" in q6.notes
    q10 = consultation.questions.get(ref="Q10")
    assert q10.options.count() == 11 and q10.ranking_places == 4
    assert consultation.quotes.filter(status="approved").count() == 15
