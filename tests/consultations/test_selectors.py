"""What the annual report calls: consultations of a year with results, charts, themes and approved quotes."""

from datetime import date

from consultations import services
from consultations.selectors import approved_quotes, report_consultations
from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts
from vawg.periods import FinancialYear


def consultation_with_everything(partnership, lead, number, period_end=date(2016, 3, 31)):
    consultation = ConsultationFactory(partnership=partnership, respondents=69, period_end=period_end)
    question = make_question(consultation, items=["Police"])
    set_counts(question, {("Police", label): n for label, n in POLICE.items()})
    theme = services.theme_save(consultation=consultation, user=lead, title=f"Theme {number}")
    quote = services.quote_create(consultation=consultation, user=lead, text="They listened.", theme=theme)
    quote = services.quote_confirm_check(quote=quote, user=lead, reviewed_flags=True)
    services.quote_approve(quote=quote, user=lead, consent_given=True)
    services.quote_create(consultation=consultation, user=lead, text="A draft that no report may show.")
    return consultation


def test_report_consultations_of_a_year_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    consultation_with_everything(world.partnership, world.lead, 1)
    consultation_with_everything(world.partnership, world.lead, 0, period_end=date(2017, 1, 31))  # 2016-17
    report_consultations(world.partnership, financial_year=FinancialYear(2015))  # draws and stores the charts
    with django_assert_num_queries(9):
        pages = report_consultations(world.partnership, financial_year=FinancialYear(2015))
    for number in range(2, 6):
        consultation_with_everything(world.partnership, world.lead, number)
    report_consultations(world.partnership, financial_year=FinancialYear(2015))
    with django_assert_num_queries(9):
        pages = report_consultations(world.partnership, financial_year=FinancialYear(2015))
        sections = [page.sections() for page in pages]
        quotes = [quote.text for page in pages for theme in page.themes for quote in theme.approved_quotes]
    assert len(pages) == 5
    assert all(section.chart.svg.startswith("<svg") for page_sections in sections for section in page_sections)
    assert sections[0][0].rows[0][1] == "19% (13)"
    assert quotes == ["They listened."] * 5


def test_approved_quotes_selector_only_offers_approved_quotes_of_the_partnership(world):
    consultation_with_everything(world.partnership, world.lead, 1)
    consultation_with_everything(world.other_partnership, world.outsider_lead, 2)
    assert [q.text for q in approved_quotes(world.partnership)] == ["They listened."]
