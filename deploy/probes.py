"""Each service process's own probes and metrics on one small HTTP port (`METRICS_PORT`).

- `/healthz`: the process's event loop answers (liveness).
- `/readyz`: the process can do its work: its services have started and are not
  draining, the broker accepts a connection, a pooled database connection runs a
  query, and where an outbox relay runs, it leads or stands by (not reconnecting).
- `/metrics`: Prometheus text (relay lag, parked events, ...).

Orchestrator probes point here; the gateway serves its own on the gateway port.
"""

import json
import logging

import eventlet
import eventlet.wsgi
from kombu import Connection
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from common import errors
from common.relay import OutboxRelay
from common.rpc import Store

CHECK_TIMEOUT_SECONDS = 2

log = logging.getLogger("probes")


class Probes:
    """The checks of one process's Nameko containers; `state` is "starting", "running" or "draining"."""

    def __init__(self, runner, amqp_uri):
        self.runner = runner
        self.amqp_uri = amqp_uri
        self.state = "starting"

    def dependencies(self, kind):
        return [dep for container in self.runner.containers for dep in container.dependencies if isinstance(dep, kind)]

    def readiness(self):
        """{check: "ok" or a role} and {check: [problem]} for what failed."""
        if self.state != "running":
            return {}, {"process": [self.state]}
        passed, failed = {}, {}
        for name, check in self._checks():
            try:
                with eventlet.Timeout(CHECK_TIMEOUT_SECONDS):
                    passed[name] = check()
            except eventlet.Timeout:
                failed[name] = [f"no answer within {CHECK_TIMEOUT_SECONDS}s"]
            except Exception as exc:  # noqa: BLE001  (readiness reports any failure, whatever its type)
                failed[name] = [f"{type(exc).__name__}: {exc}"]
        return passed, failed

    def _checks(self):
        yield "rabbitmq", self._broker
        for store in self.dependencies(Store):
            yield f"database:{store.service}", lambda store=store: self._database(store)
        for relay in self.dependencies(OutboxRelay):
            yield f"relay:{relay.relay.name}", lambda relay=relay: self._relay(relay)

    def _broker(self):
        with Connection(self.amqp_uri, connect_timeout=CHECK_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1)
        return "ok"

    @staticmethod
    def _database(store):
        with store.pool.connection(timeout=CHECK_TIMEOUT_SECONDS) as conn:
            conn.execute("SELECT 1")
        return "ok"

    @staticmethod
    def _relay(dependency):
        role = dependency.relay.role
        if role not in ("leader", "standby"):
            raise RuntimeError(f"relay is {role}")
        return role

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _json(start_response, 200, {"status": "ok"})
        if path == "/readyz":
            passed, failed = self.readiness()
            if failed:
                body = errors.ServiceUnavailable("服务未就绪", details=failed).to_body()
                return _json(start_response, 503, {"status": "unavailable", "checks": passed, **body})
            return _json(start_response, 200, {"status": "ok", "checks": passed})
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest()]
        return _json(start_response, 404, errors.NotFound("不存在").to_body())

    def serve(self, host, port):
        """Listen now (so a taken port fails the start) and answer in a green thread."""
        sock = eventlet.listen((host, port), reuse_port=False)
        eventlet.spawn(eventlet.wsgi.server, sock, self.app, log=log, log_output=False)
        return sock


def _json(start_response, status, body):
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
