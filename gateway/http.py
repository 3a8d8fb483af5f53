"""The gateway's HTTP layer: JSON errors for every failure, request ids,
per-route metrics and the route table the OpenAPI document is built from."""

import inspect
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from functools import partial, wraps

import eventlet
from eventlet.event import Event
from nameko.exceptions import ContainerBeingKilled
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from prometheus_client import Counter, Histogram
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from common import config, errors, logs
from common.rpc import REQUEST_ID_KEY
from gateway.auth import authenticate

log = logging.getLogger("gateway")

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def json_response(body, status=200, headers=None):
    """`body` as JSON; bytes are taken as JSON already encoded (a cached answer)."""
    return Response(
        body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type="application/json; charset=utf-8",
    )


def error_response(exc, headers=None):
    return json_response(exc.to_body(), exc.status, headers)


def request_id_from(request):
    supplied = request.headers.get("X-Request-Id", "")
    try:
        return str(uuid.UUID(supplied))
    except ValueError:
        return str(uuid.uuid4())


# Requests that match no route are counted under these fixed labels, whatever their
# method and path, so clients cannot create new series.
UNMATCHED = "unmatched"


def hygiene_headers(path, response):
    """`nosniff` everywhere; API answers are never cached unless their route says they may be
    (public reference data about no one)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if path.startswith("/api/") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


class JsonWsgiApp(WsgiApp):
    """Unknown routes and wrong methods answer in the contract's error format."""

    def __call__(self, environ, start_response):
        if self.server.draining:
            # Taken on a kept-alive connection while the process stops: not started, so safe
            # to retry; the client reconnects to another replica.
            response = error_response(errors.ServiceUnavailable("服务正在重启，请重试"), {"Connection": "close"})
            return response(environ, start_response)
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            response = http_error(exc)
            REQUESTS.labels(UNMATCHED, UNMATCHED, str(response.status_code)).inc()
        else:
            request.path_values = values
            response = provider.handle_request(request)
        return hygiene_headers(request.path, response)(environ, start_response)


def http_error(exc):
    headers = {}
    if exc.code == 404:
        error = errors.NotFound("接口不存在")
    elif exc.code == 405:
        error = errors.ServiceError("不支持该请求方法", code="METHOD_NOT_ALLOWED")
        error.status = 405
        headers["Allow"] = ", ".join(sorted(getattr(exc, "valid_methods", None) or ()))
    else:
        error = errors.ServiceError(exc.description or exc.name, code="BAD_REQUEST")
        error.status = exc.code or 400
    return error_response(error, headers)


class JsonWebServer(WebServer):
    #: Set when the container starts stopping (SIGTERM): no new connections or requests, so the
    #: running ones can finish within the drain time instead of being cut off by a steady stream.
    draining = False

    def unregister_provider(self, provider):
        if not self.draining:
            self.draining = True
            self._is_accepting = False
            if self._gt is not None:
                self._gt.kill()
            if self._sock is not None:
                self._sock.close()
        super().unregister_provider(provider)

    def context_data_from_headers(self, request):
        return {REQUEST_ID_KEY: request_id_from(request)}

    def get_wsgi_app(self):
        return JsonWsgiApp(self)

    def start(self):
        if not self._starting:
            self._starting = True
            # reuse_port off unless replicas are meant to share the port (the local runner
            # with REPLICAS > 1): otherwise a leftover gateway must make start-up fail.
            self._sock = eventlet.listen(self.bind_addr, reuse_port=config.gateway_reuse_port())
            self._sock.settimeout(None)
            self._serv = self.get_wsgi_server(self._sock, self.get_wsgi_app())
            self._gt = self.container.spawn_managed_thread(self.run)


class ApiHandler(HttpRequestHandler):
    server = JsonWebServer()

    def handle_request(self, request):
        started = time.perf_counter()
        request.shallow = False
        context_data = self.server.context_data_from_headers(request)
        try:
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(
                self, args, kwargs, context_data=context_data, handle_result=partial(self.handle_result, event)
            )
            response = self.response_from_result(event.wait())
        except Exception as exc:  # noqa: BLE001  (every failure becomes a JSON error answer)
            response = self.response_from_exception(exc)
        response.headers["X-Request-Id"] = context_data[REQUEST_ID_KEY]
        if self.server.draining:
            response.headers["Connection"] = "close"
        REQUESTS.labels(self.method, self.url, str(response.status_code)).inc()
        LATENCY.labels(self.method, self.url).observe(time.perf_counter() - started)
        return response

    def response_from_exception(self, exc):
        if isinstance(exc, errors.ServiceError):
            headers = {}
            if isinstance(exc, errors.RateLimited) and exc.details.get("retry_after"):
                headers["Retry-After"] = str(exc.details["retry_after"])
            return error_response(exc, headers)
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if isinstance(exc, ContainerBeingKilled):
            # Still running when the drain time ran out: the client may retry it (idempotently).
            return error_response(errors.ServiceUnavailable("服务正在重启，请重试"), {"Connection": "close"})
        logs.log(log, logging.ERROR, "unhandled error", error=exc)
        return error_response(errors.ServiceError())


@dataclass
class RouteDoc:
    method: str
    path: str
    summary: str
    tag: str
    auth: bool = False
    roles: tuple = ()
    body: object = None
    query: object = None
    response: object = None
    status: int = 200
    errors: tuple = ()
    extra: dict = field(default_factory=dict)


ROUTES = []


def route(method, url, summary, tag, *, auth=False, roles=(), **doc):
    """A gateway endpoint, public unless it names `roles` (the caller needs one of them) or
    `auth=True` (any logged-in caller). Either way the caller is authenticated here, before the
    handler runs, and handed to it as `principal`: the declaration that the OpenAPI document
    shows is the one that is enforced. `doc` also feeds the document (schemas, errors)."""
    roles = tuple(roles)
    auth = auth or bool(roles)

    def decorate(fn):
        if auth != ("principal" in inspect.signature(fn).parameters):
            raise TypeError(f"{fn.__qualname__}: a handler takes `principal` exactly when its route needs a login")
        ROUTES.append(RouteDoc(method, url, summary, tag, auth=auth, roles=roles, **doc))
        handler = _authenticating(fn, roles) if auth else fn
        return ApiHandler.decorator(method, url, expected_exceptions=(errors.ServiceError, HTTPException))(handler)

    return decorate


def _authenticating(fn, roles):
    @wraps(fn)
    def handler(self, request, *args, **kwargs):
        return fn(self, request, *args, principal=authenticate(request, *roles), **kwargs)

    # Nameko checks each call against the entrypoint's signature: the path values, not the principal.
    signature = inspect.signature(fn)
    handler.__signature__ = signature.replace(
        parameters=[p for name, p in signature.parameters.items() if name != "principal"]
    )
    return handler
