"""The answering engine: a question in, a short sourced answer (or an honest "không tìm thấy") out.

Pipeline: clean and fold the text; answer greetings, thanks and help requests kindly; retrieve
candidates from the BM25 index; re-rank them on absolute features (how much of the question
the item covers, fuzzy similarity to its phrasings, numbers and counted nouns); answer only
when the best score clears a calibrated threshold, otherwise offer up to 3 suggestions.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from collections.abc import Sequence, Set
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from rapidfuzz import fuzz

from . import details, lexicon
from .analysis import (
    Analyzer,
    Query,
    bigrams,
    normalize,
    spell_out,
)
from .catalog import Catalog, ItemList
from .index import InvertedIndex
from .items import Item
from .readings import Reading, compound_parts, contrasts, leans_on_context, points_back, readings, unpointed
from .replies import (
    EMPTY_REPLY,
    GUESS_REPLY,
    NOT_FOUND_HINT,
    NOT_FOUND_REPLY,
    STALE_REPLY,
    UNREADABLE_REPLY,
    VAGUE_REPLY,
    smalltalk,
)
from .scoring import (
    MISSING_NUMBER,
    NUMBER_IN_PASSING,
    OPPOSITE,
    OTHER_PLACE,
    UNKNOWN_NAME,
    W_COVERAGE,
    W_FUZZY,
    W_PHRASING,
    Candidate,
    QueryWeights,
    content_weights,
)
from .semantic import SemanticIndex
from .text import ADDRESS_TERM, accent_keys, addressed, clean, is_latin_text, without_preamble

log = logging.getLogger(__name__)

FOUND_THRESHOLD = 62.0
"""Score (0-100) from which the best match is given as the answer; calibrated on eval/."""
SHORT_QUESTION_WORDS = 2
SHORT_QUESTION_THRESHOLD = 75.0
"""Two content words or fewer ("ai quản lý bot này") are little evidence: answer only when
the match is strong."""
LONG_QUESTION_WORDS = 8
LONG_QUESTION_THRESHOLD = 55.0
"""Long, wordy questions ("Kính đề nghị cho biết...") carry words no phrasing has, which lowers
their coverage without making them less answerable: from this many content words the
threshold is lower. Calibrated on eval/ (all four sets together)."""
SEMANTIC_CANDIDATES = 8
"""Items closest in meaning that join the candidates found by words."""
SEMANTIC_MARGIN = 0.0
SEMANTIC_BONUS = 8.0
"""Confidence points for the item closest in meaning when its cosine leads the next item's by
at least the margin. Calibrated on eval/ (the sets before holdout-d), phrasings kept and emptied."""
STRONG_MARGIN = 0.03
STRONG_LEAD = 8.0
STRONG_BONUS = 10.0
"""More confidence points when words and meaning clearly agree: the item closest in meaning
leads the next item's cosine by the strong margin, and leads every other item by words by the
lead (it only ever raises the words' own leader)."""
FEW_PHRASINGS = 2
FEW_PHRASINGS_BONUS = 0.0
"""Items asked by this many texts or fewer are also matched one-to-one against their answer,
and get these confidence points: fewer texts to match leave lower scores for the same evidence."""
DISAGREE_GAP = 0.02
DISAGREE_FACTOR = 0.85
"""Confidence factor for an item whose closeness in meaning trails the closest item's by more
than the gap."""
DECIDED_LEAD = 0.0
"""Extra lead over the runner-up before the words alone settle a question (see _decided)."""
STANDALONE_WORDS = 3
"""Topic words from which a short message that points back at nothing stands on its own."""
FOLLOW_UP_COVERAGE = 0.5
"""Share of a follow-up's own words (IDF-weighted) the item answering it must know."""
AGREEMENT = 15.0
"""Points within which a follow-up's reading with the previous question ranks the item the
message picks alone as high as its own best: the message's own words then decide."""
VAGUE_WORDS = 4
VAGUE_SHARE = 0.35
"""A message of this many syllables or fewer, with no question word and no number, whose words
all come together in at least this share of the items ("quy định", "cán bộ", "Tam Dương")
names no particular topic: the bot asks what about it, with choices, instead of answering."""
GUESS_MARGIN = 12.0
GUESS_LEAD = 8.0
"""A refusal whose best item is this close to the threshold and this far ahead of the next
asks "Có phải ... muốn hỏi ...?" about it, to be confirmed with one tap."""
CHANCE_ITEMS = 50
CLOSE_TEXT = 66.0
CLEAR_LEAD = 8.0
CHANCE_CAP = 50.0
"""When the words a question shares with an item are all found together in this many items or
more, the words cannot single that item out: in a large base any few common words (word
salad) meet in many items. Such an item is then given as an answer only when one of its texts
is close to the question (fuzzy similarity from CLOSE_TEXT) and it leads the next item clearly;
otherwise its confidence is capped below every threshold, so it is offered, not asserted."""
SCALE_FROM = 200
SCALE_STEP = 6.0
"""The best of many chance matches is better than the best of few: from this many items on, the
confidence an answer needs rises by the step for each tenfold growth of the base (a base of
1,000 items asks 4 points more, 100,000 asks 16), so that word salad stays unanswered as the
base grows. Calibrated on bench/bench_engine.py's word salad at 1k, 10k and 100k items; a base
the size of the shipped one is not affected."""
SUGGEST_THRESHOLD = 30.0
"""Below the answer threshold, items from this score are offered as suggestions."""
CANDIDATES = 16
NUMBER_ITEMS = 4
"""A number the question names that this few items know brings them all in as candidates."""
MAX_SUGGESTIONS = 3
SAME_QUESTION_TYPE = 4.0
"""Ranking points for an item asked the same way as the question ("là gì", "ai", "khi nào")."""
CACHE_SIZE = 20_000
"""Entries each of the engine's caches (analyses, accents, phrasing words) keeps before it starts again."""
STALE_MONTHS = 60
"""A fact older than one term of office (5 years) cannot say who holds a post or how many
there are "hiện nay"."""


@dataclass
class Answer:
    """What the engine says back. ``found`` is True only for a real answer from the knowledge
    base; greetings, help and refusals are never found answers."""

    question: str
    found: bool
    answer: str
    score: float = 0.0
    source: str | None = None
    suggestions: list[str] = field(default_factory=list)
    kind: str = "answer"
    as_of: str | None = None
    item: str | None = None
    suggested_items: list[str] = field(default_factory=list)
    """Keys of the suggested items, in the order of ``suggestions`` (for tappable choices)."""
    titles: list[str] = field(default_factory=list)
    """Short titles of the suggested items, for buttons (``suggestions`` are whole questions)."""
    reading: str | None = None
    """The text the answer answers: the message, its question sentence, or the message read
    with the previous question (a follow-up); the next follow-up is read against it."""

    def to_dict(self) -> dict:
        """The public JSON contract: question, found, answer, score, source, suggestions."""
        data = asdict(self)
        data["score"] = round(self.score, 1)
        return {k: data[k] for k in ("question", "found", "answer", "score", "source", "suggestions")}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


class Engine:
    """Answers questions from a set of items (built from a store by
    :func:`bot.knowledge.live.build_engine`)."""

    def __init__(
        self, items: Sequence[Item], today: dt.date | None = None, semantic: SemanticIndex | None = None,
        address: str = ADDRESS_TERM, index: InvertedIndex | None = None,
    ) -> None:
        self.items: Catalog = items if isinstance(items, Catalog) else ItemList(items)
        """The items by position; a stored catalog reads an item only when it is a candidate."""
        self.address = address
        """How the bot's own sentences address the user (ADDRESS_TERM)."""
        self.semantic = semantic
        """Sentence vectors of the items (None: words only)."""
        self._today = today
        self.index = index or InvertedIndex.from_bags([self.items.prepared(d).terms for d in range(len(self.items))])
        """The items' terms (given when loaded from disk, else built from their preparations)."""
        self.analyzer = Analyzer(self.index.doc_freq, self.index.known_words())
        self.scale_margin = SCALE_STEP * max(0.0, math.log10(max(len(self.items), 1) / SCALE_FROM))
        """Points the answer threshold rises by for the size of the base (see SCALE_STEP)."""
        self._analyses: dict[tuple[str, dt.date], Query] = {}
        self._accent_cache: dict[int, dict[str, set[str]]] = {}
        self._phrasing_cache: dict[int, list[set[str]]] = {}

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def answer(self, text: str, context: Answer | None = None) -> Answer:
        """Answer one message. Never raises on odd input; bad input gets a short reply.
        ``context`` is the chat's previous answer, against which a follow-up is read."""
        text = text if isinstance(text, str) else ""
        question = clean(text)
        if not any(ch.isalpha() for ch in question):
            return Answer(question, False, addressed(EMPTY_REPLY, self.address), kind="empty")
        if not is_latin_text(question):
            return Answer(question, False, addressed(UNREADABLE_REPLY, self.address), kind="unreadable")
        chat = smalltalk(question)
        if chat:
            return Answer(question, False, addressed(chat[1], self.address), kind=chat[0])
        # Even after an answer, a bare general word is no follow-up to guess at; a question about
        # one ("chức danh gì?") asks it of what was just answered.
        asks = context is not None and context.item is not None and self._asks(question)
        vague = [] if asks else self._vague(question)
        if vague:
            reply = VAGUE_REPLY.replace("{topic}", question.strip(" ?.!"))
            return Answer(question, False, addressed(reply, self.address), suggestions=[i.suggestion() for i in vague],
                          kind="vague", suggested_items=[i.key for i in vague], titles=[i.short() for i in vague])
        parts = compound_parts(question)
        if parts:
            both = self._compound(question, parts, context)
            if both is not None:
                return both
        previous = (context.reading or context.question) if context is not None and context.item else None
        answered = context.item if previous and context is not None else None
        query, ranked, threshold, read = self._read(question, previous, answered)
        reading = read.text
        best = ranked[0] if ranked else None
        if best is not None and best.score >= threshold:
            rendered = best.item.render(query, self.today)
            # a follow-up asks about now in its own words, not in the previous question's "hiện nay"
            own = self._analyze(question) if read.kind == "follow-up" else query
            if rendered.found and self._stale(rendered.as_of) and (
                (own.now and query.types & {"who", "figure"}) or _LATER_POST_RE.search(" ".join(own.tokens))
            ):
                return Answer(
                    question, False, STALE_REPLY.format(date=_date_label(rendered.as_of), answer=rendered.text)[:800],
                    best.score, best.item.source, kind="stale", item=best.item.key, reading=reading,
                )
            if rendered.found:
                return Answer(
                    question, True, rendered.text, best.score, best.item.source,
                    kind="answer", as_of=rendered.as_of, item=best.item.key, reading=reading,
                )
            offered = self._suggestions(ranked, exclude=best.item.key)
            return Answer(
                question, False, rendered.text, best.score, best.item.source, [i.suggestion() for i in offered],
                kind="no_data", item=best.item.key, suggested_items=[i.key for i in offered], reading=reading,
                titles=[i.short() for i in offered],
            )
        detail = self._detail_of(question, context) if previous and context is not None and context.found else None
        if detail is not None:
            return detail
        offered = self._suggestions(ranked)
        if best is not None and offered and offered[0] is best.item and self._close_guess(ranked, threshold, query):
            reply = GUESS_REPLY.replace("{question}", best.item.suggestion().rstrip(" ?"))
            kind = "guess"
        else:
            reply, kind = NOT_FOUND_REPLY + (NOT_FOUND_HINT if offered else ""), "not_found"
        return Answer(
            question, False, addressed(reply, self.address), best.score if best else 0.0,
            suggestions=[i.suggestion() for i in offered], kind=kind, suggested_items=[i.key for i in offered],
            titles=[i.short() for i in offered],
        )

    def _detail_of(self, question: str, context: Answer) -> Answer | None:
        """The sentences of the previous answer that give the detail a follow-up asks for and
        nothing else answers ("tính ra mấy tháng?" after "3 năm (36 tháng)"); None unless the
        follow-up names no other period and every word it adds is in that answer."""
        query = self._analyze(question)
        if query.period is not None or query.cumulative or not leans_on_context(question) or not details.asked(query):
            return None
        own = self._analyze(unpointed(question))
        if not self._added_words(own) - {own.count_noun} <= set(self._analyze(context.answer).content):
            return None
        picked = details.sentences_giving(query, context.answer)
        if not picked:
            return None
        return Answer(
            question, True, " ".join(picked), context.score, context.source,
            kind="answer", as_of=context.as_of, item=context.item, reading=context.reading,
        )

    def _analyze(self, text: str) -> Query:
        """A text's analysis, kept: one message is read up to three times (is it vague, does it
        name a topic, what does it ask), and suggestions are asked again when tapped."""
        key = (text, self.today)
        query = self._analyses.get(key)
        if query is None:
            if len(self._analyses) >= CACHE_SIZE:
                self._analyses.clear()
            query = self._analyses[key] = self.analyzer.analyze(text, self.today)
        return query

    def _close_guess(self, ranked: list[Candidate], threshold: float, query: Query) -> bool:
        """Whether the best item, just under the threshold and well ahead, is worth asking about."""
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        return (best.score >= threshold - GUESS_MARGIN and best.score - runner_up >= GUESS_LEAD
                and best.item.render(query, self.today).found)

    def _asks(self, question: str) -> bool:
        """Whether a message holds a question word ("gì", "nào", "ai", "bao nhiêu")."""
        return bool(set(self._analyze(question).tokens) & lexicon.QUESTION_WORDS)

    def _vague(self, question: str) -> list[Item]:
        """The topics to choose from when a short message names no particular one; [] otherwise."""
        if len(question.split()) > VAGUE_WORDS or any(ch.isdigit() or ch == "?" for ch in question):
            return []
        query = self._analyze(question)
        terms = [t for t in query.content if t not in lexicon.QUESTION_WORDS]
        if not terms or query.types or query.figure or query.period or query.asks:
            return []
        if not self.index.with_all(terms, max(1, math.ceil(VAGUE_SHARE * self.index.size))):
            return []
        return self._suggestions(self.rank(query))

    def _compound(self, question: str, parts: list[str], context: Answer | None) -> Answer | None:
        """Both answers of a two-part question in one reply (the second part read after the
        first); None unless both are answered, by different items."""
        first = self.answer(parts[0], context)
        second = self.answer(parts[1], first if first.item else context)
        if not (first.found and second.found) or first.item == second.item:
            return None
        sources = list(dict.fromkeys(s for s in (first.source, second.source) if s))
        return Answer(
            question, True, f"{first.answer}\n{second.answer}", min(first.score, second.score), "; ".join(sources),
            kind="answer", as_of=max(a.as_of or "" for a in (first, second)) or None, item=second.item,
            reading=second.reading,
        )

    def _read(
        self, question: str, previous: str | None, answered: str | None = None,
    ) -> tuple[Query, list[Candidate], float, Reading]:
        """The reading of a message the engine is surest of, with its query, ranked candidates
        and threshold. The message as written wins when it is answered on its own; a sentence
        of a long message, or the message read after the previous question, only when surer.
        ``answered`` is the item that answered the previous question: a message that turns
        from it ("còn QĐ 98 thì sao?") is not answered by it again, unless it asks about another
        period (the same figure, "còn năm 2018?")."""
        options = []
        turns_away = answered is not None and contrasts(question) and self._analyze(question).period is None
        for reading in readings(question, previous):
            if reading.kind != "follow-up" and not self._names_a_topic(reading.text, after=previous is not None):
                continue  # "ban hành năm nào?", "Con số đó là bao nhiêu?": about what? only with what came before
            query = self._analyze(reading.text)
            words = len(set(query.content) - lexicon.QUESTION_WORDS)
            threshold = _threshold(words) + self.scale_margin
            scored: dict[tuple[int, frozenset[str]], Candidate] = {}
            ranked = self.rank(query, meaning=False, scored=scored) if words else []
            if reading.meaning and self.semantic is not None and ranked and not _decided(ranked, threshold):
                ranked = self.rank(query, scored=scored)  # the items found by words are not scored again
            if turns_away and not (reading.kind == "whole" and _clearly_first(ranked, answered)):
                ranked = [c for c in ranked if c.item.key != answered]
            margin = ranked[0].score - threshold if ranked else -100.0
            if reading.kind == "follow-up" and ranked and not self._covers_own_words(question, ranked[0].doc):
                margin = -100.0  # the previous topic matches, but not what the follow-up adds
            options.append((margin, reading, query, ranked, threshold))
            if reading.kind == "whole" and margin >= 0 and (not leans_on_context(question) or self._stands_alone(question)):
                break
        if not options:
            query = self._analyze(question)
            return query, [], 100.0, Reading(question, "whole")
        margin, reading, query, ranked, threshold = max(options, key=lambda o: o[0])
        if reading.kind == "follow-up":
            alone = next((o for o in options if o[1].kind == "whole" and o[0] >= 0), None)
            if alone is not None and _agrees(ranked, alone[3][0].item.key):
                # the message alone picks an item the context ranks as high: the words it adds
                # decide, and the reading with the context stays for the next follow-up
                _, _, query, ranked, threshold = alone
        return query, ranked, threshold, reading

    def answer_item(self, key: str) -> Answer | None:
        """The answer of one item, as if its own question were asked (a tapped suggestion).
        None when no such item exists any more (an old button)."""
        item = self.item(key)
        if item is None:
            return None
        question = item.suggestion()
        rendered = item.render(self._analyze(question), self.today)
        return Answer(
            question, rendered.found, rendered.text, 100.0 if rendered.found else 0.0, item.source,
            kind="answer" if rendered.found else "no_data", as_of=rendered.as_of, item=item.key,
        )

    def item(self, key: str) -> Item | None:
        """The item of a key, if it still exists."""
        doc = self.items.doc(key)
        return self.items[doc] if doc is not None else None

    def related(self, key: str, limit: int = MAX_SUGGESTIONS) -> list[Item]:
        """Other items close to one ("Xem thêm" under its answer), found as its own question
        would find them; [] for an item that no longer exists."""
        item = self.item(key)
        if item is None:
            return []
        ranked = self.rank(self._analyze(item.suggestion()))
        return self._suggestions(ranked, exclude=key)[:limit]

    def _stands_alone(self, message: str) -> bool:
        """Whether a short message that points back at nothing says enough to be its own
        question ("luân chuyển cán bộ là gì" after another answer): then, answered as written,
        it is not read with the previous question."""
        query = self._analyze(message)
        topic = set(query.content) - lexicon.QUESTION_WORDS - lexicon.GENERIC_WORDS - _asking(query)
        return not points_back(message) and len(topic) >= STANDALONE_WORDS

    def _names_a_topic(self, text: str, after: bool = False) -> bool:
        """Whether a message names what it asks about: a name, a number, or a word beyond those
        that ask about any topic ("ai", "ban hành", "hiệu lực", "điều mấy"). ``after`` an answer,
        a year names no topic: it is when, not what ("còn năm 2017?" asks about what was just
        answered)."""
        if any(w[:1].isupper() and w[1:].islower() for w in re.findall(r"\w+", text)[1:]):
            return True  # a name: "đc Quý là ai"
        query = self._analyze(text)
        generic = lexicon.GENERIC_WORDS | lexicon.QUESTION_WORDS | _asking(query)
        return any(not (after and _YEAR_RE.fullmatch(t)) if t.isdigit() else t not in generic for t in query.content)

    @staticmethod
    def _added_words(own: Query) -> set[str]:
        """The words a follow-up adds to the previous question: not those that only ask."""
        return set(own.content) - lexicon.QUESTION_WORDS - lexicon.GENERIC_WORDS - _asking(own)

    def _covers_own_words(self, message: str, doc: int) -> bool:
        """Whether an item accounts for what a follow-up adds to the previous question ("sinh
        năm bao nhiêu" after a question about a person: it does not)."""
        own = self._analyze(unpointed(message))
        added = self._added_words(own)
        if not added:
            return True
        # only what it adds: "nó", "giờ" in "tỉnh của nó giờ là tỉnh gì" name nothing to cover
        weights = QueryWeights(
            [(t, self.index.idf_of(t)) for t in dict.fromkeys(own.content) if t in added],
            [(p, self.index.idf_of(p)) for p in dict.fromkeys(bigrams(own.tokens)) if set(p.split("_")) <= added],
        )
        return weights.coverage(self.index.terms_of(doc), self.index) >= FOLLOW_UP_COVERAGE

    def _stale(self, as_of: str | None) -> bool:
        """Whether a fact dated ``as_of`` is too old to say how things are now."""
        if not as_of:
            return False
        year, month = (int(p) for p in as_of.split("-")[:2])
        return (self.today.year - year) * 12 + self.today.month - month > STALE_MONTHS

    def rank(
        self, query: Query, meaning: bool = True, scored: dict[tuple[int, frozenset[str]], Candidate] | None = None,
    ) -> list[Candidate]:
        """Candidates for a question, best first, each with its 0-100 score; ``meaning``
        also compares it with the items by sentence vectors, when there are any. ``scored``
        keeps the scores of this query's items between calls."""
        memo = {} if scored is None else scored
        meant: dict[int, tuple[float, float]] = {}
        """What the meaning does to an item's score: (factor, points), see _support."""

        def score(doc: int, conflicts: frozenset[str] = frozenset()) -> Candidate:
            if (doc, conflicts) not in memo:
                memo[doc, conflicts] = self._score(doc, query, content, conflicts)
            cand = replace(memo[doc, conflicts])  # a copy: the meaning may raise or lower it
            factor, points = meant.get(doc, (1.0, 0.0))
            moved = cand.score * (factor - 1.0) + points
            cand.score, cand.rank = min(100.0, cand.score + moved), cand.rank + moved
            return cand

        docs = [doc for doc, _bm25 in self.index.search([(t, 1.0) for t in query.terms], CANDIDATES)]
        for number in query.numbers:  # "số 82 nghĩa là gì": the few items that know 82, whatever else it says
            docs += [d for d in self.index.holding(number, NUMBER_ITEMS) if d not in docs]
        closeness = self.semantic.scores(without_preamble(query.text)) if self.semantic is not None and meaning else None
        if closeness is not None:  # items close in meaning join those sharing words
            docs += [int(d) for d in np.argsort(-closeness)[:SEMANTIC_CANDIDATES] if closeness[d] > -1 and d not in docs]
        content = content_weights(query, self.index)
        self.items.fetch(docs)
        ranked = [score(doc) for doc in docs]
        if closeness is not None and len(closeness) > 1:
            meant.update(self._support(ranked, closeness))
            ranked = [score(doc) for doc in docs]
        ranked.sort(key=lambda c: c.rank, reverse=True)
        if query.marks:
            # Diacritic clashes only lower scores, so checking the leaders until they are all
            # checked gives the same top as checking every candidate, at a fraction of the cost.
            checked: set[int] = set()
            while pending := [c for c in ranked[:MAX_SUGGESTIONS] if c.doc not in checked]:
                for cand in pending:
                    checked.add(cand.doc)
                    conflicts = frozenset(self._accent_conflicts(cand.doc, query))
                    if conflicts:
                        ranked[ranked.index(cand)] = score(cand.doc, conflicts)
                ranked.sort(key=lambda c: c.rank, reverse=True)
        weighed: set[int] = set()
        while ranked and ranked[0].score > CHANCE_CAP and ranked[0].doc not in weighed:
            best = ranked[0]  # the leader until one stands out from what chance gives
            weighed.add(best.doc)
            lead = best.score - ranked[1].score if len(ranked) > 1 else 100.0
            if (best.fuzzy < CLOSE_TEXT or lead < CLEAR_LEAD) and self._by_chance(query, best):
                best.rank -= best.score - CHANCE_CAP
                best.score = CHANCE_CAP
                ranked.sort(key=lambda c: c.rank, reverse=True)
        return ranked

    @staticmethod
    def _support(ranked: list[Candidate], closeness: np.ndarray) -> dict[int, tuple[float, float]]:
        """What the meaning does to each candidate's score, as (factor, points): the item it
        points to is raised when it stands out from the next closest (words and meaning
        agreeing is more evidence than either alone), items far from it are lowered. Kept by
        item, so that an item scored again (a diacritic clash) keeps it."""
        second, first = np.argsort(closeness)[-2:]
        leads = closeness[first] - closeness[second] >= SEMANTIC_MARGIN
        meant: dict[int, tuple[float, float]] = {}
        scores: dict[int, float] = {}
        for cand in ranked:
            if cand.doc == first and leads and not getattr(cand.item, "gap", False):  # a known gap only by its words
                meant[cand.doc] = (1.0, SEMANTIC_BONUS)
            elif closeness[cand.doc] < closeness[first] - DISAGREE_GAP:
                meant[cand.doc] = (DISAGREE_FACTOR, 0.0)  # the words match, the meaning is elsewhere
            factor, points = meant.get(cand.doc, (1.0, 0.0))
            scores[cand.doc] = min(100.0, cand.score * factor + points)
        if closeness[first] - closeness[second] >= STRONG_MARGIN and first in meant:
            others = max((v for d, v in scores.items() if d != first), default=0.0)
            if scores[first] - others >= STRONG_LEAD:
                meant[first] = (1.0, SEMANTIC_BONUS + STRONG_BONUS)
        return meant

    def _by_chance(self, query: Query, cand: Candidate) -> bool:
        """Whether the words a question shares with an item are found together in so many items
        that they cannot single it out (see CHANCE_ITEMS)."""
        known = self.index.terms_of(cand.doc)
        words = [t for t in dict.fromkeys(query.content)
                 if t not in lexicon.QUESTION_WORDS and self.index.term_id(t) in known]
        return bool(words) and self.index.with_all(words, CHANCE_ITEMS)

    def _accent_conflicts(self, doc: int, query: Query) -> set[str]:
        """Folded words the user typed with other diacritics than the item uses (lương/lượng);
        not a word typed inside a pair the item uses ("quy đinh 65", "nghị quyêt 11", "tác giã bài
        báo" are slips for its "quy định", "nghị quyết", "tác giả"; "được bổ nhiệm" is no slip for
        "được bố trí", as the item has no "bổ nhiệm")."""
        accents = self._accents(doc)
        terms, tokens = self.index.terms_of(doc), query.tokens

        def pairs(i: int) -> list[bool]:  # whether the item uses each pair of the word at i with a content word
            around = [j for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
            return [self.index.term_id(f"{tokens[min(i, j)]}_{tokens[max(i, j)]}") in terms
                    for j in around if tokens[j] not in lexicon.STOPWORDS and not tokens[j].isdigit()]

        def slip(word: str) -> bool:  # typed, each time, inside a pair the item uses
            return all((found := pairs(i)) and any(found) for i, t in enumerate(tokens) if t == word)

        return {f for f, key in query.marks.items() if f in accents and key not in accents[f] and not slip(f)}

    def _phrasing_terms(self, doc: int) -> list[set[str]]:
        """Word sets of each phrasing of an item, computed on first need and kept."""
        cached = self._phrasing_cache.get(doc)
        if cached is None:
            texts = self.items.prepared(doc).texts
            cached = [set(text.split()) for text in texts]
            if len(texts) <= FEW_PHRASINGS:  # an entry added with no phrasings: its answer speaks too
                cached.append(set(normalize(self.items[doc].body)))
            if len(self._phrasing_cache) >= CACHE_SIZE:
                self._phrasing_cache.clear()
            self._phrasing_cache[doc] = cached
        return cached

    def _accents(self, doc: int) -> dict[str, set[str]]:
        """Accented words of an item by folded form, computed on first need and kept."""
        cached = self._accent_cache.get(doc)
        if cached is None:
            item = self.items[doc]
            cached = accent_keys(spell_out(" ".join([*item.texts(), item.body])))
            if len(self._accent_cache) >= CACHE_SIZE:
                self._accent_cache.clear()
            self._accent_cache[doc] = cached
        return cached

    def _score(self, doc: int, query: Query, content: QueryWeights, conflicts: Set[str] = frozenset()) -> Candidate:
        item, prepared = self.items[doc], self.items.prepared(doc)
        known = self.index.terms_of(doc)
        coverage = content.coverage(known, self.index, conflicts)
        phrase_coverage = max(
            (content.share(terms, conflicts) for terms in self._phrasing_terms(doc)), default=0.0
        )
        q_text = query.content_text
        q_all = " ".join(query.core)
        fuzzy = 0.0
        for text, plain in zip(prepared.texts, prepared.plain):
            fuzzy = max(fuzzy, fuzz.token_sort_ratio(q_text, plain), fuzz.ratio(q_all, text))
        score = 100 * (W_COVERAGE * coverage + W_PHRASING * phrase_coverage + W_FUZZY * fuzzy / 100)
        if len(prepared.texts) <= FEW_PHRASINGS:
            score += FEW_PHRASINGS_BONUS
        numbers = [self.index.term_id(n) for n in query.numbers]
        if any(n not in known for n in numbers):
            score *= MISSING_NUMBER
        elif any(n not in {self.index.term_id(t) for t in prepared.subject} for n in numbers):
            # "QĐ 98" asked, but the item is about QĐ 65 and only mentions 98 in passing.
            score *= NUMBER_IN_PASSING
        if any(self.index.term_id(b) in known and self.index.term_id(a) not in known for a, b in query.opposites):
            score *= OPPOSITE  # "tối đa" asked, "tối thiểu" answered
        if query.upward and not prepared.upward:
            score *= OPPOSITE  # "từ xã lên huyện" asked, an item about going to the grassroots
        if any(self.index.term_id(place) not in known for place in query.places):
            score *= OTHER_PLACE
        if any(self.index.term_id(pair) is None for pair in query.name_pairs):
            score *= UNKNOWN_NAME  # a name no item knows ("Trung Quốc", "Nguyễn Văn A")
        score = item.adjust(query, score) * item.weight
        rank = score + item.preference(query) + (SAME_QUESTION_TYPE if query.types & prepared.types else 0.0)
        return Candidate(item, doc, score, rank, coverage, fuzzy, phrase_coverage)

    def _suggestions(self, ranked: list[Candidate], exclude: str | None = None) -> list[Item]:
        out: list[Item] = []
        for cand in ranked:
            if len(out) == MAX_SUGGESTIONS:
                break
            text = cand.item.suggestion()
            if cand.score >= SUGGEST_THRESHOLD and cand.item.key != exclude and all(text != i.suggestion() for i in out):
                out.append(cand.item)
        return out

def _decided(ranked: list[Candidate], threshold: float) -> bool:
    """Whether the words alone settle a question, so that the meaning (the costly part) could
    change neither the answer nor whether there is one: the best item stays above the threshold
    even if the meaning were elsewhere, and no other item is within reach of the meaning's bonus."""
    best = ranked[0]
    runner_up = ranked[1].rank if len(ranked) > 1 else -100.0
    return best.score * DISAGREE_FACTOR >= threshold and best.rank - runner_up > SEMANTIC_BONUS + DECIDED_LEAD


_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_LATER_POST_RE = re.compile(
    r"\b(?:hien nay|hien gio|luc nay|hom nay|bay gio|sau (?:nam )?(?:19|20)\d\d)\b"
    r".*\b(?:chuc vu|chuc gi|lam gi|giu chuc|con lam)\b"
)
"""Asking what someone's post is now or after a year ("hiện nay ông ấy giữ chức vụ gì", "còn
làm bí thư không", "sau năm 2019 được điều động làm gì"): like "who", an old fact cannot say
it. Not "đang giữ" alone: "lúc chủ trì hội nghị, ông đang giữ chức vụ gì" is asked of that time."""


def _clearly_first(ranked: list[Candidate], key: str | None) -> bool:
    """Whether an item leads the others clearly: "còn trưởng thuế?" after a post of the same
    list turns to another case the answer just given holds, not to another topic."""
    if not ranked or ranked[0].item.key != key:
        return False
    return len(ranked) == 1 or ranked[0].score - ranked[1].score >= CLEAR_LEAD


def _agrees(ranked: list[Candidate], key: str) -> bool:
    """Whether an item is ranked within AGREEMENT points of the best."""
    return any(c.item.key == key and c.score >= ranked[0].score - AGREEMENT for c in ranked)


def _asking(query: Query) -> set[str]:
    """Words of the phrases in a question that ask about any topic ("cơ quan nào", "bao lâu")."""
    return {w for phrase in lexicon.GENERIC_ASKS if phrase in " ".join(query.tokens) for w in phrase.split()}


def _threshold(content_words: int) -> float:
    """The confidence an answer needs, by how much the question says."""
    if content_words <= SHORT_QUESTION_WORDS:
        return SHORT_QUESTION_THRESHOLD
    if content_words >= LONG_QUESTION_WORDS:
        return LONG_QUESTION_THRESHOLD
    return FOUND_THRESHOLD


def _date_label(as_of: str | None) -> str:
    parts = (as_of or "").split("-")
    return "/".join(reversed(parts)) if parts != [""] else "không rõ"
