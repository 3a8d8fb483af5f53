"""Advisory locks of different uses never block each other, even when their keys collide."""

import uuid
import zlib

import psycopg
import pytest
from psycopg import errors as pg_errors

from common import locks


@pytest.fixture
def two_sessions(databases):
    dsn = databases("applications")
    with psycopg.connect(dsn, autocommit=True) as relay, psycopg.connect(dsn) as submitter:
        submitter.execute("SET lock_timeout = '2s'")  # a blocked lock fails the test instead of hanging it
        submitter.commit()
        yield relay, submitter


def test_with_one_key_space_the_relays_lock_blocked_an_applicant_whose_hash_collided(two_sessions):
    """The negative control: the old single-integer form, with the relay's old key."""
    relay, submitter = two_sessions
    colliding = zlib.crc32(b"outbox-relay:applications")
    relay.execute("SELECT pg_advisory_lock(%s)", (colliding,))
    with pytest.raises(pg_errors.LockNotAvailable), submitter.transaction():
        submitter.execute("SELECT pg_advisory_xact_lock(%s)", (colliding,))
    relay.execute("SELECT pg_advisory_unlock(%s)", (colliding,))


def test_namespaced_locks_with_the_same_key_do_not_block_each_other(two_sessions):
    """A relay leads as `name`; an applicant lock on the same name has the very same key."""
    relay, submitter = two_sessions
    name = f"lock-test-{uuid.uuid4()}"  # not a running relay's name
    assert locks.try_session_lock(relay, locks.RELAY_LEADER, name)
    with submitter.transaction():
        locks.transaction_lock(submitter, locks.APPLICANT, name)
    # Within one use the lock still excludes: a second relay session cannot lead.
    with psycopg.connect(relay.info.dsn, autocommit=True) as standby:
        assert not locks.try_session_lock(standby, locks.RELAY_LEADER, name)
    relay.execute("SELECT pg_advisory_unlock(%s, %s)", (locks.RELAY_LEADER, locks.key(name)))


def test_keys_fit_postgresqls_signed_32_bit_range():
    for name in ("", "applications", "f" * 100, "9e107d9d-372b-4c6b-8f3a-2c1b6e2f1a01"):
        assert -(2**31) <= locks.key(name) < 2**31
    assert locks.RELAY_LEADER != locks.APPLICANT
