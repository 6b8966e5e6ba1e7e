"""A follow-up that asks for a detail of the answer just given.

After "thời gian luân chuyển tối thiểu là 3 năm (36 tháng)", an official asks "tính ra mấy
tháng?"; after an answer on QĐ 98, "ban hành ngày nào?". The answer is already on the screen,
in a sentence of the previous answer, and often in no other item: the question adds nothing
a search could find. Such a follow-up is answered with that sentence, but only when the
sentence gives exactly the kind of thing asked (a day when a day is asked, a count of the noun
asked, a duration, an article, a term) and every word the follow-up adds is in the previous answer
("ông ấy sinh năm nào?" adds "sinh": not said, so not answered).
"""

from __future__ import annotations

import re

from .analysis import Query, counts_noun, quantities
from .asks import gives
from .text import fold_for_matching

_SENTENCE_RE = re.compile(r"[^.;]+(?:[.;]|$)")
_DURATION_RE = re.compile(r"\b\d+ (?:nam|thang|nhiem ky)\b")
DURATION_ASK = "thoi han"
"""How the analyzer reads "bao lâu" (a synonym of "thời hạn")."""


def asked(query: Query) -> bool:
    """Whether a question asks for a kind of detail a sentence can be checked for."""
    return bool(query.asks) or (query.figure and query.count_noun is not None) or _asks_duration(query)


def sentences_giving(query: Query, answer: str) -> list[str]:
    """The sentences of an answer that give what the question asks, in order; [] when none does."""
    found = [s.strip() for s in _SENTENCE_RE.findall(answer) if s.strip() and _gives(query, s)]
    return [re.sub(r"[;,]$", ".", s) for s in found]  # a clause of a longer sentence ends as one


def _gives(query: Query, sentence: str) -> bool:
    """Whether one sentence holds every kind of thing the question asks for."""
    folded = fold_for_matching(sentence)
    if not all(gives(kind, sentence, query.text) for kind in query.asks):
        return False
    if query.figure and query.count_noun is not None and not any(
        counts_noun(query.count_noun, following.split()) for _, following in quantities(folded)
    ):
        return False
    return not _asks_duration(query) or bool(_DURATION_RE.search(folded))


def _asks_duration(query: Query) -> bool:
    return DURATION_ASK in " ".join(query.tokens)
