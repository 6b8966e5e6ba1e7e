"""How a message finds what handles it.

Each feature has a :class:`Router` on which it declares, once, its commands (name, help, who
may use them, handler), its buttons (a data prefix and a handler, with the value encoded and
decoded here), and what it does with plain text or a file. The conversation includes every
feature's router and checks who may use a command or a button in one place, before calling the
handler. Models: aiogram's routers per feature, errbot's ``@botcmd(admin_only=...)``.

The values that travel between channels and the conversation live here too: :class:`Incoming`
(a message or a tap), :class:`Reply` with its :class:`Option` choices, :class:`InlineResult`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .conversation import Conversation

MAX_DATA_BYTES = 64
"""Telegram's limit on a button's callback data."""


@dataclass(frozen=True)
class Incoming:
    """One message or tap from a user, in platform-neutral form."""

    platform: str
    chat_id: str
    user_id: str
    text: str | None = None
    choice: str | None = None
    """The data of a tapped option (Telegram callback data), instead of text."""
    private: bool = True
    addressed: bool = False
    """In a group: the message mentions the bot or replies to one of its messages."""
    upload: tuple[str, bytes] | None = None
    """A file sent to the bot: (file name, content)."""


@dataclass(frozen=True)
class Option:
    """A choice offered under a reply: a button on Telegram, a numbered line on Zalo."""

    label: str
    data: str
    """At most 64 bytes (Telegram's limit for callback data)."""
    beside: bool = False
    """Shown on the same row as the option before it where options are buttons (👍 👎)."""


@dataclass(frozen=True)
class Picture:
    """A chart sent with a reply: a photo where the platform can show one, else its text."""

    png: bytes
    caption: str
    """What the picture shows, in words (the photo's caption)."""
    fallback: str
    """The same figures as text lines, for a channel that cannot send the picture."""


@dataclass
class Reply:
    text: str
    options: list[Option] = field(default_factory=list)
    monospace: bool = False
    """Render as a fixed-width block (the figures table)."""
    live: bool = False
    """Broadcast progress: channels that can edit messages refresh it in place while sending."""
    files: list[tuple[str, bytes]] = field(default_factory=list)
    """Files to send with the text (the knowledge base export); channels that cannot send files
    say so."""
    picture: Picture | None = None
    """A chart shown above the text."""
    typed: bool = False
    """The reply asks for a typed value (a dialog step): channels without buttons must pass a
    number typed next as that value, not as the choice of an option."""


@dataclass(frozen=True)
class InlineResult:
    """One answer offered in inline mode (@bot câu hỏi, in any chat)."""

    id: str
    title: str
    text: str
    description: str


class Access(IntEnum):
    """Who may use a command or a button."""

    EVERYONE = 0
    ADMIN = 1
    """Owners and the admins they added."""
    OWNER = 2
    """Only the owners named in ADMIN_IDS."""


@dataclass
class Turn:
    """One incoming message with what handlers need to answer it."""

    msg: Incoming
    bot: Conversation

    @property
    def who(self) -> str:
        """"platform:user", as admins are named."""
        return f"{self.msg.platform}:{self.msg.user_id}"

    @property
    def admin(self) -> bool:
        return self.who in self.bot.admins

    @property
    def owner(self) -> bool:
        return self.who in self.bot.admins.owners

    def may(self, access: Access) -> bool:
        return access == Access.EVERYONE or (self.owner if access == Access.OWNER else self.admin)


Replies = list[Reply] | Awaitable[list[Reply]]
Handler = Callable[[Turn, str], Replies]
H = TypeVar("H", bound=Callable[..., Replies])
"""A handler, whose own type the registering decorators keep."""


@dataclass(frozen=True)
class Command:
    """A /command: declared once, with its help line and who may use it."""

    name: str
    description: str
    handler: Handler
    access: Access = Access.EVERYONE

    @property
    def admin(self) -> bool:
        """Shown in the admins' menu only."""
        return self.access > Access.EVERYONE


_DIGITS_RE = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Button:
    """One kind of tappable option: data "<prefix>:<value>". ``numeric`` buttons carry an index
    (ASCII digits only: "ex:²" is stale data, not a number)."""

    prefix: str
    handler: Callable[[Turn, Any], Replies]
    access: Access = Access.EVERYONE
    numeric: bool = False

    def data(self, value: str | int) -> str:
        data = f"{self.prefix}:{value}"
        if len(data.encode()) > MAX_DATA_BYTES:
            raise ValueError(f"button data over {MAX_DATA_BYTES} bytes: {data!r}")
        return data

    def value(self, data: str) -> str | int | None:
        """The value in ``data``, or None when it is not well formed."""
        value = data.removeprefix(f"{self.prefix}:")
        if not self.numeric:
            return value
        return int(value) if _DIGITS_RE.fullmatch(value) else None


@dataclass(frozen=True)
class TextHandler:
    handler: Handler
    when: Callable[[Turn], bool] | None = None
    """Handlers with a condition (an open dialog) go before the one without (a question)."""


@dataclass(frozen=True)
class UploadHandler:
    handler: Callable[[Turn, str, bytes], Replies]
    access: Access
    refused: str


class Router:
    """What one feature answers: commands, buttons, plain text, files."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[Command] = []
        self.buttons: dict[str, Button] = {}
        self.texts: list[TextHandler] = []
        self.uploads: list[UploadHandler] = []

    def command(self, name: str, description: str, access: Access = Access.EVERYONE) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.commands.append(Command(name, description, handler, access))
            return handler

        return register

    def button(self, prefix: str, access: Access = Access.EVERYONE, numeric: bool = False) -> Callable[..., Button]:
        """Declare a kind of button; the decorated handler becomes the :class:`Button`, whose
        ``data(value)`` makes the data of an option."""

        def register(handler: Callable[[Turn, Any], Replies]) -> Button:
            button = Button(prefix, handler, access, numeric)
            self.buttons[prefix] = button
            return button

        return register

    def text(self, when: Callable[[Turn], bool] | None = None) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.texts.append(TextHandler(handler, when))
            return handler

        return register

    def upload(self, access: Access, refused: str) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.uploads.append(UploadHandler(handler, access, refused))
            return handler

        return register

    def include_router(self, other: Router) -> None:
        """Take over another router's declarations (a prefix or command declared twice is a
        programming error)."""
        for command in other.commands:
            if any(c.name == command.name for c in self.commands):
                raise ValueError(f"/{command.name} declared twice")
            self.commands.append(command)
        for prefix, button in other.buttons.items():
            if prefix in self.buttons:
                raise ValueError(f"button prefix {prefix!r} declared twice")
            self.buttons[prefix] = button
        self.texts.extend(other.texts)
        self.uploads.extend(other.uploads)

    def find_command(self, name: str) -> Command | None:
        return next((c for c in self.commands if c.name == name), None)

    def find_button(self, data: str) -> Button | None:
        return self.buttons.get(data.partition(":")[0])

    def text_handler(self, turn: Turn) -> Handler | None:
        for entry in sorted(self.texts, key=lambda t: t.when is None):
            if entry.when is None or entry.when(turn):
                return entry.handler
        return None


def parse_command(text: str) -> tuple[str, str] | None:
    """("hoi", "câu hỏi") for "/hoi@bot câu hỏi"; None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return (name, rest.strip()) if name else None


class FloodControl:
    """Paces each user to at most ``limit`` answers in ``window`` seconds. A message over the
    limit waits its turn and is answered, in order, as the window frees up: nothing is
    dropped. Only beyond ``backlog`` messages already waiting is one refused, with a notice
    asking to send it again."""

    def __init__(
        self, limit: int = 6, window: float = 20.0, backlog: int = 20,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self.backlog = backlog
        self.clock = clock
        self.sleep = sleep
        self._slots: dict[str, deque[float]] = defaultdict(deque)
        """Each user's answer times in the current window (some still to come)."""

    def reserve(self, user: str) -> float | None:
        """Seconds until a new message of ``user`` may be answered (0: now); None when too
        many of theirs are waiting already."""
        now = self.clock()
        slots = self._slots[user]
        while slots and slots[0] <= now - self.window:
            slots.popleft()
        if sum(slot > now for slot in slots) >= self.backlog:
            return None
        slot = now if len(slots) < self.limit else max(now, slots[-self.limit] + self.window)
        slots.append(slot)
        return slot - now

    async def wait(self, user: str) -> bool:
        """Wait for the user's turn; False when the message cannot be queued."""
        delay = self.reserve(user)
        if delay is None:
            return False
        if delay > 0:
            await self.sleep(delay)
        return True
