"""Settings from the environment and an optional .env file in the working folder.

Each variable is declared once (its field, default and check); :meth:`Settings.load` reads
them all and refuses the whole set with one message per bad value, in Vietnamese and English,
before anything starts. `.env.example` documents each one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dotenv import load_dotenv


def _shipped_knowledge() -> Path:
    """The shipped knowledge files: bot/seed in an installed wheel, knowledge/ in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "seed"
    return installed if installed.is_dir() else package.parent / "knowledge"


DEFAULT_KNOWLEDGE_DIR = _shipped_knowledge()
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """Some variables are wrong; ``problems`` has one line each, for the person running the bot."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_admin_ids(value: str) -> tuple[frozenset[str], list[str]]:
    """ADMIN_IDS "telegram:12345, zalo:abc" → ({"telegram:12345", "zalo:abc"}, items that are not
    platform:id)."""
    found, bad = set(), []
    for part in value.replace(";", ",").split(","):
        if not part.strip():
            continue
        platform, _, ident = part.strip().partition(":")
        if platform.strip() and ident.strip():
            found.add(f"{platform.strip().lower()}:{ident.strip()}")
        else:
            bad.append(part.strip())
    return frozenset(found), bad


def parse_admins(value: str) -> frozenset[str]:
    """The platform:id items of ``value`` (bad ones left out)."""
    return parse_admin_ids(value)[0]


# --- checks: each takes the raw text and returns the value, or raises ValueError(why) ---------

def _text(raw: str) -> str:
    return raw.strip()


def _port(raw: str) -> int:
    value = _integer(raw)
    if not 1 <= value <= 65535:
        raise ValueError("cổng phải từ 1 đến 65535 / a port is 1-65535")
    return value


def _integer(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("phải là số nguyên") from None
    if value < 0:
        raise ValueError("không được âm")
    return value


def _rate(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("phải là một số") from None
    if not 0 < value <= 1000:
        raise ValueError("phải lớn hơn 0 và không quá 1000")
    return value


def _https(raw: str) -> str:
    value = raw.strip()
    if value and not value.startswith("https://"):
        raise ValueError("phải là địa chỉ https://... công khai")
    return value


def _url(raw: str) -> str:
    value = raw.strip()
    if value and not value.startswith(("https://", "http://")):
        raise ValueError("phải bắt đầu bằng http:// hoặc https://")
    return value


def _secret(low: int, charset: str | None = None) -> Callable[[str], str]:
    def check(raw: str) -> str:
        value = raw.strip()
        if value and not low <= len(value) <= 256:
            raise ValueError(f"dài {low}-256 ký tự")
        if value and charset is not None and any(ch not in charset for ch in value):
            raise ValueError("chỉ gồm A-Z a-z 0-9 _ -")
        return value

    return check


def _choice(*allowed: str) -> Callable[[str], str]:
    def check(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"chọn một trong: {', '.join(allowed)}")
        return value

    return check


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in LOG_LEVELS:
        raise ValueError(f"chọn một trong: {', '.join(LOG_LEVELS)}")
    return value


def _cron(raw: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    value = raw.strip()
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"không phải cron 5 trường hợp lệ ({exc}); ví dụ '0 8 1 * *' = 8 giờ sáng ngày 1") from None
    return value


def _org(raw: str) -> str:
    value = " ".join(raw.split())
    if len(value) > 120:
        raise ValueError("tối đa 120 ký tự / at most 120 characters")
    return value


def _address(raw: str) -> str:
    value = " ".join(raw.split())
    if not 1 <= len(value) <= 30 or not all(ch.isalpha() or ch in " /" for ch in value):
        raise ValueError("1-30 chữ cái, ví dụ: đồng chí / 1-30 letters, e.g. đồng chí")
    return value


def _admin_ids(raw: str) -> str:
    _, bad = parse_admin_ids(raw)
    if bad:
        raise ValueError(f"mục không đúng dạng nền_tảng:mã ({', '.join(bad)}); ví dụ telegram:12345,zalo:abc")
    return raw.strip()


_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def _env(name: str, default: Any, check: Callable[[str], Any] = _text) -> Any:
    """A setting read from the variable ``name``, with its default and check (declared once)."""
    return field(default=default, metadata={"env": name, "check": check})


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment; .env.example documents each setting."""

    database_path: Path = _env("DATABASE_PATH", Path("data/bot.db"), lambda raw: Path(raw.strip()))
    knowledge_dir: Path = _env("KNOWLEDGE_DIR", DEFAULT_KNOWLEDGE_DIR, lambda raw: Path(raw.strip()))
    log_level: str = _env("LOG_LEVEL", "WARNING", _log_level)
    telegram_token: str = _env("TELEGRAM_BOT_TOKEN", "")
    telegram_base_url: str = _env("TELEGRAM_BASE_URL", "", _url)
    admin_ids: str = _env("ADMIN_IDS", "", _admin_ids)
    webhook_url: str = _env("WEBHOOK_URL", "", _https)
    webhook_secret: str = _env("WEBHOOK_SECRET", "", _secret(1, _TOKEN_CHARS))
    webhook_listen: str = _env("WEBHOOK_LISTEN", "0.0.0.0")
    webhook_port: int = _env("WEBHOOK_PORT", 8443, _port)
    zalo_token: str = _env("ZALO_BOT_TOKEN", "")
    zalo_base_url: str = _env("ZALO_BASE_URL", "https://bot-api.zaloplatforms.com", _url)
    zalo_webhook_url: str = _env("ZALO_WEBHOOK_URL", "", _https)
    zalo_webhook_secret: str = _env("ZALO_WEBHOOK_SECRET", "", _secret(8))
    zalo_webhook_listen: str = _env("ZALO_WEBHOOK_LISTEN", "0.0.0.0")
    zalo_webhook_port: int = _env("ZALO_WEBHOOK_PORT", 8444, _port)
    zalo_monthly_quota: int = _env("ZALO_MONTHLY_QUOTA", 3000, _integer)
    zalo_rate: float = _env("BROADCAST_RATE_ZALO", 5.0, _rate)
    broadcast_cron: str = _env("BROADCAST_CRON", "0 8 1 * *", _cron)
    broadcast_when_empty: str = _env("BROADCAST_WHEN_EMPTY", "note", _choice("note", "skip"))
    telegram_rate: float = _env("BROADCAST_RATE_TELEGRAM", 20.0, _rate)
    org_name: str = _env("ORG_NAME", "", _org)
    address_term: str = _env("ADDRESS_TERM", "đồng chí", _address)

    @classmethod
    def load(cls, env_file: str | Path | None = ".env") -> Settings:
        """Read .env (values already in the environment win), then the environment; an empty
        variable takes the default. Raises SettingsError naming every bad variable."""
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)
        values: dict[str, Any] = {}
        problems: list[str] = []
        for f in fields(cls):
            name, check = f.metadata["env"], f.metadata["check"]
            raw = os.environ.get(name, "")
            if not raw.strip():
                continue
            try:
                values[f.name] = check(raw)
            except ValueError as exc:
                problems.append(f"{name}={raw.strip()[:60]!r}: {exc}")
        if problems:
            raise SettingsError(problems)
        return cls(**values)

    @property
    def admins(self) -> frozenset[str]:
        """The owners named in ADMIN_IDS, as "platform:id"."""
        return parse_admins(self.admin_ids)

    def secrets(self) -> list[str]:
        """Values that must never reach a log line."""
        return [s for s in (self.telegram_token, self.webhook_secret, self.zalo_token, self.zalo_webhook_secret) if s]
