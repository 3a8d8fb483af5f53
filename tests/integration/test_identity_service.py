"""Identity's login on real PostgreSQL and RabbitMQ: the service runs in this process and is
called over RPC as the gateway calls it."""

import argon2
import psycopg
import pytest
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy
from psycopg.rows import dict_row

from common import tokens
from gateway.revocations import RevocationTable
from services.identity.service import IdentityService
from services.identity.store import IdentityStore
from tests import factories

#: argon2-cffi's defaults before identity chose its own parameters: the hashes existing accounts hold.
OLD_DEFAULTS = argon2.PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


@pytest.fixture(scope="module")
def dsn(databases):
    return databases("identity")


@pytest.fixture(scope="module")
def services(dsn, amqp_uri):
    config = {"AMQP_URI": amqp_uri, "max_workers": 4}
    runner = ServiceRunner(config)
    runner.add_service(IdentityService)
    runner.start()
    yield config
    runner.stop()


@pytest.fixture
def rpc(services):
    with ClusterRpcProxy(services) as proxy:
        yield proxy


def stored(dsn, user_id):
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        row = conn.execute("SELECT password_hash, session_generation FROM users WHERE user_id = %s", (user_id,))
        return row.fetchone()


def set_hash(dsn, user_id, password_hash):
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE users SET password_hash = %s WHERE user_id = %s", (password_hash, user_id))


def login(rpc, body):
    return rpc.identity.login({"username": body["username"], "password": body["password"]}, "127.0.0.1")


def parameters(password_hash):
    p = argon2.extract_parameters(password_hash)
    return p.memory_cost, p.time_cost, p.parallelism


def account_with_old_hash(rpc, dsn):
    """A registered applicant, a token issued to them, and their hash made with the old defaults."""
    body = factories.person()
    user_id = rpc.identity.register(body)["user_id"]
    earlier_token = login(rpc, body)["access_token"]
    set_hash(dsn, user_id, OLD_DEFAULTS.hash(body["password"]))
    return body, user_id, earlier_token


def test_login_rehashes_an_old_hash_and_keeps_earlier_tokens(rpc, dsn):
    body, user_id, earlier_token = account_with_old_hash(rpc, dsn)
    generation = stored(dsn, user_id)["session_generation"]

    assert login(rpc, body)["user"]["user_id"] == user_id

    after = stored(dsn, user_id)
    assert parameters(after["password_hash"]) == (19456, 2, 1)
    assert after["session_generation"] == generation
    assert login(rpc, body)["user"]["user_id"] == user_id  # the new hash holds the same password
    assert stored(dsn, user_id)["password_hash"] == after["password_hash"]  # rehashed once, not per login

    sessions = RevocationTable()  # what a gateway makes of identity's state
    sessions.load(rpc.identity.revocations(), 0)
    sessions.check(tokens.verify(earlier_token))  # raises if the token had been revoked


def test_a_password_changed_meanwhile_wins_over_the_rehash(rpc, dsn, monkeypatch):
    body, user_id, _ = account_with_old_hash(rpc, dsn)
    changed = OLD_DEFAULTS.hash("Changed-Passw0rd")
    rehash = IdentityStore.rehash_password

    def after_a_password_change(self, *args):
        set_hash(dsn, user_id, changed)  # lands between the login's password check and its rehash
        return rehash(self, *args)

    monkeypatch.setattr(IdentityStore, "rehash_password", after_a_password_change)

    assert login(rpc, body)["user"]["user_id"] == user_id
    assert stored(dsn, user_id)["password_hash"] == changed
