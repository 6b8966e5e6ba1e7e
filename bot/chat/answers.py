"""Questions and their answers: plain text, /hoi in groups, example questions, tapped
suggestions, and inline mode."""

from __future__ import annotations

import hashlib
import re
import weakref

from ..search.engine import Answer, Engine
from .router import InlineResult, Option, Reply, Router, Turn, clip

router = Router("answers")

MAX_OPTION_LABEL = 60
EXAMPLES = (
    "Sau 2 năm có bao nhiêu lượt cán bộ được luân chuyển?",
    "Luân chuyển cán bộ tối thiểu mấy năm?",
    "Ai chủ trì hội nghị sơ kết Nghị quyết 02?",
)
ASK_USAGE = "Xin {you} gõ câu hỏi sau lệnh, ví dụ: /hoi Luân chuyển cán bộ tối thiểu mấy năm?"
STALE_OPTION = "Gợi ý này đã cũ hoặc không còn trong cơ sở dữ liệu. Xin {you} gõ lại câu hỏi."


@router.text()
def question(turn: Turn, text: str) -> list[Reply]:
    """Any text that nothing else claims is a question, read against the chat's last topic
    (a short while ago) when it is a follow-up."""
    answer = turn.bot.engine.answer(text, context=turn.bot.topics.get(turn.msg))
    turn.bot.topics.remember(turn.msg, answer)
    if answer.kind in ("not_found", "no_data", "stale"):
        turn.bot.remember_unanswered(turn.msg.platform, answer.question)
    return [reply_for(answer)]


@router.command("hoi", "Đặt câu hỏi (dùng trong nhóm): /hoi <câu hỏi>")
def ask(turn: Turn, args: str) -> list[Reply]:
    if not args:
        return [Reply(ASK_USAGE)]
    return question(turn, args)


@router.button("ex", numeric=True)
def example(turn: Turn, index: int) -> list[Reply]:
    if index >= len(EXAMPLES):
        return [Reply(STALE_OPTION)]
    return question(turn, EXAMPLES[index])


def example_options() -> list[Option]:
    return [Option(clip(q, MAX_OPTION_LABEL), example.data(i)) for i, q in enumerate(EXAMPLES)]


@router.button("s")
def suggestion(turn: Turn, code: str) -> list[Reply]:
    """A tapped suggestion: the answer of that item, if it still exists."""
    engine = turn.bot.engine
    key = _suggestion_keys(engine).get(code)
    answer = engine.answer_item(key) if key else None
    if answer is None:
        return [Reply(STALE_OPTION)]
    turn.bot.topics.remember(turn.msg, answer)
    return [reply_for(answer)]


def read_options(links: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[Option]:
    """Options to open items by their key ((title, key) pairs, as the monthly update lists them)."""
    return [Option(clip(title, MAX_OPTION_LABEL), suggestion.data(item_code(key))) for title, key in links]


def item_code(key: str) -> str:
    """A short, stable code for an item key (callback data allows 64 bytes)."""
    return hashlib.sha1(key.encode()).hexdigest()[:16]


_indexes: weakref.WeakKeyDictionary[Engine, dict[str, str]] = weakref.WeakKeyDictionary()


def _suggestion_keys(engine: Engine) -> dict[str, str]:
    """Item keys by code, built once per engine."""
    if engine not in _indexes:
        _indexes[engine] = {item_code(item.key): item.key for item in engine.items}
    return _indexes[engine]


def reply_for(answer: Answer) -> Reply:
    options = [
        Option(clip(label, MAX_OPTION_LABEL), suggestion.data(item_code(key)))
        for label, key in zip(answer.suggestions, answer.suggested_items, strict=False)
    ]
    return Reply(render_answer(answer), options)


def render_answer(answer: Answer) -> str:
    """An answer as users read it: the text, then one source line, dated when it is a real answer."""
    if not answer.found or not answer.source:
        return answer.answer
    return f"{answer.answer}\n\nNguồn: {answer.source}{dated(answer.source, answer.as_of, answer.item)}"


_DOCUMENT_RE = re.compile(
    r"^(?:Nghị quyết|Quy định|Kết luận|Nghị định|Quyết định|Thông tư|Chỉ thị|Hướng dẫn|Luật|NQ|QĐ|KL|NĐ)\b"
    r"|tóm tắt (?:Điều|Quy định|Nghị quyết)",
)


def dated(source: str, as_of: str | None, item: str | None = None) -> str:
    """What the date of an answer is, said so it cannot be misread: a document's own date, an
    article's publication date, or the date the information holds for; nothing when the source
    line already carries it or the answer is a figure (whose period is in its text)."""
    if not as_of or (item or "").startswith("metric:"):
        return ""
    parts = as_of.split("-")
    if len(parts) != 3:
        return ""
    year, month, day = parts
    if any(form in source for form in (f"{day}/{month}/{year}", f"{int(day)}/{int(month)}/{year}", as_of)):
        return ""
    label = f"{day}/{month}/{year}"
    if source.startswith("Báo") or " bài " in source:
        return f" (bài đăng ngày {label})"
    if _DOCUMENT_RE.search(source):
        return f" (văn bản ngày {label})"
    return f" (thông tin tính đến ngày {label})"


def inline(engine: Engine, query: str, limit: int = 3) -> list[InlineResult]:
    """Best answers for inline mode: the answer when found, else the suggested topics."""
    if not query.strip():
        return []
    answer = engine.answer(query)
    answers = [answer] if answer.found else []
    for key in answer.suggested_items:
        if len(answers) == limit:
            break
        item_answer = engine.answer_item(key)
        if item_answer is not None and item_answer.found:
            answers.append(item_answer)
    return [
        InlineResult(
            id=item_code(a.item or a.question), title=clip(a.question, 60),
            text=render_answer(a), description=clip(a.answer, 100),
        )
        for a in answers
    ]

