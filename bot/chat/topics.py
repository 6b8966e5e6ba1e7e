"""What each chat last asked about, for a short while, so that "ban hành năm nào?" or "còn
năm 2018 thì sao?" is read against it. The same on every channel; per user in groups."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..search.engine import Answer
from .router import Incoming

TOPIC_SECONDS = 15 * 60
"""How long a topic lasts: a question asked later starts afresh."""
MAX_TOPICS = 10_000


class Topics:
    """The last answered topic of each (platform, chat, user), forgotten after TOPIC_SECONDS."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, seconds: float = TOPIC_SECONDS) -> None:
        self.clock = clock
        self.seconds = seconds
        self._last: dict[str, tuple[float, Answer]] = {}

    @staticmethod
    def _key(msg: Incoming) -> str:
        return f"{msg.platform}:{msg.chat_id}:{msg.user_id}"

    def get(self, msg: Incoming) -> Answer | None:
        """The topic a message may follow up on, if recent."""
        found = self._last.get(self._key(msg))
        if found is None or self.clock() - found[0] > self.seconds:
            return None
        return found[1]

    def remember(self, msg: Incoming, answer: Answer) -> None:
        """Keep an answer that has a topic (an item); greetings and refusals keep the old one."""
        if answer.item is None:
            return
        if len(self._last) >= MAX_TOPICS:  # a crude bound: drop the oldest half
            for key, _ in sorted(self._last.items(), key=lambda kv: kv[1][0])[: MAX_TOPICS // 2]:
                del self._last[key]
        self._last[self._key(msg)] = (self.clock(), answer)
