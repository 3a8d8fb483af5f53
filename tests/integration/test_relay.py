"""The outbox relay against real PostgreSQL and RabbitMQ: Nameko format, wake-ups, crashes and outages."""

import json
import os
import queue
import random
import signal
import threading
import time
import uuid

import eventlet
import kombu
import psycopg
import pytest
from nameko.events import event_handler
from nameko.runners import ServiceRunner
from nameko.standalone.events import get_event_exchange

from common import db, eventstore, relay
from common.eventstore import NewEvent
from common.rpc import RequestId
from deploy import system
from deploy.system import rabbitmqctl
from services.favorites.service import FavoritesService
from tests.conftest import LOG_DIR
from tests.polling import wait_for

SOURCE = f"relaytest{uuid.uuid4().hex[:8]}"
RECEIVED = queue.Queue()


@pytest.fixture(scope="module")
def dsn(databases):
    return databases("applications")


def start_at_head(dsn, name):
    """Start relay `name` after the events earlier tests left in the shared log."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO relay_checkpoints (name, position) SELECT %s, coalesce(max(position), 0) FROM events"
            " ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (name,),
        )


def append(dsn, stream, expected, *types, metadata=None):
    with psycopg.connect(dsn) as conn, conn.transaction():
        return eventstore.append(
            conn,
            stream,
            expected,
            [NewEvent(t, {"note": f"#{expected + i + 1}"}, metadata or {}) for i, t in enumerate(types)],
        )


class Probe:
    """A durable queue bound to every event of a source service, read with basic_get."""

    def __init__(self, amqp_uri, source):
        self.amqp_uri = amqp_uri
        self.queue = kombu.Queue(
            f"probe-{source}", exchange=get_event_exchange(source, {}), routing_key="#", durable=True
        )
        with kombu.Connection(amqp_uri) as conn:
            self.queue(conn.default_channel).declare()

    def drain(self, until=lambda messages: False, timeout=0.0):
        """Messages until the queue is empty (and `until(messages)` holds, waiting up to `timeout`)."""
        messages, deadline = [], time.monotonic() + timeout
        with kombu.Connection(self.amqp_uri) as conn:
            bound = self.queue(conn.default_channel)
            while True:
                message = bound.get(no_ack=True)
                if message is not None:
                    messages.append(message)
                elif until(messages) or time.monotonic() > deadline:
                    return messages
                else:
                    time.sleep(0.02)

    def delete(self):
        with kombu.Connection(self.amqp_uri) as conn:
            self.queue(conn.default_channel).delete()


class Listener:
    name = f"{SOURCE}_listener"
    request_id = RequestId()

    @event_handler(SOURCE, "thing_happened")
    def on_thing_happened(self, payload):
        RECEIVED.put((payload, self.request_id))


class RelayHost:
    name = f"{SOURCE}_host"
    relay = relay.OutboxRelay(database="applications", source=SOURCE, poll_interval=0.5)


def test_relay_inside_a_service_publishes_what_a_nameko_event_handler_receives(dsn, amqp_uri):
    start_at_head(dsn, SOURCE)
    probe = Probe(amqp_uri, SOURCE)
    runner = ServiceRunner({"AMQP_URI": amqp_uri})
    runner.add_service(Listener)
    runner.add_service(RelayHost)
    runner.start()
    try:
        stream = uuid.uuid4()
        stored = append(dsn, stream, 0, "thing_happened", "thing_happened", metadata={"request_id": "req-42"})
        got = [RECEIVED.get(timeout=10) for _ in stored]
    finally:
        runner.stop()
    by_version = {payload["stream_version"]: (payload, request_id) for payload, request_id in got}
    for event in stored:
        payload, request_id = by_version[event.stream_version]
        assert payload == {
            "note": event.payload["note"],
            "event_id": str(event.event_id),
            "stream_id": str(stream),
            "stream_version": event.stream_version,
            "occurred_at": event.occurred_at.isoformat(),
        }
        assert request_id == "req-42"  # the appending request's id, carried as nameko.request_id
    messages = probe.drain(until=lambda m: len(m) == 2, timeout=5)
    probe.delete()
    assert [m.delivery_info["routing_key"] for m in messages] == ["thing_happened"] * 2
    assert {m.properties["delivery_mode"] for m in messages} == {2}
    assert {m.content_type for m in messages} == {"application/json"}
    assert [json.loads(m.body)["stream_version"] for m in messages] == [1, 2]
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert relay.update_metrics(conn, SOURCE)["lag"] == 0


@pytest.mark.parametrize("listen", [True, False], ids=["notify", "poll"])
def test_relay_wakes_on_notify_and_polling_alone_also_delivers(dsn, amqp_uri, listen):
    source = f"{SOURCE}{'n' if listen else 'p'}"
    start_at_head(dsn, source)
    probe = Probe(amqp_uri, source)
    # With NOTIFY the fallback poll is far too slow to explain a quick delivery.
    worker = relay.Relay("applications", source, listen=listen, poll_interval=5.0 if listen else 0.3)
    thread = eventlet.spawn(worker.run)
    try:
        deadline = time.monotonic() + 10
        while worker.role != "leader":
            assert time.monotonic() < deadline, f"the relay never led ({worker.role})"
            time.sleep(0.02)
        # The relay now waits for notifications, which must not block the eventlet hub.
        slept = time.monotonic()
        time.sleep(0.1)
        assert time.monotonic() - slept < 1.0, "waiting for notifications must not block the eventlet hub"
        started = time.monotonic()
        append(dsn, uuid.uuid4(), 0, "thing_happened")
        assert len(probe.drain(until=lambda m: len(m) == 1, timeout=5)) == 1
        assert time.monotonic() - started < (1.0 if listen else 2.0)
    finally:
        worker.stop()
        thread.wait()
        probe.delete()


def test_metrics_report_lag_and_the_age_of_the_oldest_unpublished_event(dsn):
    name = f"{SOURCE}metrics"
    start_at_head(dsn, name)
    append(dsn, uuid.uuid4(), 0, "thing_happened", "thing_happened")
    with psycopg.connect(dsn, autocommit=True) as conn:
        wait_for(lambda: relay.status(conn, name)["oldest_unpublished_age"] >= 0.2)
        current = relay.update_metrics(conn, name)
    assert current["lag"] >= 2 and current["oldest_unpublished_age"] >= 0.2
    assert relay.LAG.labels(name)._value.get() == current["lag"]


class RelayProcesses:
    """Relay processes of one name, publishing to the vhost at `amqp_uri`, started and SIGKILLed at will."""

    def __init__(self, dsn, source, amqp_uri, name=None, **env):
        self.dsn, self.source, self.name, self.procs = dsn, source, name or source, []
        self.env = system.base_env(AMQP_URI=amqp_uri, **env)

    def spawn(self):
        command = [
            system.PYTHON,
            "-m",
            "common.relay",
            "applications",
            "--source",
            self.source,
            "--name",
            self.name,
            "--poll-interval",
            "0.5",
        ]
        self.procs.append(system.start(command, self.env, LOG_DIR / f"relay-{self.name}.log"))

    def leader_pid(self):
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            row = conn.execute(
                """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                   WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
                     AND a.application_name LIKE %s""",
                (f"outbox-relay % {self.name}",),
            ).fetchone()
        return int(row[0].split()[1]) if row else None

    def kill(self, pid):
        proc = next(p for p in self.procs if p.pid == pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.procs.remove(proc)
        self.spawn()

    def wait_leader(self, timeout=10):
        return wait_for(self.leader_pid, timeout=timeout, interval=0.1)

    def kill_leader(self):
        self.kill(self.wait_leader())

    def wait_published(self, timeout=30):
        """Until the relays have published past where they stand now: the last fault is over."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            before = relay.status(conn, self.name)["checkpoint"]
            wait_for(lambda: relay.status(conn, self.name)["checkpoint"] > before, timeout=timeout, interval=0.05)

    def terminate_database_sessions(self):
        """What a PostgreSQL restart does to the relays: their sessions (and the lock) vanish."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE %s",
                (f"outbox-relay % {self.name}",),
            )

    def stop(self):
        system.stop(self.procs)
        return [p.returncode for p in self.procs]


def test_relay_survives_kills_and_outages_without_losing_or_reordering(dsn, private_vhost):
    vhost, amqp_uri = private_vhost
    source = f"{SOURCE}chaos"
    start_at_head(dsn, source)
    probe = Probe(amqp_uri, source)
    relays = RelayProcesses(dsn, source, amqp_uri)
    committed = []  # (position, event_id, stream, version)
    writing = threading.Event()
    writing.set()

    def writer(seed):
        rnd = random.Random(seed)
        versions = {uuid.uuid4(): 0 for _ in range(5)}
        with psycopg.connect(dsn) as conn:
            while writing.is_set():
                stream = rnd.choice(list(versions))
                with conn.transaction():
                    stored = eventstore.append(
                        conn,
                        stream,
                        versions[stream],
                        [NewEvent("thing_happened", {}) for _ in range(rnd.randint(1, 2))],
                    )
                versions[stream] += len(stored)
                committed.extend((e.position, str(e.event_id), str(stream), e.stream_version) for e in stored)
                time.sleep(rnd.uniform(0, 0.02))

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    try:
        relays.spawn()
        relays.spawn()
        for t in writers:
            t.start()
        # Each fault strikes once the relays have published since the one before.
        relays.wait_published()
        relays.kill_leader()
        relays.wait_published()
        # The broker drops every connection of this test's vhost (as a node failover does), twice,
        # the second time killing the leader while it reconnects; other vhosts are untouched.
        rabbitmqctl("close_all_connections", "-p", vhost, "relay chaos test")
        relays.wait_published()
        rabbitmqctl("close_all_connections", "-p", vhost, "relay chaos test")
        relays.kill_leader()
        relays.wait_published()
        relays.kill_leader()
        relays.wait_published()
        relays.terminate_database_sessions()
        relays.wait_published()
        for proc in list(relays.procs):
            relays.kill(proc.pid)
        relays.wait_published()
        relays.kill_leader()
        relays.wait_published()
        writing.clear()
        for t in writers:
            t.join()

        deadline = time.monotonic() + 30
        with psycopg.connect(dsn, autocommit=True) as conn:
            while (lag := relay.status(conn, source)["lag"]) != 0:
                assert time.monotonic() < deadline, f"relay lag stuck at {lag}"
                time.sleep(0.2)
        messages = probe.drain()
    finally:
        writing.clear()
        for t in writers:
            t.join()
        codes = relays.stop()

    assert codes == [0, 0], "relays stop cleanly on SIGTERM"
    position_of = {event_id: position for position, event_id, _, _ in committed}
    received = [json.loads(m.body) for m in messages]
    assert len(committed) > 200
    assert set(position_of) <= {p["event_id"] for p in received}, "every committed event was published"
    # Duplicates are allowed, but each event arrives only after all of its predecessors:
    # first arrivals follow commit order, and so every stream's versions.
    first_arrivals, arrived = [], set()
    for payload in received:
        if payload["event_id"] in position_of and payload["event_id"] not in arrived:
            arrived.add(payload["event_id"])
            first_arrivals.append(position_of[payload["event_id"]])
    assert first_arrivals == sorted(position_of.values())
    highest = {}
    for payload in received:
        stream, version = payload["stream_id"], payload["stream_version"]
        assert version <= highest.get(stream, 0) + 1, f"stream {stream} version {version} before its predecessor"
        highest[stream] = max(highest.get(stream, 0), version)
    probe.delete()


def test_an_event_no_queue_takes_is_retried_until_one_does(dsn, private_vhost):
    """Published `mandatory`: the broker returns it, the checkpoint stays, a later queue gets it."""
    _, amqp_uri = private_vhost
    source = f"{SOURCE}unroutable"
    start_at_head(dsn, source)
    worker = relay.Relay("applications", source, amqp_uri=amqp_uri, poll_interval=0.3)
    returned_before = relay.UNROUTABLE.labels(source)._value.get()
    thread = eventlet.spawn(worker.run)
    probe = None
    try:
        stored = append(dsn, uuid.uuid4(), 0, "thing_happened", "thing_happened")
        wait_for(lambda: relay.UNROUTABLE.labels(source)._value.get() > returned_before, timeout=10)
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert relay.status(conn, source)["lag"] == 2, "a returned event is not counted as published"
        probe = Probe(amqp_uri, source)  # the consumer deployed after the producer
        messages = probe.drain(until=lambda m: len(m) >= 2, timeout=30)
        assert [json.loads(m.body)["event_id"] for m in messages][:2] == [str(e.event_id) for e in stored]
        with psycopg.connect(dsn, autocommit=True) as conn:
            wait_for(lambda: relay.status(conn, source)["lag"] == 0, timeout=10)
    finally:
        worker.stop()
        thread.wait()
        if probe:
            probe.delete()


def approval_events(dsn, count):
    """`count` people's application submitted and approved, appended as the applications service would."""
    applicants = []
    for _ in range(count):
        application_id, applicant_id = uuid.uuid4(), str(uuid.uuid4())
        base = {
            "application_id": str(application_id),
            "applicant_id": applicant_id,
            "jurisdiction": {"city_code": "140100", "county_code": None},
        }
        with psycopg.connect(dsn) as conn, conn.transaction():
            eventstore.append(
                conn,
                application_id,
                0,
                [
                    NewEvent(
                        "application_submitted",
                        {**base, "case_number": f"JX{application_id.hex[:14]}", "category": "graduate"},
                    ),
                    NewEvent("application_approved", {**base, "reviewer_id": str(uuid.uuid4()), "comment": ""}),
                ],
            )
        applicants.append(applicant_id)
    return applicants


def interns_among(applicants):
    with db.connect("favorites", autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) AS n FROM interns WHERE applicant_id = ANY(%s::uuid[])", (applicants,)
        ).fetchone()["n"]


def test_a_standby_relay_takes_over_within_30s_of_the_leader_freezing_and_no_effect_repeats(
    dsn, databases, private_vhost
):
    databases("favorites")
    _, amqp_uri = private_vhost
    name = f"{SOURCE}failover"
    start_at_head(dsn, name)
    favorites = ServiceRunner({"AMQP_URI": amqp_uri})
    favorites.add_service(FavoritesService)
    favorites.start()  # declares its queues: the relay's mandatory publishes have somewhere to go
    relays = RelayProcesses(dsn, "applications", amqp_uri, name=name, RELAY_LEASE_SECONDS="10")
    frozen = None
    try:
        relays.spawn()
        relays.spawn()
        first = approval_events(dsn, 3)
        wait_for(lambda: interns_among(first) == 3, timeout=30)
        frozen = relays.wait_leader()
        os.kill(frozen, signal.SIGSTOP)  # the leader's host vanishes, as far as anyone can tell
        stopped_at = time.monotonic()
        during = approval_events(dsn, 5)
        # This relay's own checkpoint, not the interns: the session's e2e system relays the same
        # log into the same favorites database, so interns alone would not prove the standby published.
        with psycopg.connect(dsn, autocommit=True) as conn:
            wait_for(lambda: relay.status(conn, name)["lag"] == 0, timeout=30, interval=0.1)
        assert time.monotonic() - stopped_at < 30
        assert relays.leader_pid() not in (None, frozen)
        wait_for(lambda: interns_among(during) == 5, timeout=30)
        os.kill(frozen, signal.SIGCONT)
        frozen = None
        after = approval_events(dsn, 3)
        wait_for(lambda: interns_among(after) == 3, timeout=30)
        with psycopg.connect(dsn, autocommit=True) as conn:
            wait_for(lambda: relay.status(conn, name)["lag"] == 0, timeout=30)
    finally:
        if frozen:
            os.kill(frozen, signal.SIGCONT)
        codes = relays.stop()
        favorites.stop()
    assert codes == [0, 0], "the resumed relay went back to standing by and stops cleanly"
    people = first + during + after
    with db.connect("favorites", autocommit=True) as conn:
        applied = conn.execute(
            """SELECT count(*) AS events, count(DISTINCT i.event_id) AS distinct_events,
                      count(DISTINCT s.stream_id) FILTER (WHERE s.version = 2) AS complete_streams
               FROM consumer_inbox i JOIN consumer_streams s USING (consumer, stream_id)
               WHERE i.consumer = 'favorites' AND i.stream_id IN (
                   SELECT application_id::text FROM interns WHERE applicant_id = ANY(%s::uuid[]))""",
            (people,),
        ).fetchone()
        parked = conn.execute(
            "SELECT count(*) AS n FROM dead_letters WHERE payload->>'applicant_id' = ANY(%s)", (people,)
        ).fetchone()["n"]
    assert interns_among(people) == len(people)
    assert applied == {
        "events": 2 * len(people),
        "distinct_events": 2 * len(people),
        "complete_streams": len(people),
    }, "each event applied exactly once, in order"
    assert parked == 0
