"""What a chat with the bot does, on any platform: commands, answers, choices, subscriptions
and admin checks. Channels (console, Telegram, Zalo) turn platform messages into
:class:`Incoming` and :class:`Reply` back into platform messages; nothing here knows a platform.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import inspect
import logging
import re
import sqlite3
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..broadcast.ledger import MAX_ANNOUNCEMENT
from ..broadcast.subscriptions import Subscriptions
from ..knowledge.admins import Admins
from ..knowledge.db import StoreError, explain
from ..knowledge.editing import EditError, Editor
from ..knowledge.live import LiveEngine
from ..knowledge.loader import KnowledgeFileError
from ..knowledge.store import KnowledgeStore, export_knowledge, record_unanswered
from ..knowledge.uploads import read_upload
from ..search.engine import Answer, Engine
from ..search.items import format_number
from ..search.periods import describe_bounds
from ..search.text import fold
from .dialogs import (
    CANCEL,
    SAVE,
    SKIP,
    TODAY,
    Dialog,
    add_entry_dialog,
    delete_dialog,
    edit_entry_dialog,
    group_questions,
    import_dialog,
    statistic_dialog,
    undo_dialog,
)

if TYPE_CHECKING:
    from ..broadcast.service import BroadcastService

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_OPTION_LABEL = 60
EXAMPLES = (
    "Sau 2 năm có bao nhiêu lượt cán bộ được luân chuyển?",
    "Luân chuyển cán bộ tối thiểu mấy năm?",
    "Ai chủ trì hội nghị sơ kết Nghị quyết 02?",
)


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


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    admin: bool = False


COMMANDS = (
    Command("start", "Giới thiệu và câu hỏi mẫu"),
    Command("help", "Hướng dẫn sử dụng"),
    Command("hoi", "Đặt câu hỏi (dùng trong nhóm): /hoi <câu hỏi>"),
    Command("thongke", "Các số liệu chính"),
    Command("nghiquyet", "Các văn bản bot nắm được"),
    Command("dangky", "Đăng ký nhận bản tin hằng tháng"),
    Command("huydangky", "Hủy nhận bản tin hằng tháng"),
    Command("trangthai", "Tình trạng cơ sở dữ liệu (quản trị)", admin=True),
    Command("bantin_xem", "Xem trước bản tin tháng (quản trị)", admin=True),
    Command("bantin_gui", "Gửi bản tin ngay (quản trị)", admin=True),
    Command("bantin_trangthai", "Tiến độ gửi bản tin (quản trị)", admin=True),
    Command("thongbao", "Thêm thông báo vào bản tin tới: /thongbao <nội dung> (quản trị)", admin=True),
    Command("them", "Thêm câu hỏi – trả lời, từng bước (quản trị)", admin=True),
    Command("sua", "Sửa một mục: /sua <mã mục> (quản trị)", admin=True),
    Command("solieu", "Ghi số liệu, ví dụ số lượt luân chuyển của tháng (quản trị)", admin=True),
    Command("chuatraloi", "Các câu hỏi bot chưa trả lời được (quản trị)", admin=True),
    Command("xuat", "Xuất toàn bộ cơ sở dữ liệu ra tệp (quản trị)", admin=True),
    Command("tim", "Tìm mục trong cơ sở dữ liệu: /tim <từ khóa> (quản trị)", admin=True),
    Command("xoa", "Xóa một mục: /xoa <mã mục> (quản trị)", admin=True),
    Command("lichsu", "Các thay đổi gần đây (quản trị)", admin=True),
    Command("hoantac", "Hoàn tác một thay đổi: /hoantac <số thay đổi> (quản trị)", admin=True),
    Command("quantri_them", "Thêm quản trị viên: /quantri_them telegram:<mã> (chủ bot)", admin=True),
    Command("quantri_xoa", "Bỏ quản trị viên: /quantri_xoa telegram:<mã> (chủ bot)", admin=True),
)


def parse_admins(value: str) -> frozenset[str]:
    """ADMIN_IDS "telegram:12345, zalo:abc" → {"telegram:12345", "zalo:abc"}; bad items ignored."""
    out = set()
    for part in value.replace(";", ",").split(","):
        platform, _, ident = part.strip().partition(":")
        if platform and ident:
            out.add(f"{platform.strip().lower()}:{ident.strip()}")
    return frozenset(out)


def number_after(data: str, prefix: str) -> int | None:
    """The number in callback data such as "ex:2" (ASCII digits only: "ex:²" is not one)."""
    rest = data.removeprefix(prefix)
    return int(rest) if rest != data and _DIGITS_RE.fullmatch(rest) else None


_DIGITS_RE = re.compile(r"[0-9]{1,9}")


def option_data(prefix: str, key: str) -> str:
    """Short, stable callback data for an item key (Telegram allows 64 bytes)."""
    return f"{prefix}:{hashlib.sha1(key.encode()).hexdigest()[:16]}"


class FloodControl:
    """At most ``limit`` messages per user in ``window`` seconds; the first message over the
    limit gets a polite notice, the rest of the burst is dropped so the chat is not flooded."""

    def __init__(self, limit: int = 6, window: float = 20.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._warned: dict[str, float] = {}

    def check(self, user: str) -> str:
        """"ok", "warn" (send the notice) or "drop"."""
        now = self.clock()
        seen = self._seen[user]
        while seen and now - seen[0] > self.window:
            seen.popleft()
        seen.append(now)
        if len(seen) <= self.limit:
            self._warned.pop(user, None)
            return "ok"
        if user in self._warned and now - self._warned[user] < self.window:
            return "drop"
        self._warned[user] = now
        return "warn"


FLOOD_NOTICE = "Bạn gửi tin nhắn hơi nhanh. Vui lòng đợi khoảng {seconds} giây rồi hỏi tiếp nhé."
NO_BROADCASTS = "Bản tin hằng tháng chưa được bật trên bot này."
BROADCAST_SKIPPED = "Tháng vừa qua không có gì mới và cài đặt là bỏ qua tháng không có tin: sẽ không gửi bản tin."
NOT_ADMIN = "Xin lỗi, lệnh này chỉ dành cho quản trị viên của bot."
UNKNOWN_COMMAND = "Tôi chưa hiểu lệnh /{name}. Gõ /help để xem các lệnh, hoặc gõ thẳng câu hỏi."
ASK_USAGE = "Bạn hãy gõ câu hỏi sau lệnh, ví dụ: /hoi Luân chuyển cán bộ tối thiểu mấy năm?"
STALE_OPTION = "Gợi ý này đã cũ hoặc không còn trong cơ sở dữ liệu. Bạn hãy gõ lại câu hỏi nhé."
SUBSCRIBED = "Đã đăng ký nhận bản tin hằng tháng về công tác luân chuyển cán bộ. Gõ /huydangky để hủy."
ALREADY_SUBSCRIBED = "Bạn đã đăng ký nhận bản tin hằng tháng rồi. Gõ /huydangky để hủy."
UNSUBSCRIBED = "Đã hủy nhận bản tin hằng tháng. Gõ /dangky nếu muốn nhận lại."
NOT_SUBSCRIBED = "Bạn chưa đăng ký nhận bản tin. Gõ /dangky để đăng ký."


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
    ) -> None:
        self._engine = engine
        self.broadcasts = broadcasts
        self.sending: asyncio.Task | None = None
        """The update an admin asked to send from chat (kept referenced while it runs)."""
        self.store = store
        self.subscriptions = subscriptions
        self.editor = Editor(store)
        self.admins = Admins(store.db, admins, self.editor)
        self._option_index: tuple[Engine | None, dict[str, str]] = (None, {})
        self.dialogs: dict[str, Dialog] = {}
        """Each admin's change in preparation (one at a time)."""
        self._unanswered_shown: dict[str, list[str]] = {}
        self.flood = flood or FloodControl()
        self._background: set[asyncio.Future] = set()
        """Writes that need not delay a reply (unanswered questions), kept until done."""
        self._handlers: dict[str, Callable[[Incoming, str], list[Reply] | Awaitable[list[Reply]]]] = {
            "start": self._start,
            "help": self._help,
            "hoi": self._ask_command,
            "thongke": self._figures,
            "nghiquyet": self._documents,
            "dangky": self._subscribe,
            "huydangky": self._unsubscribe,
            "trangthai": self._status,
            "bantin_xem": self._broadcast_preview,
            "bantin_gui": self._broadcast_confirm,
            "bantin_trangthai": self._broadcast_status,
            "thongbao": self._announce,
            "them": self._add_start,
            "sua": self._edit_start,
            "solieu": self._stat_start,
            "chuatraloi": self._unanswered,
            "xuat": self._export,
            "tim": self._find,
            "xoa": self._delete_confirm,
            "lichsu": self._history,
            "hoantac": self._undo,
            "quantri_them": self._admin_add,
            "quantri_xoa": self._admin_remove,
        }

    @property
    def engine(self) -> Engine:
        """The engine answering now; :meth:`refresh` swaps in a new one when the knowledge
        changed (nothing here touches the database: every message uses it)."""
        return self._engine.latest if isinstance(self._engine, LiveEngine) else self._engine

    def is_admin(self, msg: Incoming) -> bool:
        return f"{msg.platform}:{msg.user_id}" in self.admins

    def commands(self, admin: bool = False) -> list[Command]:
        """The command menu: everyone's, or the longer one for admins."""
        return [c for c in COMMANDS if admin or not c.admin]

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Replies to one incoming message or tap; [] means stay silent on purpose. Slow work
        (writing a large import, undoing it, exporting, reading an upload) runs in a worker
        thread, so other users' answers never wait for an admin."""
        replies = await self._handle(msg)
        if self.is_admin(msg):
            self.refresh()  # an admin may have changed the knowledge: start re-indexing now
        return replies

    async def idle(self) -> None:
        """Wait until the work the last messages started is done: background writes and the
        re-indexing of changed knowledge (the console and tests read on after this)."""
        await self._written()
        if (building := self.refresh()) is not None:
            await building

    async def _written(self) -> None:
        """Wait for the background writes (what reads them must see them all)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def _in_worker(self, job: Callable[[Editor], T]) -> T:
        """Run ``job`` in a worker thread with an editor on its own connection (an SQLite
        connection belongs to the thread that made it)."""

        def run() -> T:
            store = KnowledgeStore(self.store.path)
            try:
                return job(Editor(store))
            finally:
                store.db.close()

        return await asyncio.to_thread(run)

    def refresh(self) -> asyncio.Future | None:
        """Start re-indexing if the knowledge changed (here or in another process), and read
        the admin list again; returns the rebuild in progress, if any. Called after every
        admin message; the runtime also calls it every few seconds."""
        self.admins.reload()
        if isinstance(self._engine, LiveEngine):
            self._engine.current()
            return self._engine.building
        return None

    async def _handle(self, msg: Incoming) -> list[Reply]:
        text = (msg.text or "").strip()
        command = _command(text)
        if not msg.private and command is None and not msg.addressed and msg.choice is None:
            return []  # group chatter not addressed to the bot
        # Admins are trusted and may need many commands in a row; everyone else is paced.
        verdict = "ok" if self.is_admin(msg) else self.flood.check(f"{msg.platform}:{msg.user_id}")
        if verdict == "drop":
            return []
        if verdict == "warn":
            return [Reply(FLOOD_NOTICE.format(seconds=int(self.flood.window)))]
        if msg.upload is not None:
            return await self._upload(msg)
        if msg.choice is not None:
            return await self._choice(msg)
        if command is None and self._who(msg) in self.dialogs and self.is_admin(msg):
            return await self._dialog_text(msg, text)
        if command is not None:
            name, args = command
            handler = self._handlers.get(name)
            if handler is None:
                return [Reply(UNKNOWN_COMMAND.format(name=name))] if msg.private else []
            if any(c.admin and c.name == name for c in COMMANDS) and not self.is_admin(msg):
                log.warning("refused admin command /%s from %s:%s", name, msg.platform, msg.user_id)
                return [Reply(NOT_ADMIN)]
            replies = handler(msg, args)
            return await replies if inspect.isawaitable(replies) else replies
        return self._answer(msg, text)

    def inline(self, query: str, limit: int = 3) -> list[InlineResult]:
        """Best answers for inline mode: the answer when found, else the suggested topics."""
        if not query.strip():
            return []
        answer = self.engine.answer(query)
        answers = [answer] if answer.found else []
        for key in answer.suggested_items:
            if len(answers) == limit:
                break
            item_answer = self.engine.answer_item(key)
            if item_answer is not None and item_answer.found:
                answers.append(item_answer)
        return [
            InlineResult(
                id=option_data("i", a.item or a.question)[2:], title=_clip(a.question, 60),
                text=render_answer(a), description=_clip(a.answer, 100),
            )
            for a in answers
        ]

    # --- commands -------------------------------------------------------------------------

    def _start(self, msg: Incoming, args: str) -> list[Reply]:
        text = (
            "Xin chào! Tôi là bot hỏi đáp về công tác luân chuyển cán bộ lãnh đạo, quản lý.\n\n"
            "Tôi nắm: Nghị quyết 02 của Ban Chấp hành Đảng bộ huyện Tam Dương (giai đoạn 2017-2021) và "
            "kết quả sơ kết 2 năm (Báo Vĩnh Phúc, 30/05/2019); các văn bản của Trung ương: NQ 11-NQ/TW "
            "(2002), KL 24-KL/TW (2012), QĐ 98-QĐ/TW (2017), QĐ 65-QĐ/TW (2022), NĐ 138/2020/NĐ-CP; "
            "bối cảnh sắp xếp đơn vị hành chính năm 2025.\n\n"
            "Cứ gõ câu hỏi, có dấu hay không dấu đều được. Thử một câu:"
        )
        options = [Option(_clip(q, MAX_OPTION_LABEL), f"ex:{i}") for i, q in enumerate(EXAMPLES)]
        return [Reply(text, options)]

    def _help(self, msg: Incoming, args: str) -> list[Reply]:
        lines = ["Các lệnh:"] + [f"/{c.name} – {c.description}" for c in self.commands(self.is_admin(msg))]
        lines += [
            "",
            "Trong nhóm, hãy dùng /hoi <câu hỏi>, nhắc tên bot, hoặc trả lời tin nhắn của bot.",
            "Khi chưa chắc, bot nói rõ là chưa có câu trả lời và gợi ý tối đa 3 chủ đề gần nhất.",
        ]
        return [Reply("\n".join(lines), [Option(_clip(q, MAX_OPTION_LABEL), f"ex:{i}") for i, q in enumerate(EXAMPLES)])]

    def _ask_command(self, msg: Incoming, args: str) -> list[Reply]:
        if not args:
            return [Reply(ASK_USAGE)]
        return self._answer(msg, args)

    def _figures(self, msg: Incoming, args: str) -> list[Reply]:
        labels = {m["key"]: m for m in self.store.metrics()}
        rows, sources = [], []
        for stat in self.store.statistics():
            metric = labels.get(stat["metric"])
            if metric is None:
                continue
            value = format_number(stat["value"]) + (f"–{format_number(stat['value_max'])}" if stat["value_max"] else "")
            period = describe_bounds(stat["period_start"], stat["period_end"])
            label = metric["label"]
            what = label if label.lower().startswith(stat["unit"].lower()) else f"{stat['unit']} {label}"
            rows.append(f"{value:>5} {what} ({period})")
            if stat["source"] not in sources:
                sources.append(stat["source"])
        if not rows:
            return [Reply("Chưa có số liệu nào trong cơ sở dữ liệu.")]
        text = "Số liệu chính:\n" + "\n".join(rows) + "\n\nNguồn: " + "; ".join(sources)
        return [Reply(text, monospace=True)]

    def _documents(self, msg: Incoming, args: str) -> list[Reply]:
        documents = sorted({p["document"] for p in self.store.passages()})
        lines = ["Các văn bản và nguồn bot nắm được:"] + [f"• {d}" for d in documents]
        return [Reply("\n".join(lines))]

    def _subscribe(self, msg: Incoming, args: str) -> list[Reply]:
        new = self.subscriptions.subscribe(msg.platform, msg.chat_id)
        return [Reply(SUBSCRIBED if new else ALREADY_SUBSCRIBED)]

    def _unsubscribe(self, msg: Incoming, args: str) -> list[Reply]:
        gone = self.subscriptions.unsubscribe(msg.platform, msg.chat_id)
        return [Reply(UNSUBSCRIBED if gone else NOT_SUBSCRIBED)]

    async def _status(self, msg: Incoming, args: str) -> list[Reply]:
        await self._written()
        counts = self.store.counts()
        text = (
            f"Cơ sở dữ liệu: {counts['entries']} câu hỏi – trả lời, {counts['passages']} đoạn văn bản, "
            f"{counts['metrics']} chỉ số, {counts['statistics']} số liệu.\n"
            f"Người nhận bản tin: {len(self.subscriptions.active())}.\n"
            f"Câu hỏi chưa trả lời được: {self.store.db['unanswered'].count}."
        )
        bad = self.store.bad_statistics()
        if bad:
            shown = "; ".join(f"{key} ({problem})" for key, problem in bad[:3])
            text += (f"\nSố liệu lỗi, đang bị bỏ qua: {len(bad)} – {shown}. "
                     "Hãy ghi lại đúng bằng /solieu (hoặc stats add).")
        return [Reply(text)]

    # --- answers --------------------------------------------------------------------------

    # --- monthly update (admins) -----------------------------------------------------------

    def _broadcast_preview(self, msg: Incoming, args: str) -> list[Reply]:
        if self.broadcasts is None:
            return [Reply(NO_BROADCASTS)]
        text = self.broadcasts.preview()
        return [Reply(f"Xem trước:\n\n{text}" if text else BROADCAST_SKIPPED)]

    def _broadcast_confirm(self, msg: Incoming, args: str) -> list[Reply]:
        if self.broadcasts is None:
            return [Reply(NO_BROADCASTS)]
        count = len(self.subscriptions.active())
        options = [Option("Gửi ngay", "bt:send"), Option("Hủy", "bt:cancel")]
        return [Reply(f"Gửi bản tin tháng vừa qua tới {count} người nhận? Người đã nhận sẽ không nhận lại.", options)]

    def _broadcast_send(self, msg: Incoming) -> list[Reply]:
        if not self.is_admin(msg):
            log.warning("refused broadcast send from %s:%s", msg.platform, msg.user_id)
            return [Reply(NOT_ADMIN)]
        if self.broadcasts is None:
            return [Reply(NO_BROADCASTS)]
        if not self.broadcasts.dispatcher.senders:  # the console: no platform to send through
            return [Reply("Trong cửa sổ lệnh, hãy dùng: python -m bot broadcast send")]
        self.sending = asyncio.get_running_loop().create_task(self.broadcasts.send())
        return [Reply("Đang gửi bản tin. Gõ /bantin_trangthai để xem tiến độ.")]

    def broadcast_status(self) -> str:
        """Progress of the running update, or of the latest one."""
        if self.broadcasts is None:
            return NO_BROADCASTS
        latest = self.broadcasts.running or (self.broadcasts.ledger.latest() or {}).get("id")
        if latest is None:
            return "Chưa gửi bản tin nào."
        p = self.broadcasts.ledger.progress(latest)
        state = "đang gửi" if self.broadcasts.running == latest else ("xong" if p.done else "tạm dừng")
        return (
            f"Bản tin {latest.removeprefix('monthly-')} ({state}): đã gửi {p.sent}/{p.total}, "
            f"lỗi {p.failed}, bị chặn {p.blocked}, còn chờ {p.pending}."
        )

    def _broadcast_status(self, msg: Incoming, args: str) -> list[Reply]:
        return [Reply(self.broadcast_status(), live=self.broadcasts is not None and self.broadcasts.running is not None)]

    def _announce(self, msg: Incoming, args: str) -> list[Reply]:
        if self.broadcasts is None:
            return [Reply(NO_BROADCASTS)]
        if not args:
            return [Reply("Hãy gõ nội dung sau lệnh, ví dụ: /thongbao Hội nghị giao ban ngày 5/12.")]
        if len(args) > MAX_ANNOUNCEMENT:
            return [Reply(f"Thông báo dài {len(args)} ký tự; tối đa {MAX_ANNOUNCEMENT}. Hãy rút gọn rồi gửi lại.")]
        self.broadcasts.ledger.announce(args, by=f"{msg.platform}:{msg.user_id}")
        return [Reply("Đã thêm thông báo vào bản tin tới. Gõ /bantin_xem để xem trước.")]

    # --- knowledge edits (admins) -----------------------------------------------------------

    def _who(self, msg: Incoming) -> str:
        return f"{msg.platform}:{msg.user_id}"

    def _find(self, msg: Incoming, args: str) -> list[Reply]:
        if not args:
            return [Reply("Hãy gõ từ khóa sau lệnh, ví dụ: /tim chủ trì")]
        rows = self.editor.find(args)
        if not rows:
            return [Reply(f"Không thấy mục nào chứa “{args}”.")]
        return [Reply("Các mục tìm thấy (mã – câu hỏi):\n" + "\n".join(f"{r['id']} – {r['question']}" for r in rows))]

    def _on_entry(self, msg: Incoming, args: str, verb: str, start: Callable[[dict], Dialog]) -> list[Reply]:
        """Start a dialog about the entry whose id follows the command, or say how to name one."""
        entry = self.editor.entry(args.strip()) if args.strip() else None
        if entry is None:
            return [Reply(f"Hãy gõ mã mục cần {verb}, ví dụ: /{'xoa' if verb == 'xóa' else 'sua'} nq02-la-gi "
                          "(tìm mã bằng /tim <từ khóa>).")]
        return self._begin(msg, start(entry))

    def _delete_confirm(self, msg: Incoming, args: str) -> list[Reply]:
        return self._on_entry(msg, args, "xóa", delete_dialog)

    # --- guided changes -------------------------------------------------------------------

    def _begin(self, msg: Incoming, dialog: Dialog) -> list[Reply]:
        self.dialogs[self._who(msg)] = dialog
        return [self._dialog_reply(dialog)]

    def _dialog_reply(self, dialog: Dialog) -> Reply:
        cancel = Option(*CANCEL)
        if dialog.done:
            return Reply(dialog.summary(), [Option(dialog.confirm, SAVE[1]), cancel])
        step = dialog.step()
        options = [Option(label[:MAX_OPTION_LABEL], f"dlg:pick:{i}") for i, (label, _) in enumerate(step.choices)]
        if step.optional:
            options.append(Option(*SKIP))
        return Reply(step.prompt, options + [cancel], typed=step.typed)

    async def _dialog_text(self, msg: Incoming, text: str) -> list[Reply]:
        """Typed text in a dialog: an option's label typed out ("hủy", "bỏ qua", "hôm nay")
        is that option; otherwise the value the step asks for."""
        dialog = self.dialogs[self._who(msg)]
        shown = self._dialog_reply(dialog)
        picked = next((o for o in shown.options if fold(o.label) == fold(text)), None)
        if picked is not None:
            return await self._dialog_choice(msg, picked.data)
        if dialog.done:
            return [Reply(f"Hãy chọn {dialog.confirm} hoặc Hủy."), shown]
        if not dialog.step().typed:
            return [Reply("Hãy chọn một mục trong danh sách."), shown]
        try:
            dialog.take(dialog.step().parse(text))
        except EditError as exc:
            return [Reply(str(exc)), shown]
        return [self._dialog_reply(dialog)]

    async def _dialog_choice(self, msg: Incoming, data: str) -> list[Reply]:
        if not self.is_admin(msg):
            log.warning("refused a change step from %s", self._who(msg))
            return [Reply(NOT_ADMIN)]
        dialog = self.dialogs.get(self._who(msg))
        if dialog is None:
            return [Reply(STALE_OPTION)]
        if data == CANCEL[1]:
            del self.dialogs[self._who(msg)]
            return [Reply("Đã hủy, không thay đổi gì.")]
        if data == SAVE[1] and dialog.done:
            del self.dialogs[self._who(msg)]  # a second tap while saving finds nothing to save
            try:
                done = await self._in_worker(lambda editor: dialog.save_fn(editor, dialog.values, self._who(msg)))
            except EditError as exc:
                self.dialogs[self._who(msg)] = dialog
                return [Reply(f"Chưa lưu: {exc}"), self._dialog_reply(dialog)]
            except (StoreError, sqlite3.Error) as exc:
                log.error("saving a change failed: %s", exc)
                return [Reply(f"Chưa lưu được, cơ sở dữ liệu giữ nguyên. {explain(exc, self.store.path)}")]
            return [Reply(done)]
        if dialog.done:
            return [self._dialog_reply(dialog)]
        step = dialog.step()
        if data == SKIP[1] and step.optional:
            dialog.take([])
        elif (pick := number_after(data, "dlg:pick:")) is not None and pick < len(step.choices):
            value = step.choices[pick][1]
            dialog.take(dt.date.today().isoformat() if value == TODAY[1] else value)
        else:
            return [Reply(STALE_OPTION), self._dialog_reply(dialog)]
        return [self._dialog_reply(dialog)]

    def _add_start(self, msg: Incoming, args: str) -> list[Reply]:
        return self._begin(msg, add_entry_dialog(args or None))

    def _edit_start(self, msg: Incoming, args: str) -> list[Reply]:
        return self._on_entry(msg, args, "sửa", edit_entry_dialog)

    def _stat_start(self, msg: Incoming, args: str) -> list[Reply]:
        metrics = self.store.metrics()
        if not metrics:
            return [Reply("Chưa có chỉ số nào để ghi số liệu.")]
        return self._begin(msg, statistic_dialog(metrics))

    async def _unanswered(self, msg: Incoming, args: str) -> list[Reply]:
        await self._written()
        rows = list(self.store.db["unanswered"].rows_where(order_by="id desc", limit=500))
        groups = group_questions(rows)
        if not groups:
            return [Reply("Chưa có câu hỏi nào bot không trả lời được.")]
        self._unanswered_shown[self._who(msg)] = [q for q, _ in groups]
        lines = ["Câu hỏi chưa trả lời được (hỏi nhiều nhất trước):"] + [f"• {q} ({n} lần)" for q, n in groups]
        options = [Option(_clip(f"Tạo mục: {q}", MAX_OPTION_LABEL), f"ua:{i}") for i, (q, _) in enumerate(groups)]
        return [Reply("\n".join(lines), options)]

    def _from_unanswered(self, msg: Incoming, index: int) -> list[Reply]:
        if not self.is_admin(msg):
            return [Reply(NOT_ADMIN)]
        shown = self._unanswered_shown.get(self._who(msg), [])
        if index >= len(shown):
            return [Reply(STALE_OPTION)]
        dialog = add_entry_dialog(shown[index], source=f"Quản trị viên bổ sung ({self._who(msg)})")
        dialog.values["phrasings"] = []
        dialog.values["as_of"] = dt.date.today().isoformat()
        dialog.skip_filled()
        return self._begin(msg, dialog)

    async def _export(self, msg: Incoming, args: str) -> list[Reply]:
        def export(editor: Editor) -> list[tuple[str, bytes]]:
            with tempfile.TemporaryDirectory() as folder:
                return [(p.name, p.read_bytes()) for p in export_knowledge(editor.store, Path(folder))]

        files = await self._in_worker(export)
        return [Reply("Toàn bộ cơ sở dữ liệu (gửi lại chính các tệp này để nhập: không thay đổi gì).", files=files)]

    async def _upload(self, msg: Incoming) -> list[Reply]:
        if not self.is_admin(msg):
            if msg.private:
                log.warning("refused a file from %s", self._who(msg))
                return [Reply("Xin lỗi, chỉ quản trị viên mới gửi tệp để nhập vào cơ sở dữ liệu.")]
            return []
        name, data = msg.upload
        try:
            batch = await asyncio.to_thread(read_upload, name, data)  # up to seconds for 2 MB
        except KnowledgeFileError as exc:
            shown = exc.problems[:10] + ([f"... và {len(exc.problems) - 10} lỗi khác"] if len(exc.problems) > 10 else [])
            return [Reply("Không nhập tệp, cơ sở dữ liệu giữ nguyên:\n" + "\n".join(f"• {p}" for p in shown))]
        counts = (
            f"{len(batch.entries)} câu hỏi, {len(batch.passages)} đoạn, {len(batch.metrics)} chỉ số, "
            f"{len(batch.statistics)} số liệu"
        )
        return self._begin(msg, import_dialog(name, batch, counts))

    def _history(self, msg: Incoming, args: str) -> list[Reply]:
        changes = self.editor.history()
        if not changes:
            return [Reply("Chưa có thay đổi nào.")]
        lines = ["Các thay đổi gần đây (giờ UTC):"] + [c.line() for c in changes]
        return [Reply("\n".join(lines) + "\nHoàn tác: /hoantac <số>.")]

    async def _undo(self, msg: Incoming, args: str) -> list[Reply]:
        """Ask before undoing; only owners may undo changes to the admin list."""
        number = number_after("#" + args.strip().lstrip("#"), "#")
        if number is None:
            return [Reply("Hãy gõ số thay đổi, ví dụ: /hoantac 12 (xem số bằng /lichsu).")]
        try:
            plan = await self._in_worker(lambda editor: editor.undo_plan(number))  # reads every row it changed
        except EditError as exc:
            return [Reply(str(exc))]
        owner = self._who(msg) in self.admins.owners
        if plan.admins and not owner:
            log.warning("refused undo of admin-list change %s from %s", number, self._who(msg))
            return [Reply("Xin lỗi, chỉ chủ bot (trong ADMIN_IDS) mới hoàn tác được thay đổi danh sách quản trị viên.")]
        return self._begin(msg, undo_dialog(plan, owner))

    def _admin_add(self, msg: Incoming, args: str) -> list[Reply]:
        return self._admin_change(msg, args, add=True)

    def _admin_remove(self, msg: Incoming, args: str) -> list[Reply]:
        return self._admin_change(msg, args, add=False)

    def _admin_change(self, msg: Incoming, args: str, add: bool) -> list[Reply]:
        if self._who(msg) not in self.admins.owners:
            log.warning("refused admin change from %s", self._who(msg))
            return [Reply("Xin lỗi, chỉ chủ bot (trong ADMIN_IDS) mới thêm hoặc bỏ quản trị viên.")]
        target = next(iter(parse_admins(args)), None)
        if target is None:
            return [Reply("Hãy gõ nền tảng và mã người dùng, ví dụ: /quantri_them telegram:123456789")]
        if add:
            done = self.admins.add(target, self._who(msg))
            return [Reply(f"Đã thêm quản trị viên {target}." if done else f"{target} đã là quản trị viên.")]
        done = self.admins.remove(target, self._who(msg))
        return [Reply(f"Đã bỏ quản trị viên {target}." if done else f"{target} không phải quản trị viên được thêm từ chat.")]

    async def _choice(self, msg: Incoming) -> list[Reply]:
        data = msg.choice or ""
        if data.startswith("dlg:"):
            return await self._dialog_choice(msg, data)
        if (index := number_after(data, "ua:")) is not None:
            return self._from_unanswered(msg, index)
        if data == "bt:send":
            return self._broadcast_send(msg)
        if data == "bt:cancel":
            return [Reply("Đã hủy, chưa gửi bản tin.")]
        if (index := number_after(data, "ex:")) is not None and index < len(EXAMPLES):
            return self._answer(msg, EXAMPLES[index])
        if data.startswith("s:"):
            key = self._item_for(data)
            answer = self.engine.answer_item(key) if key else None
            if answer is not None:
                return [self._reply(answer)]
        return [Reply(STALE_OPTION)]

    def _item_for(self, data: str) -> str | None:
        """The item a suggestion button stands for; the lookup is built once per index."""
        engine = self.engine
        if self._option_index[0] is not engine:
            self._option_index = (engine, {option_data("s", item.key): item.key for item in engine.items})
        return self._option_index[1].get(data)

    def _answer(self, msg: Incoming, text: str) -> list[Reply]:
        answer = self.engine.answer(text)
        if answer.kind in ("not_found", "no_data", "stale"):
            self._remember_unanswered(msg.platform, answer.question)
        return [self._reply(answer)]

    def _remember_unanswered(self, platform: str, question: str) -> None:
        """Record the question in a worker thread: the reply never waits for the database
        (an admin's large import may hold it for a second)."""
        job = functools.partial(record_unanswered, self.store.path, platform, question, fold(question))
        try:
            future = asyncio.get_running_loop().run_in_executor(None, job)
        except RuntimeError:  # no event loop
            job()
            return
        self._background.add(future)
        future.add_done_callback(self._background.discard)

    def _reply(self, answer: Answer) -> Reply:
        options = [
            Option(_clip(label, MAX_OPTION_LABEL), option_data("s", key))
            for label, key in zip(answer.suggestions, answer.suggested_items)
        ]
        return Reply(render_answer(answer), options)


def render_answer(answer: Answer) -> str:
    """An answer as users read it: the text, then its source and date when it is a real answer."""
    if not answer.found or not answer.source:
        return answer.answer
    date = f" (cập nhật {_date(answer.as_of)})" if answer.as_of else ""
    return f"{answer.answer}\n\nNguồn: {answer.source}{date}"


def _command(text: str) -> tuple[str, str] | None:
    """("hoi", "câu hỏi") for "/hoi@bot câu hỏi"; None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return (name, rest.strip()) if name else None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _date(as_of: str) -> str:
    return "/".join(reversed(as_of.split("-")))


