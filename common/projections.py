"""Rebuilding read models from the event log without stopping the service.

A service's projector `project(conn, event)` is the same function its command
path calls for every event `eventstore.append` returns, so a rebuild
reproduces the live read models. The applications service exposes it as
`python -m services.applications.cli rebuild-projections`.

The rebuild fills copies of the tables in a shadow schema while readers and
writers keep using the live ones, then catches up with the head of the log and
swaps the copies in under a lock held for a moment, however long the log is.
"""

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, LiteralString, TextIO, cast

from psycopg import Connection, sql
from psycopg import errors as pg_errors
from psycopg.rows import tuple_row

from common import db, eventstore

#: Applies one stored event to a service's read models, inside the caller's transaction.
Projector = Callable[[Connection[Any], eventstore.Event], None]

#: Where the copies are built; `project`'s unqualified table names resolve there first.
SHADOW = "projection_rebuild"
#: How long the swap may wait for a lock before it gives way to live traffic and tries again.
SWAP_LOCK_TIMEOUT = "500ms"
SWAP_ATTEMPTS = 50


def rebuild(conn: Connection[Any], tables: Sequence[str], project: Projector, batch_size: int = 1000) -> int:
    """Replace `tables` with a replay of the whole log through `project`; returns the event count.

    `conn` must be in autocommit mode: the replay commits batch by batch, so it
    holds no lock on the live tables. The swap takes the events table's EXCLUSIVE
    lock (appends wait; reads do not), projects the events committed since, and
    exchanges the tables; it holds the live tables' ACCESS EXCLUSIVE lock only
    for the exchange. A lock it cannot get within SWAP_LOCK_TIMEOUT (a long
    reader, a writer in mid-command) makes it roll back, catch up and retry,
    rather than stall everyone queued behind it. Indexes and constraints keep
    their names.
    """
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SHADOW)))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SHADOW)))
    for table in tables:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {}.{} (LIKE public.{} INCLUDING DEFAULTS INCLUDING IDENTITY "
                "INCLUDING GENERATED INCLUDING CONSTRAINTS)"
            ).format(sql.Identifier(SHADOW), sql.Identifier(table), sql.Identifier(table))
        )
        _copy_indexes(conn, table)
    conn.execute(sql.SQL("SET search_path = {}, public").format(sql.Identifier(SHADOW)))
    try:
        position, count = 0, 0
        for _ in range(SWAP_ATTEMPTS):
            position, count = _replay(conn, project, position, count, batch_size)
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT)))
                    conn.execute("LOCK TABLE public.events IN EXCLUSIVE MODE")
                    position, count = _replay(conn, project, position, count, batch_size, commit=False)
                    for table in tables:
                        conn.execute(
                            sql.SQL("LOCK TABLE public.{} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table))
                        )
                        conn.execute(sql.SQL("DROP TABLE public.{}").format(sql.Identifier(table)))
                        conn.execute(
                            sql.SQL("ALTER TABLE {}.{} SET SCHEMA public").format(
                                sql.Identifier(SHADOW), sql.Identifier(table)
                            )
                        )
                return count
            except pg_errors.LockNotAvailable:
                time.sleep(0.05)
        raise TimeoutError(f"could not swap the rebuilt {', '.join(tables)} in after {SWAP_ATTEMPTS} attempts")
    finally:
        conn.execute("RESET search_path")
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SHADOW)))


def _replay(
    conn: Connection[Any], project: Projector, position: int, count: int, batch_size: int, commit: bool = True
) -> tuple[int, int]:
    """Project the events after `position` into the shadow tables; one transaction per batch if `commit`."""
    while True:
        if commit:
            with conn.transaction():
                batch = _project_batch(conn, project, position, batch_size)
        else:
            batch = _project_batch(conn, project, position, batch_size)
        if not batch:
            return position, count
        position, count = batch[-1].position, count + len(batch)


def _project_batch(conn: Connection[Any], project: Projector, position: int, batch_size: int) -> list[eventstore.Event]:
    batch = eventstore.read_log(conn, position, batch_size)
    for event in batch:
        project(conn, event)
    return batch


def _copy_indexes(conn: Connection[Any], table: str) -> None:
    """The live table's indexes (and the constraints they back) on the shadow copy, under the same names.

    Built before the replay: projectors may rely on them (ON CONFLICT, unique checks).
    """
    cur = conn.cursor(row_factory=tuple_row)
    names = cur.execute(
        "SELECT ' ON public.' || quote_ident(%s) || ' ', ' ON ' || quote_ident(%s) || '.' || quote_ident(%s) || ' '",
        (table, SHADOW, table),
    ).fetchone()
    assert names is not None
    source, target = names
    indexes = cur.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid), c.conname, c.contype
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u')
           WHERE x.indrelid = %s::regclass""",
        (f"public.{table}",),
    ).fetchall()
    for name, definition, constraint, kind in indexes:
        # The server's own definition of an index it already has, moved to the copy.
        conn.execute(cast(LiteralString, definition.replace(source, target, 1)))
        if constraint:
            conn.execute(
                sql.SQL("ALTER TABLE {}.{} ADD CONSTRAINT {} {} USING INDEX {}").format(
                    sql.Identifier(SHADOW),
                    sql.Identifier(table),
                    sql.Identifier(constraint),
                    sql.SQL("PRIMARY KEY" if kind == "p" else "UNIQUE"),
                    sql.Identifier(name),
                )
            )


def main(service: str, tables: Sequence[str], project: Projector, out: TextIO = sys.stdout) -> None:
    """Command-line entry: rebuild `service`'s read models `tables` with `project`."""
    started = time.monotonic()
    with db.connect(service, autocommit=True) as conn:
        count = rebuild(conn, tables, project)
    print(f"rebuilt {', '.join(tables)} from {count} events in {time.monotonic() - started:.1f}s", file=out)
