"""Every RPC is bounded in time, and a service's own calls give up before its caller does."""

import time
import uuid

import eventlet
import pytest
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy

from common import errors
from common.rpc import DEADLINE_KEY, call, rpc

SUFFIX = uuid.uuid4().hex[:8]
STUCK, MIDDLE = f"stuck{SUFFIX}", f"middle{SUFFIX}"


class ReceivedContext(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return worker_ctx.data


class Stuck:
    name = STUCK
    context = ReceivedContext()

    @rpc
    def answer_after(self, seconds):
        eventlet.sleep(seconds)
        return "late"

    @rpc
    def deadline_received(self):
        return self.context.get(DEADLINE_KEY)


class Middle:
    """Asks the stuck service, as applications asks identity."""

    name = MIDDLE
    stuck = RpcProxy(STUCK)
    absent = RpcProxy(f"absent{SUFFIX}")

    @rpc
    def ask_stuck(self, seconds):
        return call(self.stuck.answer_after, seconds)

    @rpc
    def ask_absent(self):
        return call(self.absent.anything)

    @rpc
    def deadline_seen(self):
        return self.stuck.worker_ctx.data.get(DEADLINE_KEY)

    @rpc
    def side_by_side_then_alone(self):
        """Two calls at once (as /api/v1/me makes), then one more: what deadline did each send?"""
        pile = eventlet.GreenPile()
        for _ in range(2):
            pile.spawn(call, self.stuck.deadline_received)
        together = list(pile)
        sent_at = time.time()
        return together, sent_at, call(self.stuck.deadline_received)


@pytest.fixture
def services(amqp_uri, monkeypatch):
    monkeypatch.setenv("RPC_TIMEOUT_SECONDS", "1.5")
    runner = ServiceRunner({"AMQP_URI": amqp_uri})
    runner.add_service(Stuck)
    runner.add_service(Middle)
    runner.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}) as cluster:
        yield cluster
    runner.kill()  # the stuck worker is still asleep


def test_the_inner_call_gives_up_first_so_the_caller_gets_the_inner_services_503_in_time(services):
    started = time.monotonic()
    with pytest.raises(errors.ServiceUnavailable) as raised:
        call(getattr(services, MIDDLE).ask_stuck, 10)
    took = time.monotonic() - started
    assert raised.value.details == {STUCK: ["no answer in time"]}, "the middle service answered, not our timer"
    assert took < 1.5 + 0.5


def test_a_service_that_is_not_running_is_503_at_once(services):
    started = time.monotonic()
    with pytest.raises(errors.ServiceUnavailable) as raised:
        call(getattr(services, MIDDLE).ask_absent)
    assert raised.value.details == {f"absent{SUFFIX}": ["service not running"]}
    assert time.monotonic() - started < 1.5


def test_the_deadline_travels_with_the_call_and_is_gone_after_it(services):
    middle = getattr(services, MIDDLE)
    before = time.time()
    seen = call(middle.deadline_seen)
    assert before + 1.5 - 0.5 < seen <= time.time() + 1.5
    assert DEADLINE_KEY not in middle.worker_ctx.data


def test_calls_side_by_side_in_one_worker_each_send_a_deadline_and_leave_none_behind(services):
    together, sent_at, alone = getattr(services, MIDDLE).side_by_side_then_alone()
    assert all(deadline is not None for deadline in together)
    assert alone >= sent_at + 1.5 - 0.1, "the later call got its full bound, not a stale deadline"
