"""What every channel is: a platform the conversation is served on.

A channel turns the platform's messages into :class:`~bot.chat.router.Incoming`, hands them
to the shared :class:`~bot.chat.conversation.Conversation`, and renders the replies for the
platform; when the monthly update is on, it also gives the update a way to reach the
platform's subscribers. The runtime starts the configured channels in order and stops them in
reverse; nothing else knows which platforms exist.
"""

from __future__ import annotations

from typing import Protocol


class Channel(Protocol):
    platform: str
    """"telegram", "zalo", "console": the first half of a user's "platform:id"."""

    async def start(self) -> None:
        """Check the platform accepts the bot, then start receiving (long polling, a webhook,
        or the terminal) in the background; raise SystemExit with a clear message if not."""

    async def stop(self) -> None:
        """Stop receiving and release what was opened."""
