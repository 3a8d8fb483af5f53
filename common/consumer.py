"""Consuming integration events: each applied once, in stream order, none ever dropped.

Two pieces work together in a Nameko service:

- `handler(source, event_type)` is the entrypoint. It is Nameko's `event_handler`
  (SERVICE_POOL: a durable queue per service and method, bound to
  `<source>.events`, which keeps collecting events while the service is down),
  except that a failed message is never simply acknowledged: it is republished
  to a delay queue that hands it back to the handler's queue after a back-off
  (`EVENT_RETRY_DELAYS` in the Nameko config, seconds), and after the last
  retry it is parked in `dead_letters` (see common.deadletters). Meanwhile the
  queue keeps draining.
- `apply_once(conn, consumer, event, project)`, called inside the handler,
  runs the projection change and records the event in one transaction. A
  duplicate delivery is skipped. An event whose predecessor in its stream has
  not been applied yet waits briefly for it, then raises `NotNextInStream`, so
  the entrypoint retries it later: Nameko gives every event type its own queue
  and runs several workers per queue, so version 2 of a stream can arrive, or
  be picked up, before version 1.

    from common import consumer

    class FavoritesService:
        name = "favorites"
        store = Store("favorites", FavoritesStore)

        @consumer.handler("applications", "application_approved")
        def on_application_approved(self, event):
            with self.store.pool.connection() as conn:
                # record_intern(conn, event) changes the read model through `conn`
                consumer.apply_once(conn, "favorites", event, record_intern)

        @consumer.handler("applications", "application_submitted")
        def on_application_submitted(self, event):
            with self.store.pool.connection() as conn:
                consumer.apply_once(conn, "favorites", event, consumer.ignore)

Versions are applied strictly one after another, so a consumer handles every
event type of the streams it follows, with `ignore` for those it does not need.
An event still out of sequence after the last retry is parked like any other
failure, and a replay (in parking order) completes its stream.
"""

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import kombu
import psycopg
from nameko.amqp.publish import get_producer
from nameko.constants import AMQP_URI_CONFIG_KEY, DEFAULT_RETRY_POLICY
from nameko.containers import ServiceContainer
from nameko.events import BROADCAST, SERVICE_POOL, EventHandler
from psycopg import Connection
from psycopg.rows import tuple_row

from common import config, deadletters, logs

log = logging.getLogger(__name__)

#: Back-off before each retry, in seconds; the message is parked after the last one.
DEFAULT_RETRY_DELAYS = (1, 5, 30, 120, 600)
RETRY_DELAYS_CONFIG_KEY = "EVENT_RETRY_DELAYS"
#: Header counting the failed attempts of a message.
ATTEMPTS_HEADER = "x-attempts"
#: Nameko config key (env EVENT_QUEUE_TYPE): "quorum" declares the durable event queues as
#: quorum queues, replicated across a RabbitMQ cluster; "classic" (the default) as before.
QUEUE_TYPE_CONFIG_KEY = "EVENT_QUEUE_TYPE"

#: A message body as published: event_id, stream id and stream_version, then the event's fields.
Message = dict[str, Any]
#: Changes a read model for one message, through the caller's connection and transaction.
MessageProjector = Callable[[Connection[Any], Message], None]


class NotNextInStream(Exception):
    """The event is not the next version of its stream for this consumer (`early`: its predecessor is missing)."""

    def __init__(self, stream_id: str, version: int, expected: int) -> None:
        super().__init__(f"stream {stream_id}: got version {version}, next is {expected}")
        self.early = version > expected


def ignore(conn: Connection[Any], event: Message) -> None:
    """A projector for event types a consumer follows only to keep its streams in sequence."""


def apply_once(
    conn: Connection[Any],
    consumer: str,
    event: Message,
    project: MessageProjector,
    stream_field: str = "stream_id",
    wait: float = 2.0,
) -> bool:
    """Apply `project(conn, event)` exactly once and in stream order, in one transaction.

    `event` is the message body; it must carry `event_id`, `stream_version` and
    the stream id under `stream_field`. Returns True if applied now, False if
    this event was applied before. An event whose predecessor has not been
    applied yet waits up to `wait` seconds for it (usually another worker is
    applying it at that moment), then raises `NotNextInStream` with nothing
    written, for the entrypoint to retry later. Exceptions from `project` roll
    everything back too.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            return _apply_once(conn, consumer, event, project, stream_field)
        except NotNextInStream as exc:
            if not exc.early or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _apply_once(
    conn: Connection[Any], consumer: str, event: Message, project: MessageProjector, stream_field: str
) -> bool:
    stream_id, version = str(event[stream_field]), int(event["stream_version"])
    cur = conn.cursor(row_factory=tuple_row)
    with conn.transaction():
        # Creates or locks the stream's row, so concurrent handlers of one stream take turns.
        row = cur.execute(
            """INSERT INTO consumer_streams (consumer, stream_id, version) VALUES (%s, %s, 0)
               ON CONFLICT (consumer, stream_id) DO UPDATE SET version = consumer_streams.version
               RETURNING version""",
            (consumer, stream_id),
        ).fetchone()
        assert row is not None  # INSERT ... RETURNING gives the row
        current = int(row[0])
        if cur.execute(
            "SELECT 1 FROM consumer_inbox WHERE consumer = %s AND event_id = %s", (consumer, event["event_id"])
        ).fetchone():
            return False
        if version != current + 1:
            raise NotNextInStream(stream_id, version, current + 1)
        project(conn, event)
        cur.execute(
            "INSERT INTO consumer_inbox (consumer, event_id, stream_id, stream_version) VALUES (%s, %s, %s, %s)",
            (consumer, event["event_id"], stream_id, version),
        )
        cur.execute(
            "UPDATE consumer_streams SET version = %s WHERE consumer = %s AND stream_id = %s",
            (version, consumer, stream_id),
        )
    return True


def retry_queue(queue_name: str, delay: float) -> kombu.Queue:
    """The delay queue that returns messages to `queue_name` after `delay` seconds."""
    ms = int(delay * 1000)
    return kombu.Queue(
        f"{queue_name}.retry-{ms}ms",
        exchange=kombu.Exchange(""),
        routing_key=f"{queue_name}.retry-{ms}ms",
        durable=True,
        queue_arguments={"x-message-ttl": ms, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name},
    )


def next_step(attempts: int, delays: Sequence[float]) -> tuple[str, float | None]:
    """After `attempts` failed attempts: ("retry", delay) or ("park", None)."""
    return ("retry", delays[attempts - 1]) if attempts <= len(delays) else ("park", None)


class ReliableEventHandler(EventHandler):
    """A SERVICE_POOL `event_handler` that retries failed messages with back-off and then parks them.

    `database` names the service database holding `dead_letters` (default: the service's name).
    """

    def __init__(
        self,
        source_service: str,
        event_type: str,
        database: str | None = None,
        expected_exceptions: type[Exception] | tuple[type[Exception], ...] = (),
        **kwargs: Any,
    ) -> None:
        if not isinstance(expected_exceptions, tuple):
            expected_exceptions = (expected_exceptions,)
        # An event waiting for its predecessor is routine, not an error worth a traceback at ERROR.
        super().__init__(
            source_service,
            event_type,
            handler_type=SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=False,
            expected_exceptions=expected_exceptions + (NotNextInStream,),
            **kwargs,
        )
        self.database = database

    def setup(self) -> None:
        super().setup()
        self.delays = tuple(self.container.config.get(RETRY_DELAYS_CONFIG_KEY, DEFAULT_RETRY_DELAYS))
        queue_type = self.container.config.get(QUEUE_TYPE_CONFIG_KEY, "classic")
        if queue_type != "classic":
            self.queue.queue_arguments = {**(self.queue.queue_arguments or {}), "x-queue-type": queue_type}

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> None:
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        try:
            self._retry_or_park(message, exc_info)
        except Exception as exc:  # noqa: BLE001
            # Neither broker nor database would take it: hand it back rather than drop it.
            logs.log(log, logging.ERROR, "could not retry or park event; requeueing", queue=self.queue.name, error=exc)
            time.sleep(1)
            self.queue_consumer.requeue_message(message)
        else:
            self.queue_consumer.ack_message(message)

    def _retry_or_park(self, message: Any, exc_info: Any) -> None:
        attempts = int(message.headers.get(ATTEMPTS_HEADER, 0)) + 1
        step, delay = next_step(attempts, self.delays)
        # The operators' table keeps the whole traceback; events carry no personal data.
        error = "".join(traceback.format_exception(*exc_info))
        fields = {"queue": self.queue.name, "event_type": self.event_type, "attempts": attempts, "error": exc_info[1]}
        if step == "retry" and delay is not None:
            headers = {
                k: v
                for k, v in message.headers.items()
                if not k.startswith(("x-death", "x-first-death", "x-last-death"))
            }
            headers[ATTEMPTS_HEADER] = attempts
            queue = retry_queue(self.queue.name, delay)
            with get_producer(self.container.config[AMQP_URI_CONFIG_KEY]) as producer:  # confirms on
                producer.publish(
                    message.body,
                    exchange="",
                    routing_key=queue.name,
                    declare=[queue],
                    headers=headers,
                    content_type=message.content_type,
                    content_encoding=message.content_encoding,
                    delivery_mode=2,
                    retry=True,
                    retry_policy=DEFAULT_RETRY_POLICY,
                )
            logs.log(
                log,
                logging.INFO if isinstance(exc_info[1], NotNextInStream) else logging.WARNING,
                "event handler failed; retrying",
                delay=delay,
                **fields,
            )
            return
        database = self.database or self.container.service_name
        with psycopg.connect(config.database_url(database), connect_timeout=5) as conn:
            letter = deadletters.park(
                conn,
                service=self.container.service_name,
                queue=self.queue.name,
                event_type=self.event_type,
                payload=message.decode(),
                attempts=attempts,
                error=error,
                headers={k: v for k, v in message.headers.items() if k.startswith("nameko.")},
            )
        logs.log(log, logging.ERROR, "event parked in dead_letters", dead_letter=letter, **fields)


handler = ReliableEventHandler.decorator


def durable_queues(service_cls: type, nameko_config: dict[str, Any]) -> list[kombu.Queue]:
    """The durable event queues `service_cls`'s handlers consume, as Nameko would declare them.

    Broadcast handlers' queues belong to one running instance each and are left out.
    """
    container = ServiceContainer(service_cls, nameko_config)
    queues: list[kombu.Queue] = []
    for entrypoint in container.entrypoints:
        if isinstance(entrypoint, EventHandler) and entrypoint.handler_type != BROADCAST:
            entrypoint.setup()  # computes the queue exactly as Nameko names, binds and configures it
            if entrypoint.queue.durable and not entrypoint.queue.auto_delete:
                queues.append(entrypoint.queue)
    return queues


def declare_queues(service_cls: type, nameko_config: dict[str, Any]) -> list[str]:
    """Create `service_cls`'s durable event queues without starting it; returns their names.

    Nameko declares a handler's queue only when the service first starts, and an
    event published before that reaches no queue. Run at deploy time and at every
    process start, before anything publishes, this closes that window (and the
    relay's mandatory publishing catches what slips through).
    """
    queues = durable_queues(service_cls, nameko_config)
    with kombu.Connection(nameko_config[AMQP_URI_CONFIG_KEY]) as conn:
        for queue in queues:
            queue(conn.default_channel).declare()
    return sorted(queue.name for queue in queues)
