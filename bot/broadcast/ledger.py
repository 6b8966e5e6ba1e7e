"""The delivery ledger: one row per monthly update, one row per (update, chat), in SQLite.

Sending resumes from here after a crash or restart. A delivery is marked sent only after the
platform accepted the message, in its own transaction, and sending is one message at a time per
update: so a crash can repeat at most the single message that was in flight (the platforms
offer no idempotency keys), and can never skip anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from ..knowledge.db import insert, transaction
from .content import Bulletin

PENDING, SENDING, SENT, FAILED, BLOCKED = "pending", "sending", "sent", "failed", "blocked"
MAX_ANNOUNCEMENT = 1000


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Progress:
    pending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.failed + self.blocked

    @property
    def done(self) -> bool:
        return self.pending == 0


class Ledger:
    """Broadcasts, their deliveries and the admins' queued announcements."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        with transaction(db):
            db.table("broadcasts").create(
                {"id": str, "period": str, "text": str, "created_at": str, "finished_at": str},
                pk="id", if_not_exists=True,
            )
            for column, kind in (("chart", bytes), ("caption", str), ("table_text", str), ("links", str)):
                if column not in db.table("broadcasts").columns_dict:  # the text alone, in older versions
                    db.table("broadcasts").add_column(column, kind)
            db.table("deliveries").create(
                {"broadcast_id": str, "platform": str, "chat_id": str, "status": str, "attempts": int,
                 "last_error": str, "owner": str, "updated_at": str, "parts_sent": int},
                pk=("broadcast_id", "platform", "chat_id"), if_not_exists=True,
            )
            if "parts_sent" not in db.table("deliveries").columns_dict:  # a file made by an older version
                db.table("deliveries").add_column("parts_sent", int, not_null_default=0)
            db.table("deliveries").create_index(["broadcast_id", "status"], if_not_exists=True)
            db.table("announcements").create(
                {"id": int, "text": str, "queued_at": str, "queued_by": str, "broadcast_id": str},
                pk="id", if_not_exists=True,
            )

    # --- broadcasts -----------------------------------------------------------------------

    def get(self, broadcast_id: str) -> dict | None:
        rows = list(self.db.table("broadcasts").rows_where("id = ?", [broadcast_id]))
        return rows[0] if rows else None

    def latest(self, supplements: bool = True) -> dict | None:
        """The newest update (or the newest monthly one, leaving supplements out)."""
        where = None if supplements else "id not like '%-bs%'"
        rows = list(self.db.table("broadcasts").rows_where(where, order_by="created_at desc, id desc", limit=1))
        return rows[0] if rows else None

    def create(self, broadcast_id: str, period: str, bulletin: Bulletin, recipients: list[tuple[str, str]]) -> bool:
        """Freeze an update and record one pending delivery per recipient, all or nothing; the
        queued announcements now belong to it. Returns False, changing nothing, when this
        update already exists (two triggers at once)."""
        with transaction(self.db):
            cursor = self.db.execute(
                "insert or ignore into broadcasts (id, period, text, created_at, chart, caption, table_text, links)"
                " values (?, ?, ?, ?, ?, ?, ?, ?)",
                [broadcast_id, period, bulletin.text, _now(), bulletin.chart, bulletin.caption, bulletin.table,
                 bulletin.links_json()],
            )
            if cursor.rowcount == 0:
                return False
            self._insert_pending(broadcast_id, recipients)
            self.db.execute(
                "update announcements set broadcast_id = ? where broadcast_id is null or broadcast_id = ''",
                [broadcast_id],
            )
        return True

    def enqueue(self, broadcast_id: str, recipients: list[tuple[str, str]]) -> int:
        """Make an existing update due again for the recipients who have not received it:
        subscribers who joined since, and chats where it failed. Nobody who has it gets it
        twice. Returns how many deliveries are now due from this call."""
        with transaction(self.db):
            before = self.db.execute("select total_changes()").fetchone()[0]
            self._insert_pending(broadcast_id, recipients)
            self.db.conn.executemany(
                "update deliveries set status = ?, attempts = 0, updated_at = ?"
                " where broadcast_id = ? and platform = ? and chat_id = ? and status = ?",
                [(PENDING, _now(), broadcast_id, platform, str(chat), FAILED) for platform, chat in recipients],
            )
            added = self.db.execute("select total_changes()").fetchone()[0] - before
            if added:
                self.db.execute("update broadcasts set finished_at = null where id = ?", [broadcast_id])
        return added

    def _insert_pending(self, broadcast_id: str, recipients: list[tuple[str, str]]) -> None:
        now = _now()
        self.db.conn.executemany(
            "insert or ignore into deliveries (broadcast_id, platform, chat_id, status, attempts, last_error,"
            " updated_at, parts_sent) values (?, ?, ?, ?, 0, '', ?, 0)",
            [(broadcast_id, platform, str(chat), PENDING, now) for platform, chat in recipients],
        )

    def received(self, broadcast_id: str, platform: str, chat_id: str) -> None:
        """Record that a chat has the update another way (it opened it right after
        subscribing), so sending it later skips that chat."""
        with transaction(self.db):
            self.db.execute(
                "insert into deliveries (broadcast_id, platform, chat_id, status, attempts, last_error, updated_at,"
                " parts_sent) values (?, ?, ?, ?, 0, 'opened', ?, 0)"
                " on conflict(broadcast_id, platform, chat_id) do update set status = excluded.status,"
                " last_error = excluded.last_error, updated_at = excluded.updated_at where status in (?, ?)",
                [broadcast_id, platform, str(chat_id), SENT, _now(), PENDING, FAILED],
            )

    def due(self, broadcast_id: str, recipients: list[tuple[str, str]]) -> int:
        """How many of ``recipients`` have not received the update (none yet, or it failed)."""
        have = {
            (p, c) for p, c in self.db.execute(
                "select platform, chat_id from deliveries where broadcast_id = ? and status in (?, ?)",
                [broadcast_id, SENT, BLOCKED],
            ).fetchall()
        }
        return sum((platform, str(chat)) not in have for platform, chat in recipients)

    def finish(self, broadcast_id: str) -> None:
        with transaction(self.db):
            self.db.table("broadcasts").update(broadcast_id, {"finished_at": _now()})

    # --- deliveries -----------------------------------------------------------------------

    def pending(self, broadcast_id: str, platform: str) -> list[dict]:
        return list(
            self.db.table("deliveries").rows_where(
                "broadcast_id = ? and platform = ? and status = ?", [broadcast_id, platform, PENDING],
                order_by="rowid",
            )
        )

    def claim(self, delivery: dict, owner: str) -> bool:
        """Take a pending delivery for sending; False when another sender took it first, so two
        senders of one update never message the same chat."""
        with transaction(self.db):
            cursor = self.db.execute(
                "update deliveries set status = ?, owner = ?, updated_at = ?"
                " where broadcast_id = ? and platform = ? and chat_id = ? and status = ?",
                [SENDING, owner, _now(), delivery["broadcast_id"], delivery["platform"], delivery["chat_id"], PENDING],
            )
        return cursor.rowcount == 1

    def release_orphans(self, broadcast_id: str, alive: Callable[[str], bool]) -> int:
        """Put back to pending the deliveries whose sender died mid-send: the in-flight message
        of a crash, which may therefore reach its chat twice."""
        rows = list(self.db.table("deliveries").rows_where("broadcast_id = ? and status = ?", [broadcast_id, SENDING]))
        orphans = [r for r in rows if not alive(r["owner"] or "")]
        with transaction(self.db):
            for r in orphans:
                self.db.execute(
                    "update deliveries set status = ? where broadcast_id = ? and platform = ? and chat_id = ?"
                    " and status = ?",
                    [PENDING, r["broadcast_id"], r["platform"], r["chat_id"], SENDING],
                )
        return len(orphans)

    def platforms(self, broadcast_id: str) -> list[str]:
        rows = self.db.execute(
            "select distinct platform from deliveries where broadcast_id = ? order by platform", [broadcast_id]
        ).fetchall()
        return [r[0] for r in rows]

    def mark(self, delivery: dict, status: str, error: str = "", attempt: bool = True) -> None:
        """Record the outcome of one attempt, committed at once."""
        key = (delivery["broadcast_id"], delivery["platform"], delivery["chat_id"])
        with transaction(self.db):
            self.db.execute(
                "update deliveries set status = ?, attempts = attempts + ?, last_error = ?, updated_at = ?"
                " where broadcast_id = ? and platform = ? and chat_id = ?",
                [status, 1 if attempt else 0, error[:300], _now(), *key],
            )

    def part_sent(self, delivery: dict) -> int:
        """Record that one more part of a long message reached the chat, committed at once, so
        a retry or a restart goes on from the next part instead of repeating the first."""
        key = (delivery["broadcast_id"], delivery["platform"], delivery["chat_id"])
        with transaction(self.db):
            self.db.execute(
                "update deliveries set parts_sent = coalesce(parts_sent, 0) + 1, updated_at = ?"
                " where broadcast_id = ? and platform = ? and chat_id = ?",
                [_now(), *key],
            )
            row = self.db.execute(
                "select parts_sent from deliveries where broadcast_id = ? and platform = ? and chat_id = ?", key
            ).fetchone()
        return row[0]

    def progress(self, broadcast_id: str) -> Progress:
        counts = dict(
            self.db.execute(
                "select status, count(*) from deliveries where broadcast_id = ? group by status", [broadcast_id]
            ).fetchall()
        )
        return Progress(
            pending=counts.get(PENDING, 0) + counts.get(SENDING, 0),
            sent=counts.get(SENT, 0), failed=counts.get(FAILED, 0), blocked=counts.get(BLOCKED, 0),
        )

    # --- announcements --------------------------------------------------------------------

    def announce(self, text: str, by: str) -> int:
        """Queue an admin's announcement for the next update."""
        with transaction(self.db):
            return insert(
                self.db, "announcements", {"text": text, "queued_at": _now(), "queued_by": by, "broadcast_id": None}
            )

    def queued_announcements(self) -> list[str]:
        return [r["text"] for r in self.db.table("announcements").rows_where("broadcast_id is null", order_by="id")]
