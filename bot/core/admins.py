"""Who may change the bot: the owners named in ADMIN_IDS, and the admins they add from chat."""

from __future__ import annotations

import datetime as dt
import logging

import sqlite_utils

log = logging.getLogger(__name__)


class Admins:
    """Owners come from the environment and cannot be removed from chat; added admins live in
    the database, so they survive restarts."""

    def __init__(self, db: sqlite_utils.Database, owners: frozenset[str]) -> None:
        self.db = db
        self.owners = owners
        with db.conn:
            db["admins"].create({"id": str, "added_by": str, "added_at": str}, pk="id", if_not_exists=True)

    def __contains__(self, who: str) -> bool:
        return who in self.owners or bool(list(self.db["admins"].rows_where("id = ?", [who])))

    def __iter__(self):
        return iter(sorted(self.owners | {r["id"] for r in self.db["admins"].rows}))

    def add(self, who: str, by: str) -> bool:
        """False when ``who`` already is an admin."""
        if who in self:
            return False
        with self.db.conn:
            self.db["admins"].insert(
                {"id": who, "added_by": by, "added_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
            )
        log.warning("admin %s added by %s", who, by)
        return True

    def remove(self, who: str, by: str) -> bool:
        """False when ``who`` is not an added admin (owners stay owners)."""
        if not list(self.db["admins"].rows_where("id = ?", [who])):
            return False
        with self.db.conn:
            self.db["admins"].delete(who)
        log.warning("admin %s removed by %s", who, by)
        return True
