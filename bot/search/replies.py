"""What the bot says in Vietnamese when it is not quoting the knowledge base, and how it
recognises greetings, thanks and requests for help. Users are addressed with the {you}
placeholder, filled by :func:`~.text.addressed` with the configured form of address."""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import lexicon
from .analysis import normalize

EMPTY_REPLY = "{You} chưa nhập câu hỏi. Xin {you} gõ câu hỏi về công tác luân chuyển cán bộ, ví dụ: “Nghị quyết 02 của Huyện ủy Tam Dương nói gì?”"
UNREADABLE_REPLY = "Xin lỗi, tôi chỉ đọc được câu hỏi bằng tiếng Việt. Xin {you} gõ lại câu hỏi bằng chữ, ví dụ: “Luân chuyển cán bộ tối thiểu mấy năm?”"
GREETING_REPLY = "Kính chào {you}! Tôi trả lời các câu hỏi về công tác luân chuyển cán bộ lãnh đạo, quản lý: Nghị quyết 02 của Huyện ủy Tam Dương, các văn bản của Trung ương (NQ 11-NQ/TW, QĐ 98, QĐ 65-QĐ/TW) và số liệu. {You} cứ gõ câu hỏi, có dấu hay không dấu đều được."
THANKS_REPLY = "Cảm ơn {you}. Khi cần, {you} cứ hỏi tiếp về công tác luân chuyển cán bộ."
HELP_REPLY = (
    "Tôi trả lời câu hỏi về luân chuyển cán bộ: Nghị quyết 02 của Huyện ủy Tam Dương và kết quả sau 2 năm, "
    "các quy định của Trung ương (NQ 11-NQ/TW, KL 24-KL/TW, QĐ 98-QĐ/TW, QĐ 65-QĐ/TW, NĐ 138/2020) và số liệu. "
    "Ví dụ: “Sau 2 năm có bao nhiêu lượt cán bộ được luân chuyển?”, “Luân chuyển tối thiểu mấy năm?”."
)
STALE_REPLY = "Cơ sở dữ liệu chưa có thông tin hiện nay về nội dung này. Thông tin gần nhất (ngày {date}): {answer}"
NOT_FOUND_REPLY = (
    "Xin lỗi {you}, tôi chưa tìm thấy câu trả lời cho câu hỏi này trong các văn bản và số liệu về luân chuyển "
    "cán bộ mà tôi nắm (gõ /nghiquyet để xem danh sách)."
)
NOT_FOUND_HINT = " Có thể {you} muốn hỏi:"
VAGUE_REPLY = "{You} muốn hỏi gì về “{topic}”? Ví dụ:"
GUESS_REPLY = "Có phải {you} muốn hỏi: “{question}”?"


def _smalltalk_patterns(words: Iterable[str]) -> re.Pattern:
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


_GREETING_RE = _smalltalk_patterns(lexicon.GREETINGS)
_THANKS_RE = _smalltalk_patterns(lexicon.THANKS)
_HELP_RE = _smalltalk_patterns(lexicon.HELP_WORDS)
_THANKED_FOR_RE = _smalltalk_patterns(lexicon.THANKED_FOR)
_WISH_RE = re.compile(
    rf"\b(?:chuc|have a)\b(?: \w+){{0,5}}? (?:{'|'.join(map(re.escape, lexicon.WISHES))})\b(?: \w+ (?:nhe|nha|a))?"
)
_FILLER = frozenset("bot ad admin voi".split()) | lexicon.ADDRESS_WORDS
ACK_REPLY = "Dạ. Khi cần, {you} cứ gõ câu hỏi về công tác luân chuyển cán bộ."


def smalltalk(question: str) -> tuple[str, str] | None:
    """(kind, reply) when a message is only a greeting, thanks or a request for help, or
    only forms of address and particles ("đồng chí ơi", "dạ vâng ạ")."""
    tokens = normalize(question)
    if tokens and all(t in _FILLER for t in tokens):
        return "greeting", ACK_REPLY
    folded = " ".join(tokens)
    for pattern, reply, kind in (
        (_HELP_RE, HELP_REPLY, "help"),
        (_THANKS_RE, THANKS_REPLY, "thanks"),
        (_GREETING_RE, GREETING_REPLY, "greeting"),
        (_WISH_RE, THANKS_REPLY, "thanks"),  # a wish alone is answered like thanks
    ):
        if not pattern.search(folded):
            continue
        rest = _WISH_RE.sub(" ", pattern.sub(" ", folded))  # "xin chào, chúc bot một ngày tốt lành"
        if kind == "thanks":  # "cảm ơn đ/c đã giải đáp": what the thanks are for
            rest = _THANKED_FOR_RE.sub(" ", rest)
        if all(w in _FILLER for w in rest.split()):
            return kind, reply
    return None
