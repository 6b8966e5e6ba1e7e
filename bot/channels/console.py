"""Interactive chat in the terminal, over the same conversation layer the messengers use."""

from __future__ import annotations

import sys
from typing import TextIO

from ..core.conversation import Conversation, Incoming, Option, Reply

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
    lines += [f"  {i}. {option.label}" for i, option in enumerate(reply.options, 1)]
    return "\n".join(lines)


def run_console(conversation: Conversation, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Read messages until end of input; a number picks one of the last options offered."""
    print(WELCOME, file=stdout)
    options: list[Option] = []
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
        if text.isdigit():
            if not 1 <= int(text) <= len(options):
                print(NO_SUCH_OPTION, file=stdout)
                continue
            chosen = options[int(text) - 1]
            print(f"({chosen.label})", file=stdout)
            message = Incoming("console", "console", "local", choice=chosen.data)
        replies = conversation.handle(message)
        options = [option for reply in replies for option in reply.options]
        for reply in replies:
            print(render(reply), file=stdout, flush=True)
