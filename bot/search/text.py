"""Vietnamese text folding and tokenizing.

Officials type with or without diacritics, with old or new tone placement, and paste NFD text
from phones. Everything that compares text goes through :func:`fold` first, so that all those
spellings become the same ASCII string; the accented original is kept for display only.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from . import lexicon

# Letters that NFD does not decompose: đ/Đ, and the eth (Ð/ð) often typed in place of Đ.
_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_SPACE_RE = re.compile(r"\s+")
# Anything that is not a letter or digit after folding becomes a separator, but keep the few
# marks that carry meaning in numbers and periods ("2017-2021", "3/2020", "65-QĐ/TW", "1,5").
_SEPARATOR_RE = re.compile(r"[^a-z0-9/\-.,%]+")

MAX_QUESTION_CHARS = 1000
"""Longer messages are cut before matching: no real question is longer, and it bounds the work."""


def clean(text: str) -> str:
    """Return NFC text without control or format characters (NUL, zero-width, BOM), one line."""
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    return _SPACE_RE.sub(" ", "".join(out)).strip()


def fold(text: str) -> str:
    """Lowercase ASCII form of Vietnamese text: no tone marks, no diacritics, đ→d.

    Old and new tone placement (hoà/hòa, uỷ/ủy) and NFD input all give the same result, so
    the exact position of a mark never matters. Latin letters go through one translation
    table (fast: folding runs on every entry written and every question asked); text with
    other decomposable letters takes the general path.
    """
    quick = unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)
    if not quick.isascii() and any(_decomposes(ch) for ch in set(quick) if not ch.isascii()):
        return _fold_slowly(text)
    return _SPACE_RE.sub(" ", quick).strip()


def _fold_slowly(text: str) -> str:
    text = unicodedata.normalize("NFD", text.translate(_LETTER_MAP).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = unicodedata.normalize("NFC", text).translate(_LETTER_MAP)
    return _SPACE_RE.sub(" ", text).strip()


def _decomposes(ch: str) -> bool:
    """Whether NFD changes a character (a canonical decomposition), or it is a lone mark."""
    decomposition = unicodedata.decomposition(ch)
    return bool(decomposition and not decomposition.startswith("<")) or unicodedata.category(ch) == "Mn"


def _fold_table() -> dict[int, str]:
    """Each Latin letter with marks (and each combining mark) to what folding makes of it."""
    table: dict[int, str] = {}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00), *range(0x0300, 0x0370)]:
        ch = chr(code)
        folded = _fold_slowly(ch) if unicodedata.category(ch) != "Mn" else ""
        if folded != ch.lower() and (folded.isascii() or not folded):
            table[code] = folded
    return table


_FOLD_TABLE = _fold_table()


def fold_for_matching(text: str) -> str:
    """Folded text with punctuation turned into spaces except inside numbers and periods."""
    folded = _SEPARATOR_RE.sub(" ", fold(clean(text)))
    # Marks only matter between digits or letters; strip them at word edges ("quý?" "năm.").
    folded = re.sub(r"(?<![a-z0-9])[/\-.,%]+|[/\-.,]+(?![a-z0-9])", " ", folded)
    folded = _DATE_PARTS_RE.sub(_without_date_zeros, folded)  # "30/05/2019" is "30/5/2019"
    folded = _GLUED_NUMBER_RE.sub(r"\1 \2", folded)  # "qd65" is "qd 65"
    return _SPACE_RE.sub(" ", folded).strip()


_GLUED_NUMBER_RE = re.compile(r"\b(nq|qd|nd|kl|tt|ct|hd)(\d+)\b")
"""A kind of document typed together with its number ("QĐ65", "nq02", "NĐ138")."""


_DATE_PARTS_RE = re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\b|\b(thang )(\d{1,2})([/.-])(\d{4})\b")
"""A date ("30/05/2019") or a month ("tháng 05/2019"), whose leading zeros users type or leave
out at will; a number such as "02/2017" is neither."""


def _without_date_zeros(match: re.Match) -> str:
    """The date or month of a match written without leading zeros."""
    day, sep, month, year, thang, month_only, sep_only, year_only = match.groups()
    if thang:
        return f"{thang}{int(month_only)}{sep_only}{year_only}"
    return f"{int(day)}{sep}{int(month)}{sep}{year}"


def tokenize(folded: str) -> list[str]:
    """Split folded text into syllable and number tokens ("65-qd/tw" → 65, qd, tw)."""
    return _TOKEN_RE.findall(folded)


def is_latin_text(text: str) -> bool:
    """True when most letters are Latin (Vietnamese or English), not Cyrillic, CJK and so on."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin * 2 >= len(letters)


# Tone marks, separated from the vowel-quality marks (circumflex, breve, horn) that stay.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def accent_key(word: str) -> str:
    """Accented spelling with the tone moved to the end: "uỷ" and "ủy" both give "uy3".

    Folding merges different words (lương/lượng, thơ/Thọ, bạn/ban); this key tells them apart
    again when the user did type diacritics, whatever the tone placement or normalization.
    """
    tone = ""
    base = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)) + tone


def marked_words(text: str) -> dict[str, str]:
    """Words typed with diacritics, as folded form → accent key (last one wins)."""
    out = {}
    for word in _WORD_RE.findall(text):
        if not word.isascii():
            out[fold(word)] = accent_key(word)
    return out


def accent_keys(text: str) -> dict[str, set[str]]:
    """Every accented word of a text, grouped by folded form."""
    out: dict[str, set[str]] = {}
    for word in _WORD_RE.findall(text):
        folded, key = _word_keys(word)
        out.setdefault(folded, set()).add(key)
    return out


@functools.lru_cache(maxsize=65_536)
def _word_keys(word: str) -> tuple[str, str]:
    """A word's folded form and accent key (a language has few thousand syllables: kept)."""
    return fold(word), accent_key(word)


def split_message(text: str, limit: int) -> list[str]:
    """Split text for a chat platform's length limit at paragraph, then line, then word
    boundaries (a hard cut only for a single overlong word)."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts or [""]


def shorten(text: str, limit: int) -> str:
    """Text of at most ``limit`` characters, cut at a word boundary with an ellipsis (a title
    on a button or a numbered line must not end mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    head = text[:cut] if cut > limit // 2 else text[: limit - 1]
    return head.rstrip(" ,;:–-") + "…"


ADDRESS_TERM = "đồng chí"
"""How the bot addresses users by default (ADDRESS_TERM)."""


def addressed(text: str, term: str = ADDRESS_TERM) -> str:
    """A bot-authored text with the user's form of address in place of {you} ({You} at the
    start of a sentence). Knowledge texts never carry the placeholder, so "7 đồng chí" in an
    answer is never touched."""
    return text.replace("{You}", term[:1].upper() + term[1:]).replace("{you}", term)


_PREAMBLE_RE = re.compile(
    r"^(?:(?:dong chi|anh chi|ad|admin|bot|ban) oi )?(?:" + "|".join(lexicon.ASKING_PHRASES) + r") "
)


def without_preamble(text: str) -> str:
    """A question without the words that open it politely ("đồng chí ơi, cho hỏi ..."), which
    say nothing of what it asks and only blur what it means."""
    words = list(_WORD_RE.finditer(text))
    match = _PREAMBLE_RE.match(" ".join(fold(w.group(0)) for w in words) + " ")
    if not match:
        return text
    rest = text[words[len(match.group(0).split()) - 1].end() :].lstrip(" ,:;.!?")
    return rest or text

