"""Nothing lost, nothing half-written: writes are all or nothing (a killed process, an error on
row N, a full disk), bad figures are refused, a new release never undoes an admin's work,
undo is safe, secrets stay secret, and broken input or files get a clear answer."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.broadcast.content import Bulletin
from bot.broadcast.delivery import Part
from bot.broadcast.ledger import Ledger
from bot.broadcast.subscriptions import Subscriptions
from bot.chat.answers import STALE_OPTION
from bot.chat.router import Incoming
from bot.cli import main
from bot.knowledge.editing import EditError, Editor
from bot.knowledge.formats import read_path
from bot.knowledge.formats.export import export_knowledge
from bot.knowledge.formats.records import KnowledgeFileError
from bot.knowledge.live import build_engine
from bot.knowledge.store import KnowledgeStore
from bot.search.text import addressed

from .conftest import KNOWLEDGE, ROOT, write

# What users see: the bot's sentences with the form of address filled in.
STALE_OPTION = addressed(STALE_OPTION)

OWNER = "42"


def entries_file(folder: Path, count: int, prefix: str = "mau") -> Path:
    """A synthetic entries file of ``count`` made-up entries (no real facts)."""
    entries = [
        {"id": f"{prefix}-{i}", "question": f"Câu hỏi mẫu số {i} về chủ đề thử nghiệm {prefix}?",
         "answer": f"Trả lời mẫu số {i}.", "source": "Nguồn mẫu", "as_of": "2020-01-01"}
        for i in range(count)
    ]
    return write(folder / "entries.yaml", yaml.safe_dump(entries, allow_unicode=True))


def seeded(path: Path) -> dict[str, int]:
    """Seed a database file the way the bot does on first use; its counts."""
    store = KnowledgeStore(path, seed_dir=KNOWLEDGE)
    counts = store.counts()
    store.db.close()
    return counts


def entry_count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("select count(*) from entries").fetchone()[0]


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("pragma integrity_check").fetchone()[0]


def private(text=None, choice=None, user=OWNER):
    return Incoming("telegram", user, user, text=text, choice=choice)


def run_cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT,
        env=os.environ | (env or {}), timeout=120, **kwargs,
    )


# --- 1. every multi-row write is one transaction ----------------------------------------------

@pytest.mark.parametrize("kill_after_lines", [1, 3])
async def test_import_killed_mid_way_writes_all_or_nothing(tmp_path, kill_after_lines):
    """A real `kb import` of 20,000 entries is killed with SIGKILL while it writes."""
    db = tmp_path / "bot.db"
    before = seeded(db)["entries"]
    folder = tmp_path / "big"
    entries_file(folder, 20_000)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "kb", "import", str(folder), cwd=ROOT,
        env=os.environ | {"DATABASE_PATH": str(db)}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    for _ in range(kill_after_lines):  # "Đang ghi 5000/20000 dòng..." is printed inside the transaction
        line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
        assert "Đang ghi" in line.decode(), line
    process.kill()
    await process.wait()
    assert integrity(db) == "ok"
    assert entry_count(db) in (before, before + 20_000)  # never a part of the file
    store = KnowledgeStore(db)
    imports = [c for c in Editor(store).history() if c.action == "import"]
    assert len(imports) == (entry_count(db) - before) // 20_000  # the audit log agrees with the rows
    store.db.close()
    done = run_cli("kb", "import", str(folder), env={"DATABASE_PATH": str(db)})
    assert done.returncode == 0, done.stderr
    assert entry_count(db) == before + 20_000


def test_error_on_row_three_of_five_writes_nothing(tmp_path, capsys, monkeypatch):
    db = tmp_path / "bot.db"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    before = seeded(db)["entries"]
    with sqlite3.connect(db) as conn:  # a real database error, raised by SQLite on the third row
        conn.execute("create trigger fail_row_3 before insert on entries when new.id = 'mau-2'"
                     " begin select raise(abort, 'injected failure'); end")
    entries_file(tmp_path / "five", 5)
    assert main(["kb", "import", str(tmp_path / "five")]) == 1
    err = capsys.readouterr().err
    assert "injected failure" in err and "Traceback" not in err
    assert entry_count(db) == before
    assert [c.action for c in Editor(KnowledgeStore(db)).history()] == ["seed"]


def _limit_file_size(limit: int):
    def apply() -> None:  # a full disk, as far as this process can tell
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_disk_mid_import_writes_nothing_and_says_so(tmp_path):
    db = tmp_path / "bot.db"
    before = seeded(db)["entries"]
    run_cli("kb", "list", env={"DATABASE_PATH": str(db)})  # checkpointed: the WAL starts empty
    folder = tmp_path / "big"
    entries_file(folder, 7_000)
    limit = db.stat().st_size + 512 * 1024
    out = run_cli("kb", "import", str(folder), env={"DATABASE_PATH": str(db)}, preexec_fn=_limit_file_size(limit))
    assert out.returncode == 1
    assert ("Ổ đĩa đầy" in out.stderr or "Lỗi ghi đĩa" in out.stderr) and "Traceback" not in out.stderr
    assert integrity(db) == "ok" and entry_count(db) == before
    assert [c.action for c in Editor(KnowledgeStore(db)).history()] == ["seed"]


def test_update_ledger_is_written_whole_or_not_at_all(tmp_path):
    store = KnowledgeStore(tmp_path / "bot.db")
    subscriptions = Subscriptions(store.db)
    ledger = Ledger(store.db)
    store.db.execute("create trigger fail_delivery before insert on deliveries when new.chat_id = '50'"
                     " begin select raise(abort, 'crash while writing deliveries'); end")
    recipients = [("telegram", str(i)) for i in range(100)]
    with pytest.raises(sqlite3.IntegrityError, match="crash while writing"):
        ledger.create("monthly-2026-11", "2026-11", Bulletin("Bản tin mẫu"), recipients)
    assert ledger.get("monthly-2026-11") is None and store.db["deliveries"].count == 0
    store.db.execute("drop trigger fail_delivery")
    assert ledger.create("monthly-2026-11", "2026-11", Bulletin("Bản tin mẫu"), recipients)
    assert ledger.progress("monthly-2026-11").pending == 100
    assert subscriptions.active() == []


# --- 2. figures are finite numbers -------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "1e13"])
def test_non_finite_figures_are_refused_from_the_command_line(tmp_path, monkeypatch, capsys, value):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    code = main(["stats", "add", "--metric", "luot_can_bo_dieu_dong_luan_chuyen", "--period", "2026-10",
                 f"--value={value}", "--unit", "lượt", "--source", "Báo cáo mẫu"])
    err = capsys.readouterr().err
    assert code == 1 and "trường 'value'" in err and ("hữu hạn" in err or "quá lớn" in err)


async def test_non_finite_figure_is_refused_in_the_chat_dialog(make_conversation):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    [step] = await conv.handle(private("/solieu"))
    [step] = await conv.handle(private(choice=step.options[0].data))
    [step] = await conv.handle(private("10/2026"))
    assert step.text == "Giá trị?" and step.typed
    [error, again] = await conv.handle(private("nan"))
    assert "hữu hạn" in error.text and again.text == "Giá trị?"
    [error, _] = await conv.handle(private("1e400"))
    assert "hữu hạn" in error.text


def test_non_finite_figure_in_a_file_is_refused(tmp_path):
    write(tmp_path / "kb" / "statistics.csv", "metric,value,value_max,unit,period_start,period_end,scope,source,note\n"
          "x,inf,,lượt,2020-01,2020-01,,Nguồn,\n")
    with pytest.raises(KnowledgeFileError, match="statistics.csv, dòng 2, trường 'value'.*hữu hạn"):
        read_path(tmp_path / "kb")


async def test_a_broken_figure_already_stored_is_skipped_logged_and_shown_to_admins(tmp_path, make_conversation):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    path = conv.store.path
    with sqlite3.connect(path) as db:  # as an older version or a hand edit could have left them
        db.execute("update statistics set value = ? where metric = 'luot_can_bo_dieu_dong_luan_chuyen'", [float("inf")])
        db.execute("insert into statistics (id, metric, value, unit, period_start, period_end, scope, source, note)"
                   " values ('hong', 'luot_can_bo_dieu_dong_luan_chuyen', null, 'lượt', '2026-10', '2026-10', '', 'x', '')")
    answer = build_engine(KnowledgeStore(path)).answer("sau 2 năm có bao nhiêu lượt cán bộ được luân chuyển")
    assert "inf" not in answer.answer
    out = run_cli("ask", "có bao nhiêu lượt cán bộ được luân chuyển", env={"DATABASE_PATH": str(path)})
    assert out.returncode == 0 and "inf lượt" not in out.stdout
    out = run_cli("stats", "list", env={"DATABASE_PATH": str(path)})
    assert out.returncode == 0 and "Số liệu lỗi" in out.stderr and "hong" in out.stderr
    out = run_cli("broadcast", "preview", env={"DATABASE_PATH": str(path)})
    assert out.returncode == 0 and "Traceback" not in out.stderr
    [status] = await conv.handle(private("/trangthai"))
    assert "Số liệu lỗi, đang bị bỏ qua: 2" in status.text
    [table] = await conv.handle(private("/thongke"))
    assert "inf" not in table.text


# --- 3. a new release never undoes an admin's work --------------------------------------------

def _release(tmp_path: Path, change) -> Path:
    """A copy of the shipped knowledge files with ``change`` applied to the entries."""
    folder = tmp_path / "release"
    shutil.copytree(KNOWLEDGE, folder)
    entries = yaml.safe_load((folder / "entries.yaml").read_text(encoding="utf-8"))
    entries = change(entries)
    (folder / "entries.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def test_new_release_keeps_admins_deletes_and_edits_and_records_what_it_changed(tmp_path):
    path = tmp_path / "bot.db"
    editor = Editor(KnowledgeStore(path, seed_dir=KNOWLEDGE))
    deleted, edited, untouched, dropped = "hoi-nghi-chu-tri", "bai-bao-nguon", *[
        e["id"] for e in editor.store.entries() if e["id"] not in ("hoi-nghi-chu-tri", "bai-bao-nguon")][:2]
    editor.delete_entry(deleted, who="telegram:42")
    editor.update_entry(edited, {"answer": "Câu trả lời quản trị viên đã sửa."}, who="telegram:42")

    def new_release(entries):
        for entry in entries:
            if entry["id"] in (deleted, edited, untouched):
                entry["answer"] = "Câu trả lời của phiên bản mới."
        return [e for e in entries if e["id"] != dropped]

    store = KnowledgeStore(path, seed_dir=_release(tmp_path, new_release))
    editor = Editor(store)
    assert editor.entry(deleted) is None  # not resurrected
    assert editor.entry(edited)["answer"] == "Câu trả lời quản trị viên đã sửa."  # not reverted
    assert editor.entry(untouched)["answer"] == "Câu trả lời của phiên bản mới."
    assert editor.entry(dropped) is None
    [release, *_] = editor.history()
    assert (release.who, release.action) == ("seed", "seed")
    assert "giữ bản của quản trị viên 2" in release.summary and "bỏ 1" in release.summary
    undo = editor.undo(release.id, who="cli")  # a release is a change like any other
    assert editor.entry(dropped) is not None and editor.history(1)[0].id == undo
    assert KnowledgeStore(path, seed_dir=_release(tmp_path / "again", new_release)).seed(
        tmp_path / "again" / "release") is None  # the same files are applied once


# --- 4. undo is safe ----------------------------------------------------------------------------

async def test_only_owners_undo_changes_to_the_admin_list(make_conversation):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    await conv.handle(private("/quantri_them telegram:7"))
    await conv.handle(private("/quantri_them telegram:8"))
    await conv.handle(private("/quantri_xoa telegram:8"))
    removal = conv.editor.history(1)[0].id
    [refused] = await conv.handle(private(f"/hoantac {removal}", user="7"))
    assert "chỉ chủ bot" in refused.text and "telegram:8" not in set(conv.admins)
    [ask] = await conv.handle(private(f"/hoantac {removal}"))
    [done] = await conv.handle(private(choice=ask.options[0].data))
    assert "Đã hoàn tác" in done.text and "telegram:8" in set(conv.admins)


async def test_undo_asks_first_and_never_silently_drops_a_later_change(make_conversation):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    original = conv.editor.entry("hoi-nghi-chu-tri")["answer"]
    first = conv.editor.update_entry("hoi-nghi-chu-tri", {"answer": "Bản sửa thứ nhất."}, who="telegram:42")
    second = conv.editor.update_entry("hoi-nghi-chu-tri", {"source": "Nguồn sửa lần hai"}, who="telegram:7")
    [ask] = await conv.handle(private(f"/hoantac {first}"))
    assert f"#{second}" in ask.text and "xóa mất" in ask.text
    assert [o.label for o in ask.options] == ["Hoàn tác cả 2 thay đổi", "Hủy"]
    assert conv.editor.entry("hoi-nghi-chu-tri")["answer"] == "Bản sửa thứ nhất."  # nothing before the tap
    with pytest.raises(EditError, match=f"#{second}"):
        conv.editor.undo(first, who="cli")
    [done] = await conv.handle(private(choice=ask.options[0].data))
    assert f"#{first}, #{second}" in done.text
    entry = conv.editor.entry("hoi-nghi-chu-tri")
    assert entry["answer"] == original and entry["source"] != "Nguồn sửa lần hai"
    assert all(c.undone_by for c in conv.editor.history(4) if c.id in (first, second))


async def test_undoing_a_later_change_first_leaves_no_conflict(make_conversation):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    first = conv.editor.update_entry("hoi-nghi-chu-tri", {"answer": "Bản sửa thứ nhất."}, who="telegram:42")
    second = conv.editor.update_entry("hoi-nghi-chu-tri", {"answer": "Bản sửa thứ hai."}, who="telegram:42")
    conv.editor.undo(second, who="telegram:42")
    [ask] = await conv.handle(private(f"/hoantac {first}"))
    assert [o.label for o in ask.options] == ["Hoàn tác", "Hủy"]


def test_command_line_history_and_undo(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    assert main(["kb", "delete", "hoi-nghi-chu-tri"]) == 0
    assert main(["kb", "add", "--question", "Câu hỏi mẫu về quy trình?", "--answer", "Trả lời mẫu.",
                 "--source", "Nguồn mẫu", "--as-of", "2026-11-01"]) == 0
    capsys.readouterr()
    assert main(["kb", "history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "dòng lệnh: Thêm mục #" in lines[0] and re.search(r"dòng lệnh: Xóa mục #\d+ hoi-nghi-chu-tri", lines[1])
    assert "dữ liệu gốc" in lines[2]
    delete = int(lines[1].split()[0].lstrip("#"))
    assert main(["kb", "undo", str(delete)]) == 0
    assert main(["kb", "show", "hoi-nghi-chu-tri"]) == 0
    assert main(["kb", "undo", str(delete)]) == 1
    assert "đã được hoàn tác" in capsys.readouterr().err


def test_command_line_undo_refuses_to_drop_a_later_change_unless_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    editor = Editor(KnowledgeStore(tmp_path / "bot.db", seed_dir=KNOWLEDGE))
    first = editor.update_entry("hoi-nghi-chu-tri", {"answer": "Bản sửa thứ nhất."}, who="telegram:42")
    second = editor.update_entry("hoi-nghi-chu-tri", {"answer": "Bản sửa thứ hai."}, who="telegram:7")
    assert main(["kb", "undo", str(first)]) == 1
    err = capsys.readouterr().err
    assert f"#{second}" in err and "--with-later" in err
    assert editor.entry("hoi-nghi-chu-tri")["answer"] == "Bản sửa thứ hai."
    assert main(["kb", "undo", str(first), "--with-later"]) == 0
    assert editor.entry("hoi-nghi-chu-tri")["answer"] != "Bản sửa thứ hai."


# --- 5. secrets stay secret ---------------------------------------------------------------------

@pytest.mark.parametrize("problem", ["401", "404"])
async def test_refused_telegram_token_stops_cleanly_and_is_never_printed(tmp_path, problem):
    from .fakes.telegram_server import FakeTelegram

    async with FakeTelegram() as tg:
        token, base = tg.token, tg.base_url
        if problem == "401":
            token = "123456789:revoked-token-that-must-stay-secret"
        else:  # a wrong TELEGRAM_BASE_URL: the server answers 404
            base = base.removesuffix("/bot") + "/sai-duong-dan/bot"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT,
            env=os.environ | {"DATABASE_PATH": str(tmp_path / "bot.db"), "TELEGRAM_BOT_TOKEN": token,
                              "TELEGRAM_BASE_URL": base, "LOG_LEVEL": "DEBUG"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    printed = out.decode() + err.decode()
    assert process.returncode != 0 and "TELEGRAM_BOT_TOKEN" in printed
    assert token not in printed and token.split(":")[1] not in printed
    assert "Traceback" not in printed


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_generated_webhook_secrets_never_reach_the_log(tmp_path, caplog):
    from bot.app import build_conversation
    from bot.runtime import serve
    from bot.settings import Settings

    from .fakes.telegram_server import FakeTelegram
    from .fakes.zalo_server import FakeZalo

    caplog.set_level("DEBUG")
    async with FakeTelegram() as tg, FakeZalo() as zalo:
        settings = Settings(
            database_path=tmp_path / "bot.db", knowledge_dir=KNOWLEDGE, log_level="DEBUG",
            telegram_token=tg.token, telegram_base_url=tg.base_url,
            webhook_url="https://bot.example/telegram", webhook_listen="127.0.0.1", webhook_port=_free_port(),
            zalo_token=zalo.token, zalo_base_url=zalo.base_url,
            zalo_webhook_url="https://bot.example/zalo", zalo_webhook_listen="127.0.0.1", zalo_webhook_port=_free_port(),
        )
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, build_conversation(settings), stop))
        try:
            [telegram_hook] = await tg.wait_for("setWebhook", timeout=20)
            await zalo.wait_for("setWebhook", timeout=20)
        finally:
            stop.set()
            await asyncio.wait_for(server, timeout=20)
    secrets = [telegram_hook["secret_token"], zalo.webhook[1]]
    assert all(len(s) >= 32 for s in secrets)
    assert "setWebhook" in caplog.text  # the calls were logged, at DEBUG...
    assert not any(s in caplog.text for s in secrets)  # ...without the secrets


# --- 6. platform errors are not user errors -------------------------------------------------------

@pytest.mark.parametrize("status", [401, 404])
async def test_zalo_refusing_the_bot_pauses_the_update_and_unsubscribes_nobody(tmp_path, status):
    from .test_zalo import running_zalo

    async with running_zalo(tmp_path, poll=False) as (zalo, _, conversation):
        for chat in ("u1", "u2", "u3"):
            conversation.subscriptions.subscribe("zalo", chat)
        told = []

        async def paused(broadcast_id, platform, remaining, reason):
            told.append((platform, remaining, reason))

        conversation.broadcasts.dispatcher.on_paused = paused
        zalo.fail("sendMessage", status=status, times=100)
        progress = await conversation.broadcasts.send()
        assert (progress.sent, progress.pending, progress.blocked) == (0, 3, 0)
        assert len(conversation.subscriptions.active("zalo")) == 3
        assert [(p, n) for p, n, _ in told] == [("zalo", 3)] and str(status) in told[0][2]
        assert len([c for c in zalo.calls if c.method == "sendMessage"]) == 1  # stopped at once


async def test_zalo_internal_error_403_is_retried_not_taken_as_blocked(tmp_path):
    from .test_zalo import running_zalo

    async with running_zalo(tmp_path, poll=False) as (zalo, _, conversation):
        conversation.subscriptions.subscribe("zalo", "u1")
        conversation.broadcasts.dispatcher.sleep = _no_wait
        zalo.fail("sendMessage", status=403, times=2)
        progress = await conversation.broadcasts.send()
        assert progress.sent == 1 and conversation.subscriptions.is_active("zalo", "u1")


async def _no_wait(seconds: float) -> None:
    return None


async def test_zalo_quota_429_pauses_after_a_few_tries_instead_of_trying_everyone(tmp_path):
    from bot.channels.zalo import MAX_429

    from .test_zalo import running_zalo

    async with running_zalo(tmp_path, poll=False) as (zalo, _, conversation):
        for chat in ("u1", "u2", "u3", "u4"):
            conversation.subscriptions.subscribe("zalo", chat)
        conversation.broadcasts.dispatcher.sleep = _no_wait
        zalo.fail("sendMessage", status=429, times=1000)
        progress = await conversation.broadcasts.send()
        assert progress.pending == 4 and len(conversation.subscriptions.active("zalo")) == 4
        assert len([c for c in zalo.calls if c.method == "sendMessage"]) == 1 + MAX_429
        assert "tạm dừng" in conversation.broadcast_status()


async def test_zalo_number_typed_at_a_value_step_is_the_value(tmp_path):
    from .test_zalo import ADMIN, running_zalo

    async with running_zalo(tmp_path) as (zalo, _, conversation):
        answers = ["/solieu", "1", "10/2026", "2", "Báo cáo mẫu", "30", "1"]
        for n, text in enumerate(answers, 1):
            zalo.user_sends(ADMIN, text, user_id=ADMIN)
            replies = await zalo.wait_for("sendMessage", count=n, chat_id=ADMIN)
        steps = [r["text"] for r in replies]
        assert "1. " in steps[0] and steps[2].startswith("Giá trị?") and "Hoặc gõ: Hủy" in steps[2]
        assert "1. " not in steps[2]  # numbers are values here, not choices
        assert steps[4].startswith("Chỉ tiêu cả năm") and "Hoặc gõ: Bỏ qua / Hủy" in steps[4]
        assert "• Giá trị: 2" in steps[5] and "• Chỉ tiêu cả năm: 30" in steps[5] and "1. Lưu" in steps[5]
        assert "Đã ghi số liệu" in steps[6]
        rows = [r for r in conversation.store.statistics() if r["period_end"] == "2026-10"]
        assert [r["value"] for r in rows] == [2.0]
        assert [t["value"] for t in conversation.store.targets().values()] == [30.0]


async def test_zalo_group_mention_of_a_several_word_bot_name_is_taken_off_whole(tmp_path):
    from bot.channels.zalo import ZaloChannel, strip_mention

    from .test_zalo import running_zalo

    assert strip_mention("@Bot Tên Đơn Vị 2 luân chuyển tối thiểu mấy năm", "Bot Tên Đơn Vị 2") == \
        "luân chuyển tối thiểu mấy năm"
    assert strip_mention("@Bot Tên Đơn Vị 2 luân chuyển tối thiểu mấy năm", "") == "luân chuyển tối thiểu mấy năm"
    async with running_zalo(tmp_path, poll=False) as (zalo, channel, conversation):
        named = ZaloChannel(channel.client, conversation, bot_name="Bot Tên Đơn Vị 2")
        update = zalo.user_sends("g1", "@Bot Tên Đơn Vị 2 Luân chuyển tối thiểu mấy năm?", chat_type="GROUP")
        await named.handle_update(update)
        [reply] = await zalo.wait_for("sendMessage", chat_id="g1")
        assert "3 năm" in reply["text"]


# --- 7. every reader refuses alias bombs; exported CSV cannot run formulas --------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


@pytest.mark.parametrize("command", ["validate", "import"])
def test_command_line_readers_refuse_a_yaml_alias_bomb(tmp_path, monkeypatch, capsys, command):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    write(tmp_path / "kb" / "entries.yaml", BOMB)
    assert main(["kb", command, str(tmp_path / "kb")]) == 1
    assert "neo hoặc tham chiếu" in capsys.readouterr().err


def test_the_shipped_knowledge_loader_refuses_a_yaml_alias_bomb(tmp_path):
    folder = tmp_path / "release"
    shutil.copytree(KNOWLEDGE, folder)
    write(folder / "passages.yaml", BOMB)
    with pytest.raises(KnowledgeFileError, match="neo hoặc tham chiếu"):
        KnowledgeStore(tmp_path / "bot.db", seed_dir=folder)


def test_exported_csv_cells_cannot_run_as_formulas_and_import_back_unchanged(tmp_path):
    store = KnowledgeStore(tmp_path / "bot.db", seed_dir=KNOWLEDGE)
    Editor(store).add_statistic(
        {"metric": "luot_can_bo_dieu_dong_luan_chuyen", "value": -2, "unit": "lượt", "period_start": "2026-10",
         "period_end": "2026-10", "source": "=HYPERLINK(\"http://example.invalid\")", "note": "@SUM(A1)"},
        who="cli",
    )
    export_knowledge(store, tmp_path / "out")
    text = (tmp_path / "out" / "statistics.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and ",-2," in text
    assert not any(cell.startswith(("=", "+", "@")) for line in text.splitlines() for cell in line.split(","))
    writes, report = store.plan_import(read_path(tmp_path / "out"))
    assert writes == [] and report.added == report.updated == 0


# --- 8. malformed input never reaches a traceback -------------------------------------------------

@pytest.mark.parametrize("data", ["ex:²", "ua:²", "dlg:pick:²", "ex:٣", "s:", "ex:99999999999999999999"])
async def test_odd_digits_in_button_data_get_a_polite_answer(make_conversation, data):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    await conv.handle(private("/solieu"))  # a dialog is open, so "dlg:" data reaches it
    [reply, *_] = await conv.handle(private(choice=data))
    assert reply.text == STALE_OPTION or "Hãy" in reply.text


async def test_odd_digits_typed_are_text_not_choices(make_conversation):
    from bot.channels.choices import Menus

    conv = make_conversation(admins=f"telegram:{OWNER}")
    [usage] = await conv.handle(private("/hoantac ²"))
    assert "ví dụ: /hoantac 12" in usage.text
    menus = Menus()
    menus.offer("c", await conv.handle(private("/start")))
    assert menus.choose("c", "²") is None and menus.choose("c", "1") is not None


async def test_unanswered_question_over_the_length_limit_opens_at_the_question_step(make_conversation):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    long_question = "Kính gửi quý cơ quan, " * 20 + "cán bộ luân chuyển có được hỗ trợ nhà ở công vụ không?"
    await conv.handle(private(long_question, user="5"))
    [listing] = await conv.handle(private("/chuatraloi"))
    [step] = await conv.handle(private(choice=listing.options[0].data))
    assert step.text == "Câu hỏi chính là gì?"
    [error, typed, step] = await conv.handle(private(long_question))
    assert "tối đa 300" in error.text and typed.text == long_question.strip() and step.text == "Câu hỏi chính là gì?"
    [step] = await conv.handle(private("Cán bộ luân chuyển có được hỗ trợ nhà ở công vụ không?"))
    assert "Câu trả lời" in step.text


def test_corrupt_database_file_gets_a_clear_message(tmp_path):
    db = tmp_path / "bot.db"
    db.write_bytes(b"this is not a database, it is a text file " * 100)
    out = run_cli("ask", "luân chuyển tối thiểu mấy năm", env={"DATABASE_PATH": str(db)})
    assert out.returncode == 1 and "bị hỏng" in out.stderr and "Traceback" not in out.stderr


def test_truncated_database_file_gets_a_clear_message(tmp_path):
    db = tmp_path / "bot.db"
    seeded(db)
    run_cli("kb", "list", env={"DATABASE_PATH": str(db)})  # checkpointed into the main file
    with db.open("r+b") as f:
        f.truncate(db.stat().st_size // 3)
    out = run_cli("ask", "luân chuyển tối thiểu mấy năm", env={"DATABASE_PATH": str(db)})
    assert out.returncode == 1 and "bị hỏng" in out.stderr and "Traceback" not in out.stderr


def test_read_only_database_gets_a_clear_message(tmp_path):
    db = tmp_path / "bot.db"
    seeded(db)
    run_cli("kb", "list", env={"DATABASE_PATH": str(db)})
    db.chmod(0o444)
    tmp_path.chmod(0o555)
    prefix = []
    if os.geteuid() == 0:  # root ignores file permissions, unless it gives up that power
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    try:
        out = subprocess.run(
            [*prefix, sys.executable, "-m", "bot", "ask", "luân chuyển tối thiểu mấy năm"], capture_output=True,
            text=True, cwd=ROOT, env=os.environ | {"DATABASE_PATH": str(db)}, timeout=120,
        )
    finally:
        tmp_path.chmod(0o755)
    assert out.returncode == 1 and "chỉ cho đọc" in out.stderr and "Traceback" not in out.stderr


def test_missing_database_gets_a_clear_message(tmp_path):
    (tmp_path / "not-a-folder").write_text("x")
    out = run_cli("ask", "luân chuyển tối thiểu mấy năm",
                  env={"DATABASE_PATH": str(tmp_path / "not-a-folder" / "bot.db")})
    assert out.returncode == 1 and "DATABASE_PATH" in out.stderr and "Traceback" not in out.stderr
    out = run_cli("db", "backup", str(tmp_path / "copy.db"), env={"DATABASE_PATH": str(tmp_path / "missing.db")})
    assert out.returncode == 1 and "Không có cơ sở dữ liệu" in out.stderr
    assert not (tmp_path / "missing.db").exists()


# --- 9. admin work never freezes the bot ------------------------------------------------------------

async def test_saving_a_large_import_does_not_hold_up_other_users(make_conversation, tmp_path):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    data = entries_file(tmp_path / "up", 7_000).read_bytes()
    before = conv.store.counts()["entries"]
    [summary] = await conv.handle(Incoming("telegram", OWNER, OWNER, upload=("entries.yaml", data)))
    saving = asyncio.create_task(conv.handle(private(choice=summary.options[0].data)))
    await asyncio.sleep(0)  # the admin's save starts first...
    [answer] = await conv.handle(Incoming("telegram", "5", "5", text="luân chuyển tối thiểu mấy năm"))
    assert "3 năm" in answer.text and not saving.done()  # ...and the user is answered before it ends
    [done] = await saving
    assert "thêm mới 7000" in done.text and conv.store.counts()["entries"] == before + 7_000


async def test_admin_search_over_a_large_base_reads_a_folded_copy(make_conversation, tmp_path):
    conv = make_conversation(admins=f"telegram:{OWNER}")
    Editor(conv.store).import_batch(read_path(entries_file(tmp_path / "big", 5_000)), "cli", "big")
    [found] = await conv.handle(private("/tim cau hoi mau so 4999"))
    assert "mau-4999" in found.text
    [found] = await conv.handle(private("/tim Chủ Trì hội nghị"))
    assert "hoi-nghi-chu-tri" in found.text


# --- 10. a long message retried after a 429 never repeats a part ---------------------------------

async def test_multi_part_update_retried_after_429_sends_each_part_once(tmp_path):
    from telegram import Bot

    from bot.broadcast.delivery import Dispatcher, Limits
    from bot.channels.telegram import install_sender

    from .fakes.telegram_server import FakeTelegram

    store = KnowledgeStore(tmp_path / "bot.db")
    subscriptions = Subscriptions(store.db)
    subscriptions.subscribe("telegram", "1")
    ledger = Ledger(store.db)
    text = "\n\n".join(f"Đoạn {i}: " + "nội dung bản tin mẫu " * 20 for i in range(20))  # ~9,000 characters
    ledger.create("monthly-2026-11", "2026-11", Bulletin(text), [("telegram", "1")])
    async with FakeTelegram() as tg:
        dispatcher = Dispatcher(ledger, subscriptions, {}, {"telegram": Limits(per_second=1000)}, sleep=_no_wait)
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            install_sender(dispatcher, bot)
            send, calls = dispatcher.senders["telegram"], []

            async def second_part_refused_once(chat_id: str, part: Part) -> None:
                calls.append(part)
                if len(calls) == 2:
                    tg.fail("sendMessage", status=429, times=1, retry_after=1)
                await send(chat_id, part)

            dispatcher.senders["telegram"] = second_part_refused_once
            progress = await dispatcher.deliver("monthly-2026-11")
        parts = [m["text"] for m in tg.sent()]
    assert tg.too_many_requests_sent == 1 and calls[1] == calls[2]  # the refused part, and only it, again
    assert progress.sent == 1 and len(parts) == len(set(parts)) >= 3
    assert parts[0].startswith("Đoạn 0") and "Đoạn 19" in parts[-1]
    assert store.db.execute("select parts_sent from deliveries").fetchone()[0] == len(parts)
