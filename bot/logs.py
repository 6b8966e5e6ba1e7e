"""Logging for the bot process, with secrets (the bot token) removed from every record.

The HTTP client logs full request URLs at INFO level, and Telegram puts the token in the URL
path, so redaction happens where records are made: it then covers every handler, including
ones added later, and exception text too.
"""

from __future__ import annotations

import logging

REDACTED = "[REDACTED]"


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


_installed: set[str] = set()


def redact_secrets(secrets: list[str]) -> None:
    """Make every log record created from now on free of the given secrets."""
    secrets = [s for s in secrets if s and s not in _installed]
    if not secrets:
        return
    _installed.update(secrets)
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        if any(s in message for s in secrets):
            record.msg, record.args = _redact(message, secrets), None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _redact(text, secrets)
        return record

    logging.setLogRecordFactory(factory)


def setup_logging(level: str, secrets: list[str]) -> None:
    """Console logging at ``level``; the HTTP client's per-request lines only at DEBUG."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    redact_secrets(secrets)
