"""Pooled connections: checked before use once they have been idle or another was found broken,
not on every checkout."""

from contextlib import ExitStack

import psycopg
import pytest

from common import db


@pytest.fixture
def pool(databases):
    databases("postings")
    pool = db.create_pool("postings", max_size=1)
    yield pool
    pool.close()


def backend_of(pool):
    with db.reading(pool) as conn:
        return conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"]


def terminate(pid):
    with db.connect("postings", autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s) AS done", (pid,)).fetchone()["done"]


def test_a_connection_back_within_the_window_is_not_checked_and_a_broken_one_is_replaced(pool, monkeypatch):
    monkeypatch.setattr(db, "CHECK_AFTER_IDLE_SECONDS", 3600)
    terminate(backend_of(pool))
    with pytest.raises(psycopg.OperationalError), db.reading(pool) as conn:
        conn.execute("SELECT 1")  # no check before it: the request that gets it fails (503)
    assert backend_of(pool)  # the pool discarded the broken one when it came back


def test_a_connection_idle_past_the_window_is_checked_and_replaced_before_use(pool, monkeypatch):
    monkeypatch.setattr(db, "CHECK_AFTER_IDLE_SECONDS", 0)
    dead = backend_of(pool)
    terminate(dead)
    assert backend_of(pool) not in (None, dead)


def test_after_a_failover_one_request_fails_not_one_per_pooled_connection(databases, monkeypatch):
    """Every session ends at once; the connections came back just before, inside the window."""
    monkeypatch.setattr(db, "CHECK_AFTER_IDLE_SECONDS", 3600)
    databases("postings")
    pool = db.create_pool("postings", max_size=4)
    try:
        with ExitStack() as held:
            conns = [held.enter_context(db.reading(pool)) for _ in range(4)]
            pids = [c.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"] for c in conns]
        for pid in pids:
            terminate(pid)
        with pytest.raises(psycopg.OperationalError), db.reading(pool) as conn:
            conn.execute("SELECT 1")
        fresh = [backend_of(pool) for _ in range(4)]
        assert not set(fresh) & set(pids)
    finally:
        pool.close()
