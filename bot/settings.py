"""Settings from the environment and an optional .env file in the working folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PROJECT_DIR / "knowledge"


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment; .env.example documents each setting."""

    database_path: Path
    knowledge_dir: Path
    log_level: str
    telegram_token: str = ""
    telegram_base_url: str = ""
    admin_ids: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    zalo_token: str = ""
    zalo_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str = ""
    zalo_webhook_secret: str = ""
    zalo_webhook_listen: str = "0.0.0.0"
    zalo_webhook_port: int = 8444
    zalo_monthly_quota: int = 3000
    zalo_rate: float = 5.0
    broadcast_cron: str = "0 8 1 * *"
    broadcast_when_empty: str = "note"
    telegram_rate: float = 20.0

    @classmethod
    def load(cls, env_file: str | Path | None = ".env") -> Settings:
        """Read .env (values already in the environment win), then the environment."""
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)
        env = os.environ.get
        return cls(
            database_path=Path(env("DATABASE_PATH") or "data/bot.db"),
            knowledge_dir=Path(env("KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
            log_level=(env("LOG_LEVEL") or "WARNING").upper(),
            telegram_token=(env("TELEGRAM_BOT_TOKEN") or "").strip(),
            telegram_base_url=(env("TELEGRAM_BASE_URL") or "").strip(),
            admin_ids=env("ADMIN_IDS") or "",
            webhook_url=(env("WEBHOOK_URL") or "").strip(),
            webhook_secret=(env("WEBHOOK_SECRET") or "").strip(),
            webhook_listen=(env("WEBHOOK_LISTEN") or "0.0.0.0").strip(),
            webhook_port=int(env("WEBHOOK_PORT") or 8443),
            zalo_token=(env("ZALO_BOT_TOKEN") or "").strip(),
            zalo_base_url=(env("ZALO_BASE_URL") or "https://bot-api.zaloplatforms.com").strip(),
            zalo_webhook_url=(env("ZALO_WEBHOOK_URL") or "").strip(),
            zalo_webhook_secret=(env("ZALO_WEBHOOK_SECRET") or "").strip(),
            zalo_webhook_listen=(env("ZALO_WEBHOOK_LISTEN") or "0.0.0.0").strip(),
            zalo_webhook_port=int(env("ZALO_WEBHOOK_PORT") or 8444),
            zalo_monthly_quota=int(env("ZALO_MONTHLY_QUOTA") or 3000),
            zalo_rate=float(env("BROADCAST_RATE_ZALO") or 5),
            broadcast_cron=(env("BROADCAST_CRON") or "0 8 1 * *").strip(),
            broadcast_when_empty=(env("BROADCAST_WHEN_EMPTY") or "note").strip().lower(),
            telegram_rate=float(env("BROADCAST_RATE_TELEGRAM") or 20),
        )

    def secrets(self) -> list[str]:
        """Values that must never reach a log line."""
        return [s for s in (self.telegram_token, self.webhook_secret, self.zalo_token, self.zalo_webhook_secret) if s]
