"""Consuming events with real RabbitMQ and PostgreSQL: duplicates, disorder, failures, poison, downtime."""

import io
import uuid

import kombu
import psycopg
import pytest
from nameko.runners import ServiceRunner
from nameko.standalone.events import event_dispatcher

from common import consumer, deadletters
from common.rpc import Store
from tests.polling import wait_for

SOURCE = f"consumertest{uuid.uuid4().hex[:8]}"
CONSUMER = f"{SOURCE}_probe"
FAIL_TIMES = {}  # event_id -> how many more times the projector fails on it
POISON = set()  # event ids the projector always fails on, until removed
OUTCOMES = []  # (event_id, outcome) of every delivery the probe handled, in order


class PoolOnly:
    def __init__(self, pool):
        self.pool = pool


def project(conn, event):
    if event["event_id"] in POISON:
        raise ValueError("cannot project this event")
    if FAIL_TIMES.get(event["event_id"]):
        FAIL_TIMES[event["event_id"]] -= 1
        raise psycopg.OperationalError("database went away for a moment")
    conn.execute(
        "INSERT INTO test_consumer_applied (stream_id, stream_version, event_id) VALUES (%s, %s, %s)",
        (event["stream_id"], event["stream_version"], event["event_id"]),
    )


class ConsumerProbe:
    name = CONSUMER
    store = Store("favorites", PoolOnly)

    @consumer.handler(SOURCE, "thing_started", database="favorites")
    def on_thing_started(self, event):
        self.apply(event)

    @consumer.handler(SOURCE, "thing_finished", database="favorites")
    def on_thing_finished(self, event):
        self.apply(event)

    def apply(self, event):
        try:
            with self.store.pool.connection() as conn:
                fresh = consumer.apply_once(conn, CONSUMER, event, project, wait=0.3)
        except consumer.NotNextInStream:
            OUTCOMES.append((event["event_id"], "refused"))
            raise
        except Exception:
            OUTCOMES.append((event["event_id"], "failed"))
            raise
        OUTCOMES.append((event["event_id"], "applied" if fresh else "duplicate"))


@pytest.fixture(scope="module")
def dsn(databases):
    url = databases("favorites")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE test_consumer_applied (seq bigserial PRIMARY KEY, stream_id text NOT NULL,"
            " stream_version int NOT NULL, event_id text NOT NULL)"
        )
    return url


@pytest.fixture
def config(amqp_uri):
    return {"AMQP_URI": amqp_uri, consumer.RETRY_DELAYS_CONFIG_KEY: [0.05, 0.1, 0.2]}


@pytest.fixture
def dispatch(config):
    send = event_dispatcher(config)
    return lambda event_type, event: send(SOURCE, event_type, event)


@pytest.fixture
def running(config, dsn):
    runner = ServiceRunner(config)
    runner.add_service(ConsumerProbe)
    runner.start()
    yield runner
    runner.stop()


def new_event(stream_id, version):
    return {"event_id": str(uuid.uuid4()), "stream_id": str(stream_id), "stream_version": version}


def outcomes(event):
    """What became of each delivery of `event` so far, oldest first."""
    return [outcome for event_id, outcome in OUTCOMES if event_id == event["event_id"]]


def waiting(amqp_uri, handler):
    """Messages ready in the durable queue of the probe's `handler`."""
    with kombu.Connection(amqp_uri) as conn:
        queue = f"evt-{SOURCE}-{handler.removeprefix('on_')}--{CONSUMER}.{handler}"
        return conn.default_channel.queue_declare(queue, passive=True).message_count


def applied(dsn, stream_id):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT stream_version, event_id FROM test_consumer_applied WHERE stream_id = %s ORDER BY seq",
            (str(stream_id),),
        ).fetchall()


def test_the_same_event_delivered_twice_is_applied_once(running, dispatch, dsn):
    stream = uuid.uuid4()
    first, second = new_event(stream, 1), new_event(stream, 2)
    dispatch("thing_started", first)
    dispatch("thing_started", first)
    wait_for(lambda: applied(dsn, stream))
    dispatch("thing_finished", second)  # arrives after both copies, so they were both handled
    wait_for(lambda: len(applied(dsn, stream)) == 2)
    wait_for(lambda: sorted(outcomes(first)) == ["applied", "duplicate"])  # the copy was handled, and ignored
    assert applied(dsn, stream) == [(1, first["event_id"]), (2, second["event_id"])]


def test_events_arriving_out_of_order_are_applied_in_stream_order(running, dispatch, dsn):
    stream = uuid.uuid4()
    events = [new_event(stream, v) for v in (1, 2, 3)]
    dispatch("thing_finished", events[2])
    dispatch("thing_finished", events[1])
    wait_for(lambda: "refused" in outcomes(events[2]) and "refused" in outcomes(events[1]))
    assert applied(dsn, stream) == []
    dispatch("thing_started", events[0])
    wait_for(lambda: len(applied(dsn, stream)) == 3)
    assert applied(dsn, stream) == [(e["stream_version"], e["event_id"]) for e in events]


def test_a_handler_that_fails_once_is_retried_and_applied_once(running, dispatch, dsn):
    stream = uuid.uuid4()
    event = new_event(stream, 1)
    FAIL_TIMES[event["event_id"]] = 1
    dispatch("thing_started", event)
    wait_for(lambda: outcomes(event) == ["failed", "applied"])
    assert FAIL_TIMES[event["event_id"]] == 0
    assert applied(dsn, stream) == [(1, event["event_id"])]


def parked(dsn, event_id):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [letter for letter in deadletters.pending(conn) if letter["event_id"] == event_id]


def test_a_poison_message_is_parked_while_the_queue_keeps_draining_then_replayed(running, dispatch, dsn):
    poison_stream, other_stream = uuid.uuid4(), uuid.uuid4()
    poison = [new_event(poison_stream, 1), new_event(poison_stream, 2)]
    POISON.add(poison[0]["event_id"])
    dispatch("thing_started", poison[0])
    others = [new_event(other_stream, v) for v in range(1, 21)]
    for event in others:
        dispatch("thing_started", event)
    wait_for(lambda: len(applied(dsn, other_stream)) == 20)  # not blocked behind the poison
    wait_for(lambda: parked(dsn, poison[0]["event_id"]))
    dispatch("thing_finished", poison[1])  # waits for its predecessor, then is parked too
    wait_for(lambda: parked(dsn, poison[1]["event_id"]))

    first = parked(dsn, poison[0]["event_id"])[0]
    assert first["attempts"] == 4 and "cannot project this event" in first["error"]
    assert first["queue"] == f"evt-{SOURCE}-thing_started--{CONSUMER}.on_thing_started"
    listing = io.StringIO()
    deadletters.main(["favorites", "list"], out=listing)
    assert poison[0]["event_id"] in listing.getvalue() and poison[1]["event_id"] in listing.getvalue()
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert deadletters.update_metrics(conn, "favorites") >= 2
        assert deadletters.PARKED.labels("favorites")._value.get() >= 2

    POISON.clear()  # the operator fixed the cause
    assert deadletters.main(["favorites", "replay", str(first["id"])], out=io.StringIO()) == 0
    wait_for(lambda: len(applied(dsn, poison_stream)) == 1)
    assert deadletters.main(["favorites", "replay-all"], out=io.StringIO()) == 0
    wait_for(lambda: len(applied(dsn, poison_stream)) == 2)
    assert applied(dsn, poison_stream) == [(1, poison[0]["event_id"]), (2, poison[1]["event_id"])]
    assert not parked(dsn, poison[0]["event_id"]) and not parked(dsn, poison[1]["event_id"])
    assert deadletters.main(["favorites", "replay", str(first["id"])], out=io.StringIO()) == 1  # already replayed


def test_events_published_while_the_consumer_is_down_are_handled_when_it_starts(config, dispatch, dsn):
    runner = ServiceRunner(config)
    runner.add_service(ConsumerProbe)
    runner.start()  # declares its durable queues
    runner.stop()
    stream = uuid.uuid4()
    events = [new_event(stream, 1), new_event(stream, 2)]
    dispatch("thing_finished", events[1])
    dispatch("thing_started", events[0])
    # Kept by the broker while nobody consumes: each waits in its handler's durable queue.
    wait_for(
        lambda: (
            waiting(config["AMQP_URI"], "on_thing_started") == 1
            and waiting(config["AMQP_URI"], "on_thing_finished") == 1
        )
    )
    runner = ServiceRunner(config)
    runner.add_service(ConsumerProbe)
    runner.start()
    try:
        wait_for(lambda: len(applied(dsn, stream)) == 2)
    finally:
        runner.stop()
    assert applied(dsn, stream) == [(1, events[0]["event_id"]), (2, events[1]["event_id"])]
