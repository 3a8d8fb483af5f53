"""Pooled connections: checked before use once they have been idle, not on every checkout."""

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
