from datetime import date

import pytest

from vawg.periods import FinancialYear, PeriodError, Quarter
from vawg.rag import Rag, parse_rag


@pytest.mark.parametrize("text", ["2015-16", "2015/16", "2015-2016", "2015/2016", " 2015 - 16 "])
def test_financial_year_accepts_the_ways_people_write_it(text):
    assert str(FinancialYear.parse(text)) == "2015-16"


@pytest.mark.parametrize("text", ["2015-17", "2015", "15-16", "2015-15", "next year"])
def test_financial_year_refuses_what_is_not_one(text):
    with pytest.raises(PeriodError):
        FinancialYear.parse(text)


def test_quarters():
    q3 = Quarter.parse("2015/16 Q3")
    assert str(q3) == "2015-16 Q3"
    assert q3.months == "Oct-Dec"
    assert str(Quarter(2015, 1).previous) == "2014-15 Q4"
    assert str(Quarter(2015, 4).next) == "2016-17 Q1"
    assert Quarter.containing(date(2016, 2, 10)) == Quarter(2015, 4)
    assert Quarter(2015, 4).starts_on == date(2016, 1, 1)
    assert FinancialYear.containing(date(2016, 3, 31)) == FinancialYear(2015)
    with pytest.raises(PeriodError):
        Quarter(2015, 5)


@pytest.mark.parametrize(
    ("word", "rating"),
    [("Green", Rag.GREEN), (" yellow ", Rag.AMBER), ("AMBER", Rag.AMBER), ("Blue", Rag.COMPLETE), ("", Rag.NOT_RATED)],
)
def test_rag_words_as_spreadsheets_write_them(word, rating):
    assert parse_rag(word) is rating


def test_unknown_rag_word_is_refused():
    with pytest.raises(ValueError, match="is not a RAG rating"):
        parse_rag("Purple")
