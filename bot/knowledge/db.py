"""Opening the bot's SQLite file and writing to it safely.

sqlite-utils 4 commits every statement on its own unless a transaction is open, so every
change that spans rows goes through :func:`transaction`. Problems with the file itself
(corrupt, truncated, read-only, a folder that cannot be made) become :class:`StoreError` with
a message for the people running the bot, instead of a traceback.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write to finish before giving up."""


class StoreError(RuntimeError):
    """The database file cannot be used; the message is Vietnamese, for the admins."""


def open_database(path: str | Path, any_thread: bool = False) -> sqlite_utils.Database:
    """A connection to the bot's file in WAL mode (readers never wait for the writer), waiting
    for other processes' writes instead of failing at once; ``any_thread``: usable from other
    threads than the one opening it (the caller serialises its use)."""
    memory = str(path) == ":memory:"
    try:
        if not memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False) if any_thread else str(path))
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not memory:
            db.enable_wal()
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(explain(exc, path)) from exc
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """All the writes inside happen, or none do: killed, full disk or an error half-way
    leaves the file as it was. BEGIN IMMEDIATE takes the write lock at the start, so a change
    that reads before it writes cannot fail mid-way on another process's write; a nested call
    becomes a savepoint of the outer transaction."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def insert(db: sqlite_utils.Database, table: str, row: dict) -> int:
    """Insert one row into a table with an integer key; the key it was given."""
    pk = db.table(table).insert(row).last_pk
    if not isinstance(pk, int):
        raise TypeError(f"{table} has no integer key")
    return pk


def utc_now() -> str:
    """The time stamp written with every change: UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def explain(exc: BaseException, path: str | Path) -> str:
    """A database or file error in words an IT officer can act on."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return (f"Tệp cơ sở dữ liệu {path} bị hỏng hoặc không phải tệp SQLite. Hãy khôi phục từ bản sao lưu "
                "(tạo bằng: python -m bot db backup <tệp>) hoặc đặt DATABASE_PATH sang tệp khác.")
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return (f"Không ghi được vào {path}: tệp hoặc thư mục chỉ cho đọc. Hãy cấp quyền ghi cho tài khoản "
                "chạy bot (cả thư mục chứa tệp), hoặc đặt DATABASE_PATH sang chỗ ghi được.")
    if "disk is full" in text or "database or disk is full" in text or "file too large" in text:
        return (f"Ổ đĩa đầy (hoặc vượt giới hạn kích thước tệp) khi ghi {path}: thay đổi đang ghi dở đã được "
                "hủy, dữ liệu cũ giữ nguyên. Hãy giải phóng chỗ trống rồi làm lại.")
    if "disk i/o error" in text:
        return (f"Lỗi ghi đĩa khi ghi {path} (ổ đầy, hỏng, hoặc vượt giới hạn kích thước tệp): "
                "thay đổi đang ghi dở đã được hủy, dữ liệu cũ giữ nguyên.")
    if "locked" in text or "busy" in text:
        return f"Cơ sở dữ liệu {path} đang bị một tiến trình khác giữ quá lâu; hãy thử lại sau ít phút."
    if "unable to open" in text or isinstance(exc, OSError):
        return (f"Không mở được cơ sở dữ liệu {path} (thư mục không tồn tại hoặc không có quyền). "
                "Hãy kiểm tra DATABASE_PATH.")
    return f"Lỗi cơ sở dữ liệu {path}: {exc}"
