"""Nameko pieces every service uses: typed errors across RPC, request ids,
and a dependency that hands workers a store built on the process's pool."""
import uuid
from collections.abc import Callable
from typing import Any

from nameko.exceptions import registry
from nameko.extensions import DependencyProvider

from common import db, errors, logs
from common.db import Pool
from common.eventstore import ConcurrencyConflict
from common.transport import TransientRpc

REQUEST_ID_KEY = "request_id"

# Registered under their own import path, so a ServiceError raised in one
# service is re-raised as the same type in its RPC caller.
for _cls in (*errors.ALL, ConcurrencyConflict):
    registry[f"{_cls.__module__}.{_cls.__name__}"] = _cls


#: Nameko's @rpc, with the contract's errors marked as expected: they are answers
#: (404, 409, ...), not faults, so the container does not log them as errors. Replies are
#: transient (common/transport.py).
rpc = TransientRpc.decorator(expected_exceptions=errors.ServiceError)


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
