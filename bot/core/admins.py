"""Who may change the bot: the owners named in ADMIN_IDS, and the admins they add from chat."""

from __future__ import annotations

import logging

import sqlite_utils

from .editing import Editor

log = logging.getLogger(__name__)


class Admins:
    """Owners come from the environment and cannot be removed from chat; added admins live in
    the database, so they survive restarts."""

    def __init__(self, db: sqlite_utils.Database, owners: frozenset[str], editor: Editor) -> None:
        self.db = db
        self.owners = owners
        self.editor = editor

    def __contains__(self, who: str) -> bool:
        return who in self.owners or bool(list(self.db["admins"].rows_where("id = ?", [who])))

    def __iter__(self):
        return iter(sorted(self.owners | {r["id"] for r in self.db["admins"].rows}))

    def add(self, who: str, by: str) -> bool:
        """False when ``who`` already is an admin."""
        if who in self:
            return False
        self.editor.set_admin(who, add=True, who=by)
        log.warning("admin %s added by %s", who, by)
        return True

    def remove(self, who: str, by: str) -> bool:
        """False when ``who`` is not an added admin (owners stay owners)."""
        if not list(self.db["admins"].rows_where("id = ?", [who])):
            return False
        self.editor.set_admin(who, add=False, who=by)
        log.warning("admin %s removed by %s", who, by)
        return True
