"""The gateway's in-process cache of identity's `me` answers, so a repeated `GET /api/v1/me` does
not ask identity again (applicants then cost one RPC, the live intern status; staff none).

Caching is safe because these details never change: nothing edits a person's username, name, ID
number, phone, roles or jurisdiction (identity only ever updates a user's password hash, session
generation and disabled flag). An endpoint that ever edits them must drop the user's
entry here, on every replica, as the revocation broadcast does.

Keyed by the identity installation that issued the token and the user id, so a token of another
database is never answered from this one's entry. Bounded in entries (least recently used out
first), each kept at most `GATEWAY_ME_CACHE_TTL_SECONDS` as the backstop. A user's entry is
dropped when their `session_revoked` broadcast arrives (logout, password change, disabled
account), so a disabled account's details do not stay in memory; an answer fetched while a
revocation arrived is not kept.
"""

import time
from collections import OrderedDict

from nameko.extensions import DependencyProvider

from common import config


class DetailsCache:
    def __init__(self, max_entries=10000, ttl=300.0, clock=time.monotonic):
        self.max_entries = max_entries
        self.ttl = ttl
        self.clock = clock
        self.entries = OrderedDict()  # (installation, user_id) -> (details, expires_at)
        self.generation = 0

    def get(self, installation, user_id):
        key = (installation, user_id)
        entry = self.entries.get(key)
        if entry is None:
            return None
        if entry[1] <= self.clock():
            del self.entries[key]
            return None
        self.entries.move_to_end(key)
        return entry[0]

    def put(self, installation, user_id, details, generation):
        """Keep `details` unless a revocation arrived since `generation` was read."""
        if generation != self.generation:
            return
        key = (installation, user_id)
        self.entries[key] = (details, self.clock() + self.ttl)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    def drop(self, installation, user_id):
        self.generation += 1
        self.entries.pop((installation, user_id), None)


class MeCache(DependencyProvider):
    """One `DetailsCache` per gateway process, handed to every worker."""

    def setup(self):
        self.cache = DetailsCache(
            max_entries=int(config.env("GATEWAY_ME_CACHE_MAX_ENTRIES", "10000")),
            ttl=float(config.env("GATEWAY_ME_CACHE_TTL_SECONDS", "300")),
        )

    def get_dependency(self, worker_ctx):
        return self.cache
