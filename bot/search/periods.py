"""Periods in figure questions ("4 tháng đầu năm 2019", "giai đoạn 2017-2021", "tháng 3/2020").

A small grammar of our own over folded text, turning each phrase into a closed interval of
months. Relative phrases ("năm nay") are resolved against a date the caller passes, never the
clock read here, so answers and tests are reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Y = r"((?:19|20)\d{2})"
_SEP = r"\s*(?:-|den|toi|/)\s*"


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, ordered; arithmetic in whole months."""

    year: int
    month: int

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @classmethod
    def parse(cls, text: str, end: bool = False) -> Month:
        """Parse "YYYY-MM", or "YYYY" for a bound known only to the year (January as a start,
        December as an end): the statistics table's formats."""
        parts = text.strip().split("-")
        if len(parts) == 1:
            return cls(int(parts[0]), 12 if end else 1)
        year, month = parts
        result = cls(int(year), int(month))
        if not 1 <= result.month <= 12 or len(year) != 4:
            raise ValueError(f"month out of range: {text!r}")
        return result

    def shift(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    """A closed interval of months; either end may be open (None)."""

    start: Month | None
    end: Month | None

    def contains(self, other: Period) -> bool:
        """True when ``other`` lies wholly inside this period."""
        lo_ok = self.start is None or (other.start is not None and other.start >= self.start)
        hi_ok = self.end is None or (other.end is not None and other.end <= self.end)
        return lo_ok and hi_ok

    def label(self) -> str:
        """Vietnamese label: "tháng 3/2020", "năm 2019", "tháng 1/2017 – tháng 5/2019"."""
        s, e = self.start, self.end
        if s and e and s == e:
            return f"tháng {s.month}/{s.year}"
        if s and e and s.year == e.year and s.month == 1 and e.month == 12:
            return f"năm {s.year}"
        if s and e and s.year == e.year and s.month == 1:
            return f"{e.month} tháng đầu năm {s.year}"
        if s and e and s.month == 1 and e.month == 12:
            return f"giai đoạn {s.year}–{e.year}"
        if s and e:
            return f"tháng {s.month}/{s.year} – tháng {e.month}/{e.year}"
        if e:
            return f"đến tháng {e.month}/{e.year}"
        if s:
            return f"từ tháng {s.month}/{s.year}"
        return "mọi thời kỳ"


def describe_bounds(start: str | None, end: str | None) -> str:
    """Vietnamese label of a statistics row's period from its stored bounds ("2017", "2019-05"),
    saying no more than the data know: a year-only start is "từ năm 2017", not "tháng 1/2017";
    no bounds (the source gives no period) is an empty label."""

    def bound(text: str) -> str:
        parts = text.split("-")
        return f"năm {parts[0]}" if len(parts) == 1 else f"tháng {int(parts[1])}/{parts[0]}"

    if start and end:
        if start == end:
            return bound(start)
        period = Period(Month.parse(start), Month.parse(end, end=True))
        if "-" in start and "-" in end:
            return period.label()
        return f"từ {bound(start)} đến {bound(end)}"
    if end:
        return f"đến {bound(end)}"
    return f"từ {bound(start)}" if start else ""


_TYPED_MONTH = re.compile(r"(\d{1,2})\s*/\s*(\d{4})|(\d{4})-(\d{2})")


def typed_period(text: str) -> tuple[str, str]:
    """The period of a figure an admin types, in chat or on the command line: one month
    ("10/2026", "2026-10") or the first and last of a range ("1/2026 - 3/2026",
    "2026-01:2026-03"), as (start, end) in the statistics table's "YYYY-MM"; raises ValueError
    with a Vietnamese hint otherwise."""
    found = [Month(int(y or y2), int(m or m2)) for m, y, y2, m2 in _TYPED_MONTH.findall(text)]
    if not found or not all(1 <= month.month <= 12 for month in found):
        raise ValueError("Kỳ chưa đúng; gõ dạng 10/2026 hoặc 2026-10, hoặc 1/2026 - 3/2026 cho một giai đoạn.")
    return str(found[0]), str(found[-1])


@dataclass(frozen=True)
class PeriodMatch:
    """A period found in a question, with the folded text span it came from."""

    period: Period
    span: tuple[int, int]


def _months(y1: int, m1: int, y2: int, m2: int) -> Period:
    return Period(Month(y1, m1), Month(y2, m2))


def _year_range(m: re.Match) -> Period:
    y1, y2 = int(m.group(1)), int(m.group(2))
    return _months(min(y1, y2), 1, max(y1, y2), 12)


def _first_months(m: re.Match) -> Period:
    n, year = int(m.group(1)), int(m.group(2))
    return _months(year, 1, year, max(1, min(n, 12)))


def _last_months(m: re.Match) -> Period:
    n, year = int(m.group(1)), int(m.group(2))
    return _months(year, 13 - max(1, min(n, 12)), year, 12)


def _half(m: re.Match) -> Period:
    year = int(m.group(2))
    return _months(year, 1, year, 6) if m.group(1) == "dau" else _months(year, 7, year, 12)


def _quarter(m: re.Match) -> Period:
    q, year = _ROMAN[m.group(1)], int(m.group(2))
    return _months(year, 3 * q - 2, year, 3 * q)


def _month(m: re.Match) -> Period | None:
    month, year = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return _months(year, month, year, month)


def _month_range(m: re.Match) -> Period | None:
    m1, y1, m2, y2 = (int(g) for g in m.groups())
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None
    return _months(y1, m1, y2, m2)


def _until_month(m: re.Match) -> Period | None:
    month, year = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return Period(None, Month(year, month))


def _since_year(m: re.Match) -> Period:
    """"từ 2017 đến nay": open towards now; answered with the latest figure since then."""
    return Period(Month(int(m.group(1)), 1), None)


def _year(m: re.Match) -> Period:
    year = int(m.group(1))
    return _months(year, 1, year, 12)


# Most specific first: the first pattern that matches a span wins it.
_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], Period | None]]] = [
    (re.compile(rf"\btu (?:nam )?{_Y} (?:den|toi|cho den) (?:nay|hien nay|bay gio|gio|hien tai)\b"), _since_year),
    (re.compile(rf"\btu thang (\d{{1,2}})[/ ](?:nam )?{_Y}{_SEP}(?:thang )?(\d{{1,2}})[/ ](?:nam )?{_Y}"), _month_range),
    (re.compile(rf"\b(?:tinh )?(?:den|toi) (?:het )?thang (\d{{1,2}})(?:/| nam |/nam )?{_Y}"), _until_month),
    (re.compile(rf"\b(\d{{1,2}}) thang dau(?: cua)?(?: nam)? {_Y}"), _first_months),
    (re.compile(rf"\b(\d{{1,2}}) thang cuoi(?: cua)?(?: nam)? {_Y}"), _last_months),
    (re.compile(rf"\b(?:nua|sau thang|6 thang) (dau|cuoi)(?: nam)? {_Y}"), _half),
    (re.compile(rf"\bquy (iv|iii|ii|i|1|2|3|4)(?:/| nam |/nam | ){_Y}"), _quarter),
    (re.compile(rf"\b(?:giai doan|nhiem ky|thoi ky|tu nam|tu|nam)? ?{_Y}{_SEP}(?:nam )?{_Y}"), _year_range),
    (re.compile(rf"\bthang (\d{{1,2}})(?:/| nam |/nam | - ){_Y}"), _month),
    (re.compile(rf"\b(\d{{1,2}})/{_Y}\b"), _month),
    (re.compile(rf"\b(?:nam|trong nam|nam nam) {_Y}"), _year),
    (re.compile(rf"(?<![\d/]){_Y}(?![\d/])"), _year),
]

_RELATIVE: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bthang nay\b"), "this_month"),
    (re.compile(r"\bthang (?:truoc|vua qua|roi)\b"), "last_month"),
    (re.compile(r"\bnam nay\b"), "this_year"),
    (re.compile(r"\bnam (?:ngoai|truoc|roi|vua qua)\b"), "last_year"),
]


def _relative(kind: str, today: dt.date) -> Period:
    this = Month(today.year, today.month)
    if kind == "this_month":
        return Period(this, this)
    if kind == "last_month":
        prev = this.shift(-1)
        return Period(prev, prev)
    year = today.year if kind == "this_year" else today.year - 1
    return _months(year, 1, year, 12)


def find_period(folded: str, today: dt.date | None = None) -> PeriodMatch | None:
    """Return the first period phrase in folded text, or None when the question names none."""
    for pattern, build in _PATTERNS:
        m = pattern.search(folded)
        if m:
            period = build(m)
            if period is not None:
                return PeriodMatch(period, m.span())
    if today is not None:
        for pattern, kind in _RELATIVE:
            m = pattern.search(folded)
            if m:
                return PeriodMatch(_relative(kind, today), m.span())
    return None
