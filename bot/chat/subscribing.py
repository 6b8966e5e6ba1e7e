"""Subscribing to the monthly update, and leaving it."""

from __future__ import annotations

from .router import Reply, Router, Turn

router = Router("subscribing")

SUBSCRIBED = "Đã đăng ký nhận bản tin hằng tháng về công tác luân chuyển cán bộ. Gõ /huydangky để hủy."
ALREADY_SUBSCRIBED = "Bạn đã đăng ký nhận bản tin hằng tháng rồi. Gõ /huydangky để hủy."
UNSUBSCRIBED = "Đã hủy nhận bản tin hằng tháng. Gõ /dangky nếu muốn nhận lại."
NOT_SUBSCRIBED = "Bạn chưa đăng ký nhận bản tin. Gõ /dangky để đăng ký."


@router.command("dangky", "Đăng ký nhận bản tin hằng tháng")
def subscribe(turn: Turn, args: str) -> list[Reply]:
    new = turn.bot.subscriptions.subscribe(turn.msg.platform, turn.msg.chat_id)
    return [Reply(SUBSCRIBED if new else ALREADY_SUBSCRIBED)]


@router.command("huydangky", "Hủy nhận bản tin hằng tháng")
def unsubscribe(turn: Turn, args: str) -> list[Reply]:
    gone = turn.bot.subscriptions.unsubscribe(turn.msg.platform, turn.msg.chat_id)
    return [Reply(UNSUBSCRIBED if gone else NOT_SUBSCRIBED)]
