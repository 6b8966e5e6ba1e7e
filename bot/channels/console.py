"""Interactive chat in the terminal, over the same conversation layer the messengers use."""

from __future__ import annotations

import asyncio
import hashlib
import sys
from pathlib import Path
from typing import TextIO

from ..chat.conversation import Conversation
from ..chat.router import Incoming, Reply
from .choices import NO_SUCH_CHOICE, Menus

WELCOME = (
    "Bot hỏi đáp về công tác luân chuyển cán bộ. Gõ câu hỏi rồi nhấn Enter; "
    "gõ số để chọn một gợi ý; gõ 'thoat' hoặc nhấn Ctrl+D để thoát."
)
CHARTS = "charts"
QUIT_WORDS = {"thoat", "thoát", "exit", "quit", "q"}
NO_SUCH_OPTION = "Không có gợi ý số này. Xin {you} gõ câu hỏi."


def save_chart(png: bytes, folder: Path) -> Path:
    """Write a chart where a terminal user can open it; the same chart keeps one file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bieudo-{hashlib.sha256(png).hexdigest()[:12]}.png"
    if not path.exists():
        path.write_bytes(png)
    return path


def render(reply: Reply, charts: Path | None = None) -> str:
    """A reply as terminal text: a chart is written to a file in ``charts`` (its path shown),
    options become numbered lines."""
    lines = []
    if reply.picture is not None:
        if charts is None:
            lines.append(reply.picture.fallback)
        else:
            lines.append(f"(Biểu đồ: {save_chart(reply.picture.png, charts)} – {reply.picture.caption})")
    lines.append(reply.text)
    if reply.files:
        lines.append("(Trong cửa sổ lệnh, hãy dùng: python -m bot kb export <thư mục>.)")
    if reply.typed and reply.options:
        lines.append(f"  (Hoặc gõ: {' / '.join(o.label for o in reply.options)})")
    else:
        lines += [f"  {i}. {option.label}" for i, option in enumerate(reply.options, 1)]
    return "\n".join(lines)


class ConsoleChannel:
    """One person at a terminal: lines in, replies out, numbers pick the options offered."""

    platform = "console"

    def __init__(self, conversation: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
        self.conversation = conversation
        self.charts = conversation.store.path.parent / CHARTS
        """Where charts are written (beside the database)."""
        self.stdin = stdin
        self.stdout = stdout
        self.menus = Menus()
        self.finished: asyncio.Task | None = None
        """Reading the terminal; done at the end of input or when the person quits."""

    async def start(self) -> None:
        print(WELCOME, file=self.stdout)
        self.finished = asyncio.get_running_loop().create_task(self._read())

    async def stop(self) -> None:
        if self.finished is not None:
            self.finished.cancel()

    async def _read(self) -> None:
        while True:
            print("> ", end="", file=self.stdout, flush=True)
            line = self.stdin.readline()  # the terminal is this process's only user
            if not line:
                print(file=self.stdout)
                return
            text = line.strip()
            if text.lower() in QUIT_WORDS:
                return
            await self._turn(text)

    async def _turn(self, text: str) -> None:
        message = Incoming(self.platform, "console", "local", text=text)
        chosen = self.menus.choose("console", text)
        if chosen is NO_SUCH_CHOICE:
            print(self.conversation.addressed(NO_SUCH_OPTION), file=self.stdout)
            return
        if chosen is not None:
            print(f"({chosen.label})", file=self.stdout)
            message = Incoming(self.platform, "console", "local", choice=chosen.data)
        replies = await self.conversation.handle(message)
        self.menus.offer("console", replies)
        for reply in replies:
            print(render(reply, self.charts), file=self.stdout, flush=True)
        await self.conversation.idle()  # a change just made is answered from the next question on


def run_console(conversation: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Chat until end of input or 'thoat'."""

    async def session() -> None:
        console = ConsoleChannel(conversation, stdin, stdout)
        await console.start()
        assert console.finished is not None
        await console.finished

    asyncio.run(session())
    return 0
