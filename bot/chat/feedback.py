"""What users think of the answers: "sai rồi" typed after an answer counts as its 👎, the
comment a user adds to a 👎 is kept with it, and admins review them in /phanhoi. (The 👍 / 👎
buttons under each answer are declared with the answers.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from ..knowledge.readable import TIMEZONE
from ..knowledge.store import add_feedback_comment
from ..search.text import fold, shorten
from . import answers
from .router import Access, Reply, Router, Turn

router = Router("feedback")

COMMENT_KEPT = "Đã ghi góp ý. Cảm ơn {you}!"
NOTHING_TO_RATE = "Tôi chưa trả lời câu hỏi nào của {you} gần đây. Xin {you} gõ câu hỏi."
_COMPLAINT_RE = re.compile(
    r"^(?:(?:bot|ad|admin|dong chi)\s+)?(?:tra loi\s+|cau tra loi\s+)?(?:sai|khong dung|chua dung|nham)"
    r"(?:\s+(?:roi|bet|nhe|a|oi|the|ca|nhieu|mat))*$"
)


def _complains(turn: Turn) -> bool:
    words = " ".join(re.findall(r"\w+", fold(turn.msg.text or "")))
    return bool(_COMPLAINT_RE.match(words))


@router.text(when=_complains)
async def complaint(turn: Turn, text: str) -> list[Reply]:
    """"sai rồi": a 👎 on the chat's last answer."""
    topic = turn.bot.topics.get(turn.msg)
    if topic is None or not topic.found:
        return [Reply(NOTHING_TO_RATE)]
    return await answers.record(turn, topic, -1)


def _commenting(turn: Turn) -> bool:
    waiting = turn.bot.comments.get(turn.who)
    return waiting is not None and turn.bot.flood.clock() - waiting[1] < answers.COMMENT_SECONDS


@router.text(when=_commenting)
async def take_comment(turn: Turn, text: str) -> list[Reply]:
    feedback, _ = turn.bot.comments.pop(turn.who)
    await asyncio.to_thread(add_feedback_comment, turn.bot.store.path, feedback, text)
    return [Reply(COMMENT_KEPT)]


@router.command("phanhoi", "Phản hồi 👍/👎 của người dùng về câu trả lời (quản trị)", Access.ADMIN)
def review(turn: Turn, args: str) -> list[Reply]:
    up, down = feedback_counts(turn)
    rows = list(turn.bot.store.db.table("feedback").rows_where("rating < 0", order_by="id desc", limit=10))
    if not rows:
        return [Reply(f"Phản hồi: {up} hữu ích, {down} chưa đúng. Chưa có câu trả lời nào bị báo chưa đúng.")]
    lines = [f"Phản hồi: {up} hữu ích, {down} chưa đúng. Các câu trả lời bị báo chưa đúng gần đây:"]
    for n, row in enumerate(rows, 1):
        when = dt.datetime.fromisoformat(row["at"]).astimezone(TIMEZONE).strftime("%d/%m %H:%M")
        lines += ["", f"{n}. {when} – Hỏi: “{shorten(row['question'], 120)}”",
                  f"   Bot đáp: “{shorten(row['answer'].split(chr(10))[0], 160)}”"]
        if row["comment"]:
            lines.append(f"   Góp ý: “{shorten(row['comment'], 300)}”")
    return [Reply("\n".join(lines))]


def feedback_counts(turn: Turn) -> tuple[int, int]:
    """(👍, 👎) received so far."""
    counts = dict(turn.bot.store.db.execute("select rating, count(*) from feedback group by rating").fetchall())
    return counts.get(1, 0), counts.get(-1, 0)
