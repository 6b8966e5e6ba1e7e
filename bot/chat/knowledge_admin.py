"""Admins keep the knowledge current from chat: guided changes (add, edit, figures, delete,
import a file, undo), search, history, export, and the questions the bot could not answer.

Every change is prepared step by step in a :class:`~.dialogs.Dialog`, confirmed, then written
in a worker thread through the audited editor, so other users' answers never wait for it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from ..knowledge.db import StoreError, explain
from ..knowledge.editing import EditError
from ..knowledge.formats import read_upload
from ..knowledge.formats.export import export_files
from ..knowledge.formats.records import KnowledgeFileError
from ..knowledge.formats.workbook import TEMPLATE_NAME, template_workbook
from ..knowledge.readable import entry_card, entry_ref, local_today
from ..search.text import fold, shorten
from .answers import MAX_OPTION_LABEL, STALE_OPTION
from .dialogs import (
    CANCEL,
    SAVE,
    SKIP,
    TODAY,
    Dialog,
    TooLong,
    add_entry_dialog,
    delete_dialog,
    edit_entry_dialog,
    group_questions,
    import_dialog,
    statistic_dialog,
    undo_dialog,
)
from .router import Access, Option, Reply, Router, Turn

log = logging.getLogger(__name__)
router = Router("knowledge admin")

UPLOAD_REFUSED = "Xin lỗi, chỉ quản trị viên mới gửi tệp để nhập vào cơ sở dữ liệu."
SHORTEN = "Xin {you} rút gọn rồi gửi lại; nội dung vừa gõ ở ngay dưới đây để sao chép và sửa."
PAGE = 5
"""Unanswered question groups per page of /chuatraloi."""


# --- guided changes ---------------------------------------------------------------------------

def begin(turn: Turn, dialog: Dialog) -> list[Reply]:
    turn.bot.dialogs[turn.who] = dialog
    return [dialog_reply(dialog)]


def dialog_reply(dialog: Dialog) -> Reply:
    cancel = Option(*CANCEL)
    if dialog.done:
        return Reply(dialog.summary(), [Option(dialog.confirm, SAVE[1]), cancel])
    step = dialog.step()
    options = [Option(label[:MAX_OPTION_LABEL], step_choice.data(f"pick:{i}")) for i, (label, _) in enumerate(step.choices)]
    if step.optional:
        options.append(Option(*SKIP))
    return Reply(step.prompt, options + [cancel], typed=step.typed)


def _in_dialog(turn: Turn) -> bool:
    return turn.admin and turn.who in turn.bot.dialogs


@router.text(when=_in_dialog)
async def dialog_text(turn: Turn, text: str) -> list[Reply]:
    """Typed text in a dialog: an option's label typed out ("hủy", "bỏ qua", "hôm nay") is
    that option; otherwise the value the step asks for."""
    dialog = turn.bot.dialogs[turn.who]
    shown = dialog_reply(dialog)
    picked = next((o for o in shown.options if fold(o.label) == fold(text)), None)
    if picked is not None:
        return await dialog_tap(turn, picked.data.removeprefix("dlg:"))
    if dialog.done:
        return [Reply(f"Hãy chọn {dialog.confirm} hoặc Hủy."), shown]
    if not dialog.step().typed:
        return [Reply("Hãy chọn một mục trong danh sách."), shown]
    try:
        dialog.take(dialog.step().parse(text))
    except TooLong as exc:  # given back, so a long text is shortened rather than typed again
        return [Reply(f"{exc} {SHORTEN}"), Reply(text.strip()), shown]
    except EditError as exc:
        return [Reply(str(exc)), shown]
    return [dialog_reply(dialog)]


async def dialog_tap(turn: Turn, action: str) -> list[Reply]:
    """A tap in a dialog: cancel, save, skip, or one of the step's choices."""
    dialog = turn.bot.dialogs.get(turn.who)
    if dialog is None:
        return [Reply(STALE_OPTION)]
    if action == CANCEL[1].removeprefix("dlg:"):
        del turn.bot.dialogs[turn.who]
        return [Reply("Đã hủy, không thay đổi gì.")]
    if action == SAVE[1].removeprefix("dlg:") and dialog.done:
        return await _save(turn, dialog)
    if dialog.done:
        return [dialog_reply(dialog)]
    step = dialog.step()
    pick = action.removeprefix("pick:")
    if action == SKIP[1].removeprefix("dlg:") and step.optional:
        dialog.take([])
    elif action.startswith("pick:") and pick.isascii() and pick.isdigit() and int(pick) < len(step.choices):
        value = step.choices[int(pick)][1]
        dialog.take(local_today().isoformat() if value == TODAY[1] else value)
    else:
        return [Reply(STALE_OPTION), dialog_reply(dialog)]
    return [dialog_reply(dialog)]


step_choice = router.button("dlg", Access.ADMIN)(dialog_tap)


async def _save(turn: Turn, dialog: Dialog) -> list[Reply]:
    del turn.bot.dialogs[turn.who]  # a second tap while saving finds nothing to save
    try:
        done = await turn.bot.in_worker(lambda editor: dialog.save_fn(editor, dialog.values, turn.who))
    except EditError as exc:
        turn.bot.dialogs[turn.who] = dialog
        return [Reply(f"Chưa lưu: {exc}"), dialog_reply(dialog)]
    except (StoreError, sqlite3.Error) as exc:
        log.error("saving a change failed: %s", exc)
        return [Reply(f"Chưa lưu được, cơ sở dữ liệu giữ nguyên. {explain(exc, turn.bot.store.path)}")]
    return [Reply(done)]


# --- commands ---------------------------------------------------------------------------------

@router.command("them", "Thêm câu hỏi – trả lời, từng bước (quản trị)", Access.ADMIN)
def add_entry(turn: Turn, args: str) -> list[Reply]:
    return begin(turn, add_entry_dialog(args or None))


def _on_entry(turn: Turn, args: str, command: str, verb: str, start: Callable[[dict, str], Dialog]) -> list[Reply]:
    """Start a dialog about the entry whose number or id follows the command, showing it as it
    is now; or say how to name one."""
    editor = turn.bot.editor
    entry = editor.entry(args) if args.strip() else None
    if entry is None:
        return [Reply(f"Hãy gõ số hoặc mã của mục cần {verb}, ví dụ: /{command} 12 hoặc /{command} nq02-la-gi "
                      "(tìm bằng /tim <từ khóa>).")]
    return begin(turn, start(entry, entry_card(entry, editor.names())))


@router.command("sua", "Sửa một mục: /sua <số hoặc mã mục> (quản trị)", Access.ADMIN)
def edit_entry(turn: Turn, args: str) -> list[Reply]:
    return _on_entry(turn, args, "sua", "sửa", edit_entry_dialog)


@router.command("solieu", "Ghi số liệu, ví dụ số lượt luân chuyển của tháng (quản trị)", Access.ADMIN)
def add_statistic(turn: Turn, args: str) -> list[Reply]:
    metrics = turn.bot.store.metrics()
    if not metrics:
        return [Reply("Chưa có chỉ số nào để ghi số liệu.")]
    return begin(turn, statistic_dialog(metrics))


@router.command("chuatraloi", "Các câu hỏi bot chưa trả lời được (quản trị)", Access.ADMIN)
async def unanswered(turn: Turn, args: str) -> list[Reply]:
    await turn.bot.written()
    rows = list(turn.bot.store.db.table("unanswered").rows_where(order_by="id desc", limit=500))
    groups = group_questions(rows)
    if not groups:
        return [Reply("Chưa có câu hỏi nào bot không trả lời được.")]
    turn.bot.unanswered_shown[turn.who] = groups
    return [_unanswered_page(groups, 0)]


@router.button("uap", Access.ADMIN, numeric=True)
def unanswered_page(turn: Turn, page: int) -> list[Reply]:
    """Another page of the groups /chuatraloi listed (as they were then: the buttons stay true)."""
    groups = turn.bot.unanswered_shown.get(turn.who, [])
    if page * PAGE >= len(groups):
        return [Reply(STALE_OPTION)]
    return [_unanswered_page(groups, page)]


def _unanswered_page(groups: list[tuple[str, int]], page: int) -> Reply:
    pages = -(-len(groups) // PAGE)
    first = page * PAGE
    shown = groups[first:first + PAGE]
    where = f"; trang {page + 1}/{pages}" if pages > 1 else ""
    lines = [f"Câu hỏi chưa trả lời được, hỏi nhiều nhất trước ({len(groups)} nhóm{where}):"]
    lines += [f"• {q} ({n} lần)" for q, n in shown]
    options = [Option(shorten(f"Tạo mục: {q}", MAX_OPTION_LABEL), from_unanswered.data(i))
               for i, (q, _) in enumerate(shown, first)]
    if page > 0:
        options.append(Option("« Trang trước", unanswered_page.data(page - 1)))
    if page + 1 < pages:
        options.append(Option("Trang sau »", unanswered_page.data(page + 1), beside=page > 0))
    return Reply("\n".join(lines), options)


@router.button("ua", Access.ADMIN, numeric=True)
def from_unanswered(turn: Turn, index: int) -> list[Reply]:
    """A new entry for an unanswered question: the question is filled in, and a neutral source
    (users see it under the answer: never the admin's account)."""
    shown = turn.bot.unanswered_shown.get(turn.who, [])
    if index >= len(shown):
        return [Reply(STALE_OPTION)]
    today = local_today()
    dialog = add_entry_dialog(shown[index][0], source=f"Quản trị viên bổ sung, ngày {today:%d/%m/%Y}")
    dialog.values["phrasings"] = []
    dialog.values["as_of"] = today.isoformat()
    dialog.skip_filled()
    return begin(turn, dialog)


@router.command("xuat", "Xuất toàn bộ cơ sở dữ liệu ra tệp Excel; /xuat yaml: tệp YAML, CSV (quản trị)", Access.ADMIN)
async def export(turn: Turn, args: str) -> list[Reply]:
    """One workbook by default, what an admin opens on a phone; YAML and CSV files on asking."""
    fmt = {"": "xlsx", "excel": "xlsx", "xlsx": "xlsx", "yaml": "yaml", "csv": "yaml"}.get(fold(args))
    if fmt is None:
        return [Reply("Gõ /xuat để nhận tệp Excel, hoặc /xuat yaml để nhận các tệp YAML, CSV.")]
    files = await turn.bot.in_worker(lambda editor: export_files(editor.store, fmt))
    if fmt == "xlsx":
        return [Reply("Toàn bộ cơ sở dữ liệu trong một tệp Excel, mỗi loại một trang (gửi lại chính tệp này "
                      "để nhập: không thay đổi gì). Cần tệp YAML, CSV: /xuat yaml.", files=files)]
    return [Reply("Toàn bộ cơ sở dữ liệu (gửi lại chính các tệp này để nhập: không thay đổi gì).", files=files)]


@router.command("mau", "Tệp Excel mẫu để điền dữ liệu rồi gửi lại cho bot (quản trị)", Access.ADMIN)
async def template(turn: Turn, args: str) -> list[Reply]:
    data = await asyncio.to_thread(template_workbook)
    return [Reply(
        "Tệp Excel mẫu: mỗi loại dữ liệu một trang, trang “Hướng dẫn” giải thích từng cột. Đồng chí điền "
        "dưới dòng ví dụ (dòng ví dụ để nguyên hoặc xóa đi đều được) rồi gửi lại tệp cho bot để nhập.",
        files=[(TEMPLATE_NAME, data)],
    )]


@router.command("tim", "Tìm mục trong cơ sở dữ liệu: /tim <từ khóa> (quản trị)", Access.ADMIN)
def find(turn: Turn, args: str) -> list[Reply]:
    if not args:
        return [Reply("Hãy gõ từ khóa sau lệnh, ví dụ: /tim chủ trì")]
    rows = turn.bot.editor.find(args)
    if not rows:
        return [Reply(f"Không thấy mục nào chứa “{args}”.")]
    lines = [f"{entry_ref(r)} – {r['question']}" for r in rows]
    return [Reply("Các mục tìm thấy (số, mã – câu hỏi; sửa: /sua <số>):\n" + "\n".join(lines))]


@router.command("xoa", "Xóa một mục: /xoa <số hoặc mã mục> (quản trị)", Access.ADMIN)
def delete_entry(turn: Turn, args: str) -> list[Reply]:
    return _on_entry(turn, args, "xoa", "xóa", delete_dialog)


@router.command("lichsu", "Các thay đổi gần đây (quản trị)", Access.ADMIN)
def history(turn: Turn, args: str) -> list[Reply]:
    changes = turn.bot.editor.history()
    if not changes:
        return [Reply("Chưa có thay đổi nào.")]
    lines = ["Các thay đổi gần đây:"] + [c.line() for c in changes]
    return [Reply("\n".join(lines) + "\nHoàn tác: /hoantac <số>.")]


@router.command("hoantac", "Hoàn tác một thay đổi: /hoantac <số thay đổi> (quản trị)", Access.ADMIN)
async def undo(turn: Turn, args: str) -> list[Reply]:
    """Ask before undoing; only owners may undo changes to the admin list."""
    number = args.strip().lstrip("#")
    if not (number.isascii() and number.isdigit()):
        return [Reply("Hãy gõ số thay đổi, ví dụ: /hoantac 12 (xem số bằng /lichsu).")]
    try:
        plan = await turn.bot.in_worker(lambda editor: editor.undo_plan(int(number)))  # reads every row it changed
    except EditError as exc:
        return [Reply(str(exc))]
    if plan.admins and not turn.owner:
        log.warning("refused undo of admin-list change %s from %s", number, turn.who)
        return [Reply("Xin lỗi, chỉ chủ bot (trong ADMIN_IDS) mới hoàn tác được thay đổi danh sách quản trị viên.")]
    return begin(turn, undo_dialog(plan, turn.owner))


# --- files ------------------------------------------------------------------------------------

@router.upload(Access.ADMIN, refused=UPLOAD_REFUSED)
async def upload(turn: Turn, name: str, data: bytes) -> list[Reply]:
    """A file to import: read off the event loop, summed up, imported once confirmed."""
    try:
        batch = await asyncio.to_thread(read_upload, name, data)  # up to seconds for 2 MB
    except KnowledgeFileError as exc:
        shown = exc.problems[:10] + ([f"... và {len(exc.problems) - 10} lỗi khác"] if len(exc.problems) > 10 else [])
        return [Reply("Không nhập tệp, cơ sở dữ liệu giữ nguyên:\n" + "\n".join(f"• {p}" for p in shown))]
    if batch.documents:  # reads which passages an earlier version left, so in a worker too
        details = await turn.bot.in_worker(lambda editor: editor.documents_summary(batch))
        return begin(turn, import_dialog(name, batch, f"văn bản, {len(batch.passages)} đoạn", details))
    counts = (
        f"{len(batch.entries)} câu hỏi, {len(batch.passages)} đoạn, {len(batch.metrics)} chỉ số, "
        f"{len(batch.statistics)} số liệu"
    )
    return begin(turn, import_dialog(name, batch, counts))
