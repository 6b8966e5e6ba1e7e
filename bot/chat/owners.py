"""Owners (named in ADMIN_IDS) add and remove the admins who keep the knowledge current."""

from __future__ import annotations

from ..settings import parse_admins
from .router import Access, Reply, Router, Turn

router = Router("owners")


@router.command("quantri_them", "Thêm quản trị viên: /quantri_them telegram:<mã> <họ tên> (chủ bot)", Access.OWNER)
def add_admin(turn: Turn, args: str) -> list[Reply]:
    return _change(turn, args, "quantri_them", add=True)


@router.command("quantri_xoa", "Bỏ quản trị viên: /quantri_xoa telegram:<mã> (chủ bot)", Access.OWNER)
def remove_admin(turn: Turn, args: str) -> list[Reply]:
    return _change(turn, args, "quantri_xoa", add=False)


def _change(turn: Turn, args: str, command: str, add: bool) -> list[Reply]:
    """Add or remove the "platform:id" named after the command (audited and undoable); a name
    after it is how the history names the new admin."""
    account, _, name = args.strip().partition(" ")
    name = " ".join(name.split())
    target = next(iter(parse_admins(account)), None)
    if target is None:
        example = " Nguyễn Văn A" if add else ""
        return [Reply(f"Hãy gõ nền tảng và mã người dùng, ví dụ: /{command} telegram:123456789{example}")]
    if add:
        done = turn.bot.admins.add(target, turn.who, name)
        named = f"{name} ({target})" if name else target
        return [Reply(f"Đã thêm quản trị viên {named}." if done else f"{target} đã là quản trị viên.")]
    done = turn.bot.admins.remove(target, turn.who)
    return [Reply(f"Đã bỏ quản trị viên {target}." if done else f"{target} không phải quản trị viên được thêm từ chat.")]
