"""Shared fixtures: a real SQLite knowledge store in a temporary folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.broadcast.delivery import Dispatcher
from bot.broadcast.ledger import Ledger
from bot.broadcast.service import BroadcastService
from bot.broadcast.subscriptions import Subscriptions
from bot.chat.conversation import Conversation
from bot.chat.router import FloodControl
from bot.knowledge.admins import parse_admins
from bot.knowledge.live import LiveEngine, build_engine
from bot.knowledge.store import KnowledgeStore
from bot.search.engine import Engine

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
        store = KnowledgeStore(tmp_path / "conversation.db", seed_dir=KNOWLEDGE)
        engine = LiveEngine(store, today=TODAY)
        subscriptions = Subscriptions(store.db)
        ledger = Ledger(store.db)
        broadcasts = BroadcastService(store, subscriptions, ledger, Dispatcher(ledger, subscriptions, senders or {}))
        return Conversation(engine, store, subscriptions, parse_admins(admins), flood=flood, broadcasts=broadcasts)

    return make


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
