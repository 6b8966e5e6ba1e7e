"""The period grammar of figure questions."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.search.periods import Month, Period, find_period


def months(y1, m1, y2, m2):
    return Period(Month(y1, m1), Month(y2, m2))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4 thang dau nam 2019", months(2019, 1, 2019, 4)),
        ("6 thang cuoi nam 2020", months(2020, 7, 2020, 12)),
        ("giai doan 2017-2021", months(2017, 1, 2021, 12)),
        ("nhiem ky 2020 - 2025", months(2020, 1, 2025, 12)),
        ("tu nam 2017 den nam 2019", months(2017, 1, 2019, 12)),
        ("thang 3/2020", months(2020, 3, 2020, 3)),
        ("thang 3 nam 2020", months(2020, 3, 2020, 3)),
        ("quy ii nam 2020", months(2020, 4, 2020, 6)),
        ("nam 2018", months(2018, 1, 2018, 12)),
        ("tinh den thang 5/2019", Period(None, Month(2019, 5))),
    ],
)
def test_period_phrases(text, expected):
    assert find_period(f"co bao nhieu luot {text} vay").period == expected


def test_relative_periods_use_the_given_day():
    assert find_period("nam nay bao nhieu", dt.date(2026, 11, 29)).period == months(2026, 1, 2026, 12)
    assert find_period("thang truoc bao nhieu", dt.date(2026, 1, 5)).period == months(2025, 12, 2025, 12)


def test_no_period_in_plain_question():
    assert find_period("nghi quyet 02 la gi") is None


def test_invalid_month_is_not_a_period():
    assert find_period("thang 13/2020") is None or find_period("thang 13/2020").period.start.month <= 12


@given(st.integers(1, 12), st.integers(1990, 2099))
def test_any_month_parses_to_itself(month, year):
    assert find_period(f"thang {month}/{year}").period == months(year, month, year, month)


@given(st.integers(1, 12), st.integers(1990, 2099))
def test_first_n_months_start_in_january(n, year):
    period = find_period(f"{n} thang dau nam {year}").period
    assert period.start == Month(year, 1) and period.end == Month(year, n)
    assert period.contains(period)
