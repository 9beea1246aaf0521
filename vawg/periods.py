"""Financial years (1 April to 31 March) and their quarters, as the partnership writes them.

Input accepts `2015-16`, `2015/16`, `2015-2016` and `2015/2016`; output is always `2015-16` and `2015-16 Q3`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/\u2013]\s*(\d{2}|\d{4})\s*$")
_QUARTER = re.compile(r"^\s*(.+?)\s+Q([1-4])\s*$", re.IGNORECASE)
QUARTER_MONTHS = {1: "Apr-Jun", 2: "Jul-Sep", 3: "Oct-Dec", 4: "Jan-Mar"}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class FinancialYear:
    start: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        match = _YEAR.match(str(text))
        if not match:
            raise PeriodError(f"{text!r} is not a financial year; write it like 2015-16.")
        start, end = int(match.group(1)), match.group(2)
        expected = start + 1
        if int(end) != (expected if len(end) == 4 else expected % 100):
            raise PeriodError(f"{text!r} is not a financial year: it must end the year after it starts, like 2015-16.")
        return cls(start)

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def starts_on(self) -> date:
        return date(self.start, 4, 1)

    @property
    def ends_on(self) -> date:
        return date(self.start + 1, 3, 31)

    @property
    def previous(self) -> FinancialYear:
        return FinancialYear(self.start - 1)

    @property
    def next(self) -> FinancialYear:
        return FinancialYear(self.start + 1)

    def quarters(self) -> list[Quarter]:
        return [Quarter(self.start, number) for number in range(1, 5)]

    def __str__(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # start year of the financial year
    number: int

    def __post_init__(self) -> None:
        if self.number not in QUARTER_MONTHS:
            raise PeriodError(f"Quarter {self.number} does not exist; quarters are Q1 to Q4.")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(str(text))
        if not match:
            raise PeriodError(f"{text!r} is not a quarter; write it like 2015-16 Q3.")
        return cls(FinancialYear.parse(match.group(1)).start, int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        year = FinancialYear.containing(day)
        months_in = (day.month - 4) % 12
        return cls(year.start, months_in // 3 + 1)

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one."""
        return self.year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def previous(self) -> Quarter:
        return Quarter.from_index(self.index - 1)

    @property
    def next(self) -> Quarter:
        return Quarter.from_index(self.index + 1)

    @property
    def months(self) -> str:
        return QUARTER_MONTHS[self.number]

    @property
    def starts_on(self) -> date:
        month = (3 + 3 * (self.number - 1)) % 12 + 1
        return date(self.year + (1 if self.number == 4 else 0), month, 1)

    def __str__(self) -> str:
        return f"{self.financial_year} Q{self.number}"
