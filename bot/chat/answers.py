"""Questions and their answers: plain text, /hoi in groups, example questions, tapped
suggestions, and inline mode."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
import weakref

from ..knowledge.formats.documents import article_heading, article_key, article_label
from ..knowledge.store import record_feedback
from ..search.engine import Answer, Engine
from ..search.items import PassageItem
from ..search.text import shorten
from .router import InlineResult, Option, Reply, Router, Turn

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
    if answer.kind in ("not_found", "guess", "no_data", "stale"):
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
    return [asked(EXAMPLES[index], reply) for reply in question(turn, EXAMPLES[index])]


def example_options() -> list[Option]:
    return [Option(shorten(q, MAX_OPTION_LABEL), example.data(i)) for i, q in enumerate(EXAMPLES)]


@router.button("s")
def suggestion(turn: Turn, code: str) -> list[Reply]:
    """A tapped suggestion: the answer of that item, if it still exists."""
    engine = turn.bot.engine
    key = item_key(engine, code)
    answer = engine.answer_item(key) if key else None
    if answer is None:
        return [Reply(STALE_OPTION)]
    turn.bot.topics.remember(turn.msg, answer)
    return [asked(answer.question, reply_for(answer))]


def asked(question: str, reply: Reply) -> Reply:
    """A reply to a tapped question, which shows the question it answers first."""
    reply.text = f"Câu hỏi: {question}\n\n{reply.text}"
    return reply


def read_options(links: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[Option]:
    """Options to open items by their key ((title, key) pairs, as the monthly update lists them)."""
    return [Option(shorten(title, MAX_OPTION_LABEL), suggestion.data(item_code(key))) for title, key in links]


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
    """An answer with what is offered under it: related entries and a rating when it is a real
    answer, the closest topics when it is not."""
    if answer.found and answer.item:
        return Reply(render_answer(answer), answer_options(answer))
    options = [Option(title, suggestion.data(item_code(key))) for title, key in zip(answer.titles, answer.suggested_items)]
    if answer.kind == "guess":  # "Có phải ... muốn hỏi ...?": one tap to confirm
        options[0] = dataclasses.replace(options[0], label="Đúng vậy")
    return Reply(render_answer(answer), options)


# --- under each answer: read on, and say whether it helped ----------------------------------

COMMENT_SECONDS = 10 * 60
"""How long a tapped "Gửi góp ý" waits for the comment."""


def answer_options(answer: Answer) -> list[Option]:
    """Read on, rate; and under a passage of a document's article, read the whole article."""
    code = item_code(answer.item or "")
    article = article_label((answer.item or "").removeprefix("passage:"))
    whole = [Option(f"Xem nguyên văn {article}", whole_article.data(code))] if article else []
    return [
        *whole,
        Option("Xem thêm", more.data(code)),
        Option("👍 Hữu ích", rate.data(f"up:{code}")),
        Option("👎 Chưa đúng", rate.data(f"down:{code}"), beside=True),
    ]


def item_key(engine: Engine, code: str) -> str | None:
    """The item a button's code stands for, if it still exists."""
    return _suggestion_keys(engine).get(code)




@router.button("xt")
def more(turn: Turn, code: str) -> list[Reply]:
    """Entries related to the one just answered."""
    key = item_key(turn.bot.engine, code)
    related = turn.bot.engine.related(key) if key else []
    if not related:
        return [Reply("Chưa có nội dung liên quan khác. Xin {you} gõ câu hỏi cụ thể hơn.")]
    return [Reply("Nội dung liên quan:", [Option(i.short(), suggestion.data(item_code(i.key))) for i in related])]


@router.button("nv")
def whole_article(turn: Turn, code: str) -> list[Reply]:
    """The whole text of the article a passage belongs to, all its passages in order (the
    channel splits it under the platform's limit)."""
    key = item_key(turn.bot.engine, code)
    article = article_key(key.removeprefix("passage:")) if key else None
    if article is None:
        return [Reply(STALE_OPTION)]
    prefix = f"passage:{article}"
    parts = sorted(
        (item for item in turn.bot.engine.items
         if isinstance(item, PassageItem) and (item.key == prefix or item.key.startswith(prefix + "."))),
        key=lambda item: item.key,
    )
    if not parts:
        return [Reply(STALE_OPTION)]
    heading = f"{article_heading(parts[0].section)}, {parts[0].document}:"
    return [Reply("\n\n".join([heading, *(item.body for item in parts)]))]


@router.button("fb")
async def rate(turn: Turn, value: str) -> list[Reply]:
    """👍 or 👎 on an answer, kept for the admins."""
    verb, _, code = value.partition(":")
    key = item_key(turn.bot.engine, code)
    if verb not in ("up", "down") or key is None:
        return [Reply(STALE_OPTION)]
    topic = turn.bot.topics.get(turn.msg)
    answer = topic if topic is not None and topic.item == key else turn.bot.engine.answer_item(key)
    if answer is None:
        return [Reply(STALE_OPTION)]
    return await record(turn, answer, 1 if verb == "up" else -1)


async def record(turn: Turn, answer: Answer, rating: int) -> list[Reply]:
    """Keep a rating (in a worker: the reply never waits for the database)."""
    feedback = await asyncio.to_thread(
        record_feedback, turn.bot.store.path, turn.msg.platform, rating, answer.question, render_answer(answer),
        answer.item or "",
    )
    if rating > 0:
        return [Reply("Cảm ơn {you}!")]
    return [Reply("Cảm ơn {you} đã báo; quản trị viên sẽ xem lại câu trả lời này.",
                  [Option("Gửi góp ý", comment.data(feedback))])]


@router.button("gy", numeric=True)
def comment(turn: Turn, feedback: int) -> list[Reply]:
    """The next message is the comment on this 👎 (for a short while)."""
    turn.bot.comments[turn.who] = (feedback, turn.bot.flood.clock())
    return [Reply("Xin {you} gõ góp ý trong một tin nhắn (ví dụ: câu trả lời đúng là gì, theo văn bản nào):",
                  [Option("Bỏ qua", no_comment.data("1"))], typed=True)]


@router.button("gyb")
def no_comment(turn: Turn, value: str) -> list[Reply]:
    turn.bot.comments.pop(turn.who, None)
    return [Reply("Vâng. {You} cứ gõ câu hỏi tiếp.")]


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


def inline(engine: Engine, query: str, popular: list[str], limit: int = 3) -> list[InlineResult]:
    """Answers for inline mode, each titled with its entry's own question (not what was typed):
    the answer and the closest topics for a query; for an empty one, the ``popular`` items
    (most found helpful) and the example questions."""
    if query.strip():
        answer = engine.answer(query)
        keys = ([answer.item] if answer.found and answer.item else []) + answer.suggested_items
    else:
        keys = popular + [a.item for a in map(engine.answer, EXAMPLES) if a.found and a.item]
    results: list[InlineResult] = []
    for key in dict.fromkeys(keys):
        found, item = engine.answer_item(key), engine.item(key)
        if found is None or item is None or not found.found or len(results) == limit:
            continue
        results.append(InlineResult(
            id=item_code(key), title=item.short(), text=render_answer(found),
            description=shorten(found.answer, 100),
        ))
    return results

