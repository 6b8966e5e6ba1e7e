"""Shared fixtures: a real SQLite knowledge store in a temporary folder."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.app import build_conversation
from bot.chat.conversation import Conversation
from bot.chat.router import FloodControl
from bot.knowledge.live import build_engine
from bot.knowledge.store import KnowledgeStore, record_unanswered
from bot.search.engine import Engine
from bot.search.text import fold
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> KnowledgeStore:
    """The shipped knowledge base, seeded into a fresh database file."""
    return KnowledgeStore(tmp_path_factory.mktemp("seed") / "bot.db", seed_dir=KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(seed_store) -> Engine:
    return build_engine(seed_store, today=TODAY)


@pytest.fixture
def make_conversation(tmp_path):
    """A conversation over a fresh copy of the shipped knowledge (its own database file)."""

    def make(admins: str = "", flood: FloodControl | None = None, senders: dict | None = None) -> Conversation:
        settings = Settings(database_path=tmp_path / "conversation.db", knowledge_dir=KNOWLEDGE, admin_ids=admins)
        conversation = build_conversation(settings, flood=flood, today=TODAY)
        conversation.broadcasts.dispatcher.senders.update(senders or {})
        return conversation

    return make


def unanswered_questions(path: Path) -> list[str]:
    """Twelve unrelated questions the bot could not answer, the first asked most often."""
    topics = ["giá vàng hôm nay", "thời tiết Hà Nội ngày mai", "lịch thi đấu bóng đá", "cách nấu phở bò",
              "tỷ giá đô la Mỹ", "giờ mở cửa bưu điện", "mua vé tàu Thống Nhất", "đổi bằng lái xe máy",
              "học phí đại học năm nay", "số điện thoại cứu hỏa", "đường đi Sa Pa", "kết quả xổ số miền Bắc"]
    for times, topic in zip(range(len(topics) + 1, 1, -1), topics):
        for _ in range(times):
            record_unanswered(path, "telegram", topic, fold(topic))
    return topics


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def synthetic_kb(tmp_path) -> Path:
    """A small made-up knowledge folder (no real facts) for behaviours the seed can't show."""
    folder = tmp_path / "kb"
    write(folder / "entries.yaml", """
- id: mau-thoi-han
  question: Thời hạn thử việc tối thiểu là bao lâu?
  phrasings: [thử việc ít nhất mấy tháng, thoi han thu viec]
  answer: Thời hạn thử việc tối thiểu là 2 tháng (số liệu mẫu).
  tags: [mau]
  source: Nguồn mẫu A
  as_of: '2020-01-01'
- id: mau-gap
  gap: true
  question: Có toàn văn quy chế mẫu không?
  phrasings: [toàn văn quy chế mẫu]
  answer: Chưa có toàn văn quy chế mẫu.
  tags: [mau]
  source: Nguồn mẫu A
  as_of: '2020-01-01'
""")
    write(folder / "metrics.yaml", """
- key: so_luot_mau
  label: lượt điều chuyển mẫu
  unit: lượt
  scope: đơn vị mẫu
  phrasings: [có bao nhiêu lượt điều chuyển mẫu, số lượt điều chuyển mẫu]
""")
    write(folder / "statistics.csv", """metric,value,value_max,unit,period_start,period_end,scope,source,note
so_luot_mau,5,,lượt,2020-01,2020-01,đơn vị mẫu,Nguồn mẫu B,
so_luot_mau,7,,lượt,2020-02,2020-02,đơn vị mẫu,Nguồn mẫu B,
so_luot_mau,30,,lượt,2019-01,2019-12,đơn vị mẫu,Nguồn mẫu B,cả năm
""")
    return folder


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with these sheets and rows, as an admin's spreadsheet arrives."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Clock:
    """A controlled clock: sleeping moves time forward (after letting others run, as a real
    wait does), and every sleep is recorded."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)
        self.t += seconds
