"""PostgreSQL advisory locks, each use in its own namespace.

Locks take the two-integer form `pg_advisory_lock(namespace, key)`: a key is
a 32-bit hash of a name, and a hash collision between two uses (a relay's
leadership and one person's submit lock, say) would otherwise make one wait
on the other forever. With a namespace per use, keys can only collide within
a use. Every namespace is listed here, so no two uses can share one.
"""

import zlib
from typing import Any

from psycopg import Connection
from psycopg.rows import tuple_row

#: The outbox relay's leadership (session lock), per relay name.
RELAY_LEADER = 1
#: One person's submission (transaction lock), per applicant id.
APPLICANT = 2


def key(name: object) -> int:
    """`name` hashed into PostgreSQL's signed 32-bit key range."""
    return zlib.crc32(str(name).encode()) - 2**31


def try_session_lock(conn: Connection[Any], namespace: int, name: object) -> bool:
    """Take the session lock if free (True); held until released or the session ends."""
    row = (
        conn.cursor(row_factory=tuple_row)
        .execute("SELECT pg_try_advisory_lock(%s, %s)", (namespace, key(name)))
        .fetchone()
    )
    return bool(row and row[0])


def transaction_lock(conn: Connection[Any], namespace: int, name: object) -> None:
    """Wait for and take the lock until the current transaction ends."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (namespace, key(name)))
