"""Transactional outbox relay: publishes committed events to RabbitMQ as Nameko events.

Events are committed to the `events` table first (common.eventstore); the relay
then publishes them in commit order, at least once, to the exchange
`<source>.events` with the event type as routing key, exactly as Nameko's
`EventDispatcher` would, so `@event_handler("applications", "application_approved")`
receives them. Guarantees:

- Persistent messages with publisher confirms; the checkpoint row
  (`relay_checkpoints`) is advanced only past events the broker confirmed. A
  crash re-publishes from the checkpoint, so consumers see duplicates, never gaps.
- One active relay per database and name: the leader holds a PostgreSQL session
  advisory lock; standbys retry it and take over when the leader's session ends.
  The leader's session is bounded on the server (`idle_session_timeout`,
  `tcp_user_timeout`, keepalives; `RELAY_LEASE_SECONDS`, default 10): a leader
  that freezes or whose host vanishes loses the lock within the lease, and a
  standby takes over. A resumed old leader finds its session gone before it
  can move the checkpoint; what it may still send is a duplicate, which
  consumers skip by event_id.
- Published with `mandatory`: an event no queue is bound for (a consumer not
  deployed yet) comes back from the broker instead of vanishing; the relay keeps
  it unpublished and retries it with back-off until a queue takes it.
- Woken by NOTIFY from appending transactions, with a fallback poll.
- Any database or broker failure drops both connections and starts over from the
  checkpoint, so restarts of RabbitMQ or PostgreSQL only delay publishing.

Run it inside a service (`OutboxRelay` below) or as a process:
`python -m common.relay applications [--payload module:function]`.
"""

import argparse
import importlib
import json
import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import kombu
import psycopg
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from prometheus_client import Counter, Gauge
from psycopg import Connection
from psycopg.rows import tuple_row

from common import config, eventstore, locks, logs

log = logging.getLogger(__name__)

#: Builds a message body from a stored event.
Payload = Callable[[eventstore.Event], dict[str, Any]]

LAG = Gauge("outbox_relay_lag_events", "Newest event position minus the relay checkpoint", ["relay"])
OLDEST_UNPUBLISHED_AGE = Gauge(
    "outbox_relay_oldest_unpublished_age_seconds",
    "Age of the oldest event the broker has not confirmed yet (0 when none)",
    ["relay"],
)
UNROUTABLE = Counter(
    "outbox_relay_unroutable_total", "Publishes the broker returned because no queue was bound for them", ["relay"]
)

#: Back-off before re-publishing an event that no queue took, doubling up to the maximum.
UNROUTABLE_FIRST_DELAY, UNROUTABLE_MAX_DELAY = 0.5, 30.0


class Unroutable(Exception):
    """The broker returned the event: no queue is bound for its type (yet)."""

    def __init__(self, event: eventstore.Event, checkpoint: int) -> None:
        super().__init__(f"no queue bound for {event.type} (position {event.position})")
        self.event = event
        self.checkpoint = checkpoint  # the events before it were published


def lease_seconds() -> float:
    return float(config.env("RELAY_LEASE_SECONDS", "10"))


def session_bounds(lease: float) -> dict[str, Any]:
    """libpq options after which the server ends a leader's session that stopped talking.

    `idle_session_timeout` ends it when the leader is frozen or gone while idle (its
    usual state between polls), `idle_in_transaction_session_timeout` the same inside a
    transaction, `tcp_user_timeout` and keepalives when its host stops acknowledging.
    """
    ms = int(lease * 1000)
    return {
        "options": f"-c idle_session_timeout={ms} -c idle_in_transaction_session_timeout={ms} -c tcp_user_timeout={ms}",
        "keepalives": 1,
        "keepalives_idle": max(int(lease / 3), 1),
        "keepalives_interval": 1,
        "keepalives_count": 3,
    }


def default_payload(event: eventstore.Event) -> dict[str, Any]:
    """The message body of `event`: its payload plus event_id, stream_id, stream_version, occurred_at."""
    return {
        **event.payload,
        "event_id": str(event.event_id),
        "stream_id": str(event.stream_id),
        "stream_version": event.stream_version,
        "occurred_at": event.occurred_at.isoformat(),
    }


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)


def nameko_message(source: str, event: eventstore.Event, payload: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for kombu's `Producer.publish` that make `payload` a Nameko event.

    The body is encoded here rather than by kombu's serializer, which would wrap
    dates and UUIDs in `{"__type__": ...}` objects that other consumers do not expect.
    Headers carry Nameko's context: the originating request id and a call id stack.
    """
    headers: dict[str, Any] = {"nameko.call_id_stack": [f"{source}.outbox_relay.{event.event_id}"]}
    if event.metadata.get("request_id"):
        headers["nameko.request_id"] = event.metadata["request_id"]
    return {
        "body": json.dumps(payload, ensure_ascii=False, default=_json_default).encode("utf-8"),
        "content_type": "application/json",
        "content_encoding": "utf-8",
        "routing_key": event.type,
        "headers": headers,
        "delivery_mode": 2,
        "message_id": str(event.event_id),
    }


def status(conn: Connection[Any], name: str) -> dict[str, Any]:
    """Where relay `name` stands: {"checkpoint", "newest", "lag", "oldest_unpublished_age"} (seconds, or None)."""
    row = (
        conn.cursor(row_factory=tuple_row)
        .execute(
            """
        SELECT c.position,
               coalesce((SELECT max(position) FROM events), 0),
               extract(epoch FROM clock_timestamp() - (SELECT occurred_at FROM events WHERE position > c.position
                                                       ORDER BY position LIMIT 1))::float8
        FROM (SELECT coalesce((SELECT position FROM relay_checkpoints WHERE name = %s), 0) AS position) c
        """,
            (name,),
        )
        .fetchone()
    )
    assert row is not None  # a SELECT without FROM-filter gives one row
    checkpoint, newest, age = row
    return {"checkpoint": checkpoint, "newest": newest, "lag": newest - checkpoint, "oldest_unpublished_age": age}


def update_metrics(conn: Connection[Any], name: str) -> dict[str, Any]:
    """Refresh relay `name`'s Prometheus gauges from the database; returns `status`."""
    current = status(conn, name)
    LAG.labels(name).set(current["lag"])
    OLDEST_UNPUBLISHED_AGE.labels(name).set(current["oldest_unpublished_age"] or 0)
    return current


class Relay:
    """Publishes the `events` table of `database` as Nameko events of service `source`.

    `payload(event) -> dict` builds each message body (default `default_payload`);
    `name` keys the checkpoint and the leadership lock (default: `source`).
    `lease` (seconds, default `RELAY_LEASE_SECONDS`) bounds how long a silent leader keeps the lead.
    `mandatory=False` is for events only ephemeral (broadcast) queues consume, such as cache
    invalidations: with no such queue there is no one to tell, and nothing to wait for.
    `run()` blocks until `stop()`; it never raises on database or broker failures.
    """

    def __init__(
        self,
        database: str,
        source: str | None = None,
        *,
        name: str | None = None,
        payload: Payload = default_payload,
        amqp_uri: str | None = None,
        listen: bool = True,
        poll_interval: float = 1.0,
        batch_size: int = 100,
        standby_interval: float = 1.0,
        retry_interval: float = 0.5,
        lease: float | None = None,
        mandatory: bool = True,
    ) -> None:
        self.dsn = config.database_url(database)
        self.source = source or database
        self.name = name or self.source
        self.payload = payload
        self.amqp_uri = amqp_uri or config.amqp_uri()
        self.listen = listen
        self.lease = lease or lease_seconds()
        self.mandatory = mandatory
        # The leader talks to the server at least this often, or the lease would end its session.
        self.poll_interval = min(poll_interval, self.lease / 3)
        self.batch_size = batch_size
        self.standby_interval = standby_interval
        self.retry_interval = retry_interval
        self.exchange = get_event_exchange(self.source, {})
        self.stopping = False
        #: "starting", "standby", "leader" or "reconnecting" (after an outage); readiness reports it.
        self.role = "starting"
        self.returned: set[str] = set()  # event ids the broker returned as unroutable
        self.unroutable_delay = UNROUTABLE_FIRST_DELAY

    def stop(self) -> None:
        """Ask `run()` to return (within about a poll interval)."""
        self.stopping = True

    def run(self) -> None:
        while not self.stopping:
            try:
                self._serve()
            except Exception as exc:  # noqa: BLE001  (any outage: reconnect and resume from the checkpoint)
                self.role = "reconnecting"
                logs.log(log, logging.WARNING, "relay interrupted; restarting", relay=self.name, error=exc)
                time.sleep(self.retry_interval)

    def _serve(self) -> None:
        with psycopg.connect(
            self.dsn,
            autocommit=True,
            connect_timeout=5,
            application_name=f"outbox-relay {os.getpid()} {self.name}"[:63],
            **session_bounds(self.lease),
        ) as conn:
            self.role = "standby"
            if not self._lead(conn):
                return
            self.role = "leader"
            if self.listen:
                # Before the first read, so no commit between read and wait goes unnoticed.
                conn.execute(f"LISTEN {eventstore.CHANNEL}")
            conn.execute("INSERT INTO relay_checkpoints (name) VALUES (%s) ON CONFLICT DO NOTHING", (self.name,))
            checkpoint = status(conn, self.name)["checkpoint"]
            with kombu.Connection(
                self.amqp_uri, connect_timeout=5, transport_options={"confirm_publish": True}
            ) as broker:
                broker.connect()
                # Declares the exchange; returned (unroutable) messages are noted by event id.
                producer = broker.Producer(exchange=self.exchange, on_return=self._on_return)
                logs.log(log, logging.INFO, "relay leading", relay=self.name, checkpoint=checkpoint)
                while not self.stopping:
                    try:
                        checkpoint, full = self._publish_batch(conn, producer, checkpoint)
                    except Unroutable as exc:
                        checkpoint = exc.checkpoint
                        self._back_off(conn, exc.event)
                        continue
                    self.unroutable_delay = UNROUTABLE_FIRST_DELAY
                    update_metrics(conn, self.name)
                    if not full:
                        self._wait(conn)

    def _on_return(self, exc: Exception, exchange: Any, routing_key: str, message: Any) -> None:
        self.returned.add(message.properties.get("message_id"))

    def _back_off(self, conn: Connection[Any], event: eventstore.Event) -> None:
        UNROUTABLE.labels(self.name).inc()
        logs.log(
            log,
            logging.WARNING,
            "event unroutable, no queue bound yet; retrying",
            relay=self.name,
            event_type=event.type,
            position=event.position,
            delay=self.unroutable_delay,
        )
        deadline = time.monotonic() + self.unroutable_delay
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, self.poll_interval))
            update_metrics(conn, self.name)  # also keeps the leader's session from idling out
        self.unroutable_delay = min(self.unroutable_delay * 2, UNROUTABLE_MAX_DELAY)

    def _lead(self, conn: Connection[Any]) -> bool:
        """Block until this relay holds the leadership lock (True) or is stopped (False)."""
        while not self._try_lock(conn):
            update_metrics(conn, self.name)  # standbys keep the gauges fresh too
            time.sleep(self.standby_interval)
            if self.stopping:
                return False
        return True

    def _try_lock(self, conn: Connection[Any]) -> bool:
        return locks.try_session_lock(conn, locks.RELAY_LEADER, self.name)

    def _publish_batch(self, conn: Connection[Any], producer: Any, checkpoint: int) -> tuple[int, bool]:
        events = eventstore.read_log(conn, checkpoint, self.batch_size)
        for index, event in enumerate(events):
            # With confirm_publish, publish() returns only once the broker has the message;
            # a return for it (no queue bound) arrives before that confirmation.
            producer.publish(
                exchange=self.exchange,
                confirm_timeout=10,
                mandatory=self.mandatory,
                **nameko_message(self.source, event, self.payload(event)),
            )
            if str(event.event_id) in self.returned:
                self.returned.clear()
                if index:
                    checkpoint = events[index - 1].position
                    self._advance(conn, checkpoint)
                raise Unroutable(event, checkpoint)
        if events:
            checkpoint = events[-1].position
            self._advance(conn, checkpoint)
        return checkpoint, len(events) == self.batch_size

    def _advance(self, conn: Connection[Any], position: int) -> None:
        conn.execute(
            "UPDATE relay_checkpoints SET position = greatest(position, %s), updated_at = now() WHERE name = %s",
            (position, self.name),
        )

    def _wait(self, conn: Connection[Any]) -> None:
        if self.listen:
            for _ in conn.notifies(timeout=self.poll_interval, stop_after=1):
                pass
        else:
            time.sleep(self.poll_interval)


class OutboxRelay(DependencyProvider):
    """Runs the service's relay in its Nameko process; among replicas one leads, the rest stand by.

        class ApplicationsService:
            name = "applications"
            relay = OutboxRelay(payload=events.message_payload)

    Keyword arguments go to `Relay`; `database` (hence `source`) defaults to the service's name.
    """

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.relay: Relay | None = None
        self.thread: Any = None

    def start(self) -> None:
        self.relay = Relay(
            **{"database": self.container.service_name, "amqp_uri": self.container.config["AMQP_URI"], **self.options}
        )
        self.thread = self.container.spawn_managed_thread(self.relay.run, identifier="outbox_relay")

    def stop(self) -> None:
        if self.relay is not None and self.thread is not None:
            self.relay.stop()
            self.thread.wait()

    def kill(self) -> None:
        if self.relay is not None and self.thread is not None:
            self.relay.stop()
            self.thread.kill()


def _import(path: str) -> Any:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m common.relay", description="Run an outbox relay.")
    parser.add_argument("database", help="the service whose events table to publish, e.g. applications")
    parser.add_argument("--source", help="publish as this Nameko service (default: the database's service)")
    parser.add_argument("--name", help="checkpoint and leadership name (default: the source)")
    parser.add_argument("--payload", help="module:function building message bodies (default: default_payload)")
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--no-listen", action="store_true", help="poll only, without LISTEN/NOTIFY")
    args = parser.parse_args(argv)
    logs.configure(f"{args.database}-relay", config.env("LOG_LEVEL", "INFO"))
    relay = Relay(
        args.database,
        args.source,
        name=args.name,
        payload=_import(args.payload) if args.payload else default_payload,
        listen=not args.no_listen,
        poll_interval=args.poll_interval,
    )
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    signal.signal(signal.SIGINT, lambda *_: relay.stop())
    relay.run()


if __name__ == "__main__":
    main()
