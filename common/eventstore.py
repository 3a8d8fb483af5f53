"""Append-only event store on PostgreSQL (tables in services/applications/migrations).

A service keeps each aggregate as a stream of events and its read models as
projections updated in the same transaction::

    with pool.connection() as conn:             # one transaction
        state = fold(eventstore.read_stream(conn, application_id))
        new = domain.approve(state, ...)        # -> [NewEvent, ...] or raises
        for event in eventstore.append(conn, application_id, state.version, new):
            project(conn, event)                # same code `projections.rebuild` replays
    # commit happens here; a ConcurrencyConflict rolls everything back

Commit order without gaps: positions come from a sequence, handed out before
commit, so without care a reader could see position 11 while 10 is still
uncommitted and skip 10 forever. `append` takes an EXCLUSIVE lock on the
events table (it blocks other appends, never readers) and holds it until the
caller's transaction ends, so positions become visible in order and
`read_log` never skips one. The price is that appends are serialised: call
`append` as late as possible in the transaction and commit promptly.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg import errors as pg_errors
from psycopg.rows import class_row, tuple_row
from psycopg.types.json import Jsonb

from common.errors import Conflict

#: LISTEN/NOTIFY channel notified by every appending transaction at commit.
CHANNEL = "events"

#: Only the gap test's negative control turns this off, to show the lock is what prevents skipped events.
serialise_appends = True


class ConcurrencyConflict(Conflict):
    """Another writer appended to the stream since `expected_version` was read.

    Nothing of the batch is written; roll back, re-read and retry, or answer 409.
    """

    code = "CONCURRENT_UPDATE"
    default_message = "数据已被他人同时修改，请刷新后重试"


@dataclass(frozen=True)
class NewEvent:
    """An event to append: its integration name (e.g. `application_submitted`) and data."""

    type: str
    payload: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)  # request_id, actor, ...
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class Event:
    """A stored event."""

    position: int
    event_id: uuid.UUID
    stream_id: uuid.UUID
    stream_version: int
    type: str
    payload: dict[str, Any]
    metadata: dict[str, Any]
    occurred_at: datetime


_LOCK = "LOCK TABLE events IN EXCLUSIVE MODE"

# The version check and the insert are one statement, run after the lock is held,
# so "nobody appended since expected_version" is decided atomically. The unique
# (stream_id, stream_version) stays as the backstop.
_INSERT = """
INSERT INTO events (event_id, stream_id, stream_version, type, payload, metadata)
SELECT e.event_id, %(stream_id)s, %(expected)s + e.n, e.type, e.payload, e.metadata
FROM unnest(%(ids)s::uuid[], %(types)s::text[], %(payloads)s::jsonb[], %(metadata)s::jsonb[])
     WITH ORDINALITY AS e(event_id, type, payload, metadata, n)
WHERE (SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = %(stream_id)s) = %(expected)s
ORDER BY e.n
RETURNING position, event_id, stream_id, stream_version, type, payload, metadata, occurred_at
"""

_COLUMNS = "position, event_id, stream_id, stream_version, type, payload, metadata, occurred_at"


def append(
    conn: Connection[Any], stream_id: uuid.UUID | str, expected_version: int, events: Sequence[NewEvent]
) -> list[Event]:
    """Append `events` (NewEvent list) to a stream at versions expected_version+1, +2, ...

    Runs in the caller's open transaction, all or nothing, and notifies the relay
    at commit. `expected_version` is the version the caller read (0 for a new
    stream). Returns the stored `Event`s. Raises `ConcurrencyConflict` if the
    stream is no longer at `expected_version`; the caller's transaction must then
    be rolled back.
    """
    if not events:
        return []
    params = {
        "stream_id": stream_id,
        "expected": expected_version,
        "ids": [e.event_id for e in events],
        "types": [e.type for e in events],
        "payloads": [Jsonb(e.payload) for e in events],
        "metadata": [Jsonb(e.metadata) for e in events],
    }
    cur = conn.cursor(row_factory=class_row(Event))
    try:
        # One round trip for lock + insert + notify keeps the lock's hold time short.
        with conn.pipeline():
            if serialise_appends:
                conn.execute(_LOCK)
            cur.execute(_INSERT, params)
            conn.execute(f"NOTIFY {CHANNEL}")
    except pg_errors.UniqueViolation:
        raise ConcurrencyConflict(details={"stream_id": str(stream_id)}) from None
    stored = cur.fetchall()
    if len(stored) != len(events):
        raise ConcurrencyConflict(details={"stream_id": str(stream_id)})
    return stored


def read_stream(conn: Connection[Any], stream_id: uuid.UUID | str, after_version: int = 0) -> list[Event]:
    """The stream's events after `after_version`, oldest first; fold them into state."""
    cur = conn.cursor(row_factory=class_row(Event))
    return cur.execute(
        f"SELECT {_COLUMNS} FROM events WHERE stream_id = %s AND stream_version > %s ORDER BY stream_version",
        (stream_id, after_version),
    ).fetchall()


def stream_version(conn: Connection[Any], stream_id: uuid.UUID | str) -> int:
    """The stream's current version (0 for a stream with no events yet)."""
    row = (
        conn.cursor(row_factory=tuple_row)
        .execute("SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = %s", (stream_id,))
        .fetchone()
    )
    assert row is not None  # an aggregate always returns one row
    return int(row[0])


def read_log(conn: Connection[Any], after_position: int = 0, limit: int = 1000) -> list[Event]:
    """Up to `limit` events of all streams after `after_position`, in commit order.

    Every committed event appears exactly once across successive calls that pass
    the last position seen (positions of rolled-back appends never appear).
    """
    cur = conn.cursor(row_factory=class_row(Event))
    return cur.execute(
        f"SELECT {_COLUMNS} FROM events WHERE position > %s ORDER BY position LIMIT %s",
        (after_position, limit),
    ).fetchall()
