"""Nameko pieces every service uses: typed errors across RPC, request ids,
and a dependency that hands workers a store built on the process's pool."""
import uuid

from nameko.exceptions import registry
from nameko.extensions import DependencyProvider

from common import db, errors, logs
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

    def get_dependency(self, worker_ctx):
        # Nameko injects dependencies before worker_setup, so the id is made here:
        # timers, standalone proxies and replayed events arrive without one.
        return worker_ctx.data.setdefault(REQUEST_ID_KEY, str(uuid.uuid4()))

    def worker_setup(self, worker_ctx):
        logs.set_request_id(self.get_dependency(worker_ctx))

    def worker_teardown(self, worker_ctx):
        logs.set_request_id(None)


class Store(DependencyProvider):
    """Owns the service's connection pool; each worker gets `store_cls(pool)`."""

    def __init__(self, service, store_cls):
        self.service = service
        self.store_cls = store_cls
        self.pool = None

    def setup(self):
        self.pool = db.create_pool(self.service, max_size=self.container.max_workers + 2)

    def stop(self):
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.store_cls(self.pool)


class Pingable:
    """Answers the gateway's readiness probe."""

    @rpc
    def ping(self):
        return {"service": self.name, "status": "ok"}
