"""JSON-lines logging; every line carries the request id of the work it belongs to.

No line carries an exception's message: a database error quotes the row it refused
(DETAIL, CONTEXT) and other errors quote their input, which may be personal data. An
error is logged as its type, its SQLSTATE and constraint when it has them, and where
it was raised.
"""

import json
import logging
import sys
import threading
import traceback
from datetime import UTC, datetime
from typing import Any

# threading.local becomes greenlet-local once eventlet has patched threading,
# so each Nameko worker sees only its own request id.
_current = threading.local()


def set_request_id(request_id: str | None) -> None:
    _current.request_id = request_id


def get_request_id() -> str | None:
    return getattr(_current, "request_id", None)


def describe_error(exc: BaseException) -> dict[str, str]:
    """What may be logged about `exc`: never its message or arguments."""
    info = {"error_type": f"{type(exc).__module__}.{type(exc).__qualname__}"}
    code = getattr(exc, "sqlstate", None) or getattr(exc, "code", None)
    if isinstance(code, str):
        info["error_code"] = code
    diag = getattr(exc, "diag", None)
    for key in ("constraint_name", "table_name", "column_name"):
        value = getattr(diag, key, None) if diag is not None else None
        if value:
            info[key] = value
    remote_type = getattr(exc, "exc_type", None)  # a Nameko RemoteError names the remote type
    if isinstance(remote_type, str):
        info["remote_error_type"] = remote_type
    return info


def safe_traceback(exc_info: Any) -> str | None:
    """Where the error was raised (file, line, function), without its message."""
    _, exc, tb = exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    return "\n".join(frames + [describe_error(exc)["error_type"]]) if exc is not None else None


def _safe_arg(arg: Any) -> Any:
    return f"<{describe_error(arg)['error_type']}>" if isinstance(arg, BaseException) else arg


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
            "message": self.message(record),
        }
        request_id = get_request_id()
        if request_id:
            line["request_id"] = request_id
        for key, value in getattr(record, "fields", {}).items():
            line[key] = describe_error(value) if isinstance(value, BaseException) else value
        if record.exc_info and record.exc_info[1] is not None:
            line.update(describe_error(record.exc_info[1]))
            line["exc"] = safe_traceback(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)

    @staticmethod
    def message(record: logging.LogRecord) -> str:
        """The message with exceptions among its arguments reduced to their type names
        (Nameko logs `error handling worker %s: %s` with the exception itself)."""
        args: Any
        if isinstance(record.args, tuple):
            args = tuple(_safe_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            args = {k: _safe_arg(v) for k, v in record.args.items()}
        else:
            args = record.args
        try:
            return str(record.msg) % args if args else str(record.msg)
        except (TypeError, ValueError):
            return str(record.msg)


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
    """Structured fields go beside the message; never pass ID numbers or phones.
    An exception passed as a field is logged as describe_error() shows it."""
    logger.log(level, message, extra={"fields": fields})
