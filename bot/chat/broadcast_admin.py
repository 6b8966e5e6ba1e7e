"""The monthly update from chat, for admins: preview exactly what goes out, send it after a
confirmation that names the month and the real number of recipients, follow the progress,
queue announcements, and send a supplement with what came after an update was frozen."""

from __future__ import annotations

import asyncio

from ..broadcast.content import Bulletin, month_label
from ..broadcast.ledger import MAX_ANNOUNCEMENT
from ..broadcast.service import BroadcastService
from ..search.periods import Month
from .answers import read_options
from .router import Access, Option, Picture, Reply, Router, Turn

router = Router("broadcast admin")

NO_BROADCASTS = "Bản tin hằng tháng chưa được bật trên bot này."
BROADCAST_SKIPPED = "Tháng vừa qua không có gì mới và cài đặt là bỏ qua tháng không có tin: sẽ không gửi bản tin."
NO_SUBSCRIBERS = "Chưa có ai đăng ký nhận bản tin (người dùng gõ /dangky). Bản tin tháng {month} chưa gửi, chờ người nhận."
NEWER = ("Sau khi bản tin này được gửi, có thêm nội dung mới (số liệu, mục hỏi đáp hoặc thông báo). Nội dung đó sẽ vào "
         "bản tin tháng sau, hoặc {you} gửi ngay thành bản tin bổ sung.")


def bulletin_reply(bulletin: Bulletin) -> Reply:
    """An update as a reply: its chart, its text, its entries to open."""
    picture = Picture(bulletin.chart, bulletin.caption, bulletin.table) if bulletin.chart else None
    return Reply(bulletin.text, read_options(bulletin.links), picture=picture)


def _month(value: str) -> Month | None:
    try:
        return Month.parse(value) if "-" in value else None
    except ValueError:
        return None


@router.command("bantin_xem", "Xem trước bản tin tháng (quản trị)", Access.ADMIN)
async def preview(turn: Turn, args: str) -> list[Reply]:
    service = turn.bot.broadcasts
    if service is None:
        return [Reply(NO_BROADCASTS)]
    plan = await service.plan()
    label = month_label(plan.month)
    if plan.bulletin is None:
        return [Reply(BROADCAST_SKIPPED)]
    if not plan.frozen:
        head = (f"Xem trước bản tin tháng {label}, đúng như sẽ gửi (chưa gửi; khi xác nhận sẽ gửi tới "
                f"{plan.due} người nhận):")
        return [Reply(head), bulletin_reply(plan.bulletin)]
    head = (f"Bản tin tháng {label} đã gửi tới {plan.received} người nhận nên nội dung đã cố định; người nhận mới "
            f"sẽ nhận đúng bản này:")
    replies = [Reply(head), bulletin_reply(plan.bulletin)]
    if plan.newer is not None:
        replies.append(Reply(NEWER, [Option("Xem bản tin bổ sung", send.data(f"extra:{plan.month}"))]))
    return replies


@router.command("bantin_gui", "Gửi bản tin ngay (quản trị)", Access.ADMIN)
async def confirm(turn: Turn, args: str) -> list[Reply]:
    service = turn.bot.broadcasts
    if service is None:
        return [Reply(NO_BROADCASTS)]
    plan = await service.plan(chart=False)
    label = month_label(plan.month)
    if plan.bulletin is None:
        return [Reply(BROADCAST_SKIPPED)]
    if plan.due == 0:
        if plan.received == 0:
            return [Reply(NO_SUBSCRIBERS.format(month=label))]
        text = f"Cả {plan.received} người nhận đã có bản tin tháng {label}; không còn ai để gửi."
        options = [Option("Xem bản tin bổ sung", send.data(f"extra:{plan.month}"))] if plan.newer else []
        return [Reply(text + (" " + NEWER if plan.newer else ""), options)]
    already = f" ({plan.received} người đã nhận trước đó sẽ không nhận lại.)" if plan.received else ""
    options = [Option("Gửi ngay", send.data(f"send:{plan.month}")), Option("Hủy", send.data("cancel"))]
    return [Reply(f"Gửi bản tin tháng {label} tới {plan.due} người nhận?{already}", options)]


@router.button("bt", Access.ADMIN)
def send(turn: Turn, action: str) -> list[Reply]:
    service = turn.bot.broadcasts
    verb, _, value = action.partition(":")
    if verb == "cancel":
        return [Reply("Đã hủy, chưa gửi bản tin.")]
    if service is None:
        return [Reply(NO_BROADCASTS)]
    month = _month(value)
    if month is None:
        return [Reply("Lựa chọn này đã cũ. Gõ /bantin_gui để gửi bản tin.")]
    if verb == "extra":
        bulletin = service.supplement(month)
        if bulletin is None:
            return [Reply("Không có gì mới sau bản tin tháng này; không cần bản tin bổ sung.")]
        count = len(service.subscriptions.active())
        head = f"Bản tin bổ sung tháng {month_label(month)}, đúng như sẽ gửi tới {count} người nhận:"
        options = [Option("Gửi bản tin bổ sung", send.data(f"sendextra:{month}")), Option("Hủy", send.data("cancel"))]
        return [Reply(head), bulletin_reply(bulletin), Reply("Gửi bản tin bổ sung này?", options)]
    if not service.dispatcher.senders:  # the console: no platform to send through
        return [Reply("Trong cửa sổ lệnh, hãy dùng: python -m bot broadcast send")]
    job = service.send_supplement(month) if verb == "sendextra" else service.send(month)
    turn.bot.sending = asyncio.get_running_loop().create_task(job)
    what = "bản tin bổ sung" if verb == "sendextra" else "bản tin"
    return [Reply(f"Đang gửi {what} tháng {month_label(month)}. Gõ /bantin_trangthai để xem tiến độ.")]


@router.command("bantin_trangthai", "Tiến độ gửi bản tin (quản trị)", Access.ADMIN)
def progress(turn: Turn, args: str) -> list[Reply]:
    service = turn.bot.broadcasts
    return [Reply(status_text(service), live=service is not None and service.running is not None)]


@router.command("thongbao", "Thêm thông báo vào bản tin tới: /thongbao <nội dung> (quản trị)", Access.ADMIN)
def announce(turn: Turn, args: str) -> list[Reply]:
    if turn.bot.broadcasts is None:
        return [Reply(NO_BROADCASTS)]
    if not args:
        return [Reply("Hãy gõ nội dung sau lệnh, ví dụ: /thongbao Hội nghị giao ban ngày 5/12.")]
    if len(args) > MAX_ANNOUNCEMENT:
        return [Reply(f"Thông báo dài {len(args)} ký tự; tối đa {MAX_ANNOUNCEMENT}. Hãy rút gọn rồi gửi lại.")]
    turn.bot.broadcasts.ledger.announce(args, by=turn.who)
    return [Reply("Đã thêm thông báo vào bản tin tới. Gõ /bantin_xem để xem trước.")]


def status_text(service: BroadcastService | None) -> str:
    """Progress of the running update, or of the latest one."""
    if service is None:
        return NO_BROADCASTS
    latest = service.running or (service.ledger.latest() or {}).get("id")
    if latest is None:
        return "Chưa gửi bản tin nào."
    p = service.ledger.progress(latest)
    state = "đang gửi" if service.running == latest else ("xong" if p.done else "tạm dừng")
    month, _, extra = latest.removeprefix("monthly-").partition("-bs")
    name = f"Bản tin bổ sung {extra} tháng" if extra else "Bản tin tháng"
    label = month_label(Month.parse(month)) if _month(month) else month
    return (
        f"{name} {label} ({state}): đã gửi {p.sent}/{p.total}, "
        f"lỗi {p.failed}, bị chặn {p.blocked}, còn chờ {p.pending}."
    )
