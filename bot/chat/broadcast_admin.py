"""The monthly update from chat, for admins: preview, send after confirming, progress,
announcements for the next update."""

from __future__ import annotations

import asyncio

from ..broadcast.ledger import MAX_ANNOUNCEMENT
from ..broadcast.service import BroadcastService
from .router import Access, Option, Reply, Router, Turn

router = Router("broadcast admin")

NO_BROADCASTS = "Bản tin hằng tháng chưa được bật trên bot này."
BROADCAST_SKIPPED = "Tháng vừa qua không có gì mới và cài đặt là bỏ qua tháng không có tin: sẽ không gửi bản tin."


@router.command("bantin_xem", "Xem trước bản tin tháng (quản trị)", Access.ADMIN)
def preview(turn: Turn, args: str) -> list[Reply]:
    if turn.bot.broadcasts is None:
        return [Reply(NO_BROADCASTS)]
    text = turn.bot.broadcasts.preview()
    return [Reply(f"Xem trước:\n\n{text}" if text else BROADCAST_SKIPPED)]


@router.command("bantin_gui", "Gửi bản tin ngay (quản trị)", Access.ADMIN)
def confirm(turn: Turn, args: str) -> list[Reply]:
    if turn.bot.broadcasts is None:
        return [Reply(NO_BROADCASTS)]
    count = len(turn.bot.subscriptions.active())
    options = [Option("Gửi ngay", send.data("send")), Option("Hủy", send.data("cancel"))]
    return [Reply(f"Gửi bản tin tháng vừa qua tới {count} người nhận? Người đã nhận sẽ không nhận lại.", options)]


@router.button("bt", Access.ADMIN)
def send(turn: Turn, action: str) -> list[Reply]:
    service = turn.bot.broadcasts
    if action == "cancel":
        return [Reply("Đã hủy, chưa gửi bản tin.")]
    if service is None:
        return [Reply(NO_BROADCASTS)]
    if not service.dispatcher.senders:  # the console: no platform to send through
        return [Reply("Trong cửa sổ lệnh, hãy dùng: python -m bot broadcast send")]
    turn.bot.sending = asyncio.get_running_loop().create_task(service.send())
    return [Reply("Đang gửi bản tin. Gõ /bantin_trangthai để xem tiến độ.")]


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
    return (
        f"Bản tin {latest.removeprefix('monthly-')} ({state}): đã gửi {p.sent}/{p.total}, "
        f"lỗi {p.failed}, bị chặn {p.blocked}, còn chờ {p.pending}."
    )
