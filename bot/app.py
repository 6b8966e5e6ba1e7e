"""Assembling the bot from its settings, in one place: the command line, the runtime, the tests
and the benchmarks all build it here."""

from __future__ import annotations

import datetime as dt

from .broadcast.delivery import Dispatcher, Limits
from .broadcast.ledger import Ledger
from .broadcast.service import BroadcastService
from .broadcast.subscriptions import Subscriptions
from .chat.conversation import Conversation
from .chat.router import FloodControl
from .knowledge.live import LiveEngine, build_engine
from .knowledge.store import KnowledgeStore
from .search.engine import Engine
from .settings import Settings


def open_store(settings: Settings) -> KnowledgeStore:
    """The knowledge store, created and seeded from the shipped files on first use."""
    return KnowledgeStore(settings.database_path, seed_dir=settings.knowledge_dir)


def build_engine_for(settings: Settings) -> Engine:
    """An engine over the knowledge as it is now (for one-off answers and evaluation)."""
    return build_engine(open_store(settings), address=settings.address_term)


def build_conversation(
    settings: Settings, flood: FloodControl | None = None, today: dt.date | None = None
) -> Conversation:
    """The conversation layer every channel of the process shares, with the monthly update
    (platforms add their senders to its dispatcher when they start)."""
    store = open_store(settings)
    subscriptions = Subscriptions(store.db)
    ledger = Ledger(store.db)
    limits = {"telegram": Limits(per_second=settings.telegram_rate)}
    dispatcher = Dispatcher(ledger, subscriptions, senders={}, limits=limits)
    broadcasts = BroadcastService(
        store, subscriptions, ledger, dispatcher, cron=settings.broadcast_cron, when_empty=settings.broadcast_when_empty,
        org=settings.org_name,
    )
    return Conversation(
        LiveEngine(store, today, settings.address_term), store, subscriptions, settings.admins, flood=flood,
        broadcasts=broadcasts, address=settings.address_term,
    )
