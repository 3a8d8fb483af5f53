"""PostgreSQL connection pools, one per service process."""

import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from common import config

#: A row as the pool's connections return it: column name to value.
Row = DictRow
#: A service process's pool of connections whose rows are dicts.
Pool = ConnectionPool[psycopg.Connection[DictRow]]


#: A connection handed back this recently is given out again without a check (as HikariCP's
#: alive-bypass window): under load every connection comes back within milliseconds, and a
#: check per checkout was one more round trip per request.
CHECK_AFTER_IDLE_SECONDS = 0.5
_returned_at: "weakref.WeakKeyDictionary[psycopg.Connection[Any], float]" = weakref.WeakKeyDictionary()
#: When a pooled connection last came back broken. A failover ends every session at once, so
#: every connection handed back before then is checked before its next use, window or not:
#: one request fails instead of one per pooled connection.
_lost_at = float("-inf")


def _note_return(conn: psycopg.Connection[Any]) -> None:
    _returned_at[conn] = time.monotonic()


def _check_if_idle(conn: psycopg.Connection[Any]) -> None:
    """A connection whose backend was terminated (failover, restart, pg_terminate_backend) is
    discarded here instead of failing the request that would have got it, once it has been idle
    or another connection was found broken since it came back; one that failed in use is
    discarded by the pool when it comes back."""
    returned = _returned_at.get(conn, float("-inf"))
    if returned <= _lost_at or time.monotonic() - returned > CHECK_AFTER_IDLE_SECONDS:
        ConnectionPool.check_connection(conn)


class _LossAwarePool(Pool):
    def putconn(self, conn: psycopg.Connection[DictRow]) -> None:
        if conn.broken:
            global _lost_at
            _lost_at = time.monotonic()
        super().putconn(conn)


def create_pool(service: str, max_size: int | None = None, min_size: int = 1, name: str | None = None) -> Pool:
    size = max_size or config.pool_size()
    # The row factory is passed as a connection argument, which the pool's type cannot see.
    pool = cast(
        Pool,
        _LossAwarePool(
            config.database_url(service),
            min_size=min(min_size, size),
            max_size=size,
            kwargs={"row_factory": dict_row, "autocommit": False},
            name=name or service,
            check=_check_if_idle,
            reset=_note_return,
            timeout=10,
            open=False,
        ),
    )
    pool.open(wait=True, timeout=10)
    return pool


def connect(service: str, **kwargs: Any) -> psycopg.Connection[DictRow]:
    """A single connection outside a pool, for commands and tests."""
    return psycopg.connect(config.database_url(service), row_factory=dict_row, **kwargs)


@contextmanager
def reading(pool: Pool) -> Iterator[psycopg.Connection[DictRow]]:
    """A pooled connection for reads that need no transaction: in autocommit, so a query is one
    round trip instead of three (BEGIN, the query, COMMIT). Each statement sees its own snapshot,
    as it would in a READ COMMITTED transaction."""
    with pool.connection() as conn:
        conn.autocommit = True
        try:
            yield conn
        finally:
            if not conn.closed:
                conn.autocommit = False
