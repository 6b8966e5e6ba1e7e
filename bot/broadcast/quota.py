"""Counting outgoing messages per platform and month, for plans with a monthly quota (Zalo's
free plan is reported at 3,000 messages a month)."""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from ..knowledge.db import transaction


class MonthlyCounter:
    """Messages sent per (platform, month), kept in SQLite so restarts do not reset it."""

    def __init__(self, db: sqlite_utils.Database, today=dt.date.today) -> None:
        self.db = db
        self.today = today
        with transaction(db):
            db.table("sent_counts").create(
                {"platform": str, "month": str, "count": int}, pk=("platform", "month"), if_not_exists=True
            )

    def _month(self) -> str:
        day = self.today()
        return f"{day.year:04d}-{day.month:02d}"

    def used(self, platform: str) -> int:
        row = self.db.execute(
            "select count from sent_counts where platform = ? and month = ?", [platform, self._month()]
        ).fetchone()
        return row[0] if row else 0

    def add(self, platform: str, n: int = 1) -> None:
        with transaction(self.db):
            self.db.execute(
                "insert into sent_counts (platform, month, count) values (?, ?, ?)"
                " on conflict(platform, month) do update set count = count + excluded.count",
                [platform, self._month(), n],
            )
