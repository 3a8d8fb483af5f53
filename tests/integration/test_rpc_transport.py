"""RPC requests and replies travel transient (no disk write at the broker); a request to a
service that is not running still fails fast, and events stay persistent (tests/unit/test_event_messages.py)."""

import uuid

import kombu
import pytest
from nameko.exceptions import UnknownService
from nameko.rpc import get_rpc_exchange
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy

from common import config
from common.rpc import rpc
from common.transport import TRANSIENT, rpc_proxy
from tests.polling import wait_for


class Answering:
    name = "transport_answering"

    @rpc
    def double(self, value):
        return value * 2


class Calling:
    name = "transport_calling"
    answering = rpc_proxy("transport_answering")
    absent = rpc_proxy("transport_absent")
    silent = rpc_proxy("transport_silent")

    @rpc
    def via(self, value):
        return self.answering.double(value)

    @rpc
    def to_absent(self):
        try:
            self.absent.anything()
        except UnknownService:
            return "unknown service"

    @rpc
    def to_silent(self):
        # Nobody consumes the queue the test bound: the request waits there for the test to read.
        self.silent.anything.call_async()
        return "sent"


@pytest.fixture
def runner(amqp_uri):
    config = {"AMQP_URI": amqp_uri}
    runner = ServiceRunner(config)
    runner.add_service(Answering)
    runner.add_service(Calling)
    runner.start()
    yield config
    runner.kill()


def test_calls_answer_through_transient_messages(runner):
    with ClusterRpcProxy(runner) as cluster:
        assert cluster.transport_calling.via(21) == 42
        assert cluster.transport_calling.to_absent() == "unknown service"


def test_requests_are_published_transient(runner, amqp_uri):
    queue = kombu.Queue(
        f"transport-probe-{uuid.uuid4().hex}",
        exchange=get_rpc_exchange(runner),
        routing_key="transport_silent.*",
        auto_delete=True,
    )
    with kombu.Connection(amqp_uri) as conn:
        bound = queue(conn.default_channel)
        bound.declare()
        with ClusterRpcProxy(runner) as cluster:
            assert cluster.transport_calling.to_silent() == "sent"
        message = wait_for(bound.get)
        assert message.properties["delivery_mode"] == TRANSIENT
        # It expires with the caller's time bound: no service acts on it after the caller gave up.
        assert message.properties["expiration"] == str(int(config.rpc_timeout_seconds() * 1000))


def test_replies_are_published_transient(runner, amqp_uri):
    reply_queue = kombu.Queue(
        f"transport-replies-{uuid.uuid4().hex}",
        exchange=get_rpc_exchange(runner),
        routing_key=f"reply-{uuid.uuid4().hex}",
        auto_delete=True,
    )
    with kombu.Connection(amqp_uri) as conn:
        bound = reply_queue(conn.default_channel)
        bound.declare()
        conn.Producer().publish(
            {"args": [5], "kwargs": {}},
            exchange=get_rpc_exchange(runner),
            routing_key="transport_answering.double",
            reply_to=reply_queue.routing_key,
            correlation_id="c1",
            serializer="json",
        )
        message = wait_for(bound.get)
        assert message.payload == {"result": 10, "error": None}
        assert message.properties["delivery_mode"] == TRANSIENT
