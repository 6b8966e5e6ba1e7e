"""What the bot is and knows: /start, /help, the figures table, the documents, and the
admins' status line."""

from __future__ import annotations

from ..broadcast.content import figures_chart
from ..search.items import format_number
from ..search.periods import describe_bounds
from .answers import example_options
from .feedback import feedback_counts
from .router import Access, Picture, Reply, Router, Turn

router = Router("information")

WELCOME = (
    "Kính chào {you}! Tôi là bot hỏi đáp về công tác luân chuyển cán bộ lãnh đạo, quản lý.\n\n"
    "Tôi nắm: Nghị quyết 02 của Ban Chấp hành Đảng bộ huyện Tam Dương (giai đoạn 2017-2021) và "
    "kết quả sơ kết 2 năm (Báo Vĩnh Phúc, 30/05/2019); các văn bản của Trung ương: NQ 11-NQ/TW "
    "(2002), KL 24-KL/TW (2012), QĐ 98-QĐ/TW (2017), QĐ 65-QĐ/TW (2022), NĐ 138/2020/NĐ-CP; "
    "bối cảnh sắp xếp đơn vị hành chính năm 2025.\n\n"
    "{You} cứ gõ câu hỏi, có dấu hay không dấu đều được. Thử một câu:"
)


@router.command("start", "Giới thiệu và câu hỏi mẫu")
def start(turn: Turn, args: str) -> list[Reply]:
    return [Reply(WELCOME, example_options())]


@router.command("help", "Hướng dẫn sử dụng")
def help_(turn: Turn, args: str) -> list[Reply]:
    lines = ["Các lệnh:"] + [f"/{c.name} – {c.description}" for c in turn.bot.commands(turn.admin)]
    lines += [
        "",
        "Trong nhóm, hãy dùng /hoi <câu hỏi>, nhắc tên bot, hoặc trả lời tin nhắn của bot.",
        "Khi chưa chắc, bot nói rõ là chưa có câu trả lời và gợi ý tối đa 3 chủ đề gần nhất.",
    ]
    return [Reply("\n".join(lines), example_options())]


@router.command("thongke", "Các số liệu chính")
async def figures(turn: Turn, args: str) -> list[Reply]:
    store = turn.bot.store
    labels = {m["key"]: m for m in store.metrics()}
    rows, sources = [], []
    for stat in store.statistics():
        metric = labels.get(stat["metric"])
        if metric is None:
            continue
        value = format_number(stat["value"]) + (f"–{format_number(stat['value_max'])}" if stat["value_max"] else "")
        period = describe_bounds(stat["period_start"], stat["period_end"])
        label = metric["label"]
        what = label if label.lower().startswith(stat["unit"].lower()) else f"{stat['unit']} {label}"
        rows.append(f"{value:>5} {what}" + (f" ({period})" if period else ""))
        if stat["source"] not in sources:
            sources.append(stat["source"])
    if not rows:
        return [Reply("Chưa có số liệu nào trong cơ sở dữ liệu.")]
    text = "Số liệu chính:\n" + "\n".join(rows) + "\n\nNguồn: " + "; ".join(sources)
    drawn = await figures_chart(store)
    return [Reply(text, monospace=True, picture=Picture(*drawn) if drawn else None)]


@router.command("nghiquyet", "Các văn bản bot nắm được")
def documents(turn: Turn, args: str) -> list[Reply]:
    names = sorted({p["document"] for p in turn.bot.store.passages()})
    return [Reply("\n".join(["Các văn bản và nguồn bot nắm được:"] + [f"• {d}" for d in names]))]


@router.command("trangthai", "Tình trạng cơ sở dữ liệu (quản trị)", Access.ADMIN)
async def status(turn: Turn, args: str) -> list[Reply]:
    await turn.bot.written()
    store = turn.bot.store
    counts = store.counts()
    text = (
        f"Cơ sở dữ liệu: {counts['entries']} câu hỏi – trả lời, {counts['passages']} đoạn văn bản, "
        f"{counts['metrics']} chỉ số, {counts['statistics']} số liệu.\n"
        f"Người nhận bản tin: {len(turn.bot.subscriptions.active())}.\n"
        f"Câu hỏi chưa trả lời được: {store.db.table('unanswered').count}.\n"
        "Phản hồi của người dùng: {} hữu ích, {} chưa đúng (xem /phanhoi).".format(*feedback_counts(turn))
    )
    text += "\n" + _meaning_status(turn)
    bad = store.bad_statistics()
    if bad:
        shown = "; ".join(f"{key} ({problem})" for key, problem in bad[:3])
        text += (f"\nSố liệu lỗi, đang bị bỏ qua: {len(bad)} – {shown}. "
                 "Hãy ghi lại đúng bằng /solieu (hoặc stats add).")
    return [Reply(text)]


def _meaning_status(turn: Turn) -> str:
    """How many items are also found by meaning, and the progress of the vectors being computed."""
    engine = turn.bot.engine
    if engine.semantic is None:
        return "Tìm theo nghĩa: tắt (không nạp được mô hình), bot trả lời theo từ khóa."
    line = f"Tìm theo nghĩa: {engine.semantic.covered}/{len(engine.items)} mục có vector."
    done, total = turn.bot.vector_progress
    if total:
        line += f" Đang tính vector cho mục mới: {done}/{total}."
    return line
