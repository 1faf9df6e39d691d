"""Log files of the terminal: JSON lines in the platform's log directory, rotated by size.

``NAKAMA_LOG_DIR`` overrides the directory (tests, a USB-stick install). A filter takes
bearer tokens out of every line before it reaches the file, so a log can be sent to the
consortium's helpdesk as it is (``nakama support-bundle``).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
from pathlib import Path
from typing import Any

import platformdirs

FILE_NAME = "nakama.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5  # nakama.log.1 … .5: at most 6 MB of logs
SECRET = re.compile(r"(?i)(bearer\s+|token[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]{8,}")


def log_dir() -> Path:
    """Where the log files are (``~/.local/state/nakama/log`` on Linux)."""
    env = os.environ.get("NAKAMA_LOG_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_log_dir("nakama", "Nakama"))


def redact(text: str) -> str:
    """The text with bearer tokens and ``token=…`` values replaced by ``***``."""
    return SECRET.sub(lambda m: m.group(1) + "***", text)


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message and the ``extra`` fields."""

    SKIP = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in record.__dict__.items() if k not in self.SKIP})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(out, ensure_ascii=False, default=str))


class _Handler(logging.handlers.RotatingFileHandler):
    """Ours, so a second ``setup`` in one process finds it and adds no other."""


def setup(level: str = "INFO") -> Path | None:
    """Send the ``nakama`` loggers (and warnings of every other) to the rotating file.
    Returns the file, or None when the directory cannot be written (the program runs
    on without a log file rather than not at all)."""
    root = logging.getLogger()
    for h in root.handlers:
        if isinstance(h, _Handler):
            return Path(h.baseFilename)
    folder = log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = _Handler(
            folder / FILE_NAME, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(JsonLines())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ("nakama", "app", "drivers"):  # ours: named or by module
        logging.getLogger(name).setLevel(level.upper())
    logging.captureWarnings(True)
    return Path(handler.baseFilename)


def files() -> list[Path]:
    """The log files there are, newest first."""
    folder = log_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob(FILE_NAME + "*"), key=lambda p: p.stat().st_mtime, reverse=True)
