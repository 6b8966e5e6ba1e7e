"""Subscribing to the monthly update, reading the latest one right away, and leaving it."""

from __future__ import annotations

from .broadcast_admin import bulletin_reply
from .router import Option, Reply, Router, Turn

router = Router("subscribing")

SUBSCRIBED = "Đã đăng ký nhận bản tin hằng tháng về công tác luân chuyển cán bộ. Gõ /huydangky để hủy."
ALREADY_SUBSCRIBED = "{You} đã đăng ký nhận bản tin hằng tháng rồi. Gõ /huydangky để hủy."
UNSUBSCRIBED = "Đã hủy nhận bản tin hằng tháng. Gõ /dangky nếu muốn nhận lại."
NOT_SUBSCRIBED = "{You} chưa đăng ký nhận bản tin. Gõ /dangky để đăng ký."
NO_UPDATE_YET = "Chưa có bản tin nào. Bản tin đầu tiên sẽ được gửi tới {you} vào kỳ gửi tới."
LATEST = "Xem bản tin gần nhất"


@router.command("dangky", "Đăng ký nhận bản tin hằng tháng")
def subscribe(turn: Turn, args: str) -> list[Reply]:
    new = turn.bot.subscriptions.subscribe(turn.msg.platform, turn.msg.chat_id)
    options = [Option(LATEST, latest.data("1"))] if turn.bot.broadcasts is not None else []
    return [Reply(SUBSCRIBED if new else ALREADY_SUBSCRIBED, options)]


@router.button("bl")
async def latest(turn: Turn, value: str) -> list[Reply]:
    """The latest update for someone who just subscribed; it then counts as received."""
    service = turn.bot.broadcasts
    bulletin = await service.latest(turn.msg.platform, turn.msg.chat_id) if service is not None else None
    return [bulletin_reply(bulletin)] if bulletin is not None else [Reply(NO_UPDATE_YET)]


@router.command("huydangky", "Hủy nhận bản tin hằng tháng")
def unsubscribe(turn: Turn, args: str) -> list[Reply]:
    gone = turn.bot.subscriptions.unsubscribe(turn.msg.platform, turn.msg.chat_id)
    return [Reply(UNSUBSCRIBED if gone else NOT_SUBSCRIBED)]
