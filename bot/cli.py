"""Command line: `python -m bot ask|chat|run|broadcast|kb|stats|db|eval`. Messages for people
are Vietnamese. Heavy modules are imported by the commands that need them, so `ask` starts fast."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path

from .kbcli import add_commands
from .knowledge.db import StoreError, explain
from .logs import setup_logging
from .settings import Settings, SettingsError

NO_TOKEN = (
    "Chưa có TELEGRAM_BOT_TOKEN (token từ @BotFather) hay ZALO_BOT_TOKEN (token Zalo Bot). Hãy đặt vào "
    "tệp .env (xem .env.example) rồi chạy lại.\n"
    "Muốn thử bot ngay trong cửa sổ lệnh: python -m bot chat\n"
    "Neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set: put one in .env (see .env.example), "
    "or try the bot in the terminal with `python -m bot chat`."
)


def format_answer(answer) -> str:
    """Plain-text rendering of an answer for a person at a terminal."""
    from .chat.answers import render_answer

    lines = [render_answer(answer)]
    lines += [f"  {i}. {suggestion}" for i, suggestion in enumerate(answer.suggestions, 1)]
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from .app import build_engine_for

    engine = build_engine_for(settings)
    if args.jsonl:
        for line in sys.stdin:
            print(engine.answer(line.rstrip("\r\n")).to_json(), flush=True)
        return 0
    question = " ".join(args.question)
    answer = engine.answer(question)
    print(answer.to_json() if args.json else format_answer(answer))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from .app import build_conversation
    from .channels.console import run_console
    from .chat.router import FloodControl

    return run_console(build_conversation(settings, flood=FloodControl(limit=10**9)))


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if not (settings.telegram_token or settings.zalo_token):
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from .app import build_conversation
    from .runtime import run

    run(settings, build_conversation(settings))
    return 0


def cmd_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from .app import build_conversation

    conversation = build_conversation(settings)
    service = conversation.broadcasts
    if service is None:
        print(conversation.broadcast_status(), file=sys.stderr)
        return 2
    if args.action == "preview":
        print(service.preview() or "(Tháng vừa qua không có gì mới: bản tin sẽ được bỏ qua.)")
        return 0
    if args.action == "status":
        print(conversation.broadcast_status())
        return 0
    if not settings.telegram_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from .channels.telegram import send_from_command_line

    progress = asyncio.run(send_from_command_line(settings, service))
    if progress is None:
        print("Không có gì mới, đã bỏ qua tháng này (BROADCAST_WHEN_EMPTY=skip).")
        return 0
    print(conversation.broadcast_status())
    return 0 if progress.failed == 0 else 1


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from .app import open_store
    from .evaluation.report import run_eval
    from .knowledge.live import build_engine

    store = open_store(settings)
    files = [Path(f) for f in args.files]
    return run_eval(
        build_engine(store), files, verbose=args.verbose, baselines=not args.no_baselines,
        without_phrasings=build_engine(store, phrasings=False),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Chatbot về công tác luân chuyển cán bộ.")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="hỏi một câu và in câu trả lời")
    ask.add_argument("question", nargs="*", help="câu hỏi")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="in một đối tượng JSON")
    mode.add_argument("--jsonl", action="store_true", help="đọc mỗi dòng stdin một câu hỏi, in mỗi dòng một JSON")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="trò chuyện với bot ngay trong cửa sổ lệnh")
    chat.set_defaults(func=cmd_chat)

    run = sub.add_parser("run", help="chạy bot Telegram (cấu hình trong .env)")
    run.set_defaults(func=cmd_run)

    broadcast = sub.add_parser("broadcast", help="bản tin hằng tháng: xem trước, gửi, xem tiến độ")
    broadcast.add_argument("action", choices=["preview", "send", "status"])
    broadcast.set_defaults(func=cmd_broadcast)

    add_commands(sub)

    ev = sub.add_parser("eval", help="đo độ chính xác trên bộ câu hỏi có nhãn (TSV), kèm hai phương pháp đối chứng")
    ev.add_argument("files", nargs="+", help="tệp TSV: loại<TAB>câu hỏi<TAB>kết quả mong đợi, hoặc hội thoại: "
                    "kịch bản<TAB>loại<TAB>tin nhắn<TAB>kết quả mong đợi")
    ev.add_argument("--verbose", action="store_true", help="in từng câu sai")
    ev.add_argument("--no-baselines", action="store_true", help="bỏ qua hai phương pháp đối chứng")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load()
    except SettingsError as exc:
        print("Cấu hình chưa đúng (tệp .env hoặc biến môi trường); hãy sửa rồi chạy lại:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets())
    if args.command == "ask" and not args.jsonl and not args.question:
        print("Hãy gõ câu hỏi sau lệnh, ví dụ: python -m bot ask \"Nghị quyết 02 là gì?\"", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except StoreError as exc:
        print(exc, file=sys.stderr)
    except (sqlite3.Error, OSError) as exc:  # the file broke, filled up or was locked while in use
        logging.getLogger(__name__).debug("database error", exc_info=exc)
        print(explain(exc, settings.database_path), file=sys.stderr)
    return 1
