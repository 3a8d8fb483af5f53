"""Operations endpoints: liveness, readiness, metrics, the OpenAPI document."""

import eventlet
from kombu import Connection
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from common import config, errors
from gateway import openapi
from gateway.http import json_response, route
from gateway.revocations import TABLE

PING_TIMEOUT_SECONDS = 2


class OpsRoutes:
    @route("GET", "/healthz", "进程存活", "运维")
    def healthz(self, request):
        return json_response({"status": "ok"})

    @route("GET", "/readyz", "依赖就绪（RabbitMQ 与各服务应答 RPC ping）", "运维")
    def readyz(self, request):
        failed = {}
        try:
            with Connection(config.amqp_uri(), connect_timeout=PING_TIMEOUT_SECONDS) as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:  # noqa: BLE001  (any broker failure means not ready)
            failed["rabbitmq"] = [f"{type(exc).__name__}: {exc}"]
        else:
            pool = eventlet.GreenPool(len(self.backends))
            failed = {name: problem for name, problem in pool.imap(self._ping, self.backends) if problem}
        if not TABLE.ready:
            failed["sessions"] = ["revocation table not loaded from identity yet"]
        if failed:
            error = errors.ServiceUnavailable("服务未就绪", details=failed)
            return json_response({"status": "unavailable", **error.to_body()}, 503)
        return json_response({"status": "ok", "services": list(self.backends)})

    def _ping(self, name):
        try:
            with eventlet.Timeout(PING_TIMEOUT_SECONDS):
                getattr(self, name).ping()
            return name, None
        except eventlet.Timeout:
            return name, [f"no answer within {PING_TIMEOUT_SECONDS}s"]
        except Exception as exc:  # noqa: BLE001  (readiness reports any failure, whatever its type)
            return name, [f"{type(exc).__name__}: {exc}"]

    @route("GET", "/metrics", "Prometheus 指标", "运维")
    def metrics(self, request):
        return Response(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    @route("GET", "/api/openapi.json", "OpenAPI 3 文档", "运维")
    def openapi_document(self, request):
        return json_response(openapi.document())
