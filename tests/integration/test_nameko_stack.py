"""The pinned stack works together on real RabbitMQ and PostgreSQL under eventlet."""

import json
import time
import urllib.request

from nameko.events import EventDispatcher, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.web.handlers import http

from common.rpc import RequestId, Store
from deploy.system import free_port
from tests.polling import wait_for

received = []


class Echo:
    name = "smoke_echo"
    dispatch = EventDispatcher()

    @rpc
    def echo(self, value):
        self.dispatch("echoed", {"value": value})
        return {"echo": value}


class Listener:
    name = "smoke_listener"
    echo_service = RpcProxy("smoke_echo")

    @event_handler("smoke_echo", "echoed")
    def on_echoed(self, payload):
        received.append(payload)

    @http("GET", "/smoke")
    def smoke(self, request):
        return json.dumps(self.echo_service.echo("http"))


def test_rpc_event_and_http_round_trip(amqp_uri):
    port = free_port()
    config = {"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}
    runner = ServiceRunner(config)
    runner.add_service(Echo)
    runner.add_service(Listener)
    runner.start()
    try:
        with ClusterRpcProxy(config) as cluster:
            assert cluster.smoke_echo.echo("你好") == {"echo": "你好"}
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/smoke", timeout=5).read()
        assert json.loads(body) == {"echo": "http"}
        assert wait_for(lambda: {"value": "你好"} in received and {"value": "http"} in received)
    finally:
        runner.stop()


class SlowStore:
    def __init__(self, pool):
        self.pool = pool

    def sleep(self, seconds):
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_sleep(%s)", (seconds,))


class Sleeper:
    name = "smoke_sleeper"
    store = Store("identity", SlowStore)

    @rpc
    def sleep(self, seconds):
        self.store.sleep(seconds)


def test_slow_queries_in_one_service_process_overlap(amqp_uri, databases):
    """psycopg's default C wait would block the eventlet hub and serialise these."""
    databases("identity")
    config = {"AMQP_URI": amqp_uri, "max_workers": 10}
    runner = ServiceRunner(config)
    runner.add_service(Sleeper)
    runner.start()
    try:
        n, seconds = 8, 0.5
        with ClusterRpcProxy(config) as cluster:
            cluster.smoke_sleeper.sleep(0)  # warm the pool
            started = time.monotonic()
            replies = [cluster.smoke_sleeper.sleep.call_async(seconds) for _ in range(n)]
            for reply in replies:
                reply.result()
            elapsed = time.monotonic() - started
        assert elapsed < seconds * 2, f"{n} queries of {seconds}s took {elapsed:.2f}s: not overlapping"
    finally:
        runner.stop()


class Timed:
    name = "smoke_timed"
    request_id = RequestId()

    @rpc
    def who(self):
        return self.request_id


def test_request_id_is_made_for_callers_that_send_none(amqp_uri):
    config = {"AMQP_URI": amqp_uri}
    runner = ServiceRunner(config)
    runner.add_service(Timed)
    runner.start()
    try:
        with ClusterRpcProxy(config) as cluster:
            first, second = cluster.smoke_timed.who(), cluster.smoke_timed.who()
        assert len(first) == 36 and first != second
    finally:
        runner.stop()
