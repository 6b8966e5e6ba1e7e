"""Interactive chat in the terminal, over the same conversation layer the messengers use."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from ..chat.conversation import Conversation
from ..chat.router import Incoming, Reply
from .choices import NO_SUCH_CHOICE, Menus

WELCOME = (
    "Bot hỏi đáp về công tác luân chuyển cán bộ. Gõ câu hỏi rồi nhấn Enter; "
    "gõ số để chọn một gợi ý; gõ 'thoat' hoặc nhấn Ctrl+D để thoát."
)
QUIT_WORDS = {"thoat", "thoát", "exit", "quit", "q"}
NO_SUCH_OPTION = "Không có gợi ý số này. Hãy gõ câu hỏi của bạn."


def render(reply: Reply) -> str:
    """A reply as terminal text: options become numbered lines."""
    lines = [reply.text]
    if reply.files:
        lines.append("(Trong cửa sổ lệnh, hãy dùng: python -m bot kb export <thư mục>.)")
    if reply.typed and reply.options:
        lines.append(f"  (Hoặc gõ: {' / '.join(o.label for o in reply.options)})")
    else:
        lines += [f"  {i}. {option.label}" for i, option in enumerate(reply.options, 1)]
    return "\n".join(lines)


def run_console(conversation: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Read messages until end of input; a number picks one of the last options offered."""
    return asyncio.run(_console(conversation, stdin, stdout))


async def _console(conversation: Conversation, stdin: TextIO, stdout: TextIO) -> int:
    print(WELCOME, file=stdout)
    menus = Menus()
    while True:
        print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print(file=stdout)
            return 0
        text = line.strip()
        if text.lower() in QUIT_WORDS:
            return 0
        message = Incoming("console", "console", "local", text=text)
        chosen = menus.choose("console", text)
        if chosen is NO_SUCH_CHOICE:
            print(NO_SUCH_OPTION, file=stdout)
            continue
        if chosen is not None:
            print(f"({chosen.label})", file=stdout)
            message = Incoming("console", "console", "local", choice=chosen.data)
        replies = await conversation.handle(message)
        menus.offer("console", replies)
        for reply in replies:
            print(render(reply), file=stdout, flush=True)
        await conversation.idle()  # a change just made is answered from the next question on
