"""The gateway's post cache: bounded, invalidated by post events, expiring at TTL or Shanghai midnight."""

from datetime import UTC, datetime

from gateway.cache import DETAIL, SEARCH, ResponseCache, next_midnight
from gateway.routes.postings import cached


class Clock:
    def __init__(self, now):
        self.now = now  # an aware datetime

    def wall(self):
        return self.now.timestamp()

    def aware(self):
        return self.now


def cache(now=datetime(2026, 12, 1, 2, 0, tzinfo=UTC), **options):
    clock = Clock(now)
    return ResponseCache(wall=clock.wall, now=clock.aware, **options), clock


def test_a_put_is_served_until_invalidated():
    c, _ = cache()
    c.put(DETAIL, "p1", b'{"a": 1}', c.generation)
    c.put(SEARCH, "q", b"[]", c.generation)
    assert c.get(DETAIL, "p1") == b'{"a": 1}' and c.get(SEARCH, "q") == b"[]"
    c.invalidate("p2")
    assert c.get(DETAIL, "p1") == b'{"a": 1}', "another post's event leaves this detail"
    assert c.get(SEARCH, "q") is None, "any post's event drops every search page"
    c.invalidate("p1")
    assert c.get(DETAIL, "p1") is None


def test_an_answer_fetched_before_an_event_is_not_kept():
    c, _ = cache()
    generation = c.generation
    c.invalidate("p1")  # arrives while the RPC for p1 is under way
    c.put(DETAIL, "p1", b"old", generation)
    assert c.get(DETAIL, "p1") is None


def test_least_recently_used_goes_first_by_count_and_by_bytes():
    c, _ = cache(max_entries=2, max_bytes=10)
    c.put(DETAIL, "a", b"1234", c.generation)
    c.put(DETAIL, "b", b"1234", c.generation)
    assert c.get(DETAIL, "a")  # a is now the most recent
    c.put(DETAIL, "c", b"1234", c.generation)
    assert c.get(DETAIL, "b") is None and c.get(DETAIL, "a") and c.get(DETAIL, "c")
    c.put(DETAIL, "d", b"1234567", c.generation)  # 4 + 7 > 10 bytes: a and c must make room
    assert len(c.entries) == 1 and c.size == 7 and c.get(DETAIL, "d")
    c.put(DETAIL, "huge", b"x" * 11, c.generation)
    assert c.get(DETAIL, "huge") is None and c.size == 7


def test_entries_expire_after_the_ttl():
    c, clock = cache(ttl=10)
    c.put(DETAIL, "p1", b"x", c.generation)
    clock.now = clock.now.replace(second=9)
    assert c.get(DETAIL, "p1") == b"x"
    clock.now = clock.now.replace(second=11)
    assert c.get(DETAIL, "p1") is None and c.size == 0


def test_entries_expire_at_the_next_shanghai_midnight_when_a_deadline_may_pass():
    # 15:59:55 UTC is 23:59:55 in Shanghai: five seconds before every deadline of the day passes.
    c, clock = cache(now=datetime(2026, 12, 1, 15, 59, 55, tzinfo=UTC), ttl=3600)
    c.put(SEARCH, "q", b"[]", c.generation)
    clock.now = datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)
    assert c.get(SEARCH, "q") == b"[]"
    clock.now = datetime(2026, 12, 1, 16, 0, 0, tzinfo=UTC)
    assert c.get(SEARCH, "q") is None


def test_next_midnight_is_shanghai_midnight():
    assert (
        next_midnight(datetime(2026, 12, 1, 2, 0, tzinfo=UTC)) == datetime(2026, 12, 1, 16, 0, tzinfo=UTC).timestamp()
    )
    assert (
        next_midnight(datetime(2026, 12, 1, 16, 0, tzinfo=UTC)) == datetime(2026, 12, 2, 16, 0, tzinfo=UTC).timestamp()
    )


def test_json_text_is_sent_and_kept_as_it_is_and_other_answers_are_encoded_once():
    c, _ = cache()
    text = '{"items":[{"title":"会计"}],"total":1}'
    assert cached(c, SEARCH, "q", lambda: text).get_data() == text.encode("utf-8")
    assert c.get(SEARCH, "q") == text.encode("utf-8")
    sent = cached(c, DETAIL, "p1", lambda: {"title": "会计"}).get_data()
    assert sent == '{"title": "会计"}'.encode() == c.get(DETAIL, "p1")
