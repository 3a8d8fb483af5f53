"""The gateway's revocation table and client address, without servers."""

import ipaddress
import time

import pytest

from common import errors
from gateway.clients import resolve
from gateway.revocations import RevocationTable

INSTALLATION = "8c1b2b0e-0000-4000-8000-000000000001"


def claims(sub="u1", gen=0, jti="t1", ins=INSTALLATION):
    return {"sub": sub, "gen": gen, "jti": jti, "ins": ins}


def table(generations=None, tokens=None):
    t = RevocationTable()
    t.load({"installation": INSTALLATION, "generations": generations or {}, "tokens": tokens or {}}, time.time())
    return t


def test_nothing_is_accepted_before_the_first_load():
    with pytest.raises(errors.ServiceUnavailable):
        RevocationTable().check(claims())


def test_tokens_of_another_installation_are_refused():
    table().check(claims())
    with pytest.raises(errors.Unauthenticated):
        table().check(claims(ins="another-database"))


def test_a_raised_generation_refuses_earlier_tokens_only():
    t = table({"u1": 2})
    for gen in (0, 1):
        with pytest.raises(errors.Unauthenticated):
            t.check(claims(gen=gen))
    t.check(claims(gen=2))
    t.check(claims(sub="u2", gen=0))


def test_events_and_snapshots_merge_in_any_order():
    t = table()
    t.apply({"user_id": "u1", "generation": 3})
    t.load({"installation": INSTALLATION, "generations": {"u1": 2}, "tokens": {}}, time.time())  # older snapshot
    with pytest.raises(errors.Unauthenticated):
        t.check(claims(gen=2))
    t.apply({"user_id": "u1", "generation": 1})
    t.check(claims(gen=3))


def test_a_logged_out_token_is_refused_until_it_expires_then_forgotten():
    now = time.time()
    t = table()
    t.apply({"user_id": "u1", "jti": "t1", "expires_at": now + 60})
    with pytest.raises(errors.Unauthenticated):
        t.check(claims(jti="t1"))
    t.check(claims(jti="t2"))
    t.apply({"user_id": "u1", "jti": "old", "expires_at": now - 1})
    t.load({"installation": INSTALLATION, "generations": {}, "tokens": {}}, now)
    assert set(t.tokens) == {"t1"}


def test_due_after_the_refresh_interval():
    t = table()
    assert not t.due(30) and t.due(0)
    assert RevocationTable().due(30)


PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))


@pytest.mark.parametrize(
    "peer,forwarded,expected",
    [
        ("203.0.113.9", "", "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # untrusted peer: header ignored
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "1.1.1.1, 198.51.100.1", "198.51.100.1"),  # the client's own claim is left of ours
        ("127.0.0.1", "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # through two trusted proxies
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "10.1.2.3", "10.1.2.3"),  # only proxies: the farthest one
        ("127.0.0.1", "not-an-ip", "not-an-ip"),
    ],
)
def test_client_address(peer, forwarded, expected):
    assert resolve(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_the_header_means_nothing():
    assert resolve("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"
