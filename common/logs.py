"""JSON-lines logging; every line carries the request id of the work it belongs to."""
import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import Any

# threading.local becomes greenlet-local once eventlet has patched threading,
# so each Nameko worker sees only its own request id.
_current = threading.local()


def set_request_id(request_id: str | None) -> None:
    _current.request_id = request_id


def get_request_id() -> str | None:
    return getattr(_current, "request_id", None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = get_request_id()
        if request_id:
            line["request_id"] = request_id
        for key, value in getattr(record, "fields", {}).items():
            line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class DropExpected(logging.Filter):
    """Nameko logs a worker's expected exception (a contract error) with a traceback; it is no fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("(expected)")


def configure(service: str, level: str | int = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("kombu", "amqp", "botocore", "boto3", "urllib3", "nameko", "psycopg.pool"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("nameko.containers").addFilter(DropExpected())


def log(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    """Structured fields go beside the message; never pass ID numbers or phones."""
    logger.log(level, message, extra={"fields": fields})
