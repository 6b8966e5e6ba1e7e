"""Command line: `python -m bot ask|chat|run|broadcast|kb|stats|db|eval`. Messages for people
are Vietnamese. Heavy modules are imported by the commands that need them, so `ask` starts fast."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path

from .cliparser import Parser, command, commands
from .kbcli import add_commands
from .knowledge.db import StoreError, explain
from .logs import setup_logging
from .settings import Settings, SettingsError

NO_TOKEN = (
    "Chưa có TELEGRAM_BOT_TOKEN (token từ @BotFather) hay ZALO_BOT_TOKEN (token Zalo Bot). Hãy đặt vào "
    "tệp .env (xem .env.example) rồi chạy lại.\n"
    "Muốn thử bot ngay trong cửa sổ lệnh: python -m bot chat"
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
        print_preview(asyncio.run(service.plan()), settings, args.supplement)
        return 0
    if args.action == "status":
        print(conversation.broadcast_status())
        return 0
    if not (settings.telegram_token or settings.zalo_token):
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from .runtime import send_from_command_line

    service.dispatcher.on_progress = lambda bid, p: print_progress(p)
    progress = asyncio.run(send_from_command_line(settings, conversation, args.supplement))
    print(file=sys.stderr)
    if progress is None:
        print("Không gửi: chưa có người đăng ký, không có gì mới (BROADCAST_WHEN_EMPTY=skip), "
              "hoặc không có gì để bổ sung.")
        return 0
    print(conversation.broadcast_status())
    return 0 if progress.failed == 0 else 1


def print_preview(plan, settings: Settings, supplement: bool) -> None:
    """The update exactly as it goes out: its chart written to a file, its text, its entries."""
    from .broadcast.content import month_label
    from .channels.console import CHARTS, save_chart

    label = month_label(plan.month)
    bulletin = plan.newer if supplement else plan.bulletin
    if bulletin is None:
        print(f"(Không có gì để gửi cho tháng {label}.)")
        return
    if supplement:
        print(f"Bản tin bổ sung tháng {label}:")
    elif plan.frozen:
        print(f"Bản tin tháng {label} đã gửi tới {plan.received} người, nội dung đã cố định; "
              f"còn {plan.due} người đăng ký chưa nhận. Nội dung gửi đi:")
    else:
        print(f"Bản tin tháng {label} (chưa gửi; sẽ gửi tới {plan.due} người):")
    if bulletin.chart is not None:
        path = save_chart(bulletin.chart, settings.database_path.parent / CHARTS)
        print(f"(Biểu đồ: {path} – {bulletin.caption})")
    print(bulletin.text)
    for i, (title, _) in enumerate(bulletin.links, 1):
        print(f"  {i}. {title}")
    if plan.frozen and plan.newer is not None and not supplement:
        print("\nCó nội dung mới sau bản tin này: xem bằng `broadcast preview --supplement`, "
              "gửi bằng `broadcast send --supplement`, hoặc để vào bản tin tháng sau.")


def print_progress(progress, width: int = 30) -> None:
    done = progress.total - progress.pending
    filled = int(width * done / progress.total) if progress.total else width
    bar = "#" * filled + "-" * (width - filled)
    print(
        f"\r[{bar}] {done}/{progress.total} gửi {progress.sent} lỗi {progress.failed} chặn {progress.blocked}",
        end="", file=sys.stderr, flush=True,
    )


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
    parser = Parser(prog="python -m bot", description="Chatbot về công tác luân chuyển cán bộ.")
    sub = commands(parser, "command")

    ask = command(sub, "ask", "hỏi một câu và in câu trả lời", cmd_ask)
    ask.add_argument("question", nargs="*", metavar="câu_hỏi", help="câu hỏi, không cần đặt trong ngoặc kép")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="in một đối tượng JSON")
    mode.add_argument("--jsonl", action="store_true", help="đọc mỗi dòng stdin một câu hỏi, in mỗi dòng một JSON")

    command(sub, "chat", "trò chuyện với bot ngay trong cửa sổ lệnh", cmd_chat)
    command(sub, "run", "chạy bot Telegram và/hoặc Zalo (cấu hình trong .env)", cmd_run)

    broadcast = commands(command(sub, "broadcast", "bản tin hằng tháng: xem trước, gửi, xem tiến độ"), "action")
    for name, summary in (
        ("preview", "xem trước bản tin đúng như sẽ gửi (biểu đồ ghi ra tệp)"),
        ("send", "gửi (hoặc gửi tiếp) bản tin tới người đăng ký trên mọi nền tảng có token"),
    ):
        command(broadcast, name, summary, cmd_broadcast).add_argument(
            "--supplement", action="store_true", help="bản tin bổ sung: những gì mới sau khi bản tin tháng đã gửi"
        )
    command(broadcast, "status", "tiến độ gửi bản tin", cmd_broadcast)

    add_commands(sub)

    ev = command(sub, "eval", "đo độ chính xác trên bộ câu hỏi có nhãn (TSV), kèm hai phương pháp đối chứng", cmd_eval)
    ev.add_argument("files", nargs="+", metavar="tệp_tsv", help="tệp TSV: loại<TAB>câu hỏi<TAB>kết quả mong đợi, "
                    "hoặc hội thoại: kịch bản<TAB>loại<TAB>tin nhắn<TAB>kết quả mong đợi")
    ev.add_argument("--verbose", action="store_true", help="in từng câu sai")
    ev.add_argument("--no-baselines", action="store_true", help="bỏ qua hai phương pháp đối chứng")
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
