"""What the bot says in Vietnamese when it is not quoting the knowledge base, and how it
recognises greetings, thanks and requests for help."""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import lexicon
from .analysis import normalize

EMPTY_REPLY = "Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi về công tác luân chuyển cán bộ, ví dụ: “Nghị quyết 02 của Huyện ủy Tam Dương nói gì?”"
UNREADABLE_REPLY = "Xin lỗi, tôi chỉ đọc được câu hỏi bằng tiếng Việt. Bạn hãy gõ lại câu hỏi bằng chữ, ví dụ: “Luân chuyển cán bộ tối thiểu mấy năm?”"
GREETING_REPLY = "Xin chào! Tôi trả lời các câu hỏi về công tác luân chuyển cán bộ lãnh đạo, quản lý: Nghị quyết 02 của Huyện ủy Tam Dương, các văn bản của Trung ương (NQ 11-NQ/TW, QĐ 98, QĐ 65-QĐ/TW) và số liệu. Bạn cứ gõ câu hỏi, có dấu hay không dấu đều được."
THANKS_REPLY = "Rất vui được giúp bạn. Khi cần, bạn cứ hỏi tiếp về công tác luân chuyển cán bộ nhé."
HELP_REPLY = (
    "Tôi trả lời câu hỏi về luân chuyển cán bộ: Nghị quyết 02 của Huyện ủy Tam Dương và kết quả sau 2 năm, "
    "các quy định của Trung ương (NQ 11-NQ/TW, KL 24-KL/TW, QĐ 98-QĐ/TW, QĐ 65-QĐ/TW, NĐ 138/2020) và số liệu. "
    "Ví dụ: “Sau 2 năm có bao nhiêu lượt cán bộ được luân chuyển?”, “Luân chuyển tối thiểu mấy năm?”."
)
STALE_REPLY = "Cơ sở dữ liệu chưa có thông tin hiện nay về nội dung này. Thông tin gần nhất (ngày {date}): {answer}"
NOT_FOUND_REPLY = "Xin lỗi, cơ sở dữ liệu chưa có câu trả lời cho câu hỏi này."
NOT_FOUND_HINT = " Có thể bạn muốn hỏi:"


def _smalltalk_patterns(words: Iterable[str]) -> re.Pattern:
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


_GREETING_RE = _smalltalk_patterns(lexicon.GREETINGS)
_THANKS_RE = _smalltalk_patterns(lexicon.THANKS)
_HELP_RE = _smalltalk_patterns(lexicon.HELP_WORDS)
_FILLER = frozenset("bot ban anh chi em a ah nhe nha nhieu lam oi ad admin toi minh voi".split())


def smalltalk(question: str) -> tuple[str, str] | None:
    """(kind, reply) when a message is only a greeting, thanks or a request for help."""
    folded = " ".join(normalize(question))
    for pattern, reply, kind in (
        (_HELP_RE, HELP_REPLY, "help"),
        (_THANKS_RE, THANKS_REPLY, "thanks"),
        (_GREETING_RE, GREETING_REPLY, "greeting"),
    ):
        rest = pattern.sub(" ", folded).split()
        if len(rest) < len(folded.split()) and all(w in _FILLER for w in rest):
            return kind, reply
    return None
