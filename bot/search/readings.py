"""The ways one message can be read: as a whole, as the question sentence inside a long
message, and, after an answer, as a follow-up of the question before it.

Officials write long, polite messages ("Kính gửi anh chị. Tôi là chuyên viên ... Xin hỏi ...
bao nhiêu lượt cán bộ ạ?") and short follow-ups ("còn năm 2018?", "ban hành năm nào?"). The
engine scores every reading and answers the one it is surest of, so a question that stands on
its own is still read as itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon
from .analysis import normalize
from .text import fold_for_matching, tokenize

LONG_MESSAGE_WORDS = 22
"""From this many words (or two sentences), a message is searched for its question sentence."""
_SENTENCE_RE = re.compile(r"[^.!?;\n]+[.!?;]*")
_CUE_RE = re.compile(
    r"\?|\b(?:ai|gi|nao|dau|bao nhieu|may|khi nao|bao gio|bao lau|the nao|ra sao|tai sao|vi sao|co phai|"
    r"khong|chua|hoi|cho biet|giai thich|la gi|nhac lai|cung cap|noi ro|tom tat|muon biet|can biet)\b"
)
_FOLLOW_UP_RE = re.compile(
    r"^(?:con|the con|vay con|vay|the|thi|va|roi|sau do|ngoai ra)\b|\b(?:no|do|nay|ay|kia|tren|vua roi|"
    r"van ban do|van ban nay|quy dinh do|nghi quyet do|cai do|viec do|truong hop do)\b"
)
FOLLOW_UP_WORDS = 5
"""A message of at most this many content words may lean on the question before it."""


@dataclass(frozen=True)
class Reading:
    text: str
    kind: str
    """"whole", "sentence" (of a long message) or "follow-up" (with the previous question)."""
    meaning: bool = True
    """Whether to compare it by meaning too: the model's time grows with the text, so a long
    message is compared through its question sentences, and a follow-up by its words."""


def readings(message: str, previous: str | None = None) -> list[Reading]:
    """The readings of a message, the message itself first."""
    sentences = question_sentences(message)
    found = [Reading(resolved(message, previous) if previous else message, "whole", meaning=not sentences)]
    found += [Reading(text, "sentence", meaning=alone) for text, alone in sentences]
    if previous and leans_on_context(message):
        found.append(Reading(f"{message} {previous}", "follow-up", meaning=False))
    return found


_DOCUMENT_KINDS = {
    "qd": r"quy định|quyết định|qđ|qd", "nq": r"nghị quyết|nq", "kl": r"kết luận|kl", "nd": r"nghị định|nđ|nd",
}
_POINTED_DOCUMENT_RE = re.compile(
    rf"\b(?:{'|'.join(f'(?P<{kind}>{nouns})' for kind, nouns in _DOCUMENT_KINDS.items())}|(?P<any>văn bản|vb))"
    r"\s+(?:đó|này|ấy|kia|trên|nay|ay)\b",
    re.IGNORECASE,
)
_NUMBERED_RE = {
    kind: re.compile(rf"\b(?:{nouns})\s*(?:số\s*)?(\d+)", re.IGNORECASE) for kind, nouns in _DOCUMENT_KINDS.items()
}


def resolved(message: str, previous: str) -> str:
    """A message whose pointed document ("QĐ đó", "nghị quyết này", "văn bản ấy") is named by
    the number the previous question gave it ("còn QĐ 98 thì sao?" → "QĐ đó ban hành ngày nào"
    reads "QĐ 98 ban hành ngày nào"); the message itself when the previous one numbers none."""

    def name(match: re.Match) -> str:
        kind = match.lastgroup or "any"  # the one kind of document named; "any" for "văn bản"
        kinds = list(_DOCUMENT_KINDS) if kind == "any" else [kind]
        found = [m for k in kinds for m in _NUMBERED_RE[k].finditer(previous)]
        if not found:
            return match.group(0)
        latest = min(found, key=lambda m: m.start())  # a follow-up's reading puts the newest words first
        return latest.group(0) if kind == "any" else f"{match.group(kind)} {latest.group(1)}"

    return _POINTED_DOCUMENT_RE.sub(name, message)


def unpointed(message: str) -> str:
    """A message without its pointed documents ("kết luận đó có mấy mục?" → "có mấy mục?"):
    what a follow-up adds to the document it points back at."""
    return _POINTED_DOCUMENT_RE.sub(" ", message)


def question_sentences(message: str) -> list[tuple[str, bool]]:
    """The sentences of a long message that ask something, alone (True) and with the sentence
    before (which often names what "đó" or "này" stands for); nothing for a short message. A
    sentence that opens on the asker ("Em là chuyên viên mới, sếp bảo em tìm xem QĐ 65 khóa
    mấy") is also read from its question on, without a closing purpose ("để ghi vào tờ trình")."""
    sentences = [s.strip() for s in _SENTENCE_RE.findall(message) if s.strip()]
    if len(sentences) < 2 and len(message.split()) < LONG_MESSAGE_WORDS:
        return []
    out: dict[str, bool] = {}
    for i, sentence in enumerate(sentences):
        if not _asks(sentence) or _courtesy(" ".join(normalize(sentence))):
            continue
        before = sentences[i - 1] if i > 0 and not _courtesy(" ".join(normalize(sentences[i - 1]))) else None
        own = [sentence, *filter(None, [_asked_clauses(sentence)])]
        for text in own:
            out.setdefault(text, True)
            if before:
                out.setdefault(f"{before} {text}", False)
    return [(text, alone) for text, alone in out.items() if text != message.strip()]


def _spellings(text: str) -> tuple[str, str]:
    """A text folded with abbreviations written out ("bn" → "bao nhiêu") and as typed, before
    synonyms rewrite a way of asking ("bao lâu" is read "thời hạn")."""
    return " ".join(normalize(text)), " ".join(tokenize(fold_for_matching(text)))


def _asks(sentence: str) -> bool:
    """Whether a sentence asks something: a question mark or a question word."""
    folded, plain = _spellings(sentence)
    return bool(_CUE_RE.search(f"{folded} {plain}" + (" ?" if sentence.endswith("?") else "")))


_ASKER_RE = re.compile(r"\b(?:toi|em|e|minh|chung toi|bon em|chung em|sep)\b")
"""Words by which a clause speaks of the asker ("Em là chuyên viên mới", "sếp bảo em")."""
_PURPOSE_RE = re.compile(r"(?i)[,\s]+(?:để|de)\s+(?!(?:làm gì|lam gi|làm chi|lam chi)\b)[^,?]*[.?!]*$")
"""A closing purpose ("... để ghi vào tờ trình"), not a question about one ("để làm gì?")."""


def _asked_clauses(sentence: str) -> str | None:
    """A sentence without its leading clauses about the asker ("Em là chuyên viên mới, ...")
    and its closing purpose; None when that is the sentence itself."""
    clauses = [c for c in re.split(r"\s*[,:]\s*", sentence.strip()) if c]
    start = 0
    while start < len(clauses) - 1 and _about_asker(clauses[start]):
        start += 1
    asked = _PURPOSE_RE.sub("", ", ".join(clauses[start:]))
    if not _asks(asked):
        return None
    return asked if asked != sentence.strip() else None


def _about_asker(clause: str) -> bool:
    """Whether a clause speaks of the one asking and asks nothing itself."""
    return bool(_ASKER_RE.search(" ".join(tokenize(fold_for_matching(clause))))) and not _asks(clause)


def _courtesy(folded: str) -> bool:
    """A sentence of greetings, thanks and address only ("Kính gửi anh chị.", "Cảm ơn nhiều.")."""
    words = [w for w in folded.split() if w not in lexicon.ADDRESS_WORDS]
    return all(w in lexicon.STOPWORDS or w in {"gui", "chao", "cam", "on", "xin", "kinh"} for w in words)


_JOINS_RE = re.compile(
    r"\s*(?:,|;)?\s+(?:và|va|còn|con|riêng|rieng|trong đó|trong do|đồng thời|dong thoi)\s+", re.IGNORECASE
)
_ASKS_RE = re.compile(
    r"\b(?:bao nhieu|may|ai|gi|nao|khi nao|bao gio|bao lau)\b|\b(?:so|tong so) (?:luot|luong|dong chi|can bo|nguoi)\b"
)
"""A part that asks something: a question word, or a figure named ("số lượt ... và số đồng chí ...")."""


def compound_parts(message: str) -> list[str]:
    """The two questions of a compound message ("bao nhiêu lượt ... và trong đó bao nhiêu lượt
    diện BTV quản lý?"), split where a joining word starts a part that asks again; [] when the
    message asks one thing."""
    for match in _JOINS_RE.finditer(message):
        first, second = message[: match.start()].strip(" ,;?"), message[match.end() :].strip()
        if all(_asks_again(part) for part in (first, second)):
            return [first + "?", second]
    return []


_YES_NO_RE = re.compile(r"\b(?:co|duoc|bi|da|phai)\b.*\b(?:khong|chua)$")
"""A part asking yes or no ("có bị giảm phụ cấp không")."""


def _asks_again(part: str) -> bool:
    """Whether a part of a message asks a question of its own, in either spelling."""
    folded, plain = _spellings(part)
    return bool(_ASKS_RE.search(folded) or _ASKS_RE.search(plain) or _YES_NO_RE.search(plain))


def leans_on_context(message: str) -> bool:
    """Whether a message may be a follow-up: short, or pointing back ("nó", "văn bản đó",
    "còn ... thì sao")."""
    tokens = normalize(message)
    content = [t for t in tokens if t not in lexicon.STOPWORDS and t not in lexicon.ADDRESS_WORDS]
    return len(content) <= FOLLOW_UP_WORDS or points_back(message)


def points_back(message: str) -> bool:
    """Whether a message points back at what was said before ("nó", "văn bản đó", "còn ...")."""
    return bool(_FOLLOW_UP_RE.search(" ".join(normalize(message))))


_CONTRAST_RE = re.compile(
    r"^(?:the con|vay con|con|rieng)\b(?! (?:hieu luc|ap dung|duoc|phai|nua|lai|khong|bao nhieu|may)\b)"
)
"""A message opening on another subject; not "còn" as "still" ("còn hiệu lực không?", "còn bao nhiêu")."""


def contrasts(message: str) -> bool:
    """Whether a message turns from what was just answered to something beside it ("còn QĐ 98
    thì sao?", "thế còn diện BTV quản lý?", "riêng cán bộ trẻ?")."""
    return bool(_CONTRAST_RE.search(" ".join(normalize(message))))
