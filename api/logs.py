"""JSON-lines logs: one object a line, with the request id; never a token, a name or a phone.

Only the fields named in `SAFE_FIELDS` leave a record's `extra`; messages are fixed strings
written by us, and exception text (which may hold SQL or personal data) is never written: an
unexpected error is logged as its type and frames (schema.limits.HdndSchema).
"""

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

SAFE_FIELDS = (
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "operation",
    "operation_type",
    "viewer",
    "role",
    "integrator",
    "error_codes",
    "error_type",
    "sqlstate",
    "trace",
    "client",
    "reason",
)


# Not uvicorn: its WebSocket lines carry the path with its query string.
_INTERPOLATED = ("hdnd", "alembic.runtime.migration")


class JsonLines(logging.Formatter):
    """Formats a record as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            # Other libraries' arguments are left out (they may carry request data), but for
            # migration lines, whose arguments are revision ids.
            "event": record.getMessage()
            if record.name.startswith(_INTERPOLATED)
            else (record.msg if isinstance(record.msg, str) else type(record.msg).__name__),
        }
        for name in SAFE_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: the text of a third-party exception may carry SQL or personal data.
            entry["error_type"] = record.exc_info[0].__name__
        return orjson.dumps(entry, default=str).decode()


def setup_logging(level: str = "INFO") -> None:
    """Route every logger (ours, uvicorn's, Strawberry's) through the JSON-lines formatter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "strawberry.execution"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # The embedded server narrates every command it runs; only its problems matter here.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    # Our access log replaces uvicorn's, whose lines carry query strings (GET variables).
    logging.getLogger("uvicorn.access").disabled = True
