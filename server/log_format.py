"""The service's log lines: text (the default) or JSON lines (GRIDGRAPH_LOG_FORMAT=json).

Both formats carry the same facts. A text line is

    2026-12-03T10:15:02.123Z INFO gridgraph.request: request request_id=... status=200 ...

and a JSON line is one object per line with `time`, `level`, `logger`, `message`, the
`request_id` of the request being served (when there is one), the request log's fields
(server/request_log.py) and, for an unexpected error only, `exception` (the traceback).
Expected conditions (Neo4j unavailable, rate limits, refusals) are one line, no traceback.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

ROOT_MARK = "_gridgraph_handler"  # set on the handler configure_logging installs

# The id of the request being served (set by server/request_log.py's middleware).
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gridgraph_request_id", default=None
)


class LogFormat(StrEnum):
    """GRIDGRAPH_LOG_FORMAT."""

    TEXT = "text"
    JSON = "json"


def _time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    request_id = getattr(record, "request_id", None)
    if request_id is not None:
        fields["request_id"] = request_id
    given = getattr(record, "fields", None)
    if isinstance(given, dict):
        fields.update(given)
    return fields


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being served to every record (server/request_log.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value ...`, then the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{_time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        pairs = " ".join(
            f"{key}={value}" for key, value in _fields(record).items() if value is not None
        )
        if pairs:
            text = f"{text} {pairs}"
        if record.exc_info:
            text = f"{text}\n{self.formatException(record.exc_info)}"
        return text


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record is emitted (never a stale stream)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def formatter(log_format: LogFormat) -> logging.Formatter:
    """The formatter of a GRIDGRAPH_LOG_FORMAT."""
    return JsonFormatter() if log_format is LogFormat.JSON else TextFormatter()


def configure_logging(log_format: LogFormat, level: str = "INFO") -> None:
    """Log to stderr in `log_format`, uvicorn's own loggers included (its access log off:
    the request log replaces it)."""
    handler = StderrHandler()
    handler.setFormatter(formatter(log_format))
    handler.addFilter(RequestIdFilter())
    setattr(handler, ROOT_MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, ROOT_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    adopt_uvicorn_loggers()


def adopt_uvicorn_loggers() -> None:
    """uvicorn's loggers write through the root's handler; its access log stays quiet."""
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True


def ensure_logging(log_format: LogFormat, level: str = "INFO") -> None:
    """Configure logging unless someone already did (a worker process starts bare)."""
    root = logging.getLogger()
    if not root.handlers:
        configure_logging(log_format, level)
    elif any(getattr(handler, ROOT_MARK, False) for handler in root.handlers):
        adopt_uvicorn_loggers()  # uvicorn configured its loggers after ours
