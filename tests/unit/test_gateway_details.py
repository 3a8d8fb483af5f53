"""The gateway's cache of identity's `me` answers: keyed by installation and user, bounded, dropped
on revocation, expiring at its TTL."""

from gateway.details import DetailsCache

INS, OTHER_INS = "ins-1", "ins-2"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def cache(**options):
    clock = Clock()
    return DetailsCache(clock=clock, **options), clock


def test_an_answer_is_served_to_its_user_of_its_installation_only():
    c, _ = cache()
    c.put(INS, "u1", {"user_id": "u1"}, c.generation)
    assert c.get(INS, "u1") == {"user_id": "u1"}
    assert c.get(INS, "u2") is None
    assert c.get(OTHER_INS, "u1") is None, "a token of another database has its own entry"


def test_least_recently_used_goes_first_beyond_the_bound():
    c, _ = cache(max_entries=2)
    c.put(INS, "a", {"user_id": "a"}, c.generation)
    c.put(INS, "b", {"user_id": "b"}, c.generation)
    assert c.get(INS, "a")  # a is now the most recent
    c.put(INS, "c", {"user_id": "c"}, c.generation)
    assert len(c.entries) == 2
    assert c.get(INS, "b") is None and c.get(INS, "a") and c.get(INS, "c")


def test_a_revocation_drops_the_users_entry_only():
    c, _ = cache()
    c.put(INS, "u1", {"user_id": "u1"}, c.generation)
    c.put(INS, "u2", {"user_id": "u2"}, c.generation)
    c.drop(INS, "u1")
    assert c.get(INS, "u1") is None and c.get(INS, "u2") == {"user_id": "u2"}


def test_an_answer_fetched_while_a_revocation_arrived_is_not_kept():
    c, _ = cache()
    generation = c.generation
    c.drop(INS, "u1")  # arrives while identity's answer for u1 is under way
    c.put(INS, "u1", {"user_id": "u1"}, generation)
    assert c.get(INS, "u1") is None


def test_entries_expire_after_the_ttl():
    c, clock = cache(ttl=300)
    c.put(INS, "u1", {"user_id": "u1"}, c.generation)
    clock.now += 299
    assert c.get(INS, "u1") == {"user_id": "u1"}
    clock.now += 1
    assert c.get(INS, "u1") is None and not c.entries


def test_a_zero_ttl_keeps_nothing():
    c, _ = cache(ttl=0)
    c.put(INS, "u1", {"user_id": "u1"}, c.generation)
    assert c.get(INS, "u1") is None
