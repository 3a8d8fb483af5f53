"""Parked messages: events a consumer kept failing on, kept for an operator.

`common.consumer.handler` parks a message here (table `dead_letters` in the
consuming service's database) after its last retry, so nothing is ever dropped.
Once the cause is fixed, an operator puts it back on its queue:

    python -m common.deadletters favorites list
    python -m common.deadletters favorites replay 42
    python -m common.deadletters favorites replay-all

Replaying publishes the original body and Nameko headers to the handler's queue
(with publisher confirms) and only then marks the row replayed; the handler is
idempotent, so a replay that is repeated after a crash changes nothing.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import kombu
from prometheus_client import Gauge
from psycopg import Connection
from psycopg.rows import dict_row, tuple_row
from psycopg.types.json import Jsonb

from common import config, db

PARKED = Gauge("event_consumer_parked_messages", "Messages parked in dead_letters and not replayed yet", ["service"])


def park(
    conn: Connection[Any],
    *,
    service: str,
    queue: str,
    event_type: str,
    payload: Any,
    headers: dict[str, Any],
    attempts: int,
    error: str,
) -> int:
    """Store a message that exhausted its retries; returns its id. Commits."""
    with conn.transaction():
        row = (
            conn.cursor(row_factory=dict_row)
            .execute(
                """INSERT INTO dead_letters (service, queue, event_type, event_id, payload, headers, attempts, error)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                (
                    service,
                    queue,
                    event_type,
                    str(payload.get("event_id")) if isinstance(payload, dict) else None,
                    Jsonb(payload),
                    Jsonb(headers),
                    attempts,
                    error,
                ),
            )
            .fetchone()
        )
    assert row is not None  # INSERT ... RETURNING gives the row
    return int(row["id"])


def pending(conn: Connection[Any]) -> list[dict[str, Any]]:
    """Parked messages not replayed yet, oldest first."""
    return (
        conn.cursor(row_factory=dict_row)
        .execute("SELECT * FROM dead_letters WHERE replayed_at IS NULL ORDER BY id")
        .fetchall()
    )


def replay(conn: Connection[Any], letter_id: int, amqp_uri: str | None = None) -> bool:
    """Put parked message `letter_id` back on its queue; False if there is no such pending message."""
    with conn.transaction():
        letter = (
            conn.cursor(row_factory=dict_row)
            .execute("SELECT * FROM dead_letters WHERE id = %s AND replayed_at IS NULL FOR UPDATE", (letter_id,))
            .fetchone()
        )
        if letter is None:
            return False
        with kombu.Connection(amqp_uri or config.amqp_uri(), transport_options={"confirm_publish": True}) as broker:
            broker.connect()  # fails fast when the broker is down, instead of retrying forever
            channel = broker.default_channel
            # A queue that no longer exists would drop the message silently: fail instead.
            channel.queue_declare(letter["queue"], passive=True)
            broker.Producer(channel).publish(
                json.dumps(letter["payload"], ensure_ascii=False).encode("utf-8"),
                exchange="",
                routing_key=letter["queue"],
                headers=letter["headers"],
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
            )
        conn.execute("UPDATE dead_letters SET replayed_at = now() WHERE id = %s", (letter_id,))
    return True


def replay_all(conn: Connection[Any], amqp_uri: str | None = None) -> int:
    """Replay every pending parked message, oldest first; returns how many."""
    return sum(replay(conn, letter["id"], amqp_uri) for letter in pending(conn))


def update_metrics(conn: Connection[Any], service: str) -> int:
    """Refresh the parked-messages gauge for `service`; returns the count."""
    row = (
        conn.cursor(row_factory=tuple_row)
        .execute("SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL")
        .fetchone()
    )
    assert row is not None  # an aggregate always returns one row
    count = int(row[0])
    PARKED.labels(service).set(count)
    return count


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m common.deadletters", description="List and replay parked event messages."
    )
    parser.add_argument("service", help="the consuming service, e.g. favorites")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="show parked messages")
    one = commands.add_parser("replay", help="put one parked message back on its queue")
    one.add_argument("id", type=int)
    commands.add_parser("replay-all", help="put every parked message back on its queue")
    args = parser.parse_args(argv)
    with db.connect(args.service, autocommit=True) as conn:
        if args.command == "list":
            for letter in pending(conn):
                reason = letter["error"].strip().splitlines()[-1] if letter["error"].strip() else ""
                print(
                    f"{letter['id']}\t{letter['parked_at']:%Y-%m-%d %H:%M:%S}\t{letter['event_type']}\t"
                    f"{letter['event_id']}\tattempts={letter['attempts']}\t{letter['queue']}\t{reason}",
                    file=out,
                )
        elif args.command == "replay":
            if not replay(conn, args.id):
                print(f"no parked message {args.id}", file=sys.stderr)
                return 1
            print(f"replayed {args.id}", file=out)
        else:
            print(f"replayed {replay_all(conn)}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
