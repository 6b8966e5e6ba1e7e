"""Searchable things: FAQ entries, passages of source text and figure metrics.

Each class knows the texts it is found by, how it adjusts a match score for what it is, and
how it renders its answer, in the manner of python-telegram-bot's rules-bot.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from . import lexicon
from .analysis import Query, article_number, counts_noun, normalize, quantities, stated_amounts
from .asks import gives
from .periods import Month, Period
from .text import fold_for_matching, shorten

FIGURE_MISMATCH = 0.5
"""Score factor for an item that holds no count of what a figure question asks about."""
TYPE_MISMATCH = 0.8
"""Score factor for a figure offered to a question that asks who, when, where or what."""
ASK_MISMATCH = 0.35
"""Score factor for an answer that lacks what the question asks for (a person, a place, a
date, names) beyond what the question itself says: the topic, not the answer."""
AMOUNT_MISMATCH = 0.5
"""Score factor for an answer about another amount than the question states ("5 năm" asked,
"2 năm" answered)."""
FIGURE_NEVER_GIVES = frozenset({"names", "name", "person", "signer", "venue", "place", "day"})
"""What a question may ask for (see asks.ASKS) that a figure never holds."""
TITLE_LENGTH = 40
"""Characters of a title on a button or a numbered line."""
VALUE_ASKED = 1.5
"""Score factor for a metric when the question names one of its figures and asks what it is."""
METRIC_BONUS = 6.0
"""Ranking points for a metric on a figure question, and again when it has the asked period."""


@dataclass
class Rendered:
    """An item's answer to one question. ``found`` is False when the item knows the topic but
    has no answer for what was asked (a figure for a period with no data)."""

    text: str
    found: bool = True
    as_of: str | None = None


@dataclass
class Item:
    """Base of every searchable thing."""

    key: str
    title: str
    phrasings: list[str]
    body: str
    source: str | None
    weight: float = 1.0
    label: str = ""
    """A short title written for buttons and lists (empty: made from the question)."""
    # Filled in when the engine indexes the item: normalized phrasing texts, and the ids of
    # the numbers in them (what the item is about, as opposed to what its answer mentions).
    match_texts: list[str] = field(default_factory=list, repr=False)
    match_plain: list[str] = field(default_factory=list, repr=False)
    subject_terms: set[int] = field(default_factory=set, repr=False)
    types: frozenset[str] = field(default_factory=frozenset, repr=False)

    def texts(self) -> list[str]:
        """Texts that ask for this item: compared with the question word by word."""
        return [self.title, *self.phrasings]

    def adjust(self, query: Query, score: float) -> float:
        """Item-specific correction of the match confidence (0-100); the default trusts it."""
        return score

    def preference(self, query: Query) -> float:
        """Points that rank this item above equally confident ones, without raising confidence."""
        return 0.0

    def render(self, query: Query, today: dt.date) -> Rendered:
        raise NotImplementedError

    def suggestion(self) -> str:
        """How the item is offered when the bot is unsure: a question a user can tap."""
        return self.title

    def short(self) -> str:
        """The item on a button or a numbered line: its written title, else its question cut
        at a word (never mid-word)."""
        return self.label or shorten(self.suggestion(), TITLE_LENGTH)


def _period_fits(item_text: str, query: Query) -> bool:
    """A figure asked for a period needs an answer that speaks of a year in that period."""
    period = query.period.period if query.period else None
    if period is None or not query.figure:
        return True
    first = period.start.year if period.start else 1900
    last = period.end.year if period.end else 2100
    years = {int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", item_text)}
    return any(first <= y <= last for y in years)


@functools.lru_cache(maxsize=4096)
def _amounts_in(item_text: str) -> list[tuple[str, str]]:
    """The amounts an item's text states, kept: an item is a candidate for many questions."""
    return stated_amounts(normalize(item_text))


def _amounts_agree(item_text: str, query: Query) -> bool:
    """Whether an answer speaks of the amounts a question states: "sơ kết 5 năm" is not
    answered by a text that only speaks of 2 năm (a text silent on years may still answer)."""
    said = _amounts_in(item_text)
    return all(
        (number, noun) in said or all(other != noun for _, other in said)
        for number, noun in query.stated
    )


def _quantity_fits(item_text: str, query: Query) -> bool:
    """A figure question needs an answer holding a count, of the counted noun if one is named."""
    found = quantities(fold_for_matching(item_text))
    if not found:
        return False
    if query.count_noun is None:
        return True
    return any(counts_noun(query.count_noun, following.split()) for _, following in found)


_UNSAID_RE = re.compile(r"[^.;]*không nêu ([^.;]*)[.;]?", re.IGNORECASE)
_UNSAID_KINDS = {
    "day": re.compile(r"\bngay\b"),
    "place": re.compile(r"\b(?:nhung|cac) (?:xa|phuong|noi)\b|\bdia diem\b"),
    "figure": re.compile(r"\b(?:con so|so nguoi|so luong)\b"),
}
_ASKED_KINDS = {
    "day": re.compile(r"\bngay (?:nao|may|bao nhieu|thang)\b"),
    "place": re.compile(r"\b(?:xa|phuong|noi) nao\b|\bnhung (?:xa|phuong)\b|\bo dau\b|\bdia diem\b"),
    "figure": re.compile(r"\b(?:bao nhieu|(?<!thu )may|so luong|con so)\b"),  # not "lần thứ mấy"
}
_QUESTION_WORD_RE = re.compile(r"\b(?:bao nhieu|(?<!thu )may)\b")
UNSAID_SHARE = 0.5
"""Share of the word pairs of what an answer says it lacks that a question must hold to ask it."""


@functools.lru_cache(maxsize=4096)
def _unsaid(answer: str) -> list[tuple[frozenset[str], tuple[str, ...], str]]:
    """What an answer says its source does not give ("Bài báo không nêu cụ thể số người hay
    những xã …"): for each such sentence, the kinds of detail (day, place, figure), its topic
    word pairs in order and the sentence itself."""
    found = []
    for match in _UNSAID_RE.finditer(answer):
        tokens = normalize(match.group(1))
        folded = " ".join(tokens)
        kinds = frozenset(kind for kind, rx in _UNSAID_KINDS.items() if rx.search(folded))
        if kinds:
            said = {w for rx in _UNSAID_KINDS.values() for m in rx.finditer(folded) for w in m.group(0).split()}
            # word pairs, so that "hội nghị" and "chỉ tiêu" are topics though "hội" folds like
            # "hỏi" and "chỉ" is a generic word
            topic = tuple(dict.fromkeys(f"{a} {b}" for a, b in zip(tokens, tokens[1:])
                                        if not {a, b} & said and not {a, b} <= lexicon.STOPWORDS | lexicon.GENERIC_WORDS))
            found.append((kinds, topic, match.group(0).strip()))
    return found


def unsaid_asked(answer: str, query: Query) -> str | None:
    """The sentence of an answer that says its source does not give what the question asks
    ("Những xã nào đã luân chuyển ngang?"), if any: then the answer explains, it does not answer."""
    asked = " ".join(query.tokens)
    pairs = {f"{a} {b}" for a, b in zip(query.tokens, query.tokens[1:])}
    for kinds, topic, sentence in _unsaid(answer):
        if any(_ASKED_KINDS[k].search(asked) for k in kinds) and (
            not topic or len(pairs.intersection(topic)) >= UNSAID_SHARE * len(topic)
            # the first pair names what is lacking ("con số chỉ tiêu ..."): asked for with a
            # question word ("chỉ tiêu là bao nhiêu?"), not only named ("có đạt chỉ tiêu không?"),
            # nor asked with a count the answer gives ("..., tổng là bao nhiêu lượt?")
            or (topic[0] in pairs and _QUESTION_WORD_RE.search(asked)
                and not (query.count_noun and _quantity_fits(answer, query)))
        ):
            return sentence
    return None


def _lists_kinds(texts: list[str], query: Query) -> bool:
    """Whether an item asked about kinds ("những hướng nào") answers "có mấy hướng / mấy hình
    thức …" by naming them, not counting them."""
    return query.count_noun in lexicon.KIND_NOUNS and query.count_noun in _words_of(" ".join(texts))


@functools.lru_cache(maxsize=4096)
def _words_of(item_text: str) -> frozenset[str]:
    """An item's words, kept: an item is a candidate for many questions."""
    return frozenset(normalize(item_text))


@dataclass
class WrittenItem(Item):
    """An item whose answer is fixed text: it can answer a figure question only when the text
    holds a count of the asked thing for the asked period."""

    def adjust(self, query: Query, score: float) -> float:
        if query.figure and not (_quantity_fits(self.body, query) and _period_fits(self.body, query)
                                 or _lists_kinds(self.texts(), query)):
            score *= FIGURE_MISMATCH
        if not all(gives(ask, self.body, query.text) for ask in query.asks) and not unsaid_asked(self.body, query):
            score *= ASK_MISMATCH  # unless the answer says its source lacks it: then it explains that
        if query.stated and not _amounts_agree(" ".join([*self.texts(), self.body]), query):
            score *= AMOUNT_MISMATCH
        return score


@dataclass
class FaqItem(WrittenItem):
    """A question with a short written answer."""

    as_of: str | None = None
    tags: list[str] = field(default_factory=list)
    gap: bool = False
    """A known gap: the answer explains what the sources do not say, and never counts as found."""

    def render(self, query: Query, today: dt.date) -> Rendered:
        missing = unsaid_asked(self.body, query)
        if missing:  # what the source lacks first, then what it does say (without its "Có, ")
            said = re.sub(r"^(?:Có|Không),\s*", "", self.body.replace(missing, "").strip())
            return Rendered(f"{missing} {said[:1].upper()}{said[1:]}".strip(), found=False, as_of=self.as_of)
        return Rendered(self.body, found=not self.gap, as_of=self.as_of)


@dataclass
class PassageItem(WrittenItem):
    """A passage of source text; found only when no written answer fits better."""

    weight: float = 0.92
    document: str = ""
    section: str = ""
    place: str = ""
    """Where it stands in a Word or PDF document ("Điều 8, khoản 2"): quoted with its place;
    empty for other passages (summaries), given as written."""

    def texts(self) -> list[str]:
        return [self.title]

    def render(self, query: Query, today: dt.date) -> Rendered:
        if self.place:
            return Rendered(f"Theo {self.place} {self.document}: “{self.body}”")
        return Rendered(self.body)


@dataclass
class StatRow:
    """One figure: a value (or a range) for a period and scope."""

    value: float
    value_max: float | None
    unit: str
    period: Period
    scope: str
    source: str
    note: str
    label: str = ""
    """The period in words, no more precise than the stored bounds."""

    def value_text(self) -> str:
        text = format_number(self.value)
        if self.value_max is not None and self.value_max != self.value:
            text += f"–{format_number(self.value_max)}"
        return text


def format_number(value: float) -> str:
    """Vietnamese number format: 1.234 and 2,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",").replace(" ", ".")


@dataclass
class MetricItem(Item):
    """A figure people ask for ("bao nhiêu lượt cán bộ..."), answered from the statistics table
    for the period the question names."""

    unit: str = ""
    scope: str = ""
    rows: list[StatRow] = field(default_factory=list)

    def texts(self) -> list[str]:
        # Each figure is also findable by its value: "con số 136 là gì".
        by_value = [f"{row.value_text()} {self.unit} {self.title}" for row in self.rows]
        return [self.title, *self.phrasings, *by_value]

    def suggestion(self) -> str:
        return f"Có bao nhiêu {self.title}?"

    def adjust(self, query: Query, score: float) -> float:
        # What a metric counts is its unit and the head of its label ("lượt cán bộ...", "đồng chí
        # được..."): "bao nhiêu điều" is not counted by "lượt ... điều động".
        words = normalize(self.unit) + normalize(self.title)[:1]
        if query.count_noun and not counts_noun(query.count_noun, words):
            return score * FIGURE_MISMATCH
        if query.stated and not _amounts_agree(" ".join([*self.texts(), *(row.note for row in self.rows)]), query):
            return score * AMOUNT_MISMATCH
        if query.figure and any(n in self._values() and counts_noun(noun, words) for n, noun in query.stated):
            # "trong 136 lượt, bao nhiêu lượt ...": the question holds this figure and asks another.
            return score * FIGURE_MISMATCH
        if query.asks & FIGURE_NEVER_GIVES:
            # "tên 7 đồng chí đó là gì", "hội trường nào": a count names nobody and nowhere.
            return score * ASK_MISMATCH
        if "definition" in query.types and not self._value_asked(query):
            # "luân chuyển cán bộ là gì": what a thing is, which no count says.
            return score * FIGURE_MISMATCH
        if query.types - {"figure"} and not (query.figure or self._value_asked(query)):
            # "gồm những ai", "khi nào": a figure rarely answers who or when.
            return score * TYPE_MISMATCH
        if self._value_asked(query) and not query.figure and query.types <= {"definition", "figure", "when"}:
            # "con số 82 có nghĩa là gì", "136 lượt tính đến khi nào": the figure itself is asked about.
            return min(100.0, score * VALUE_ASKED)
        return score

    def _value_asked(self, query: Query) -> bool:
        """Whether the question names one of the figures ("82 lượt là gì")."""
        values = self._values()
        return any(t in values and not article_number(query.tokens, i) for i, t in enumerate(query.tokens))

    def _values(self) -> set[str]:
        """The figures, as written in answers ("136", "1–2")."""
        return {row.value_text() for row in self.rows}

    def preference(self, query: Query) -> float:
        # Figures are answered from the table first, from the rows of the asked period best.
        bonus = METRIC_BONUS if query.figure else 0.0
        if self._value_asked(query):
            bonus += 2 * METRIC_BONUS  # "con số 136 là gì": the figure itself is asked about
        if query.period is not None and any(self._rows_for(query.period.period)):
            bonus += METRIC_BONUS
        return bonus

    def _rows_for(self, period: Period) -> tuple[list[StatRow], list[StatRow]]:
        exact = [r for r in self.rows if r.period == period or (period.start is None and r.period.end == period.end)]
        inside = [r for r in self.rows if r not in exact and period.contains(r.period)]
        return exact, inside

    def render(self, query: Query, today: dt.date) -> Rendered:
        if not self.rows:
            return Rendered(f"Chưa có số liệu về {self.title}.", found=False)
        period = query.period.period if query.period is not None else None
        if period is None or (period.end is None and period.start is not None):
            # No period, or "từ 2017 đến nay": the latest figure (since that start); the widest
            # one when the whole is asked ("tổng cộng", "đến nay").
            rows = [r for r in self.rows if period is None or period.contains(r.period)]
            if not rows:
                known = "; ".join(f"{r.label or 'không rõ thời điểm'}: {self._figure(r)}" for r in self.rows[-3:])
                return Rendered(f"Chưa có số liệu về {self.title} {period.label() if period else ''} đến nay. "
                                f"Số liệu hiện có: {known}.", found=False)
            if query.cumulative or period is not None:
                row = max(rows, key=lambda r: (_span(r), r.period.end or Month(1, 1)))
            else:
                row = max(rows, key=lambda r: (r.period.end or Month(1, 1), -(r.period.start or Month(1, 1)).index))
            return self._answer([row])
        exact, inside = self._rows_for(period)
        if exact:
            return self._answer(exact[:1])
        if inside:
            chosen = _disjoint(inside)
            if len(chosen) == 1:
                row = chosen[0]
                text = (
                    f"Chưa có số liệu cho trọn {period.label()}; số liệu có được trong khoảng đó "
                    f"({row.label}, {row.scope or self.scope}): {self._figure(row)}."
                )
                # A part is an answer to "năm 2019", not to "cả năm 2019, tổng cộng".
                return Rendered(_with_note(text, row), found=not query.cumulative, as_of=_as_of(row))
            total = sum(r.value for r in chosen)
            months = ", ".join(r.label for r in chosen)
            text = (f"Tổng {self.title} trong {period.label()} (các kỳ có số liệu: {months}): "
                    f"{format_number(total)} {self.unit}.")
            return Rendered(text, as_of=_as_of(chosen[-1]))
        if query.cumulative and not _WHOLE_PERIOD_RE.search(" ".join(query.tokens)):
            # "tổng cộng ... từ 2017", "tính đến hội nghị năm 2019": the whole counted from or up
            # to a time in the asked period answers it, under its own dates; not "cả năm 2019",
            # which asks for that year alone.
            touching = [r for r in self.rows if _bound_within(r.period, period)]
            if touching:
                return self._answer([max(touching, key=_span)])
        known = "; ".join(f"{r.label or 'không rõ thời điểm'}: {self._figure(r)}" for r in self.rows[-3:])
        return Rendered(
            f"Chưa có số liệu về {self.title} cho {period.label()}. Số liệu hiện có: {known}.", found=False
        )

    def _figure(self, row: StatRow) -> str:
        unit = row.unit or self.unit
        if self.title.lower().startswith(unit.lower()):
            return f"{row.value_text()} {self.title}"
        return f"{row.value_text()} {unit} {self.title}"

    def _answer(self, rows: list[StatRow]) -> Rendered:
        row = rows[0]
        scope = row.scope or self.scope
        if row.label:
            text = f"Theo số liệu {row.label} ({scope}): {self._figure(row)}."
        else:  # the source gives no period, and none is made up
            text = f"{scope[:1].upper()}{scope[1:]}: {self._figure(row)} (nguồn không nêu thời điểm cụ thể)."
        return Rendered(_with_note(text, row), as_of=_as_of(row))


def _with_note(text: str, row: StatRow) -> str:
    note = row.note.strip()
    if not note:
        return text
    return f"{text} {note[0].upper()}{note[1:]}{'' if note.endswith('.') else '.'}"


def _as_of(row: StatRow) -> str | None:
    end = row.period.end
    return f"{end.year:04d}-{end.month:02d}" if end else None


_WHOLE_PERIOD_RE = re.compile(r"\b(?:" + "|".join(lexicon.WHOLE_PERIOD_WORDS) + r")\b")


def _bound_within(row: Period, period: Period) -> bool:
    """Whether a row starts or ends inside a period (a figure counted from or up to then)."""
    return any(bound is not None and period.contains(Period(bound, bound)) for bound in (row.start, row.end))


def _span(row: StatRow) -> int:
    """Months a row covers (an open start counts as far back as can be)."""
    start = row.period.start or Month(1, 1)
    end = row.period.end or Month(9999, 12)
    return end.index - start.index


def _disjoint(rows: list[StatRow]) -> list[StatRow]:
    """Non-overlapping rows, widest first, so a sum never counts a month twice."""
    chosen: list[StatRow] = []
    for row in sorted(rows, key=lambda r: (r.period.start or Month(1, 1)).index - (r.period.end or Month(9999, 12)).index):
        if all(_apart(row.period, c.period) for c in chosen):
            chosen.append(row)
    return sorted(chosen, key=lambda r: (r.period.start or Month(1, 1)))


def _apart(a: Period, b: Period) -> bool:
    a_start, a_end = a.start or Month(1, 1), a.end or Month(9999, 12)
    b_start, b_end = b.start or Month(1, 1), b.end or Month(9999, 12)
    return a_end < b_start or b_end < a_start
