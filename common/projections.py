"""Rebuilding read models from the event log.

A service's projector `project(conn, event)` is the same function its
command path calls for every event `eventstore.append` returns, so a rebuild
reproduces the live read models. A service exposes the rebuild as an operator
command that calls `main` (`python -m services.applications.cli rebuild-projections`).
"""
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from psycopg import Connection, sql

from common import db, eventstore

#: Applies one stored event to a service's read models, inside the caller's transaction.
Projector = Callable[[Connection[Any], eventstore.Event], None]


def rebuild(conn: Connection[Any], tables: Sequence[str], project: Projector, batch_size: int = 1000) -> int:
    """Empty `tables` and replay the whole log through `project`, in one transaction; returns the event count.

    TRUNCATE holds the tables exclusively until commit, so live commands that
    update them wait and then apply on top of the rebuilt state. Identity
    columns restart, so rebuilt ids follow the log as the live ones did.
    """
    count, position = 0, 0
    with conn.transaction():
        conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
            sql.SQL(", ").join(sql.Identifier(t) for t in tables)))
        while batch := eventstore.read_log(conn, position, batch_size):
            for event in batch:
                project(conn, event)
            position, count = batch[-1].position, count + len(batch)
    return count


def main(service: str, tables: Sequence[str], project: Projector, out: TextIO = sys.stdout) -> None:
    """Command-line entry: rebuild `service`'s read models `tables` with `project`."""
    with db.connect(service, autocommit=True) as conn:
        count = rebuild(conn, tables, project)
    print(f"rebuilt {', '.join(tables)} from {count} events", file=out)
