"""From raw text to the terms that the index and the scorers compare.

The same :class:`Analyzer` turns knowledge text into index terms and questions into query
terms, so abbreviations, synonyms and number words meet in one spelling on both sides.
Questions get two extra repairs that knowledge text does not need: typo and Telex repair
against the vocabulary, and the detection of figure questions and their periods.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Set
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from . import lexicon
from .asks import asks
from .periods import PeriodMatch, find_period
from .text import (
    MAX_QUESTION_CHARS,
    accent_key,
    clean,
    fold,
    fold_for_matching,
    marked_words,
    tokenize,
)


def _phrase_table(mapping: dict[str, str]) -> dict[tuple[str, ...], tuple[str, ...]]:
    return {tuple(k.split()): tuple(v.split()) for k, v in mapping.items()}


_SYNONYMS = _phrase_table(lexicon.SYNONYMS)
_REWRITES = _SYNONYMS | {(k,): tuple(fold(v).split()) for k, v in lexicon.ABBREVIATIONS.items()}
_ABBREVIATION_RE = re.compile(
    r"(?<![^\W_])(" + "|".join(sorted(map(re.escape, lexicon.ABBREVIATIONS), key=len, reverse=True)) + r")(?![^\W_])",
    re.IGNORECASE,
)
_MAX_PHRASE = max(len(k) for k in list(_REWRITES) + list(lexicon.ALIASES))
_NUMBER_PHRASES = _phrase_table(lexicon.NUMBER_WORDS)
_UPPER_RE = re.compile(
    r"(?<![\wÀ-ỹ])("
    + "|".join(sorted(map(re.escape, lexicon.UPPERCASE_ABBREVIATIONS), key=len, reverse=True))
    + r")(?![\wÀ-ỹ])"
)
# "đ/c" (đồng chí) and "v/v" (về việc) would otherwise split into meaningless letters;
# "đc" is "được" too, but before "nào", "ấy", "kia" it can only be "đồng chí" ("đc nào chủ trì").
_SLASHED = [
    (re.compile(r"\b(?:d|đ)/c\b", re.IGNORECASE), "đồng chí"),
    (re.compile(r"\b[dđ]c(?=\s+(?:nào|nao|ấy|ay|kia)\b)", re.IGNORECASE), "đồng chí"),
    (re.compile(r"\bv/v\b", re.IGNORECASE), "về việc"),
]
_FIGURE_RE = re.compile(r"(?<!tang )(?<!giam )(?<!them )\b(?:" + "|".join(lexicon.FIGURE_WORDS) + r")\b")
"""Words that ask for a number; not an amount changed ("tăng số lượng cấp phó" asks whether)."""
# "năm bao nhiêu", "khóa mấy", "số mấy": a noun before the number word asks which one, not
# how many ("mấy năm" counts years, "năm mấy" asks for a year); not a noun counted just before
# ("bao nhiêu điều, bao nhiêu mục").
_ORDINAL_QUESTION_RE = re.compile(
    r"(?<!nhieu )(?<!may )\b(?:nam|khoa|so|dieu|thu|lan thu|quy|thang|ngay|nhiem ky) (?:bao nhieu|may)\b"
)
_DIGITS_RE = re.compile(r"^\d+$")
_FUNCTION_KEYS = frozenset(accent_key(w) for w in lexicon.ACCENTED_FUNCTION_WORDS)
_CONTENT_KEYS = frozenset(accent_key(w) for w in lexicon.ACCENTED_CONTENT_WORDS)
_CUMULATIVE_RE = re.compile(r"\b(?:" + "|".join(lexicon.CUMULATIVE_WORDS) + r")\b")
_NOW_RE = re.compile(r"\b(?:" + "|".join(lexicon.NOW_WORDS) + r")\b")
_DATE_RE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b|\b(?:19|20)\d{2}\b")


# A folded Vietnamese syllable: onset, vowel nucleus, final consonant or glide.
_SYLLABLE_RE = re.compile(
    r"^(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?"
    r"(?:uye|uya|uyu|uoi|uou|ieu|yeu|oai|oay|oeo|uay|uai|uoi|ua|uo|ui|uu|uy|ue|ia|ie|iu|oa|oe|oi|oo"
    r"|ai|ao|au|ay|eo|eu|ye|[aeiouy])"
    r"(?:ch|nh|ng|[cmnpt])?$"
)


def is_syllable(token: str) -> bool:
    """Whether a folded token can be one Vietnamese syllable. Only words that cannot are
    repaired as typos: "ngoi" (ngồi) is a real word even when the knowledge base lacks it."""
    return bool(_SYLLABLE_RE.match(token))


def _replace_phrases(
    tokens: list[str], table: dict[tuple[str, ...], tuple[str, ...]], longest: int,
    accept: Callable[[list[str], int], bool] = lambda tokens, end: True,
) -> list[str]:
    """Replace phrases found in ``table``, longest first; ``accept`` sees the tokens and the
    index just past a match and may veto it."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i : i + size])
            if key in table and accept(tokens, i + size):
                out.extend(table[key])
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


# English words become the Vietnamese the synonyms settle on ("minimum" → "tối thiểu" → "ít nhất").
_REWRITES |= {
    key: tuple(_replace_phrases(list(value), _SYNONYMS, _MAX_PHRASE))
    for key, value in _phrase_table(lexicon.ENGLISH).items()
}
_MAX_PHRASE = max(_MAX_PHRASE, *(len(k) for k in _REWRITES))


def rewrite(tokens: list[str]) -> list[str]:
    """Expand abbreviations and apply synonyms, longest phrase first."""
    return _replace_phrases(tokens, _REWRITES, _MAX_PHRASE)


_ENGLISH_PHRASES = frozenset(tuple(k.split()) for k in lexicon.ENGLISH if " " in k)
_MAX_ENGLISH_PHRASE = max(len(k) for k in _ENGLISH_PHRASES)
_ENGLISH_WORDS = frozenset(w for k in lexicon.ENGLISH for w in k.replace("-", " ").split()) | lexicon.ENGLISH_FUNCTION_WORDS


def drop_english_function_words(tokens: list[str], typed: Collection[str] = ()) -> list[str]:
    """Tokens without the English function words of an English or mixed question ("how many
    years of service must remain for a cadre to be rotated" → "how many years service remain
    cadre rotated"). A word that is also a Vietnamese syllable ("to" tổ, "in", "an") goes only
    when it touches an English word, directly or through other such words, and was not typed
    with diacritics (``typed``: the folded words the user wrote with marks)."""
    english = [t in _ENGLISH_WORDS and not is_syllable(t) for t in tokens]
    ambiguous = [t in lexicon.ENGLISH_FUNCTION_WORDS and is_syllable(t) and t not in typed for t in tokens]
    kept: set[int] = set()  # words of English phrases the rewriting reads whole ("used to be", "part of")
    for i in range(len(tokens)):
        for size in range(2, _MAX_ENGLISH_PHRASE + 1):
            if tuple(tokens[i : i + size]) in _ENGLISH_PHRASES:
                kept.update(range(i, i + size))
    changed = True
    while changed:  # spread from the English words through adjacent ambiguous ones
        changed = False
        for i, flag in enumerate(ambiguous):
            if flag and not english[i] and any(english[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)):
                english[i] = changed = True
    return [
        t for i, (t, eng) in enumerate(zip(tokens, english))
        if not (eng and t in lexicon.ENGLISH_FUNCTION_WORDS) or i in kept
    ]


def _before_counted_noun(tokens: list[str], end: int) -> bool:
    # "sau năm 2017" is "after 2017", not "six years"
    return (
        end < len(tokens)
        and tokens[end] in lexicon.NUMBER_COUNTERS
        and not (end + 1 < len(tokens) and tokens[end + 1].isdigit())
    )


def numbers_to_digits(tokens: list[str]) -> list[str]:
    """Write number words as digits when a counted noun follows ("hai năm" → "2 năm")."""
    return _replace_phrases(tokens, _NUMBER_PHRASES, 3, _before_counted_noun)


def alias_terms(tokens: list[str]) -> list[str]:
    """Extra terms for the ambiguous abbreviations a phrase can be written as."""
    return [alias for a, b in zip(tokens, tokens[1:]) if (alias := lexicon.ALIASES.get((a, b)))]


def identifier_numbers(tokens: list[str], skip: set[str]) -> list[str]:
    """Numbers that name something ("Nghị quyết 57", "con số 136"), not counts ("2 năm", "1 lần")
    and not years of a period: an item that lacks them is about something else. A part of a
    document is named with its word ("điều 4" → "dieu_4"): an item that says "4 lượt" does not
    name it."""
    return [
        f"{tokens[i - 1]}_{t}" if article_number(tokens, i) else t for i, t in enumerate(tokens)
        if _DIGITS_RE.match(t) and t not in skip and tokens[i + 1 : i + 2] not in ([c] for c in lexicon.NUMBER_COUNTERS)
    ]


def article_number(tokens: list[str], i: int) -> bool:
    """Whether the number at ``i`` numbers a part of a document ("điều 4", "khoản 2")."""
    return i > 0 and tokens[i - 1] in _ARTICLE_WORDS


_ARTICLE_WORDS = frozenset({"dieu", "khoan", "chuong"})
_NUMBERED_WORDS = _ARTICLE_WORDS | {"dinh", "quyet", "qd", "nq", "kl", "nd", "khoa"}
"""Last words of what a number names: quy định, nghị quyết, nghị định, quyết định, khóa."""


def content_words(tokens: list[str], kept: Set[str] = frozenset()) -> list[str]:
    """Tokens that say what a question is about: no function words (but the ``kept`` ones,
    typed as content words: "tối đa"), no "bao nhiêu", no forms of address ("đồng chí ơi, cho
    hỏi..."; "mấy đồng chí" still counts people), no request ("tóm tắt giúp")."""
    address = address_positions(tokens) | request_positions(tokens)
    return [
        t for i, t in enumerate(tokens)
        if (t not in lexicon.STOPWORDS or t in kept) and i not in address
        and not (t == "bao" and tokens[i + 1 : i + 2] == ["nhieu"])
    ]


def request_positions(tokens: list[str]) -> set[int]:
    """Positions of the words that ask to be told ("nhắc lại giúp", "tóm tắt", "nói rõ"):
    how a message asks, not what about."""
    found: set[int] = set()
    for phrase in lexicon.REQUEST_PHRASES:
        size = len(phrase)
        for i in range(len(tokens) - size + 1):
            if tuple(tokens[i : i + size]) == phrase:
                found.update(range(i, i + size))
    return found


def address_positions(tokens: list[str]) -> set[int]:
    """Positions of forms of address ("đồng chí", "anh chị") that are not counted nouns."""
    found: set[int] = set()
    for phrase in lexicon.ADDRESS_PHRASES:
        size = len(phrase)
        for i in range(len(tokens) - size + 1):
            if tuple(tokens[i : i + size]) != phrase:
                continue
            before = tokens[max(0, i - 2) : i]
            counted = bool(before) and (before[-1].isdigit() or before[-1] == "may" or before == ["bao", "nhieu"])
            if not counted:
                found.update(range(i, i + size))
    return found


def bigrams(tokens: list[str]) -> list[str]:
    """Adjacent syllable pairs: Vietnamese words are mostly two syllables long."""
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])]


def expand_uppercase(text: str) -> str:
    """Expand capitalised Party abbreviations (TU, ĐU, CT) and slashed forms (đ/c) before folding."""
    for pattern, replacement in _SLASHED:
        text = pattern.sub(replacement, text)
    return _UPPER_RE.sub(lambda m: lexicon.UPPERCASE_ABBREVIATIONS[m.group(1)], text)


def spell_out(text: str) -> str:
    """Text with abbreviations written out in full, with diacritics ("sl cb" → "số lượng cán bộ")."""
    return _ABBREVIATION_RE.sub(lambda m: lexicon.ABBREVIATIONS[fold(m.group(1))], expand_uppercase(text))


def normalize(text: str) -> list[str]:
    """Tokens of any text after folding, abbreviation, synonym and number-word rewriting."""
    folded = fold_for_matching(expand_uppercase(text))
    return numbers_to_digits(rewrite(tokenize(folded)))


def index_terms(tokens: list[str]) -> list[str]:
    """Terms an item is indexed under: syllables, syllable pairs and ambiguous abbreviations."""
    return tokens + bigrams(tokens) + alias_terms(tokens)


def quantities(folded: str) -> list[tuple[str, str]]:
    """Numbers that count something in folded text, each with the words that follow it.

    Dates and years are left out: "1/7/2025" answers "khi nào", not "bao nhiêu".
    """
    text = _DATE_RE.sub(" ", folded)
    tokens = tokenize(text)
    found = []
    for i, tok in enumerate(tokens):
        if i > 0 and tokens[i - 1] in _NUMBERED_WORDS:
            continue  # "Quy định 65", "Điều 5": a number that names a document or a part of one
        # a number word counts only before a counted noun: "Tam Dương" is no "8 ..."
        counted = i + 1 < len(tokens) and tokens[i + 1] in lexicon.NUMBER_COUNTERS
        if _DIGITS_RE.match(tok) or (tok in lexicon.NUMBER_WORDS and tok != "nam" and counted):
            found.append((lexicon.NUMBER_WORDS.get(tok, tok), " ".join(tokens[i + 1 : i + 5])))
    return found


@dataclass
class Query:
    """A question after analysis: what the scorers need, computed once."""

    text: str
    folded: str
    tokens: list[str]
    content: list[str]
    terms: list[str]
    core: list[str] = field(default_factory=list)
    """The tokens without forms of address and ways of asking ("cho hỏi", "đồng chí ơi")."""
    repaired: dict[str, str] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)
    period: PeriodMatch | None = None
    figure: bool = False
    count_noun: str | None = None
    places: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)
    types: frozenset[str] = frozenset()
    now: bool = False
    asks: frozenset[str] = frozenset()
    """What the question asks for that an answer must hold: a person, names, a place, a date."""
    cumulative: bool = False
    """The question asks for the whole ("tổng cộng", "đến nay"): the widest figure answers it."""
    name_pairs: list[str] = field(default_factory=list)
    """Pairs of adjacent capitalised words ("trung_quoc"): a name the knowledge may not know."""
    opposites: list[tuple[str, str]] = field(default_factory=list)
    """(word pair asked, an opposite) for the pairs of lexicon.OPPOSITES the question uses."""
    upward: bool = False
    """The question is about cadres going up a level ("từ xã lên huyện"): see goes_up."""
    stated: list[tuple[str, str]] = field(default_factory=list)
    """Amounts the question states, not asks ("sơ kết 5 năm": ("5", "nam")): an answer about
    another amount of the same thing ("2 năm") is about something else."""

    @property
    def content_text(self) -> str:
        return " ".join(self.content)


class Analyzer:
    """Analyzes questions; ``frequency`` gives how many knowledge items use a word (0: unknown),
    which drives the repair of words the knowledge base has never seen."""

    def __init__(self, frequency: Callable[[str], int], words: Iterable[str] = ()) -> None:
        self._frequency = frequency
        self._by_length: dict[int, list[str]] = {}
        for word in words:
            if word.isalpha():
                self._by_length.setdefault(len(word), []).append(word)

    def _known(self, token: str) -> bool:
        return self._frequency(token) > 0

    def analyze(self, text: str, today: dt.date | None = None) -> Query:
        text = clean(text)[:MAX_QUESTION_CHARS]
        folded = fold_for_matching(expand_uppercase(text))
        repaired: dict[str, str] = {}
        fixed: list[str] = []
        marks = marked_words(expand_uppercase(text))
        for tok in drop_english_function_words(tokenize(folded), marks):
            repair = None
            if not (self._known(tok) or _DIGITS_RE.match(tok) or tok in _REWRITE_KEYS or is_syllable(tok)):
                repair = self.repair(tok)
            if repair:
                repaired[tok] = repair
                fixed.extend(repair.split())
            else:
                fixed.append(tok)
        tokens = numbers_to_digits(rewrite(self.repair_pairs(fixed, repaired)))
        period = find_period(_without_source_years(folded), today)
        period_words = set(tokenize(folded[period.span[0] : period.span[1]])) if period else set()
        period_numbers = {w for w in period_words if w.isdigit()}
        joined = " ".join(tokens)
        asking = address_positions(tokens) | request_positions(tokens)
        core = [t for i, t in enumerate(tokens) if i not in asking]
        figure = bool(_FIGURE_RE.search(joined)) and not _ORDINAL_QUESTION_RE.search(joined)
        return Query(
            text=text,
            folded=folded,
            tokens=tokens,
            # A figure question's period is matched against the table, not against words.
            content=[
                t for t in content_words(tokens, {f for f, key in marks.items() if key in _CONTENT_KEYS})
                if not (figure and t in period_words) and marks.get(t) not in _FUNCTION_KEYS
            ],
            terms=index_terms(core),
            core=core,
            repaired=repaired,
            numbers=identifier_numbers(tokens, period_numbers),
            period=period,
            figure=figure,
            count_noun=_count_noun(tokens) if figure else None,
            places=named_places(text),
            marks=marks,
            types=question_types(tokens),
            now=bool(_NOW_RE.search(joined)),
            asks=asks(" ".join(tokenize(folded))) | asks(joined),  # as typed, and abbreviations written out
            name_pairs=name_pairs(text),
            cumulative=bool(_CUMULATIVE_RE.search(" ".join(tokenize(folded)))),
            stated=stated_amounts(tokens),
            upward=goes_up(joined),
            opposites=[(p, o) for p in dict.fromkeys(bigrams(tokens)) for o in lexicon.OPPOSITES.get(p, "").split()],
        )

    def repair_pairs(self, tokens: list[str], repaired: dict[str, str]) -> list[str]:
        """Real words typed for others by one final letter ("ban hàng" for "ban hành", "quyết
        địng"): a pair the knowledge never uses, when swapping a final sound of its second word
        gives a pair it uses often."""
        out = list(tokens)
        for i in range(1, len(out)):
            first, word = out[i - 1], out[i]
            if self._frequency(f"{first}_{word}") or not self._known(first):
                continue
            swaps = [word[: -len(a)] + b for a, b in _FINAL_SWAPS if word.endswith(a) and len(word) > len(a)]
            best = max(swaps, key=lambda w: self._frequency(f"{first}_{w}"), default=None)
            if best and self._frequency(f"{first}_{best}") >= PAIR_REPAIR_ITEMS:
                repaired[word] = best
                out[i] = best
        return out

    def repair(self, token: str) -> str | None:
        """Best guess for a word the knowledge base does not know: Telex leftovers, a missing
        space, or one or two wrong letters. None when nothing plausible is found."""
        if len(token) < 3:
            return None
        for candidate in _telex_candidates(token):
            if self._known(candidate):
                return candidate
        if len(token) >= 5:
            splits = [
                (min(self._frequency(token[:cut]), self._frequency(token[cut:])), cut)
                for cut in range(2, len(token) - 1)
            ]
            best_split = max(splits, default=(0, 0))
            if best_split[0] > 0:
                cut = best_split[1]
                return f"{token[:cut]} {token[cut:]}"
        return self._nearest(token) if len(token) >= 4 else None

    def _nearest(self, token: str) -> str | None:
        limit = 1 if len(token) < 7 else 2
        best: tuple[int, int, str] | None = None
        for size in range(len(token) - limit, len(token) + limit + 1):
            for word in self._by_length.get(size, ()):
                if limit == 1 and word[0] != token[0]:
                    continue
                dist = Levenshtein.distance(token, word, score_cutoff=limit)
                if dist <= limit:
                    key = (dist, -self._frequency(word), word)
                    if best is None or key < best:
                        best = key
        return best[2] if best else None


# Words that rewriting consumes or produces are valid even when no knowledge item uses them.
_REWRITE_KEYS = (
    frozenset(w for k in _REWRITES for w in k)
    | frozenset(w for v in _REWRITES.values() for w in v)
    | frozenset(w for k in _NUMBER_PHRASES for w in k)
    | lexicon.STOPWORDS
)

_TONE_KEYS = "sfrxj"


PAIR_REPAIR_ITEMS = 5
"""Items that must use a pair before a word is rewritten to make it."""
_FINAL_SWAPS = (("ng", "nh"), ("nh", "ng"), ("c", "t"), ("t", "c"), ("n", "ng"), ("ng", "n"), ("n", "nh"))
"""Final sounds that phone typing and regional speech confuse."""


def _telex_candidates(token: str) -> list[str]:
    """Folded spellings of a token typed with leftover Telex keys ("chuyeenr" → "chuyen")."""
    base = token
    if base[-1] in _TONE_KEYS and len(base) > 2:
        base = base[:-1]
    collapsed = re.sub(r"(aa|ee|oo)", lambda m: m.group(0)[0], base)
    collapsed = collapsed.replace("dd", "d")
    collapsed = re.sub(r"(?<=[aou])w", "", collapsed)
    collapsed = re.sub(r"^w", "u", collapsed)
    candidates = [c for c in dict.fromkeys([collapsed, base]) if c != token]
    return candidates


def _count_noun(tokens: list[str]) -> str | None:
    """The noun a figure question counts: the first word after "bao nhiêu"/"mấy" ("mấy xã")."""
    for i, tok in enumerate(tokens):
        if tok == "may" or (tok == "nhieu" and i > 0 and tokens[i - 1] == "bao"):
            for nxt in tokens[i + 1 : i + 3]:
                if nxt not in lexicon.STOPWORDS and not nxt.isdigit():
                    return nxt
    return None


_PLACE_RE = re.compile(
    r"\b(?i:huyện|tỉnh|xã|quận|phường|thị xã|thành phố|thị trấn)\s+((?:[A-ZĐÀ-Ỹ][^\W\d_]*\s*){1,3})", re.UNICODE
)


def named_places(text: str) -> list[str]:
    """Places a question names with capitals ("huyện Bình Xuyên"), as folded syllable pairs.

    Capitals are the only safe sign of a name: "huyện chính thức" is not a place. Questions
    typed in lower case get no place check and rely on word coverage alone.
    """
    places = []
    for m in _PLACE_RE.finditer(text):
        words = [w for w in m.group(1).split() if w[:1].isupper()]
        if len(words) >= 2:
            tokens = tokenize(fold_for_matching(" ".join(words[:2])))
            if len(tokens) == 2:
                places.append(f"{tokens[0]}_{tokens[1]}")
    return places


_SOURCE_YEAR_RE = re.compile(
    r"\b(?:bai bao|bai viet|to bao|ban tin|mot bai|bai do)"
    r"(?: (?:ve|cua|tren|dang tren) \w+(?: \w+){0,3}| \w+ \w+)? (nam (?:19|20)\d{2})\b"
)


def _without_source_years(folded: str) -> str:
    """Folded text with the year of an article it cites blanked ("theo bài báo Vĩnh Phúc năm
    2019", "trong bài báo về Tam Dương năm 2019"): when the article appeared, not the period a
    figure is asked for. Blanked with spaces, so that positions in the text stay the same."""
    return _SOURCE_YEAR_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start()] + " " * len(m.group(1)), folded)


_QUESTION_TYPE_RES = {name: re.compile(rx) for name, rx in lexicon.QUESTION_TYPES.items()}


def question_types(tokens: list[str]) -> frozenset[str]:
    """What kinds of answer a question asks for: definition, who, when, where, how, figure."""
    text = " ".join(tokens)
    return frozenset(name for name, rx in _QUESTION_TYPE_RES.items() if rx.search(text))


_SENTENCE_RE = re.compile(r"[^.!?;:\n]+")


def name_pairs(text: str) -> list[str]:
    """Adjacent title-case words of a text as folded pairs ("Trung Quốc" → "trung_quoc"):
    the parts of proper names. Abbreviations (KL, TW), function words ("Ở Trung"; "Hà" and
    "Nhật" are no "hả", "nhất") and words that are no Vietnamese syllable (a typo: "Dươngg") are
    left out; a sentence's first word, capitalised anyway, starts a pair only when the name is
    two words long ("Hà Nội có ...", not "Tỉnh Hòa Bình ...")."""
    pairs = []
    for sentence in _SENTENCE_RE.findall(text):
        words = re.findall(r"[^\W_]+", sentence)  # numbers too: "Năm 2012 Bộ" holds no pair
        if len(words) > 2 and _title(words[2]):
            words = words[1:]  # "Tỉnh Hòa Bình ...": the first word is a noun before the name
        for a, b in zip(words, words[1:]):
            if _title(a) and _title(b) and not (_function(a) or _function(b)):
                fa, fb = fold(a), fold(b)
                if is_syllable(fa) and is_syllable(fb):
                    pairs.append(f"{fa}_{fb}")
    return pairs


def _function(word: str) -> bool:
    """Whether a word is a function word, by its diacritics when it has content homographs."""
    return fold(word) in lexicon.STOPWORDS and accent_key(word) not in _CONTENT_KEYS


def _title(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def initialism(place: str) -> str:
    """Initials of a place name ("tam_duong" → "td"), as officials write TD or VP for a place."""
    return "".join(part[0] for part in place.split("_"))


_LEVEL = r"(?:cap )?(?:xa|phuong|thi tran|co so|huyen|tinh|trung uong|tren|duoi|cap duoi|cap tren)"
_RISING = r"(?<!tang )(?<!nhieu )(?<!cao )(?<!them )(?<!day )(?<!vuon )"
"""Not "lên" of a number or a quality rising ("ở huyện Tam Dương tăng lên", "nâng cao lên")."""
_UPWARD_RE = re.compile(rf"\b(?:tu|o) {_LEVEL}(?: \w+){{0,3}} {_RISING}len\b|\blen {_LEVEL}\b|\bduoi len\b")


def goes_up(folded: str) -> bool:
    """Whether a folded text speaks of cadres going up a level ("từ xã lên huyện", "cấp dưới
    lên cấp trên"). Rotation in the sources goes down to the grassroots or across unless a text
    says otherwise, so a question about going up is answered only by a text that speaks of it."""
    return bool(_UPWARD_RE.search(folded))


def stated_amounts(tokens: list[str]) -> list[tuple[str, str]]:
    """(number, counted noun) pairs a text states ("5 năm", "7 đồng chí"); dates ("tháng 5
    năm 2019") are not amounts."""
    found = []
    for i, tok in enumerate(tokens[:-1]):
        noun = tokens[i + 1]
        if not _DIGITS_RE.match(tok) or tok.startswith("0") or noun not in lexicon.NUMBER_COUNTERS:
            continue
        before, after = tokens[i - 1] if i else "", tokens[i + 2] if i + 2 < len(tokens) else ""
        if before in _DATE_WORDS or before.isdigit() or after.isdigit() or len(tok) == 4:
            continue  # "tháng 5 năm 2019", "1/7/2025 tỉnh", "năm 2019"
        found.append((tok, noun))
    return found


_DATE_WORDS = frozenset("ngay thang quy nam khoa so dieu nhiem quyet dinh luan".split())
"""Words before a number that make it a date or a document's number, not an amount."""


def counts_noun(noun: str, words: Iterable[str]) -> bool:
    """Whether words name what ``noun`` counts; people are counted as người, cán bộ, lượt..."""
    group = lexicon.PEOPLE_NOUNS if noun in lexicon.PEOPLE_NOUNS else {noun}
    return any(w in group for w in words)
