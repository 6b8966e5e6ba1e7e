"""Who may change the bot: the owners named in ADMIN_IDS, and the admins they add from chat."""

from __future__ import annotations

import logging

import sqlite_utils

from .editing import Editor

log = logging.getLogger(__name__)


class Admins:
    """Owners come from the environment and cannot be removed from chat; added admins live in
    the database, so they survive restarts. The list is held in memory (every message asks
    it) and read again by :meth:`reload`, after each admin action and when the runtime looks
    for changes made by other processes."""

    def __init__(self, db: sqlite_utils.Database, owners: frozenset[str], editor: Editor) -> None:
        self.db = db
        self.owners = owners
        self.editor = editor
        self._added: frozenset[str] = frozenset()
        self.reload()

    def reload(self) -> None:
        self._added = frozenset(row[0] for row in self.db.execute("select id from admins").fetchall())

    def __contains__(self, who: str) -> bool:
        return who in self.owners or who in self._added

    def __iter__(self):
        return iter(sorted(self.owners | self._added))

    def add(self, who: str, by: str, name: str = "") -> bool:
        """False when ``who`` already is an admin; ``name`` is how the history names them."""
        self.reload()
        if who in self:
            return False
        self.editor.set_admin(who, add=True, who=by, name=name)
        self.reload()
        log.warning("admin %s added by %s", who, by)
        return True

    def remove(self, who: str, by: str) -> bool:
        """False when ``who`` is not an added admin (owners stay owners)."""
        self.reload()
        if who not in self._added:
            return False
        self.editor.set_admin(who, add=False, who=by)
        self.reload()
        log.warning("admin %s removed by %s", who, by)
        return True
