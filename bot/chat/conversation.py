"""What a chat with the bot does, on any platform. Channels (console, Telegram, Zalo) turn
platform messages into :class:`~.router.Incoming` and :class:`~.router.Reply` back into
platform messages; nothing here knows a platform.

The :class:`Conversation` holds what the features share (the live search index, the store,
the editor, admins, subscribers, the monthly update, dialogs in progress) and routes each
message: group chatter is ignored, floods are paced, then a file, a tap, a command or plain
text goes to the feature that declared it, after one check of who may use it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..knowledge.admins import Admins
from ..knowledge.editing import Editor
from ..knowledge.live import LiveEngine
from ..knowledge.store import KnowledgeStore, record_unanswered
from ..search.engine import Engine
from ..search.text import ADDRESS_TERM, addressed, fold
from . import (
    answers,
    broadcast_admin,
    feedback,
    information,
    knowledge_admin,
    owners,
    subscribing,
)
from .dialogs import Dialog
from .router import (
    Access,
    Command,
    FloodControl,
    InlineResult,
    Replies,
    Reply,
    Router,
    Turn,
    parse_command,
)
from .topics import Topics

if TYPE_CHECKING:
    from ..broadcast.service import BroadcastService
    from ..broadcast.subscriptions import Subscriptions
    from .router import Incoming

log = logging.getLogger(__name__)
T = TypeVar("T")

FLOOD_NOTICE = (
    "{You} đã gửi rất nhiều tin nhắn liên tiếp; tôi đang trả lời lần lượt. Tin nhắn này chưa được xử lý, "
    "xin {you} gửi lại sau ít phút."
)
NOT_ADMIN = "Xin lỗi {you}, lệnh này chỉ dành cho quản trị viên của bot."
NOT_OWNER = "Xin lỗi {you}, chỉ chủ bot (trong ADMIN_IDS) mới dùng được lệnh này, ví dụ để thêm hoặc bỏ quản trị viên."
UNKNOWN_COMMAND = "Tôi chưa hiểu lệnh /{name}. Xin {you} gõ /help để xem các lệnh, hoặc gõ thẳng câu hỏi."


def root_router() -> Router:
    """Every feature, in the order of the command menu."""
    root = Router("bot")
    for feature in (information, answers, feedback, subscribing, broadcast_admin, knowledge_admin, owners):
        root.include_router(feature.router)
    return root


class Conversation:
    """The bot's behaviour in a chat; one instance serves every platform of the process."""

    def __init__(
        self,
        engine: Engine | LiveEngine,
        store: KnowledgeStore,
        subscriptions: Subscriptions,
        admins: frozenset[str] = frozenset(),
        flood: FloodControl | None = None,
        broadcasts: BroadcastService | None = None,
        topics: Topics | None = None,
        address: str = ADDRESS_TERM,
    ) -> None:
        self._engine = engine
        self.store = store
        self.subscriptions = subscriptions
        self.broadcasts = broadcasts
        self.editor = Editor(store)
        self.admins = Admins(store.db, admins, self.editor)
        self.flood = flood or FloodControl()
        self.router = root_router()
        self.sending: asyncio.Task | None = None
        """The update an admin asked to send from chat (kept referenced while it runs)."""
        self.dialogs: dict[str, Dialog] = {}
        """Each admin's change in preparation (one at a time)."""
        self.comments: dict[str, tuple[int, float]] = {}
        """Users who tapped "Gửi góp ý": the 👎 their next message comments, and since when."""
        self.unanswered_shown: dict[str, list[tuple[str, int]]] = {}
        """The unanswered questions (with how often asked) last listed to each admin, for their
        "Tạo mục" and page buttons."""
        self.topics = topics or Topics()
        """Each chat's last topic, against which a follow-up question is read."""
        self._background: set[asyncio.Future] = set()
        """Writes that need not delay a reply (unanswered questions), kept until done."""
        self.address = address
        """How users are addressed ("đồng chí"): fills {you} in the bot's own sentences."""

    @property
    def engine(self) -> Engine:
        """The engine answering now; :meth:`refresh` swaps in a new one when the knowledge
        changed (nothing here touches the database: every message uses it)."""
        return self._engine.latest if isinstance(self._engine, LiveEngine) else self._engine

    @property
    def vector_progress(self) -> tuple[int, int]:
        """Texts embedded so far out of those pending (0, 0: none pending)."""
        return self._engine.vector_progress if isinstance(self._engine, LiveEngine) else (0, 0)

    def is_admin(self, msg: Incoming) -> bool:
        return f"{msg.platform}:{msg.user_id}" in self.admins

    def commands(self, admin: bool = False) -> list[Command]:
        """The command menu: everyone's, or the longer one for admins."""
        return [c for c in self.router.commands if admin or not c.admin]

    def inline(self, query: str, limit: int = 3) -> list[InlineResult]:
        """Best answers for inline mode (@bot câu hỏi, in any chat)."""
        popular = [row[0] for row in self.store.db.execute(
            "select item from feedback where rating > 0 and item != '' group by item order by count(*) desc limit ?",
            [limit],
        ).fetchall()]
        return answers.inline(self.engine, query, popular, limit)

    def broadcast_status(self) -> str:
        """Progress of the running monthly update, or of the latest one."""
        return broadcast_admin.status_text(self.broadcasts)

    # --- routing ------------------------------------------------------------------------------

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Replies to one incoming message or tap; [] means stay silent on purpose. Slow work
        (writing a large import, undoing it, exporting, reading an upload) runs in a worker
        thread, so other users' answers never wait for an admin."""
        replies = await self._route(Turn(msg, self))
        if self.is_admin(msg):
            self.refresh()  # an admin may have changed the knowledge: start re-indexing now
        for reply in replies:
            reply.text = self.addressed(reply.text)
            reply.options = [dataclasses.replace(o, label=self.addressed(o.label)) for o in reply.options]
        return replies

    def addressed(self, text: str) -> str:
        """The bot's own sentence with the configured form of address (channels use it for
        what they say themselves)."""
        return addressed(text, self.address)

    async def _route(self, turn: Turn) -> list[Reply]:
        msg = turn.msg
        text = (msg.text or "").strip()
        command = parse_command(text)
        if not msg.private and command is None and not msg.addressed and msg.choice is None:
            return []  # group chatter not addressed to the bot
        # Questions are paced per user: a burst is answered in order, a little later, never
        # dropped. Commands (exploring the menu) and admins are not paced.
        if command is None and not turn.admin and not await self.flood.wait(turn.who):
            return [Reply(FLOOD_NOTICE)]
        if msg.upload is not None:
            return await self._upload(turn)
        if msg.choice is not None:
            button = self.router.find_button(msg.choice)
            value = button.value(msg.choice) if button is not None else None
            if button is None or value is None:
                return [Reply(answers.STALE_OPTION)]
            return await self._call(turn, button.access, f"button {button.prefix}", button.handler, value)
        if command is not None:
            name, args = command
            found = self.router.find_command(name)
            if found is None:
                return [Reply(UNKNOWN_COMMAND.replace("{name}", name))] if msg.private else []
            return await self._call(turn, found.access, f"command /{name}", found.handler, args)
        handler = self.router.text_handler(turn)
        return await _replies(handler(turn, text)) if handler is not None else []

    async def _call(
        self, turn: Turn, access: Access, what: str, handler: Callable[..., Replies], arg: object
    ) -> list[Reply]:
        """The one permission check: run the handler, or refuse politely and log who tried."""
        if not turn.may(access):
            log.warning("refused %s %s from %s", access.name.lower(), what, turn.who)
            return [Reply(NOT_OWNER if turn.admin else NOT_ADMIN)]
        return await _replies(handler(turn, arg))

    async def _upload(self, turn: Turn) -> list[Reply]:
        name, data = turn.msg.upload or ("", b"")
        for entry in self.router.uploads:
            if turn.may(entry.access):
                return await _replies(entry.handler(turn, name, data))
            if turn.msg.private:
                log.warning("refused a file from %s", turn.who)
                return [Reply(entry.refused)]
        return []

    # --- shared services --------------------------------------------------------------------------

    def refresh(self) -> asyncio.Future | None:
        """Start re-indexing if the knowledge changed (here or in another process), and read
        the admin list again; returns the rebuild in progress, if any. Called after every
        admin message; the runtime also calls it every few seconds."""
        self.admins.reload()
        if isinstance(self._engine, LiveEngine):
            self._engine.current()
            return self._engine.building
        return None

    def close(self) -> None:
        """Stop background work (the process is shutting down)."""
        if isinstance(self._engine, LiveEngine):
            self._engine.stop()

    async def idle(self) -> None:
        """Wait until the work the last messages started is done: background writes and the
        re-indexing of changed knowledge (the console and tests read on after this)."""
        await self.written()
        if (building := self.refresh()) is not None:
            await building

    async def written(self) -> None:
        """Wait for the background writes (what reads them must see them all)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def in_worker(self, job: Callable[[Editor], T]) -> T:
        """Run ``job`` in a worker thread with an editor on its own connection (an SQLite
        connection belongs to the thread that made it)."""

        def run() -> T:
            store = KnowledgeStore(self.store.path)
            try:
                return job(Editor(store))
            finally:
                store.db.close()

        return await asyncio.to_thread(run)

    def remember_unanswered(self, platform: str, question: str) -> None:
        """Record a question the bot could not answer, in a worker thread: the reply never
        waits for the database (an admin's large import may hold it for a second)."""
        job = functools.partial(record_unanswered, self.store.path, platform, question, fold(question))
        try:
            future = asyncio.get_running_loop().run_in_executor(None, job)
        except RuntimeError:  # no event loop
            job()
            return
        self._background.add(future)
        future.add_done_callback(self._background.discard)


async def _replies(result: Replies) -> list[Reply]:
    return await result if inspect.isawaitable(result) else result
