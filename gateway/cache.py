"""The gateway's in-process cache of public post answers (search pages and details).

Each gateway replica keeps its own copy, bounded in entries and bytes (least recently
used first out), holding the encoded JSON bodies so a hit costs neither an RPC nor an
encoding. An entry goes stale three ways, and each is handled:

- a post is published, changed or closed: postings publishes an event through its
  outbox, every replica receives it on a broadcast queue of its own and drops the post's
  detail and every search page (any page may list or count the post);
- a deadline passes: a post reads as closed from the Shanghai day after its deadline, and
  that is decided only at a Shanghai midnight, so no entry lives past the next one;
- an event is lost (a replica's queue disappears with its broker connection): no entry
  lives longer than a short TTL (`GATEWAY_CACHE_TTL_SECONDS`).

An answer fetched while an event arrived is not stored: `generation` changes with every
event, and `put` refuses an answer fetched under an older generation.
"""

import time
from collections import OrderedDict
from datetime import datetime, timedelta

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge

from common import clock, config

LOOKUPS = Counter("gateway_cache_lookups_total", "Post cache lookups", ["kind", "result"])
EVENTS = Counter("gateway_cache_events_total", "Post events that invalidated this replica's cache", ["type"])
ENTRIES = Gauge("gateway_cache_entries", "Entries in this replica's post cache")
BYTES = Gauge("gateway_cache_bytes", "Bytes of bodies in this replica's post cache")

SEARCH, DETAIL = "search", "detail"


def next_midnight(now):
    """The next Shanghai midnight after `now` (an aware datetime), as a Unix time."""
    local = now.astimezone(clock.SHANGHAI)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), clock.SHANGHAI)
    return midnight.timestamp()


class ResponseCache:
    def __init__(self, max_entries=4096, max_bytes=64 * 1024 * 1024, ttl=10.0, wall=time.time, now=clock.now):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.wall = wall
        self.now = now
        self.entries = OrderedDict()  # key -> (body, expires_at)
        self.size = 0
        self.generation = 0

    def get(self, kind, key):
        entry = self.entries.get((kind, key))
        if entry is not None and entry[1] > self.wall():
            self.entries.move_to_end((kind, key))
            LOOKUPS.labels(kind, "hit").inc()
            return entry[0]
        if entry is not None:
            self._drop((kind, key))
        LOOKUPS.labels(kind, "miss").inc()
        return None

    def put(self, kind, key, body, generation):
        """Keep `body` unless an event arrived since `generation` was read, or it is too big."""
        if generation != self.generation or len(body) > self.max_bytes:
            return
        self._drop((kind, key))
        expires_at = min(self.wall() + self.ttl, next_midnight(self.now()))
        self.entries[(kind, key)] = (body, expires_at)
        self.size += len(body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            self._drop(next(iter(self.entries)))
        self._gauges()

    def invalidate(self, posting_id):
        """Post `posting_id` is new, changed or closed: drop its detail and every search page."""
        self.generation += 1
        self._drop((DETAIL, str(posting_id)))
        for key in [k for k in self.entries if k[0] == SEARCH]:
            self._drop(key)
        self._gauges()

    def _drop(self, key):
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.size -= len(entry[0])

    def _gauges(self):
        ENTRIES.set(len(self.entries))
        BYTES.set(self.size)


class PostsCache(DependencyProvider):
    """One `ResponseCache` per gateway process, handed to every worker."""

    def setup(self):
        self.cache = ResponseCache(
            max_entries=int(config.env("GATEWAY_CACHE_MAX_ENTRIES", "4096")),
            max_bytes=int(config.env("GATEWAY_CACHE_MAX_BYTES", str(64 * 1024 * 1024))),
            ttl=float(config.env("GATEWAY_CACHE_TTL_SECONDS", "10")),
        )

    def get_dependency(self, worker_ctx):
        return self.cache
