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
    """Everything the bot reads from its environment; see .env.example for each setting."""

    database_path: Path
    knowledge_dir: Path
    log_level: str

    @classmethod
    def load(cls, env_file: str | Path | None = ".env") -> Settings:
        """Read .env (values already in the environment win), then the environment."""
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)
        return cls(
            database_path=Path(os.environ.get("DATABASE_PATH") or "data/bot.db"),
            knowledge_dir=Path(os.environ.get("KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
            log_level=(os.environ.get("LOG_LEVEL") or "WARNING").upper(),
        )
