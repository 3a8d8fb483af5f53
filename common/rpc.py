"""Nameko pieces every service uses: typed errors across RPC, request ids, RPCs
bounded in time, and a dependency that hands workers a store built on the process's pool."""

import logging
import time
import uuid
import weakref
from collections.abc import Callable
from typing import Any

import eventlet
import psycopg
import psycopg_pool
from nameko.exceptions import RemoteError, UnknownService, registry
from nameko.extensions import DependencyProvider

from common import config, db, errors, logs
from common.db import Pool
from common.eventstore import ConcurrencyConflict
from common.transport import TransientRpc

log = logging.getLogger(__name__)

REQUEST_ID_KEY = "request_id"

# Registered under their own import path, so a ServiceError raised in one
# service is re-raised as the same type in its RPC caller.
for _cls in (*errors.ALL, ConcurrencyConflict):
    registry[f"{_cls.__module__}.{_cls.__name__}"] = _cls


#: A lost or unreachable database is an outage of this service, not a bug: callers get 503.
DATABASE_UNAVAILABLE = (psycopg.OperationalError, psycopg_pool.PoolTimeout)


class ServiceRpc(TransientRpc):
    """The RPC entrypoint, answering only in the contract's errors: a database outage as
    `ServiceUnavailable` instead of a 500, and any other unexpected exception (a database
    error quoting the row it refused, say) as a plain ServiceError. The container has logged
    it without its message (common.logs), and its text never crosses RabbitMQ."""

    def handle_result(self, message: Any, worker_ctx: Any, result: Any, exc_info: Any) -> Any:
        if exc_info is not None and isinstance(exc_info[1], DATABASE_UNAVAILABLE):
            logs.log(log, logging.WARNING, "database unavailable", error=exc_info[1])
            unavailable = errors.ServiceUnavailable(details={"database": ["unavailable"]})
            exc_info = (type(unavailable), unavailable, None)
        elif exc_info is not None and not isinstance(exc_info[1], errors.ServiceError):
            exc_info = (errors.ServiceError, errors.ServiceError(), None)
        return super().handle_result(message, worker_ctx, result, exc_info)


#: Nameko's @rpc, with the contract's errors marked as expected: they are answers
#: (404, 409, ...), not faults, so the container does not log them as errors. Replies are
#: transient (common/transport.py).
rpc = ServiceRpc.decorator(expected_exceptions=errors.ServiceError)

#: Worker-context key, sent as a Nameko header with every RPC: the wall-clock time by which the
#: caller stops waiting. A service's own calls give up before it, so its typed 503 reaches the
#: caller in time, and no work is done after the caller has already answered 503.
DEADLINE_KEY = "rpc_deadline"
#: Time left for an answer to travel back (and for clocks a little apart).
DEADLINE_MARGIN = 0.3

#: The deadline each worker's caller sent (None: no deadline), read before the worker's own calls set theirs.
_received: "weakref.WeakKeyDictionary[Any, float | None]" = weakref.WeakKeyDictionary()


def call(method: Any, *args: Any, **kwargs: Any) -> Any:
    """`method(*args, **kwargs)` on an RPC proxy, bounded by RPC_TIMEOUT_SECONDS and the caller's deadline.

    Nameko's proxy would otherwise wait forever for a service that is stopped or
    stuck, holding the caller's worker. Make the call before taking locks or
    pooled connections, so a slow callee holds nothing else of the caller's.
    A silent or absent service raises `ServiceUnavailable` (503), naming it.
    """
    service = getattr(method, "service_name", "service")
    worker_ctx = method.worker_ctx
    if worker_ctx not in _received:
        _received[worker_ctx] = worker_ctx.data.get(DEADLINE_KEY)
    inherited = _received[worker_ctx]
    bound = config.rpc_timeout_seconds()
    if inherited is not None:
        bound = min(bound, float(inherited) - time.time() - DEADLINE_MARGIN)
    if bound <= 0:
        raise errors.ServiceUnavailable(details={service: ["no time left to ask"]})
    try:
        with eventlet.Timeout(bound):
            # The request's headers are taken from the context before the publish first yields,
            # so calls running side by side in one worker (GreenPile) each send their own deadline.
            worker_ctx.data[DEADLINE_KEY] = time.time() + bound
            try:
                reply = method.call_async(*args, **kwargs)
            finally:
                _set_deadline(worker_ctx.data, inherited)
            return reply.result()
    except eventlet.Timeout:
        raise errors.ServiceUnavailable(details={service: ["no answer in time"]}) from None
    except UnknownService:
        raise errors.ServiceUnavailable(details={service: ["service not running"]}) from None
    except RemoteError as exc:  # an untyped failure inside the callee: its bug, answered as ours
        logs.log(log, logging.ERROR, "remote error", service=service, error=exc)
        raise errors.ServiceError() from None


def _set_deadline(context: dict[str, Any], deadline: float | None) -> None:
    if deadline is None:
        context.pop(DEADLINE_KEY, None)
    else:
        context[DEADLINE_KEY] = deadline


class RequestId(DependencyProvider):
    """Makes the request id of the call being handled the logging context.

    Nameko forwards `worker_ctx.data` as message headers on every RPC and
    event dispatched from this worker, so the id flows on by itself.
    """

    def get_dependency(self, worker_ctx: Any) -> str:
        # Nameko injects dependencies before worker_setup, so the id is made here:
        # timers, standalone proxies and replayed events arrive without one.
        request_id: str = worker_ctx.data.setdefault(REQUEST_ID_KEY, str(uuid.uuid4()))
        return request_id

    def worker_setup(self, worker_ctx: Any) -> None:
        logs.set_request_id(self.get_dependency(worker_ctx))

    def worker_teardown(self, worker_ctx: Any) -> None:
        logs.set_request_id(None)


class Store(DependencyProvider):
    """Owns the service's connection pool; each worker gets `store_cls(pool)`."""

    def __init__(self, service: str, store_cls: Callable[[Pool], Any]) -> None:
        self.service = service
        self.store_cls = store_cls
        self.pool: Pool | None = None

    def setup(self) -> None:
        self.pool = db.create_pool(self.service, max_size=self.container.max_workers + 2)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> Any:
        assert self.pool is not None, "workers run only between setup() and stop()"
        return self.store_cls(self.pool)


class Pingable:
    """Answers the gateway's readiness probe."""

    name: str  # the Nameko service's name, set by the service class

    @rpc
    def ping(self) -> dict[str, str]:
        return {"service": self.name, "status": "ok"}
