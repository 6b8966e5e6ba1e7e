"""Choices for channels without buttons (Zalo, the terminal): the options of the last reply
are numbered, and a number typed next picks one.

A reply that asks for a typed value (a dialog step such as "Giá trị?") keeps numbers as
values: its options are then offered as words to type instead.
"""

from __future__ import annotations

import re

from ..chat.router import Option, Reply

NO_SUCH_CHOICE = Option("", "")
"""Returned by :meth:`Menus.choose` for a number that matches no option."""
_NUMBER_RE = re.compile(r"[0-9]{1,2}")


class Menus:
    """The options last offered in each chat."""

    def __init__(self) -> None:
        self._options: dict[str, list[Option]] = {}
        self._typed: set[str] = set()
        """Chats whose last reply asks for a typed value."""

    def offer(self, chat_id: str, replies: list[Reply]) -> None:
        """Remember what the replies just sent offer; after a reply asking for a typed value,
        numbers are that value."""
        for reply in replies:
            if reply.typed:
                self._options.pop(chat_id, None)
                self._typed.add(chat_id)
                continue
            self._typed.discard(chat_id)
            if reply.options:
                self._options[chat_id] = reply.options

    def choose(self, chat_id: str, text: str) -> Option | None:
        """The option a typed number picks; NO_SUCH_CHOICE for a number out of range; None when
        the text is not a choice (only ASCII digits count: "²" or "٣" are text)."""
        if chat_id in self._typed or not _NUMBER_RE.fullmatch(text.strip()):
            return None
        options = self._options.get(chat_id, [])
        number = int(text)
        if not 1 <= number <= len(options):
            return NO_SUCH_CHOICE
        return options[number - 1]
