"""Who receives the monthly update: one row per (platform, chat), kept in the bot's SQLite file."""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from ..knowledge.db import transaction


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Subscriptions:
    """Subscribe and unsubscribe chats; rows are never deleted, only switched off."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.table = db.table("subscribers")
        with transaction(db):
            self.table.create(
                {"id": str, "platform": str, "chat_id": str, "active": int, "subscribed_at": str,
                 "changed_at": str, "reason": str},
                pk="id", if_not_exists=True,
            )

    @staticmethod
    def _key(platform: str, chat_id: str) -> str:
        return f"{platform}:{chat_id}"

    def is_active(self, platform: str, chat_id: str) -> bool:
        rows = list(self.table.rows_where("id = ? and active = 1", [self._key(platform, chat_id)]))
        return bool(rows)

    def subscribe(self, platform: str, chat_id: str) -> bool:
        """Switch a chat on; False when it already was."""
        if self.is_active(platform, chat_id):
            return False
        now = _now()
        with transaction(self.db):
            self.table.upsert(
                {"id": self._key(platform, chat_id), "platform": platform, "chat_id": str(chat_id), "active": 1,
                 "subscribed_at": now, "changed_at": now, "reason": ""},
                pk="id",
            )
        return True

    def unsubscribe(self, platform: str, chat_id: str, reason: str = "user") -> bool:
        """Switch a chat off (the user left, or the platform says the bot was blocked); False
        when it was not subscribed."""
        if not self.is_active(platform, chat_id):
            return False
        with transaction(self.db):
            self.table.update(self._key(platform, chat_id), {"active": 0, "changed_at": _now(), "reason": reason})
        return True

    def active(self, platform: str | None = None) -> list[dict]:
        where, args = ("active = 1", []) if platform is None else ("active = 1 and platform = ?", [platform])
        return list(self.table.rows_where(where, args, order_by="subscribed_at"))
