"""Interactive chat in the terminal, over the same engine the messengers use."""

from __future__ import annotations

import sys
from typing import TextIO

from ..core.engine import Engine

WELCOME = (
    "Bot hỏi đáp về công tác luân chuyển cán bộ. Gõ câu hỏi rồi nhấn Enter; "
    "gõ số để chọn một gợi ý; gõ 'thoat' hoặc nhấn Ctrl+D để thoát."
)
QUIT_WORDS = {"thoat", "thoát", "exit", "quit", "q"}


def run_console(engine: Engine, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Read questions until end of input; a digit picks one of the last suggestions."""
    from ..cli import format_answer

    print(WELCOME, file=stdout)
    suggestions: list[str] = []
    while True:
        print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print(file=stdout)
            return 0
        text = line.strip()
        if text.lower() in QUIT_WORDS:
            return 0
        if text.isdigit():
            if not 1 <= int(text) <= len(suggestions):
                print("Không có gợi ý số này. Hãy gõ câu hỏi của bạn.", file=stdout)
                continue
            text = suggestions[int(text) - 1]
            print(f"({text})", file=stdout)
        answer = engine.answer(text)
        suggestions = answer.suggestions
        print(format_answer(answer), file=stdout, flush=True)
